/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommu_policy: userspace interface of the iommu_policy module.
 *
 * This header is shared by the kernel module (kmod/) and the iommuctl CLI
 * (tool/).  It describes the sysfs layout and the policy vocabulary; the
 * character-device ioctls and the generic-netlink family are added here as
 * they are implemented, each struct starting with its size (see iommufd).
 */
#ifndef _UAPI_LINUX_IOMMU_POLICY_H
#define _UAPI_LINUX_IOMMU_POLICY_H

/* Where the module publishes its objects. */
#define IOMMU_POLICY_SYSFS_ROOT		"/sys/kernel/iommu_policy"
#define IOMMU_POLICY_SYSFS_GROUPS	IOMMU_POLICY_SYSFS_ROOT "/groups"

/*
 * DMA-API policy of a group's default domain.  The first four are the
 * vocabulary users write; the others are shown when the kernel reports a
 * default domain type that is not a DMA-API policy.  Their names, and the
 * kernel's type strings (/sys/kernel/iommu_groups/<id>/type) they stand for:
 *
 *  policy     name       kernel type
 *  UNKNOWN    unknown    unknown (no default domain), or a type not listed
 *  IDENTITY   identity   identity
 *  STRICT     strict     DMA
 *  LAZY       lazy       DMA-FQ
 *  AUTO       auto       auto
 *  BLOCKED    blocked    blocked
 *  UNMANAGED  unmanaged  unmanaged
 */
enum iommu_policy_type {
	IOMMU_POLICY_UNKNOWN = 0,	/* no default domain, or a type not listed here */
	IOMMU_POLICY_IDENTITY = 1,
	IOMMU_POLICY_STRICT = 2,
	IOMMU_POLICY_LAZY = 3,
	IOMMU_POLICY_AUTO = 4,		/* a request only: the kernel's default for the group */
	IOMMU_POLICY_BLOCKED = 5,
	IOMMU_POLICY_UNMANAGED = 6,
};

#endif /* _UAPI_LINUX_IOMMU_POLICY_H */
