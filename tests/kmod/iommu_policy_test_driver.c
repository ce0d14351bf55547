// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: a PCI driver for QEMU's edu device (1234:11e8) whose
 * probe can be made to fail, for the tests of iommuctl's rebind transaction:
 *
 *   echo 2 > /sys/module/iommu_policy_test_driver/parameters/fail_probes
 *
 * makes the next two probes fail with -EIO; delay_ms makes probe and remove
 * sleep that long, so that a test can kill iommuctl while it unbinds or binds
 * the driver.  The driver uses the DMA API (it
 * sets a DMA mask and is no driver_managed_dma driver), so while it is bound
 * the group's DMA is owned by the DMA API and a change of the group's policy
 * needs it unbound.  Never installed.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>

static int fail_probes;
module_param(fail_probes, int, 0644);
MODULE_PARM_DESC(fail_probes, "fail this many of the next probes with -EIO");

static unsigned int delay_ms;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "sleep this long in probe and remove");

/* Probes of several devices may run at once; fail_probes counts for them all. */
static DEFINE_MUTEX(fail_lock);

static int iommu_policy_test_driver_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	bool fail;

	msleep(READ_ONCE(delay_ms));
	mutex_lock(&fail_lock);
	fail = fail_probes > 0;
	if (fail)
		fail_probes--;
	mutex_unlock(&fail_lock);
	if (fail) {
		pci_info(pdev, "probe refused for a test\n");
		return -EIO;
	}
	return dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
}

static void iommu_policy_test_driver_remove(struct pci_dev *pdev)
{
	msleep(READ_ONCE(delay_ms));
}

static const struct pci_device_id iommu_policy_test_driver_ids[] = {
	{ PCI_DEVICE(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, iommu_policy_test_driver_ids);

static struct pci_driver iommu_policy_test_driver = {
	.name = "iommu_policy_test_driver",
	.id_table = iommu_policy_test_driver_ids,
	.probe = iommu_policy_test_driver_probe,
	.remove = iommu_policy_test_driver_remove,
};
module_pci_driver(iommu_policy_test_driver);

MODULE_DESCRIPTION("iommuctl tests: a PCI driver for QEMU's edu device that can refuse to probe");
MODULE_LICENSE("GPL");
