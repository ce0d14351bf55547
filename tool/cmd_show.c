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

#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
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
	       "      --sysroot DIR   read sysfs under DIR instead of /\n"
	       "  -h, --help          show this help\n",
	       program_name);
}

/* One reserved region: "0x00000000fee00000 0x00000000feefffff msi". */
struct region {
	unsigned long long start, end;
	char type[32];
};

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

/* The group's counter files in stats/, those that exist. */
static const char *const counter_files[] = {
	"faults", "faults_read", "faults_write", "last_fault_time", "last_fault_device",
	"last_fault_iova", "dma_maps", "dma_unmaps", "dma_bytes_mapped", "dma_bytes_unmapped",
};

/* counter_files[i] as the file shows it, or NULL when it could not be read. */
static const char *counter_text(const struct ic_counters *c, size_t i, char *buf, size_t size)
{
	const unsigned long long *u64s[] = {
		[0] = &c->faults, [1] = &c->faults_read, [2] = &c->faults_write,
		[6] = &c->dma_maps, [7] = &c->dma_unmaps, [8] = &c->dma_bytes_mapped,
		[9] = &c->dma_bytes_unmapped,
	};
	const char *strs[] = { [3] = c->last_time, [4] = c->last_device, [5] = c->last_iova };

	if (i < 3 || i >= 6) {
		if (!(i < 3 ? c->has_faults : c->has_dma))
			return NULL;
		snprintf(buf, size, "%llu", *u64s[i]);
		return buf;
	}
	/* last_fault_iova is root's: say so rather than leave it out. */
	if (i == 5 && c->last_iova_denied)
		return "(root only)";
	return strs[i][0] ? strs[i] : NULL;
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

static void print_text(const struct ic_group_list *list, const struct ic_group *grp,
		       const struct region *r, size_t nr, const char *iommus)
{
	char buf[32];
	bool inferred;
	const char *owner = group_owner(grp, &inferred);

	printf("group %u\n", grp->id);
	printf("  policy:     %s", grp->kernel_type ? policy_name(grp->policy) : "unknown");
	if (grp->kernel_type)
		printf(" (kernel type %s)", grp->kernel_type);
	printf("\n");
	if (grp->module) {
		printf("  mandatory:  %s\n", grp->mod.mandatory ? grp->mod.mandatory : "-");
		printf("  owner:      %s\n", grp->mod.owner ? grp->mod.owner : owner);
		printf("  last error: %s\n", grp->mod.last_error ? grp->mod.last_error : "-");
	} else {
		printf("  owner:      %s (from the bound drivers; load iommu_policy for claims)\n",
		       owner);
	}
	printf("  iommu:      %s\n", iommus ? iommus : "-");
	printf("  reserved regions:%s\n", nr ? "" : " none");
	for (size_t i = 0; i < nr; i++)
		printf("    0x%016llx-0x%016llx %s\n", r[i].start, r[i].end, r[i].type);
	if (grp->module) {
		printf("  counters:\n");
		for (size_t i = 0; i < ARRAY_SIZE(counter_files); i++) {
			const char *v = counter_text(&grp->mod.stats, i, buf, sizeof(buf));

			if (v)
				printf("    %-19s %s\n", counter_files[i], v);
		}
		if (list->acct.known)
			printf("    %-19s %s (last on: %s)\n", "dma_accounting", list->acct.state,
			       strcmp(list->acct.since, "0.000000000") ? list->acct.since : "never");
	} else {
		printf("  counters:   - (need the iommu_policy module)\n");
	}
	printf("  devices:\n");
	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *d = &grp->devices[i];

		printf("    %s", d->name);
		if (d->pci)
			printf("  %04x:%04x", d->vendor, d->device);
		printf("  %s", d->driver ? d->driver : "(no driver)");
		if (d->vendor_name || d->model_name)
			printf("  %s%s%s", d->vendor_name ? d->vendor_name : "",
			       d->vendor_name && d->model_name ? " " : "",
			       d->model_name ? d->model_name : "");
		printf("\n");
	}
}

static void print_json(const struct ic_group_list *list, const struct ic_group *grp,
		       const struct region *r, size_t nr, const char *iommus)
{
	struct json j;
	char buf[32];

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	json_bool(&j, "module", grp->module);
	list_json_group_fields(&j, grp);
	json_string(&j, "owner_detail", grp->module ? grp->mod.owner : NULL);
	json_string(&j, "last_error", grp->module ? grp->mod.last_error : NULL);
	json_string(&j, "iommu", iommus);
	json_open_array(&j, "reserved_regions");
	for (size_t i = 0; i < nr; i++) {
		json_open_object(&j, NULL);
		snprintf(buf, sizeof(buf), "0x%016llx", r[i].start);
		json_string(&j, "start", buf);
		snprintf(buf, sizeof(buf), "0x%016llx", r[i].end);
		json_string(&j, "end", buf);
		json_string(&j, "type", r[i].type);
		json_close_object(&j);
	}
	json_close_array(&j);
	json_open_object(&j, "counters");
	for (size_t i = 0; i < ARRAY_SIZE(counter_files); i++)
		json_string(&j, counter_files[i], grp->module ?
			    counter_text(&grp->mod.stats, i, buf, sizeof(buf)) : NULL);
	json_string(&j, "dma_accounting", grp->module && list->acct.known ? list->acct.state : NULL);
	json_string(&j, "dma_accounting_since",
		    grp->module && list->acct.known ? list->acct.since : NULL);
	json_close_object(&j);
	json_close_object(&j);
	json_finish(&j);
}

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ic_group_list list;
	struct ic_group *grp;
	struct region *regions;
	bool json = false;
	char *iommus;
	size_t nr;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "Jh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'J':
			json = true;
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
	nr = read_regions(grp->id, &regions);
	iommus = group_iommus(grp);
	if (json)
		print_json(&list, grp, regions, nr, iommus);
	else
		print_text(&list, grp, regions, nr, iommus);
	free(iommus);
	free(regions);
	groups_free(&list);
	names_close();
	return EXIT_SUCCESS;
}
