// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl list: every IOMMU group with its policy and member devices, read
 * from the kernel's /sys/kernel/iommu_groups (the module is not needed).
 */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "groups.h"
#include "iommuctl.h"
#include "sysfs.h"
#include "util.h"

enum { COL_ID, COL_POLICY, COL_DEVICE, COL_DRIVER };

static const struct {
	const char *name;
	double whint;
	int flags;
} columns[] = {
	[COL_ID] = { "ID", 3, SCOLS_FL_RIGHT },
	[COL_POLICY] = { "POLICY", 8, 0 },
	[COL_DEVICE] = { "DEVICE", 12, 0 },
	[COL_DRIVER] = { "DRIVER", 10, 0 },
};

void cmd_list_usage(void)
{
	printf("Usage: %s list [OPTIONS]\n"
	       "\n"
	       "List every IOMMU group with its DMA-API policy and member devices.\n"
	       "Groups with several devices take one line per device.\n"
	       "\n"
	       "Options:\n"
	       "  -n, --noheadings   do not print a header line\n"
	       "  -r, --raw          raw output: every line complete, single spaces\n"
	       "      --sysroot DIR  read sysfs under DIR instead of /\n"
	       "  -h, --help         show this help\n",
	       program_name);
}

static void set_cell(struct libscols_line *ln, int col, const char *text)
{
	if (scols_line_set_data(ln, col, text)) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
}

static void add_group_rows(struct libscols_table *tb,
			   const struct ic_group *grp, int raw)
{
	char id[16];
	const char *policy;

	snprintf(id, sizeof(id), "%u", grp->id);
	if (grp->policy != IOMMU_POLICY_UNKNOWN || !grp->kernel_type)
		policy = policy_name(grp->policy);
	else
		policy = grp->kernel_type;	/* shown as the kernel names it */

	for (size_t i = 0; i < grp->ndevices || i == 0; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);

		if (!ln) {
			warnx_("out of memory");
			exit(EXIT_FAILURE);
		}
		/* Continuation lines leave the group's cells blank for people. */
		if (i == 0 || raw) {
			set_cell(ln, COL_ID, id);
			set_cell(ln, COL_POLICY, policy);
		}
		if (i < grp->ndevices) {
			const struct ic_device *dev = &grp->devices[i];

			set_cell(ln, COL_DEVICE, dev->name);
			set_cell(ln, COL_DRIVER, dev->driver ? dev->driver : "-");
		} else {
			set_cell(ln, COL_DEVICE, "-");
			set_cell(ln, COL_DRIVER, "-");
		}
	}
}

int cmd_list(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "noheadings", no_argument, NULL, 'n' },
		{ "raw", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct libscols_table *tb;
	struct ic_group_list list;
	int opt, ret, raw = 0, noheadings = 0;

	while ((opt = getopt_long(argc, argv, "nrh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'n':
			noheadings = 1;
			break;
		case 'r':
			raw = 1;
			break;
		case 'h':
			cmd_list_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help list'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("list: unexpected argument '%s' (see '%s help list')",
		       argv[optind], program_name);
		return EXIT_USAGE;
	}

	ret = groups_load(&list);
	if (ret == -ENOENT) {
		warnx_("no IOMMU groups: %s%s does not exist; the kernel runs without an IOMMU "
		       "(enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on or amd_iommu=on)",
		       sysfs_root(), IOMMU_GROUPS_DIR);
		return EXIT_FAILURE;
	}
	if (ret) {
		warnx_("cannot read %s%s: %s", sysfs_root(), IOMMU_GROUPS_DIR,
		       strerror(-ret));
		return EXIT_FAILURE;
	}
	if (!list.count) {
		warnx_("no IOMMU groups in %s%s: no device is behind an enabled IOMMU "
		       "(boot with intel_iommu=on or amd_iommu=on; 'dmesg | grep -i -e DMAR -e AMD-Vi' tells why)",
		       sysfs_root(), IOMMU_GROUPS_DIR);
		groups_free(&list);
		return EXIT_FAILURE;
	}

	scols_init_debug(0);
	tb = scols_new_table();
	if (!tb) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	scols_table_enable_raw(tb, raw);
	scols_table_enable_noheadings(tb, noheadings);
	for (size_t i = 0; i < ARRAY_SIZE(columns); i++)
		if (!scols_table_new_column(tb, columns[i].name, columns[i].whint,
					    columns[i].flags)) {
			warnx_("out of memory");
			exit(EXIT_FAILURE);
		}
	for (size_t i = 0; i < list.count; i++)
		add_group_rows(tb, &list.groups[i], raw);

	scols_print_table(tb);
	scols_unref_table(tb);
	groups_free(&list);
	return EXIT_SUCCESS;
}
