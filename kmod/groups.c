// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/iommu_policy/groups/<id>/: one directory per IOMMU group.
 *
 * The kernel's struct iommu_group is private and group kobjects emit no
 * uevents, so this file keeps its own table of groups and of the devices in
 * each, and brings it up to date from a scan of the buses that the IOMMU
 * core puts devices in groups on ("reconcile").  A reconcile runs at load
 * and is queued from the add_device_to_group and remove_device_from_group
 * tracepoints, so hot-plug is reflected without a reload.  Reconciling from
 * a scan rather than applying each event keeps the table right even when
 * events arrive out of order, twice, or while a reconcile is running (the
 * work is then queued again and runs once more).
 *
 * Locking
 *   ipol_reconcile_lock (mutex) serialises whole reconciles: the scan, the
 *   table's update and the removal from sysfs of the groups it dropped.  The
 *   one at load and the queued work can otherwise overlap (a hot-plug event
 *   right after the probes are registered): one dropped groups/<id> from the
 *   table but not yet from sysfs while the other created <id> again, and
 *   sysfs refused the duplicate name (-EEXIST; seen in a 30-minute soak on
 *   6.12).  Only the reconcile takes it: nothing that holds a lock below
 *   waits for it.  Order: ipol_reconcile_lock -> pci_lock_rescan_remove()
 *   (the scan), and ipol_reconcile_lock -> ipol_groups_lock.
 *   ipol_groups_lock (mutex) protects ipol_groups, every group's member
 *   list and ipol_generation.  It is never taken from a tracepoint probe:
 *   probes run with preemption disabled, and on 6.12
 *   remove_device_from_group fires under the kernel's group->mutex; the
 *   probe only queues work.
 *   The PCI scan runs under pci_lock_rescan_remove(), which is never held
 *   together with ipol_groups_lock.
 *   Removing a group from sysfs (kobject_del()) waits for running readers
 *   and writers of its files; a policy writer takes ipol_groups_lock (for
 *   ipol_group_devices()) and pci_lock_rescan_remove(), so groups are
 *   unlisted under ipol_groups_lock and removed from sysfs after it is
 *   dropped, with ipol_reconcile_lock alone held.
 *
 * Lifetimes
 *   struct ipol_group lives as long as its kobject.  It is listed in
 *   ipol_groups, and visible in sysfs, from creation until the reconcile that
 *   finds it empty; the xarray holds the initial kobject reference.  It holds
 *   a reference on the kernel's struct iommu_group until it is freed, so the
 *   kernel cannot give its id to another group meanwhile (the kernel's
 *   iommu_groups/<id> goes away when that reconcile drops it).  A reader that
 *   raced with the removal gets an error, never stale memory.
 *   struct ipol_member holds a reference on its struct device while listed, so
 *   a device pointer is never compared after the device was freed and its
 *   memory reused for another device.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <trace/events/iommu.h>

#include "compat.h"
#include "iommu_policy.h"

/* A (group, device) pair seen by a bus scan. */
struct ipol_scan_entry {
	struct list_head node;
	struct device *dev;		/* reference held */
	struct iommu_group *kgroup;	/* reference held */
	int group_id;
	bool listed;			/* already in ipol_groups */
};

static DEFINE_MUTEX(ipol_reconcile_lock);
static DEFINE_MUTEX(ipol_groups_lock);
static DEFINE_XARRAY(ipol_groups);	/* group id -> struct ipol_group */
static unsigned long ipol_generation;
static struct kset *ipol_groups_kset;

static void ipol_reconcile_workfn(struct work_struct *work);
static DECLARE_WORK(ipol_reconcile_work, ipol_reconcile_workfn);

static struct ipol_group *to_ipol_group(struct kobject *kobj)
{
	return container_of(kobj, struct ipol_group, kobj);
}

static ssize_t policy_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	struct ipol_group *grp = to_ipol_group(kobj);
	enum iommu_policy_type policy;
	char raw[32];
	int ret;

	ret = ipol_kernel_type_read(grp->id, &policy, raw, sizeof(raw));
	if (ret)
		return ret;
	/* A type this module does not know is shown as the kernel names it. */
	if (policy == IOMMU_POLICY_UNKNOWN && raw[0])
		return sysfs_emit(buf, "%s\n", raw);
	return sysfs_emit(buf, "%s\n", ipol_policy_name(policy));
}

static ssize_t policy_store(struct kobject *kobj, struct kobj_attribute *attr,
			    const char *buf, size_t count)
{
	struct ipol_group *grp = to_ipol_group(kobj);
	enum iommu_policy_type target;
	int ret;

	mutex_lock(&grp->lock);
	ret = ipol_policy_capable(grp);
	if (!ret && ipol_policy_parse(buf, &target)) {
		/* %*pE: the value comes from the user; escape what is not printable. */
		ipol_set_last_error(grp,
				    "not a policy: use identity, strict, lazy or auto",
				    "'%*pE' is not a policy: write identity, strict, lazy or auto",
				    (int)min_t(size_t, strcspn(buf, "\n"), 32), buf);
		ret = -EINVAL;
	}
	if (!ret)
		ret = ipol_policy_set_locked(grp, target, NULL);
	mutex_unlock(&grp->lock);
	return ret ?: count;
}

static struct kobj_attribute policy_attr = __ATTR_RW(policy);

static ssize_t mandatory_show(struct kobject *kobj, struct kobj_attribute *attr,
			      char *buf)
{
	return ipol_mandatory_show(to_ipol_group(kobj), buf);
}

static struct kobj_attribute mandatory_attr = __ATTR_RO(mandatory);

static ssize_t owner_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return ipol_owner_show(to_ipol_group(kobj), buf);
}

static struct kobj_attribute owner_attr = __ATTR_RO(owner);

static ssize_t last_error_show(struct kobject *kobj, struct kobj_attribute *attr,
			       char *buf)
{
	char reason[IPOL_REASON_MAX];

	ipol_last_error_get(to_ipol_group(kobj), reason, sizeof(reason));
	return sysfs_emit(buf, "%s\n", reason);
}

static struct kobj_attribute last_error_attr = __ATTR_RO(last_error);

static struct attribute *ipol_group_attrs[] = {
	&policy_attr.attr,
	&mandatory_attr.attr,
	&owner_attr.attr,
	&last_error_attr.attr,
	NULL,
};

static const struct attribute_group ipol_group_group = {
	.attrs = ipol_group_attrs,
};

/* groups/<id>/stats/: the group's counters (stats.c). */
static ssize_t ipol_group_stat_show(struct kobject *kobj, struct kobj_attribute *attr,
				    char *buf)
{
	return ipol_group_stats_show(to_ipol_group(kobj)->stats, attr, buf);
}

#define IPOL_GROUP_STAT(_name, _mode) \
	static struct kobj_attribute ipol_group_stat_##_name = \
		__ATTR(_name, _mode, ipol_group_stat_show, NULL)

IPOL_GROUP_STAT(last_fault_time, 0444);
IPOL_GROUP_STAT(last_fault_device, 0444);
/* Fault addresses tell where a device's buffers are: root only. */
IPOL_GROUP_STAT(last_fault_iova, 0400);

/*
 * A file for every counter (counter_defs.h): a count anyone may read.  The
 * module's own are not made (ipol_group_stats_visible()).
 */
static struct kobj_attribute ipol_group_counter_attrs[IPOL_NR_COUNTERS] = {
#define IPOL_COUNTER(_NAME, _name, ...)					\
	[IPOL_C_##_NAME] = __ATTR(_name, 0444, ipol_group_stat_show, NULL),
#include "counter_defs.h"
};

static struct attribute *ipol_group_stats_attrs[] = {
	&ipol_group_stat_last_fault_time.attr,
	&ipol_group_stat_last_fault_device.attr,
	&ipol_group_stat_last_fault_iova.attr,
#define IPOL_COUNTER(_NAME, ...)	(&ipol_group_counter_attrs[IPOL_C_##_NAME].attr),
#include "counter_defs.h"
	NULL,
};

static const struct attribute_group ipol_group_stats_group = {
	.name = "stats",
	.attrs = ipol_group_stats_attrs,
	.is_visible = ipol_group_stats_visible,
};

static const struct attribute_group *ipol_group_groups[] = {
	&ipol_group_group,
	&ipol_group_stats_group,
	NULL,
};

/* The last reference is gone: sysfs, the table and every user are done. */
static void ipol_group_release(struct kobject *kobj)
{
	struct ipol_group *grp = to_ipol_group(kobj);

	if (grp->kgroup)
		iommu_group_put(grp->kgroup);
	ipol_group_stats_free(grp->stats);
	mutex_destroy(&grp->lock);
	kfree(grp);
}

static const struct kobj_type ipol_group_ktype = {
	.release	= ipol_group_release,
	.sysfs_ops	= &kobj_sysfs_ops,
	.default_groups	= ipol_group_groups,
};

/* Takes over the caller's reference on @kgroup, also on failure. */
static struct ipol_group *ipol_group_create(int id, struct iommu_group *kgroup)
{
	struct ipol_group *grp;
	int ret;

	lockdep_assert_held(&ipol_groups_lock);

	grp = kzalloc(sizeof(*grp), GFP_KERNEL);
	if (!grp) {
		iommu_group_put(kgroup);
		return ERR_PTR(-ENOMEM);
	}
	grp->id = id;
	grp->kgroup = kgroup;
	grp->stats = ipol_group_stats_alloc();
	if (!grp->stats) {
		iommu_group_put(kgroup);
		kfree(grp);
		return ERR_PTR(-ENOMEM);
	}
	INIT_LIST_HEAD(&grp->members);
	mutex_init(&grp->lock);
	spin_lock_init(&grp->error_lock);
	strscpy(grp->last_error, "none", sizeof(grp->last_error));
	grp->kobj.kset = ipol_groups_kset;

	ret = kobject_init_and_add(&grp->kobj, &ipol_group_ktype, NULL, "%d", id);
	if (ret)
		goto err_put;
	grp->devices_kobj = kobject_create_and_add("devices", &grp->kobj);
	if (!grp->devices_kobj) {
		ret = -ENOMEM;
		goto err_del;
	}
	ret = xa_err(xa_store(&ipol_groups, id, grp, GFP_KERNEL));
	if (ret)
		goto err_devices;
	return grp;

err_devices:
	kobject_put(grp->devices_kobj);
err_del:
	kobject_del(&grp->kobj);
err_put:
	kobject_put(&grp->kobj);
	return ERR_PTR(ret);
}

/*
 * Take an empty group out of the table; ipol_group_destroy() finishes it
 * once ipol_groups_lock is dropped.
 */
static void ipol_group_unlist(struct ipol_group *grp, struct list_head *doomed)
{
	lockdep_assert_held(&ipol_groups_lock);
	WARN_ON(!list_empty(&grp->members));

	xa_erase(&ipol_groups, grp->id);
	list_add_tail(&grp->destroy_node, doomed);
}

/*
 * Remove the group from sysfs.  kobject_del() waits for running readers and
 * writers of its files, and a policy writer takes ipol_groups_lock, so this
 * must run without that lock.
 */
static void ipol_group_destroy(struct ipol_group *grp)
{
	kobject_put(grp->devices_kobj);
	kobject_del(&grp->kobj);
	kobject_put(&grp->kobj);
}

static void ipol_groups_destroy_doomed(struct list_head *doomed)
{
	struct ipol_group *grp, *tmp;

	list_for_each_entry_safe(grp, tmp, doomed, destroy_node) {
		list_del(&grp->destroy_node);
		ipol_group_destroy(grp);
	}
}

/**
 * ipol_group_devices - the group's devices now, each with a reference
 * @grp: the group
 * @devs: set to a kmalloc'ed array, or NULL when there are none
 *
 * Returns the number of devices or -ENOMEM; free with ipol_put_devices().
 */
int ipol_group_devices(struct ipol_group *grp, struct device ***devs)
{
	struct ipol_member *m;
	int n = 0, i = 0;

	mutex_lock(&ipol_groups_lock);
	list_for_each_entry(m, &grp->members, node)
		n++;
	*devs = n ? kmalloc_array(n, sizeof(**devs), GFP_KERNEL) : NULL;
	if (n && !*devs) {
		mutex_unlock(&ipol_groups_lock);
		return -ENOMEM;
	}
	list_for_each_entry(m, &grp->members, node)
		(*devs)[i++] = get_device(m->dev);
	mutex_unlock(&ipol_groups_lock);
	return n;
}

/* The group with this id, with a kobject reference, or NULL. */
struct ipol_group *ipol_group_lookup(u32 id)
{
	struct ipol_group *grp;

	if (id > INT_MAX)
		return NULL;
	mutex_lock(&ipol_groups_lock);
	grp = xa_load(&ipol_groups, id);
	if (grp)
		kobject_get(&grp->kobj);
	mutex_unlock(&ipol_groups_lock);
	return grp;
}

/*
 * The group with the lowest id >= *@id, with a kobject reference, or NULL;
 * sets *@id to its id.  For dumps that resume where they stopped.
 */
struct ipol_group *ipol_group_next(u32 *id)
{
	unsigned long index = *id;
	struct ipol_group *grp;

	mutex_lock(&ipol_groups_lock);
	grp = xa_find(&ipol_groups, &index, INT_MAX, XA_PRESENT);
	if (grp) {
		kobject_get(&grp->kobj);
		*id = index;
	}
	mutex_unlock(&ipol_groups_lock);
	return grp;
}

void ipol_put_devices(struct device **devs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		put_device(devs[i]);
	kfree(devs);
}

static bool ipol_link_name_taken(struct ipol_group *grp, const char *name)
{
	struct ipol_member *m;

	list_for_each_entry(m, &grp->members, node)
		if (!strcmp(m->link_name, name))
			return true;
	return false;
}

static int ipol_member_add(struct ipol_group *grp, struct device *dev,
			   unsigned long generation)
{
	struct ipol_member *m;
	int ret, n;

	lockdep_assert_held(&ipol_groups_lock);

	m = kzalloc(sizeof(*m), GFP_KERNEL);
	if (!m)
		return -ENOMEM;

	/*
	 * Devices on different buses may share a name; like the kernel's own
	 * iommu_groups/<id>/devices, suffix ".<n>" until the name is free.
	 * The names are checked here because sysfs_create_link() complains
	 * loudly about a duplicate.
	 */
	strscpy(m->link_name, dev_name(dev), sizeof(m->link_name));
	for (n = 1; ipol_link_name_taken(grp, m->link_name); n++)
		snprintf(m->link_name, sizeof(m->link_name), "%s.%d",
			 dev_name(dev), n);

	m->stats = ipol_dev_stats_add(dev, grp->id, grp->stats);
	if (!m->stats) {
		kfree(m);
		return -ENOMEM;
	}
	ret = sysfs_create_link(grp->devices_kobj, &dev->kobj, m->link_name);
	if (ret) {
		/* -ENOENT: the device left sysfs since the scan; a later reconcile drops it. */
		ipol_dev_stats_remove(m->stats);
		kfree(m);
		return ret;
	}

	m->dev = get_device(dev);
	m->generation = generation;
	list_add_tail(&m->node, &grp->members);
	ipol_nl_group_changed(grp->id, IOMMU_POLICY_CHANGE_DEVICE_ADDED, dev);
	return 0;
}

static void ipol_member_remove(struct ipol_group *grp, struct ipol_member *m)
{
	lockdep_assert_held(&ipol_groups_lock);

	ipol_nl_group_changed(grp->id, IOMMU_POLICY_CHANGE_DEVICE_REMOVED, m->dev);
	sysfs_remove_link(grp->devices_kobj, m->link_name);
	ipol_dev_stats_remove(m->stats);
	list_del(&m->node);
	put_device(m->dev);
	kfree(m);
}

static struct ipol_member *ipol_member_find(struct ipol_group *grp,
					    struct device *dev)
{
	struct ipol_member *m;

	list_for_each_entry(m, &grp->members, node)
		if (m->dev == dev)
			return m;
	return NULL;
}

static int ipol_scan_device(struct device *dev, void *data)
{
	struct list_head *entries = data;
	struct ipol_scan_entry *e;
	struct iommu_group *group;

	group = iommu_group_get(dev);
	if (!group)
		return 0;

	e = kmalloc(sizeof(*e), GFP_KERNEL);
	if (!e) {
		iommu_group_put(group);
		return -ENOMEM;
	}
	e->group_id = iommu_group_id(group);
	e->kgroup = group;
	e->dev = get_device(dev);
	e->listed = false;
	list_add_tail(&e->node, entries);
	return 0;
}

/*
 * Collect every device that is in an IOMMU group.  These are the buses the
 * IOMMU core registers for (iommu_buses[] in drivers/iommu/iommu.c) that
 * exist on the architectures Debian builds this module for.
 *
 * iommu_group_get() reads dev->iommu_group without the group's mutex, so the
 * scan must not run while the device leaves its group.  For PCI, where all
 * hot-plug and sysfs remove/rescan go through pci_lock_rescan_remove(),
 * holding that lock excludes it.  Platform devices with IOMMU groups are
 * created at boot from the firmware's description and are not removed at
 * run time on these architectures.
 */
static int ipol_scan(struct list_head *entries)
{
	int ret;

	pci_lock_rescan_remove();
	ret = bus_for_each_dev(&pci_bus_type, NULL, entries, ipol_scan_device);
	pci_unlock_rescan_remove();
	if (ret)
		return ret;
	return bus_for_each_dev(&platform_bus_type, NULL, entries,
				ipol_scan_device);
}

static void ipol_scan_free(struct list_head *entries)
{
	struct ipol_scan_entry *e, *tmp;

	list_for_each_entry_safe(e, tmp, entries, node) {
		if (e->kgroup)
			iommu_group_put(e->kgroup);
		put_device(e->dev);
		kfree(e);
	}
}

/*
 * Bring ipol_groups in line with a fresh scan, in an order that never has two
 * members with one link name: first drop the members the scan no longer shows
 * (a device removed and added again between two reconciles is a new struct
 * device with the old name), then add the new ones, then drop empty groups.
 */
static int ipol_reconcile(void)
{
	struct ipol_scan_entry *e;
	struct ipol_member *m, *tmp;
	struct ipol_group *grp;
	unsigned long id, gen;
	LIST_HEAD(entries);
	LIST_HEAD(doomed);
	int ret, err = 0;

	mutex_lock(&ipol_reconcile_lock);
	ret = ipol_scan(&entries);
	if (ret) {
		ipol_scan_free(&entries);
		mutex_unlock(&ipol_reconcile_lock);
		return ret;
	}

	mutex_lock(&ipol_groups_lock);
	gen = ++ipol_generation;

	list_for_each_entry(e, &entries, node) {
		grp = xa_load(&ipol_groups, e->group_id);
		m = grp ? ipol_member_find(grp, e->dev) : NULL;
		if (m) {
			m->generation = gen;
			e->listed = true;
		}
	}

	xa_for_each(&ipol_groups, id, grp)
		list_for_each_entry_safe(m, tmp, &grp->members, node)
			if (m->generation != gen)
				ipol_member_remove(grp, m);

	list_for_each_entry(e, &entries, node) {
		if (e->listed)
			continue;
		grp = xa_load(&ipol_groups, e->group_id);
		if (!grp) {
			grp = ipol_group_create(e->group_id, e->kgroup);
			e->kgroup = NULL;	/* the group has the reference now */
			if (IS_ERR(grp)) {
				err = PTR_ERR(grp);
				continue;
			}
		}
		ret = ipol_member_add(grp, e->dev, gen);
		if (ret && ret != -ENOENT)
			err = ret;
	}

	xa_for_each(&ipol_groups, id, grp)
		if (list_empty(&grp->members))
			ipol_group_unlist(grp, &doomed);
	mutex_unlock(&ipol_groups_lock);

	ipol_groups_destroy_doomed(&doomed);
	mutex_unlock(&ipol_reconcile_lock);
	ipol_scan_free(&entries);
	return err;
}

static void ipol_reconcile_workfn(struct work_struct *work)
{
	int ret = ipol_reconcile();

	if (ret)
		pr_warn_ratelimited("cannot update groups/ after a device change: %d; retried on the next change\n",
				    ret);
}

/*
 * Tracepoint probe for add_device_to_group and remove_device_from_group.
 * Runs with preemption disabled, on 6.12 under the kernel's group->mutex:
 * queue the reconcile and nothing else.
 */
static void ipol_group_change_probe(void *data, int group_id, struct device *dev)
{
	queue_work(ipol_wq(), &ipol_reconcile_work);
}

static void ipol_groups_unregister_probes(void)
{
	unregister_trace_remove_device_from_group(ipol_group_change_probe, NULL);
	unregister_trace_add_device_to_group(ipol_group_change_probe, NULL);
	/* No probe runs or will run once this returns. */
	tracepoint_synchronize_unregister();
}

static void ipol_groups_destroy_all(void)
{
	struct ipol_member *m, *tmp;
	struct ipol_group *grp;
	unsigned long id;
	LIST_HEAD(doomed);

	mutex_lock(&ipol_groups_lock);
	xa_for_each(&ipol_groups, id, grp) {
		list_for_each_entry_safe(m, tmp, &grp->members, node)
			ipol_member_remove(grp, m);
		ipol_group_unlist(grp, &doomed);
	}
	mutex_unlock(&ipol_groups_lock);
	ipol_groups_destroy_doomed(&doomed);
}

int ipol_groups_init(void)
{
	int ret;

	ipol_groups_kset = kset_create_and_add("groups", NULL, ipol_root_kobj);
	if (!ipol_groups_kset)
		return -ENOMEM;

	/* Probes first, so that no change between the scan and them is missed. */
	ret = register_trace_add_device_to_group(ipol_group_change_probe, NULL);
	if (ret)
		goto err_kset;
	ret = register_trace_remove_device_from_group(ipol_group_change_probe, NULL);
	if (ret) {
		unregister_trace_add_device_to_group(ipol_group_change_probe, NULL);
		tracepoint_synchronize_unregister();
		goto err_kset;
	}

	ret = ipol_reconcile();
	if (ret) {
		pr_err("cannot list IOMMU groups: %d\n", ret);
		goto err_probes;
	}
	return 0;

err_probes:
	ipol_groups_unregister_probes();
	cancel_work_sync(&ipol_reconcile_work);
	ipol_groups_destroy_all();
err_kset:
	kset_unregister(ipol_groups_kset);
	return ret;
}

void ipol_groups_exit(void)
{
	ipol_groups_unregister_probes();
	cancel_work_sync(&ipol_reconcile_work);
	ipol_groups_destroy_all();
	kset_unregister(ipol_groups_kset);
}
