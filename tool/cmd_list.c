// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl list: every IOMMU group with its policy, owner, fault count and
 * member devices (with names from the udev hardware database), from the
 * kernel's /sys/kernel/iommu_groups and, where it is loaded, the iommu_policy
 * module's /sys/kernel/iommu_policy.  A table (libsmartcols) or JSON.  The
 * fault count is the fault figure (faults.h): the module's counters and the
 * kernel log's, which is read unless --no-log (or a recorded tree is read).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "faults.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
#include "out.h"
#include "passthrough.h"
#include "print.h"
#include "sysfs.h"
#include "table.h"
#include "util.h"

enum {
	COL_ID, COL_POLICY, COL_TYPE, COL_OWNER, COL_VFIO, COL_MANDATORY, COL_FAULTS, COL_FSOURCE,
	COL_NDEV, COL_DEVICE, COL_PCIID, COL_VENDOR, COL_MODEL, COL_DRIVER, COL_NAME,
	NCOLS,
};

/* Names wrap rather than lose their end: a cut word would say something else. */
static const struct column columns[NCOLS] = {
	[COL_ID] = { "ID", 3, SCOLS_FL_RIGHT, false, "IOMMU group number" },
	[COL_POLICY] = { "POLICY", 8, 0, false, "identity, strict, lazy (or the kernel's type)" },
	[COL_TYPE] = { "TYPE", 6, 0, false, "the kernel's type: identity, DMA, DMA-FQ, ..." },
	[COL_OWNER] = { "OWNER", 8, 0, false, "who owns the group's DMA (needs the module for claims)" },
	[COL_VFIO] = { "VFIO", 5, 0, false,
		       "ready: handed to VFIO, a VM can open the group; blocked: handed, but a device on a DMA-API driver stops it" },
	[COL_MANDATORY] = { "MANDATORY", 6, 0, false, "policy the group must keep (module)" },
	[COL_FAULTS] = { "FAULTS", 6, SCOLS_FL_RIGHT, false,
			 "IOMMU faults: the module's count or the kernel log's, the larger (>=N: at least N)" },
	[COL_FSOURCE] = { "FSOURCE", 6, 0, false, "where FAULTS comes from: module or kernel-log" },
	[COL_NDEV] = { "NDEV", 3, SCOLS_FL_RIGHT, false, "number of devices" },
	[COL_DEVICE] = { "DEVICE", 12, 0, true, "device address (PCI domain:bus:slot.function)" },
	[COL_PCIID] = { "PCIID", 9, 0, true, "PCI vendor:device id" },
	[COL_VENDOR] = { "VENDOR", 12, SCOLS_FL_WRAP, true, "vendor name (udev hardware database)" },
	[COL_MODEL] = { "MODEL", 24, SCOLS_FL_WRAP, true, "device name (udev hardware database)" },
	[COL_DRIVER] = { "DRIVER", 10, 0, true, "bound driver" },
	[COL_NAME] = { "NAME", 14, 0, false, "with --tree: \"group N\", its devices below (replaces ID and DEVICE)" },
};

static const int default_columns[] = {
	COL_ID, COL_POLICY, COL_OWNER, COL_VFIO, COL_FAULTS, COL_DEVICE, COL_DRIVER, COL_MODEL,
};

struct list_opts {
	struct column_set set;
	bool raw, noheadings, json, tree, no_log;
	const char *policy, *owner, *driver, *device, *log;
	struct log_stats ls;
};

void cmd_list_usage(void)
{
	printf("Usage: %s list [OPTIONS]\n"
	       "\n"
	       "List every IOMMU group with its DMA-API policy, owner, faults and devices.\n"
	       "Groups with several devices take one line per device.\n"
	       "\n"
	       "Options:\n"
	       "  -o, --output LIST   columns to show (\"+LIST\" adds to the default)\n"
	       "  -J, --json          JSON output (every key; see iommuctl(8))\n"
	       "  -r, --raw           raw output: every line complete, single spaces\n"
	       "  -n, --noheadings    do not print a header line\n"
	       "  -T, --tree          groups with their devices below them (NAME replaces\n"
	       "                      ID and DEVICE)\n"
	       "      --policy POLICY only groups with this policy\n"
	       "      --owner OWNER   only groups with this owner\n"
	       "      --driver DRIVER only groups with a device bound to DRIVER\n"
	       "      --device DEVICE only the group of DEVICE (e.g. 0000:03:00.0)\n"
	       "      --log FILE      count the faults of this saved kernel log (dmesg,\n"
	       "                      journalctl -k; - for stdin) instead of /dev/kmsg\n"
	       "      --no-log        leave the kernel log out of FAULTS\n"
	       "      --sysroot DIR   read sysfs under DIR instead of / (no /dev/kmsg)\n"
	       "  -h, --help          show this help\n", program_name);
	columns_usage(columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
}

static bool group_matches(const struct ic_group *grp, const struct list_opts *o)
{
	bool inferred, found;

	if (o->policy && strcmp(group_policy_word(grp), o->policy) &&
	    !(grp->kernel_type && !strcmp(grp->kernel_type, o->policy)))
		return false;
	if (o->owner && strcmp(group_owner(grp, &inferred), o->owner))
		return false;
	if (o->device && !group_device(grp, o->device))
		return false;
	if (o->driver) {
		found = false;
		for (size_t i = 0; i < grp->ndevices; i++)
			found |= grp->devices[i].driver && !strcmp(grp->devices[i].driver, o->driver);
		if (!found)
			return false;
	}
	return true;
}

/* A cell's text (NULL: empty); @f the group's fault figure. */
static const char *cell(int col, const struct ic_group *grp, const struct ic_device *dev,
			const struct fault_figure *f, char *buf, size_t size)
{
	bool inferred;

	switch (col) {
	case COL_ID:
		snprintf(buf, size, "%u", grp->id);
		return buf;
	case COL_POLICY:
		return group_policy_word(grp);
	case COL_TYPE:
		return grp->kernel_type ? grp->kernel_type : "-";
	case COL_OWNER:
		return group_owner(grp, &inferred);
	case COL_VFIO: {
		enum pt_state st = passthrough_state(grp);

		return st == PT_NONE ? "-" : passthrough_word(st);
	}
	case COL_MANDATORY:
		return grp->module && grp->mod.mandatory ? grp->mod.mandatory : "-";
	case COL_FAULTS:
		return fault_figure_text(f, buf, size);
	case COL_FSOURCE:
		return f->source ? f->source : "-";
	case COL_NDEV:
		snprintf(buf, size, "%zu", grp->ndevices);
		return buf;
	}
	if (!dev)
		return "-";
	switch (col) {
	case COL_DEVICE:
		return dev->name;
	case COL_PCIID:
		if (!dev->pci)
			return "-";
		snprintf(buf, size, "%04x:%04x", dev->vendor, dev->device);
		return buf;
	case COL_VENDOR:
		return dev->vendor_name ? dev->vendor_name : "-";
	case COL_MODEL:
		return dev->model_name ? dev->model_name : "-";
	case COL_DRIVER:
		return dev->driver ? dev->driver : "-";
	}
	return "-";
}

/*
 * Table rows of a group.  Flat: the first device on the group's line, more
 * on lines below it with the group's cells left blank (filled with -r).
 * Tree: the group's line alone, its devices as children (the first column
 * is then NAME: "group N" or the device).
 */
static void add_group(struct libscols_table *tb, const struct ic_group *grp,
		      const struct list_opts *o)
{
	const struct column_set *set = &o->set;
	struct libscols_line *parent = NULL;
	/* Without a device column a group is one line: no rows of blanks. */
	size_t rows = columns_any_device(set) || o->tree ? grp->ndevices : 0;
	char buf[64], name[32];
	struct fault_figure f;

	fault_figure_group(&f, grp, &o->ls);

	if (o->tree) {
		parent = table_line(tb, NULL);
		snprintf(name, sizeof(name), "group %u", grp->id);
		table_cell(parent, 0, name);
		for (size_t c = 0; c < set->n; c++)
			if (!set->all[set->cols[c]].device)
				table_cell(parent, c + 1, cell(set->cols[c], grp, NULL, &f, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < rows || (i == 0 && !o->tree); i++) {
		const struct ic_device *dev = i < grp->ndevices ? &grp->devices[i] : NULL;
		struct libscols_line *ln = table_line(tb, parent);
		size_t off = o->tree ? 1 : 0;

		if (o->tree)
			table_cell(ln, 0, dev->name);
		for (size_t c = 0; c < set->n; c++) {
			bool device = set->all[set->cols[c]].device;

			if (o->tree ? device : (device || i == 0 || o->raw))
				table_cell(ln, c + off, cell(set->cols[c], grp, dev, &f, buf, sizeof(buf)));
		}
	}
}

static void print_table(const struct ic_group_list *list, const struct list_opts *o)
{
	struct libscols_table *tb = table_new(&o->set, o->raw, o->noheadings,
					      o->tree ? "NAME" : NULL);

	for (size_t i = 0; i < list->count; i++)
		if (group_matches(&list->groups[i], o))
			add_group(tb, &list->groups[i], o);
	table_print(tb, stdout);
}

/* The JSON document (keys in iommuctl(8)); -o does not apply. */
static void list_json_group(struct json *j, const struct ic_group *grp,
			    const struct list_opts *o)
{
	struct out out;

	out_init_json(&out, j);
	json_open_object(j, NULL);
	print_group(&out, grp, &o->ls, NULL);
	json_close_object(j);
}

static void print_json(const struct ic_group_list *list, const struct list_opts *o)
{
	struct json j;

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	json_bool(&j, "module", list->module);
	json_open_array(&j, "groups");
	for (size_t i = 0; i < list->count; i++)
		if (group_matches(&list->groups[i], o))
			list_json_group(&j, &list->groups[i], o);
	json_close_array(&j);
	json_close_object(&j);
	json_finish(&j);
}

static const char *const policy_words[] = {
	"identity", "strict", "lazy", "blocked", "unmanaged", "unknown", "DMA", "DMA-FQ", NULL,
};
static const char *const owner_words[] = {
	"none", "dma-api", "driver-managed", "claimed", "quarantined", "claimed-external", NULL,
};

static bool one_of(const char *s, const char *const *words)
{
	for (; *words; words++)
		if (!strcmp(s, *words))
			return true;
	return false;
}

int cmd_list(int argc, char **argv)
{
	enum { OPT_POLICY = 256, OPT_OWNER, OPT_DRIVER, OPT_DEVICE, OPT_LOG, OPT_NO_LOG };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "output", required_argument, NULL, 'o' },
		{ "json", no_argument, NULL, 'J' },
		{ "raw", no_argument, NULL, 'r' },
		{ "noheadings", no_argument, NULL, 'n' },
		{ "tree", no_argument, NULL, 'T' },
		{ "policy", required_argument, NULL, OPT_POLICY },
		{ "owner", required_argument, NULL, OPT_OWNER },
		{ "driver", required_argument, NULL, OPT_DRIVER },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { 0 };
	struct ic_group_list list;
	int opt, ret;

	columns_init(&o.set, columns, NCOLS, default_columns, ARRAY_SIZE(default_columns));
	while ((opt = getopt_long(argc, argv, "o:JrnTh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'o':
			if (!columns_parse(&o.set, "list", optarg))
				return EXIT_USAGE;
			break;
		case 'J':
			o.json = true;
			break;
		case 'r':
			o.raw = true;
			break;
		case 'n':
			o.noheadings = true;
			break;
		case 'T':
			o.tree = true;
			break;
		case OPT_POLICY:
			o.policy = optarg;
			if (!one_of(optarg, policy_words)) {
				warnx_("list: --policy '%s' is not a policy (identity, strict, lazy, blocked, unmanaged, unknown)",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_OWNER:
			o.owner = optarg;
			if (!one_of(optarg, owner_words)) {
				warnx_("list: --owner '%s' is not an owner (none, dma-api, driver-managed, claimed, quarantined, claimed-external)",
				       optarg);
				return EXIT_USAGE;
			}
			break;
		case OPT_DRIVER:
			o.driver = optarg;
			break;
		case OPT_DEVICE:
			o.device = optarg;
			break;
		case OPT_LOG:
			o.log = optarg;
			break;
		case OPT_NO_LOG:
			o.no_log = true;
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

	for (size_t c = 0; c < o.set.n && !o.tree; c++) {
		if (o.set.cols[c] == COL_NAME) {
			warnx_("list: NAME is the column of --tree (see '%s help list')", program_name);
			return EXIT_USAGE;
		}
	}
	ret = load_groups_or_explain(&list, "list");
	if (ret >= 0)
		return ret;
	ret = log_stats_load(&o.ls, "list", o.log, o.no_log, false);
	if (ret)
		goto out;
	if (o.device && !groups_find_device(&list, o.device, NULL)) {
		warn_no_group("list", o.device);
		ret = EXIT_FAILURE;
		goto out;
	}
	if (o.tree) {
		/* NAME shows the group's number and the device's address. */
		size_t n = 0;

		for (size_t c = 0; c < o.set.n; c++)
			if (o.set.cols[c] != COL_ID && o.set.cols[c] != COL_DEVICE &&
			    o.set.cols[c] != COL_NAME)
				o.set.cols[n++] = o.set.cols[c];
		o.set.n = n;
	}
	if (o.json)
		print_json(&list, &o);
	else
		print_table(&list, &o);
	ret = EXIT_SUCCESS;
out:
	log_stats_free(&o.ls);
	groups_free(&list);
	names_close();
	return ret;
}
