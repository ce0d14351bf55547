/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommu_policy: userspace interface of the iommu_policy module.
 *
 * This header is shared by the kernel module (kmod/) and the iommuctl CLI
 * (tool/).  It describes the sysfs layout, the policy vocabulary and the
 * ioctls of /dev/iommu_policy; see iommu_policy(4).
 */
#ifndef _UAPI_LINUX_IOMMU_POLICY_H
#define _UAPI_LINUX_IOMMU_POLICY_H

#include <linux/ioctl.h>
#include <linux/types.h>

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

/* Who owns a group's DMA (groups/<id>/owner). */
enum iommu_policy_owner {
	IOMMU_POLICY_OWNER_NONE = 0,
	IOMMU_POLICY_OWNER_DMA_API = 1,		/* a bound driver uses the DMA API */
	IOMMU_POLICY_OWNER_DRIVER_MANAGED = 2,	/* only driver_managed_dma drivers */
	IOMMU_POLICY_OWNER_CLAIMED = 3,		/* an IOMMU_POLICY_CLAIM holder */
	IOMMU_POLICY_OWNER_QUARANTINED = 4,	/* a quarantine, kept by the module */
	IOMMU_POLICY_OWNER_CLAIMED_EXTERNAL = 5,	/* VFIO, iommufd, ... */
};

/*
 * The character device /dev/iommu_policy (root only).
 *
 * Every ioctl takes a pointer to a struct that starts with its size in
 * bytes, set by the caller.  A caller built against an older header passes a
 * smaller size (at least the op's first version); a newer one may pass a
 * bigger size if the bytes the module does not know are zero, else E2BIG.
 * Unknown flags give EINVAL, an unknown ioctl ENOTTY.  Output fields are
 * copied back up to the caller's size.
 */
#define IOMMU_POLICY_TYPE	0xB7
#define IOMMU_POLICY_CMD_BASE	0x80

enum {
	IOMMU_POLICY_CMD_GET_INFO = IOMMU_POLICY_CMD_BASE,
	IOMMU_POLICY_CMD_GROUP_INFO,
	IOMMU_POLICY_CMD_CLAIM,
	IOMMU_POLICY_CMD_RELEASE,
	IOMMU_POLICY_CMD_SET_POLICY,
};

/* Features of the running module (struct iommu_policy_info.features). */
#define IOMMU_POLICY_FEATURE_CLAIM		(1ULL << 0)
#define IOMMU_POLICY_FEATURE_QUARANTINE		(1ULL << 1)
#define IOMMU_POLICY_FEATURE_SET_POLICY		(1ULL << 2)
/* The kernel changes groups with several devices (Linux 6.4 and later). */
#define IOMMU_POLICY_FEATURE_MULTI_DEVICE_CHANGE (1ULL << 3)
/*
 * DMA-API map counters per group and device (Linux 6.12 and later, from the
 * kernel's dma tracepoints).
 */
#define IOMMU_POLICY_FEATURE_DMA_PER_DEVICE	(1ULL << 4)

/**
 * struct iommu_policy_info - IOMMU_POLICY_GET_INFO
 * @size: sizeof(struct iommu_policy_info)
 * @flags: must be 0
 * @features: output, IOMMU_POLICY_FEATURE_*
 * @version: output, the module's version, NUL-terminated
 */
struct iommu_policy_info {
	__u32 size;
	__u32 flags;
	__aligned_u64 features;
	char version[32];
};

#define IOMMU_POLICY_GET_INFO	_IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_GET_INFO)

/**
 * struct iommu_policy_group_info - IOMMU_POLICY_GROUP_INFO
 * @size: sizeof(struct iommu_policy_group_info)
 * @flags: must be 0
 * @group_id: the group (ENOENT if there is none)
 * @policy: output, enum iommu_policy_type
 * @mandatory: output, enum iommu_policy_type: STRICT if a member is
 *	untrusted, else UNKNOWN (none)
 * @owner: output, enum iommu_policy_owner
 * @owner_pid: output, the claim's holder (0 for other owners)
 * @claimed_since: output, when the claim was taken (CLOCK_REALTIME seconds)
 * @owner_comm: output, the holder's command name, NUL-terminated
 * @num_devices: output, the number of member devices
 * @devices_len: input, the size of the buffer at @devices_uptr; output, the
 *	size needed for every device name, NUL-terminated one after the other.
 *	The names are copied only when they all fit.
 * @devices_uptr: input, a buffer for the device names, or 0
 */
struct iommu_policy_group_info {
	__u32 size;
	__u32 flags;
	__u32 group_id;
	__u32 policy;
	__u32 mandatory;
	__u32 owner;
	__u32 owner_pid;
	__u32 num_devices;
	__aligned_u64 claimed_since;
	char owner_comm[16];
	__u32 devices_len;
	__u32 __reserved;
	__aligned_u64 devices_uptr;
};

#define IOMMU_POLICY_GROUP_INFO	_IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_GROUP_INFO)

/* Keep the claim after the file is closed, until RELEASE or module unload. */
#define IOMMU_POLICY_CLAIM_QUARANTINE	(1U << 0)

/**
 * struct iommu_policy_claim - IOMMU_POLICY_CLAIM
 * @size: sizeof(struct iommu_policy_claim)
 * @flags: IOMMU_POLICY_CLAIM_QUARANTINE or 0
 * @group_id: the group to own exclusively
 * @__reserved: must be 0
 *
 * Fails with EBUSY unless the group is unowned (no bound driver of any kind,
 * no other claim, no VFIO or iommufd user).  While claimed, the group's DMA
 * is blocked and no driver can bind to its devices.  Released when the file
 * is closed, unless it is a quarantine.
 */
struct iommu_policy_claim {
	__u32 size;
	__u32 flags;
	__u32 group_id;
	__u32 __reserved;
};

#define IOMMU_POLICY_CLAIM	_IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_CLAIM)

/**
 * struct iommu_policy_release - IOMMU_POLICY_RELEASE
 * @size: sizeof(struct iommu_policy_release)
 * @flags: must be 0
 * @group_id: a group claimed through this file, or quarantined by anyone
 * @__reserved: must be 0
 */
struct iommu_policy_release {
	__u32 size;
	__u32 flags;
	__u32 group_id;
	__u32 __reserved;
};

#define IOMMU_POLICY_RELEASE	_IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_RELEASE)

/**
 * struct iommu_policy_set_policy - IOMMU_POLICY_SET_POLICY
 * @size: sizeof(struct iommu_policy_set_policy)
 * @flags: must be 0
 * @group_id: a group claimed through this file, or quarantined
 * @policy: IOMMU_POLICY_IDENTITY, _STRICT, _LAZY or _AUTO
 *
 * Changes the policy of a claimed group with no window in which a driver can
 * bind; the claim holds afterwards.  Errors as for writing groups/<id>/policy.
 */
struct iommu_policy_set_policy {
	__u32 size;
	__u32 flags;
	__u32 group_id;
	__u32 policy;
};

#define IOMMU_POLICY_SET_POLICY	_IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_SET_POLICY)

#endif /* _UAPI_LINUX_IOMMU_POLICY_H */
