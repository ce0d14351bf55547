// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: a VFIO PCI variant driver, built on vfio_pci_core the way
 * vendor variants (mlx5_vfio_pci, hisi_acc_vfio_pci, ...) are, whose probe
 * can be made to fail or to take time, for the tests of 'iommuctl vfio
 * --driver':
 *
 *   echo 1 > /sys/module/iommu_policy_test_vfio/parameters/pass_probes
 *   echo 1 > /sys/module/iommu_policy_test_vfio/parameters/fail_probes
 *
 * lets the next probe through and fails the one after with -EIO; delay_ms
 * makes probe and remove sleep that long, so that a test can kill iommuctl
 * while it binds or unbinds the driver.  Otherwise it is vfio-pci: a VFIO
 * program opens the group and its devices as with vfio-pci.  It binds only
 * through driver_override (its ID table is QEMU's edu device).  Never
 * installed.
 */
#include <linux/delay.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

#include "ipol_config.h"

static int fail_probes;
module_param(fail_probes, int, 0644);
MODULE_PARM_DESC(fail_probes, "fail this many probes with -EIO, once pass_probes have passed");

static unsigned int pass_probes;
module_param(pass_probes, uint, 0644);
MODULE_PARM_DESC(pass_probes, "let this many probes through before fail_probes counts");

static unsigned int delay_ms;
module_param(delay_ms, uint, 0644);
MODULE_PARM_DESC(delay_ms, "sleep this long in probe and remove");

/* Probes of several devices may run at once; the counts are for them all. */
static DEFINE_MUTEX(probe_lock);

static int test_vfio_open_device(struct vfio_device *core_vdev)
{
	struct vfio_pci_core_device *vdev =
		container_of(core_vdev, struct vfio_pci_core_device, vdev);
	int ret;

	ret = vfio_pci_core_enable(vdev);
	if (ret)
		return ret;
	vfio_pci_core_finish_enable(vdev);
	return 0;
}

static const struct vfio_device_ops test_vfio_ops = {
	.name		= "iommu-policy-test-vfio",
	.init		= vfio_pci_core_init_dev,
	.release	= vfio_pci_core_release_dev,
	.open_device	= test_vfio_open_device,
	.close_device	= vfio_pci_core_close_device,
	.ioctl		= vfio_pci_core_ioctl,
	.device_feature	= vfio_pci_core_ioctl_feature,
	.read		= vfio_pci_core_read,
	.write		= vfio_pci_core_write,
	.mmap		= vfio_pci_core_mmap,
	.request	= vfio_pci_core_request,
	.match		= vfio_pci_core_match,
#ifdef IPOL_HAVE_VFIO_DETACH_IOAS
	.bind_iommufd	= vfio_iommufd_physical_bind,
	.unbind_iommufd	= vfio_iommufd_physical_unbind,
	.attach_ioas	= vfio_iommufd_physical_attach_ioas,
	.detach_ioas	= vfio_iommufd_physical_detach_ioas,
#endif
#ifdef IPOL_HAVE_VFIO_REGION_INFO_CAPS
	.get_region_info_caps = vfio_pci_ioctl_get_region_info,
	.match_token_uuid = vfio_pci_core_match_token_uuid,
	.pasid_attach_ioas = vfio_iommufd_physical_pasid_attach_ioas,
	.pasid_detach_ioas = vfio_iommufd_physical_pasid_detach_ioas,
#endif
};

static int test_vfio_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct vfio_pci_core_device *vdev;
	bool fail = false;
	int ret;

	msleep(READ_ONCE(delay_ms));
	mutex_lock(&probe_lock);
	if (pass_probes)
		pass_probes--;
	else if (fail_probes > 0)
		fail = fail_probes-- > 0;
	mutex_unlock(&probe_lock);
	if (fail) {
		pci_info(pdev, "probe refused for a test\n");
		return -EIO;
	}
	vdev = vfio_alloc_device(vfio_pci_core_device, vdev, &pdev->dev, &test_vfio_ops);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	dev_set_drvdata(&pdev->dev, vdev);
	ret = vfio_pci_core_register_device(vdev);
	if (ret)
		vfio_put_device(&vdev->vdev);
	return ret;
}

static void test_vfio_remove(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	msleep(READ_ONCE(delay_ms));
	vfio_pci_core_unregister_device(vdev);
	vfio_put_device(&vdev->vdev);
}

static const struct pci_device_id test_vfio_ids[] = {
	{ PCI_DRIVER_OVERRIDE_DEVICE_VFIO(0x1234, 0x11e8) },
	{ }
};
MODULE_DEVICE_TABLE(pci, test_vfio_ids);

static struct pci_driver test_vfio_driver = {
	.name			= "iommu_policy_test_vfio",
	.id_table		= test_vfio_ids,
	.probe			= test_vfio_probe,
	.remove			= test_vfio_remove,
	.driver_managed_dma	= true,
};
module_pci_driver(test_vfio_driver);

MODULE_DESCRIPTION("iommuctl tests: a VFIO PCI variant driver that can refuse to probe");
MODULE_LICENSE("GPL");
