// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "sysfs.h"
#include "util.h"

static int parse_group_id(const char *s, unsigned int *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > 0x7fffffff)
		return -EINVAL;
	*id = (unsigned int)v;
	return 0;
}

static void load_devices(struct ic_group *grp)
{
	char *dir = sysfs_path(IOMMU_GROUPS_DIR "/%u/devices", grp->id);
	char **names = sysfs_list_dir(dir, &grp->ndevices);
	char driver[256];

	free(dir);
	if (!names) {
		grp->ndevices = 0;
		return;
	}
	grp->devices = xcalloc(grp->ndevices, sizeof(*grp->devices));
	for (size_t i = 0; i < grp->ndevices; i++) {
		char *link = sysfs_path(IOMMU_GROUPS_DIR "/%u/devices/%s/driver",
					grp->id, names[i]);

		grp->devices[i].name = names[i];
		if (sysfs_link_basename(link, driver, sizeof(driver)) == 0)
			grp->devices[i].driver = xstrdup(driver);
		free(link);
	}
	/* The names now belong to the devices. */
	free(names);
}

int groups_load(struct ic_group_list *list)
{
	char *dir = sysfs_path(IOMMU_GROUPS_DIR);
	char **names = sysfs_list_dir(dir, NULL);
	char type[64];
	size_t n = 0;

	free(dir);
	memset(list, 0, sizeof(*list));
	if (!names)
		return -errno;

	for (char **p = names; *p; p++)
		n++;
	list->groups = xcalloc(n, sizeof(*list->groups));
	for (char **p = names; *p; p++) {
		struct ic_group *grp = &list->groups[list->count];
		char *type_path;

		if (parse_group_id(*p, &grp->id))
			continue;
		type_path = sysfs_path(IOMMU_GROUPS_DIR "/%u/type", grp->id);
		if (sysfs_read_str(type_path, type, sizeof(type)) == 0) {
			grp->kernel_type = xstrdup(type);
			grp->policy = policy_from_kernel_type(type);
		}
		free(type_path);
		load_devices(grp);
		/* Gone between listing and reading: leave it out. */
		if (!grp->kernel_type && !grp->ndevices) {
			free(grp->devices);
			memset(grp, 0, sizeof(*grp));
			continue;
		}
		list->count++;
	}
	sysfs_free_list(names);
	return 0;
}

void groups_free(struct ic_group_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct ic_group *grp = &list->groups[i];

		for (size_t j = 0; j < grp->ndevices; j++) {
			free(grp->devices[j].name);
			free(grp->devices[j].driver);
		}
		free(grp->devices);
		free(grp->kernel_type);
	}
	free(list->groups);
	memset(list, 0, sizeof(*list));
}
