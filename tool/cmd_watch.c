// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl watch: a live per-group view of fault and DMA activity, in the
 * manner of irqtop: every interval, each group's counters are read again and
 * what changed since the previous read is shown beside the totals.
 *
 * Sources: the iommu_policy module's counters (groups/N/stats/, the module's
 * stats/ for the module-wide line) and faults decoded from the kernel log as
 * they are logged (/dev/kmsg, read whole at the start and followed: FAULTS is
 * the fault figure of faults.h, the larger of the module's count and the
 * log's).
 *
 * On a terminal the view is redrawn in place on the alternate screen; the
 * terminal is given back as it was on every way out (q, ^C, SIGTERM,
 * SIGHUP, --iter), and around ^Z.  Signals only set flags: the main loop
 * waits in ppoll() with them unblocked, so none is lost between a check and
 * the wait.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <linux/iommu_policy_netlink.h>

#include "devstats.h"
#include "faults.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "kmsg.h"
#include "streamid.h"
#include "names.h"
#include "nl.h"
#include "sysfs.h"
#include "table.h"
#include "util.h"

enum sort_key { SORT_GROUP, SORT_FAULTS, SORT_DELTA, SORT_LOGGED, SORT_MAPS, SORT_MAPPED };

static const struct {
	const char *name;
	char key;		/* interactive key */
} sort_keys[] = {
	[SORT_GROUP] = { "group", 'g' },
	[SORT_FAULTS] = { "faults", 'f' },
	[SORT_DELTA] = { "delta", 'd' },
	[SORT_LOGGED] = { "logged", 'l' },
	[SORT_MAPS] = { "maps", 'm' },
	[SORT_MAPPED] = { "mapped", 'b' },
};

enum {
	COL_GROUP, COL_POLICY, COL_OWNER, COL_FAULTS, COL_FSOURCE, COL_DFAULTS, COL_DLOGGED,
	COL_MAPS, COL_DMAPS, COL_DMAPPED, COL_DEVICES, NCOLS
};

/* Counts are right-aligned and as wide as their hint, so that frames do not jump. */
static const struct column columns[NCOLS] = {
	[COL_GROUP] = { "GROUP", 5, SCOLS_FL_RIGHT, false, "group number" },
	[COL_POLICY] = { "POLICY", 8, 0, false, "DMA-API policy, as list shows it" },
	[COL_OWNER] = { "OWNER", 14, 0, false, "who owns the group's DMA, as list shows it" },
	[COL_FAULTS] = { "FAULTS", 10, SCOLS_FL_RIGHT, false,
			 "the fault figure, as list shows it (>=N: at least)" },
	[COL_FSOURCE] = { "FSOURCE", 10, 0, false, "where FAULTS comes from: module or kernel-log" },
	[COL_DFAULTS] = { "+FAULTS", 8, SCOLS_FL_RIGHT, false,
			  "faults in the interval, by FAULTS' rule" },
	[COL_DLOGGED] = { "+LOGGED", 8, SCOLS_FL_RIGHT, false,
			  "faults the kernel logged in the interval" },
	[COL_MAPS] = { "MAPS", 10, SCOLS_FL_RIGHT, false, "DMA-API maps counted so far" },
	[COL_DMAPS] = { "+MAPS", 8, SCOLS_FL_RIGHT, false, "DMA-API maps in the interval" },
	[COL_DMAPPED] = { "+MAPPED", 8, SCOLS_FL_RIGHT, false, "bytes they mapped" },
	[COL_DEVICES] = { "DEVICES", 0.3, SCOLS_FL_TRUNC, false, "the group's devices" },
};

static const int default_columns[] = {
	COL_GROUP, COL_POLICY, COL_OWNER, COL_FAULTS, COL_DFAULTS, COL_DLOGGED, COL_DMAPS,
	COL_DMAPPED, COL_DEVICES,
};

/* One group in one interval; a count is valid only where its has_ flag is set. */
struct row {
	unsigned int id;
	char policy[24], owner[32];	/* copies: the group list is freed */
	char *devices;			/* names, comma-separated */
	bool has_faults, has_dma, has_logged;	/* has_faults: +FAULTS has a source */
	unsigned long long faults, faults_delta;	/* the figure, and the interval's */
	struct fault_figure figure;	/* FAULTS */
	unsigned long long logged_delta;
	unsigned long long maps, maps_delta, mapped_delta;
};

/* What the previous read found, to take differences from. */
struct sample {
	unsigned int id;
	bool has_faults, has_dma, has_logged;
	unsigned long long faults, maps, mapped, logged;
};

struct watch {
	double delay;
	unsigned long long iter;	/* 0: until interrupted */
	bool batch, json, use_log;
	enum sort_key sort;
	struct column_set set;		/* -o */
	char **only;			/* GROUP|DEVICE arguments, NULL-terminated */
	struct log_stats ls;		/* the kernel log, followed */
	bool log_on;
	const char *log_why;
	struct sample *prev;
	size_t nprev;
	bool module_prev_valid;
	unsigned long long module_prev[3];	/* unattributed, iommu_maps, iommu_bytes_mapped */
	/* The frame being shown, kept to redraw it on a resize. */
	struct row *rows;
	size_t nrows;
	bool module, has_module_line;
	unsigned long long module_delta[3];
	/*
	 * DMA accounting: the module counts DMA and IOMMU maps only while
	 * someone wants them; watch holds it on through its netlink socket
	 * (root only) for as long as it runs.  A delta over an interval in
	 * which it was off at either end is not shown.
	 */
	struct nlc nl;
	bool nl_open;
	const char *acct_why;		/* why watch could not hold it; NULL if it does */
	bool acct_on, acct_prev_on;
	bool deltas;			/* false before the first interval ends */
	double interval;
	char when[32];
	/* The terminal. */
	bool tty, keys;
	struct termios saved;
	bool screen_on;
	bool ended_by_iter;		/* then the last frame stays on the normal screen */
};

static volatile sig_atomic_t got_stop, got_winch, got_tstp;

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else if (sig == SIGTSTP)
		got_tstp = 1;
	else
		got_stop = 1;
}

void cmd_watch_usage(void)
{
	printf("Usage: %s watch [OPTIONS] [GROUP|DEVICE...]\n"
	       "\n"
	       "Show each IOMMU group's fault and DMA activity live: every interval, what\n"
	       "the counters gained (+FAULTS, +LOGGED, +MAPS, +MAPPED) beside the totals,\n"
	       "busiest group first.  Keys: q quits; g, f, d, l, m, b sort by group,\n"
	       "faults, +faults, +logged, +maps, +mapped.\n"
	       "\n"
	       "Options:\n"
	       "  -d, --delay SECONDS   time between updates (default 3; fractions allowed)\n"
	       "  -n, --iter N          stop after N updates\n"
	       "  -b, --batch           print one table after another instead of a live\n"
	       "                        screen (the default when output is not a terminal)\n"
	       "  -J, --json            with --batch: one JSON object per update (NDJSON)\n"
	       "  -s, --sort COLUMN     group, faults, delta (+faults, the default), logged,\n"
	       "                        maps or mapped\n"
	       "  -o, --output LIST     columns to show (\"+LIST\" adds to the default)\n"
	       "      --no-log          leave kernel-log faults out\n"
	       "      --sysroot DIR     read sysfs under DIR instead of /\n"
	       "  -h, --help            show this help\n", program_name);
	columns_usage(columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
}

/* --- reading --------------------------------------------------------------------------- */

static const struct sample *prev_sample(const struct watch *w, unsigned int id)
{
	for (size_t i = 0; i < w->nprev; i++)
		if (w->prev[i].id == id)
			return &w->prev[i];
	return NULL;
}

/*
 * What a counter gained since @before; a counter that went down was reset
 * (stats/reset) or belongs to a new group: all of it is new.
 */
static bool wanted(const struct watch *w, struct ic_group_list *list, const struct ic_group *grp)
{
	if (!w->only)
		return true;
	for (char **a = w->only; *a; a++) {
		unsigned int id;

		if (parse_group_id(*a, &id) ? groups_find_device(list, *a, NULL) == grp :
		    id == grp->id)
			return true;
	}
	return false;
}

static void free_rows(struct watch *w)
{
	for (size_t i = 0; i < w->nrows; i++)
		free(w->rows[i].devices);
	free(w->rows);
	w->rows = NULL;
	w->nrows = 0;
}

/*
 * Hold DMA accounting on while watching.  A module built before the request
 * existed counts always.
 */
static void hold_accounting(struct watch *w)
{
	if (sysfs_root()[0]) {
		w->acct_why = "a recorded tree (--sysroot)";
		return;
	}
	switch (dma_accounting_hold(&w->nl)) {
	case DMA_HOLD_OK:
		w->nl_open = true;
		break;
	case DMA_HOLD_NO_MODULE:
		break;		/* the module line says so */
	case DMA_HOLD_NEEDS_ROOT:
		w->acct_why = "turning it on needs root";
		break;
	case DMA_HOLD_REFUSED:
		w->acct_why = "the module refused to turn it on";
		break;
	}
}

static void read_module_line(struct watch *w, bool first)
{
	static const char *const files[3] = { "faults_unattributed", "iommu_maps",
					      "iommu_bytes_mapped" };
	unsigned long long now[3];
	bool ok = true;

	for (int i = 0; i < 3; i++)
		if (!module_counter_read(files[i], &now[i]))
			ok = false;
	w->has_module_line = ok && !first && w->module_prev_valid;
	for (int i = 0; ok && i < 3; i++) {
		w->module_delta[i] = counter_gained(now[i], w->module_prev[i], w->module_prev_valid);
		w->module_prev[i] = now[i];
	}
	w->module_prev_valid = ok;
}

/*
 * Read every group again and make the frame's rows from the differences;
 * the first call only takes the baseline.  0, or an exit status.
 */
static int take_sample(struct watch *w, bool first)
{
	struct ic_group_list list;
	struct sample *next;
	size_t n = 0;
	int ret;

	ret = load_groups_or_explain(&list, "watch");
	if (ret >= 0)
		return ret;
	if (w->log_on)
		log_stats_update(&w->ls);
	if (first && w->only) {	/* later, a group that went is just not shown */
		for (char **a = w->only; *a; a++)
			if (!find_group_arg(&list, "watch", *a, NULL)) {
				groups_free(&list);
				return EXIT_FAILURE;
			}
	}
	free_rows(w);
	w->module = list.module;
	w->acct_prev_on = w->acct_on;
	/* A module without stats/dma_accounting counts always. */
	w->acct_on = list.module && (!list.acct.known || list.acct.enabled);
	w->rows = xcalloc(list.count ? list.count : 1, sizeof(*w->rows));
	next = xcalloc(list.count ? list.count : 1, sizeof(*next));
	for (size_t i = 0; i < list.count; i++) {
		const struct ic_group *grp = &list.groups[i];
		const struct ic_counters *c = &grp->mod.stats;
		const struct sample *p = prev_sample(w, grp->id);
		struct row *r;
		bool inferred;
		size_t len = 1;

		next[n] = (struct sample){ .id = grp->id, .has_faults = c->has_faults,
					   .has_dma = c->has_dma && w->acct_on, .faults = c->faults,
					   .maps = c->dma_maps, .mapped = c->dma_bytes_mapped,
					   .has_logged = w->log_on,
					   .logged = w->log_on ? log_group_faults(&w->ls, grp) : 0 };
		n++;
		if (!wanted(w, &list, grp))
			continue;
		r = &w->rows[w->nrows++];
		r->id = grp->id;
		snprintf(r->policy, sizeof(r->policy), "%s", group_policy_word(grp));
		snprintf(r->owner, sizeof(r->owner), "%s", group_owner(grp, &inferred));
		for (size_t k = 0; k < grp->ndevices; k++)
			len += strlen(grp->devices[k].name) + 1;
		r->devices = xcalloc(1, len);
		for (size_t k = 0; k < grp->ndevices; k++) {
			if (k)
				strcat(r->devices, ",");
			strcat(r->devices, grp->devices[k].name);
		}
		r->has_dma = c->has_dma && w->acct_on;
		r->maps = c->dma_maps;
		r->maps_delta = counter_gained(c->dma_maps, p ? p->maps : 0, p && p->has_dma);
		r->mapped_delta = counter_gained(c->dma_bytes_mapped, p ? p->mapped : 0, p && p->has_dma);
		r->has_logged = w->log_on;
		r->logged_delta = counter_gained(next[n - 1].logged, p ? p->logged : 0,
						 p && p->has_logged);
		/*
		 * +FAULTS is the interval's figure, by FAULTS' rule: the larger of
		 * what the module counted and what the kernel logged in it.
		 */
		r->has_faults = c->has_faults || r->has_logged;
		r->faults_delta = r->has_logged ? r->logged_delta : 0;
		if (c->has_faults) {
			unsigned long long gained = counter_gained(c->faults, p ? p->faults : 0,
								   p && p->has_faults);

			if (gained > r->faults_delta)
				r->faults_delta = gained;
		}
		fault_figure_group(&r->figure, grp, w->log_on ? &w->ls : NULL);
		/* Sorted by the figure, as shown. */
		r->faults = r->figure.count;
		if (first)
			r->faults_delta = r->maps_delta = r->mapped_delta = r->logged_delta = 0;
	}
	w->deltas = !first;
	if (list.module)
		read_module_line(w, first);
	else
		w->module_prev_valid = w->has_module_line = false;
	groups_free(&list);
	free(w->prev);
	w->prev = next;
	w->nprev = n;
	return 0;
}

/* --- sorting and output ------------------------------------------------------------------ */

static enum sort_key cmp_key;

static int row_cmp(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	unsigned long long vx = 0, vy = 0;

	switch (cmp_key) {
	case SORT_GROUP:
		break;
	case SORT_FAULTS:
		vx = x->faults, vy = y->faults;
		break;
	case SORT_DELTA:
		vx = x->faults_delta, vy = y->faults_delta;
		break;
	case SORT_LOGGED:
		vx = x->logged_delta, vy = y->logged_delta;
		break;
	case SORT_MAPS:
		vx = x->maps_delta, vy = y->maps_delta;
		break;
	case SORT_MAPPED:
		vx = x->mapped_delta, vy = y->mapped_delta;
		break;
	}
	if (vx != vy)
		return vx > vy ? -1 : 1;	/* busiest first */
	return x->id < y->id ? -1 : x->id > y->id;
}

static void sort_rows(struct watch *w)
{
	cmp_key = w->sort;
	if (w->nrows)
		qsort(w->rows, w->nrows, sizeof(*w->rows), row_cmp);
}

static const char *count_cell(char *buf, size_t size, bool valid, unsigned long long v)
{
	if (valid)
		snprintf(buf, size, "%llu", v);
	else
		snprintf(buf, size, "-");
	return buf;
}

/* A row's text in column @col (deltas empty before the first interval ends). */
static const char *cell(const struct watch *w, const struct row *r, int col, char *buf,
			size_t size)
{
	bool delta = col == COL_DFAULTS || col == COL_DLOGGED || col == COL_DMAPS ||
		     col == COL_DMAPPED;

	if (delta && !w->deltas)
		return "";
	switch (col) {
	case COL_GROUP:
		snprintf(buf, size, "%u", r->id);
		return buf;
	case COL_POLICY:
		return r->policy;
	case COL_OWNER:
		return r->owner;
	case COL_FAULTS:
		return fault_figure_text(&r->figure, buf, size);
	case COL_FSOURCE:
		return r->figure.known ? r->figure.source : "-";
	case COL_DFAULTS:
		return count_cell(buf, size, r->has_faults, r->faults_delta);
	case COL_DLOGGED:
		return count_cell(buf, size, r->has_logged, r->logged_delta);
	case COL_MAPS:
		return count_cell(buf, size, r->has_dma, r->maps);
	case COL_DMAPS:
		return count_cell(buf, size, r->has_dma, r->maps_delta);
	case COL_DMAPPED:
		if (!r->has_dma)
			return "-";
		format_bytes(buf, size, r->mapped_delta);
		return buf;
	default:
		return r->devices;
	}
}

/*
 * The frame's lines, each cut to @cols (0: no limit), at most @max_lines
 * (0: all): two lines of state, then the table (libsmartcols, laid out
 * for @cols).
 */
static void render(struct watch *w, FILE *out, int cols, int max_lines, const char *eol)
{
	char line[4096], db[24];
	struct libscols_table *tb;
	size_t shown = w->nrows;
	int lines = 0;
	char *text;

	sort_rows(w);
#define EMIT()	do {								\
		if (cols > 0 && (size_t)cols < strlen(line))			\
			line[cols] = '\0';					\
		fprintf(out, "%s%s\n", line, eol);				\
		lines++;							\
	} while (0)

	if (w->deltas)
		snprintf(line, sizeof(line), "iommuctl watch - %s, every %.3gs, ", w->when, w->delay);
	else
		snprintf(line, sizeof(line), "iommuctl watch - first update in %.3gs, ", w->delay);
	snprintf(line + strlen(line), sizeof(line) - strlen(line), "%zu group%s, sorted by %s%s",
		 w->nrows, w->nrows == 1 ? "" : "s", sort_keys[w->sort].name,
		 w->module ? "" : " (module not loaded: no counters)");
	EMIT();
	if (w->has_module_line && w->acct_on && w->acct_prev_on) {
		format_bytes(db, sizeof(db), w->module_delta[2]);
		snprintf(line, sizeof(line),
			 "module: +%llu unattributed faults, +%llu IOMMU maps (+%s) in %.3gs",
			 w->module_delta[0], w->module_delta[1], db, w->interval);
	} else if (w->has_module_line) {
		snprintf(line, sizeof(line), "module: +%llu unattributed faults in %.3gs",
			 w->module_delta[0], w->interval);
	} else {
		snprintf(line, sizeof(line), "%s", w->module ? "module: -" : "module: not loaded");
	}
	if (w->module && !w->acct_on)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "; DMA accounting off, maps not counted%s%s", w->acct_why ? ": " : "",
			 w->acct_why ? w->acct_why : "");
	if (w->use_log && !w->log_on)
		snprintf(line + strlen(line), sizeof(line) - strlen(line),
			 "; kernel log not read: %s", w->log_why);
	EMIT();

	/* As many rows as fit under the heading, one line kept to say how many did not. */
	if (max_lines > 0 && (size_t)(max_lines - lines - 1) < w->nrows)
		shown = max_lines - lines - 2 > 0 ? (size_t)(max_lines - lines - 2) : 0;
	tb = table_new(&w->set, false, false, NULL);
	for (size_t i = 0; i < shown; i++) {
		struct libscols_line *ln = table_line(tb, NULL);
		char buf[64];

		for (size_t c = 0; c < w->set.n; c++)
			table_cell(ln, c, cell(w, &w->rows[i], w->set.cols[c], buf, sizeof(buf)));
	}
	text = table_to_string(tb, cols > 0 ? (size_t)cols : 0);
	for (char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)n, p);
		EMIT();
		p += n + (p[n] == '\n');
	}
	free(text);
	if (shown < w->nrows) {
		snprintf(line, sizeof(line), "  ... %zu more (make the window taller)",
			 w->nrows - shown);
		EMIT();
	}
#undef EMIT
}

static void json_count(struct json *j, const char *key, bool valid, unsigned long long v)
{
	if (valid)
		json_uint(j, key, v);
	else
		json_null(j, key);
}

static void render_json(struct watch *w)
{
	struct json j;
	char buf[32];

	sort_rows(w);
	json_init_compact(&j, stdout);
	json_open_object(&j, NULL);
	json_string(&j, "time", w->when);
	snprintf(buf, sizeof(buf), "%.3f", w->interval);
	fprintf(stdout, ", \"interval\": %s", buf);
	json_bool(&j, "module", w->module);
	json_bool(&j, "log", w->log_on);
	json_count(&j, "module_unattributed_faults_delta", w->has_module_line, w->module_delta[0]);
	json_bool(&j, "dma_accounting", w->acct_on);
	json_count(&j, "module_iommu_maps_delta", w->has_module_line && w->acct_on && w->acct_prev_on,
		   w->module_delta[1]);
	json_count(&j, "module_iommu_bytes_mapped_delta",
		   w->has_module_line && w->acct_on && w->acct_prev_on, w->module_delta[2]);
	json_open_array(&j, "groups");
	for (size_t i = 0; i < w->nrows; i++) {
		const struct row *r = &w->rows[i];

		json_open_object(&j, NULL);
		json_uint(&j, "id", r->id);
		json_string(&j, "policy", r->policy);
		json_string(&j, "owner", r->owner);
		fault_figure_json(&j, &r->figure);
		json_count(&j, "faults_delta", r->has_faults, r->faults_delta);
		json_count(&j, "logged_faults_delta", r->has_logged, r->logged_delta);
		json_count(&j, "dma_maps", r->has_dma, r->maps);
		json_count(&j, "dma_maps_delta", r->has_dma, r->maps_delta);
		json_count(&j, "dma_bytes_mapped_delta", r->has_dma, r->mapped_delta);
		json_open_array(&j, "devices");
		for (const char *d = r->devices; *d;) {
			size_t len = strcspn(d, ",");
			char name[KMSG_NAME_MAX];

			snprintf(name, sizeof(name), "%.*s", (int)len, d);
			json_string(&j, NULL, name);
			d += len + (d[len] == ',');
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_finish(&j);
}

/* --- the terminal --------------------------------------------------------------------------- */

static void screen_enter(struct watch *w)
{
	struct termios raw;

	if (w->keys && tcgetattr(STDIN_FILENO, &w->saved) == 0) {
		raw = w->saved;
		/* Keys one at a time, not echoed; ^C and ^Z still signal. */
		raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		raw.c_cc[VMIN] = 0;
		raw.c_cc[VTIME] = 0;
		tcsetattr(STDIN_FILENO, TCSANOW, &raw);
	} else {
		w->keys = false;
	}
	/* Alternate screen, cursor hidden. */
	fputs("\033[?1049h\033[?25l", stdout);
	fflush(stdout);
	w->screen_on = true;
}

static void screen_leave(struct watch *w)
{
	if (!w->screen_on)
		return;
	fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (w->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &w->saved);
	w->screen_on = false;
}

static void draw(struct watch *w)
{
	struct winsize ws = { 0 };
	int cols = 80, rows = 24;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		cols = ws.ws_col;
		rows = ws.ws_row;
	}
	/* Home, each line cleared to its end, then the rest of the screen. */
	fputs("\033[H", stdout);
	render(w, stdout, cols, rows - 1, "\033[K");
	fputs("\033[J", stdout);
	fflush(stdout);
}

static void show(struct watch *w)
{
	if (w->json) {
		render_json(w);
	} else if (w->batch) {
		render(w, stdout, 0, 0, "");
		putchar('\n');
	} else {
		draw(w);
	}
	fflush(stdout);
}

/* A key from the keyboard: true to quit. */
static bool on_key(struct watch *w)
{
	char c;

	while (read(STDIN_FILENO, &c, 1) == 1) {
		if (c == 'q' || c == 'Q')
			return true;
		for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++) {
			if (c == sort_keys[i].key) {
				w->sort = (enum sort_key)i;
				draw(w);
			}
		}
	}
	return false;
}

/* ^Z: give the terminal back, stop, and take it again when continued. */
static void suspend(struct watch *w)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, sa = { .sa_handler = on_signal };
	sigset_t tstp;

	screen_leave(w);
	sigaction(SIGTSTP, &dfl, NULL);
	sigemptyset(&tstp);
	sigaddset(&tstp, SIGTSTP);
	raise(SIGTSTP);
	sigprocmask(SIG_UNBLOCK, &tstp, NULL);	/* stops here until SIGCONT */
	sigprocmask(SIG_BLOCK, &tstp, NULL);
	sigaction(SIGTSTP, &sa, NULL);
	screen_enter(w);
	draw(w);
}

/* --- the command ----------------------------------------------------------------------------- */

static int parse_sort(const char *s, enum sort_key *key)
{
	if (!strcmp(s, "+faults")) {
		*key = SORT_DELTA;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(sort_keys); i++) {
		if (!strcmp(s, sort_keys[i].name)) {
			*key = (enum sort_key)i;
			return 0;
		}
	}
	return -1;
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void stamp(struct watch *w)
{
	format_time_iso(w->when, sizeof(w->when), time(NULL), 0, 0);
}

static int watch_loop(struct watch *w)
{
	sigset_t block, waitmask;
	struct sigaction sa = { .sa_handler = on_signal };
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP };
	double last, deadline;
	unsigned long long shown = 0;
	int ret;

	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		if (sigs[i] == SIGTSTP && !w->screen_on)
			continue;	/* without a screen to restore, ^Z stops as usual */
		sigaction(sigs[i], &sa, NULL);
		sigaddset(&block, sigs[i]);
	}
	sigprocmask(SIG_BLOCK, &block, &waitmask);

	last = now_seconds();
	deadline = last + w->delay;
	if (w->screen_on)
		draw(w);
	while (!got_stop) {
		struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
		double left = deadline - now_seconds();
		struct timespec ts;
		int n;

		if (left > 0) {
			ts.tv_sec = (time_t)left;
			ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
			n = ppoll(&pfd, w->keys ? 1 : 0, &ts, &waitmask);
			if (n > 0 && on_key(w))
				break;
			if (got_winch) {
				got_winch = 0;
				if (w->screen_on)
					draw(w);
			}
			if (got_tstp) {
				got_tstp = 0;
				suspend(w);
			}
			continue;
		}
		ret = take_sample(w, false);
		if (ret)
			return ret;
		w->interval = now_seconds() - last;
		last += w->interval;
		/* The next update a delay after this one was due, never in a burst. */
		deadline += w->delay;
		if (deadline < last)
			deadline = last + w->delay;
		stamp(w);
		show(w);
		if (w->iter && ++shown >= w->iter) {
			w->ended_by_iter = true;
			break;
		}
	}
	return 0;
}

int cmd_watch(int argc, char **argv)
{
	enum { OPT_NO_LOG = 256 };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "delay", required_argument, NULL, 'd' },
		{ "iter", required_argument, NULL, 'n' },
		{ "batch", no_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'J' },
		{ "sort", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct watch w = { .delay = 3, .sort = SORT_DELTA, .use_log = true, .ls = { .fd = -1 } };
	int opt, ret;

	columns_init(&w.set, columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
	while ((opt = getopt_long(argc, argv, "d:n:bJs:o:h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'd':
			if (!parse_seconds(optarg, 0.1, 86400, &w.delay)) {
				warnx_("watch: --delay '%s': give seconds from 0.1 to 86400", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'n':
			if (!parse_positive(optarg, &w.iter)) {
				warnx_("watch: --iter '%s' is not a positive number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'b':
			w.batch = true;
			break;
		case 'J':
			w.json = true;
			break;
		case 's':
			if (parse_sort(optarg, &w.sort)) {
				warnx_("watch: --sort '%s': use group, faults, delta, logged, maps or mapped",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			if (!columns_parse(&w.set, "watch", optarg))
				return EXIT_USAGE;
			break;
		case OPT_NO_LOG:
			w.use_log = false;
			break;
		case 'h':
			cmd_watch_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help watch'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		w.only = argv + optind;
	w.tty = isatty(STDOUT_FILENO);
	if (!w.tty)
		w.batch = true;
	if (w.json && !w.batch) {
		warnx_("watch: --json prints one object per update: add --batch");
		return EXIT_USAGE;
	}
	if (w.use_log && sysfs_root()[0]) {
		w.log_why = "a recorded tree (--sysroot) has no kernel log";
	} else if (w.use_log) {
		/* What the ring holds now, for FAULTS; +LOGGED counts from here. */
		log_stats_follow(&w.ls);
		w.log_on = w.ls.source != NULL;
		if (!w.log_on)
			w.log_why = w.ls.why;
	} else {
		w.log_why = "--no-log";
	}
	hold_accounting(&w);
	/* The baseline, before the screen is taken: errors stay visible. */
	ret = take_sample(&w, true);
	if (!ret && !w.batch) {
		w.keys = isatty(STDIN_FILENO);
		screen_enter(&w);
	}
	if (!ret)
		ret = watch_loop(&w);
	if (w.screen_on) {
		screen_leave(&w);
		if (w.ended_by_iter)
			render(&w, stdout, 0, 0, "");
	}
	free_rows(&w);
	free(w.prev);
	log_stats_free(&w.ls);
	if (w.nl_open)
		nlc_close(&w.nl);	/* lets go of the hold */
	names_close();
	return ret;
}
