// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/iommu_policy_netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devstats.h"
#include "nl.h"
#include "sysfs.h"
#include "util.h"

/* A counters nest (enum iommu_policy_a_counters) into @c. */
static void parse_counters(struct nlattr *nest, struct ic_counters *c)
{
	struct nlattr *a;
	int rem;

	memset(c, 0, sizeof(*c));
	nla_for_each_nested(a, nest, rem) {
		for (size_t i = 0; i < ncounter_descs; i++) {
			const struct counter_desc *d = &counter_descs[i];

			if (!d->nl_attr || nla_type(a) != d->nl_attr ||
			    nla_len(a) != sizeof(uint64_t))
				continue;
			*(unsigned long long *)((char *)c + d->offset) = nla_get_u64(a);
			if (d->nl_attr == IOMMU_POLICY_A_COUNTERS_FAULTS)
				c->has_faults = true;
			if (d->nl_attr == IOMMU_POLICY_A_COUNTERS_DMA_MAPS)
				c->has_dma = true;
		}
	}
}

/* One group-get reply: every device attribute (a multi-attr) with its counters. */
static int on_group(struct nl_msg *msg, void *arg)
{
	struct ic_device_stats_list *list = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *tb[IOMMU_POLICY_A_GROUP_MAX + 1];
	struct nlattr *a;
	unsigned int id;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, IOMMU_POLICY_A_GROUP_MAX, NULL) ||
	    !tb[IOMMU_POLICY_A_GROUP_ID])
		return NL_SKIP;
	id = nla_get_u32(tb[IOMMU_POLICY_A_GROUP_ID]);
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		struct nlattr *dtb[IOMMU_POLICY_A_DEVICE_MAX + 1];
		struct ic_device_stats *d;

		if (nla_type(a) != IOMMU_POLICY_A_GROUP_DEVICE ||
		    nla_parse_nested(dtb, IOMMU_POLICY_A_DEVICE_MAX, a, NULL) ||
		    !dtb[IOMMU_POLICY_A_DEVICE_NAME] || !dtb[IOMMU_POLICY_A_DEVICE_COUNTERS])
			continue;
		list->devices = xrealloc(list->devices, (list->count + 1) * sizeof(*d));
		d = &list->devices[list->count++];
		d->group = id;
		snprintf(d->name, sizeof(d->name), "%s", nla_get_string(dtb[IOMMU_POLICY_A_DEVICE_NAME]));
		parse_counters(dtb[IOMMU_POLICY_A_DEVICE_COUNTERS], &d->c);
	}
	return NL_OK;
}

static int device_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ic_device_stats *)a)->name,
		      ((const struct ic_device_stats *)b)->name);
}

int device_stats_load(struct ic_device_stats_list *list, char *why, size_t size)
{
	struct nlc nl;

	memset(list, 0, sizeof(*list));
	if (sysfs_root()[0]) {
		snprintf(why, size, "a recorded tree (--sysroot) has no netlink");
		return -1;
	}
	if (nlc_open(&nl, why, size))
		return -1;
	if (nlc_request(&nl, nlc_msg(&nl, IOMMU_POLICY_NL_CMD_GROUP_GET, NLM_F_DUMP),
			on_group, list)) {
		snprintf(why, size, "dumping the module's groups over netlink: %s%s%s",
			 strerror(nl.err), nl.extack[0] ? ": " : "", nl.extack);
		nlc_close(&nl);
		device_stats_free(list);
		return -1;
	}
	nlc_close(&nl);
	if (list->count)
		qsort(list->devices, list->count, sizeof(*list->devices), device_cmp);
	return 0;
}

void device_stats_free(struct ic_device_stats_list *list)
{
	free(list->devices);
	memset(list, 0, sizeof(*list));
}

const struct ic_counters *device_stats_find(const struct ic_device_stats_list *list,
					    const char *name)
{
	const struct ic_device_stats *d;
	struct ic_device_stats key;

	if (!list->count)
		return NULL;
	snprintf(key.name, sizeof(key.name), "%s", name);
	d = bsearch(&key, list->devices, list->count, sizeof(*d), device_cmp);
	return d ? &d->c : NULL;
}

enum dma_hold dma_accounting_hold(struct nlc *nl)
{
	char reason[160];
	struct nl_msg *msg;
	int err;

	if (sysfs_root()[0] || nlc_open(nl, reason, sizeof(reason)))
		return DMA_HOLD_NO_MODULE;
	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING, 0);
	nla_put_u8(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD, 1);
	err = nlc_request(nl, msg, NULL, NULL);
	if (!err || err == EOPNOTSUPP)	/* EOPNOTSUPP: a module that counts always */
		return DMA_HOLD_OK;
	nlc_close(nl);
	return err == EPERM ? DMA_HOLD_NEEDS_ROOT : DMA_HOLD_REFUSED;
}
