/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI device behind an SMMUv3 StreamID, from the device tree.
 */
#ifndef IOMMUCTL_STREAMID_H
#define IOMMUCTL_STREAMID_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The PCI device ("0000:00:01.0") whose requester ID the device tree maps to
 * stream ID sid of the IOMMU named iommu (its platform device, "9050000.smmuv3"),
 * through the iommu-map of the device's PCI host bridge (the binding's
 * pci-iommu.txt: entries of rid-base, IOMMU phandle, sid-base, length, after
 * iommu-map-mask).  Under the sysfs root.  False when none does: no device tree
 * (ACPI's IORT is not read), no such device now, or another IOMMU's stream.
 */
bool stream_id_device(const char *iommu, unsigned int sid, char *dev, size_t size);

#endif
