/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels this module builds for (Debian 6.1, 6.12
 * and 7.x).  The decisions are made by compile tests of the interfaces
 * themselves (kmod/conftest.c, run by kmod/conftest.mk into ipol_config.h:
 * IPOL_HAVE_*), and for a change of behaviour with no interface to test by
 * Kbuild's version test (IPOL_TYPE_STORE_SINGLETON_ONLY); this header is
 * where they are used.
 */
#ifndef IOMMU_POLICY_COMPAT_H
#define IOMMU_POLICY_COMPAT_H

#include <linux/device.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/string.h>
#include <linux/workqueue.h>

#include "ipol_config.h"

/*
 * Up to 6.3, iommu_groups/<id>/type changes only a group with exactly one
 * device (-EINVAL for a bigger group, checked first, so not even strict ->
 * lazy in place), and only while no driver at all is bound to it (-EBUSY,
 * vfio-pci included); strict -> lazy in place is the one change allowed
 * with a driver bound.  From 6.4 the
 * kernel refuses only while the group has DMA owners (owner_cnt), so drivers
 * with driver_managed_dma (vfio-pci, pci-stub, pcieport) do not block it.
 */
#ifndef IPOL_TYPE_STORE_SINGLETON_ONLY	/* Kbuild sets it to 1 before 6.4 */
#define IPOL_TYPE_STORE_SINGLETON_ONLY 0
#endif

/*
 * Tracepoint probes: 6.1 and 6.12 call them with preemption disabled (an
 * RCU-sched read-side section); 7.x in an SRCU-fast read-side section,
 * preemptible (measured on 7.3: preempt_count 0 in a probe from process
 * context).  Kbuild sets IPOL_PROBES_PREEMPTIBLE from the tracepoint macros.
 */
#ifndef IPOL_PROBES_PREEMPTIBLE
#define IPOL_PROBES_PREEMPTIBLE 0
#endif

/*
 * driver_override: on 6.1 a field of struct pci_dev and struct
 * platform_device, read and written under the device lock
 * (driver_set_override()); newer kernels, and Debian's 6.12 by backport,
 * keep it in struct device under its own spinlock
 * (device_set_driver_override()): IPOL_HAVE_DEVICE_DRIVER_OVERRIDE.  Only
 * PCI and platform devices honour it on both.
 *
 * ipol_get_driver_override() copies the current value ("" for none) into
 * @buf; -E2BIG if it does not fit, -EOPNOTSUPP for another bus.
 */
static inline bool ipol_has_driver_override(struct device *dev)
{
	return dev_is_pci(dev) || dev_is_platform(dev);
}

#ifdef IPOL_HAVE_DEVICE_DRIVER_OVERRIDE
static inline int ipol_get_driver_override(struct device *dev, char *buf,
					   size_t size)
{
	ssize_t len;

	if (!ipol_has_driver_override(dev))
		return -EOPNOTSUPP;
	spin_lock(&dev->driver_override.lock);
	len = strscpy(buf, dev->driver_override.name ?: "", size);
	spin_unlock(&dev->driver_override.lock);
	return len < 0 ? -E2BIG : 0;
}

static inline int ipol_set_driver_override(struct device *dev, const char *s)
{
	if (!ipol_has_driver_override(dev))
		return -EOPNOTSUPP;
	return device_set_driver_override(dev, s);
}
#else
static inline const char **ipol_driver_override_slot(struct device *dev)
{
	if (dev_is_pci(dev))
		return &to_pci_dev(dev)->driver_override;
	if (dev_is_platform(dev))
		return &to_platform_device(dev)->driver_override;
	return NULL;
}

static inline int ipol_get_driver_override(struct device *dev, char *buf,
					   size_t size)
{
	const char **slot = ipol_driver_override_slot(dev);
	ssize_t len;

	if (!slot)
		return -EOPNOTSUPP;
	device_lock(dev);
	len = strscpy(buf, *slot ?: "", size);
	device_unlock(dev);
	return len < 0 ? -E2BIG : 0;
}

static inline int ipol_set_driver_override(struct device *dev, const char *s)
{
	const char **slot = ipol_driver_override_slot(dev);

	if (!slot)
		return -EOPNOTSUPP;
	return driver_set_override(dev, slot, s, strlen(s));
}
#endif

/*
 * driver_managed_dma is a field of each bus's driver structure (pci_driver,
 * platform_driver, ...), not of struct device_driver.
 */
static inline bool ipol_driver_managed_dma(struct device *dev,
					   struct device_driver *drv)
{
	if (dev_is_pci(dev))
		return to_pci_driver(drv)->driver_managed_dma;
	if (dev_is_platform(dev))
		return to_platform_driver(drv)->driver_managed_dma;
	return false;
}

/*
 * The workqueue of the module's work items, none of which needs a
 * particular CPU: the unbound system workqueue.  7.x deprecates system_wq
 * (per-CPU; warns about workqueues that say neither WQ_PERCPU nor
 * WQ_UNBOUND) and renames system_unbound_wq system_dfl_wq, which Debian's
 * 6.12 has by backport; 6.1 has only system_unbound_wq.
 */
static inline struct workqueue_struct *ipol_wq(void)
{
#ifdef IPOL_HAVE_SYSTEM_DFL_WQ
	return system_dfl_wq;
#else
	return system_unbound_wq;
#endif
}

/*
 * The DMA-API tracepoints that name the device, as stats.c counts them
 * per device: map and unmap of single ranges (dma_map_page and
 * dma_map_resource on 6.12, dma_map_phys on 7.x) and of scatterlists.
 * Debian's 6.1 has none.
 */
#if (defined(IPOL_HAVE_DMA_MAP_PAGE_TP) || defined(IPOL_HAVE_DMA_MAP_PHYS_TP)) && \
	defined(IPOL_HAVE_DMA_MAP_SG_TP)
#define IPOL_HAVE_DMA_TRACEPOINTS 1
#endif

#endif /* IOMMU_POLICY_COMPAT_H */
