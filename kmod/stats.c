// SPDX-License-Identifier: GPL-2.0
/*
 * Fault counters from the io_page_fault tracepoint.
 *
 * report_iommu_fault() fires io_page_fault from IOMMU fault handlers, in any
 * context up to hard IRQ, and dev may be NULL.  The probe therefore takes no
 * lock, allocates nothing and never sleeps: it finds the device's counters in
 * an RCU hash table keyed by the struct device pointer and adds to per-CPU
 * counters of the device, its group and the module.
 *
 * Lifetimes: a device's counters (struct ipol_dev_stats) are created in
 * process context when the device joins a mirrored group (groups.c, under
 * ipol_groups_lock, which serialises every writer of the hash table) and
 * unhashed when it leaves; the probe only touches them inside an RCU read
 * section, so they, and the group counters they point to, are freed after a
 * grace period (call_rcu(): the per-CPU memory is not covered by
 * kfree_rcu()).  Module unload unregisters the probe, waits for running
 * probes (tracepoint_synchronize_unregister()) and for pending frees
 * (rcu_barrier()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <trace/events/iommu.h>

#include "iommu_policy.h"

/* Per-CPU fault counters, and the last fault this CPU counted. */
struct ipol_fault_pcpu {
	u64 total;
	u64 read;
	u64 write;
	seqcount_t seq;		/* the last_* fields; written with IRQs off */
	u64 last_ns;		/* CLOCK_REALTIME */
	u64 last_iova;
	u32 last_dev;		/* ipol_dev_id() of the device */
};

/* Counters of a group, of a device, or of the module. */
struct ipol_fault_stats {
	struct ipol_fault_pcpu __percpu *pcpu;
	struct rcu_head rcu;
};

/* A device's counters, found by the probe through ipol_dev_hash. */
struct ipol_dev_stats {
	struct hlist_node node;		/* ipol_dev_hash; writers: ipol_groups_lock */
	const struct device *dev;	/* the key; the probe does not dereference it */
	u32 id;				/* ipol_dev_id(dev) */
	struct ipol_fault_stats *group;	/* the group's counters */
	struct ipol_fault_stats faults;
};

static DEFINE_HASHTABLE(ipol_dev_hash, 8);
static struct ipol_fault_stats *ipol_module_faults;
static DEFINE_PER_CPU(u64, ipol_unattributed_faults);
static struct kobject *ipol_stats_kobj;

#define IPOL_DEV_ID_NONE	U32_MAX

/* A compact id for the last faulting device: the PCI address, if PCI. */
static u32 ipol_dev_id(struct device *dev)
{
	struct pci_dev *pdev;

	if (!dev_is_pci(dev))
		return IPOL_DEV_ID_NONE;
	pdev = to_pci_dev(dev);
	return (pci_domain_nr(pdev->bus) & 0xffff) << 16 |
	       pdev->bus->number << 8 | pdev->devfn;
}

static struct ipol_fault_pcpu __percpu *ipol_fault_pcpu_alloc(void)
{
	struct ipol_fault_pcpu __percpu *pcpu;
	int cpu;

	pcpu = alloc_percpu(struct ipol_fault_pcpu);
	if (pcpu)
		for_each_possible_cpu(cpu)
			seqcount_init(&per_cpu_ptr(pcpu, cpu)->seq);
	return pcpu;
}

static struct ipol_fault_stats *ipol_fault_stats_alloc(void)
{
	struct ipol_fault_stats *stats;

	stats = kzalloc(sizeof(*stats), GFP_KERNEL);
	if (!stats)
		return NULL;
	stats->pcpu = ipol_fault_pcpu_alloc();
	if (!stats->pcpu) {
		kfree(stats);
		return NULL;
	}
	return stats;
}

static void ipol_fault_stats_free_rcu(struct rcu_head *rcu)
{
	struct ipol_fault_stats *stats = container_of(rcu, struct ipol_fault_stats, rcu);

	free_percpu(stats->pcpu);
	kfree(stats);
}

/* Count one fault on this CPU.  IRQs off (see the probe); no lock, no allocation. */
static void ipol_fault_count(struct ipol_fault_stats *stats, u32 dev_id,
			     unsigned long iova, bool write, u64 now)
{
	struct ipol_fault_pcpu *p;

	p = this_cpu_ptr(stats->pcpu);
	p->total++;
	if (write)
		p->write++;
	else
		p->read++;
	write_seqcount_begin(&p->seq);
	p->last_ns = now;
	p->last_iova = iova;
	p->last_dev = dev_id;
	write_seqcount_end(&p->seq);
}

/* The sum over CPUs, and the newest fault any CPU recorded. */
struct ipol_fault_sum {
	u64 total, read, write;
	u64 last_ns, last_iova;
	u32 last_dev;
};

static void ipol_fault_sum(struct ipol_fault_stats *stats, struct ipol_fault_sum *sum)
{
	unsigned int seq;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	sum->last_dev = IPOL_DEV_ID_NONE;
	for_each_possible_cpu(cpu) {
		struct ipol_fault_pcpu *p = per_cpu_ptr(stats->pcpu, cpu);
		u64 ns, iova;
		u32 dev;

		sum->total += READ_ONCE(p->total);
		sum->read += READ_ONCE(p->read);
		sum->write += READ_ONCE(p->write);
		do {
			seq = read_seqcount_begin(&p->seq);
			ns = p->last_ns;
			iova = p->last_iova;
			dev = p->last_dev;
		} while (read_seqcount_retry(&p->seq, seq));
		if (ns > sum->last_ns) {
			sum->last_ns = ns;
			sum->last_iova = iova;
			sum->last_dev = dev;
		}
	}
}

static struct ipol_dev_stats *ipol_dev_stats_find(const struct device *dev)
{
	struct ipol_dev_stats *ds;

	hash_for_each_possible_rcu(ipol_dev_hash, ds, node, (unsigned long)dev)
		if (ds->dev == dev)
			return ds;
	return NULL;
}

/*
 * io_page_fault probe: any context, up to hard IRQ.  A fault of a device in
 * no mirrored group, or with no device, is counted as unattributed.
 */
static void ipol_io_page_fault_probe(void *data, struct device *dev,
				     unsigned long iova, int flags)
{
	bool write = flags & IOMMU_FAULT_WRITE;
	u64 now = ktime_get_real_ns();
	struct ipol_dev_stats *ds = NULL;
	unsigned long irqflags;

	/*
	 * IRQs off once for the three counts: a fault interrupt on this CPU
	 * must not tear a per-CPU record half written.
	 */
	local_irq_save(irqflags);
	rcu_read_lock();
	if (dev)
		ds = ipol_dev_stats_find(dev);
	if (ds) {
		ipol_fault_count(&ds->faults, ds->id, iova, write, now);
		ipol_fault_count(ds->group, ds->id, iova, write, now);
		ipol_fault_count(ipol_module_faults, ds->id, iova, write, now);
	} else {
		this_cpu_inc(ipol_unattributed_faults);
		ipol_fault_count(ipol_module_faults, IPOL_DEV_ID_NONE, iova, write, now);
	}
	rcu_read_unlock();
	local_irq_restore(irqflags);
}

/* --- objects, created and removed by groups.c -------------------------------- */

struct ipol_fault_stats *ipol_group_stats_alloc(void)
{
	return ipol_fault_stats_alloc();
}

/* After a grace period: a probe may still hold a device that points here. */
void ipol_group_stats_free(struct ipol_fault_stats *stats)
{
	if (stats)
		call_rcu(&stats->rcu, ipol_fault_stats_free_rcu);
}

/* Called with ipol_groups_lock held, which serialises the hash's writers. */
struct ipol_dev_stats *ipol_dev_stats_add(struct device *dev,
					  struct ipol_fault_stats *group)
{
	struct ipol_dev_stats *ds;

	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	if (!ds)
		return NULL;
	ds->faults.pcpu = ipol_fault_pcpu_alloc();
	if (!ds->faults.pcpu) {
		kfree(ds);
		return NULL;
	}
	ds->dev = dev;
	ds->id = ipol_dev_id(dev);
	ds->group = group;
	hash_add_rcu(ipol_dev_hash, &ds->node, (unsigned long)dev);
	return ds;
}

static void ipol_dev_stats_free_rcu(struct rcu_head *rcu)
{
	struct ipol_dev_stats *ds = container_of(rcu, struct ipol_dev_stats, faults.rcu);

	free_percpu(ds->faults.pcpu);
	kfree(ds);
}

/* Called with ipol_groups_lock held. */
void ipol_dev_stats_remove(struct ipol_dev_stats *ds)
{
	if (!ds)
		return;
	hash_del_rcu(&ds->node);
	call_rcu(&ds->faults.rcu, ipol_dev_stats_free_rcu);
}

/* --- sysfs ---------------------------------------------------------------------- */

static ssize_t ipol_fault_show(struct ipol_fault_stats *stats, const char *what,
			       char *buf)
{
	struct ipol_fault_sum sum;

	ipol_fault_sum(stats, &sum);
	if (!strcmp(what, "faults"))
		return sysfs_emit(buf, "%llu\n", sum.total);
	if (!strcmp(what, "faults_read"))
		return sysfs_emit(buf, "%llu\n", sum.read);
	if (!strcmp(what, "faults_write"))
		return sysfs_emit(buf, "%llu\n", sum.write);
	if (!strcmp(what, "last_fault_time"))
		return sysfs_emit(buf, "%llu.%09llu\n", sum.last_ns / NSEC_PER_SEC,
				  sum.last_ns % NSEC_PER_SEC);
	if (!strcmp(what, "last_fault_iova"))
		return sysfs_emit(buf, "0x%llx\n", sum.last_iova);
	if (!strcmp(what, "last_fault_device")) {
		if (!sum.last_ns)
			return sysfs_emit(buf, "none\n");
		if (sum.last_dev == IPOL_DEV_ID_NONE)
			return sysfs_emit(buf, "unknown\n");
		return sysfs_emit(buf, "%04x:%02x:%02x.%d\n", sum.last_dev >> 16,
				  (sum.last_dev >> 8) & 0xff,
				  PCI_SLOT(sum.last_dev & 0xff), PCI_FUNC(sum.last_dev & 0xff));
	}
	return -EINVAL;
}

ssize_t ipol_group_stats_show(struct ipol_fault_stats *stats,
			      struct kobj_attribute *attr, char *buf)
{
	return ipol_fault_show(stats, attr->attr.name, buf);
}

static ssize_t ipol_module_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	if (!strcmp(attr->attr.name, "faults_unattributed")) {
		u64 sum = 0;
		int cpu;

		for_each_possible_cpu(cpu)
			sum += READ_ONCE(*per_cpu_ptr(&ipol_unattributed_faults, cpu));
		return sysfs_emit(buf, "%llu\n", sum);
	}
	return ipol_fault_show(ipol_module_faults, attr->attr.name, buf);
}

#define IPOL_MODULE_STAT(_name, _mode) \
	static struct kobj_attribute ipol_module_stat_##_name = \
		__ATTR(_name, _mode, ipol_module_stats_show, NULL)

IPOL_MODULE_STAT(faults, 0444);
IPOL_MODULE_STAT(faults_read, 0444);
IPOL_MODULE_STAT(faults_write, 0444);
IPOL_MODULE_STAT(faults_unattributed, 0444);
IPOL_MODULE_STAT(last_fault_time, 0444);
IPOL_MODULE_STAT(last_fault_device, 0444);
/* Fault addresses tell where a device's buffers are: root only. */
IPOL_MODULE_STAT(last_fault_iova, 0400);

static struct attribute *ipol_module_stats_attrs[] = {
	&ipol_module_stat_faults.attr,
	&ipol_module_stat_faults_read.attr,
	&ipol_module_stat_faults_write.attr,
	&ipol_module_stat_faults_unattributed.attr,
	&ipol_module_stat_last_fault_time.attr,
	&ipol_module_stat_last_fault_device.attr,
	&ipol_module_stat_last_fault_iova.attr,
	NULL,
};

static const struct attribute_group ipol_module_stats_group = {
	.attrs = ipol_module_stats_attrs,
};

/* --- init and exit ------------------------------------------------------------------ */

int ipol_stats_init(void)
{
	int ret;

	ipol_module_faults = ipol_fault_stats_alloc();
	if (!ipol_module_faults)
		return -ENOMEM;
	ipol_stats_kobj = kobject_create_and_add("stats", ipol_root_kobj);
	if (!ipol_stats_kobj) {
		ret = -ENOMEM;
		goto err_free;
	}
	ret = sysfs_create_group(ipol_stats_kobj, &ipol_module_stats_group);
	if (ret)
		goto err_kobj;
	return 0;

err_kobj:
	kobject_put(ipol_stats_kobj);
err_free:
	ipol_fault_stats_free_rcu(&ipol_module_faults->rcu);
	return ret;
}

/* The probe runs from here on; the groups' devices must be hashed already. */
int ipol_stats_start(void)
{
	return register_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
}

void ipol_stats_stop(void)
{
	unregister_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	/* No probe runs or will run once this returns. */
	tracepoint_synchronize_unregister();
}

void ipol_stats_exit(void)
{
	kobject_put(ipol_stats_kobj);
	/* Every device and group counter was handed to call_rcu(): wait for them. */
	rcu_barrier();
	ipol_fault_stats_free_rcu(&ipol_module_faults->rcu);
}
