/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The iommu_policy module's counters of each device, which only its generic
 * netlink family gives (sysfs has group and module totals): one group-get
 * dump.  A device that left its group is not listed; its counts stay in the
 * group's totals.
 */
#ifndef IOMMUCTL_DEVSTATS_H
#define IOMMUCTL_DEVSTATS_H

#include <stdbool.h>
#include <stddef.h>

#include "groups.h"
#include "nl.h"

struct ic_device_stats {
	unsigned int group;
	char name[64];
	struct ic_counters c;
};

struct ic_device_stats_list {
	struct ic_device_stats *devices;
	size_t count;
};

/*
 * Dump the module's groups over netlink into @list; 0, or -1 with the reason
 * in @why (the module is not loaded, a --sysroot tree is read, the dump
 * failed).
 */
int device_stats_load(struct ic_device_stats_list *list, char *why, size_t size);
void device_stats_free(struct ic_device_stats_list *list);
/*
 * Hold the module's DMA accounting on for as long as @nl stays open (the
 * module drops the hold when the socket closes, however the process ends).
 * 0 when it is held (or the module counts always); otherwise -1, @nl closed,
 * and @why says why not: "no module" (the module is not loaded or a
 * --sysroot tree is read), "needs root", "refused".
 */
int dma_accounting_hold(struct nlc *nl, const char **why);

/* A device's counters, or NULL when the module gave none. */
const struct ic_counters *device_stats_find(const struct ic_device_stats_list *list,
					    const char *name);

#endif
