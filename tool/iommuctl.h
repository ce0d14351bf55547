/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_H
#define IOMMUCTL_H

#include <stdbool.h>
#include <stddef.h>

/* A subcommand: argv[0] is the command's name; returns the exit status. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(void);
	const char *summary;
};

int cmd_list(int argc, char **argv);
void cmd_list_usage(void);

struct ic_group_list;
struct ic_group;
struct json;
/* Load the groups, or explain on stderr why there are none: an exit status, or -1 if loaded. */
int load_groups_or_explain(struct ic_group_list *list, const char *cmd);
/* GROUP (a number) or DEVICE: the group, or NULL after saying why. */
struct ic_group *find_group_arg(struct ic_group_list *list, const char *cmd, const char *arg);
int cmd_stats(int argc, char **argv);
void cmd_stats_usage(void);
int cmd_set(int argc, char **argv);
void cmd_set_usage(void);
int cmd_apply(int argc, char **argv);
void cmd_apply_usage(void);
int cmd_check_config(int argc, char **argv);
void cmd_check_config_usage(void);

/* The policy a user asks for: identity, strict, lazy, auto, or the kernel's DMA, DMA-FQ; or -1. */
int policy_from_request(const char *word);

/*
 * One group's policy change, as set does it and apply does it for each group
 * (cmd_set.c): policy_change_prepare() (the members; with rebind, refuses to
 * unbind a device in use unless force), then policy_change_plan() to print
 * what would be done, or policy_change_run() to do it: switch directly, or
 * with rebind and drivers bound the transaction (unbind, switch, bind again,
 * roll back on failure), and verify.  Each returns an exit status; failures
 * are explained on stderr, "CMD: ...", and in one line in why.
 */
struct member;
struct policy_change {
	const char *cmd;		/* "set", "apply": starts every message */
	const char *rebind_hint;	/* what allows unbinding ("--rebind") */
	const char *force_hint;		/* what unbinds a device in use ("--force does") */
	bool rebind, force;
	bool print_switch;		/* print "group N: OLD -> NEW" once switched */
	char why[256];			/* out: why it failed */
	struct member *m;		/* private: the members and their drivers */
	size_t bound;			/* members with a driver */
};
int policy_change_prepare(struct policy_change *pc, const struct ic_group *grp);
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
/* "the iommu_policy module" or "the kernel's type file": how a change is made. */
const char *policy_change_route(const struct ic_group_list *list);
int cmd_monitor(int argc, char **argv);
void cmd_monitor_usage(void);
int cmd_watch(int argc, char **argv);
void cmd_watch_usage(void);
/* A group's keys as list -J prints them, into an open JSON object. */
void list_json_group_fields(struct json *j, const struct ic_group *grp);

int cmd_show(int argc, char **argv);
void cmd_show_usage(void);
int cmd_status(int argc, char **argv);
void cmd_status_usage(void);
int cmd_claim(int argc, char **argv);
void cmd_claim_usage(void);
int cmd_quarantine(int argc, char **argv);
void cmd_quarantine_usage(void);
int cmd_release(int argc, char **argv);
void cmd_release_usage(void);

/* Handle an option every command takes (--sysroot); 1 if it was one. */
int common_option(int opt, const char *arg);
#define COMMON_OPTIONS { "sysroot", required_argument, NULL, 'S' }

#endif
