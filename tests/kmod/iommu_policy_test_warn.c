// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: loading it makes the kernel print a real WARNING with a
 * call trace, so the VM harness's check of the guest kernel log is itself
 * tested (tests/vm/harness.test).  Never installed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init iommu_policy_test_warn_init(void)
{
	WARN(1, "iommu_policy_test_warn: deliberate warning for the harness test\n");
	return 0;
}

static void __exit iommu_policy_test_warn_exit(void)
{
}

module_init(iommu_policy_test_warn_init);
module_exit(iommu_policy_test_warn_exit);

MODULE_DESCRIPTION("iommuctl test: print a kernel WARNING on load");
MODULE_LICENSE("GPL");
