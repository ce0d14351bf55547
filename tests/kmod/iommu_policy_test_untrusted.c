// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: mark one PCI device untrusted, as the kernel does for
 * devices behind external-facing ports, which QEMU cannot emulate.
 *
 *   insmod iommu_policy_test_untrusted.ko bdf=0000:00:01.0
 *
 * The mark is removed when the module is unloaded.  Never installed.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>

#include "iommu_policy_test.h"

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI address (DDDD:BB:DD.F) of the device to mark untrusted");

static struct pci_dev *marked;

static int __init iommu_policy_test_untrusted_init(void)
{
	marked = iommu_policy_test_get_pci(bdf);
	if (!marked)
		return -ENODEV;
	marked->untrusted = 1;
	pci_info(marked, "marked untrusted for a test\n");
	return 0;
}

static void __exit iommu_policy_test_untrusted_exit(void)
{
	marked->untrusted = 0;
	pci_info(marked, "no longer marked untrusted\n");
	pci_dev_put(marked);
}

module_init(iommu_policy_test_untrusted_init);
module_exit(iommu_policy_test_untrusted_exit);

MODULE_DESCRIPTION("iommuctl test: mark a PCI device untrusted");
MODULE_LICENSE("GPL");
