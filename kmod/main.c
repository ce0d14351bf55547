// SPDX-License-Identifier: GPL-2.0
/*
 * iommu_policy: IOMMU group DMA-API policy with owner-claim semantics.
 *
 * This file owns the module's root object, /sys/kernel/iommu_policy, and the
 * order in which the parts are brought up and torn down.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "iommu_policy.h"

struct kobject *ipol_root_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", IOMMU_POLICY_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

/* The features' names, as the netlink spec names them, one line. */
static ssize_t features_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	static const char * const names[] = {
		"claim", "quarantine", "set-policy", "multi-device-change",
		"dma-per-device",
	};
	u32 features = ipol_features();
	ssize_t len = 0;
	int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (features & BIT(i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "", names[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static struct kobj_attribute features_attr = __ATTR_RO(features);

static struct attribute *ipol_root_attrs[] = {
	&version_attr.attr,
	&features_attr.attr,
	NULL,
};

static const struct attribute_group ipol_root_group = {
	.attrs = ipol_root_attrs,
};

static int __init ipol_init(void)
{
	int ret;

	ret = ipol_kernel_type_init();
	if (ret)
		return ret;

	ipol_root_kobj = kobject_create_and_add("iommu_policy", kernel_kobj);
	if (!ipol_root_kobj) {
		ret = -ENOMEM;
		goto err_type;
	}
	ret = sysfs_create_group(ipol_root_kobj, &ipol_root_group);
	if (ret)
		goto err_root;

	ret = ipol_stats_init();
	if (ret)
		goto err_root;
	ret = ipol_groups_init();
	if (ret)
		goto err_stats;
	ret = ipol_claims_init();
	if (ret)
		goto err_groups;
	ret = ipol_cdev_init();
	if (ret)
		goto err_claims;
	ret = ipol_nl_init();
	if (ret)
		goto err_cdev;
	ret = ipol_stats_start();
	if (ret)
		goto err_nl;

	/* Say what this kernel lets the counters see (stats/uncounted_dma). */
	if (!ipol_dma_per_device())
		pr_info("version %s loaded; no per-device DMA counters: this kernel has no DMA-API tracepoints\n",
			IOMMU_POLICY_VERSION);
	else if (*ipol_dma_uncounted())
		pr_info("version %s loaded; per-device DMA counters, except DMA mapped through dma_iova_link() (no tracepoint)\n",
			IOMMU_POLICY_VERSION);
	else
		pr_info("version %s loaded; per-device DMA counters\n", IOMMU_POLICY_VERSION);
	return 0;

err_nl:
	ipol_nl_exit();
err_cdev:
	ipol_cdev_exit();
err_claims:
	ipol_claims_exit();
err_groups:
	ipol_groups_exit();
err_stats:
	ipol_stats_exit();
err_root:
	/* Also removes the attribute group, if it was created. */
	kobject_put(ipol_root_kobj);
err_type:
	ipol_kernel_type_exit();
	return ret;
}

/*
 * No file of /dev/iommu_policy is open here (each holds a module reference),
 * so the claims left are quarantines; they end before the groups go.
 */
static void __exit ipol_exit(void)
{
	ipol_stats_stop();
	ipol_nl_exit();
	ipol_cdev_exit();
	ipol_claims_exit();
	ipol_groups_exit();
	ipol_stats_exit();
	kobject_put(ipol_root_kobj);
	ipol_kernel_type_exit();
	pr_info("unloaded\n");
}

module_init(ipol_init);
module_exit(ipol_exit);

MODULE_DESCRIPTION("IOMMU group DMA-API policy, ownership and statistics");
MODULE_AUTHOR("The iommuctl developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(IOMMU_POLICY_VERSION);
