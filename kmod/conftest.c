// SPDX-License-Identifier: GPL-2.0
/*
 * Compile tests of the kernel interfaces that differ between the kernels
 * iommu_policy.ko builds for (Debian 6.1, 6.12 and 7.x).  Never linked into
 * the module: kmod/conftest.mk compiles this file once per test, with the
 * kernel's own flags and -DIPOL_CONFTEST_<NAME>, and writes
 * "#define IPOL_HAVE_<NAME> 1" into the generated ipol_config.h for each one
 * that compiles.  compat.h (and the tests' modules) use the results.  A test
 * of the interface itself, not of a version number: stable kernels gain
 * interfaces by backport (Debian's 6.12 has device_set_driver_override()).
 *
 * Each test is the smallest use of the interface as the module uses it, so
 * that a changed prototype fails the test rather than the build.
 */
#include <linux/device.h>
#include <linux/workqueue.h>

/* Compiles wherever the tests can run at all (kmod/conftest.mk). */
#ifdef IPOL_CONFTEST_SANITY
int ipol_conftest(struct device *dev);
int ipol_conftest(struct device *dev)
{
	return dev_to_node(dev);
}
#endif

/* device_set_driver_override(): Debian's 6.12 (a backport) and 7.x; not 6.1. */
#ifdef IPOL_CONFTEST_DEVICE_DRIVER_OVERRIDE
int ipol_conftest(struct device *dev);
int ipol_conftest(struct device *dev)
{
	return device_set_driver_override(dev, "vfio-pci");
}
#endif

/*
 * The DMA-API tracepoints that name the device, with the prototypes
 * stats.c's probes have.  Debian's 6.1 has none.  6.12: dma_map_page,
 * dma_unmap_page, dma_map_resource and dma_unmap_resource; 7.x replaces the
 * four with dma_map_phys and dma_unmap_phys.  dma_map_sg and dma_unmap_sg:
 * 6.12 and 7.x.
 */
#if defined(IPOL_CONFTEST_DMA_MAP_PAGE_TP) || defined(IPOL_CONFTEST_DMA_MAP_PHYS_TP) || \
	defined(IPOL_CONFTEST_DMA_MAP_RESOURCE_TP) || defined(IPOL_CONFTEST_DMA_MAP_SG_TP)
#include <linux/dma-mapping.h>
#include <linux/scatterlist.h>
#include <trace/events/dma.h>

static void ipol_conftest_map(void *data, struct device *dev, phys_addr_t phys,
			      dma_addr_t dma, size_t size,
			      enum dma_data_direction dir, unsigned long attrs)
{
}

static void ipol_conftest_unmap(void *data, struct device *dev, dma_addr_t addr,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs)
{
}

static void ipol_conftest_map_sg(void *data, struct device *dev,
				 struct scatterlist *sgl, int nents, int ents,
				 enum dma_data_direction dir, unsigned long attrs)
{
}

static void ipol_conftest_unmap_sg(void *data, struct device *dev,
				   struct scatterlist *sgl, int nents,
				   enum dma_data_direction dir, unsigned long attrs)
{
}

void ipol_conftest(void);
void ipol_conftest(void)
{
#ifdef IPOL_CONFTEST_DMA_MAP_PAGE_TP
	check_trace_callback_type_dma_map_page(ipol_conftest_map);
	check_trace_callback_type_dma_unmap_page(ipol_conftest_unmap);
#endif
#ifdef IPOL_CONFTEST_DMA_MAP_PHYS_TP
	check_trace_callback_type_dma_map_phys(ipol_conftest_map);
	check_trace_callback_type_dma_unmap_phys(ipol_conftest_unmap);
#endif
#ifdef IPOL_CONFTEST_DMA_MAP_RESOURCE_TP
	check_trace_callback_type_dma_map_resource(ipol_conftest_map);
	check_trace_callback_type_dma_unmap_resource(ipol_conftest_unmap);
#endif
#ifdef IPOL_CONFTEST_DMA_MAP_SG_TP
	check_trace_callback_type_dma_map_sg(ipol_conftest_map_sg);
	check_trace_callback_type_dma_unmap_sg(ipol_conftest_unmap_sg);
#endif
}
#endif

/*
 * dma_iova_link(): 7.x maps DMA through an IOVA range allocated up front
 * (NVMe's block layer does), without any DMA-API tracepoint.  Not in 6.12.
 */
#ifdef IPOL_CONFTEST_DMA_IOVA_LINK
#include <linux/dma-mapping.h>

int ipol_conftest(struct device *dev, struct dma_iova_state *state, phys_addr_t phys);
int ipol_conftest(struct device *dev, struct dma_iova_state *state, phys_addr_t phys)
{
	return dma_iova_link(dev, state, phys, 0, PAGE_SIZE, DMA_TO_DEVICE, 0);
}
#endif

/*
 * system_dfl_wq, the unbound system workqueue's new name: Debian's 6.12 (a
 * backport) and 7.x, not 6.1.  7.x deprecates system_wq; system_unbound_wq
 * is to follow.
 */
#ifdef IPOL_CONFTEST_SYSTEM_DFL_WQ
struct workqueue_struct *ipol_conftest(void);
struct workqueue_struct *ipol_conftest(void)
{
	return system_dfl_wq;
}
#endif

/*
 * timer_container_of() and timer_delete_sync(), which replace from_timer()
 * and del_timer_sync(): 7.x has only the new names, 6.1 only the old ones.
 * The tests' modules use them.
 */
#ifdef IPOL_CONFTEST_TIMER_CONTAINER_OF
#include <linux/timer.h>

struct ipol_conftest_t {
	struct timer_list timer;
};

struct ipol_conftest_t *ipol_conftest(struct timer_list *t);
struct ipol_conftest_t *ipol_conftest(struct timer_list *t)
{
	struct ipol_conftest_t *c = timer_container_of(c, t, timer);

	timer_delete_sync(t);
	return c;
}
#endif

/*
 * The VFIO device operations a VFIO PCI variant driver fills (the tests'
 * iommu_policy_test_vfio): the iommufd ones with detach_ioas (6.6 on;
 * vfio_register_group_dev() refuses a device without them where iommufd is
 * built), and get_region_info_caps with the PASID and token ones (7.x: the
 * region info ioctl is no longer vfio_pci_core_ioctl()'s).
 */
#ifdef IPOL_CONFTEST_VFIO_DETACH_IOAS
#include <linux/vfio.h>

static const struct vfio_device_ops ipol_conftest_ops = {
	.detach_ioas = vfio_iommufd_physical_detach_ioas,
};

const struct vfio_device_ops *ipol_conftest(void);
const struct vfio_device_ops *ipol_conftest(void)
{
	return &ipol_conftest_ops;
}
#endif
#ifdef IPOL_CONFTEST_VFIO_REGION_INFO_CAPS
#include <linux/vfio.h>
#include <linux/vfio_pci_core.h>

static const struct vfio_device_ops ipol_conftest_ops = {
	.get_region_info_caps = vfio_pci_ioctl_get_region_info,
	.match_token_uuid = vfio_pci_core_match_token_uuid,
	.pasid_attach_ioas = vfio_iommufd_physical_pasid_attach_ioas,
};

const struct vfio_device_ops *ipol_conftest(void);
const struct vfio_device_ops *ipol_conftest(void)
{
	return &ipol_conftest_ops;
}
#endif
