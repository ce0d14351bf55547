// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl show GROUP|DEVICE: everything about one IOMMU group: policy,
 * mandatory policy, owner, the last refusal, the IOMMU unit, reserved
 * regions, counters and devices.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
#include "out.h"
#include "print.h"
#include "sysfs.h"
#include "util.h"

void cmd_show_usage(void)
{
	printf("Usage: %s show [OPTIONS] GROUP|DEVICE\n"
	       "\n"
	       "Show one IOMMU group, given by its number or by one of its devices\n"
	       "(a PCI address such as 0000:03:00.0): policy, mandatory policy, owner,\n"
	       "the last refused change, the IOMMU unit, reserved regions, counters and\n"
	       "devices with their names and drivers.\n"
	       "\n"
	       "Options:\n"
	       "  -J, --json          JSON output (see iommuctl(8))\n"
	       "      --log FILE      count the faults of this saved kernel log (dmesg,\n"
	       "                      journalctl -k; - for stdin) instead of /dev/kmsg\n"
	       "      --no-log        leave the kernel log out of the faults\n"
	       "      --sysroot DIR   read sysfs under DIR instead of / (no /dev/kmsg)\n"
	       "  -h, --help          show this help\n",
	       program_name);
}

static size_t read_regions(unsigned int id, struct region **out)
{
	char *path = sysfs_path(IOMMU_GROUPS_DIR "/%u/reserved_regions", id);
	FILE *f = fopen(path, "re");
	struct region *r = NULL;
	size_t n = 0;
	char line[256];

	free(path);
	*out = NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		struct region one;

		if (sscanf(line, "%llx %llx %31s", &one.start, &one.end, one.type) != 3)
			continue;
		r = xrealloc(r, (n + 1) * sizeof(*r));
		r[n++] = one;
	}
	fclose(f);
	*out = r;
	return n;
}

/* The IOMMU units of the group's devices, "dmar0" or "dmar0,dmar1". */
static char *group_iommus(const struct ic_group *grp)
{
	char *s = NULL;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const char *u = grp->devices[i].iommu;
		char *next;

		if (!u || (s && strstr(s, u)))
			continue;
		next = s ? xasprintf("%s,%s", s, u) : xstrdup(u);
		free(s);
		s = next;
	}
	return s;
}

/* One printer for text and JSON (print.h): show's detail around the group. */
static void print_show(const struct ic_group *grp,
		       const struct group_detail *detail, const struct log_stats *ls, bool json)
{
	struct json j;
	struct out o;

	if (!json) {
		out_init_text(&o, stdout);
		print_group(&o, grp, ls, detail);
		return;
	}
	json_init(&j, stdout);
	out_init_json(&o, &j);
	json_open_object(&j, NULL);
	print_group(&o, grp, ls, detail);
	json_close_object(&j);
	json_finish(&j);
}

int cmd_show(int argc, char **argv)
{
	enum { OPT_LOG = 256, OPT_NO_LOG };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *log = NULL;
	bool no_log = false;
	struct log_stats ls;
	struct ic_group_list list;
	struct ic_group *grp;
	struct group_detail detail;
	struct region *regions;
	bool json = false;
	char *iommus;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "Jh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'J':
			json = true;
			break;
		case OPT_LOG:
			log = optarg;
			break;
		case OPT_NO_LOG:
			no_log = true;
			break;
		case 'h':
			cmd_show_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help show'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind + 1 != argc) {
		warnx_("show: %s (see '%s help show')",
		       optind >= argc ? "which group? give its number or one of its devices" :
					"one group at a time", program_name);
		return EXIT_USAGE;
	}

	ret = load_groups_or_explain(&list, "show");
	if (ret >= 0)
		return ret;
	grp = find_group_arg(&list, "show", argv[optind], NULL);
	if (!grp) {
		groups_free(&list);
		names_close();
		return EXIT_FAILURE;
	}
	if (log_stats_load(&ls, "show", log, no_log, false)) {
		groups_free(&list);
		names_close();
		return EXIT_FAILURE;
	}
	detail.list = &list;
	detail.nregions = read_regions(grp->id, &regions);
	detail.regions = regions;
	detail.iommus = iommus = group_iommus(grp);
	print_show(grp, &detail, &ls, json);
	log_stats_free(&ls);
	free(iommus);
	free(regions);
	groups_free(&list);
	names_close();
	return EXIT_SUCCESS;
}
