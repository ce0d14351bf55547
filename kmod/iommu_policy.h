/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu_policy: internal interfaces between the module's files.
 */
#ifndef IOMMU_POLICY_INTERNAL_H
#define IOMMU_POLICY_INTERNAL_H

#include <linux/kobject.h>
#include <linux/iommu_policy.h>

/* main.c: /sys/kernel/iommu_policy */
extern struct kobject *ipol_root_kobj;

/* groups.c: /sys/kernel/iommu_policy/groups */
int ipol_groups_init(void);
void ipol_groups_exit(void);

/* kernel_type.c: the kernel's /sys/kernel/iommu_groups/<id>/type file */
int ipol_kernel_type_init(void);
void ipol_kernel_type_exit(void);
int ipol_kernel_type_read(int group_id, enum iommu_policy_type *policy,
			  char *raw, size_t raw_size);
const char *ipol_policy_name(enum iommu_policy_type policy);

#endif /* IOMMU_POLICY_INTERNAL_H */
