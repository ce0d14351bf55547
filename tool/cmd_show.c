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

/*
 * The last fault as the module's files give it, its time in ISO 8601 (the
 * epoch in JSON as last_fault_time_epoch); NULL where unreadable.
 */
static const char *last_fault_text(const struct ic_counters *c, int which, char *buf, size_t size)
{
	if (!c->faults)
		return NULL;	/* the files say "0.000000000", "none", "0x0": no fault yet */
	switch (which) {
	case 0:
		if (!c->last_time[0])
			return NULL;
		return format_epoch_iso(c->last_time, buf, size) ? buf : c->last_time;
	case 1:
		return c->last_device[0] ? c->last_device : NULL;
	default:
		/* last_fault_iova is root's: say so rather than leave it out. */
		if (c->last_iova_denied)
			return "(root only)";
		return c->last_iova[0] ? c->last_iova : NULL;
	}
}

static const char *const last_fault_keys[] = {
	"last_fault_time", "last_fault_device", "last_fault_iova",
};

/* "quarantined pid=195 comm=ipol-test since=1795278414" with the time in ISO 8601. */
static const char *owner_text(const char *owner, char *buf, size_t size)
{
	const char *since = strstr(owner, " since=");
	char when[48];

	if (!since || !format_epoch_iso(since + 7, when, sizeof(when)))
		return owner;
	snprintf(buf, size, "%.*s since=%s", (int)(since - owner), owner, when);
	return buf;
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

/* "faults: >=2 (at least, kernel-log; module 0, kernel log >=2)": the figure and its parts. */
static void print_figure(const struct fault_figure *f, const struct log_stats *ls)
{
	char n[32], exact[32] = "not loaded", logged[32] = "not read";

	if (f->has_exact)
		snprintf(exact, sizeof(exact), "%llu", f->exact);
	if (f->has_logged)
		snprintf(logged, sizeof(logged), ">=%llu", f->logged);
	else if (ls->why)
		snprintf(logged, sizeof(logged), "unreadable");
	printf("  faults:     %s", fault_figure_text(f, n, sizeof(n)));
	if (f->known)
		printf(" (%s%s; module %s, kernel log %s)", f->lower_bound ? "at least, from the " : "",
		       f->source, exact, logged);
	printf("\n");
}

static void print_text(const struct ic_group_list *list, const struct ic_group *grp,
		       const struct region *r, size_t nr, const char *iommus,
		       const struct log_stats *ls)
{
	const struct ic_counters *c = &grp->mod.stats;
	char buf[512];
	bool inferred;
	const char *owner = group_owner(grp, &inferred);
	struct fault_figure f;

	printf("group %u\n", grp->id);
	printf("  policy:     %s", grp->kernel_type ? policy_name(grp->policy) : "unknown");
	if (grp->kernel_type)
		printf(" (kernel type %s)", grp->kernel_type);
	printf("\n");
	if (grp->module) {
		printf("  mandatory:  %s\n", grp->mod.mandatory ? grp->mod.mandatory : "-");
		printf("  owner:      %s\n",
		       grp->mod.owner ? owner_text(grp->mod.owner, buf, sizeof(buf)) : owner);
		printf("  last error: %s\n", grp->mod.last_error ? grp->mod.last_error : "-");
	} else {
		printf("  owner:      %s (from the bound drivers; load iommu_policy for claims)\n",
		       owner);
	}
	printf("  iommu:      %s\n", iommus ? iommus : "-");
	printf("  reserved regions:%s\n", nr ? "" : " none");
	for (size_t i = 0; i < nr; i++)
		printf("    0x%016llx-0x%016llx %s\n", r[i].start, r[i].end, r[i].type);
	fault_figure_group(&f, grp, ls);
	print_figure(&f, ls);
	if (f.last_device[0])
		printf("  last fault: %s%s%s%s%s\n", f.last_device, f.last_address[0] ? " " : "",
		       f.last_address, f.last_time[0] ? " at " : "", f.last_time);
	if (grp->module) {
		printf("  module counters:\n");
		for (size_t i = 0; i < ncounter_descs; i++)
			if (counter_has(c, &counter_descs[i], false))
				printf("    %-19s %llu\n", counter_descs[i].name,
				       counter_get(c, &counter_descs[i]));
		for (int i = 0; i < 3; i++) {
			const char *v = last_fault_text(c, i, buf, sizeof(buf));

			if (v)
				printf("    %-19s %s\n", last_fault_keys[i], v);
		}
		if (list->acct.known) {
			const char *since = dma_acct_since_iso(&list->acct, buf, sizeof(buf));

			printf("    %-19s %s (last on: %s)\n", "dma_accounting", list->acct.state,
			       since ? since : "never");
		}
	} else {
		printf("  module counters: - (need the iommu_policy module)\n");
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
		       const struct region *r, size_t nr, const char *iommus,
		       const struct log_stats *ls)
{
	const struct ic_counters *c = &grp->mod.stats;
	struct fault_figure f;
	struct json j;
	char buf[64];

	json_init(&j, stdout);
	json_open_object(&j, NULL);
	json_bool(&j, "module", grp->module);
	print_group_json(&j, grp, ls);
	fault_figure_group(&f, grp, ls);
	json_string(&j, "last_fault_device", f.last_device[0] ? f.last_device : NULL);
	json_string(&j, "last_fault_address", f.last_address[0] ? f.last_address : NULL);
	json_string(&j, "last_fault_time", f.last_time[0] ? f.last_time : NULL);
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
	print_counters_json(&j, grp->module ? c : NULL, false, true);
	if (grp->module && c->last_iova_denied)
		json_string(&j, "last_fault_iova", "(root only)");
	json_string(&j, "dma_accounting", grp->module && list->acct.known ? list->acct.state : NULL);
	json_string(&j, "dma_accounting_since",
		    grp->module ? dma_acct_since_iso(&list->acct, buf, sizeof(buf)) : NULL);
	json_string(&j, "dma_accounting_since_epoch",
		    grp->module && list->acct.known ? list->acct.since : NULL);
	json_close_object(&j);
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
	if (log_stats_load(&ls, "show", log, no_log)) {
		groups_free(&list);
		names_close();
		return EXIT_FAILURE;
	}
	nr = read_regions(grp->id, &regions);
	iommus = group_iommus(grp);
	if (json)
		print_json(&list, grp, regions, nr, iommus, &ls);
	else
		print_text(&list, grp, regions, nr, iommus, &ls);
	log_stats_free(&ls);
	free(iommus);
	free(regions);
	groups_free(&list);
	names_close();
	return EXIT_SUCCESS;
}
