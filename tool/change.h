/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy-change engine: everything that changes a group's policy or
 * takes its drivers away, for every command that does (set, apply,
 * quarantine --unbind, release --rebind).
 *
 *   policy_change_prepare()  the members and their drivers; the preflight
 *                            (would the kernel or the module refuse this
 *                            change at all?) and the in-use checks, before
 *                            anything is unbound;
 *   policy_change_plan()     what would be done, every device it touches;
 *   policy_change_run()      do it: switch directly, or the rebind
 *                            transaction (journal, unbind, switch, bind
 *                            again, roll back on failure), and verify;
 *   group_unbind_hold()      the same transaction around another step that
 *                            keeps the drivers off (a quarantine), recording
 *                            the drivers it removed;
 *   group_drivers_restore()  give them back (release --rebind), or say which
 *                            devices stay without a driver (release).
 *
 * Each returns an exit status; failures are explained on stderr, "CMD: ...",
 * and in one line in pc->why.
 */
#ifndef IOMMUCTL_CHANGE_H
#define IOMMUCTL_CHANGE_H

#include <stdbool.h>

#include "groups.h"

struct member;
struct policy_change {
	const char *cmd;		/* "set", "apply": starts every message */
	const char *rebind_hint;	/* what allows unbinding ("--rebind") */
	const char *force_hint;		/* what unbinds a device in use ("--force does") */
	bool rebind, force;
	bool print_switch;		/* print "group N: OLD -> NEW" once switched */
	bool plan_devices;		/* the plan lists every device it touches */
	const char *handover;		/* group_hand_over()'s driver, set before prepare */
	char why[512];			/* out: why it failed */
	struct member *m;		/* private: the members and their drivers */
	size_t bound;			/* members with a driver */
	size_t nmembers;		/* private */
};

/*
 * Prepare a change of @grp to @target (a policy; -1 for a quarantine): refuses
 * what cannot succeed (a claimed or quarantined group, an untrusted device
 * kept strict, a group of several devices on a kernel before 6.4) and, with
 * rebind and no force, a device in use.  Nothing is changed.
 */
int policy_change_prepare(struct policy_change *pc, const struct ic_group_list *list,
			  const struct ic_group *grp, int target);
void policy_change_plan(const struct policy_change *pc, const struct ic_group *grp, int target);
int policy_change_run(struct policy_change *pc, const struct ic_group_list *list,
		      const struct ic_group *grp, int target);
void policy_change_free(struct policy_change *pc);

/*
 * Finish the --rebind transactions a killed iommuctl left (their journals in
 * /run/iommuctl/rebind): bindings and driver_override restored.  With
 * dry_run only say so.  An exit status.
 */
int policy_change_recover(const char *cmd, bool dry_run);
/* Whether this process may change a policy (CAP_SYS_ADMIN and CAP_SYS_RAWIO), or reads a recorded tree. */
bool policy_change_permitted(void);
/* "the iommu_policy module" or "the kernel's type file": how a change is made. */
const char *policy_change_route(const struct ic_group_list *list);

/*
 * Unbind every driver of @grp (prepared with policy_change_prepare(), target
 * -1) under the transaction's journal and driver_override, then run @hold
 * (0, or an errno with the reason in @why), which must keep drivers off from
 * then on.  If it fails, every driver is bound again.  If it succeeds, the
 * drivers removed are recorded in /run/iommuctl/unbound/group-N for
 * group_drivers_restore().  @what names the step in messages ("quarantine").
 */
int group_unbind_hold(struct policy_change *pc, const struct ic_group *grp, const char *what,
		      int (*hold)(void *arg, char *why, size_t size), void *arg);
/*
 * After the hold ends: bind every device group_unbind_hold() recorded for
 * group @id to its driver again (rebind), or say which devices it leaves
 * without one and how to bind them; the record goes either way.  An exit
 * status (0 when there was no record).
 */
int group_drivers_restore(const char *cmd, unsigned int id, bool rebind);

/*
 * Hand every device of @grp to @pc->handover (vfio-pci or a variant), with
 * driver_override naming it so that no other driver binds (driverctl's
 * way): prepared with policy_change_prepare() (target -1, handover and
 * rebind set), which leaves bridges and devices already there alone.  The
 * same transaction as a policy change (journal; on failure every device
 * gets its driver back); the drivers it removed are recorded in
 * /run/iommuctl/vfio/group-N for group_hand_back().  An exit status.
 */
int group_hand_over(struct policy_change *pc, const struct ic_group *grp);
void group_hand_over_plan(const struct policy_change *pc, const struct ic_group *grp);
/*
 * Give the devices of @grp back: each the driver the record says it had
 * (its driver_override as it was), or without a record (a hand-over at boot,
 * or by another tool) the driver the kernel picks once the VFIO override is
 * gone.  Refused while a program has the group or a device open.  An exit
 * status; with @dry_run only the plan.
 */
int group_hand_back(const char *cmd, const struct ic_group *grp, bool dry_run);

#endif
