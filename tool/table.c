// SPDX-License-Identifier: GPL-2.0-or-later
/* The output layer's tables (table.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "table.h"
#include "util.h"

void columns_init(struct column_set *set, const struct column *all, size_t nall,
		  const int *defaults, size_t ndefaults)
{
	set->all = all;
	set->nall = nall;
	set->n = 0;
	for (size_t i = 0; i < ndefaults && i < ARRAY_SIZE(set->cols); i++)
		set->cols[set->n++] = defaults[i];
}

static int column_by_name(const struct column_set *set, const char *name, size_t len)
{
	for (size_t i = 0; i < set->nall; i++)
		if (strlen(set->all[i].name) == len && !strncasecmp(set->all[i].name, name, len))
			return (int)i;
	return -1;
}

bool columns_parse(struct column_set *set, const char *cmd, const char *arg)
{
	const char *p = arg;

	if (*p == '+')
		p++;
	else
		set->n = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		int col = column_by_name(set, p, len);

		if (col < 0) {
			warnx_("%s: unknown column '%.*s' (see '%s help %s' for the columns)", cmd,
			       (int)len, p, program_name, cmd);
			return false;
		}
		if (set->n < ARRAY_SIZE(set->cols))
			set->cols[set->n++] = col;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!set->n) {
		warnx_("%s: -o '%s' names no column", cmd, arg);
		return false;
	}
	return true;
}

bool columns_any_device(const struct column_set *set)
{
	for (size_t c = 0; c < set->n; c++)
		if (set->all[set->cols[c]].device)
			return true;
	return false;
}

void columns_usage(const struct column *all, size_t nall, const int *defaults, size_t ndefaults)
{
	printf("\nColumns:\n");
	for (size_t i = 0; i < nall; i++)
		printf("  %12s  %s\n", all[i].name, all[i].help);
	printf("\nDefault: ");
	for (size_t i = 0; i < ndefaults; i++)
		printf("%s%s", i ? "," : "", all[defaults[i]].name);
	printf("\n");
}

static void *check(void *p)
{
	if (!p) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	return p;
}

struct libscols_table *table_new(const struct column_set *set, bool raw, bool noheadings,
				 const char *tree_name)
{
	struct libscols_table *tb;

	scols_init_debug(0);
	tb = check(scols_new_table());
	scols_table_enable_raw(tb, raw);
	scols_table_enable_noheadings(tb, noheadings);
	if (tree_name)
		check(scols_table_new_column(tb, tree_name, 14, SCOLS_FL_TREE));
	for (size_t c = 0; c < set->n; c++) {
		const struct column *col = &set->all[set->cols[c]];

		check(scols_table_new_column(tb, col->name, col->whint, col->flags));
	}
	return tb;
}

struct libscols_line *table_line(struct libscols_table *tb, struct libscols_line *parent)
{
	return check(scols_table_new_line(tb, parent));
}

void table_cell(struct libscols_line *ln, size_t col, const char *text)
{
	if (text && scols_line_set_data(ln, col, text)) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
}

void table_print(struct libscols_table *tb, FILE *out)
{
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}
