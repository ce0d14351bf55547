// SPDX-License-Identifier: GPL-2.0-or-later
/* The output layer's tables (table.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

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

/* Display columns of UTF-8 text: one per character (names are not wide-character scripts). */
static size_t text_width(const char *s, size_t bytes)
{
	size_t w = 0;

	for (size_t i = 0; i < bytes && s[i]; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* The bytes of the first @cols characters of @s (all of it if shorter). */
static size_t text_bytes(const char *s, size_t cols)
{
	size_t i = 0;

	while (s[i] && cols) {
		i++;
		while (((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		cols--;
	}
	return i;
}

/*
 * @text broken into lines of at most @width characters, at blanks; inside a
 * word only where the word alone is wider.  Nothing is dropped but the
 * blanks where a line breaks.
 */
static char *wrap_words(const char *text, size_t width)
{
	char *out = xmalloc(strlen(text) * 2 + 1), *o = out;
	const char *p = text;
	size_t used = 0;	/* characters on the current line */

	while (*p) {
		size_t blanks = strspn(p, " "), word, wcols;

		p += blanks;
		if (!*p)
			break;
		word = strcspn(p, " ");
		wcols = text_width(p, word);
		if (used && used + 1 + wcols <= width) {
			*o++ = ' ';
			used++;
		} else if (used) {
			*o++ = '\n';
			used = 0;
		}
		while (wcols > width - used) {	/* only a word wider than a line */
			size_t n = text_bytes(p, width - used);

			memcpy(o, p, n);
			o += n;
			*o++ = '\n';
			p += n;
			word -= n;
			wcols = text_width(p, word);
			used = 0;
		}
		memcpy(o, p, word);
		o += word;
		used += wcols;
		p += word;
	}
	*o = '\0';
	return out;
}

/* The widest word of @s. */
static size_t longest_word(const char *s)
{
	size_t most = 0;

	while (*s) {
		size_t n, w;

		s += strspn(s, " ");
		n = strcspn(s, " ");
		w = text_width(s, n);
		if (w > most)
			most = w;
		s += n;
	}
	return most;
}

/* A wrapping column: its width in the first layout, and its widest word. */
struct wrap_col {
	struct libscols_column *cl;
	size_t width, word;
};

/*
 * libsmartcols wraps a SCOLS_FL_WRAP column at a character ("...Mach" /
 * "ine)").  Lay the table out once to learn how wide each such column gets
 * on this terminal; where one is narrower than its widest word, give it
 * what another has beyond its own widest word ("Intel Corporation" then
 * breaks between the words); break the texts at words to those widths, and
 * print with the breaks (libsmartcols' newline wrapping).
 */
static void wrap_at_words(struct libscols_table *tb)
{
	struct wrap_col wc[COLUMNS_MAX * 2 + 1];
	struct libscols_iter *itr;
	struct libscols_column *cl;
	struct libscols_line *ln;
	size_t n = 0;
	char *mem = NULL;
	size_t memsize = 0;
	FILE *f;

	/* Only a terminal's layout narrows columns (libsmartcols asks isatty(1)). */
	if (scols_table_is_raw(tb) || scols_table_is_json(tb) ||
	    scols_table_get_termforce(tb) == SCOLS_TERMFORCE_NEVER ||
	    (scols_table_get_termforce(tb) == SCOLS_TERMFORCE_AUTO && !isatty(STDOUT_FILENO)))
		return;
	itr = check(scols_new_iter(SCOLS_ITER_FORWARD));
	while (scols_table_next_column(tb, itr, &cl) == 0 && n < ARRAY_SIZE(wc))
		if (scols_column_get_flags(cl) & SCOLS_FL_WRAP)
			wc[n++].cl = cl;
	if (!n) {
		scols_free_iter(itr);
		return;
	}
	f = check(open_memstream(&mem, &memsize));
	scols_table_set_stream(tb, f);
	scols_print_table(tb);
	fclose(f);
	free(mem);

	for (size_t i = 0; i < n; i++) {
		wc[i].width = scols_column_get_width(wc[i].cl);
		wc[i].word = 0;
		scols_reset_iter(itr, SCOLS_ITER_FORWARD);
		while (scols_table_next_line(tb, itr, &ln) == 0) {
			struct libscols_cell *ce = scols_line_get_column_cell(ln, wc[i].cl);
			const char *data = ce ? scols_cell_get_data(ce) : NULL;
			size_t word = data ? longest_word(data) : 0;

			if (word > wc[i].word)
				wc[i].word = word;
		}
	}
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n && wc[i].width < wc[i].word; j++) {
			size_t want = wc[i].word - wc[i].width, spare;

			if (wc[j].width <= wc[j].word)
				continue;
			spare = wc[j].width - wc[j].word;
			if (spare > want)
				spare = want;
			wc[j].width -= spare;
			wc[i].width += spare;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!wc[i].width)
			continue;
		scols_reset_iter(itr, SCOLS_ITER_FORWARD);
		while (scols_table_next_line(tb, itr, &ln) == 0) {
			struct libscols_cell *ce = scols_line_get_column_cell(ln, wc[i].cl);
			const char *data = ce ? scols_cell_get_data(ce) : NULL;

			if (data && text_width(data, strlen(data)) > wc[i].width)
				check(!scols_cell_refer_data(ce, wrap_words(data, wc[i].width)) ? ce : NULL);
		}
		/* Not wider again in the second layout: the hint would widen it. */
		scols_column_set_whint(wc[i].cl, (double)wc[i].width);
		scols_column_set_safechars(wc[i].cl, "\n");
		scols_column_set_wrapfunc(wc[i].cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk,
					  NULL);
	}
	scols_free_iter(itr);
}

void table_print(struct libscols_table *tb, FILE *out)
{
	wrap_at_words(tb);
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}

char *table_to_string(struct libscols_table *tb, size_t width)
{
	char *text = NULL;

	if (width) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, width);
	} else {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	}
	wrap_at_words(tb);
	if (scols_print_table_to_string(tb, &text) || !text)
		check(NULL);
	scols_unref_table(tb);
	return text;
}

size_t table_terminal_width(FILE *f)
{
	struct winsize ws;

	if (!isatty(fileno(f)) || ioctl(fileno(f), TIOCGWINSZ, &ws) || !ws.ws_col)
		return 0;
	return ws.ws_col;
}
