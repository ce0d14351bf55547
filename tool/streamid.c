// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * arm-smmu-v3 logs a fault as an event record under the SMMU's own name with
 * the StreamID of the device that caused it.  For a PCI device the StreamID
 * is its requester ID as the host bridge's iommu-map translates it: each
 * existing PCI device's requester ID is put through its host bridge's map
 * until one gives the StreamID (a handful of devices, and faults are rare).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "streamid.h"
#include "sysfs.h"
#include "util.h"

#define MAP_MAX 64	/* iommu-map entries read */

/* A device tree property of 32-bit big-endian cells; their number, or -1. */
static int read_cells(const char *path, uint32_t *cells, int max)
{
	unsigned char buf[MAP_MAX * 4 * 4];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (n % 4)
		return -1;
	if ((int)(n / 4) > max)
		n = (size_t)max * 4;
	for (size_t i = 0; i < n / 4; i++)
		cells[i] = (uint32_t)buf[4 * i] << 24 | (uint32_t)buf[4 * i + 1] << 16 |
			   (uint32_t)buf[4 * i + 2] << 8 | buf[4 * i + 3];
	return (int)(n / 4);
}

/* The phandle of the IOMMU's device tree node, or 0. */
static uint32_t iommu_phandle(const char *iommu)
{
	uint32_t ph = 0;
	char *p;

	if (strchr(iommu, '/') || !*iommu)
		return 0;
	p = sysfs_path("/sys/bus/platform/devices/%s/of_node/phandle", iommu);
	if (read_cells(p, &ph, 1) != 1)
		ph = 0;
	free(p);
	return ph;
}

/*
 * Whether the iommu-map of the host bridge above the PCI device at path
 * (resolved) maps rid to (phandle, sid).
 */
static bool maps_to(const char *real, unsigned int rid, uint32_t phandle, unsigned int sid)
{
	uint32_t map[MAP_MAX * 4], mask = 0xffffffff;
	char *bridge = xstrdup(real), *cut, *p;
	int n;
	bool found = false;

	/* .../platform/4010000000.pcie/pci0000:00/0000:00:01.0: the bridge is above "pci". */
	cut = strstr(bridge, "/pci");
	while (cut && !(cut[4] >= '0' && cut[4] <= '9' && strchr(cut + 4, ':')))
		cut = strstr(cut + 1, "/pci");
	if (!cut) {
		free(bridge);
		return false;
	}
	*cut = '\0';
	p = xasprintf("%s/of_node/iommu-map-mask", bridge);
	if (read_cells(p, &mask, 1) != 1)
		mask = 0xffffffff;
	free(p);
	p = xasprintf("%s/of_node/iommu-map", bridge);
	n = read_cells(p, map, MAP_MAX * 4);
	free(p);
	free(bridge);
	rid &= mask;
	for (int i = 0; i + 3 < n && !found; i += 4) {
		uint32_t rid_base = map[i], ph = map[i + 1], sid_base = map[i + 2], len = map[i + 3];

		if (rid >= rid_base && rid - rid_base < len)
			found = ph == phandle && sid_base + (rid - rid_base) == sid;
	}
	return found;
}

bool stream_id_device(const char *iommu, unsigned int sid, char *dev, size_t size)
{
	/*
	 * The last answer: a fault storm repeats one stream, and each search
	 * reads every PCI device's host bridge map.  Kept while the device is
	 * there (a device added since in its place would have the same ID).
	 */
	static char last_iommu[256], last_dev[64];
	static unsigned int last_sid;
	uint32_t phandle;
	char *dir, **names;
	size_t count = 0;
	bool found = false;

	if (last_dev[0] && last_sid == sid && !strcmp(last_iommu, iommu)) {
		char *p = sysfs_path("/sys/bus/pci/devices/%s", last_dev);

		found = access(p, F_OK) == 0;
		free(p);
		if (found) {
			snprintf(dev, size, "%s", last_dev);
			return true;
		}
	}
	phandle = iommu_phandle(iommu);
	if (!phandle)
		return false;
	dir = sysfs_path("/sys/bus/pci/devices");
	names = sysfs_list_dir(dir, &count);
	for (size_t i = 0; names && i < count && !found; i++) {
		unsigned int dom, bus, slot, fn;
		char end, *path, real[PATH_MAX];

		if (sscanf(names[i], "%x:%x:%x.%x%c", &dom, &bus, &slot, &fn, &end) != 4)
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if (realpath(path, real) &&
		    maps_to(real, bus << 8 | slot << 3 | fn, phandle, sid)) {
			snprintf(dev, size, "%s", names[i]);
			snprintf(last_iommu, sizeof(last_iommu), "%s", iommu);
			snprintf(last_dev, sizeof(last_dev), "%s", names[i]);
			last_sid = sid;
			found = true;
		}
		free(path);
	}
	sysfs_free_list(names);
	free(dir);
	return found;
}
