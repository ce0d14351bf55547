// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own /sys/kernel/iommu_groups/<id>/type file.
 *
 * A group's default domain is private to drivers/iommu/iommu.c, and on stock
 * 6.1 and 6.12 kernels the type file is the only interface that reads and
 * changes it.  We use that file rather than reimplementing it.
 *
 * The file is opened through a private kernel-internal mount of sysfs, so the
 * result does not depend on the root directory or mount namespace of the
 * process that happens to read one of our attributes (a reader in a chroot
 * or a container without /sys still gets the right answer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/mount.h>
#include <linux/string.h>

#include "iommu_policy.h"
#include "iommu_policy_names.h"

static struct vfsmount *ipol_sysfs_mnt;

const char *ipol_policy_name(enum iommu_policy_type policy)
{
	return iommu_policy_name(policy);
}

const char *ipol_owner_name(enum iommu_policy_owner owner)
{
	return iommu_policy_owner_name(owner);
}

/**
 * ipol_kernel_type_read - read the default domain type of an IOMMU group
 * @group_id: the kernel's group id
 * @policy: the type translated to our vocabulary (IOMMU_POLICY_UNKNOWN for a
 *          string this module does not know)
 * @raw: the kernel's string, without the newline (may be NULL)
 * @raw_size: size of @raw
 *
 * Sleeps; process context only.  Returns 0, -ENODEV when the kernel has no
 * such group (it was removed), or another negative errno from the read.
 */
int ipol_kernel_type_read(int group_id, enum iommu_policy_type *policy,
			  char *raw, size_t raw_size)
{
	char path[64], buf[32], *type;
	struct file *file;
	loff_t pos = 0;
	ssize_t len;

	snprintf(path, sizeof(path), "kernel/iommu_groups/%d/type", group_id);
	file = file_open_root_mnt(ipol_sysfs_mnt, path, O_RDONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOENT ? -ENODEV : PTR_ERR(file);
	len = kernel_read(file, buf, sizeof(buf) - 1, &pos);
	fput(file);
	if (len < 0)
		return len;

	buf[len] = '\0';
	type = strim(buf);
	if (raw)
		strscpy(raw, type, raw_size);

	*policy = iommu_policy_from_kernel_type(type);
	return 0;
}

/**
 * ipol_kernel_type_write - ask the kernel to change a group's default domain
 * @group_id: the kernel's group id
 * @policy: identity, strict, lazy or auto
 *
 * The kernel checks the caller's CAP_SYS_ADMIN and CAP_SYS_RAWIO and its own
 * rules (see compat.h).  Sleeps; on 6.1 it takes the device lock of the
 * group's device, so the caller must not hold one.  Returns 0 or the
 * kernel's negative errno.
 */
int ipol_kernel_type_write(int group_id, enum iommu_policy_type policy)
{
	const char *type = iommu_policy_names[IOMMU_POLICY_UNKNOWN].kernel_type;
	struct file *file;
	loff_t pos = 0;
	char path[64];
	ssize_t len;

	switch (policy) {
	case IOMMU_POLICY_IDENTITY:
	case IOMMU_POLICY_STRICT:
	case IOMMU_POLICY_LAZY:
	case IOMMU_POLICY_AUTO:
		type = iommu_policy_names[policy].kernel_type;
		break;
	default:
		return -EINVAL;
	}

	snprintf(path, sizeof(path), "kernel/iommu_groups/%d/type", group_id);
	file = file_open_root_mnt(ipol_sysfs_mnt, path, O_WRONLY, 0);
	if (IS_ERR(file))
		return PTR_ERR(file) == -ENOENT ? -ENODEV : PTR_ERR(file);
	len = kernel_write(file, type, strlen(type), &pos);
	fput(file);
	if (len < 0)
		return len;
	return len == strlen(type) ? 0 : -EIO;
}

int ipol_kernel_type_init(void)
{
	struct file_system_type *sysfs_type;

	/*
	 * sysfs is built in (owner == NULL), so get_fs_type() took no module
	 * reference and there is nothing to put (put_filesystem() is not
	 * exported).  SB_KERNMOUNT makes this an internal mount, invisible
	 * to every mount namespace and released by kern_unmount().
	 */
	sysfs_type = get_fs_type("sysfs");
	if (!sysfs_type)
		return -ENODEV;
	ipol_sysfs_mnt = vfs_kern_mount(sysfs_type, SB_KERNMOUNT, "sysfs", NULL);
	if (IS_ERR(ipol_sysfs_mnt)) {
		int ret = PTR_ERR(ipol_sysfs_mnt);

		pr_err("cannot mount sysfs internally: %d\n", ret);
		ipol_sysfs_mnt = NULL;
		return ret;
	}
	return 0;
}

void ipol_kernel_type_exit(void)
{
	kern_unmount(ipol_sysfs_mnt);
	ipol_sysfs_mnt = NULL;
}
