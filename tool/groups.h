/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IOMMU groups as the kernel itself shows them in /sys/kernel/iommu_groups,
 * so that listing works with or without the iommu_policy module.
 */
#ifndef IOMMUCTL_GROUPS_H
#define IOMMUCTL_GROUPS_H

#include <stddef.h>

#include "policy.h"

struct ic_device {
	char *name;		/* e.g. "0000:00:1f.2" */
	char *driver;		/* bound driver, NULL if none */
};

struct ic_group {
	unsigned int id;
	enum iommu_policy_type policy;
	char *kernel_type;	/* the type file as read, NULL if unreadable */
	struct ic_device *devices;
	size_t ndevices;
};

struct ic_group_list {
	struct ic_group *groups;	/* sorted by id */
	size_t count;
};

/*
 * Read every group under <sysroot>/sys/kernel/iommu_groups.  Returns 0, or
 * -errno when the directory cannot be read (-ENOENT: the kernel has no IOMMU
 * groups at all).  A group that disappears while it is read is left out.
 */
int groups_load(struct ic_group_list *list);
void groups_free(struct ic_group_list *list);

#define IOMMU_GROUPS_DIR "/sys/kernel/iommu_groups"

#endif
