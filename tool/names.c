// SPDX-License-Identifier: GPL-2.0-or-later
#include <libudev.h>
#include <stdio.h>
#include <string.h>

#include "names.h"
#include "util.h"

static struct udev *udev;
static struct udev_hwdb *hwdb;
static int hwdb_failed;

static struct udev_hwdb *hwdb_open(void)
{
	if (hwdb || hwdb_failed)
		return hwdb;
	udev = udev_new();
	if (udev)
		hwdb = udev_hwdb_new(udev);
	/* No database (a minimal container): names are simply left out. */
	if (!hwdb)
		hwdb_failed = 1;
	return hwdb;
}

void names_lookup(struct ic_device *dev)
{
	struct udev_list_entry *entry;
	struct udev_hwdb *db;
	char modalias[96];

	if (!dev->pci || !(db = hwdb_open()))
		return;
	/* The kernel's modalias for PCI (drivers/pci/pci-sysfs.c), which hwdb matches. */
	snprintf(modalias, sizeof(modalias),
		 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 dev->vendor, dev->device, dev->subvendor, dev->subdevice,
		 (dev->class >> 16) & 0xff, (dev->class >> 8) & 0xff, dev->class & 0xff);
	udev_list_entry_foreach(entry, udev_hwdb_get_properties_list_entry(db, modalias, 0)) {
		const char *key = udev_list_entry_get_name(entry);
		const char *value = udev_list_entry_get_value(entry);

		if (!strcmp(key, "ID_VENDOR_FROM_DATABASE") && !dev->vendor_name)
			dev->vendor_name = xstrdup(value);
		else if (!strcmp(key, "ID_MODEL_FROM_DATABASE") && !dev->model_name)
			dev->model_name = xstrdup(value);
	}
}

void names_close(void)
{
	if (hwdb)
		udev_hwdb_unref(hwdb);
	if (udev)
		udev_unref(udev);
	hwdb = NULL;
	udev = NULL;
	hwdb_failed = 0;
}
