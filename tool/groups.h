/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The IOMMU groups as the kernel itself shows them in /sys/kernel/iommu_groups,
 * so that listing works with or without the iommu_policy module, and what the
 * module adds (owner, mandatory policy, counters) when it is loaded.
 */
#ifndef IOMMUCTL_GROUPS_H
#define IOMMUCTL_GROUPS_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

struct ic_device {
	char *name;		/* e.g. "0000:00:1f.2" */
	char *driver;		/* bound driver, NULL if none */
	bool pci;		/* the PCI ids below were read */
	unsigned int vendor, device, subvendor, subdevice, class;
	char *vendor_name;	/* from the udev hardware database, NULL if unknown */
	char *model_name;
	char *iommu;		/* the IOMMU unit (/sys/class/iommu name), NULL if unknown */
};

/* The module's counters of a group or of the module (a stats/ directory). */
struct ic_counters {
	bool has_faults;	/* faults, faults_read, faults_write were read */
	bool has_dma;		/* dma_* exist (Linux 6.12 and later) */
	unsigned long long faults, faults_read, faults_write, faults_unattributed;
	unsigned long long dma_maps, dma_unmaps, dma_bytes_mapped, dma_bytes_unmapped;
	/* As the files show them; "" when unreadable. */
	char last_time[32], last_device[32], last_iova[32];
	bool last_iova_denied;	/* last_fault_iova is root's */
};

/*
 * The module's numeric counters, once for every reader and printer: the file
 * in stats/ (also the JSON key), the attribute in a netlink counters nest (0:
 * none), where it is kept.
 */
struct counter_desc {
	const char *name;
	int nl_attr;
	size_t offset;		/* an unsigned long long in struct ic_counters */
	bool dma;		/* a DMA counter: there when has_dma */
	bool module_wide;	/* only in the module's own stats/ */
};
extern const struct counter_desc counter_descs[];
extern const size_t ncounter_descs;
unsigned long long counter_get(const struct ic_counters *c, const struct counter_desc *d);
/* Whether @c has @d (read, and the kind the kernel counts). */
bool counter_has(const struct ic_counters *c, const struct counter_desc *d, bool module_wide);

/* Read a stats/ directory (under the sysroot already). */
void counters_read(const char *dir, struct ic_counters *c);
/* A module-wide counter, /sys/kernel/iommu_policy/stats/NAME; false if unreadable. */
bool module_counter_read(const char *name, unsigned long long *value);
/*
 * What a counter gained since it read @before: all of @now when there was no
 * earlier reading (@had false) or the counters were reset in between.
 */
unsigned long long counter_gained(unsigned long long now, unsigned long long before, bool had);

/* What the iommu_policy module says of a group; valid when module is set. */
struct ic_module_group {
	char *owner;		/* groups/N/owner, whole line */
	char *mandatory;	/* "strict" or "none" */
	char *last_error;
	struct ic_counters stats;	/* groups/N/stats/ */
};

struct ic_group {
	unsigned int id;
	enum iommu_policy_type policy;
	char *kernel_type;	/* the type file as read, NULL if unreadable */
	struct ic_device *devices;
	size_t ndevices;
	bool module;		/* the module mirrors this group */
	struct ic_module_group mod;
};

/*
 * The module's DMA accounting (iommu_policy(4)): whether its DMA and IOMMU
 * map counters count now, as stats/dma_accounting and _since show it.
 */
struct ic_dma_acct {
	bool known;		/* the files exist (a module without them counts always) */
	bool enabled;
	char state[64];		/* "on pinned clients=1", "off" */
	char since[32];		/* last turned on, "1796587469.784163042"; "0.000000000": never */
};

/* Read it (under the sysroot); known is false without the module or the files. */
void dma_acct_read(struct ic_dma_acct *a);
/* When it was last turned on, ISO 8601 into @buf; NULL when unknown or never. */
const char *dma_acct_since_iso(const struct ic_dma_acct *a, char *buf, size_t size);

struct ic_group_list {
	struct ic_group *groups;	/* sorted by id */
	size_t count;
	bool module;			/* /sys/kernel/iommu_policy exists */
	struct ic_dma_acct acct;	/* when module */
};

/*
 * Read every group under <sysroot>/sys/kernel/iommu_groups, with the module's
 * view where it is loaded.  Returns 0, or -errno when the directory cannot be
 * read (-ENOENT: the kernel has no IOMMU groups at all).  A group that
 * disappears while it is read is left out.
 */
int groups_load(struct ic_group_list *list);
void groups_free(struct ic_group_list *list);

/* The group with this id, or NULL. */
struct ic_group *groups_find(struct ic_group_list *list, unsigned int id);
/* A group number as the kernel names groups: 0, -EINVAL if @s is not one. */
int parse_group_id(const char *s, unsigned int *id);
/* Load the groups, or explain on stderr why there are none: an exit status, or -1 if loaded. */
int load_groups_or_explain(struct ic_group_list *list, const char *cmd);
/*
 * GROUP (a number) or DEVICE: the group, or NULL after saying why.  *dev (if
 * given) is the device when a device was named, else NULL.
 */
struct ic_group *find_group_arg(struct ic_group_list *list, const char *cmd, const char *arg,
				const struct ic_device **dev);
/* The device of a group with this name ("00:1f.2" for "0000:00:1f.2"), or NULL. */
const struct ic_device *group_device(const struct ic_group *grp, const char *name);
/* The group a device (PCI address or name) is in, or NULL. */
struct ic_group *groups_find_device(struct ic_group_list *list, const char *name,
				    const struct ic_device **dev);

/*
 * "CMD: device NAME is in no IOMMU group", with why where sysfs tells: no
 * such device; a driver bound to it (no enabled IOMMU translates it, or the
 * IOMMU driver refused it); or no driver yet, where the kernel sets a device
 * up with its IOMMU when a driver first binds (arm64 with a device tree or
 * ACPI IORT), with how to bind one.
 */
void warn_no_group(const char *cmd, const char *name);

/*
 * The owner as one word: the module's (none, dma-api, driver-managed, claimed,
 * quarantined, claimed-external), or without the module what the bound
 * drivers suggest (none, dma-api, driver-managed).  *inferred says which.
 */
const char *group_owner(const struct ic_group *grp, bool *inferred);

/* A VFIO PCI driver: vfio-pci or a vendor variant built on vfio_pci_core. */
bool driver_is_vfio(const char *driver);
/* A driver that manages DMA itself (pci-stub, pcieport, VFIO): no DMA-API owner. */
bool driver_manages_dma(const char *driver);

/* A PCI bridge (PCI-to-PCI or subtractive), or a port pcieport drives. */
bool device_is_bridge(const struct ic_device *dev);

/* The policy as a word; a kernel type this tool does not know, as the kernel names it. */
const char *group_policy_word(const struct ic_group *grp);

/* "0000:00:1f.2"-style PCI address, or a bus address with the domain left out. */
bool is_pci_address(const char *s);
/* @name as sysfs names it: "00:1f.2" (segment left out) is "0000:00:1f.2". */
const char *device_full_name(const char *name, char *buf, size_t size);

#define IOMMU_GROUPS_DIR "/sys/kernel/iommu_groups"
#define IOMMU_POLICY_DIR "/sys/kernel/iommu_policy"

#endif
