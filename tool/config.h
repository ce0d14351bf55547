/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The boot policy: /etc/iommuctl.conf and the *.conf files of
 * /etc/iommuctl.conf.d (see iommuctl.conf(5)), INI files in iniparser's
 * dialect, and which rule decides for a device.
 *
 * (The build's own config.h, autoconf's, is included through -include on the
 * compiler's command line; this one is the configuration file's.)
 */
#ifndef IOMMUCTL_CONFIG_H
#define IOMMUCTL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "groups.h"

#define CONFIG_FILE "/etc/iommuctl.conf"
#define CONFIG_DROPIN_DIR "/etc/iommuctl.conf.d"

/*
 * The match keys of a rule.  Their weights order rules by specificity: a
 * rule's weight is the sum of its keys', and every key outweighs all the
 * keys below it together (iommuctl.conf(5), PRECEDENCE).
 */
enum {
	MATCH_REMOVABLE = 1 << 0,
	MATCH_UNTRUSTED = 1 << 1,
	MATCH_DRIVER = 1 << 2,
	MATCH_CLASS = 1 << 3,
	MATCH_ID = 1 << 4,
	MATCH_SUBSYSTEM = 1 << 5,
	MATCH_ADDRESS = 1 << 6,
};

/* A PCI vendor:device pair; any_device for "VVVV:*". */
struct ic_pci_id {
	unsigned int vendor, device;
	bool any_device;
};

struct ic_rule {
	char *name;		/* NAME of [rule NAME], lower case as the file is read */
	const char *file;	/* the file it is in (one of ic_config.files) */
	unsigned int line;	/* the line of its [rule NAME] */
	unsigned int match;	/* MATCH_* it has */
	char *address;		/* fnmatch(3) pattern with the domain, lower case */
	bool address_glob;
	struct ic_pci_id id, subsystem;
	unsigned int class, class_digits;	/* the first class_digits hex digits of 6 */
	char *driver;
	bool untrusted, removable;
	int policy;		/* enum iommu_policy_type */
	int rebind;		/* 1, 0, or -1 when not given */
	char *passthrough;	/* the VFIO driver; "" for no; NULL when not given */
	int dma_accounting;	/* [defaults] only: 1, 0, or -1 when not given */
	/* [defaults] only, the recorder's: -1 (0 for the size) when not given. */
	long long record_retention;	/* days; 0 keeps all */
	unsigned long long record_max_size;	/* bytes */
	int topology_refuse;	/* topology_change: 1 refuse, 0 report */
};

struct ic_config {
	char **files;		/* the files read, in order */
	size_t nfiles;
	size_t ndropins;	/* how many of them are drop-ins (the last ones) */
	struct ic_rule *rules;	/* in the order read: a later rule wins a tie */
	size_t nrules;
	int default_policy;	/* -1 when no [defaults] gives one */
	bool default_rebind;
	const char *default_file;	/* where the default policy was set */
	unsigned int default_line;
	int dma_accounting;	/* [defaults] dma_accounting: 1, 0, or -1 when not given */
	const char *dma_accounting_file;	/* where it was set */
	unsigned int dma_accounting_line;
	long long record_retention;	/* [defaults] record_retention, days; -1 when not given */
	unsigned long long record_max_size;	/* record_max_size; 0 when not given */
	bool topology_refuse;	/* topology_change = refuse */
	const char *topology_file;	/* where it was set */
	unsigned int topology_line;
	unsigned int errors;	/* printed on stderr while loading */
};

/*
 * Read the configuration: @file alone, or with NULL the default file and the
 * drop-ins (under the --sysroot); also the drop-ins when @file is the default
 * file.  A missing default file is no error (no configuration); a missing
 * @file is.  Every error is printed on stderr as "FILE:LINE: key 'K': reason
 * (what to do)" and counted in cfg->errors; the rules are then incomplete.
 */
void config_load(struct ic_config *cfg, const char *file);
/* The same of the default files, counting errors without printing them (stats). */
void config_load_quiet(struct ic_config *cfg);
void config_free(struct ic_config *cfg);

/* What iommuctl knows of a device to match it: its group's entry and more. */
struct ic_match {
	const struct ic_device *dev;
	bool untrusted;		/* see iommuctl.conf(5), "untrusted" */
	bool removable;		/* sysfs "removable" reads "removable" */
};

/* The rule that decides for a device, or NULL ([defaults] then). */
const struct ic_rule *config_match(const struct ic_config *cfg, const struct ic_match *m);

/* The policy a rule gives (the default policy for NULL; -1 for none). */
int config_rule_policy(const struct ic_config *cfg, const struct ic_rule *rule);
/* Whether apply may unbind drivers for a device this rule decides (NULL: [defaults]). */
bool config_rule_rebind(const struct ic_config *cfg, const struct ic_rule *rule);

/* What the configuration decides for one device of a group. */
struct ic_decision {
	const struct ic_device *dev;
	const struct ic_rule *rule;	/* NULL: [defaults] */
	int policy;			/* -1: none */
	bool rebind;
	const char *passthrough;	/* the rule's VFIO driver, or NULL */
	bool removable;			/* sysfs says so: untrusted (the same mark on 6.x) */
	bool untrusted;			/* removable, or in a group the module keeps strict */
};

/* The rule, policy and rebind permission of each device of @grp into @d (grp->ndevices). */
void config_decide_devices(const struct ic_config *cfg, const struct ic_group *grp,
			   struct ic_decision *d);
/* The VFIO driver a device of the group is to be handed to (the first), or NULL. */
const char *config_group_passthrough(const struct ic_group *grp, const struct ic_decision *d);
/*
 * The group's policy from its devices': the first of identity, strict, lazy
 * (auto and no rule take no part), warning when they differ (if @warn);
 * strict when a device is untrusted.  -1 when no device asks for one.
 */
int config_group_policy(const struct ic_config *cfg, const struct ic_group *grp,
			const struct ic_decision *d, bool warn);
/* Where a device's policy comes from, for messages: "[rule nic] (FILE:LINE)". */
void config_describe_source(const struct ic_config *cfg, const struct ic_decision *d,
			    char *buf, size_t size);

#endif
