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
#include <math.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "devstats.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "kmsg.h"
#include "streamid.h"
#include "names.h"
#include "sysfs.h"
#include "util.h"

enum format { FORMAT_TABLE, FORMAT_JSON, FORMAT_PROMETHEUS };

/* What the log says of one device. */
struct log_device {
	char name[KMSG_NAME_MAX];
	enum kmsg_driver driver;
	unsigned long long faults, last_address;
	enum kmsg_access last_access;
};

struct log_stats {
	const char *source;	/* "/dev/kmsg", a file, or NULL when not read */
	const char *why;	/* why it could not be read */
	struct log_device *devices;
	size_t ndevices;
	unsigned long long unattributed;	/* faults naming no device */
	unsigned long long suppressed;		/* messages the kernel's rate limit dropped */
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
	       "  -J, --json              JSON output (see iommuctl(8))\n"
	       "      --format FORMAT     table (default), json, or prometheus\n"
	       "                          (node_exporter's textfile format)\n"
	       "  -o, --output-file FILE  write to FILE atomically instead of stdout\n"
	       "      --log FILE          decode this log (dmesg or /dev/kmsg records;\n"
	       "                          - for stdin) instead of /dev/kmsg\n"
	       "      --no-log            leave the kernel log out\n"
	       "      --dma[=SECONDS]     hold DMA accounting on for SECONDS (default 1)\n"
	       "                          and show what each group mapped meanwhile\n"
	       "      --sysroot DIR       read sysfs under DIR instead of /\n"
	       "  -h, --help              show this help\n", program_name);
}

/* --- the kernel log --------------------------------------------------------------- */

static void log_add(struct log_stats *ls, const struct kmsg_fault *f)
{
	struct log_device *d = NULL;

	if (!f->device[0]) {
		ls->unattributed++;
		return;
	}
	for (size_t i = 0; i < ls->ndevices; i++)
		if (!strcmp(ls->devices[i].name, f->device))
			d = &ls->devices[i];
	if (!d) {
		ls->devices = xrealloc(ls->devices, (ls->ndevices + 1) * sizeof(*d));
		d = &ls->devices[ls->ndevices++];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "%s", f->device);
	}
	d->driver = f->driver;
	d->faults++;
	if (f->has_address)
		d->last_address = f->address;
	d->last_access = f->access;
}

static void log_count(enum kmsg_result r, const struct kmsg_fault *f, void *arg)
{
	struct log_stats *ls = arg;

	if (r == KMSG_FAULT)
		log_add(ls, f);
	else if (r == KMSG_SUPPRESSED)
		ls->suppressed += f->suppressed;
}

/* Every record /dev/kmsg still holds, without waiting for new ones. */
static int read_kmsg(struct log_stats *ls)
{
	struct kmsg_state st;
	int fd = kmsg_open(false);

	if (fd < 0)
		return fd;
	kmsg_state_init(&st);
	st.attribute = stream_id_device;
	kmsg_drain(fd, &st, log_count, ls);
	close(fd);
	return 0;
}

/* Lines of dmesg, journalctl -k, or /dev/kmsg records saved to a file. */
static int read_log_file(struct log_stats *ls, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	struct kmsg_state st;
	struct kmsg_record rec;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -errno;
	kmsg_state_init(&st);
	st.attribute = stream_id_device;
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *why;

		/* A /dev/kmsg record ("6,123,456,-;text") or a plain line. */
		struct kmsg_fault fault;

		if (kmsg_parse_record(line, (size_t)n, &rec, &why) != 0)
			kmsg_parse_line(line, (size_t)n, &rec);
		log_count(kmsg_decode(&st, &rec, &fault), &fault, ls);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void load_log(struct log_stats *ls, const char *file, bool skip)
{
	static char why[256];
	int ret;

	memset(ls, 0, sizeof(*ls));
	if (skip)
		return;
	ls->source = !file ? "/dev/kmsg" : strcmp(file, "-") ? file : "standard input";
	ret = file ? read_log_file(ls, file) : read_kmsg(ls);
	if (ret) {
		snprintf(why, sizeof(why), "%s: %s%s", ls->source, strerror(-ret),
			 ret == -EACCES || ret == -EPERM ?
			 " (reading the kernel log needs root or kernel.dmesg_restrict=0)" : "");
		ls->why = why;
		ls->source = NULL;
	}
}

static const struct log_device *log_device(const struct log_stats *ls, const char *name)
{
	for (size_t i = 0; i < ls->ndevices; i++)
		if (!strcmp(ls->devices[i].name, name))
			return &ls->devices[i];
	return NULL;
}

/* Faults the log gave for the devices of a group. */
static unsigned long long log_group_faults(const struct log_stats *ls, const struct ic_group *grp)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct log_device *d = log_device(ls, grp->devices[i].name);

		if (d)
			n += d->faults;
	}
	return n;
}

/* Logged faults of devices in no group (or named by no device). */
static unsigned long long log_unattributed(const struct log_stats *ls, struct ic_group_list *list)
{
	unsigned long long n = ls->unattributed;

	for (size_t i = 0; i < ls->ndevices; i++)
		if (!groups_find_device(list, ls->devices[i].name, NULL))
			n += ls->devices[i].faults;
	return n;
}

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
	d->dma_maps = counter_gained(a->dma_maps, had ? b->dma_maps : 0, had);
	d->dma_unmaps = counter_gained(a->dma_unmaps, had ? b->dma_unmaps : 0, had);
	d->dma_bytes_mapped = counter_gained(a->dma_bytes_mapped, had ? b->dma_bytes_mapped : 0, had);
	d->dma_bytes_unmapped = counter_gained(a->dma_bytes_unmapped,
					       had ? b->dma_bytes_unmapped : 0, had);
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

static void print_dma_table(FILE *out, struct ic_group_list *list, const struct ic_group *only,
			    struct dma_window *win)
{
	bool any = false;

	fprintf(out, "%5s %-8s %10s %10s %14s %14s\n", "GROUP", "POLICY", "MAPS", "UNMAPS",
		"BYTES-MAPPED", "BYTES-UNMAPPED");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];
		char m[24] = "-", u[24] = "-", bm[24] = "-", bu[24] = "-";
		struct ic_counters d;

		if (!selected(grp, only))
			continue;
		if (window_counters(win, grp, &d)) {
			any = true;
			snprintf(m, sizeof(m), "%llu", d.dma_maps);
			snprintf(u, sizeof(u), "%llu", d.dma_unmaps);
			snprintf(bm, sizeof(bm), "%llu", d.dma_bytes_mapped);
			snprintf(bu, sizeof(bu), "%llu", d.dma_bytes_unmapped);
		}
		fprintf(out, "%5u %-8s %10s %10s %14s %14s\n", grp->id, group_policy_word(grp),
			m, u, bm, bu);
	}
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

static void print_table(FILE *out, struct ic_group_list *list, const struct ic_group *only,
			const struct log_stats *ls)
{
	fprintf(out, "%5s %-8s %10s %10s %10s %10s  %s\n", "GROUP", "POLICY", "FAULTS", "READ",
		"WRITE", "LOGGED", "LAST FAULT");
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_group *grp = &list->groups[i];
		const struct ic_counters *c = &grp->mod.stats;
		char f[24] = "-", r[24] = "-", w[24] = "-", l[24] = "-", last[96] = "-";

		if (!selected(grp, only))
			continue;
		if (c->has_faults) {
			snprintf(f, sizeof(f), "%llu", c->faults);
			snprintf(r, sizeof(r), "%llu", c->faults_read);
			snprintf(w, sizeof(w), "%llu", c->faults_write);
			if (c->faults && c->last_device[0])
				snprintf(last, sizeof(last), "%s %s %s", c->last_device,
					 c->last_iova[0] ? c->last_iova : "", c->last_time);
		}
		if (ls->source)
			snprintf(l, sizeof(l), ">=%llu", log_group_faults(ls, grp));
		fprintf(out, "%5u %-8s %10s %10s %10s %10s  %s\n", grp->id, group_policy_word(grp),
			f, r, w, l, last);
	}
	if (!list->module)
		fprintf(out, "(FAULTS: the iommu_policy module is not loaded; 'modprobe iommu_policy' counts them)\n");
	else if (list->acct.known && list->acct.enabled)
		fprintf(out, "(DMA counters: counting since %s; DMA accounting %s)\n", list->acct.since,
			list->acct.state);
	else if (list->acct.known)
		fprintf(out, "(DMA counters: not counting, DMA accounting is off (last on: %s); 'iommuctl watch' as root, or dma_accounting = yes in iommuctl.conf, turns it on)\n",
			strcmp(list->acct.since, "0.000000000") ? list->acct.since : "never");
	if (ls->source)
		fprintf(out, "(LOGGED: faults in the kernel log, %s: a lower bound; %llu messages suppressed, %llu in no group)\n",
			ls->source, ls->suppressed, log_unattributed(ls, list));
	else if (ls->why)
		fprintf(out, "(LOGGED: not read: %s)\n", ls->why);
}

static void json_counters(struct json *j, const struct ic_counters *c, bool module_wide)
{
	if (!c->has_faults) {
		json_null(j, "faults");
		return;
	}
	json_uint(j, "faults", c->faults);
	json_uint(j, "faults_read", c->faults_read);
	json_uint(j, "faults_write", c->faults_write);
	if (module_wide)
		json_uint(j, "faults_unattributed", c->faults_unattributed);
	json_string(j, "last_fault_time", c->faults ? c->last_time : NULL);
	json_string(j, "last_fault_device", c->faults ? c->last_device : NULL);
	json_string(j, "last_fault_iova", c->faults && c->last_iova[0] ? c->last_iova : NULL);
	if (c->has_dma) {
		json_uint(j, "dma_maps", c->dma_maps);
		json_uint(j, "dma_unmaps", c->dma_unmaps);
		json_uint(j, "dma_bytes_mapped", c->dma_bytes_mapped);
		json_uint(j, "dma_bytes_unmapped", c->dma_bytes_unmapped);
	}
}

/* A device's module counters (netlink only); "faults": null without them. */
static void json_device_counters(struct json *j, const struct ic_counters *c)
{
	if (!c) {
		json_null(j, "faults");
		return;
	}
	json_uint(j, "faults", c->faults);
	json_uint(j, "faults_read", c->faults_read);
	json_uint(j, "faults_write", c->faults_write);
	if (c->has_dma) {
		json_uint(j, "dma_maps", c->dma_maps);
		json_uint(j, "dma_unmaps", c->dma_unmaps);
		json_uint(j, "dma_bytes_mapped", c->dma_bytes_mapped);
		json_uint(j, "dma_bytes_unmapped", c->dma_bytes_unmapped);
	}
}

static void print_json(FILE *out, struct ic_group_list *list, const struct ic_group *only,
		       const struct log_stats *ls, const struct ic_device_stats_list *ds,
		       struct dma_window *win)
{
	struct ic_counters c;
	struct json j;
	char buf[32];

	json_init(&j, out);
	json_open_object(&j, NULL);
	json_bool(&j, "module", list->module);
	json_open_object(&j, "log");
	json_string(&j, "source", ls->source);
	json_string(&j, "error", ls->why);
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
		json_string(&j, "since", strcmp(list->acct.since, "0.000000000") ? list->acct.since : NULL);
		json_close_object(&j);
	} else {
		json_null(&j, "dma_accounting");
	}
	json_open_object(&j, "module_counters");
	if (list->module) {
		char *dir = sysfs_path(IOMMU_POLICY_DIR "/stats");

		counters_read(dir, &c);
		free(dir);
		json_counters(&j, &c, true);
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
		json_counters(&j, &grp->mod.stats, false);
		json_dma_window(&j, win, grp);
		if (ls->source)
			json_uint(&j, "logged_faults", log_group_faults(ls, grp));
		else
			json_null(&j, "logged_faults");
		json_open_array(&j, "devices");
		for (size_t k = 0; k < grp->ndevices; k++) {
			const struct log_device *d = log_device(ls, grp->devices[k].name);

			json_open_object(&j, NULL);
			json_string(&j, "device", grp->devices[k].name);
			json_device_counters(&j, device_stats_find(ds, grp->devices[k].name));
			if (ls->source)
				json_uint(&j, "logged_faults", d ? d->faults : 0);
			else
				json_null(&j, "logged_faults");
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
	if (!ls->source)
		return;
	prom_family(out, "iommu_device_logged_faults_total", "counter",
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
	enum { OPT_FORMAT = 256, OPT_LOG, OPT_NO_LOG, OPT_DMA };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "output-file", required_argument, NULL, 'o' },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "dma", optional_argument, NULL, OPT_DMA },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	enum format format = FORMAT_TABLE;
	const char *output = NULL, *log_file = NULL;
	struct ic_group_list list;
	struct ic_group *only = NULL;
	struct ic_device_stats_list ds = { 0 };
	struct dma_window win = { 0 };
	struct nlc nl = { 0 };
	struct log_stats ls;
	char why[256];
	char *end;
	bool no_log = false;
	char *tmp = NULL;
	FILE *out = stdout;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "Jo:h", longopts, NULL)) != -1) {
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
			output = optarg;
			break;
		case OPT_LOG:
			log_file = optarg;
			break;
		case OPT_NO_LOG:
			no_log = true;
			break;
		case OPT_DMA:
			win.seconds = 1;
			if (!optarg)
				break;
			errno = 0;
			win.seconds = strtod(optarg, &end);
			if (errno || end == optarg || *end || !isfinite(win.seconds) ||
			    win.seconds < 0.1 || win.seconds > 3600) {
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
	load_log(&ls, log_file, no_log);
	if (log_file && !ls.source) {
		warnx_("stats: cannot read the log %s", ls.why);
		ret = EXIT_FAILURE;
		goto out;
	}
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
		if (win.seconds)
			print_dma_table(out, &list, only, &win);
		else
			print_table(out, &list, only, &ls);
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
	free(ls.devices);
	device_stats_free(&ds);
	groups_free(&list);
	if (win.seconds)
		groups_free(&win.before);
	names_close();
	return ret;
}
