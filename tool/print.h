/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output layer's printers of objects: one function per object writes
 * it as text and as JSON (out.h), for every command that prints it (list -J,
 * show, stats), so that a key means one thing everywhere and the text says
 * what the JSON says.  Tables are table.h's; the fault figure's keys are
 * faults.h's.
 */
#ifndef IOMMUCTL_PRINT_H
#define IOMMUCTL_PRINT_H

#include <stdbool.h>
#include <stddef.h>

struct out;
struct ic_group;
struct ic_group_list;
struct ic_counters;
struct log_stats;

/* A reserved region: "0x00000000fee00000 0x00000000feefffff msi". */
struct region {
	unsigned long long start, end;
	char type[32];
};

/* What show adds to a group: read by the caller, NULL in list -J. */
struct group_detail {
	const struct ic_group_list *list;	/* for the DMA accounting state */
	const char *iommus;			/* "dmar0", "dmar0,dmar1"; NULL */
	const struct region *regions;
	size_t nregions;
};

/*
 * A group into an open object: id, policy, type, mandatory, owner,
 * owner_source, the fault figure, faults_read, faults_write and devices;
 * with @detail also module, owner_detail, last_error, iommu,
 * reserved_regions, last_fault_* and counters.  Text: show's "key: value"
 * lines.
 */
void print_group(struct out *o, const struct ic_group *grp, const struct log_stats *ls,
		 const struct group_detail *detail);
/*
 * Counters into an open object, one key per counter of the table (null
 * where unread, with @nulls; else left out), then last_fault_time (ISO
 * 8601), _time_epoch, _device and _iova (null until a fault; "(root only)"
 * when only root may read it).  Text: "    name   value" lines of the
 * counters read and the last fault.
 */
void print_counters(struct out *o, const struct ic_counters *c, bool module_wide, bool nulls);

#endif
