/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Can a group be passed through to a virtual machine (VFIO)?  The state
 * from the drivers alone, for list; the whole diagnosis, every finding by
 * name with the way out, for show and vfio --check.
 *
 * VFIO opens a group only when it is viable: every device in it is bound to
 * a driver that manages DMA itself (a VFIO driver, pci-stub, pcieport) or to
 * none.  A device of the group bound to a DMA-API driver makes it not viable
 * for all of them.
 */
#ifndef IOMMUCTL_PASSTHROUGH_H
#define IOMMUCTL_PASSTHROUGH_H

#include <stdbool.h>
#include <stddef.h>

struct ic_group;
struct ic_group_list;
struct out;

enum pt_state {
	PT_NONE,	/* no device on a VFIO driver */
	PT_READY,	/* a device on a VFIO driver, and the group viable */
	PT_BLOCKED,	/* a device on a VFIO driver, but the group not viable */
};

/* From the bound drivers only (cheap: for every group of a list). */
enum pt_state passthrough_state(const struct ic_group *grp);
/* "ready", "blocked", "none". */
const char *passthrough_word(enum pt_state s);

/* One finding of the diagnosis. */
struct pt_finding {
	const char *kind;	/* a stable word (iommuctl(8), vfio --check -J) */
	char *device;		/* NULL: the group as a whole */
	char *text;		/* what stands in the way, or what to know */
	char *hint;		/* the way out, or NULL */
	bool blocks_now;	/* no VFIO user can open the group until it changes */
	bool blocks_hand_over;	/* 'iommuctl vfio' refuses (without --force where in use) */
};

struct pt_check {
	const struct ic_group *grp;
	const char *driver;	/* the hand-over's driver (vfio-pci) */
	enum pt_state state;
	bool ready;		/* a VFIO program can open the group now */
	bool can_hand_over;	/* 'iommuctl vfio GROUP' would do it */
	struct pt_finding *f;
	size_t n;
};

/* Diagnose @grp for a hand-over to @driver.  Changes nothing. */
void passthrough_check(struct pt_check *c, const struct ic_group *grp, const char *driver);
void passthrough_check_free(struct pt_check *c);
/*
 * The diagnosis: text, a verdict line and one line per finding; JSON, keys
 * state, ready, can_hand_over, driver, devices[] (device, driver,
 * role) and findings[] (kind, device, text, hint, blocks_passthrough,
 * blocks_hand_over), into an open object.  @indent prefixes text lines.
 */
void passthrough_print(struct out *o, const struct pt_check *c, const char *indent);
/* The role of one device: "vfio", "bridge", "driver-managed", "dma-api", "unbound". */
const char *passthrough_role(const struct ic_group *grp, size_t i);

#endif
