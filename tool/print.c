// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The output layer's printers of objects (print.h): one place that turns a
 * group or a set of counters into JSON keys, for every command that prints
 * them (list, show, stats, watch), so that a key means one thing everywhere.
 */
#include <stdio.h>
#include <string.h>

#include "faults.h"
#include "groups.h"
#include "json.h"
#include "print.h"
#include "util.h"

void print_group_json(struct json *j, const struct ic_group *grp, const struct log_stats *ls)
{
	bool inferred;
	const char *owner = group_owner(grp, &inferred);
	struct fault_figure f;
	char id[16];

	json_uint(j, "id", grp->id);
	json_string(j, "policy", group_policy_word(grp));
	json_string(j, "type", grp->kernel_type);
	json_string(j, "owner", owner);
	json_string(j, "owner_source", inferred ? "drivers" : "module");
	json_string(j, "mandatory", grp->module ? grp->mod.mandatory : NULL);
	fault_figure_group(&f, grp, ls);
	fault_figure_json(j, &f);
	if (grp->module && grp->mod.stats.has_faults) {
		json_uint(j, "faults_read", grp->mod.stats.faults_read);
		json_uint(j, "faults_write", grp->mod.stats.faults_write);
	} else {
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

void print_counters_json(struct json *j, const struct ic_counters *c, bool module_wide, bool nulls)
{
	bool fault = c && c->has_faults && c->faults;
	char iso[48];

	for (size_t i = 0; i < ncounter_descs; i++) {
		const struct counter_desc *d = &counter_descs[i];

		if (c && counter_has(c, d, module_wide))
			json_uint(j, d->name, counter_get(c, d));
		else if (nulls && (!d->module_wide || module_wide))
			json_null(j, d->name);
	}
	json_string(j, "last_fault_time", fault && format_epoch_iso(c->last_time, iso, sizeof(iso)) ?
		    iso : NULL);
	json_string(j, "last_fault_time_epoch", fault ? c->last_time : NULL);
	json_string(j, "last_fault_device", fault ? c->last_device : NULL);
	json_string(j, "last_fault_iova", fault && c->last_iova[0] ? c->last_iova : NULL);
}
