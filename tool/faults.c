// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fault figure (faults.h): the kernel log's faults per device, and the
 * figure that combines them with the module's exact counters, for every
 * command that shows faults.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "faults.h"
#include "json.h"
#include "recdb.h"
#include "streamid.h"
#include "sysfs.h"
#include "util.h"

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
	d->has_address = f->has_address;
	if (f->has_address)
		d->last_address = f->address;
	d->last_access = f->access;
	d->has_time = ls->boot_ns && f->has_timestamp;
	if (d->has_time)
		d->last_time_ns = ls->boot_ns + (long long)f->timestamp_usec * 1000;
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
/* Every record /dev/kmsg holds now; the file stays open in ls->fd to follow it. */
static int read_kmsg(struct log_stats *ls)
{
	int fd = kmsg_open(false);

	if (fd < 0)
		return fd;
	ls->fd = fd;
	kmsg_drain(fd, &ls->kst, NULL, log_count, ls);
	return 0;
}

void log_stats_update(struct log_stats *ls)
{
	if (ls->fd >= 0)
		kmsg_drain(ls->fd, &ls->kst, NULL, log_count, ls);
}

/* Lines of dmesg, journalctl -k, or /dev/kmsg records saved to a file. */
static int read_log_file(struct log_stats *ls, const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "re") : stdin;
	struct kmsg_record rec;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (!f)
		return -errno;
	while ((n = getline(&line, &cap, f)) > 0) {
		const char *why;

		/* A /dev/kmsg record ("6,123,456,-;text") or a plain line. */
		struct kmsg_fault fault;

		if (kmsg_parse_record(line, (size_t)n, &rec, &why) != 0)
			kmsg_parse_line(line, (size_t)n, &rec);
		log_count(kmsg_decode(&ls->kst, &rec, &fault), &fault, ls);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
}

/* --- the recorder's record ------------------------------------------------------------ */

static void record_device(const struct recdb_log_total *t, void *arg)
{
	struct log_stats *ls = arg;
	struct log_device *d;

	if (!t->device) {
		ls->unattributed += t->faults;
		return;
	}
	ls->devices = xrealloc(ls->devices, (ls->ndevices + 1) * sizeof(*d));
	d = &ls->devices[ls->ndevices++];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", t->device);
	d->faults = t->faults;
	d->has_address = t->has_address;
	d->last_address = t->address;
	d->last_access = !t->access ? KMSG_ACCESS_UNKNOWN :
			 !strcmp(t->access, "read") ? KMSG_ACCESS_READ :
			 !strcmp(t->access, "write") ? KMSG_ACCESS_WRITE : KMSG_ACCESS_UNKNOWN;
	d->has_time = t->last_ns > 0;
	d->last_time_ns = t->last_ns;
}

static void record_lost(const char *what, unsigned long long count, void *arg)
{
	struct log_stats *ls = arg;

	if (!strcmp(what, "kmsg-suppressed"))
		ls->suppressed = count;
	if (ls->nlost < ARRAY_SIZE(ls->lost)) {
		snprintf(ls->lost[ls->nlost].what, sizeof(ls->lost[0].what), "%s", what);
		ls->lost[ls->nlost++].count = count;
	}
}

/*
 * This boot's counts from the record: 1 when read, 0 when there is none of
 * this boot (no recorder ran), -1 (ls->why) when it cannot be read.
 */
static int read_record(struct log_stats *ls, const char *path)
{
	static char why[600];
	char err[512], boot_id[64];
	struct recdb *db;
	bool recorded;
	int ret;

	if (access(path, F_OK) || read_boot_id(boot_id, sizeof(boot_id)))
		return 0;
	if (recdb_open(path, false, &db, err, sizeof(err))) {
		snprintf(why, sizeof(why), "%s", err);
		ls->why = why;
		return -1;
	}
	ret = recdb_use_boot(db, boot_id, &recorded);
	if (!ret && recorded)
		ret = recdb_log_totals(db, record_device, ls) ||
		      recdb_lost_totals(db, record_lost, ls) ||
		      recdb_last_event_ns(db, &ls->last_event_ns) ||
		      recdb_topology_changes(db, &ls->topology_changes);
	if (ret) {
		snprintf(why, sizeof(why), "%s: cannot read the record: %s", path, recdb_error(db));
		ls->why = why;
	}
	recdb_close(db);
	if (ret)
		return -1;
	ls->recorded = recorded;
	return recorded;
}

static void log_stats_open(struct log_stats *ls, const char *file, bool skip, bool follow)
{
	static char why[256];
	int ret;

	memset(ls, 0, sizeof(*ls));
	ls->fd = -1;
	ls->recorder = -1;
	kmsg_state_init(&ls->kst);
	ls->kst.attribute = stream_id_device;
	if (skip)
		return;
	if (!file)
		ls->boot_ns = kmsg_boot_realtime_ns();
	ls->source = !file ? "/dev/kmsg" : strcmp(file, "-") ? file : "standard input";
	ret = file ? read_log_file(ls, file) : read_kmsg(ls);
	if (ret) {
		snprintf(why, sizeof(why), "%s: %s%s", ls->source, strerror(-ret),
			 ret == -EACCES || ret == -EPERM ?
			 " (reading the kernel log needs root or kernel.dmesg_restrict=0)" : "");
		ls->why = why;
		ls->source = NULL;
	}
	if (!follow && ls->fd >= 0) {
		close(ls->fd);
		ls->fd = -1;
	}
}

const struct log_device *log_device(const struct log_stats *ls, const char *name)
{
	for (size_t i = 0; i < ls->ndevices; i++)
		if (!strcmp(ls->devices[i].name, name))
			return &ls->devices[i];
	return NULL;
}

unsigned long long log_group_faults(const struct log_stats *ls, const struct ic_group *grp)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct log_device *d = log_device(ls, grp->devices[i].name);

		if (d)
			n += d->faults;
	}
	return n;
}

unsigned long long log_lost_total(const struct log_stats *ls)
{
	unsigned long long n = 0;

	for (size_t i = 0; i < ls->nlost; i++)
		n += ls->lost[i].count;
	return n;
}

unsigned long long log_unattributed(const struct log_stats *ls, struct ic_group_list *list)
{
	unsigned long long n = ls->unattributed;

	for (size_t i = 0; i < ls->ndevices; i++)
		if (!groups_find_device(list, ls->devices[i].name, NULL))
			n += ls->devices[i].faults;
	return n;
}

int log_stats_load(struct log_stats *ls, const char *cmd, const char *file, bool no_log,
		   bool no_record)
{
	bool live = !file && !sysfs_root()[0];
	int recorded = 0;
	char err[512];

	if (live && !no_log && !no_record) {
		struct log_stats rec;

		log_stats_open(&rec, NULL, true, false);
		recorded = read_record(&rec, RECDB_PATH);
		if (recorded > 0) {
			*ls = rec;
			ls->source = RECDB_PATH;
		} else {
			if (recorded < 0)	/* the ring, after saying why not the record */
				warnx_("%s: %s; counting the kernel log's ring buffer instead",
				       cmd, rec.why);
			log_stats_free(&rec);
		}
	}
	if (recorded <= 0)
		log_stats_open(ls, file, no_log || (sysfs_root()[0] && !file), false);
	/* Whether a recorder holds the record now, whichever was read. */
	if (live)
		ls->recorder = recdb_recorder(RECDB_PATH, &ls->recorder_pid, err, sizeof(err));
	if (file && !ls->source) {
		warnx_("%s: cannot read the log %s", cmd, ls->why);
		return EXIT_FAILURE;
	}
	return 0;
}

void log_stats_follow(struct log_stats *ls)
{
	log_stats_open(ls, NULL, false, true);
}

void log_stats_free(struct log_stats *ls)
{
	if (ls->fd >= 0)
		close(ls->fd);
	ls->fd = -1;
	free(ls->devices);
	ls->devices = NULL;
	ls->ndevices = 0;
}

/* --- the figure ----------------------------------------------------------------------- */

/* "1795278414.485085323" (the module's last_fault_time) in nanoseconds; -1 if not one. */
static long long epoch_ns(const char *s)
{
	long long sec;
	long nsec;

	return parse_epoch(s, &sec, &nsec, NULL) ? sec * 1000000000LL + nsec : -1;
}

/* The later of the module's last fault (@c) and the log's (@d) into @f. */
static void last_fault(struct fault_figure *f, const struct ic_counters *c,
		       const struct log_device *d, long long *when)
{
	long long t;

	if (c && c->faults && c->last_device[0]) {
		t = epoch_ns(c->last_time);
		if (t > *when || !f->last_device[0]) {
			*when = t;
			snprintf(f->last_device, sizeof(f->last_device), "%s", c->last_device);
			snprintf(f->last_address, sizeof(f->last_address), "%s", c->last_iova);
			if (t < 0 || !format_epoch_iso(c->last_time, f->last_time, sizeof(f->last_time)))
				f->last_time[0] = '\0';
		}
	}
	if (d && d->faults && (!f->last_device[0] || (d->has_time && d->last_time_ns > *when))) {
		*when = d->has_time ? d->last_time_ns : -1;
		snprintf(f->last_device, sizeof(f->last_device), "%s", d->name);
		f->last_address[0] = '\0';
		if (d->has_address)
			snprintf(f->last_address, sizeof(f->last_address), "0x%llx", d->last_address);
		f->last_time[0] = '\0';
		if (d->has_time)
			format_time_iso(f->last_time, sizeof(f->last_time),
					(time_t)(d->last_time_ns / 1000000000LL),
					(long)(d->last_time_ns % 1000000000LL), 6);
	}
}

/*
 * Whether the IOMMU driver of a device reports its faults through
 * report_iommu_fault(), where the module counts them: AMD-Vi does (its units
 * are "ivhdN" in /sys/class/iommu).  Intel's DMAR, ARM's SMMUv3 and
 * virtio-iommu only log them; other drivers are not known to report, until
 * the module has counted a fault of theirs.
 */
static bool iommu_reports(const char *unit)
{
	return unit && !strncmp(unit, "ivhd", 4);
}

static void figure_finish(struct fault_figure *f, bool reports)
{
	f->known = f->has_exact || f->has_logged;
	/*
	 * The module's count is the figure when it is at least the log's; it
	 * is exact only where the driver reports every fault to it.
	 */
	if (f->has_exact && (!f->has_logged || f->exact >= f->logged)) {
		f->count = f->exact;
		f->lower_bound = !(reports || f->exact);
		f->source = "module";
	} else {
		f->count = f->logged;
		f->lower_bound = true;
		f->source = f->has_logged ? "kernel-log" : NULL;
	}
}

void fault_figure_group(struct fault_figure *f, const struct ic_group *grp,
			const struct log_stats *ls)
{
	const struct ic_counters *c = grp->module && grp->mod.stats.has_faults ? &grp->mod.stats : NULL;
	long long when = -1;
	bool reports = false;

	memset(f, 0, sizeof(*f));
	f->has_exact = c != NULL;
	f->exact = c ? c->faults : 0;
	f->has_logged = ls && ls->source;
	f->logged = f->has_logged ? log_group_faults(ls, grp) : 0;
	last_fault(f, c, NULL, &when);
	for (size_t i = 0; i < grp->ndevices; i++) {
		reports |= iommu_reports(grp->devices[i].iommu);
		if (f->has_logged)
			last_fault(f, NULL, log_device(ls, grp->devices[i].name), &when);
	}
	figure_finish(f, reports);
}

void fault_figure_device(struct fault_figure *f, const struct ic_counters *exact,
			 const struct ic_device *device, const struct log_stats *ls)
{
	const struct log_device *d = ls && ls->source ? log_device(ls, device->name) : NULL;
	long long when = -1;

	memset(f, 0, sizeof(*f));
	f->has_exact = exact && exact->has_faults;
	f->exact = f->has_exact ? exact->faults : 0;
	f->has_logged = ls && ls->source;
	f->logged = d ? d->faults : 0;
	last_fault(f, f->has_exact ? exact : NULL, d, &when);
	figure_finish(f, iommu_reports(device->iommu));
}

const char *fault_figure_text(const struct fault_figure *f, char *buf, size_t size)
{
	if (!f->known)
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%s%llu", f->lower_bound ? ">=" : "", f->count);
	return buf;
}

void fault_figure_json(struct json *j, const struct fault_figure *f)
{
	if (f->known)
		json_uint(j, "faults", f->count);
	else
		json_null(j, "faults");
	json_bool(j, "faults_lower_bound", f->lower_bound);
	json_string(j, "faults_source", f->source);
	if (f->has_exact)
		json_uint(j, "faults_module", f->exact);
	else
		json_null(j, "faults_module");
	if (f->has_logged)
		json_uint(j, "faults_logged", f->logged);
	else
		json_null(j, "faults_logged");
}
