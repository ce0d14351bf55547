// SPDX-License-Identifier: GPL-2.0
/*
 * The iommu_policy generic netlink family: netlink/iommu_policy.yaml is the
 * contract, include/uapi/linux/iommu_policy_netlink.h is generated from it,
 * iommu_policy(4) describes the semantics.
 *
 * Requests run in the sender's process context.  Events reach the multicast
 * group "events" (CAP_SYS_ADMIN to join) from two queues, each drained by its
 * own work item, and only while someone listens:
 *
 *  - group changes (policy, owner, devices) are reported from process
 *    context, often with locks held that building the message needs itself
 *    (ipol_groups_lock in the reconcile, a device lock in the bus notifier);
 *    they are queued on ipol_nl_changes (a list under a spinlock, allocated
 *    outside it) and the work builds the message without any lock held;
 *  - faults are reported by the io_page_fault probe, in any context up to
 *    hard IRQ: each CPU has a bounded ring (event_buffer entries) with one
 *    producer, the probe on that CPU with IRQs off while it writes, and one
 *    consumer, the work; head and tail are published with release/acquire,
 *    no lock.  The probe queues the work only when it finds the ring drained
 *    up to its own event, and the work looks at the head again after its
 *    last tail store (a full barrier on each side: one of them sees the
 *    other), so a storm costs one queue_work() a batch, not one a fault.
 *    The probe asks whether anyone listens once per tick and CPU
 *    (asking costs more than counting a fault), so a new listener's first
 *    fault events may come a tick late.
 *    A full ring drops the event and counts it; the next batch the work
 *    sends starts with a drop-ntf saying how many were lost.  The counters
 *    in stats.c are kept before this and stay exact.
 *
 * DMA accounting holds: a socket that asks (dma-accounting with hold 1)
 * holds the DMA probes registered until it asks again or is released; see
 * "DMA accounting holds" below.
 *
 * Lifetimes: the family is registered after every object the requests use
 * exists and unregistered before they go; unregistering waits for running
 * requests.  The probe stops (ipol_stats_stop()) before ipol_nl_exit(), which
 * then cancels both works and frees what they did not send.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/list.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <linux/iommu_policy_netlink.h>

#include "compat.h"
#include "iommu_policy.h"

unsigned int ipol_nl_event_buffer = 256;
module_param_named(event_buffer, ipol_nl_event_buffer, uint, 0444);
MODULE_PARM_DESC(event_buffer,
		 "fault events buffered per CPU for netlink listeners (1-65536, default 256)");

/* --- the family ---------------------------------------------------------------- */

enum ipol_nl_mcgrp {
	IPOL_NL_MCGRP_EVENTS,
};

static const struct genl_multicast_group ipol_nl_mcgrps[] = {
	/* Fault addresses and ownership: as private as the sysfs files that show them. */
	[IPOL_NL_MCGRP_EVENTS] = {
		.name = IOMMU_POLICY_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_SYS_ADMIN,
	},
};

static struct genl_family ipol_nl_family;
static bool ipol_nl_registered;

/* Does anyone listen to "events"?  Any context. */
bool ipol_nl_listening(void)
{
	return READ_ONCE(ipol_nl_registered) &&
	       genl_has_listeners(&ipol_nl_family, &init_net, IPOL_NL_MCGRP_EVENTS);
}

/* --- filling messages ---------------------------------------------------------- */

/* The counters of @scope (counter_defs.h), in the order of that list. */
static int ipol_nl_put_scope(struct sk_buff *skb, const struct ipol_sum *sum,
			     enum ipol_counter_scope scope)
{
	int i;

	for (i = 0; i < IPOL_NR_COUNTERS; i++)
		if (ipol_counters[i].scope == scope &&
		    nla_put_u64_64bit(skb, ipol_counters[i].nl_type, sum->count[i],
				      IOMMU_POLICY_A_COUNTERS_PAD))
			return -EMSGSIZE;
	return 0;
}

/*
 * A counters nest.  @admin: the reader may see fault addresses.  @module: the
 * module-wide set, with the counters only it has.  What is not a count is
 * put here, each on its own condition.
 */
static int ipol_nl_put_counters(struct sk_buff *skb, int type, const struct ipol_sum *sum,
				bool admin, bool module)
{
	const int pad = IOMMU_POLICY_A_COUNTERS_PAD;
	char name[32];
	struct nlattr *nest;

	nest = nla_nest_start(skb, type);
	if (!nest)
		return -EMSGSIZE;
	if (ipol_nl_put_scope(skb, sum, IPOL_SCOPE_DEV))
		goto err;
	if (sum->last_ns) {
		ipol_dev_id_name(sum->last_dev, name, sizeof(name));
		if (nla_put_u64_64bit(skb, IOMMU_POLICY_A_COUNTERS_LAST_FAULT_TIME,
				      sum->last_ns, pad) ||
		    nla_put_string(skb, IOMMU_POLICY_A_COUNTERS_LAST_FAULT_DEVICE, name))
			goto err;
		if (admin && nla_put_u64_64bit(skb, IOMMU_POLICY_A_COUNTERS_LAST_FAULT_IOVA,
					       sum->last_iova, pad))
			goto err;
	}
	if (ipol_dma_per_device() && ipol_nl_put_scope(skb, sum, IPOL_SCOPE_DMA))
		goto err;
	if (module && ipol_nl_put_scope(skb, sum, IPOL_SCOPE_MODULE))
		goto err;
	if (sum->reset_ns &&
	    nla_put_u64_64bit(skb, IOMMU_POLICY_A_COUNTERS_RESET_TIME, sum->reset_ns, pad))
		goto err;
	if (nla_put_u8(skb, IOMMU_POLICY_A_COUNTERS_DMA_ACCOUNTING, sum->dma_acct.enabled) ||
	    (sum->dma_acct.since_ns &&
	     nla_put_u64_64bit(skb, IOMMU_POLICY_A_COUNTERS_DMA_ACCOUNTING_SINCE,
			       sum->dma_acct.since_ns, pad)))
		goto err;
	nla_nest_end(skb, nest);
	return 0;

err:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

static int ipol_nl_put_devices(struct sk_buff *skb, struct ipol_group *grp, bool admin)
{
	struct ipol_driver_name *drivers;
	struct device **devs;
	struct ipol_sum sum;
	struct nlattr *nest;
	int i, n, ret = 0;

	n = ipol_group_devices(grp, &devs);
	if (n <= 0)
		return n;
	drivers = kcalloc(n, sizeof(*drivers), GFP_KERNEL);
	if (!drivers) {
		ret = -ENOMEM;
		goto out;
	}
	ipol_driver_names(grp, devs, n, drivers);
	for (i = 0; i < n; i++) {
		nest = nla_nest_start(skb, IOMMU_POLICY_A_GROUP_DEVICE);
		if (!nest ||
		    nla_put_string(skb, IOMMU_POLICY_A_DEVICE_NAME, dev_name(devs[i])) ||
		    (drivers[i].name[0] &&
		     nla_put_string(skb, IOMMU_POLICY_A_DEVICE_DRIVER, drivers[i].name)))
			goto emsgsize;
		/* -ENOENT: the device left the group a moment ago. */
		if (!ipol_dev_stats_read(devs[i], &sum) &&
		    ipol_nl_put_counters(skb, IOMMU_POLICY_A_DEVICE_COUNTERS, &sum, admin, false))
			goto emsgsize;
		nla_nest_end(skb, nest);
	}
	goto out;

emsgsize:
	if (nest)
		nla_nest_cancel(skb, nest);
	ret = -EMSGSIZE;
out:
	kfree(drivers);
	ipol_put_devices(devs, n);
	return ret;
}

/*
 * Every attribute of a group, as group-get replies and group-change-ntf
 * carry them.  Takes ipol_groups_lock, ipol_claims_lock, the kernel's
 * group->mutex and ipol_stats_lock, one at a time: call it without them.
 */
static int ipol_nl_put_group(struct sk_buff *skb, struct ipol_group *grp, bool admin)
{
	enum iommu_policy_type policy = IOMMU_POLICY_UNKNOWN;
	char reason[IPOL_REASON_MAX];
	struct ipol_owner_info owner;
	struct ipol_sum sum;
	char *drivers;
	int ret;

	/* As much as groups/<id>/owner shows. */
	drivers = kmalloc(PAGE_SIZE / 2, GFP_KERNEL);
	if (!drivers)
		return -ENOMEM;
	ipol_kernel_type_read(grp->id, &policy, NULL, 0);
	ipol_owner_get(grp, &owner, drivers, PAGE_SIZE / 2);
	ipol_last_error_get(grp, reason, sizeof(reason));

	ret = -EMSGSIZE;
	if (nla_put_u32(skb, IOMMU_POLICY_A_GROUP_ID, grp->id) ||
	    nla_put_u32(skb, IOMMU_POLICY_A_GROUP_POLICY, policy) ||
	    nla_put_u32(skb, IOMMU_POLICY_A_GROUP_MANDATORY, ipol_mandatory(grp)) ||
	    nla_put_u32(skb, IOMMU_POLICY_A_GROUP_OWNER, owner.owner))
		goto out;
	if ((owner.owner == IOMMU_POLICY_OWNER_CLAIMED ||
	     owner.owner == IOMMU_POLICY_OWNER_QUARANTINED) &&
	    (nla_put_u32(skb, IOMMU_POLICY_A_GROUP_OWNER_PID, owner.pid) ||
	     nla_put_string(skb, IOMMU_POLICY_A_GROUP_OWNER_COMM, owner.comm) ||
	     nla_put_s64(skb, IOMMU_POLICY_A_GROUP_OWNER_SINCE, owner.since,
			 IOMMU_POLICY_A_GROUP_PAD)))
		goto out;
	if (drivers[0] && nla_put_string(skb, IOMMU_POLICY_A_GROUP_OWNER_DRIVERS, drivers))
		goto out;
	if (nla_put_string(skb, IOMMU_POLICY_A_GROUP_LAST_ERROR, reason))
		goto out;
	ret = ipol_nl_put_devices(skb, grp, admin);
	if (ret)
		goto out;
	ipol_group_stats_read(grp->stats, &sum);
	ret = ipol_nl_put_counters(skb, IOMMU_POLICY_A_GROUP_COUNTERS, &sum, admin, false);
out:
	kfree(drivers);
	return ret;
}

/* A group change or refusal, queued for the work that reports it. */
struct ipol_nl_change {
	struct list_head node;
	int group_id;
	u32 change;			/* enum iommu_policy_change */
	u32 old_policy;			/* CHANGE_POLICY: enum iommu_policy_type before */
	pid_t pid;			/* in whose context: the initial PID namespace's */
	char comm[TASK_COMM_LEN];
	char dev[IPOL_LINK_NAME_MAX];
	char reason[IPOL_REASON_MAX];	/* CHANGE_REFUSED */
};

/* The change-* attributes of a group-change notification. */
static int ipol_nl_put_change(struct sk_buff *skb, const struct ipol_nl_change *c)
{
	if (nla_put_u32(skb, IOMMU_POLICY_A_GROUP_CHANGE, c->change) ||
	    nla_put_u32(skb, IOMMU_POLICY_A_GROUP_CHANGE_PID, c->pid) ||
	    nla_put_string(skb, IOMMU_POLICY_A_GROUP_CHANGE_COMM, c->comm))
		return -EMSGSIZE;
	if (c->dev[0] && nla_put_string(skb, IOMMU_POLICY_A_GROUP_CHANGE_DEVICE, c->dev))
		return -EMSGSIZE;
	if (c->reason[0] && nla_put_string(skb, IOMMU_POLICY_A_GROUP_CHANGE_REASON, c->reason))
		return -EMSGSIZE;
	if (c->change == IOMMU_POLICY_CHANGE_POLICY &&
	    nla_put_u32(skb, IOMMU_POLICY_A_GROUP_CHANGE_OLD_POLICY, c->old_policy))
		return -EMSGSIZE;
	return 0;
}

/*
 * A whole group message in a new skb, growing it until the group fits.
 * @info: the request to reply to, or NULL for a notification.
 * @grp: the group, or NULL for a group that is gone: then only @group_id.
 * @change: for a notification, what changed; NULL for a reply.
 */
static struct sk_buff *ipol_nl_group_msg(int group_id, struct ipol_group *grp,
					 struct genl_info *info, bool admin,
					 const struct ipol_nl_change *change)
{
	size_t size = NLMSG_GOODSIZE;
	struct sk_buff *skb;
	void *hdr;
	int ret;

	for (;;) {
		skb = genlmsg_new(size, GFP_KERNEL);
		if (!skb)
			return ERR_PTR(-ENOMEM);
		if (info)
			hdr = genlmsg_put_reply(skb, info, &ipol_nl_family, 0,
						IOMMU_POLICY_NL_CMD_GROUP_GET);
		else
			hdr = genlmsg_put(skb, 0, 0, &ipol_nl_family, 0,
					  IOMMU_POLICY_NL_CMD_GROUP_CHANGE_NTF);
		ret = hdr ? 0 : -EMSGSIZE;
		if (!ret && grp)
			ret = ipol_nl_put_group(skb, grp, admin);
		else if (!ret)
			ret = nla_put_u32(skb, IOMMU_POLICY_A_GROUP_ID, group_id);
		if (!ret && change && ipol_nl_put_change(skb, change))
			ret = -EMSGSIZE;
		if (!ret) {
			genlmsg_end(skb, hdr);
			return skb;
		}
		nlmsg_free(skb);
		if (ret != -EMSGSIZE || size >= 16 * NLMSG_GOODSIZE)
			return ERR_PTR(ret);
		size *= 4;
	}
}

/* --- requests ---------------------------------------------------------------- */

static struct ipol_group *ipol_nl_group_from_attr(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[IOMMU_POLICY_A_GROUP_ID];
	struct ipol_group *grp;

	grp = ipol_group_lookup(nla_get_u32(attr));
	if (!grp) {
		NL_SET_ERR_MSG_ATTR(info->extack, attr,
				    "no such IOMMU group (see /sys/kernel/iommu_policy/groups)");
		return ERR_PTR(-ENOENT);
	}
	return grp;
}

static int ipol_nl_group_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct ipol_group *grp;
	struct sk_buff *msg;

	if (GENL_REQ_ATTR_CHECK(info, IOMMU_POLICY_A_GROUP_ID))
		return -EINVAL;
	grp = ipol_nl_group_from_attr(info);
	if (IS_ERR(grp))
		return PTR_ERR(grp);
	msg = ipol_nl_group_msg(grp->id, grp, info, netlink_capable(skb, CAP_SYS_ADMIN),
				NULL);
	kobject_put(&grp->kobj);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	return genlmsg_reply(msg, info);
}

static int ipol_nl_group_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	bool admin = netlink_capable(cb->skb, CAP_SYS_ADMIN);
	u32 id = cb->args[0];
	struct ipol_group *grp;
	int ret = 0;
	void *hdr;

	/* cb->args[0]: the lowest group id not dumped yet. */
	while ((grp = ipol_group_next(&id))) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ipol_nl_family, NLM_F_MULTI, IOMMU_POLICY_NL_CMD_GROUP_GET);
		ret = hdr ? ipol_nl_put_group(skb, grp, admin) : -EMSGSIZE;
		kobject_put(&grp->kobj);
		if (ret) {
			if (hdr)
				genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		id++;
	}
	cb->args[0] = id;
	/* A group that does not fit in an empty message is an error; else go on. */
	if (ret && (ret != -EMSGSIZE || !skb->len))
		return ret;
	return skb->len;
}

static int ipol_nl_group_set_doit(struct sk_buff *skb, struct genl_info *info)
{
	enum iommu_policy_type target;
	struct ipol_group *grp;
	const char *brief;
	unsigned int seq;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, IOMMU_POLICY_A_GROUP_ID) ||
	    GENL_REQ_ATTR_CHECK(info, IOMMU_POLICY_A_GROUP_POLICY))
		return -EINVAL;
	/* As for the policy file and the kernel's type file. */
	if (!netlink_capable(skb, CAP_SYS_ADMIN) || !netlink_capable(skb, CAP_SYS_RAWIO)) {
		NL_SET_ERR_MSG(info->extack,
			       "changing the policy needs CAP_SYS_ADMIN and CAP_SYS_RAWIO");
		return -EPERM;
	}
	grp = ipol_nl_group_from_attr(info);
	if (IS_ERR(grp))
		return PTR_ERR(grp);
	target = nla_get_u32(info->attrs[IOMMU_POLICY_A_GROUP_POLICY]);

	mutex_lock(&grp->lock);
	seq = ipol_last_error_seq(grp);
	ret = ipol_policy_set_locked(grp, target, NULL);
	/* Only a reason this change recorded is its reason. */
	brief = ret && ipol_last_error_seq(grp) != seq ?
		ipol_last_error_get(grp, NULL, 0) : NULL;
	mutex_unlock(&grp->lock);
	kobject_put(&grp->kobj);
	/*
	 * NL_SET_ERR_MSG() takes literals only; brief is a static string too,
	 * which the kernel copies into the ACK after we return.
	 */
	if (brief && info->extack)
		info->extack->_msg = brief;
	else if (ret == -ENODEV)
		NL_SET_ERR_MSG(info->extack, "the group has no devices any more");
	return ret;
}

/*
 * Reply to the request @skb/@info with a message of @cmd that @fill fills:
 * -ENOMEM, or -EMSGSIZE when @fill fails.
 */
static int ipol_nl_reply(struct sk_buff *skb, struct genl_info *info, u8 cmd,
			 int (*fill)(struct sk_buff *msg, struct sk_buff *skb,
				     struct genl_info *info))
{
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &ipol_nl_family, 0, cmd);
	if (!hdr || fill(msg, skb, info)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ipol_nl_stats_fill(struct sk_buff *msg, struct sk_buff *skb, struct genl_info *info)
{
	struct ipol_sum sum;

	ipol_module_stats_read(&sum);
	if (ipol_nl_put_counters(msg, IOMMU_POLICY_A_STATS_COUNTERS, &sum,
				 netlink_capable(skb, CAP_SYS_ADMIN), true) ||
	    nla_put_u32(msg, IOMMU_POLICY_A_STATS_FEATURES, ipol_features()))
		return -EMSGSIZE;
	return 0;
}

static int ipol_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	return ipol_nl_reply(skb, info, IOMMU_POLICY_NL_CMD_STATS_GET, ipol_nl_stats_fill);
}

static int ipol_nl_stats_reset_doit(struct sk_buff *skb, struct genl_info *info)
{
	if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack, "resetting the counters needs CAP_SYS_ADMIN");
		return -EPERM;
	}
	ipol_stats_reset();
	return 0;
}

/* --- DMA accounting holds ------------------------------------------------------ */

/*
 * The sockets that hold DMA accounting on (stats.c counts them as clients),
 * by port id: one hold per socket, dropped by a request or when the socket
 * is released (the NETLINK_URELEASE notifier, process context).  The family
 * lives in init_net only.  ipol_nl_holds_lock (a mutex) nests outside
 * stats.c's ipol_acct_lock.
 */
struct ipol_nl_hold {
	struct list_head node;
	u32 portid;
};

static DEFINE_MUTEX(ipol_nl_holds_lock);
static LIST_HEAD(ipol_nl_holds);	/* ipol_nl_holds_lock */

static struct ipol_nl_hold *ipol_nl_hold_find(u32 portid)
{
	struct ipol_nl_hold *h;

	lockdep_assert_held(&ipol_nl_holds_lock);
	list_for_each_entry(h, &ipol_nl_holds, node)
		if (h->portid == portid)
			return h;
	return NULL;
}

/* Take (@hold) or drop @portid's hold; holding twice is holding once. */
static int ipol_nl_hold_set(u32 portid, bool hold)
{
	struct ipol_nl_hold *h, *new = NULL;
	int ret = 0;

	if (hold) {
		new = kzalloc(sizeof(*new), GFP_KERNEL);
		if (!new)
			return -ENOMEM;
		new->portid = portid;
	}
	mutex_lock(&ipol_nl_holds_lock);
	h = ipol_nl_hold_find(portid);
	if (hold && !h) {
		ret = ipol_dma_acct_hold(true);
		if (!ret) {
			list_add(&new->node, &ipol_nl_holds);
			new = NULL;
		}
	} else if (!hold && h) {
		list_del(&h->node);
		ipol_dma_acct_hold(false);
		kfree(h);
	}
	mutex_unlock(&ipol_nl_holds_lock);
	kfree(new);
	return ret;
}

static bool ipol_nl_held(u32 portid)
{
	bool held;

	mutex_lock(&ipol_nl_holds_lock);
	held = ipol_nl_hold_find(portid);
	mutex_unlock(&ipol_nl_holds_lock);
	return held;
}

/* A generic netlink socket of init_net went away: drop its hold, if any. */
static int ipol_nl_urelease(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event == NETLINK_URELEASE && n->protocol == NETLINK_GENERIC &&
	    net_eq(n->net, &init_net) && n->portid)
		ipol_nl_hold_set(n->portid, false);
	return NOTIFY_DONE;
}

static struct notifier_block ipol_nl_urelease_nb = {
	.notifier_call = ipol_nl_urelease,
};

static int ipol_nl_dma_accounting_fill(struct sk_buff *msg, struct sk_buff *skb,
				       struct genl_info *info)
{
	const int pad = IOMMU_POLICY_A_DMA_ACCOUNTING_PAD;
	struct ipol_dma_acct st;

	ipol_dma_acct_read(&st);
	if (nla_put_u8(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_ENABLED, st.enabled) ||
	    nla_put_u8(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_PINNED, st.pinned) ||
	    nla_put_u32(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_CLIENTS, st.clients) ||
	    (st.since_ns &&
	     nla_put_u64_64bit(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_SINCE, st.since_ns, pad)) ||
	    nla_put_u8(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_HELD, ipol_nl_held(info->snd_portid)))
		return -EMSGSIZE;
	return 0;
}

static int ipol_nl_dma_accounting_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *hold = info->attrs[IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD];
	bool was = false;
	int ret;

	if (hold) {
		if (!netlink_capable(skb, CAP_SYS_ADMIN)) {
			NL_SET_ERR_MSG(info->extack, "holding DMA accounting needs CAP_SYS_ADMIN");
			return -EPERM;
		}
		was = ipol_nl_held(info->snd_portid);
		ret = ipol_nl_hold_set(info->snd_portid, nla_get_u8(hold));
		if (ret) {
			NL_SET_ERR_MSG(info->extack, "registering the DMA probes failed");
			return ret;
		}
	}
	ret = ipol_nl_reply(skb, info, IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING,
			    ipol_nl_dma_accounting_fill);
	/* A request that fails changes nothing: the hold as it was (fail-nth found this). */
	if (ret && hold)
		ipol_nl_hold_set(info->snd_portid, was);
	return ret;
}

/* At exit, after the family and the notifier are gone: no request runs. */
static void ipol_nl_holds_free(void)
{
	struct ipol_nl_hold *h, *tmp;

	mutex_lock(&ipol_nl_holds_lock);
	list_for_each_entry_safe(h, tmp, &ipol_nl_holds, node) {
		list_del(&h->node);
		ipol_dma_acct_hold(false);
		kfree(h);
	}
	mutex_unlock(&ipol_nl_holds_lock);
}

static const struct nla_policy
ipol_nl_dma_accounting_policy[IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD + 1] = {
	[IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD] = NLA_POLICY_MAX(NLA_U8, 1),
};

static const struct nla_policy ipol_nl_group_get_policy[IOMMU_POLICY_A_GROUP_ID + 1] = {
	[IOMMU_POLICY_A_GROUP_ID] = { .type = NLA_U32 },
};

static const struct nla_policy ipol_nl_group_set_policy[IOMMU_POLICY_A_GROUP_POLICY + 1] = {
	[IOMMU_POLICY_A_GROUP_ID] = { .type = NLA_U32 },
	[IOMMU_POLICY_A_GROUP_POLICY] =
		NLA_POLICY_RANGE(NLA_U32, IOMMU_POLICY_IDENTITY, IOMMU_POLICY_AUTO),
};

/*
 * .ops rather than .split_ops, which 6.1 lacks.  resv_start_op is 0: every
 * command is validated strictly (no unknown attributes, no reserved header
 * bits), and a command without a policy takes no attributes at all.
 */
static const struct genl_ops ipol_nl_ops[] = {
	{
		.cmd = IOMMU_POLICY_NL_CMD_GROUP_GET,
		.doit = ipol_nl_group_get_doit,
		.dumpit = ipol_nl_group_get_dumpit,
		.policy = ipol_nl_group_get_policy,
		.maxattr = IOMMU_POLICY_A_GROUP_ID,
	},
	{
		.cmd = IOMMU_POLICY_NL_CMD_GROUP_SET,
		.doit = ipol_nl_group_set_doit,
		.policy = ipol_nl_group_set_policy,
		.maxattr = IOMMU_POLICY_A_GROUP_POLICY,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IOMMU_POLICY_NL_CMD_STATS_GET,
		.doit = ipol_nl_stats_get_doit,
	},
	{
		.cmd = IOMMU_POLICY_NL_CMD_STATS_RESET,
		.doit = ipol_nl_stats_reset_doit,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING,
		.doit = ipol_nl_dma_accounting_doit,
		.policy = ipol_nl_dma_accounting_policy,
		.maxattr = IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD,
	},
};

static struct genl_family ipol_nl_family __ro_after_init = {
	.name = IOMMU_POLICY_FAMILY_NAME,
	.version = IOMMU_POLICY_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = ipol_nl_ops,
	.n_ops = ARRAY_SIZE(ipol_nl_ops),
	.mcgrps = ipol_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ipol_nl_mcgrps),
	/* Requests take our own locks; genl_mutex would only serialise them. */
	.parallel_ops = true,
};

/* Send a notification to the events group; it frees @skb. */
static void ipol_nl_multicast(struct sk_buff *skb)
{
	genlmsg_multicast(&ipol_nl_family, skb, 0, IPOL_NL_MCGRP_EVENTS, GFP_KERNEL);
}

/* --- group-change events ------------------------------------------------------ */

static DEFINE_SPINLOCK(ipol_nl_changes_lock);
static LIST_HEAD(ipol_nl_changes);	/* ipol_nl_changes_lock */
static bool ipol_nl_changes_open;	/* ipol_nl_changes_lock; false from ipol_nl_exit() */

static void ipol_nl_changes_workfn(struct work_struct *work);
static DECLARE_WORK(ipol_nl_changes_work, ipol_nl_changes_workfn);

/*
 * Queue @c (allocated, filled but for pid and comm) for the work, which sends
 * it, or free it after ipol_nl_exit().
 */
static void ipol_nl_queue_change(struct ipol_nl_change *c)
{
	/* Whoever wrote the file, claimed, closed, or the kernel thread probing. */
	c->pid = task_tgid_nr(current);
	get_task_comm(c->comm, current);
	spin_lock(&ipol_nl_changes_lock);
	if (ipol_nl_changes_open) {
		list_add_tail(&c->node, &ipol_nl_changes);
		queue_work(ipol_wq(), &ipol_nl_changes_work);
		c = NULL;
	}
	spin_unlock(&ipol_nl_changes_lock);
	kfree(c);
}

static struct ipol_nl_change *ipol_nl_change_new(int group_id, u32 change)
{
	struct ipol_nl_change *c;

	if (!ipol_nl_listening())
		return NULL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c) {
		pr_warn_ratelimited("group %d: no memory for a change event\n", group_id);
		return NULL;
	}
	c->group_id = group_id;
	c->change = change;
	return c;
}

/**
 * ipol_nl_group_changed - report a change of a group to the events group
 * @group_id: the group
 * @change: enum iommu_policy_change
 * @dev: the device concerned, or NULL
 *
 * Process context; any of our locks may be held (none of them a spinlock).
 * Does nothing unless someone listens.
 */
void ipol_nl_group_changed(int group_id, u32 change, struct device *dev)
{
	struct ipol_nl_change *c = ipol_nl_change_new(group_id, change);

	if (!c)
		return;
	if (dev)
		strscpy(c->dev, dev_name(dev), sizeof(c->dev));
	ipol_nl_queue_change(c);
}

/* A policy change from @old: as ipol_nl_group_changed(). */
void ipol_nl_policy_changed(int group_id, u32 old)
{
	struct ipol_nl_change *c = ipol_nl_change_new(group_id, IOMMU_POLICY_CHANGE_POLICY);

	if (!c)
		return;
	c->old_policy = old;
	ipol_nl_queue_change(c);
}

/* A change or claim refused for @reason (its text is copied): as ipol_nl_group_changed(). */
void ipol_nl_change_refused(int group_id, const char *reason)
{
	struct ipol_nl_change *c = ipol_nl_change_new(group_id, IOMMU_POLICY_CHANGE_REFUSED);

	if (!c)
		return;
	strscpy(c->reason, reason, sizeof(c->reason));
	ipol_nl_queue_change(c);
}

static void ipol_nl_changes_workfn(struct work_struct *work)
{
	struct ipol_nl_change *c, *tmp;
	struct ipol_group *grp;
	struct sk_buff *skb;
	LIST_HEAD(batch);

	spin_lock(&ipol_nl_changes_lock);
	list_splice_init(&ipol_nl_changes, &batch);
	spin_unlock(&ipol_nl_changes_lock);

	list_for_each_entry_safe(c, tmp, &batch, node) {
		list_del(&c->node);
		/* A group whose last device left is reported by its id alone. */
		grp = ipol_group_lookup(c->group_id);
		skb = ipol_nl_group_msg(c->group_id, grp, NULL, true, c);
		if (grp)
			kobject_put(&grp->kobj);
		if (!IS_ERR(skb))
			ipol_nl_multicast(skb);
		kfree(c);
		cond_resched();
	}
}

/* --- fault events ---------------------------------------------------------------- */

/*
 * Each CPU's ring of fault events (struct ipol_nl_ring, iommu_policy.h) and
 * its drops, which the probe counts without a call when it finds the ring
 * full (ipol_nl_events_full()).
 */
DEFINE_PER_CPU(struct ipol_nl_ring *, ipol_nl_ring);
DEFINE_PER_CPU(u64, ipol_nl_dropped);
static u64 ipol_nl_dropped_reported;	/* the work's */
static u64 ipol_nl_lost;		/* written by the work: events it could not build */

static void ipol_nl_faults_workfn(struct work_struct *work);
static DECLARE_WORK(ipol_nl_faults_work, ipol_nl_faults_workfn);

/*
 * From the io_page_fault probe, when ipol_nl_listening() said yes this tick:
 * any context.  No lock, no allocation.
 */
void ipol_nl_fault_event(int group_id, u32 dev_id, u64 iova, bool write, u64 now)
{
	bool was_empty = false;
	struct ipol_nl_fault *ev;
	struct ipol_nl_ring *r;
	unsigned long flags;
	u32 head;

	/* One producer per ring: no interrupt may add to it halfway. */
	local_irq_save(flags);
	r = this_cpu_read(ipol_nl_ring);
	head = r->head;
	/* Its acquire of the tail: the work is done with the slot. */
	if (ipol_nl_events_full()) {
		/* Full: the work is queued or running, and reports the drop. */
		ipol_nl_events_drop();
	} else {
		ev = &r->ev[head % ipol_nl_event_buffer];
		ev->time = now;
		ev->iova = iova;
		ev->group_id = group_id;
		ev->dev_id = dev_id;
		ev->write = write;
		smp_store_release(&r->head, head + 1);	/* publish the slot */
		/*
		 * Queue the work only when it may have drained this ring up to
		 * here: pairs with the barrier after the work's last tail store
		 * (ipol_nl_faults_workfn()), so that either it sees this head
		 * or this sees its tail.
		 */
		smp_mb();
		was_empty = READ_ONCE(r->tail) == head;
	}
	local_irq_restore(flags);
	if (was_empty)
		queue_work(ipol_wq(), &ipol_nl_faults_work);
}

u64 ipol_nl_events_dropped(void)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(ipol_nl_dropped, cpu));
	return sum + READ_ONCE(ipol_nl_lost);
}

/* false if it could not be built: the count is reported with the next one. */
static bool ipol_nl_send_drop(u64 dropped)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return false;
	hdr = genlmsg_put(skb, 0, 0, &ipol_nl_family, 0, IOMMU_POLICY_NL_CMD_DROP_NTF);
	if (!hdr || nla_put_u64_64bit(skb, IOMMU_POLICY_A_DROP_DROPPED, dropped,
				      IOMMU_POLICY_A_DROP_PAD)) {
		nlmsg_free(skb);
		return false;
	}
	genlmsg_end(skb, hdr);
	ipol_nl_multicast(skb);
	return true;
}

/* false if it could not be built: it is then counted as dropped. */
static bool ipol_nl_send_fault(const struct ipol_nl_fault *ev)
{
	const int pad = IOMMU_POLICY_A_FAULT_PAD;
	struct sk_buff *skb;
	char name[32];
	void *hdr;

	skb = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!skb)
		return false;
	hdr = genlmsg_put(skb, 0, 0, &ipol_nl_family, 0, IOMMU_POLICY_NL_CMD_FAULT_NTF);
	if (!hdr)
		goto err;
	if (ev->group_id >= 0 && nla_put_u32(skb, IOMMU_POLICY_A_FAULT_GROUP, ev->group_id))
		goto err;
	if (ev->dev_id != IPOL_DEV_ID_NONE) {
		ipol_dev_id_name(ev->dev_id, name, sizeof(name));
		if (nla_put_string(skb, IOMMU_POLICY_A_FAULT_DEVICE, name))
			goto err;
	}
	if ((ev->write && nla_put_flag(skb, IOMMU_POLICY_A_FAULT_WRITE)) ||
	    nla_put_u64_64bit(skb, IOMMU_POLICY_A_FAULT_IOVA, ev->iova, pad) ||
	    nla_put_u64_64bit(skb, IOMMU_POLICY_A_FAULT_TIME, ev->time, pad))
		goto err;
	genlmsg_end(skb, hdr);
	ipol_nl_multicast(skb);
	return true;

err:
	nlmsg_free(skb);
	return false;
}

/*
 * Send what the probes buffered, a drop report first if any event was lost.
 * A work item never runs on two CPUs at once, so this is the rings' only
 * consumer.  Each ring is drained up to the head seen on entry: a storm on
 * one CPU cannot keep the work here; the probe queues it again.
 */
static void ipol_nl_faults_workfn(struct work_struct *work)
{
	struct ipol_nl_fault ev;
	u64 dropped;
	int cpu;

	bool more;

	do {
		more = false;
		dropped = ipol_nl_events_dropped();
		if (dropped != ipol_nl_dropped_reported &&
		    ipol_nl_send_drop(dropped - ipol_nl_dropped_reported))
			ipol_nl_dropped_reported = dropped;
		for_each_possible_cpu(cpu) {
			struct ipol_nl_ring *r = per_cpu(ipol_nl_ring, cpu);
			u32 head = smp_load_acquire(&r->head);	/* the slots are written */
			u32 tail = r->tail;

			while (tail != head) {
				ev = r->ev[tail % ipol_nl_event_buffer];
				smp_store_release(&r->tail, ++tail);	/* done with the slot */
				if (!ipol_nl_send_fault(&ev))
					WRITE_ONCE(ipol_nl_lost, ipol_nl_lost + 1);
			}
			/*
			 * The probe queues this work only when it finds the
			 * ring drained (ipol_nl_fault_event()): after the last
			 * tail store, look at the head again.
			 */
			smp_mb();
			if (READ_ONCE(r->head) != tail)
				more = true;
			cond_resched();
		}
		/* Drops and lost events since the first look: report them too. */
		if (ipol_nl_events_dropped() != dropped)
			more = true;
	} while (more);
}

/* --- init and exit ----------------------------------------------------------------- */

static void ipol_nl_rings_free(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		kvfree(per_cpu(ipol_nl_ring, cpu));
		per_cpu(ipol_nl_ring, cpu) = NULL;
	}
}

int ipol_nl_init(void)
{
	size_t size;
	int cpu, ret;

	if (!ipol_nl_event_buffer || ipol_nl_event_buffer > 65536) {
		pr_err("event_buffer=%u: use 1 to 65536\n", ipol_nl_event_buffer);
		return -EINVAL;
	}
	size = sizeof(struct ipol_nl_ring) + ipol_nl_event_buffer * sizeof(struct ipol_nl_fault);
	for_each_possible_cpu(cpu) {
		per_cpu(ipol_nl_ring, cpu) = kvzalloc_node(size, GFP_KERNEL, cpu_to_node(cpu));
		if (!per_cpu(ipol_nl_ring, cpu)) {
			ipol_nl_rings_free();
			return -ENOMEM;
		}
	}
	ret = netlink_register_notifier(&ipol_nl_urelease_nb);
	if (ret) {
		ipol_nl_rings_free();
		return ret;
	}
	ret = genl_register_family(&ipol_nl_family);
	if (ret) {
		netlink_unregister_notifier(&ipol_nl_urelease_nb);
		ipol_nl_rings_free();
		return ret;
	}
	spin_lock(&ipol_nl_changes_lock);
	ipol_nl_changes_open = true;
	spin_unlock(&ipol_nl_changes_lock);
	WRITE_ONCE(ipol_nl_registered, true);
	return 0;
}

/* After ipol_stats_stop(): no probe adds fault events any more. */
void ipol_nl_exit(void)
{
	struct ipol_nl_change *c, *tmp;

	WRITE_ONCE(ipol_nl_registered, false);
	/* From here on nothing queues a change or the change work. */
	spin_lock(&ipol_nl_changes_lock);
	ipol_nl_changes_open = false;
	spin_unlock(&ipol_nl_changes_lock);
	cancel_work_sync(&ipol_nl_changes_work);
	cancel_work_sync(&ipol_nl_faults_work);
	/* Waits for running requests (genl's cb_lock). */
	genl_unregister_family(&ipol_nl_family);
	/* Waits for a running release of a socket. */
	netlink_unregister_notifier(&ipol_nl_urelease_nb);
	ipol_nl_holds_free();
	list_for_each_entry_safe(c, tmp, &ipol_nl_changes, node) {
		list_del(&c->node);
		kfree(c);
	}
	ipol_nl_rings_free();
}
