// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl list: every IOMMU group with its policy, owner, fault count and
 * member devices (with names from the udev hardware database), from the
 * kernel's /sys/kernel/iommu_groups and, where it is loaded, the iommu_policy
 * module's /sys/kernel/iommu_policy.  A table (libsmartcols) or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <libsmartcols.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
#include "sysfs.h"
#include "util.h"

enum {
	COL_ID, COL_POLICY, COL_TYPE, COL_OWNER, COL_MANDATORY, COL_FAULTS,
	COL_NDEV, COL_DEVICE, COL_PCIID, COL_VENDOR, COL_MODEL, COL_DRIVER,
	NCOLS,
};

static const struct column {
	const char *name;
	double whint;
	int flags;
	bool device;		/* a device's, not the group's */
	const char *help;
} columns[NCOLS] = {
	[COL_ID] = { "ID", 3, SCOLS_FL_RIGHT, false, "IOMMU group number" },
	[COL_POLICY] = { "POLICY", 8, 0, false, "identity, strict, lazy (or the kernel's type)" },
	[COL_TYPE] = { "TYPE", 6, 0, false, "the kernel's type: identity, DMA, DMA-FQ, ..." },
	[COL_OWNER] = { "OWNER", 8, 0, false, "who owns the group's DMA (needs the module for claims)" },
	[COL_MANDATORY] = { "MANDATORY", 6, 0, false, "policy the group must keep (module)" },
	[COL_FAULTS] = { "FAULTS", 6, SCOLS_FL_RIGHT, false, "IOMMU faults counted (module)" },
	[COL_NDEV] = { "NDEV", 3, SCOLS_FL_RIGHT, false, "number of devices" },
	[COL_DEVICE] = { "DEVICE", 12, 0, true, "device address (PCI domain:bus:slot.function)" },
	[COL_PCIID] = { "PCIID", 9, 0, true, "PCI vendor:device id" },
	[COL_VENDOR] = { "VENDOR", 12, SCOLS_FL_TRUNC, true, "vendor name (udev hardware database)" },
	[COL_MODEL] = { "MODEL", 24, SCOLS_FL_TRUNC, true, "device name (udev hardware database)" },
	[COL_DRIVER] = { "DRIVER", 10, 0, true, "bound driver" },
};

static const int default_columns[] = {
	COL_ID, COL_POLICY, COL_OWNER, COL_FAULTS, COL_DEVICE, COL_DRIVER, COL_MODEL,
};

struct list_opts {
	int cols[NCOLS * 2];
	size_t ncols;
	bool raw, noheadings, json, tree;
	const char *policy, *owner, *driver, *device;
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
	       "      --sysroot DIR   read sysfs under DIR instead of /\n"
	       "  -h, --help          show this help\n"
	       "\n"
	       "Columns:\n", program_name);
	for (int i = 0; i < NCOLS; i++)
		printf("  %10s  %s\n", columns[i].name, columns[i].help);
	printf("\nDefault: ");
	for (size_t i = 0; i < ARRAY_SIZE(default_columns); i++)
		printf("%s%s", i ? "," : "", columns[default_columns[i]].name);
	printf("\n");
}

static int column_by_name(const char *name, size_t len)
{
	for (int i = 0; i < NCOLS; i++)
		if (strlen(columns[i].name) == len && !strncasecmp(columns[i].name, name, len))
			return i;
	return -1;
}

/* -o LIST or -o +LIST; false (with a message) for an unknown column. */
static bool parse_columns(struct list_opts *o, const char *arg)
{
	const char *p = arg;

	if (*p == '+')
		p++;
	else
		o->ncols = 0;
	while (*p) {
		size_t len = strcspn(p, ",");
		int col = column_by_name(p, len);

		if (col < 0) {
			warnx_("list: unknown column '%.*s' (see '%s help list' for the columns)",
			       (int)len, p, program_name);
			return false;
		}
		if (o->ncols < ARRAY_SIZE(o->cols))
			o->cols[o->ncols++] = col;
		p += len;
		if (*p == ',')
			p++;
	}
	if (!o->ncols) {
		warnx_("list: -o '%s' names no column", arg);
		return false;
	}
	return true;
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

/* A cell's text; NULL for an empty cell. */
static const char *cell(int col, const struct ic_group *grp, const struct ic_device *dev,
			char *buf, size_t size)
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
	case COL_MANDATORY:
		return grp->module && grp->mod.mandatory ? grp->mod.mandatory : "-";
	case COL_FAULTS:
		if (!grp->module || !grp->mod.stats.has_faults)
			return "-";
		snprintf(buf, size, "%llu", grp->mod.stats.faults);
		return buf;
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

static struct libscols_line *new_line(struct libscols_table *tb, struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(tb, parent);

	if (!ln) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	return ln;
}

static void set_cell(struct libscols_line *ln, size_t col, const char *text)
{
	if (text && scols_line_set_data(ln, col, text)) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
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
	struct libscols_line *parent = NULL;
	char buf[64], name[32];

	if (o->tree) {
		parent = new_line(tb, NULL);
		snprintf(name, sizeof(name), "group %u", grp->id);
		set_cell(parent, 0, name);
		for (size_t c = 0; c < o->ncols; c++)
			if (!columns[o->cols[c]].device)
				set_cell(parent, c + 1, cell(o->cols[c], grp, NULL, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < grp->ndevices || (i == 0 && !o->tree); i++) {
		const struct ic_device *dev = i < grp->ndevices ? &grp->devices[i] : NULL;
		struct libscols_line *ln = new_line(tb, parent);
		size_t off = o->tree ? 1 : 0;

		if (o->tree)
			set_cell(ln, 0, dev->name);
		for (size_t c = 0; c < o->ncols; c++) {
			bool device = columns[o->cols[c]].device;

			if (o->tree ? device : (device || i == 0 || o->raw))
				set_cell(ln, c + off, cell(o->cols[c], grp, dev, buf, sizeof(buf)));
		}
	}
}

static void print_table(const struct ic_group_list *list, const struct list_opts *o)
{
	struct libscols_table *tb;

	scols_init_debug(0);
	tb = scols_new_table();
	if (!tb) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	scols_table_enable_raw(tb, o->raw);
	scols_table_enable_noheadings(tb, o->noheadings);
	if (o->tree && !scols_table_new_column(tb, "NAME", 14, SCOLS_FL_TREE)) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	for (size_t c = 0; c < o->ncols; c++) {
		const struct column *col = &columns[o->cols[c]];

		if (!scols_table_new_column(tb, col->name, col->whint, col->flags)) {
			warnx_("out of memory");
			exit(EXIT_FAILURE);
		}
	}
	for (size_t i = 0; i < list->count; i++)
		if (group_matches(&list->groups[i], o))
			add_group(tb, &list->groups[i], o);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/* A group's keys, into the open object (keys in iommuctl(8)). */
void list_json_group_fields(struct json *j, const struct ic_group *grp)
{
	bool inferred;
	const char *owner = group_owner(grp, &inferred);
	char id[16];

	json_uint(j, "id", grp->id);
	json_string(j, "policy", group_policy_word(grp));
	json_string(j, "type", grp->kernel_type);
	json_string(j, "owner", owner);
	json_string(j, "owner_source", inferred ? "drivers" : "module");
	json_string(j, "mandatory", grp->module ? grp->mod.mandatory : NULL);
	if (grp->module && grp->mod.stats.has_faults) {
		json_uint(j, "faults", grp->mod.stats.faults);
		json_uint(j, "faults_read", grp->mod.stats.faults_read);
		json_uint(j, "faults_write", grp->mod.stats.faults_write);
	} else {
		json_null(j, "faults");
		json_null(j, "faults_read");
		json_null(j, "faults_write");
	}
	json_open_array(j, "devices");
	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *dev = &grp->devices[i];

		json_open_object(j, NULL);
		json_string(j, "device", dev->name);
		if (dev->pci) {
			snprintf(id, sizeof(id), "%04x:%04x", dev->vendor, dev->device);
			json_string(j, "pci_id", id);
		} else {
			json_null(j, "pci_id");
		}
		json_string(j, "vendor", dev->vendor_name);
		json_string(j, "model", dev->model_name);
		json_string(j, "driver", dev->driver);
		json_close_object(j);
	}
	json_close_array(j);
}

/* The JSON document (keys in iommuctl(8)); -o does not apply. */
static void list_json_group(struct json *j, const struct ic_group *grp)
{
	json_open_object(j, NULL);
	list_json_group_fields(j, grp);
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
			list_json_group(&j, &list->groups[i]);
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
	enum { OPT_POLICY = 256, OPT_OWNER, OPT_DRIVER, OPT_DEVICE };
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
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct list_opts o = { 0 };
	struct ic_group_list list;
	int opt, ret;

	for (size_t i = 0; i < ARRAY_SIZE(default_columns); i++)
		o.cols[o.ncols++] = default_columns[i];
	while ((opt = getopt_long(argc, argv, "o:JrnTh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'o':
			if (!parse_columns(&o, optarg))
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

	ret = load_groups_or_explain(&list, "list");
	if (ret >= 0)
		return ret;
	if (o.device && !groups_find_device(&list, o.device, NULL)) {
		warn_no_group("list", o.device);
		groups_free(&list);
		names_close();
		return EXIT_FAILURE;
	}
	if (o.tree) {
		/* NAME shows the group's number and the device's address. */
		size_t n = 0;

		for (size_t c = 0; c < o.ncols; c++)
			if (o.cols[c] != COL_ID && o.cols[c] != COL_DEVICE)
				o.cols[n++] = o.cols[c];
		o.ncols = n;
	}
	if (o.json)
		print_json(&list, &o);
	else
		print_table(&list, &o);
	groups_free(&list);
	names_close();
	return EXIT_SUCCESS;
}
