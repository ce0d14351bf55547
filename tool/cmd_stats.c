// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl stats [GROUP|DEVICE]: fault and DMA counters per group, from two
 * sources kept apart:
 *  - the iommu_policy module's exact counters (/sys/kernel/iommu_policy),
 *    for faults reported through report_iommu_fault();
 *  - faults decoded from the kernel log (tool/kmsg.c) for IOMMU drivers that
 *    only log them (Intel DMAR, ARM SMMUv3, virtio-iommu; AMD-Vi logs what
 *    it also reports, so for AMD the two overlap).  A lower bound: the
 *    kernel rate-limits these messages and the log buffer wraps.
 * As a table, JSON, or node_exporter's textfile format (Prometheus).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devstats.h"
#include "config.h"
#include "faults.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "kmsg.h"
#include "streamid.h"
#include "names.h"
#include "out.h"
#include "print.h"
#include "sysfs.h"
#include "table.h"
#include "util.h"

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_PROMETHEUS };



/* --- --dma: a window of DMA accounting ------------------------------------------------- */

static bool selected(const struct ic_group *grp, const struct ic_group *only)
{
	return !only || only == grp;
}

/* What the groups counted while stats --dma held DMA accounting on. */
struct dma_window {
	double seconds;			/* 0: no --dma */
	struct ic_group_list before;	/* the groups when the window opened */
	unsigned long long iommu_maps, iommu_unmaps;	/* module-wide, gained */
	bool iommu_known;
};

/* A group's DMA counters over the window; false if it has none. */
static bool window_counters(struct dma_window *win, const struct ic_group *grp,
			    struct ic_counters *d)
{
	const struct ic_group *before = groups_find(&win->before, grp->id);
	const struct ic_counters *a = &grp->mod.stats, *b = before ? &before->mod.stats : NULL;
	bool had = b && b->has_dma;

	if (!a->has_dma)
		return false;
	*d = *a;
	for (size_t i = 0; i < ncounter_descs; i++) {
		const struct counter_desc *c = &counter_descs[i];

		if (c->dma)
			*(unsigned long long *)((char *)d + c->offset) =
				counter_gained(counter_get(a, c), had ? counter_get(b, c) : 0, had);
	}
	return true;
}

static void sleep_seconds(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - (double)(time_t)seconds) * 1e9) };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * Hold DMA accounting on, take the groups' counters, wait, and leave the
 * hold open until the caller has read them again.  An exit status when it
 * cannot, -1 when the window is open.
 */
static int dma_window_open(struct dma_window *win, struct nlc *nl)
{
	unsigned long long maps = 0, unmaps = 0;
	bool ok;
	int ret;

	switch (dma_accounting_hold(nl)) {
	case DMA_HOLD_OK:
		break;
	case DMA_HOLD_NO_MODULE:
		warnx_("stats: --dma: the iommu_policy module is not loaded, and only it counts DMA; 'modprobe iommu_policy' loads it");
		return EXIT_NEEDS_MODULE;
	case DMA_HOLD_NEEDS_ROOT:
		warnx_("stats: --dma: turning DMA accounting on needs root (CAP_SYS_ADMIN); run it as root, or have root pin it on (dma_accounting = yes in iommuctl.conf)");
		return EXIT_NOT_PERMITTED;
	case DMA_HOLD_REFUSED:
		warnx_("stats: --dma: the iommu_policy module refused to turn DMA accounting on; its reason is in the kernel log (dmesg)");
		return EXIT_FAILURE;
	}
	ret = load_groups_or_explain(&win->before, "stats");
	if (ret >= 0) {
		nlc_close(nl);
		return ret;
	}
	ok = module_counter_read("iommu_maps", &maps) && module_counter_read("iommu_unmaps", &unmaps);
	sleep_seconds(win->seconds);
	ok = ok && module_counter_read("iommu_maps", &win->iommu_maps) &&
	     module_counter_read("iommu_unmaps", &win->iommu_unmaps);
	win->iommu_maps = counter_gained(win->iommu_maps, maps, true);
	win->iommu_unmaps = counter_gained(win->iommu_unmaps, unmaps, true);
	win->iommu_known = ok;
	return -1;
}


/* What the --dma table's numbers are. */
static void dma_table_notes(FILE *out, const struct ic_group_list *list, const struct ic_group *only,
			    struct dma_window *win)
{
	struct ic_counters d;
	bool any = false;

	for (size_t i = 0; i < list->count; i++)
		if (selected(&list->groups[i], only))
			any |= window_counters(win, &list->groups[i], &d);
	fprintf(out, "(DMA-API maps counted over %g s while this command held DMA accounting on)\n",
		win->seconds);
	if (!any)
		fprintf(out, "(no per-group DMA counters: this kernel has no DMA-API tracepoints (Linux 6.12 and later have them))\n");
	if (win->iommu_known)
		fprintf(out, "(module-wide, every IOMMU domain: %llu IOMMU maps, %llu unmaps)\n",
			win->iommu_maps, win->iommu_unmaps);
}

static void json_dma_window(struct json *j, struct dma_window *win,
			    const struct ic_group *grp)
{
	struct ic_counters d;

	if (!win->seconds)
		return;
	if (!window_counters(win, grp, &d)) {
		json_null(j, "dma_window");
		return;
	}
	json_open_object(j, "dma_window");
	json_uint(j, "dma_maps", d.dma_maps);
	json_uint(j, "dma_unmaps", d.dma_unmaps);
	json_uint(j, "dma_bytes_mapped", d.dma_bytes_mapped);
	json_uint(j, "dma_bytes_unmapped", d.dma_bytes_unmapped);
	json_close_object(j);
}

/* --- output --------------------------------------------------------------------------- */

enum {
	COL_GROUP, COL_POLICY, COL_FAULTS, COL_FSOURCE, COL_MODULE, COL_READ, COL_WRITE,
	COL_LOGGED, COL_LAST, COL_MAPS, COL_UNMAPS, COL_BMAPPED, COL_BUNMAPPED, NCOLS,
};

static const struct column columns[NCOLS] = {
	[COL_GROUP] = { "GROUP", 5, SCOLS_FL_RIGHT, false, "IOMMU group number" },
	[COL_POLICY] = { "POLICY", 8, 0, false, "identity, strict, lazy (or the kernel's type)" },
	[COL_FAULTS] = { "FAULTS", 8, SCOLS_FL_RIGHT, false,
			 "faults: the larger of MODULE and LOGGED (>=N: at least N)" },
	[COL_FSOURCE] = { "FSOURCE", 6, 0, false, "where FAULTS comes from: module or kernel-log" },
	[COL_MODULE] = { "MODULE", 8, SCOLS_FL_RIGHT, false,
			 "faults the module counted (reported through report_iommu_fault())" },
	[COL_READ] = { "READ", 8, SCOLS_FL_RIGHT, false, "of MODULE, reads" },
	[COL_WRITE] = { "WRITE", 8, SCOLS_FL_RIGHT, false, "of MODULE, writes" },
	[COL_LOGGED] = { "LOGGED", 8, SCOLS_FL_RIGHT, false,
			 "faults decoded from the kernel log (a lower bound)" },
	[COL_LAST] = { "LAST-FAULT", 30, 0, false, "the last fault: device, address, time" },
	[COL_MAPS] = { "MAPS", 10, SCOLS_FL_RIGHT, false,
		       "DMA-API maps (with --dma: in the window)" },
	[COL_UNMAPS] = { "UNMAPS", 10, SCOLS_FL_RIGHT, false, "DMA-API unmaps" },
	[COL_BMAPPED] = { "BYTES-MAPPED", 12, SCOLS_FL_RIGHT, false, "bytes mapped (-b: in bytes)" },
	[COL_BUNMAPPED] = { "BYTES-UNMAPPED", 12, SCOLS_FL_RIGHT, false, "bytes unmapped" },
};

static const int default_columns[] = {
	COL_GROUP, COL_POLICY, COL_FAULTS, COL_FSOURCE, COL_MODULE, COL_READ, COL_WRITE,
	COL_LOGGED, COL_LAST,
};

static const int dma_columns[] = {
	COL_GROUP, COL_POLICY, COL_MAPS, COL_UNMAPS, COL_BMAPPED, COL_BUNMAPPED,
};

void cmd_stats_usage(void)
{
	printf("Usage: %s stats [OPTIONS] [GROUP|DEVICE]\n"
	       "\n"
	       "IOMMU fault and DMA counters per group: the iommu_policy module's exact\n"
	       "counts, and faults decoded from the kernel log (Intel DMAR, AMD-Vi, ARM\n"
	       "SMMUv3, virtio-iommu), a lower bound since the kernel rate-limits them.\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output LIST       the table's columns (\"+LIST\" adds to the default)\n"
	       "  -r, --raw               raw table: single spaces, no notes below it\n"
	       "  -n, --noheadings        no header line, no notes below the table\n"
	       "  -b, --bytes             byte counts in bytes, not KiB, MiB, ...\n"
	       "  -J, --json              JSON output (see iommuctl(8))\n"
	       "      --format FORMAT     table (default), json, or prometheus\n"
	       "                          (node_exporter's textfile format)\n"
	       "      --output-file FILE  write to FILE atomically instead of stdout\n"
	       "      --log FILE          decode this log (dmesg or /dev/kmsg records;\n"
	       "                          - for stdin) instead of /dev/kmsg\n"
	       "      --no-log            leave the kernel log out\n"
	       "      --no-record         count the kernel log's ring buffer even when\n"
	       "                          iommuctl-recorder has recorded this boot\n"
	       "      --dma[=SECONDS]     hold DMA accounting on for SECONDS (default 1)\n"
	       "                          and show what each group mapped meanwhile\n"
	       "      --sysroot DIR       read sysfs under DIR instead of /\n"
	       "  -h, --help              show this help\n", program_name);
	columns_usage(columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
	printf("With --dma: ");
	for (size_t i = 0; i < ARRAY_SIZE(dma_columns); i++)
		printf("%s%s", i ? "," : "", columns[dma_columns[i]].name);
	printf("\n");
}

struct table_opts {
	struct column_set set;
	bool raw, noheadings, bytes, set_given;
};

/*
 * A cell of a group's row; @f its fault figure, @dma the window's counters
 * (or the totals), NULL: none.
 */
static const char *stats_cell(int col, const struct ic_group *grp, const struct log_stats *ls,
			      const struct fault_figure *f, const struct ic_counters *dma,
			      const struct table_opts *o, char *buf, size_t size)
{
	const struct ic_counters *c = &grp->mod.stats;
	unsigned long long v;

	switch (col) {
	case COL_GROUP:
		snprintf(buf, size, "%u", grp->id);
		return buf;
	case COL_POLICY:
		return group_policy_word(grp);
	case COL_FAULTS:
		return fault_figure_text(f, buf, size);
	case COL_FSOURCE:
		return f->source ? f->source : "-";
	case COL_MODULE:
	case COL_READ:
	case COL_WRITE:
		if (!c->has_faults)
			return "-";
		snprintf(buf, size, "%llu", col == COL_MODULE ? c->faults :
			 col == COL_READ ? c->faults_read : c->faults_write);
		return buf;
	case COL_LOGGED:
		if (!ls->source)
			return "-";
		snprintf(buf, size, ">=%llu", log_group_faults(ls, grp));
		return buf;
	case COL_LAST:
		if (!f->last_device[0])
			return "-";
		snprintf(buf, size, "%s%s%s%s%s", f->last_device, f->last_address[0] ? " " : "",
			 f->last_address, f->last_time[0] ? " " : "", f->last_time);
		return buf;
	}
	if (!dma)
		return "-";
	v = col == COL_MAPS ? dma->dma_maps : col == COL_UNMAPS ? dma->dma_unmaps :
	    col == COL_BMAPPED ? dma->dma_bytes_mapped : dma->dma_bytes_unmapped;
	if ((col == COL_BMAPPED || col == COL_BUNMAPPED) && !o->bytes)
		return format_bytes(buf, size, v);
	snprintf(buf, size, "%llu", v);
	return buf;
}

static void print_table(FILE *out, struct ic_group_list *list, const struct ic_group *only,
			const struct log_stats *ls, struct dma_window *win,
			const struct table_opts *o)
{
	struct libscols_table *tb = table_new(&o->set, o->raw, o->noheadings, NULL);
	const char *since;
	char buf[256];

	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];
		struct libscols_line *ln;
		struct ic_counters d;
		const struct ic_counters *dma = NULL;
		struct fault_figure f;

		if (!selected(grp, only))
			continue;
		if (win->seconds)
			dma = window_counters(win, grp, &d) ? &d : NULL;
		else if (grp->mod.stats.has_dma)
			dma = &grp->mod.stats;
		fault_figure_group(&f, grp, ls);
		ln = table_line(tb, NULL);
		for (size_t c = 0; c < o->set.n; c++)
			table_cell(ln, c, stats_cell(o->set.cols[c], grp, ls, &f, dma, o, buf,
						     sizeof(buf)));
	}
	table_print(tb, out);
	if (o->raw || o->noheadings)
		return;	/* for scripts: the rows only */
	if (win->seconds) {
		dma_table_notes(out, list, only, win);
		return;
	}
	since = dma_acct_since_iso(&list->acct, buf, sizeof(buf));
	if (!list->module)
		fprintf(out, "(MODULE: the iommu_policy module is not loaded; 'modprobe iommu_policy' counts the faults drivers report)\n");
	else if (list->acct.known && list->acct.enabled)
		fprintf(out, "(DMA counters: counting since %s; DMA accounting %s)\n",
			since ? since : list->acct.since, list->acct.state);
	else if (list->acct.known)
		fprintf(out, "(DMA counters: not counting, DMA accounting is off (last on: %s); 'iommuctl watch' as root, or dma_accounting = yes in iommuctl.conf, turns it on)\n",
			since ? since : "never");
	if (ls->recorded)
		fprintf(out, "(LOGGED: faults in the kernel log since boot, recorded in %s%s: a lower bound; %llu messages suppressed, %llu in no group, %llu events the recorder could not see)\n",
			ls->source, ls->recorder == 0 ? " (the recorder is not running: 'systemctl start iommuctl-recorder')" : "",
			ls->suppressed, log_unattributed(ls, list), log_lost_total(ls));
	else if (ls->source)
		fprintf(out, "(LOGGED: faults in the kernel log, %s: a lower bound; %llu messages suppressed, %llu in no group)\n",
			ls->source, ls->suppressed, log_unattributed(ls, list));
	else if (ls->why)
		fprintf(out, "(LOGGED: not read: %s)\n", ls->why);
}

static void print_json(FILE *out, struct ic_group_list *list, const struct ic_group *only,
		       const struct log_stats *ls, const struct ic_device_stats_list *ds,
		       struct dma_window *win)
{
	struct fault_figure f;
	struct ic_counters c;
	struct json j;
	struct out o;
	char buf[48];

	json_init(&j, out);
	out_init_json(&o, &j);
	json_open_object(&j, NULL);
	json_bool(&j, "module", list->module);
	json_open_object(&j, "log");
	json_string(&j, "source", ls->source);
	json_string(&j, "error", ls->why);
	json_bool(&j, "recorded", ls->recorded);
	if (ls->recorder >= 0)
		json_bool(&j, "recorder_running", ls->recorder == 1);
	else
		json_null(&j, "recorder_running");
	if (ls->recorded) {
		json_open_object(&j, "lost");
		for (size_t i = 0; i < ls->nlost; i++)
			json_uint(&j, ls->lost[i].what, ls->lost[i].count);
		json_close_object(&j);
	}
	if (ls->source) {
		json_uint(&j, "suppressed", ls->suppressed);
		json_uint(&j, "unattributed", log_unattributed(ls, list));
	} else {
		json_null(&j, "suppressed");
		json_null(&j, "unattributed");
	}
	json_close_object(&j);
	if (win->seconds) {
		json_double(&j, "dma_window_seconds", win->seconds);
		if (win->iommu_known) {
			json_uint(&j, "dma_window_iommu_maps", win->iommu_maps);
			json_uint(&j, "dma_window_iommu_unmaps", win->iommu_unmaps);
		}
	}
	if (list->module && list->acct.known) {
		json_open_object(&j, "dma_accounting");
		json_bool(&j, "enabled", list->acct.enabled);
		json_string(&j, "state", list->acct.state);
		json_string(&j, "since", dma_acct_since_iso(&list->acct, buf, sizeof(buf)));
		json_string(&j, "since_epoch",
			    strcmp(list->acct.since, "0.000000000") ? list->acct.since : NULL);
		json_close_object(&j);
	} else {
		json_null(&j, "dma_accounting");
	}
	json_open_object(&j, "module_counters");
	if (list->module) {
		char *dir = sysfs_path(IOMMU_POLICY_DIR "/stats");

		counters_read(dir, &c);
		free(dir);
		print_counters(&o, &c, true, false);
	}
	json_close_object(&j);
	json_open_array(&j, "groups");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];

		if (!selected(grp, only))
			continue;
		json_open_object(&j, NULL);
		json_uint(&j, "id", grp->id);
		json_string(&j, "policy", group_policy_word(grp));
		fault_figure_group(&f, grp, ls);
		fault_figure_json(&j, &f);
		json_open_object(&j, "counters");
		if (grp->module)
			print_counters(&o, &grp->mod.stats, false, false);
		json_close_object(&j);
		json_dma_window(&j, win, grp);
		json_open_array(&j, "devices");
		for (size_t k = 0; k < grp->ndevices; k++) {
			const struct log_device *d = log_device(ls, grp->devices[k].name);
			const struct ic_counters *dc = device_stats_find(ds, grp->devices[k].name);

			json_open_object(&j, NULL);
			json_string(&j, "device", grp->devices[k].name);
			fault_figure_device(&f, dc, &grp->devices[k], ls);
			fault_figure_json(&j, &f);
			if (dc) {
				json_open_object(&j, "counters");
				print_counters(&o, dc, false, false);
				json_close_object(&j);
			} else {
				json_null(&j, "counters");
			}
			json_string(&j, "logged_by", d ? kmsg_driver_name(d->driver) : NULL);
			snprintf(buf, sizeof(buf), "0x%llx", d ? d->last_address : 0);
			json_string(&j, "logged_last_address", d ? buf : NULL);
			json_string(&j, "logged_last_access", d ? kmsg_access_name(d->last_access) : NULL);
			json_close_object(&j);
		}
		json_close_array(&j);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_close_object(&j);
	json_finish(&j);
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void prom_label(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', out);
		if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_family(FILE *out, const char *name, const char *type, const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Whether the module gave counters for every device of the group (netlink). */
static bool group_devices_known(const struct ic_group *grp, const struct ic_device_stats_list *ds)
{
	for (size_t k = 0; k < grp->ndevices; k++)
		if (!device_stats_find(ds, grp->devices[k].name))
			return false;
	return grp->ndevices > 0;
}

/*
 * One sample per device of the group; the group's total when per-device
 * counts are not available (a recorded tree).  The series of a device that
 * leaves its group ends; the group's files keep counting its faults.
 */
static void prom_device_samples(FILE *out, const struct ic_group *grp,
				const struct ic_device_stats_list *ds, const char *metric,
				const char *extra, size_t offset)
{
	if (!group_devices_known(grp, ds)) {
		fprintf(out, "%s{group=\"%u\"%s} %llu\n", metric, grp->id, extra,
			*(const unsigned long long *)((const char *)&grp->mod.stats + offset));
		return;
	}
	for (size_t k = 0; k < grp->ndevices; k++) {
		const struct ic_counters *c = device_stats_find(ds, grp->devices[k].name);

		fprintf(out, "%s{group=\"%u\",device=\"", metric, grp->id);
		prom_label(out, grp->devices[k].name);
		fprintf(out, "\"%s} %llu\n", extra,
			*(const unsigned long long *)((const char *)c + offset));
	}
}

/*
 * The policy the configuration gives each group, as apply would set it
 * (iommuctl.conf(5)), for an alert on a group that differs.
 */
static void prom_configured(FILE *out, struct ic_group_list *list, const struct ic_group *only)
{
	struct ic_config cfg;

	config_load_quiet(&cfg);
	prom_family(out, "iommu_group_configured_policy_info", "gauge",
		    "The policy iommuctl.conf gives the group (as iommuctl apply sets it); always 1, absent for a group it gives none.");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];
		struct ic_decision *d;
		int policy;

		if (!selected(grp, only) || !grp->ndevices)
			continue;
		d = xcalloc(grp->ndevices, sizeof(*d));
		config_decide_devices(&cfg, grp, d);
		policy = config_group_policy(&cfg, grp, d, false);
		free(d);
		if (policy >= 0)
			fprintf(out, "iommu_group_configured_policy_info{group=\"%u\",policy=\"%s\"} 1\n",
				grp->id, policy_name(policy));
	}
	if (cfg.errors) {
		prom_family(out, "iommu_config_errors", "gauge",
			    "Errors in iommuctl.conf and its drop-ins ('iommuctl check-config' names them); the configured policies above are then incomplete.");
		fprintf(out, "iommu_config_errors %u\n", cfg.errors);
	}
	config_free(&cfg);
}

/* The recorder's families: whether it runs, and, with this boot recorded, what it saw. */
static void prom_recorder(FILE *out, const struct log_stats *ls)
{
	static const char *const kinds[] = {
		"kmsg-overwritten", "kmsg-suppressed", "module-dropped", "module-unseen",
		"netlink-overrun",
	};

	if (ls->recorder >= 0) {
		prom_family(out, "iommu_recorder_running", "gauge",
			    "Whether iommuctl-recorder holds the record now (1) or not (0).");
		fprintf(out, "iommu_recorder_running %d\n", ls->recorder == 1);
	}
	if (!ls->source || ls->recorder < 0)
		return;		/* a log file, or a recorded tree */
	prom_family(out, "iommu_logged_faults_from_record", "gauge",
		    "Whether the logged-fault counters come from iommuctl-recorder's record of this boot (1) or from the kernel log's ring buffer (0, approximate).");
	fprintf(out, "iommu_logged_faults_from_record %d\n", ls->recorded);
	if (!ls->recorded)
		return;
	prom_family(out, "iommu_recorder_lost_total", "counter",
		    "Events iommuctl-recorder could not see this boot, by kind: kmsg-overwritten (the ring wrapped before it read them), kmsg-suppressed (the kernel's rate limit), module-dropped (the module's event buffer was full), module-unseen (faults the module counted while no recorder ran: in its counters, without an event), netlink-overrun (overflows of its socket's buffer).");
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		unsigned long long n = 0;

		for (size_t i = 0; i < ls->nlost; i++)
			if (!strcmp(ls->lost[i].what, kinds[k]))
				n = ls->lost[i].count;
		fprintf(out, "iommu_recorder_lost_total{kind=\"%s\"} %llu\n", kinds[k], n);
	}
	prom_family(out, "iommu_recorder_last_event_timestamp_seconds", "gauge",
		    "When iommuctl-recorder recorded its newest event of this boot, in seconds since the epoch; 0 if none.");
	fprintf(out, "iommu_recorder_last_event_timestamp_seconds %lld.%03lld\n",
		ls->last_event_ns / 1000000000LL, ls->last_event_ns % 1000000000LL / 1000000);
	prom_family(out, "iommu_topology_changed_devices", "gauge",
		    "Devices that share their IOMMU group with other devices than at the last recorded boot.");
	fprintf(out, "iommu_topology_changed_devices %llu\n", ls->topology_changes);
}

static void print_prometheus(FILE *out, struct ic_group_list *list, const struct ic_group *only,
			     const struct log_stats *ls, const struct ic_device_stats_list *ds)
{
	bool inferred;

	prom_family(out, "iommu_module_loaded", "gauge",
		    "Whether the iommu_policy module is loaded (1) or not (0).");
	fprintf(out, "iommu_module_loaded %d\n", list->module);
	prom_family(out, "iommu_group_info", "gauge",
		    "IOMMU group with its DMA-API policy and owner; always 1.");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];

		if (!selected(grp, only))
			continue;
		fprintf(out, "iommu_group_info{group=\"%u\",policy=\"", grp->id);
		prom_label(out, group_policy_word(grp));
		fprintf(out, "\",owner=\"");
		prom_label(out, group_owner(grp, &inferred));
		fprintf(out, "\",devices=\"%zu\"} 1\n", grp->ndevices);
	}
	prom_configured(out, list, only);
	if (list->module && list->acct.known) {
		prom_family(out, "iommu_dma_accounting_enabled", "gauge",
			    "Whether the module's DMA and IOMMU map counters count now (1) or keep their values (0).");
		fprintf(out, "iommu_dma_accounting_enabled %d\n", list->acct.enabled);
		prom_family(out, "iommu_dma_accounting_since_seconds", "gauge",
			    "When DMA accounting was last turned on, in seconds since the epoch; 0 if never.");
		fprintf(out, "iommu_dma_accounting_since_seconds %s\n", list->acct.since);
	}
	if (list->module) {
		prom_family(out, "iommu_group_faults_total", "counter",
			    "IOMMU faults counted by the iommu_policy module, by group, device and access.");
		for (size_t i = 0; i < list->count; i++) {
			const struct ic_group *grp = &list->groups[i];

			if (!selected(grp, only) || !grp->mod.stats.has_faults)
				continue;
			prom_device_samples(out, grp, ds, "iommu_group_faults_total", ",access=\"read\"",
					    offsetof(struct ic_counters, faults_read));
			prom_device_samples(out, grp, ds, "iommu_group_faults_total", ",access=\"write\"",
					    offsetof(struct ic_counters, faults_write));
		}
		prom_family(out, "iommu_group_dma_maps_total", "counter",
			    "DMA-API streaming maps by group and device (Linux 6.12 and later).");
		for (size_t i = 0; i < list->count; i++) {
			const struct ic_group *grp = &list->groups[i];

			if (selected(grp, only) && grp->mod.stats.has_dma)
				prom_device_samples(out, grp, ds, "iommu_group_dma_maps_total", "",
						    offsetof(struct ic_counters, dma_maps));
		}
		prom_family(out, "iommu_group_dma_mapped_bytes_total", "counter",
			    "Bytes mapped by DMA-API streaming maps, by group and device (Linux 6.12 and later).");
		for (size_t i = 0; i < list->count; i++) {
			const struct ic_group *grp = &list->groups[i];

			if (selected(grp, only) && grp->mod.stats.has_dma)
				prom_device_samples(out, grp, ds, "iommu_group_dma_mapped_bytes_total", "",
						    offsetof(struct ic_counters, dma_bytes_mapped));
		}
	}
	/*
	 * The one figure per group (faults.h): a gauge, since its log part can
	 * fall as the ring buffer wraps; the counters above and below are the
	 * parts for rate().
	 */
	prom_family(out, "iommu_group_faults", "gauge",
		    "IOMMU faults of a group: the larger of the module's count and the kernel log's; lower_bound=\"1\" when it is at least this many.");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];
		struct fault_figure f;

		fault_figure_group(&f, grp, ls);
		if (!selected(grp, only) || !f.known)
			continue;
		fprintf(out, "iommu_group_faults{group=\"%u\",source=\"%s\",lower_bound=\"%d\"} %llu\n",
			grp->id, f.source, f.lower_bound, f.count);
	}
	prom_recorder(out, ls);
	if (!ls->source)
		return;
	prom_family(out, "iommu_device_logged_faults_total", "counter",
		    ls->recorded ?
		    "IOMMU faults of a device decoded from the kernel log since boot, as iommuctl-recorder recorded them; a lower bound (the kernel rate-limits the messages)." :
		    ls->recorder >= 0 ?
		    "IOMMU faults of a device decoded from the kernel log's ring buffer; approximate: it falls when old lines leave the ring (run iommuctl-recorder.service for a counter that does not)." :
		    "IOMMU faults of a device decoded from the kernel log since boot; a lower bound (the kernel rate-limits the messages).");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];

		if (!selected(grp, only))
			continue;
		for (size_t k = 0; k < grp->ndevices; k++) {
			const struct log_device *d = log_device(ls, grp->devices[k].name);

			fprintf(out, "iommu_device_logged_faults_total{group=\"%u\",device=\"", grp->id);
			prom_label(out, grp->devices[k].name);
			fprintf(out, "\"} %llu\n", d ? d->faults : 0);
		}
	}
	prom_family(out, "iommu_logged_faults_suppressed_total", "counter",
		    "IOMMU fault messages the kernel's rate limit dropped, as the log reports.");
	fprintf(out, "iommu_logged_faults_suppressed_total %llu\n", ls->suppressed);
	prom_family(out, "iommu_logged_faults_unattributed_total", "counter",
		    "IOMMU faults in the kernel log naming no device in an IOMMU group.");
	fprintf(out, "iommu_logged_faults_unattributed_total %llu\n", log_unattributed(ls, list));
}

/* FILE written whole or not at all: a temporary file beside it, renamed. */
static FILE *open_output(const char *path, char **tmp)
{
	FILE *f;
	int fd;

	*tmp = xasprintf("%s.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd < 0)
		return NULL;
	fchmod(fd, 0644);	/* node_exporter runs as another user */
	f = fdopen(fd, "w");
	if (!f) {
		close(fd);
		unlink(*tmp);
	}
	return f;
}

static int close_output(FILE *f, const char *tmp, const char *path)
{
	int err = 0;

	if (fflush(f) || fsync(fileno(f)))
		err = errno;
	if (fclose(f) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		unlink(tmp);
		warnx_("stats: cannot write %s: %s", path, strerror(err));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

int cmd_stats(int argc, char **argv)
{
	enum { OPT_FORMAT = 256, OPT_LOG, OPT_NO_LOG, OPT_NO_RECORD, OPT_DMA, OPT_OUTPUT_FILE };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output", required_argument, NULL, 'o' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "bytes", no_argument, NULL, 'b' },
		{ "output-file", required_argument, NULL, OPT_OUTPUT_FILE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "no-record", no_argument, NULL, OPT_NO_RECORD },
		{ "dma", optional_argument, NULL, OPT_DMA },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum format format = FORMAT_TABLE;
	const char *output = NULL, *log_file = NULL, *columns_arg = NULL;
	struct table_opts to = { 0 };
	struct ic_group_list list;
	struct ic_group *only = NULL;
	struct ic_device_stats_list ds = { 0 };
	struct dma_window win = { 0 };
	struct nlc nl = { 0 };
	struct log_stats ls;
	char why[256];
	bool no_log = false, no_record = false;
	char *tmp = NULL;
	FILE *out = stdout;
	int opt, ret;

	columns_init(&to.set, columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
	while ((opt = getopt_long(argc, argv, "Jo:rnbh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'J':
			format = FORMAT_JSON;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "table")) {
				format = FORMAT_TABLE;
			} else if (!strcmp(optarg, "json")) {
				format = FORMAT_JSON;
			} else if (!strcmp(optarg, "prometheus")) {
				format = FORMAT_PROMETHEUS;
			} else {
				warnx_("stats: --format '%s': use table, json or prometheus", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			columns_arg = optarg;
			break;
		case 'r':
			to.raw = true;
			break;
		case 'n':
			to.noheadings = true;
			break;
		case 'b':
			to.bytes = true;
			break;
		case OPT_OUTPUT_FILE:
			output = optarg;
			break;
		case OPT_LOG:
			log_file = optarg;
			break;
		case OPT_NO_LOG:
			no_log = true;
			break;
		case OPT_NO_RECORD:
			no_record = true;
			break;
		case OPT_DMA:
			win.seconds = 1;
			if (!optarg)
				break;
			if (!parse_seconds(optarg, 0.1, 3600, &win.seconds)) {
				warnx_("stats: --dma=%s: give seconds from 0.1 to 3600", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_stats_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help stats'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (argc - optind > 1) {
		warnx_("stats: one group at a time (see '%s help stats')", program_name);
		return EXIT_USAGE;
	}
	if (win.seconds && format == FORMAT_PROMETHEUS) {
		warnx_("stats: --dma counts over a window, Prometheus wants totals: leave --dma out, and have DMA counted always with dma_accounting = yes in iommuctl.conf");
		return EXIT_USAGE;
	}
	if (win.seconds)
		columns_init(&to.set, columns, NCOLS, dma_columns, ARRAY_SIZE(dma_columns));
	if (columns_arg && !columns_parse(&to.set, "stats", columns_arg))
		return EXIT_USAGE;
	if (columns_arg && format != FORMAT_TABLE) {
		warnx_("stats: -o chooses the table's columns; JSON and Prometheus have every key");
		return EXIT_USAGE;
	}
	if (win.seconds && sysfs_root()[0]) {
		warnx_("stats: --dma counts DMA on this machine now; it cannot with a recorded tree (--sysroot)");
		return EXIT_USAGE;
	}
	if (win.seconds) {
		ret = dma_window_open(&win, &nl);
		if (ret >= 0)
			return ret;
	}
	ret = load_groups_or_explain(&list, "stats");
	if (win.seconds)
		nlc_close(&nl);		/* the hold ends here */
	if (ret >= 0) {
		if (win.seconds)
			groups_free(&win.before);
		return ret;
	}
	if (optind < argc) {
		only = find_group_arg(&list, "stats", argv[optind], NULL);
		if (!only) {
			groups_free(&list);
			names_close();
			return EXIT_FAILURE;
		}
	}
	/* Per-device counts come over netlink; sysfs has the group totals. */
	if (list.module && format != FORMAT_TABLE && device_stats_load(&ds, why, sizeof(why)) &&
	    !sysfs_root()[0])
		warnx_("stats: no per-device counters: %s", why);
	ret = log_stats_load(&ls, "stats", log_file, no_log, no_record);
	if (ret)
		goto out;
	if (output) {
		out = open_output(output, &tmp);
		if (!out) {
			warnx_("stats: cannot create a file next to %s: %s", output, strerror(errno));
			ret = EXIT_FAILURE;
			goto out;
		}
	}
	switch (format) {
	case FORMAT_TABLE:
		print_table(out, &list, only, &ls, &win, &to);
		break;
	case FORMAT_JSON:
		print_json(out, &list, only, &ls, &ds, &win);
		break;
	case FORMAT_PROMETHEUS:
		print_prometheus(out, &list, only, &ls, &ds);
		break;
	}
	ret = output ? close_output(out, tmp, output) : EXIT_SUCCESS;
out:
	free(tmp);
	log_stats_free(&ls);
	device_stats_free(&ds);
	groups_free(&list);
	if (win.seconds)
		groups_free(&win.before);
	names_close();
	return ret;
}
