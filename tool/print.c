// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output layer's printers of objects (print.h): a group and a set of
 * counters, each once for text and JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "faults.h"
#include "groups.h"
#include "out.h"
#include "passthrough.h"
#include "print.h"
#include "table.h"
#include "util.h"

/* "    name                value\n": a counter's line in text. */
static void counter_fmt(char *fmt, size_t size, const char *name, const char *conv)
{
	snprintf(fmt, size, "    %-19s %s\n", name, conv);
}

void print_counters(struct out *o, const struct ic_counters *c, bool module_wide, bool nulls)
{
	bool fault = c && c->has_faults && c->faults;
	char iso[48], fmt[64];
	const char *iova = NULL;

	for (size_t i = 0; i < ncounter_descs; i++) {
		const struct counter_desc *d = &counter_descs[i];

		counter_fmt(fmt, sizeof(fmt), d->name, "%llu");
		if (c && counter_has(c, d, module_wide))
			out_uint(o, OUT_ANY, d->name, fmt, counter_get(c, d));
		else if (nulls && (!d->module_wide || module_wide))
			out_null(o, d->name);
	}
	/* The files say "0.000000000", "none", "0x0" until the first fault. */
	counter_fmt(fmt, sizeof(fmt), "last_fault_time", "%s");
	out_string(o, OUT_ANY, "last_fault_time", fmt,
		   fault && format_epoch_iso(c->last_time, iso, sizeof(iso)) ? iso : NULL);
	out_string(o, OUT_JSON, "last_fault_time_epoch", NULL, fault ? c->last_time : NULL);
	counter_fmt(fmt, sizeof(fmt), "last_fault_device", "%s");
	out_string(o, OUT_ANY, "last_fault_device", fmt,
		   fault && c->last_device[0] ? c->last_device : NULL);
	/* last_fault_iova is root's: say so rather than leave it out. */
	if (fault && c->last_iova_denied)
		iova = "(root only)";
	else if (fault && c->last_iova[0])
		iova = c->last_iova;
	counter_fmt(fmt, sizeof(fmt), "last_fault_iova", "%s");
	out_string(o, OUT_ANY, "last_fault_iova", fmt, iova);
}

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

/* "  faults:     >=2 (at least, from the kernel-log; module 0, kernel log >=2)" */
static void print_figure(struct out *o, const struct fault_figure *f, const struct log_stats *ls)
{
	char n[32], exact[32] = "not loaded", logged[32] = "not read";

	if (out_json(o)) {
		fault_figure_json(o->j, f);
		return;
	}
	if (f->has_exact)
		snprintf(exact, sizeof(exact), "%llu", f->exact);
	if (f->has_logged)
		snprintf(logged, sizeof(logged), ">=%llu", f->logged);
	else if (ls->why)
		snprintf(logged, sizeof(logged), "unreadable");
	out_text(o, "  faults:     %s", fault_figure_text(f, n, sizeof(n)));
	if (f->known)
		out_text(o, " (%s%s; module %s, kernel log %s)",
			 f->lower_bound ? "at least, from the " : "", f->source, exact, logged);
	out_text(o, "\n");
}

static void print_regions(struct out *o, const struct group_detail *detail)
{
	char buf[32];

	out_text(o, "  reserved regions:%s\n", detail->nregions ? "" : " none");
	out_open_array(o, "reserved_regions");
	for (size_t i = 0; i < detail->nregions; i++) {
		const struct region *r = &detail->regions[i];

		out_open_object(o, NULL);
		snprintf(buf, sizeof(buf), "0x%016llx", r->start);
		out_string(o, OUT_ANY, "start", "    %s", buf);
		snprintf(buf, sizeof(buf), "0x%016llx", r->end);
		out_string(o, OUT_ANY, "end", "-%s", buf);
		out_string(o, OUT_ANY, "type", " %s\n", r->type);
		out_close_object(o);
	}
	out_close_array(o);
}

static void print_device_json(struct out *o, const struct ic_device *dev)
{
	char id[16];

	out_open_object(o, NULL);
	out_string(o, OUT_JSON, "device", NULL, dev->name);
	if (dev->pci)
		snprintf(id, sizeof(id), "%04x:%04x", dev->vendor, dev->device);
	out_string(o, OUT_JSON, "pci_id", NULL, dev->pci ? id : NULL);
	out_string(o, OUT_JSON, "driver", NULL, dev->driver);
	out_string(o, OUT_JSON, "vendor", NULL, dev->vendor_name);
	out_string(o, OUT_JSON, "model", NULL, dev->model_name);
	out_close_object(o);
}

/* The devices in text: a table (list's columns and words), indented under "devices:". */
static const struct column device_columns[] = {
	{ "DEVICE", 12, 0, true, NULL },
	{ "PCIID", 9, 0, true, NULL },
	{ "DRIVER", 10, 0, true, NULL },
	{ "VENDOR", 12, SCOLS_FL_WRAP, true, NULL },
	{ "MODEL", 24, SCOLS_FL_WRAP, true, NULL },
};
#define DEVICES_INDENT 4

static void print_devices_table(struct out *o, const struct ic_group *grp)
{
	static const int all[] = { 0, 1, 2, 3, 4 };
	size_t width = table_terminal_width(o->f);
	struct libscols_table *tb;
	struct column_set set;
	char *text;

	columns_init(&set, device_columns, ARRAY_SIZE(device_columns), all, ARRAY_SIZE(all));
	tb = table_new(&set, false, false, NULL);
	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *dev = &grp->devices[i];
		struct libscols_line *ln = table_line(tb, NULL);
		char id[16];

		snprintf(id, sizeof(id), "%04x:%04x", dev->vendor, dev->device);
		table_cell(ln, 0, dev->name);
		table_cell(ln, 1, dev->pci ? id : "-");
		table_cell(ln, 2, dev->driver ? dev->driver : "-");
		table_cell(ln, 3, dev->vendor_name ? dev->vendor_name : "-");
		table_cell(ln, 4, dev->model_name ? dev->model_name : "-");
	}
	text = table_to_string(tb, width > DEVICES_INDENT ? width - DEVICES_INDENT : 0);
	for (char *p = text; *p; ) {
		size_t n = strcspn(p, "\n");

		out_text(o, "%*s%.*s\n", DEVICES_INDENT, "", (int)n, p);
		p += n + (p[n] == '\n');
	}
	free(text);
}

void print_group(struct out *o, const struct ic_group *grp, const struct log_stats *ls,
		 const struct group_detail *detail)
{
	const struct ic_counters *c = &grp->mod.stats;
	bool inferred;
	const char *owner = group_owner(grp, &inferred);
	struct fault_figure f;
	char buf[512];

	if (detail)
		out_bool(o, OUT_JSON, "module", NULL, grp->module);
	out_uint(o, OUT_ANY, "id", "group %llu\n", grp->id);
	out_string(o, OUT_JSON, "policy", NULL, group_policy_word(grp));
	out_string(o, OUT_TEXT, NULL, "  policy:     %s",
		   grp->kernel_type ? policy_name(grp->policy) : "unknown");
	out_string(o, OUT_ANY, "type", " (kernel type %s)", grp->kernel_type);
	out_text(o, "\n");
	out_string(o, OUT_JSON, "mandatory", NULL, grp->module ? grp->mod.mandatory : NULL);
	if (grp->module)
		out_text(o, "  mandatory:  %s\n", grp->mod.mandatory ? grp->mod.mandatory : "-");
	out_string(o, OUT_JSON, "owner", NULL, owner);
	out_string(o, OUT_JSON, "owner_source", NULL, inferred ? "drivers" : "module");
	if (grp->module)
		out_text(o, "  owner:      %s\n",
			 grp->mod.owner ? owner_text(grp->mod.owner, buf, sizeof(buf)) : owner);
	else
		out_text(o, "  owner:      %s (from the bound drivers; load iommu_policy for claims)\n",
			 owner);
	if (detail) {
		out_string(o, OUT_JSON, "owner_detail", NULL, grp->module ? grp->mod.owner : NULL);
		out_string(o, OUT_JSON, "last_error", NULL, grp->module ? grp->mod.last_error : NULL);
		if (grp->module)
			out_text(o, "  last error: %s\n",
				 grp->mod.last_error ? grp->mod.last_error : "-");
		out_string(o, OUT_JSON, "iommu", NULL, detail->iommus);
		out_text(o, "  iommu:      %s\n", detail->iommus ? detail->iommus : "-");
		print_regions(o, detail);
	}
	fault_figure_group(&f, grp, ls);
	print_figure(o, &f, ls);
	if (detail) {
		out_string(o, OUT_ANY, "last_fault_device", "  last fault: %s",
			   f.last_device[0] ? f.last_device : NULL);
		/* Text has the line only when the device is known. */
		bool any = f.last_device[0] || out_json(o);

		out_string(o, OUT_ANY, "last_fault_address", " %s",
			   any && f.last_address[0] ? f.last_address : NULL);
		out_string(o, OUT_ANY, "last_fault_time", " at %s",
			   any && f.last_time[0] ? f.last_time : NULL);
		if (f.last_device[0])
			out_text(o, "\n");
	}
	if (grp->module && c->has_faults) {
		out_uint(o, OUT_JSON, "faults_read", NULL, c->faults_read);
		out_uint(o, OUT_JSON, "faults_write", NULL, c->faults_write);
	} else {
		out_null(o, "faults_read");
		out_null(o, "faults_write");
	}
	if (detail) {
		const struct ic_dma_acct *acct = &detail->list->acct;

		out_open_object(o, "counters");
		out_text(o, "  module counters:%s\n",
			 grp->module ? "" : " - (need the iommu_policy module)");
		print_counters(o, grp->module ? c : NULL, false, true);
		if (!grp->module || !acct->known) {
			out_null(o, "dma_accounting");
			out_null(o, "dma_accounting_since");
			out_null(o, "dma_accounting_since_epoch");
		} else {
			const char *since = dma_acct_since_iso(acct, buf, sizeof(buf));

			out_string(o, OUT_ANY, "dma_accounting", "    dma_accounting      %s",
				   acct->state);
			out_text(o, " (last on: %s)\n", since ? since : "never");
			out_string(o, OUT_JSON, "dma_accounting_since", NULL, since);
			out_string(o, OUT_JSON, "dma_accounting_since_epoch", NULL, acct->since);
		}
		out_close_object(o);
	}
	if (detail) {
		struct pt_check pt;

		passthrough_check(&pt, grp, "vfio-pci");
		out_open_object(o, "passthrough");
		passthrough_print(o, &pt, "  ");
		out_close_object(o);
		passthrough_check_free(&pt);
	} else {
		out_string(o, OUT_JSON, "passthrough", NULL, passthrough_word(passthrough_state(grp)));
	}
	out_text(o, "  devices:%s\n", grp->ndevices ? "" : " none");
	if (!out_json(o)) {
		if (grp->ndevices)
			print_devices_table(o, grp);
		return;
	}
	out_open_array(o, "devices");
	for (size_t i = 0; i < grp->ndevices; i++)
		print_device_json(o, &grp->devices[i]);
	out_close_array(o);
}

