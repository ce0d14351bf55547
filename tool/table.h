/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output layer's tables: a command describes its columns once (name,
 * width hint, libsmartcols flags, help), and gets -o/--output parsing
 * ("LIST" or "+LIST", case-insensitive, as lsblk and lsmem take it), the
 * column list of its help, and libsmartcols tables from it (raw, no
 * headings), the way util-linux's commands share lib/ and libsmartcols.
 */
#ifndef IOMMUCTL_TABLE_H
#define IOMMUCTL_TABLE_H

#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct column {
	const char *name;
	double whint;
	int flags;		/* SCOLS_FL_* */
	bool device;		/* a device's, not the group's (list) */
	const char *help;
};

#define COLUMNS_MAX 32

struct column_set {
	const struct column *all;	/* the command's columns */
	size_t nall;
	int cols[COLUMNS_MAX * 2];	/* chosen, by index into all */
	size_t n;
};

/* The default columns (indexes into @all). */
void columns_init(struct column_set *set, const struct column *all, size_t nall,
		  const int *defaults, size_t ndefaults);
/* -o LIST or -o +LIST; false after "CMD: unknown column ..." on stderr. */
bool columns_parse(struct column_set *set, const char *cmd, const char *arg);
/* Whether a chosen column is a device's (list: a row per device then). */
bool columns_any_device(const struct column_set *set);
/* "Columns:" with each name and help, then "Default: A,B,C". */
void columns_usage(const struct column *all, size_t nall, const int *defaults, size_t ndefaults);

/* A table with the chosen columns (and a first tree column @tree_name, or NULL). */
struct libscols_table *table_new(const struct column_set *set, bool raw, bool noheadings,
				 const char *tree_name);
struct libscols_line *table_line(struct libscols_table *tb, struct libscols_line *parent);
/* Set cell @col of @ln (NULL text: left empty). */
void table_cell(struct libscols_line *ln, size_t col, const char *text);
/* Print to @out and free. */
void table_print(struct libscols_table *tb, FILE *out);
/*
 * The table as text (malloc'd; no newline after the last line), laid out for
 * a terminal @width columns wide (0: as wide as the texts), and free it.
 */
char *table_to_string(struct libscols_table *tb, size_t width);
/* The width of the terminal @f is, 0 when it is none. */
size_t table_terminal_width(FILE *f);

#endif
