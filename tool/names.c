// SPDX-License-Identifier: GPL-2.0-or-later
#include <libudev.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "util.h"

static struct udev *udev;
static struct udev_hwdb *hwdb;
static int hwdb_failed;

/*
 * What the database said of a set of ids: the devices of a model share it,
 * and a lookup costs microseconds (thousands of devices, a handful of models).
 * An open-addressed hash table, at most half full.
 */
struct name_entry {
	bool used;
	unsigned int ids[5];		/* vendor, device, subvendor, subdevice, class */
	char *vendor_name, *model_name;	/* NULL: unknown */
};
static struct name_entry *cache;
static size_t cache_size, cache_count;	/* size: 0 or a power of 2 */

static size_t ids_hash(const unsigned int ids[5])
{
	unsigned long long h = 0;

	for (int i = 0; i < 5; i++)
		h = (h + ids[i]) * 0x9e3779b97f4a7c15ULL;
	return (size_t)(h ^ (h >> 32));
}

/* The entry of these ids in the table: a used one, or the free one to fill in. */
static struct name_entry *cache_find(const unsigned int ids[5])
{
	size_t mask = cache_size - 1, i;

	for (i = ids_hash(ids) & mask; cache[i].used; i = (i + 1) & mask)
		if (!memcmp(cache[i].ids, ids, sizeof(cache[i].ids)))
			break;
	return &cache[i];
}

static void cache_grow(void)
{
	struct name_entry *old = cache;
	size_t old_size = cache_size;

	cache_size = cache_size ? cache_size * 2 : 64;
	cache = xcalloc(cache_size, sizeof(*cache));
	for (size_t i = 0; i < old_size; i++)
		if (old[i].used)
			*cache_find(old[i].ids) = old[i];
	free(old);
}

static void cache_free(void)
{
	for (size_t i = 0; i < cache_size; i++) {
		free(cache[i].vendor_name);
		free(cache[i].model_name);
	}
	free(cache);
	cache = NULL;
	cache_size = cache_count = 0;
}

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

/* Ask the database about dev's ids, into e. */
static void hwdb_lookup(struct udev_hwdb *db, const struct ic_device *dev, struct name_entry *e)
{
	struct udev_list_entry *entry;
	char modalias[96];

	/* The kernel's modalias for PCI (drivers/pci/pci-sysfs.c), which hwdb matches. */
	snprintf(modalias, sizeof(modalias),
		 "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X",
		 dev->vendor, dev->device, dev->subvendor, dev->subdevice,
		 (dev->class >> 16) & 0xff, (dev->class >> 8) & 0xff, dev->class & 0xff);
	udev_list_entry_foreach(entry, udev_hwdb_get_properties_list_entry(db, modalias, 0)) {
		const char *key = udev_list_entry_get_name(entry);
		const char *value = udev_list_entry_get_value(entry);

		if (!strcmp(key, "ID_VENDOR_FROM_DATABASE") && !e->vendor_name)
			e->vendor_name = xstrdup(value);
		else if (!strcmp(key, "ID_MODEL_FROM_DATABASE") && !e->model_name)
			e->model_name = xstrdup(value);
	}
}

void names_lookup(struct ic_device *dev)
{
	const unsigned int ids[5] = {
		dev->vendor, dev->device, dev->subvendor, dev->subdevice, dev->class,
	};
	struct name_entry *e;
	struct udev_hwdb *db;

	if (!dev->pci || !(db = hwdb_open()))
		return;
	if ((cache_count + 1) * 2 > cache_size)
		cache_grow();
	e = cache_find(ids);
	if (!e->used) {
		e->used = true;
		memcpy(e->ids, ids, sizeof(e->ids));
		cache_count++;
		hwdb_lookup(db, dev, e);
	}
	if (e->vendor_name && !dev->vendor_name)
		dev->vendor_name = xstrdup(e->vendor_name);
	if (e->model_name && !dev->model_name)
		dev->model_name = xstrdup(e->model_name);
}

void names_close(void)
{
	cache_free();
	if (hwdb)
		udev_hwdb_unref(hwdb);
	if (udev)
		udev_unref(udev);
	hwdb = NULL;
	udev = NULL;
	hwdb_failed = 0;
}
