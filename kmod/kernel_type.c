// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's own /sys/kernel/iommu_groups/<id>/type attribute.
 *
 * A group's default domain is private to drivers/iommu/iommu.c, and on stock
 * 6.1 and 6.12 kernels the type attribute is the only interface that reads
 * and changes it.  We use it rather than reimplementing it: we find the
 * group's kobject and the attribute in sysfs and call the kernel's own show
 * and store methods (iommu_group_show_type(), iommu_group_store_type()),
 * which is what reading or writing the file does, without the VFS.
 *
 * Not through the file itself: our attributes' show and store run inside a
 * sysfs read or write (the seq_file's and the kernfs_open_file's mutexes
 * held), and reading or writing another sysfs file from there takes the
 * same lock classes again, which lockdep reports as recursive locking.  A
 * direct call also keeps the real dependencies visible to lockdep: our
 * group->lock, then the kernel's group->mutex (and on 6.1 the device lock).
 *
 * Lifetimes: the caller holds a reference on the kernel's group
 * (ipol_group.kgroup), so its kobject, its sysfs directory and the type
 * attribute in it stay; the kernfs nodes we look up are referenced only
 * while we read their priv pointers.  The iommu_groups directory belongs to
 * a kset the kernel never removes; we hold a kernfs reference on it from
 * init to exit.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/gfp.h>
#include <linux/kernel.h>
#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "iommu_policy.h"
#include "iommu_policy_names.h"

static struct kernfs_node *ipol_groups_kn;	/* /sys/kernel/iommu_groups */

const char *ipol_policy_name(enum iommu_policy_type policy)
{
	return iommu_policy_name(policy);
}

const char *ipol_owner_name(enum iommu_policy_owner owner)
{
	return iommu_policy_owner_name(owner);
}

/*
 * The kernel group @group_id's kobject and its type attribute; the caller
 * holds a reference on the kernel's group (see the top of this file).
 */
static int ipol_type_attr(int group_id, struct kobject **kobj,
			  struct attribute **attr)
{
	struct kernfs_node *dir, *file;
	char name[16];

	snprintf(name, sizeof(name), "%d", group_id);
	dir = kernfs_find_and_get(ipol_groups_kn, name);
	if (!dir)
		return -ENODEV;
	file = kernfs_find_and_get(dir, "type");
	if (!file) {
		kernfs_put(dir);
		return -ENODEV;
	}
	*kobj = dir->priv;
	*attr = file->priv;
	kernfs_put(file);
	kernfs_put(dir);
	if (!*kobj || !*attr || !(*kobj)->ktype || !(*kobj)->ktype->sysfs_ops)
		return -ENODEV;
	return 0;
}

/**
 * ipol_kernel_type_read - read the default domain type of an IOMMU group
 * @group_id: the kernel's group id; the caller holds a reference on it
 * @policy: the type translated to our vocabulary (IOMMU_POLICY_UNKNOWN for a
 *          string this module does not know)
 * @raw: the kernel's string, without the newline (may be NULL)
 * @raw_size: size of @raw
 *
 * Sleeps; process context only.  Returns 0, -ENODEV when the kernel has no
 * such group (it was removed), or another negative errno.
 */
int ipol_kernel_type_read(int group_id, enum iommu_policy_type *policy,
			  char *raw, size_t raw_size)
{
	struct attribute *attr;
	struct kobject *kobj;
	char *page, *type;
	ssize_t len;
	int ret;

	ret = ipol_type_attr(group_id, &kobj, &attr);
	if (ret)
		return ret;
	/* A show method may sysfs_emit(), which wants a whole page. */
	page = (char *)__get_free_page(GFP_KERNEL);
	if (!page)
		return -ENOMEM;
	len = kobj->ktype->sysfs_ops->show(kobj, attr, page);
	if (len < 0) {
		free_page((unsigned long)page);
		return len;
	}
	page[min_t(size_t, len, PAGE_SIZE - 1)] = '\0';
	type = strim(page);
	if (raw)
		strscpy(raw, type, raw_size);
	*policy = iommu_policy_from_kernel_type(type);
	free_page((unsigned long)page);
	return 0;
}

/**
 * ipol_kernel_type_write - ask the kernel to change a group's default domain
 * @group_id: the kernel's group id; the caller holds a reference on it
 * @policy: identity, strict, lazy or auto
 *
 * The kernel checks the caller's CAP_SYS_ADMIN and CAP_SYS_RAWIO and its own
 * rules (see compat.h).  Sleeps; on 6.1 it takes the device lock of the
 * group's device, so the caller must not hold one.  Returns 0 or the
 * kernel's negative errno.
 */
int ipol_kernel_type_write(int group_id, enum iommu_policy_type policy)
{
	struct attribute *attr;
	struct kobject *kobj;
	const char *type;
	ssize_t len;
	int ret;

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

	ret = ipol_type_attr(group_id, &kobj, &attr);
	if (ret)
		return ret;
	if (!kobj->ktype->sysfs_ops->store)
		return -EACCES;
	len = kobj->ktype->sysfs_ops->store(kobj, attr, type, strlen(type));
	if (len < 0)
		return len;
	return len == strlen(type) ? 0 : -EIO;
}

int ipol_kernel_type_init(void)
{
	ipol_groups_kn = kernfs_find_and_get(kernel_kobj->sd, "iommu_groups");
	if (!ipol_groups_kn) {
		pr_err("no /sys/kernel/iommu_groups: is the kernel built with CONFIG_IOMMU_API?\n");
		return -ENODEV;
	}
	return 0;
}

void ipol_kernel_type_exit(void)
{
	kernfs_put(ipol_groups_kn);
	ipol_groups_kn = NULL;
}
