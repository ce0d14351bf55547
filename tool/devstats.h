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
/* Whether dma_accounting_hold() holds accounting on, or why not. */
enum dma_hold {
	DMA_HOLD_OK,		/* held (or the module counts always) */
	DMA_HOLD_NO_MODULE,	/* the module is not loaded, or a --sysroot tree is read */
	DMA_HOLD_NEEDS_ROOT,	/* EPERM: CAP_SYS_ADMIN is needed */
	DMA_HOLD_REFUSED,	/* the module said no */
};

/*
 * Hold the module's DMA accounting on for as long as @nl stays open (the
 * module drops the hold when the socket closes, however the process ends).
 * @nl is open only when DMA_HOLD_OK is returned.
 */
enum dma_hold dma_accounting_hold(struct nlc *nl);

/* A device's counters, or NULL when the module gave none. */
const struct ic_counters *device_stats_find(const struct ic_device_stats_list *list,
					    const char *name);

#endif
