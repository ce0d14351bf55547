// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl history: what the recorder kept (recdb.c), filtered by time,
 * device or group and kind, as a table or JSON; --summary counts each
 * device's faults in the window by source.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "recdb.h"
#include "sysfs.h"
#include "table.h"
#include "util.h"

struct history {
	bool json;
	struct json j;
	struct libscols_table *tb;
	unsigned long long rows;
};

void cmd_history_usage(void)
{
	printf("Usage: %s history [OPTIONS]\n"
	       "\n"
	       "Show what iommuctl-recorder.service recorded: faults (the module's and the\n"
	       "kernel log's), group changes, device events, devices whose group changed\n"
	       "since the last boot, and what could not be seen, oldest first.\n"
	       "\n"
	       "Options:\n"
	       "  -S, --since TIME       from TIME on (\"2026-12-01 10:00\", \"yesterday\", \"-2h\",\n"
	       "                         \"3 days ago\"; see iommuctl(8))\n"
	       "  -U, --until TIME       before TIME\n"
	       "      --device DEVICE    only this device's\n"
	       "  -g, --group GROUP      only this group's\n"
	       "  -t, --type TYPES       fault, change, topology, lost (comma-separated)\n"
	       "      --summary          each device's faults in the window, by source\n"
	       "  -J, --json             JSON\n"
	       "  -d, --database PATH    the record (default %s, under --sysroot's\n"
	       "                         directory when one is given)\n"
	       "  -h, --help             show this help\n", program_name, RECDB_PATH);
}

static const char *type_name(enum recdb_type t)
{
	switch (t) {
	case RECDB_FAULT:
		return "fault";
	case RECDB_CHANGE:
		return "change";
	case RECDB_TOPOLOGY:
		return "topology";
	case RECDB_LOST:
		return "lost";
	case RECDB_ALL:
		break;
	}
	return "?";
}

static bool parse_types(const char *arg, unsigned int *types)
{
	char *copy = xstrdup(arg), *save = NULL;
	bool ok = true;

	*types = 0;
	for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		unsigned int t = 0;

		for (unsigned int bit = RECDB_FAULT; bit <= RECDB_LOST; bit <<= 1)
			if (!strcmp(w, type_name((enum recdb_type)bit)))
				t = bit;
		if (!t) {
			warnx_("history: --type '%s': no such type (fault, change, topology, lost)", w);
			ok = false;
		}
		*types |= t;
	}
	free(copy);
	return ok && *types;
}

/* A group or pid: null when not known (-1). */
static void json_count_or_null(struct json *j, const char *key, long long v)
{
	if (v >= 0)
		json_uint(j, key, (unsigned long long)v);
	else
		json_null(j, key);
}

static char *iso(char *buf, size_t size, long long ns)
{
	return format_time_iso(buf, size, (time_t)(ns / 1000000000LL), (long)(ns % 1000000000LL), 6);
}

/* What the row says, in words: the EVENT column. */
static char *describe(const struct recdb_row *r)
{
	char addr[32] = "";

	if (r->has_address)
		snprintf(addr, sizeof(addr), " 0x%llx", r->address);
	switch (r->type) {
	case RECDB_FAULT:
		return xasprintf("%s%s%s%s%s", r->access ? r->access : "fault", addr,
				 r->kind ? " (" : "", r->kind ? r->kind : "", r->kind ? ")" : "");
	case RECDB_LOST:
		return xasprintf("%llu %s", r->count, r->kind);
	case RECDB_TOPOLOGY:
		return xstrdup(r->detail ? r->detail : "topology");
	case RECDB_CHANGE:
	case RECDB_ALL:
		break;
	}
	if (r->detail)		/* "refused: the group is claimed ..." */
		return xasprintf("%s: %s", r->kind, r->detail);
	if (r->after)
		return xasprintf("%s: %s%s%s", r->kind, r->before ? r->before : "",
				 r->before ? " -> " : "", r->after);
	return xstrdup(r->kind);
}

static void on_row(const struct recdb_row *r, void *arg)
{
	struct history *h = arg;
	char when[64], group[24];

	iso(when, sizeof(when), r->time_ns);
	h->rows++;
	if (h->json) {
		json_open_object(&h->j, NULL);
		json_string(&h->j, "time", when);
		json_uint(&h->j, "time_epoch_ns", (unsigned long long)r->time_ns);
		json_string(&h->j, "type", type_name(r->type));
		json_string(&h->j, "source", r->source);
		json_string(&h->j, "kind", r->kind);
		json_string(&h->j, "device", r->device);
		json_count_or_null(&h->j, "group", r->group);
		if (r->type == RECDB_FAULT) {
			char addr[32];

			snprintf(addr, sizeof(addr), "0x%llx", r->address);
			json_string(&h->j, "driver", r->driver);
			json_string(&h->j, "iommu", r->iommu);
			json_string(&h->j, "access", r->access);
			json_string(&h->j, "address", r->has_address ? addr : NULL);
			json_string(&h->j, "reason", r->reason);
		} else if (r->type == RECDB_LOST) {
			json_uint(&h->j, "count", r->count);
		} else {
			json_string(&h->j, "before", r->before);
			json_string(&h->j, "after", r->after);
			json_count_or_null(&h->j, "pid", r->pid);
			json_string(&h->j, "comm", r->comm);
			json_string(&h->j, "detail", r->detail);
		}
		json_string(&h->j, "boot_id", r->boot_id);
		json_close_object(&h->j);
		return;
	}
	{
		struct libscols_line *ln = table_line(h->tb, NULL);
		char *what = describe(r), who[64] = "";

		if (r->type != RECDB_FAULT && r->comm && r->pid >= 0)
			snprintf(who, sizeof(who), "by %s (pid %lld)", r->comm, r->pid);
		else if (r->type != RECDB_FAULT && r->comm)
			snprintf(who, sizeof(who), "by %s", r->comm);
		snprintf(group, sizeof(group), "%lld", r->group);
		table_cell(ln, 0, when);
		table_cell(ln, 1, type_name(r->type));
		table_cell(ln, 2, r->source ? r->source : "-");
		table_cell(ln, 3, r->device ? r->device : "-");
		table_cell(ln, 4, r->group >= 0 ? group : "-");
		table_cell(ln, 5, what);
		table_cell(ln, 6, r->type == RECDB_FAULT ? r->reason : who);
		free(what);
	}
}

static void on_summary(const struct recdb_summary *s, void *arg)
{
	struct history *h = arg;
	char first[64], last[64], group[24], n[24];

	iso(first, sizeof(first), s->first_ns);
	iso(last, sizeof(last), s->last_ns);
	h->rows++;
	if (h->json) {
		json_open_object(&h->j, NULL);
		json_string(&h->j, "device", s->device);
		json_count_or_null(&h->j, "group", s->group);
		json_string(&h->j, "source", s->source);
		json_uint(&h->j, "faults", s->faults);
		json_string(&h->j, "first", first);
		json_string(&h->j, "last", last);
		json_close_object(&h->j);
		return;
	}
	{
		struct libscols_line *ln = table_line(h->tb, NULL);

		snprintf(group, sizeof(group), "%lld", s->group);
		snprintf(n, sizeof(n), "%llu", s->faults);
		table_cell(ln, 0, s->device ? s->device : "(unattributed)");
		table_cell(ln, 1, s->group >= 0 ? group : "-");
		table_cell(ln, 2, s->source);
		table_cell(ln, 3, n);
		table_cell(ln, 4, first);
		table_cell(ln, 5, last);
	}
}

static const struct column event_columns[] = {
	{ "TIME", 0, 0, false, "when (local time)" },
	{ "TYPE", 0, 0, false, "fault, change, topology or lost" },
	{ "SOURCE", 0, 0, false, "module, kernel-log, udev or recorder" },
	{ "DEVICE", 0, 0, false, "the device" },
	{ "GROUP", 0, SCOLS_FL_RIGHT, false, "its IOMMU group" },
	{ "EVENT", 0, 0, false, "what happened" },
	{ "DETAIL", 0, SCOLS_FL_WRAP, false, "a fault's reason, or who made a change" },
};

static const struct column summary_columns[] = {
	{ "DEVICE", 0, 0, false, "the device" },
	{ "GROUP", 0, SCOLS_FL_RIGHT, false, "its IOMMU group at its last fault" },
	{ "SOURCE", 0, 0, false, "module (exact) or kernel-log" },
	{ "FAULTS", 0, SCOLS_FL_RIGHT, false, "faults in the window" },
	{ "FIRST", 0, 0, false, "the first" },
	{ "LAST", 0, 0, false, "the last" },
};

int cmd_history(int argc, char **argv)
{
	enum { OPT_DEVICE = 256, OPT_SUMMARY };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "group", required_argument, NULL, 'g' },
		{ "type", required_argument, NULL, 't' },
		{ "summary", no_argument, NULL, OPT_SUMMARY },
		{ "json", no_argument, NULL, 'J' },
		{ "database", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct recdb_filter f = {
		.since_ns = LLONG_MIN, .until_ns = LLONG_MAX, .group = -1, .types = RECDB_ALL,
	};
	struct history h = { 0 };
	const char *path = NULL;
	char *default_path = NULL;
	bool summary = false;
	long long now_ns = clock_ns(CLOCK_REALTIME);
	struct recdb *db;
	char err[512], full_device[64];
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "S:U:g:t:Jd:h", longopts, NULL)) != -1) {
		unsigned int id;

		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'S':
		case 'U':
			if (!parse_when(optarg, now_ns, opt == 'S' ? &f.since_ns : &f.until_ns)) {
				warnx_("history: --%s '%s' is not a time (\"2026-12-01 10:00\", \"yesterday\", "
				       "\"-2h\", \"3 days ago\", \"@EPOCH\")",
				       opt == 'S' ? "since" : "until", optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_DEVICE:
			f.device = optarg;
			break;
		case 'g':
			if (parse_group_id(optarg, &id)) {
				warnx_("history: --group '%s' is not a group number", optarg);
				return EXIT_USAGE;
			}
			f.group = id;
			break;
		case 't':
			if (!parse_types(optarg, &f.types))
				return EXIT_USAGE;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case 'J':
			h.json = true;
			break;
		case 'd':
			path = optarg;
			break;
		case 'h':
			cmd_history_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help history'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("history: unexpected argument '%s' (see '%s help history')", argv[optind],
		       program_name);
		return EXIT_USAGE;
	}
	/* A device as the record names it: 0000:00:01.0, also given as 00:01.0. */
	if (f.device)
		f.device = device_full_name(f.device, full_device, sizeof(full_device));
	/* With --sysroot, the record of that tree (a copy of another machine's /var/lib). */
	if (!path)
		path = default_path = sysfs_path("%s", RECDB_PATH);
	if (recdb_open(path, false, &db, err, sizeof(err))) {
		warnx_("history: %s", err);
		free(default_path);
		return EXIT_FAILURE;
	}
	if (h.json) {
		json_init(&h.j, stdout);
		json_open_object(&h.j, NULL);
		json_open_array(&h.j, summary ? "devices" : "events");
	} else {
		struct column_set set;
		const struct column *cols = summary ? summary_columns : event_columns;
		size_t ncols = summary ? ARRAY_SIZE(summary_columns) : ARRAY_SIZE(event_columns);
		int all[ARRAY_SIZE(event_columns)];

		for (size_t i = 0; i < ncols; i++)
			all[i] = (int)i;
		columns_init(&set, cols, ncols, all, ncols);
		h.tb = table_new(&set, false, false, NULL);
	}
	ret = summary ? recdb_summarize(db, &f, on_summary, &h) : recdb_query(db, &f, on_row, &h);
	if (ret)
		warnx_("history: %s: cannot read the record: %s", path, recdb_error(db));
	if (h.json) {
		json_close_array(&h.j);
		json_close_object(&h.j);
		json_finish(&h.j);
	} else if (h.rows) {
		table_print(h.tb, stdout);
	} else {
		scols_unref_table(h.tb);
		if (!ret)
			printf("No %s in the record%s.\n", summary ? "faults" : "events",
			       f.since_ns != LLONG_MIN || f.until_ns != LLONG_MAX || f.device ||
			       f.group >= 0 || f.types != RECDB_ALL ? " that match" : "");
	}
	recdb_close(db);
	free(default_path);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
