/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the in-guest test programs (ipol-fuzz, ipol-failnth) share: the
 * module's visible state read from sysfs and compared, and raw generic
 * netlink to the iommu_policy family.
 */
#ifndef IPOL_STATE_H
#define IPOL_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DEV_PATH "/dev/iommu_policy"
#define KGROUPS "/sys/kernel/iommu_groups"
#define MROOT "/sys/kernel/iommu_policy"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MAX_GROUPS 64
#define MAX_DEVS 16
#define N_GROUP_COUNTERS 6
#define N_MODULE_COUNTERS 9

/* The counters compared: each group's stats/ files, and the module's. */
extern const char *const group_counters[N_GROUP_COUNTERS];
extern const char *const module_counters[N_MODULE_COUNTERS];

struct dev_state {
	char name[32], driver[64], override[64];
};

struct group_state {
	unsigned int id;
	bool present;
	char type[32], policy[32], owner[300], mandatory[32];
	int ndev;
	struct dev_state dev[MAX_DEVS];
	char stats[N_GROUP_COUNTERS][48];
};

struct state {
	int n;
	struct group_state g[MAX_GROUPS];
	char stats[N_MODULE_COUNTERS][48];
};

/* "EBUSY", ...; "ok" for 0. */
const char *ipol_errname(int err);
/* src into dst, cut to fit. */
void copy_str(char *dst, size_t size, const char *src);
/* A whole small file, newline cut, into buf; "<ERRNAME>" when it cannot be read. */
void read_file(const char *path, char *buf, size_t size);
/* The last part of a symbolic link's target; "-" when it is no link. */
void read_link_base(const char *path, char *buf, size_t size);
/* The numeric names of a directory, sorted; count returned. */
int list_ids(const char *dir, unsigned int *ids, int max);
/*
 * Every group either side knows (the kernel's and the module's): the kernel's
 * type, the module's policy, owner and mandatory policy, the devices with
 * their drivers and driver_override, the counters; and the module's counters.
 */
void read_state(struct state *s);
/* One group of it. */
void read_group(unsigned int id, struct group_state *g);
/* The differences of one group, appended to out as "#     ..." lines. */
int diff_group(const struct group_state *a, const struct group_state *b, char *out,
	       size_t size);
struct group_state *find_group(struct state *s, unsigned int id);
/* The differences between two states (counters too unless !counters), as "#     ..." lines. */
int diff_state(const struct state *a, const struct state *b, bool counters, char *out,
	       size_t size);

/* Append a netlink attribute to msg (length *len, room cap); returns its offset. */
size_t put_attr(unsigned char *msg, size_t *len, size_t cap, uint16_t type, const void *data,
		uint16_t dlen);
/*
 * Resolve the iommu_policy family (and its events group) on @fd with
 * CTRL_CMD_GETFAMILY; 0 on success.
 */
int genl_resolve(int fd, uint32_t *seq, uint16_t *family_id, uint32_t *events_group);

#endif
