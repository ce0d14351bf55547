// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl vfio: hand a whole IOMMU group to vfio-pci (or a vendor VFIO
 * variant driver) for a virtual machine, say whether a group can be passed
 * through (--check), and give every device its driver back (--release).
 *
 * The hand-over is the policy-change engine's transaction (change.c): in-use
 * checks first, a journal, driver_override so that no other driver binds,
 * every device bound to its old driver again if any step fails, a killed
 * run finished by the next.  The diagnosis is passthrough.c's.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
#include "out.h"
#include "passthrough.h"
#include "sysfs.h"
#include "util.h"
#include "vfio.h"

#define DEFAULT_DRIVER "vfio-pci"

void cmd_vfio_usage(void)
{
	printf("Usage: %s vfio [OPTIONS] GROUP|DEVICE\n"
	       "       %s vfio --release [OPTIONS] GROUP|DEVICE\n"
	       "       %s vfio --check [-J] GROUP|DEVICE\n"
	       "\n"
	       "Hand every device of an IOMMU group to vfio-pci, so that a virtual machine\n"
	       "(or another VFIO program) can open the group, and give them back.  PCI\n"
	       "bridges in the group keep their driver.  Any failure binds every device to\n"
	       "the driver it had; devices in use are not unbound.  Needs root.\n"
	       "\n"
	       "Options:\n"
	       "      --check         say whether the group can be passed through now, and\n"
	       "                      everything in the way with what to do; change nothing\n"
	       "      --release       give every device back the driver it had before the\n"
	       "                      hand-over (without a record of it: the kernel's pick)\n"
	       "      --persist       also at every boot and hot-plug: a rule in\n"
	       "                      /etc/iommuctl.conf.d (with --release: remove it)\n"
	       "      --driver NAME   hand the group to NAME, a VFIO variant driver\n"
	       "                      (default " DEFAULT_DRIVER ")\n"
	       "  -n, --dry-run       say what would be done, change nothing\n"
	       "      --force         also unbind devices in use (a mounted disk, an interface\n"
	       "                      that is up, the console's GPU, an open device)\n"
	       "  -J, --json          with --check: JSON output (see iommuctl(8))\n"
	       "      --sysroot DIR   read sysfs under DIR instead of / (--check only)\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Exit status of --check: 0 when the group is ready or can be handed over,\n"
	       "1 when something must change first.\n",
	       program_name, program_name, program_name);
}

static int check(struct ic_group *grp, const char *driver, bool json)
{
	struct pt_check c;
	struct json j;
	struct out o;
	int ret;

	passthrough_check(&c, grp, driver);
	if (json) {
		json_init(&j, stdout);
		out_init_json(&o, &j);
		json_open_object(&j, NULL);
		json_uint(&j, "group", grp->id);
	} else {
		out_init_text(&o, stdout);
		printf("group %u:", grp->id);
		for (size_t i = 0; i < grp->ndevices; i++)
			printf(" %s (%s%s)", grp->devices[i].name,
			       grp->devices[i].driver ? grp->devices[i].driver : "no driver",
			       device_is_bridge(&grp->devices[i]) ? ", bridge" : "");
		printf("\n");
	}
	passthrough_print(&o, &c, "  ");
	if (json) {
		json_close_object(&j);
		json_finish(&j);
	}
	ret = c.ready || c.can_hand_over ? EXIT_SUCCESS : EXIT_FAILURE;
	passthrough_check_free(&c);
	return ret;
}

int cmd_vfio(int argc, char **argv)
{
	enum { OPT_CHECK = 256, OPT_RELEASE, OPT_DRIVER, OPT_FORCE, OPT_PERSIST };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "release", no_argument, NULL, OPT_RELEASE },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "persist", no_argument, NULL, OPT_PERSIST },
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool do_check = false, do_release = false, dry_run = false, force = false, json = false;
	bool persist = false;
	const char *driver = DEFAULT_DRIVER;
	struct ic_group_list list;
	struct ic_group *grp;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "nJh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case OPT_CHECK:
			do_check = true;
			break;
		case OPT_RELEASE:
			do_release = true;
			break;
		case OPT_DRIVER:
			driver = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_PERSIST:
			persist = true;
			break;
		case 'J':
			json = true;
			break;
		case 'h':
			cmd_vfio_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help vfio'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (do_check && do_release) {
		warnx_("vfio: --check and --release: one at a time (see '%s help vfio')", program_name);
		return EXIT_USAGE;
	}
	if (json && !do_check) {
		warnx_("vfio: -J goes with --check (see '%s help vfio')", program_name);
		return EXIT_USAGE;
	}
	if ((force && (do_check || do_release)) || ((dry_run || persist) && do_check)) {
		warnx_("vfio: %s goes with a hand-over%s (see '%s help vfio')",
		       force ? "--force" : dry_run ? "--dry-run" : "--persist",
		       force ? "" : " or --release", program_name);
		return EXIT_USAGE;
	}
	if (!driver[0] || strchr(driver, '/') || !strcmp(driver, ".") || !strcmp(driver, "..")) {
		warnx_("vfio: '%s' is not a driver's name (see /sys/bus/pci/drivers)", driver);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		warnx_("vfio: %s (see '%s help vfio')",
		       optind >= argc ? "which group? give its number or one of its devices" :
					"one group at a time", program_name);
		return EXIT_USAGE;
	}
	if (!do_check && !dry_run && sysfs_root()[0]) {
		warnx_("vfio: a recorded tree (--sysroot) cannot be changed; --check and --dry-run read it");
		return EXIT_USAGE;
	}
	if (!do_check && !dry_run && !have_capabilities(CAP_SYS_ADMIN_MASK))
		return needs_root("vfio", do_release ? "giving the drivers back" :
				  "handing a group to VFIO", false);
	/* A transaction a killed run left is finished first: every device back as it was. */
	if (!do_check && policy_change_recover("vfio", dry_run))
		return EXIT_FAILURE;

	ret = load_groups_or_explain(&list, "vfio");
	if (ret >= 0)
		return ret;
	grp = find_group_arg(&list, "vfio", argv[optind], NULL);
	if (!grp)
		ret = EXIT_FAILURE;
	else if (do_check)
		ret = check(grp, driver, json);
	else if (do_release) {
		ret = vfio_release("vfio", grp, dry_run);
		/* The rule goes even when a device stays: at the next boot it would hand it over. */
		if (persist) {
			int pret = vfio_unpersist("vfio", grp, dry_run);

			ret = ret ? ret : pret;
		}
	} else {
		ret = vfio_hand_over("vfio", &list, grp, driver, dry_run, force);
		if (!ret && persist)
			ret = vfio_persist("vfio", grp, driver, dry_run);
	}
	groups_free(&list);
	names_close();
	return ret;
}
