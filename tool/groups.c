// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <fcntl.h>
#include <linux/iommu_policy_netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "groups.h"
#include "names.h"
#include "sysfs.h"
#include "util.h"

int parse_group_id(const char *s, unsigned int *id)
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

/*
 * Files are read relative to their directory, opened once (O_PATH), rather
 * than each by its full path through a group's symlinks: a tree of thousands
 * of groups and devices takes a fraction of the path lookups.  Where the
 * directory cannot be opened, its files are read by full path as they always
 * were (dirfd AT_FDCWD, prefix the directory's path and "/"), so that they
 * fail, or not, the same way.
 */
struct at_dir {
	int fd;			/* the directory, or AT_FDCWD */
	const char *prefix;	/* with AT_FDCWD: "<the directory's path>/" */
	char *path;		/* the last full path at_name() built */
};

static const char *at_name(struct at_dir *d, const char *name)
{
	if (d->fd != AT_FDCWD)
		return name;
	free(d->path);
	d->path = xasprintf("%s%s", d->prefix, name);
	return d->path;
}

/* A hexadecimal sysfs attribute ("0x8086"); false if unreadable. */
static bool read_hex(struct at_dir *d, const char *attr, unsigned int *value)
{
	char buf[32], *end;

	if (sysfs_read_str_at(d->fd, at_name(d, attr), buf, sizeof(buf)))
		return false;
	errno = 0;
	*value = (unsigned int)strtoul(buf, &end, 16);
	return !errno && end != buf && !*end;
}

static bool read_u64(const char *path, unsigned long long *value)
{
	char buf[32], *end;

	if (sysfs_read_str(path, buf, sizeof(buf)))
		return false;
	errno = 0;
	*value = strtoull(buf, &end, 10);
	return !errno && end != buf && !*end;
}

/* A whole attribute as a string, or NULL if unreadable. */
static char *read_string(const char *path)
{
	char buf[4096];

	return sysfs_read_str(path, buf, sizeof(buf)) ? NULL : xstrdup(buf);
}

/*
 * A PCI device's uevent file holds what the separate attributes hold - the
 * same struct pci_dev fields (pci_uevent(): PCI_CLASS, PCI_ID, PCI_SUBSYS_ID)
 * and the bound driver's name (dev_uevent(): DRIVER) - in one read instead of
 * five reads and a readlink.  False when it is missing (recorded trees) or
 * names no PCI ids (another bus): then the attribute files are read.
 */
static bool load_uevent(struct at_dir *d, struct ic_device *dev)
{
	char buf[4096], *save = NULL, *driver = NULL;
	bool id = false, subsys = false, cls = false;

	if (sysfs_read_str_at(d->fd, at_name(d, "uevent"), buf, sizeof(buf)))
		return false;
	for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "DRIVER=", 7))
			driver = line + 7;
		else if (!strncmp(line, "PCI_ID=", 7))
			id = sscanf(line + 7, "%x:%x", &dev->vendor, &dev->device) == 2;
		else if (!strncmp(line, "PCI_SUBSYS_ID=", 14))
			subsys = sscanf(line + 14, "%x:%x", &dev->subvendor, &dev->subdevice) == 2;
		else if (!strncmp(line, "PCI_CLASS=", 10))
			cls = sscanf(line + 10, "%x", &dev->class) == 1;
	}
	if (!id || !subsys || !cls)
		return false;
	dev->driver = driver && *driver ? xstrdup(driver) : NULL;
	dev->pci = true;
	return true;
}

/* A device of a group's devices/ directory, open as devfd (or -1). */
static void load_device(struct ic_group *grp, int devfd, struct ic_device *dev)
{
	struct at_dir d = { .fd = -1 };
	char *prefix = NULL;
	char driver[256];

	if (devfd >= 0)
		d.fd = openat(devfd, dev->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (d.fd < 0) {
		d.fd = AT_FDCWD;
		d.prefix = prefix = sysfs_path(IOMMU_GROUPS_DIR "/%u/devices/%s/", grp->id, dev->name);
	}
	if (sysfs_link_basename_at(d.fd, at_name(&d, "iommu"), driver, sizeof(driver)) == 0)
		dev->iommu = xstrdup(driver);
	if (load_uevent(&d, dev)) {
		names_lookup(dev);
		goto out;
	}
	if (sysfs_link_basename_at(d.fd, at_name(&d, "driver"), driver, sizeof(driver)) == 0)
		dev->driver = xstrdup(driver);
	dev->pci = read_hex(&d, "vendor", &dev->vendor) &&
		   read_hex(&d, "device", &dev->device) &&
		   read_hex(&d, "class", &dev->class);
	if (dev->pci) {
		/* Not every PCI device has a subsystem; the database matches 0 then. */
		if (!read_hex(&d, "subsystem_vendor", &dev->subvendor))
			dev->subvendor = 0;
		if (!read_hex(&d, "subsystem_device", &dev->subdevice))
			dev->subdevice = 0;
		names_lookup(dev);
	}
out:
	if (d.fd != AT_FDCWD)
		close(d.fd);
	free(d.path);
	free(prefix);
}

/* The devices of a group, in the iommu_groups directory g. */
static void load_devices(struct ic_group *grp, struct at_dir *g)
{
	char name[32], **names;
	int devfd;

	snprintf(name, sizeof(name), "%u/devices", grp->id);
	names = sysfs_list_dir_at(g->fd, at_name(g, name), &devfd, &grp->ndevices);
	if (!names) {
		grp->ndevices = 0;
		return;
	}
	grp->devices = xcalloc(grp->ndevices, sizeof(*grp->devices));
	for (size_t i = 0; i < grp->ndevices; i++) {
		grp->devices[i].name = names[i];	/* now the device's */
		load_device(grp, devfd, &grp->devices[i]);
	}
	close(devfd);
	free(names);
}

#define COUNTER(name, attr, dma, wide) \
	{ #name, attr, offsetof(struct ic_counters, name), dma, wide }
const struct counter_desc counter_descs[] = {
	COUNTER(faults, IOMMU_POLICY_A_COUNTERS_FAULTS, false, false),
	COUNTER(faults_read, IOMMU_POLICY_A_COUNTERS_FAULTS_READ, false, false),
	COUNTER(faults_write, IOMMU_POLICY_A_COUNTERS_FAULTS_WRITE, false, false),
	COUNTER(faults_unattributed, 0, false, true),
	COUNTER(dma_maps, IOMMU_POLICY_A_COUNTERS_DMA_MAPS, true, false),
	COUNTER(dma_unmaps, IOMMU_POLICY_A_COUNTERS_DMA_UNMAPS, true, false),
	COUNTER(dma_bytes_mapped, IOMMU_POLICY_A_COUNTERS_DMA_BYTES_MAPPED, true, false),
	COUNTER(dma_bytes_unmapped, IOMMU_POLICY_A_COUNTERS_DMA_BYTES_UNMAPPED, true, false),
};
const size_t ncounter_descs = ARRAY_SIZE(counter_descs);

unsigned long long counter_get(const struct ic_counters *c, const struct counter_desc *d)
{
	return *(const unsigned long long *)((const char *)c + d->offset);
}

bool counter_has(const struct ic_counters *c, const struct counter_desc *d, bool module_wide)
{
	return (d->dma ? c->has_dma : c->has_faults) && (!d->module_wide || module_wide);
}

void counters_read(const char *dir, struct ic_counters *c)
{
	static const struct {
		const char *name;
		size_t offset;
	} strs[] = {
		{ "last_fault_time", offsetof(struct ic_counters, last_time) },
		{ "last_fault_device", offsetof(struct ic_counters, last_device) },
		{ "last_fault_iova", offsetof(struct ic_counters, last_iova) },
	};

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < ncounter_descs; i++) {
		const struct counter_desc *d = &counter_descs[i];
		char *path = xasprintf("%s/%s", dir, d->name);
		bool ok = read_u64(path, (unsigned long long *)((char *)c + d->offset));

		/* faults and dma_maps exist whenever their kind is counted. */
		if (ok && d->offset == offsetof(struct ic_counters, faults))
			c->has_faults = true;
		if (ok && d->offset == offsetof(struct ic_counters, dma_maps))
			c->has_dma = true;
		free(path);
	}
	for (size_t i = 0; i < ARRAY_SIZE(strs); i++) {
		char *path = xasprintf("%s/%s", dir, strs[i].name);
		char *s = (char *)c + strs[i].offset;
		int ret = sysfs_read_str(path, s, 32);

		if (ret)
			s[0] = '\0';
		if ((ret == -EACCES || ret == -EPERM) && !strcmp(strs[i].name, "last_fault_iova"))
			c->last_iova_denied = true;
		free(path);
	}
}

bool module_counter_read(const char *name, unsigned long long *value)
{
	char *path = sysfs_path(IOMMU_POLICY_DIR "/stats/%s", name);
	bool ok = read_u64(path, value);

	free(path);
	return ok;
}

unsigned long long counter_gained(unsigned long long now, unsigned long long before, bool had)
{
	return had && now >= before ? now - before : now;
}

void dma_acct_read(struct ic_dma_acct *a)
{
	char *state = sysfs_path(IOMMU_POLICY_DIR "/stats/dma_accounting");
	char *since = sysfs_path(IOMMU_POLICY_DIR "/stats/dma_accounting_since");

	memset(a, 0, sizeof(*a));
	a->known = !sysfs_read_str(state, a->state, sizeof(a->state)) &&
		   !sysfs_read_str(since, a->since, sizeof(a->since));
	a->enabled = a->known && !strncmp(a->state, "on", 2);
	free(state);
	free(since);
}

const char *dma_acct_since_iso(const struct ic_dma_acct *a, char *buf, size_t size)
{
	if (!a->known || !strcmp(a->since, "0.000000000") || !format_epoch_iso(a->since, buf, size))
		return NULL;
	return buf;
}

/* The module's files of a group, if it mirrors the group. */
static void load_module_group(struct ic_group *grp)
{
	char *dir = sysfs_path(IOMMU_POLICY_DIR "/groups/%u", grp->id);
	char *path;

	path = xasprintf("%s/owner", dir);
	grp->mod.owner = read_string(path);
	free(path);
	grp->module = grp->mod.owner != NULL;
	if (grp->module) {
		path = xasprintf("%s/mandatory", dir);
		grp->mod.mandatory = read_string(path);
		free(path);
		path = xasprintf("%s/last_error", dir);
		grp->mod.last_error = read_string(path);
		free(path);
		path = xasprintf("%s/stats", dir);
		counters_read(path, &grp->mod.stats);
		free(path);
	}
	free(dir);
}

static int group_cmp(const void *a, const void *b)
{
	const struct ic_group *ga = a, *gb = b;

	return ga->id < gb->id ? -1 : ga->id > gb->id;
}

int groups_load(struct ic_group_list *list)
{
	char *dir = sysfs_path(IOMMU_GROUPS_DIR);
	char **names = sysfs_list_dir(dir, NULL);
	int err = names ? 0 : errno;	/* before anything else sets it */
	char *mdir = sysfs_path(IOMMU_POLICY_DIR "/groups");
	char **mnames = sysfs_list_dir(mdir, NULL);
	struct at_dir g = { .fd = -1 };
	char type[64], *prefix = NULL;
	size_t n = 0;

	free(mdir);
	memset(list, 0, sizeof(*list));
	list->module = mnames != NULL;
	sysfs_free_list(mnames);
	if (list->module)
		dma_acct_read(&list->acct);
	if (!names) {
		free(dir);
		return -err;
	}
	g.fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (g.fd < 0) {
		g.fd = AT_FDCWD;
		g.prefix = prefix = xasprintf("%s/", dir);
	}
	free(dir);

	for (char **p = names; *p; p++)
		n++;
	list->groups = xcalloc(n ? n : 1, sizeof(*list->groups));
	for (char **p = names; *p; p++) {
		struct ic_group *grp = &list->groups[list->count];
		char name[32];

		if (parse_group_id(*p, &grp->id))
			continue;
		snprintf(name, sizeof(name), "%u/type", grp->id);
		if (sysfs_read_str_at(g.fd, at_name(&g, name), type, sizeof(type)) == 0) {
			grp->kernel_type = xstrdup(type);
			grp->policy = policy_from_kernel_type(type);
		}
		load_devices(grp, &g);
		/* Gone between listing and reading: leave it out. */
		if (!grp->kernel_type && !grp->ndevices) {
			free(grp->devices);
			memset(grp, 0, sizeof(*grp));
			continue;
		}
		if (list->module)
			load_module_group(grp);
		list->count++;
	}
	sysfs_free_list(names);
	if (g.fd != AT_FDCWD)
		close(g.fd);
	free(g.path);
	free(prefix);
	qsort(list->groups, list->count, sizeof(*list->groups), group_cmp);
	return 0;
}

static void device_free(struct ic_device *dev)
{
	free(dev->name);
	free(dev->driver);
	free(dev->vendor_name);
	free(dev->model_name);
	free(dev->iommu);
}

void groups_free(struct ic_group_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct ic_group *grp = &list->groups[i];

		for (size_t j = 0; j < grp->ndevices; j++)
			device_free(&grp->devices[j]);
		free(grp->devices);
		free(grp->kernel_type);
		free(grp->mod.owner);
		free(grp->mod.mandatory);
		free(grp->mod.last_error);
	}
	free(list->groups);
	memset(list, 0, sizeof(*list));
}

struct ic_group *groups_find(struct ic_group_list *list, unsigned int id)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->groups[i].id == id)
			return &list->groups[i];
	return NULL;
}

/* "00:1f.2" names the same device as "0000:00:1f.2". */
static bool same_device(const char *name, const char *want)
{
	size_t nl = strlen(name), wl = strlen(want);

	if (!strcmp(name, want))
		return true;
	return is_pci_address(name) && wl == 7 && nl == 12 &&
	       !strncmp(name, "0000:", 5) && !strcmp(name + 5, want);
}

const struct ic_device *group_device(const struct ic_group *grp, const char *name)
{
	for (size_t i = 0; i < grp->ndevices; i++)
		if (same_device(grp->devices[i].name, name))
			return &grp->devices[i];
	return NULL;
}

struct ic_group *groups_find_device(struct ic_group_list *list, const char *name,
				    const struct ic_device **dev)
{
	for (size_t i = 0; i < list->count; i++) {
		const struct ic_device *d = group_device(&list->groups[i], name);

		if (d) {
			if (dev)
				*dev = d;
			return &list->groups[i];
		}
	}
	return NULL;
}

const char *device_full_name(const char *name, char *buf, size_t size)
{
	snprintf(buf, size, "%s%s",
		 !is_pci_address(name) && strlen(name) == 7 && name[2] == ':' ? "0000:" : "",
		 name);
	return buf;
}

void warn_no_group(const char *cmd, const char *name)
{
	char full[64], driver[256], *dir, *path = NULL, *link, **buses;
	size_t nbuses = 0;
	int ret;

	device_full_name(name, full, sizeof(full));
	dir = sysfs_path("/sys/bus");
	buses = strchr(full, '/') || full[0] == '.' ? NULL : sysfs_list_dir(dir, &nbuses);
	free(dir);
	for (size_t i = 0; buses && i < nbuses && !path; i++) {
		char *p = sysfs_path("/sys/bus/%s/devices/%s", buses[i], full);

		if (access(p, F_OK))
			free(p);
		else
			path = p;
	}
	sysfs_free_list(buses);
	if (!path) {
		warnx_("%s: there is no device %s (none in %s/sys/bus/*/devices; a PCI device "
		       "is named like 0000:00:1f.2: see 'lspci -D' or '%s list -o DEVICE')",
		       cmd, name, sysfs_root(), program_name);
		return;
	}
	link = xasprintf("%s/driver", path);
	ret = sysfs_link_basename(link, driver, sizeof(driver));
	free(link);
	if (ret == 0)
		warnx_("%s: device %s (driver %s) is in no IOMMU group: no enabled IOMMU "
		       "translates it, or the IOMMU driver refused it ('dmesg | grep %s' may say why)",
		       cmd, full, driver, full);
	else {
		/* For a PCI device, how to bind the driver a VM's device gets. */
		char *how = is_pci_address(full) ?
			xasprintf("one (to hand it to a VM: 'echo vfio-pci > %s/driver_override; "
				  "echo %s > %s/sys/bus/pci/drivers_probe')", path, full, sysfs_root()) :
			xstrdup("its driver");

		warnx_("%s: device %s is in no IOMMU group and no driver has bound it: where the "
		       "kernel sets a device up with its IOMMU when a driver first binds (arm64 "
		       "with a device tree or ACPI IORT), bind %s; otherwise no enabled IOMMU "
		       "translates it", cmd, full, how);
		free(how);
	}
	free(path);
}

/*
 * VFIO PCI drivers: vfio-pci and its vendor variants (mlx5_vfio_pci,
 * xe-vfio-pci, ...), which the kernel shows as the holders of the
 * vfio_pci_core module: /sys/bus/pci/drivers/D/module names the driver's
 * module, /sys/module/vfio_pci_core/holders/ those built on it.  A tree
 * without those links (a recorded one) falls back on the name.
 */
bool driver_is_vfio(const char *driver)
{
	char *path = sysfs_path("/sys/bus/pci/drivers/%s/module", driver), module[128];
	bool ret;

	if (sysfs_link_basename(path, module, sizeof(module))) {
		free(path);
		return strstr(driver, "vfio") != NULL;
	}
	free(path);
	if (!strcmp(module, "vfio_pci"))
		return true;
	path = sysfs_path("/sys/module/vfio_pci_core/holders/%s", module);
	ret = access(path, F_OK) == 0;
	free(path);
	return ret;
}

/*
 * Drivers that manage DMA themselves (driver_managed_dma in the kernel), as
 * far as sysfs tells without the module (which asks the kernel itself):
 * pci-stub, pcieport and the VFIO drivers.
 */
bool driver_manages_dma(const char *driver)
{
	static const char *const names[] = { "pci-stub", "pcieport" };

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(driver, names[i]))
			return true;
	return driver_is_vfio(driver);
}

bool device_is_bridge(const struct ic_device *dev)
{
	unsigned int sub = dev->class >> 8;

	return (dev->pci && (sub == 0x0604 || sub == 0x0609)) ||
	       (dev->driver && !strcmp(dev->driver, "pcieport"));
}

const char *group_owner(const struct ic_group *grp, bool *inferred)
{
	static char word[32];
	bool managed = false;

	if (grp->module && grp->mod.owner) {
		size_t len = strcspn(grp->mod.owner, " ");

		if (len >= sizeof(word))
			len = sizeof(word) - 1;
		memcpy(word, grp->mod.owner, len);
		word[len] = '\0';
		*inferred = false;
		return word;
	}
	*inferred = true;
	for (size_t i = 0; i < grp->ndevices; i++) {
		const char *drv = grp->devices[i].driver;

		if (drv && !driver_manages_dma(drv))
			return "dma-api";
		managed |= drv != NULL;
	}
	return managed ? "driver-managed" : "none";
}

const char *group_policy_word(const struct ic_group *grp)
{
	/* A type this tool does not know is shown as the kernel names it. */
	if (grp->policy == IOMMU_POLICY_UNKNOWN && grp->kernel_type)
		return grp->kernel_type;
	return policy_name(grp->policy);
}

bool is_pci_address(const char *s)
{
	unsigned int dom, bus, dev, fn;
	char end;

	return sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) == 4 &&
	       strlen(s) == 12;
}

/* GROUP (a number) or DEVICE; NULL with a message if neither names a group. */
struct ic_group *find_group_arg(struct ic_group_list *list, const char *cmd, const char *arg,
			       const struct ic_device **dev)
{
	struct ic_group *grp;
	unsigned int id;

	if (dev)
		*dev = NULL;
	if (arg[0] && !arg[strspn(arg, "0123456789")]) {
		grp = parse_group_id(arg, &id) ? NULL : groups_find(list, id);
		if (!grp)
			warnx_("%s: there is no IOMMU group %s (see '%s list')", cmd, arg, program_name);
		return grp;
	}
	grp = groups_find_device(list, arg, dev);
	if (!grp)
		warn_no_group(cmd, arg);
	return grp;
}

/* Load the groups, explaining an empty or unreadable list; exit status or -1. */
int load_groups_or_explain(struct ic_group_list *list, const char *cmd)
{
	int ret = groups_load(list);

	if (ret == -ENOENT) {
		warnx_("%s: no IOMMU groups: %s%s does not exist; the kernel runs without an IOMMU "
		       "(enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on)",
		       cmd, sysfs_root(), IOMMU_GROUPS_DIR);
		return EXIT_FAILURE;
	}
	if (ret) {
		warnx_("%s: cannot read %s%s: %s", cmd, sysfs_root(), IOMMU_GROUPS_DIR,
		       strerror(-ret));
		return EXIT_FAILURE;
	}
	if (!list->count) {
		warnx_("%s: no IOMMU groups in %s%s: no device is behind an enabled IOMMU "
		       "(boot with intel_iommu=on or amd_iommu=on; 'dmesg | grep -i -e DMAR -e AMD-Vi' tells why)",
		       cmd, sysfs_root(), IOMMU_GROUPS_DIR);
		groups_free(list);
		return EXIT_FAILURE;
	}
	return -1;
}
