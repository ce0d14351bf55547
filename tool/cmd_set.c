// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl set GROUP|DEVICE POLICY [--rebind] [--dry-run] [--force]
 *
 * The command only: the change itself (preflight, plan, the --rebind
 * transaction and its journal, rollback, in-use checks) is the policy-change
 * engine's, change.c, which apply, quarantine --unbind and release --rebind
 * use too.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "change.h"
#include "groups.h"
#include "iommuctl.h"
#include "names.h"
#include "policy.h"
#include "sysfs.h"
#include "util.h"

void cmd_set_usage(void)
{
	printf("Usage: %s set [OPTIONS] GROUP|DEVICE POLICY\n"
	       "\n"
	       "Change an IOMMU group's DMA-API policy: identity (or passthrough), strict,\n"
	       "lazy, or auto (the kernel's default).  A device stands for its whole group.\n"
	       "Through the iommu_policy module when it is loaded,\n"
	       "else through the kernel's /sys/kernel/iommu_groups/N/type.\n"
	       "\n"
	       "Options:\n"
	       "      --rebind        unbind the group's drivers, switch, and bind each device\n"
	       "                      to the driver it had; on failure restore the old policy\n"
	       "                      and bindings\n"
	       "      --dry-run       print what would be done, change nothing\n"
	       "      --force         with --rebind, also unbind devices that back a mounted\n"
	       "                      filesystem, swap, or a network interface that is up\n"
	       "      --sysroot DIR   read sysfs under DIR (with --dry-run only)\n"
	       "  -h, --help          show this help\n", program_name);
}

/* --- the command ------------------------------------------------------------------------ */

int cmd_set(int argc, char **argv)
{
	enum { OPT_REBIND = 256, OPT_DRY_RUN, OPT_FORCE };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "rebind", no_argument, NULL, OPT_REBIND },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct policy_change pc = {
		.cmd = "set", .rebind_hint = "--rebind", .force_hint = "--force does",
		.print_switch = true, .plan_devices = true,
	};
	const struct ic_device *dev;
	bool dry_run = false, permitted;
	struct ic_group_list list;
	struct ic_group *grp;
	int opt, ret, target;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case OPT_REBIND:
			pc.rebind = true;
			break;
		case OPT_DRY_RUN:
			dry_run = true;
			break;
		case OPT_FORCE:
			pc.force = true;
			break;
		case 'h':
			cmd_set_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help set'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2) {
		warnx_("set: give a group (or device) and a policy (see '%s help set')", program_name);
		return EXIT_USAGE;
	}
	target = policy_from_request(argv[optind + 1]);
	if (target < 0) {
		warnx_("set: '%s' is not a policy: use " POLICY_REQUEST_WORDS, argv[optind + 1]);
		return EXIT_USAGE;
	}
	if (sysfs_root()[0] && !dry_run) {
		warnx_("set: --sysroot reads a recorded tree; changing it needs --dry-run");
		return EXIT_USAGE;
	}
	permitted = policy_change_permitted();
	if (!permitted && !dry_run)
		return needs_root("set", "changing a group's policy", true);
	/* What a killed run left, first: the groups are then read as they are. */
	if (policy_change_recover("set", dry_run))
		return EXIT_FAILURE;
	ret = load_groups_or_explain(&list, "set");
	if (ret >= 0)
		return ret;
	grp = find_group_arg(&list, "set", argv[optind], &dev);
	if (!grp) {
		ret = EXIT_FAILURE;
		goto out;
	}
	if (target == (int)grp->policy) {
		printf("group %u is %s already\n", grp->id, policy_name(grp->policy));
		ret = EXIT_SUCCESS;
		goto out;
	}
	ret = policy_change_prepare(&pc, &list, grp, target);
	if (ret)
		goto out;
	if (dev && grp->ndevices > 1)
		printf("%s is in group %u with %zu other device%s: a policy is the whole group's, so all %zu change\n",
		       dev->name, grp->id, grp->ndevices - 1, grp->ndevices > 2 ? "s" : "",
		       grp->ndevices);
	if (dry_run) {
		printf("group %u: %s -> %s, through %s\n", grp->id, policy_name(grp->policy),
		       policy_name(target), policy_change_route(&list));
		policy_change_plan(&pc, grp, target);
		if (!permitted)
			ret = needs_root("set", "the change", true);
		goto out;
	}
	ret = policy_change_run(&pc, &list, grp, target);
out:
	policy_change_free(&pc);
	groups_free(&list);
	names_close();
	return ret;
}
