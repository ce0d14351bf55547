// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: hold pci_lock_rescan_remove() for a while, so that a
 * test can line up who waits for it in which order
 * (tests/vm/guest/sriov-checks):
 *
 *   echo MS >/sys/kernel/debug/iommu_policy_test_lock/hold_rescan_ms
 *
 * takes the lock, sleeps MS milliseconds (at most 10000) and lets it go, in
 * the writer's context: the write returns when the lock is let go.  Never
 * installed.
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/pci.h>

static struct dentry *iommu_policy_test_lock_dir;

static ssize_t hold_rescan_write(struct file *file, const char __user *ubuf,
				 size_t count, loff_t *ppos)
{
	unsigned int ms;
	int ret;

	ret = kstrtouint_from_user(ubuf, count, 0, &ms);
	if (ret)
		return ret;
	if (ms > 10000)
		return -ERANGE;
	pci_lock_rescan_remove();
	msleep(ms);
	pci_unlock_rescan_remove();
	return count;
}

static const struct file_operations hold_rescan_fops = {
	.owner = THIS_MODULE,
	.write = hold_rescan_write,
	.llseek = noop_llseek,
};

static int __init iommu_policy_test_lock_init(void)
{
	iommu_policy_test_lock_dir = debugfs_create_dir("iommu_policy_test_lock", NULL);
	debugfs_create_file("hold_rescan_ms", 0200, iommu_policy_test_lock_dir, NULL,
			    &hold_rescan_fops);
	return 0;
}

static void __exit iommu_policy_test_lock_exit(void)
{
	debugfs_remove_recursive(iommu_policy_test_lock_dir);
}

module_init(iommu_policy_test_lock_init);
module_exit(iommu_policy_test_lock_exit);

MODULE_DESCRIPTION("iommuctl test: hold the PCI rescan/remove lock on request");
MODULE_LICENSE("GPL");
