/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fault figure: how many IOMMU faults a device or group had, from the
 * two places the kernel tells.
 *  - The iommu_policy module's exact counters: faults reported through
 *    report_iommu_fault() (AMD-Vi, and drivers that install a handler).
 *  - The kernel log (kmsg.c): the drivers that only log their faults (Intel
 *    DMAR, ARM SMMUv3, virtio-iommu) and AMD-Vi, which logs what it also
 *    reports.  A lower bound: the drivers rate-limit the lines and the ring
 *    wraps.
 * Either source alone undercounts where the other saw more (Intel: the
 * module sees nothing), and adding them would count AMD's faults twice, so
 * the figure is the larger of the two: the device had at least that many.
 * It is exact when it is the module's count and the device's IOMMU driver
 * reports its faults (AMD-Vi; or the module has counted some), and a lower
 * bound (">=N") otherwise.
 */
#ifndef IOMMUCTL_FAULTS_H
#define IOMMUCTL_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "groups.h"
#include "kmsg.h"

struct json;

/* What the log says of one device. */
struct log_device {
	char name[KMSG_NAME_MAX];
	enum kmsg_driver driver;
	unsigned long long faults, last_address;
	enum kmsg_access last_access;
	bool has_address;
	bool has_time;
	long long last_time_ns;	/* realtime of the last fault, when the log's clock is this boot's */
};

/* What could not be seen, by kind (recdb_add_lost()). */
struct log_lost {
	char what[24];
	unsigned long long count;
};

struct log_stats {
	const char *source;	/* "/dev/kmsg", a file, the record, or NULL when not read */
	const char *why;	/* why it could not be read; NULL when not asked */
	struct log_device *devices;
	size_t ndevices;
	unsigned long long unattributed;	/* faults naming no device */
	unsigned long long suppressed;		/* messages the kernel's rate limit dropped */
	long long boot_ns;			/* realtime of boot for /dev/kmsg's stamps; 0 */
	/* Following /dev/kmsg (log_stats_follow()): -1 otherwise. */
	int fd;
	struct kmsg_state kst;
	/*
	 * From the recorder's record of this boot (recorded), which never
	 * forgets what the ring lost: recorder running (1), not (0), or not
	 * known (-1); what it could not see; its newest event; the devices that
	 * changed group-mates since the last boot.
	 */
	bool recorded;
	int recorder;
	long recorder_pid;
	struct log_lost lost[8];
	size_t nlost;
	long long last_event_ns;
	unsigned long long topology_changes;
};

/*
 * Read the kernel log: @file (a saved log, "-" for stdin) or /dev/kmsg; with
 * @no_log nothing (the figures are then the module's), and with a recorded
 * tree (--sysroot) only @file: /dev/kmsg is not that machine's.  Without
 * @file, the recorder's record (recdb.h) when it holds this boot and
 * @no_record is false: its counts never fall as the ring wraps.  ls->source
 * says what was read, ls->why why nothing could be.  0, or EXIT_FAILURE after
 * "CMD: cannot read the log ..." when @file cannot be read.
 */
int log_stats_load(struct log_stats *ls, const char *cmd, const char *file, bool no_log,
		   bool no_record);
/*
 * The same of /dev/kmsg, kept open: log_stats_update() adds what the kernel
 * logged since (watch).  ls->source is NULL, ls->why says why, on failure.
 */
void log_stats_follow(struct log_stats *ls);
void log_stats_update(struct log_stats *ls);
void log_stats_free(struct log_stats *ls);
const struct log_device *log_device(const struct log_stats *ls, const char *name);
/* Faults the log gave for the devices of a group. */
unsigned long long log_group_faults(const struct log_stats *ls, const struct ic_group *grp);
/* What the recorder could not see, all kinds together. */
unsigned long long log_lost_total(const struct log_stats *ls);
/* Logged faults of devices in no group (or named by no device). */
unsigned long long log_unattributed(const struct log_stats *ls, struct ic_group_list *list);

struct fault_figure {
	bool known;			/* a source was read: the module's counters or the log */
	unsigned long long count;	/* the figure: the larger of the two */
	bool lower_bound;		/* the log's count is the larger: at least count */
	const char *source;		/* "module" or "kernel-log": which gave count */
	bool has_exact, has_logged;
	unsigned long long exact, logged;
	/* The last fault, from whichever source saw it last; "" when neither says. */
	char last_time[40];		/* ISO 8601 */
	char last_device[KMSG_NAME_MAX];
	char last_address[32];		/* "0x5000" */
};

/* A group's figure: its module counters and its devices' logged faults. */
void fault_figure_group(struct fault_figure *f, const struct ic_group *grp,
			const struct log_stats *ls);
/* A device's: its module counters (NULL: none) and its logged faults. */
void fault_figure_device(struct fault_figure *f, const struct ic_counters *exact,
			 const struct ic_device *device, const struct log_stats *ls);
/* "42", ">=2", or "-" when unknown, into @buf; returns @buf. */
const char *fault_figure_text(const struct fault_figure *f, char *buf, size_t size);
/*
 * Into an open JSON object: "faults" (a number or null), "faults_lower_bound",
 * "faults_source", "faults_module" and "faults_logged" (null when that source
 * was not read).
 */
void fault_figure_json(struct json *j, const struct fault_figure *f);

#endif
