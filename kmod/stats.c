// SPDX-License-Identifier: GPL-2.0
/*
 * Fault and DMA counters, from tracepoints.
 *
 *  - io_page_fault (exported): report_iommu_fault() fires it from IOMMU
 *    fault handlers, in any context up to hard IRQ, and dev may be NULL.
 *  - map and unmap (exported): every iommu_map()/iommu_unmap() on any
 *    domain.  They carry no device, so they give module-wide counts only.
 *  - dma_map_page, dma_unmap_page, dma_map_resource, dma_unmap_resource,
 *    dma_map_sg and dma_unmap_sg (Linux 6.12+, not exported: found by name
 *    with for_each_kernel_tracepoint()): DMA-API streaming maps, with the
 *    device, so counted per device and group too.
 *
 * The probes take no lock, allocate nothing and never sleep: they find the
 * device's counters in an RCU hash table keyed by the struct device pointer
 * and add to per-CPU counters of the device, its group and the module.
 *
 * Lifetimes: a device's counters (struct ipol_dev_stats) are created in
 * process context when the device joins a mirrored group (groups.c, under
 * ipol_groups_lock, which serialises every writer of the hash table) and
 * unhashed when it leaves; the probes only touch them inside an RCU read
 * section, so they, and the group counters they point to, are freed after a
 * grace period (call_rcu(): the per-CPU memory is not covered by
 * kfree_rcu()).  Module unload unregisters the probes, waits for running
 * probes (tracepoint_synchronize_unregister()) and for pending frees
 * (rcu_barrier()).
 *
 * Reset: the per-CPU counters only ever grow; a reset records their sums as
 * a baseline that every read subtracts.  ipol_stats_lock (a mutex, process
 * context only) protects the baselines and the list of every counter set;
 * it nests inside ipol_groups_lock.  The hot paths never see it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/seqlock.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <trace/events/iommu.h>
#ifdef IPOL_HAVE_DMA_TRACEPOINTS
#include <trace/events/dma.h>
#endif

#include "iommu_policy.h"

/* Per-CPU counters, and the last fault this CPU counted. */
struct ipol_pcpu {
	u64 faults;
	u64 faults_read;
	u64 faults_write;
	u64 faults_unattributed;	/* module only */
	u64 dma_maps;
	u64 dma_unmaps;
	u64 dma_bytes_mapped;
	u64 dma_bytes_unmapped;
	u64 iommu_maps;			/* module only */
	u64 iommu_unmaps;
	u64 iommu_bytes_mapped;
	u64 iommu_bytes_unmapped;
	seqcount_t seq;		/* the last_* fields; written with IRQs off */
	u64 last_ns;		/* CLOCK_REALTIME */
	u64 last_iova;
	u32 last_dev;		/* ipol_dev_id() of the device */
};

/* Counters of a group, of a device, or of the module. */
struct ipol_stats {
	struct ipol_pcpu __percpu *pcpu;
	struct list_head node;		/* ipol_stats_all, ipol_stats_lock */
	struct ipol_sum base;		/* sums at the last reset, ipol_stats_lock */
	struct rcu_head rcu;
};

/* A device's counters, found by the probes through ipol_dev_hash. */
struct ipol_dev_stats {
	struct hlist_node node;		/* ipol_dev_hash; writers: ipol_groups_lock */
	const struct device *dev;	/* the key; the probes do not dereference it */
	u32 id;				/* ipol_dev_id(dev) */
	int group_id;
	struct ipol_stats *group;	/* the group's counters */
	struct ipol_stats stats;
};

static DEFINE_HASHTABLE(ipol_dev_hash, 8);
static struct ipol_stats *ipol_module_stats;
static struct kobject *ipol_stats_kobj;
static DEFINE_MUTEX(ipol_stats_lock);
static LIST_HEAD(ipol_stats_all);
static u64 ipol_reset_ns;		/* ipol_stats_lock */

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

int ipol_dev_id_name(u32 id, char *buf, size_t size)
{
	if (id == IPOL_DEV_ID_NONE)
		return strscpy(buf, "unknown", size);
	return snprintf(buf, size, "%04x:%02x:%02x.%d", id >> 16, (id >> 8) & 0xff,
			PCI_SLOT(id & 0xff), PCI_FUNC(id & 0xff));
}

static int ipol_stats_init_one(struct ipol_stats *stats)
{
	int cpu;

	stats->pcpu = alloc_percpu(struct ipol_pcpu);
	if (!stats->pcpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu)
		seqcount_init(&per_cpu_ptr(stats->pcpu, cpu)->seq);
	mutex_lock(&ipol_stats_lock);
	list_add_tail(&stats->node, &ipol_stats_all);
	mutex_unlock(&ipol_stats_lock);
	return 0;
}

static void ipol_stats_unlist(struct ipol_stats *stats)
{
	mutex_lock(&ipol_stats_lock);
	list_del(&stats->node);
	mutex_unlock(&ipol_stats_lock);
}

static struct ipol_stats *ipol_stats_alloc(void)
{
	struct ipol_stats *stats;

	stats = kzalloc(sizeof(*stats), GFP_KERNEL);
	if (stats && ipol_stats_init_one(stats)) {
		kfree(stats);
		stats = NULL;
	}
	return stats;
}

static void ipol_stats_free_rcu(struct rcu_head *rcu)
{
	struct ipol_stats *stats = container_of(rcu, struct ipol_stats, rcu);

	free_percpu(stats->pcpu);
	kfree(stats);
}

/* --- the probes --------------------------------------------------------------- */

/* Count one fault on this CPU.  IRQs off (see the probe); no lock, no allocation. */
static void ipol_fault_count(struct ipol_stats *stats, u32 dev_id,
			     unsigned long iova, bool write, u64 now)
{
	struct ipol_pcpu *p;

	p = this_cpu_ptr(stats->pcpu);
	p->faults++;
	if (write)
		p->faults_write++;
	else
		p->faults_read++;
	write_seqcount_begin(&p->seq);
	p->last_ns = now;
	p->last_iova = iova;
	p->last_dev = dev_id;
	write_seqcount_end(&p->seq);
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
	int group_id = -1;
	u32 dev_id;

	/*
	 * IRQs off once for the three counts: a fault interrupt on this CPU
	 * must not tear a per-CPU record half written.
	 */
	local_irq_save(irqflags);
	rcu_read_lock();
	if (dev)
		ds = ipol_dev_stats_find(dev);
	if (ds) {
		dev_id = ds->id;
		group_id = ds->group_id;
		ipol_fault_count(&ds->stats, dev_id, iova, write, now);
		ipol_fault_count(ds->group, dev_id, iova, write, now);
	} else {
		dev_id = dev ? ipol_dev_id(dev) : IPOL_DEV_ID_NONE;
		this_cpu_inc(ipol_module_stats->pcpu->faults_unattributed);
	}
	ipol_fault_count(ipol_module_stats, dev_id, iova, write, now);
	rcu_read_unlock();
	ipol_nl_fault_event(group_id, dev_id, iova, write, now);
	local_irq_restore(irqflags);
}

/* iommu_map() and iommu_unmap(): any domain, no device; module-wide. */
static void ipol_iommu_map_probe(void *data, unsigned long iova,
				 phys_addr_t paddr, size_t size)
{
	this_cpu_inc(ipol_module_stats->pcpu->iommu_maps);
	this_cpu_add(ipol_module_stats->pcpu->iommu_bytes_mapped, size);
}

static void ipol_iommu_unmap_probe(void *data, unsigned long iova, size_t size,
				   size_t unmapped_size)
{
	this_cpu_inc(ipol_module_stats->pcpu->iommu_unmaps);
	this_cpu_add(ipol_module_stats->pcpu->iommu_bytes_unmapped, unmapped_size);
}

#ifdef IPOL_HAVE_DMA_TRACEPOINTS
/*
 * One DMA-API map (@map) or unmap of @bytes by @dev: any context.
 * this_cpu_*() is safe against interrupts on this CPU without a lock.
 */
static void ipol_dma_count(struct device *dev, bool map, u64 bytes)
{
	struct ipol_stats *sets[3] = { ipol_module_stats };
	struct ipol_dev_stats *ds;
	int i, n = 1;

	rcu_read_lock();
	ds = ipol_dev_stats_find(dev);
	if (ds) {
		sets[n++] = &ds->stats;
		sets[n++] = ds->group;
	}
	for (i = 0; i < n; i++) {
		if (map) {
			this_cpu_inc(sets[i]->pcpu->dma_maps);
			this_cpu_add(sets[i]->pcpu->dma_bytes_mapped, bytes);
		} else {
			this_cpu_inc(sets[i]->pcpu->dma_unmaps);
			this_cpu_add(sets[i]->pcpu->dma_bytes_unmapped, bytes);
		}
	}
	rcu_read_unlock();
}

static u64 ipol_sg_bytes(struct scatterlist *sgl, int nents)
{
	struct scatterlist *sg;
	u64 bytes = 0;
	int i;

	for_each_sg(sgl, sg, nents, i)
		bytes += sg->length;
	return bytes;
}

static void ipol_dma_map_probe(void *data, struct device *dev, phys_addr_t phys_addr,
			       dma_addr_t dma_addr, size_t size,
			       enum dma_data_direction dir, unsigned long attrs)
{
	/* The kernel traces failed maps too; they map nothing, and are never unmapped. */
	if (dma_addr != DMA_MAPPING_ERROR)
		ipol_dma_count(dev, true, size);
}

static void ipol_dma_unmap_probe(void *data, struct device *dev, dma_addr_t addr,
				 size_t size, enum dma_data_direction dir,
				 unsigned long attrs)
{
	ipol_dma_count(dev, false, size);
}

static void ipol_dma_map_sg_probe(void *data, struct device *dev,
				  struct scatterlist *sgl, int nents, int ents,
				  enum dma_data_direction dir, unsigned long attrs)
{
	ipol_dma_count(dev, true, ipol_sg_bytes(sgl, nents));
}

static void ipol_dma_unmap_sg_probe(void *data, struct device *dev,
				    struct scatterlist *sgl, int nents,
				    enum dma_data_direction dir, unsigned long attrs)
{
	ipol_dma_count(dev, false, ipol_sg_bytes(sgl, nents));
}

/*
 * tracepoint_probe_register() takes a void *: make the compiler check each
 * probe against the tracepoint's prototype.
 */
static void __maybe_unused ipol_dma_probes_check(void)
{
	check_trace_callback_type_dma_map_page(ipol_dma_map_probe);
	check_trace_callback_type_dma_map_resource(ipol_dma_map_probe);
	check_trace_callback_type_dma_unmap_page(ipol_dma_unmap_probe);
	check_trace_callback_type_dma_unmap_resource(ipol_dma_unmap_probe);
	check_trace_callback_type_dma_map_sg(ipol_dma_map_sg_probe);
	check_trace_callback_type_dma_unmap_sg(ipol_dma_unmap_sg_probe);
}

static struct ipol_dma_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} ipol_dma_tps[] = {
	{ "dma_map_page",	ipol_dma_map_probe },
	{ "dma_map_resource",	ipol_dma_map_probe },
	{ "dma_unmap_page",	ipol_dma_unmap_probe },
	{ "dma_unmap_resource",	ipol_dma_unmap_probe },
	{ "dma_map_sg",		ipol_dma_map_sg_probe },
	{ "dma_unmap_sg",	ipol_dma_unmap_sg_probe },
};

static void ipol_dma_tp_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ipol_dma_tps); i++)
		if (!strcmp(tp->name, ipol_dma_tps[i].name))
			ipol_dma_tps[i].tp = tp;
}

static void ipol_dma_probes_unregister(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(ipol_dma_tps); i++)
		if (ipol_dma_tps[i].tp)
			tracepoint_probe_unregister(ipol_dma_tps[i].tp,
						    ipol_dma_tps[i].probe, NULL);
}

static int ipol_dma_probes_register(void)
{
	int i, ret;

	for_each_kernel_tracepoint(ipol_dma_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(ipol_dma_tps); i++) {
		if (!ipol_dma_tps[i].tp) {
			pr_err("tracepoint %s not found; per-device DMA counters need it\n",
			       ipol_dma_tps[i].name);
			ret = -ENOENT;
			goto err;
		}
		ret = tracepoint_probe_register(ipol_dma_tps[i].tp,
						ipol_dma_tps[i].probe, NULL);
		if (ret)
			goto err;
	}
	return 0;

err:
	while (i--)
		tracepoint_probe_unregister(ipol_dma_tps[i].tp, ipol_dma_tps[i].probe, NULL);
	return ret;
}

bool ipol_dma_per_device(void)
{
	return true;
}
#else
static int ipol_dma_probes_register(void)
{
	return 0;
}

static void ipol_dma_probes_unregister(void)
{
}

bool ipol_dma_per_device(void)
{
	return false;
}
#endif /* IPOL_HAVE_DMA_TRACEPOINTS */

/* --- objects, created and removed by groups.c -------------------------------- */

struct ipol_stats *ipol_group_stats_alloc(void)
{
	return ipol_stats_alloc();
}

/* After a grace period: a probe may still hold a device that points here. */
void ipol_group_stats_free(struct ipol_stats *stats)
{
	if (!stats)
		return;
	ipol_stats_unlist(stats);
	call_rcu(&stats->rcu, ipol_stats_free_rcu);
}

/* Called with ipol_groups_lock held, which serialises the hash's writers. */
struct ipol_dev_stats *ipol_dev_stats_add(struct device *dev, int group_id,
					  struct ipol_stats *group)
{
	struct ipol_dev_stats *ds;

	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	if (!ds)
		return NULL;
	if (ipol_stats_init_one(&ds->stats)) {
		kfree(ds);
		return NULL;
	}
	ds->dev = dev;
	ds->id = ipol_dev_id(dev);
	ds->group_id = group_id;
	ds->group = group;
	hash_add_rcu(ipol_dev_hash, &ds->node, (unsigned long)dev);
	return ds;
}

static void ipol_dev_stats_free_rcu(struct rcu_head *rcu)
{
	struct ipol_dev_stats *ds = container_of(rcu, struct ipol_dev_stats, stats.rcu);

	free_percpu(ds->stats.pcpu);
	kfree(ds);
}

/* Called with ipol_groups_lock held. */
void ipol_dev_stats_remove(struct ipol_dev_stats *ds)
{
	if (!ds)
		return;
	hash_del_rcu(&ds->node);
	ipol_stats_unlist(&ds->stats);
	call_rcu(&ds->stats.rcu, ipol_dev_stats_free_rcu);
}

/* --- reading and resetting ------------------------------------------------------ */

/* The raw sums over CPUs, and the newest fault any CPU recorded. */
static void ipol_stats_sum_raw(struct ipol_stats *stats, struct ipol_sum *sum)
{
	unsigned int seq;
	int cpu;

	memset(sum, 0, sizeof(*sum));
	sum->last_dev = IPOL_DEV_ID_NONE;
	for_each_possible_cpu(cpu) {
		struct ipol_pcpu *p = per_cpu_ptr(stats->pcpu, cpu);
		u64 ns, iova;
		u32 dev;

		sum->faults += READ_ONCE(p->faults);
		sum->faults_read += READ_ONCE(p->faults_read);
		sum->faults_write += READ_ONCE(p->faults_write);
		sum->faults_unattributed += READ_ONCE(p->faults_unattributed);
		sum->dma_maps += READ_ONCE(p->dma_maps);
		sum->dma_unmaps += READ_ONCE(p->dma_unmaps);
		sum->dma_bytes_mapped += READ_ONCE(p->dma_bytes_mapped);
		sum->dma_bytes_unmapped += READ_ONCE(p->dma_bytes_unmapped);
		sum->iommu_maps += READ_ONCE(p->iommu_maps);
		sum->iommu_unmaps += READ_ONCE(p->iommu_unmaps);
		sum->iommu_bytes_mapped += READ_ONCE(p->iommu_bytes_mapped);
		sum->iommu_bytes_unmapped += READ_ONCE(p->iommu_bytes_unmapped);
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
	if (stats == ipol_module_stats)
		sum->events_dropped = ipol_nl_events_dropped();
}

/* The counters since the last reset.  Process context, ipol_stats_lock held. */
static void __ipol_stats_read(struct ipol_stats *stats, struct ipol_sum *sum)
{
	const struct ipol_sum *b = &stats->base;

	lockdep_assert_held(&ipol_stats_lock);
	ipol_stats_sum_raw(stats, sum);
	sum->faults -= b->faults;
	sum->faults_read -= b->faults_read;
	sum->faults_write -= b->faults_write;
	sum->faults_unattributed -= b->faults_unattributed;
	sum->dma_maps -= b->dma_maps;
	sum->dma_unmaps -= b->dma_unmaps;
	sum->dma_bytes_mapped -= b->dma_bytes_mapped;
	sum->dma_bytes_unmapped -= b->dma_bytes_unmapped;
	sum->iommu_maps -= b->iommu_maps;
	sum->iommu_unmaps -= b->iommu_unmaps;
	sum->iommu_bytes_mapped -= b->iommu_bytes_mapped;
	sum->iommu_bytes_unmapped -= b->iommu_bytes_unmapped;
	sum->events_dropped -= b->events_dropped;
	/* A fault from before the reset is not "the last fault" any more. */
	if (sum->last_ns <= b->last_ns) {
		sum->last_ns = 0;
		sum->last_iova = 0;
		sum->last_dev = IPOL_DEV_ID_NONE;
	}
	sum->reset_ns = ipol_reset_ns;
}

static void ipol_stats_read(struct ipol_stats *stats, struct ipol_sum *sum)
{
	mutex_lock(&ipol_stats_lock);
	__ipol_stats_read(stats, sum);
	mutex_unlock(&ipol_stats_lock);
}

void ipol_group_stats_read(struct ipol_stats *stats, struct ipol_sum *sum)
{
	ipol_stats_read(stats, sum);
}

void ipol_module_stats_read(struct ipol_sum *sum)
{
	ipol_stats_read(ipol_module_stats, sum);
}

/* A member's counters; -ENOENT if the device is in no mirrored group. */
int ipol_dev_stats_read(struct device *dev, struct ipol_sum *sum)
{
	struct ipol_dev_stats *ds;

	/*
	 * A device's counters are unlisted under ipol_stats_lock before they
	 * are handed to call_rcu(): found under the lock, they stay until it
	 * is dropped.
	 */
	mutex_lock(&ipol_stats_lock);
	rcu_read_lock();
	ds = ipol_dev_stats_find(dev);
	rcu_read_unlock();
	if (ds)
		__ipol_stats_read(&ds->stats, sum);
	mutex_unlock(&ipol_stats_lock);
	return ds ? 0 : -ENOENT;
}

/*
 * Every counter starts again from zero.  The per-CPU counters keep growing;
 * their sums become the baseline that reads subtract.
 */
void ipol_stats_reset(void)
{
	struct ipol_stats *stats;

	mutex_lock(&ipol_stats_lock);
	list_for_each_entry(stats, &ipol_stats_all, node) {
		ipol_stats_sum_raw(stats, &stats->base);
		/* Faults up to now are before the reset, even with no fault yet. */
		stats->base.last_ns = max(stats->base.last_ns, ktime_get_real_ns());
	}
	ipol_reset_ns = ktime_get_real_ns();
	mutex_unlock(&ipol_stats_lock);
	pr_info("counters reset\n");
}

/* --- sysfs ---------------------------------------------------------------------- */

static ssize_t ipol_stats_show(struct ipol_stats *stats, const char *what, char *buf)
{
	static const struct {
		const char *name;
		size_t offset;
	} counters[] = {
#define IPOL_SUM_FIELD(f) { #f, offsetof(struct ipol_sum, f) }
		IPOL_SUM_FIELD(faults),
		IPOL_SUM_FIELD(faults_read),
		IPOL_SUM_FIELD(faults_write),
		IPOL_SUM_FIELD(faults_unattributed),
		IPOL_SUM_FIELD(dma_maps),
		IPOL_SUM_FIELD(dma_unmaps),
		IPOL_SUM_FIELD(dma_bytes_mapped),
		IPOL_SUM_FIELD(dma_bytes_unmapped),
		IPOL_SUM_FIELD(iommu_maps),
		IPOL_SUM_FIELD(iommu_unmaps),
		IPOL_SUM_FIELD(iommu_bytes_mapped),
		IPOL_SUM_FIELD(iommu_bytes_unmapped),
		IPOL_SUM_FIELD(events_dropped),
#undef IPOL_SUM_FIELD
	};
	struct ipol_sum sum;
	char name[32];
	int i;

	ipol_stats_read(stats, &sum);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		if (!strcmp(what, counters[i].name))
			return sysfs_emit(buf, "%llu\n",
					  *(u64 *)((char *)&sum + counters[i].offset));
	if (!strcmp(what, "last_fault_time"))
		return sysfs_emit(buf, "%llu.%09llu\n", sum.last_ns / NSEC_PER_SEC,
				  sum.last_ns % NSEC_PER_SEC);
	if (!strcmp(what, "last_fault_iova"))
		return sysfs_emit(buf, "0x%llx\n", sum.last_iova);
	if (!strcmp(what, "last_fault_device")) {
		if (!sum.last_ns)
			return sysfs_emit(buf, "none\n");
		ipol_dev_id_name(sum.last_dev, name, sizeof(name));
		return sysfs_emit(buf, "%s\n", name);
	}
	if (!strcmp(what, "reset_time"))
		return sysfs_emit(buf, "%llu.%09llu\n", sum.reset_ns / NSEC_PER_SEC,
				  sum.reset_ns % NSEC_PER_SEC);
	return -EINVAL;
}

ssize_t ipol_group_stats_show(struct ipol_stats *stats,
			      struct kobj_attribute *attr, char *buf)
{
	return ipol_stats_show(stats, attr->attr.name, buf);
}

static ssize_t ipol_module_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	return ipol_stats_show(ipol_module_stats, attr->attr.name, buf);
}

/* stats/reset: write 1 to reset every counter (root only, mode 0200). */
static ssize_t reset_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	bool yes;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtobool(buf, &yes) || !yes)
		return -EINVAL;
	ipol_stats_reset();
	return count;
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
IPOL_MODULE_STAT(dma_maps, 0444);
IPOL_MODULE_STAT(dma_unmaps, 0444);
IPOL_MODULE_STAT(dma_bytes_mapped, 0444);
IPOL_MODULE_STAT(dma_bytes_unmapped, 0444);
IPOL_MODULE_STAT(iommu_maps, 0444);
IPOL_MODULE_STAT(iommu_unmaps, 0444);
IPOL_MODULE_STAT(iommu_bytes_mapped, 0444);
IPOL_MODULE_STAT(iommu_bytes_unmapped, 0444);
IPOL_MODULE_STAT(events_dropped, 0444);
IPOL_MODULE_STAT(reset_time, 0444);
static struct kobj_attribute ipol_module_stat_reset = __ATTR_WO(reset);

static struct attribute *ipol_module_stats_attrs[] = {
	&ipol_module_stat_faults.attr,
	&ipol_module_stat_faults_read.attr,
	&ipol_module_stat_faults_write.attr,
	&ipol_module_stat_faults_unattributed.attr,
	&ipol_module_stat_last_fault_time.attr,
	&ipol_module_stat_last_fault_device.attr,
	&ipol_module_stat_last_fault_iova.attr,
	&ipol_module_stat_dma_maps.attr,
	&ipol_module_stat_dma_unmaps.attr,
	&ipol_module_stat_dma_bytes_mapped.attr,
	&ipol_module_stat_dma_bytes_unmapped.attr,
	&ipol_module_stat_iommu_maps.attr,
	&ipol_module_stat_iommu_unmaps.attr,
	&ipol_module_stat_iommu_bytes_mapped.attr,
	&ipol_module_stat_iommu_bytes_unmapped.attr,
	&ipol_module_stat_events_dropped.attr,
	&ipol_module_stat_reset_time.attr,
	&ipol_module_stat_reset.attr,
	NULL,
};

/* Without the dma tracepoints the module counts no DMA-API maps at all. */
static umode_t ipol_module_stats_visible(struct kobject *kobj, struct attribute *attr,
					 int n)
{
	if (!ipol_dma_per_device() && !strncmp(attr->name, "dma_", 4))
		return 0;
	return attr->mode;
}

static const struct attribute_group ipol_module_stats_group = {
	.attrs = ipol_module_stats_attrs,
	.is_visible = ipol_module_stats_visible,
};

/* --- init and exit ------------------------------------------------------------------ */

int ipol_stats_init(void)
{
	int ret;

	ipol_module_stats = ipol_stats_alloc();
	if (!ipol_module_stats)
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
	ipol_stats_unlist(ipol_module_stats);
	ipol_stats_free_rcu(&ipol_module_stats->rcu);
	return ret;
}

/* The probes run from here on; the groups' devices must be hashed already. */
int ipol_stats_start(void)
{
	int ret;

	ret = register_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	if (ret)
		return ret;
	ret = register_trace_map(ipol_iommu_map_probe, NULL);
	if (ret)
		goto err_fault;
	ret = register_trace_unmap(ipol_iommu_unmap_probe, NULL);
	if (ret)
		goto err_map;
	ret = ipol_dma_probes_register();
	if (ret)
		goto err_unmap;
	return 0;

err_unmap:
	unregister_trace_unmap(ipol_iommu_unmap_probe, NULL);
err_map:
	unregister_trace_map(ipol_iommu_map_probe, NULL);
err_fault:
	unregister_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	tracepoint_synchronize_unregister();
	return ret;
}

void ipol_stats_stop(void)
{
	ipol_dma_probes_unregister();
	unregister_trace_unmap(ipol_iommu_unmap_probe, NULL);
	unregister_trace_map(ipol_iommu_map_probe, NULL);
	unregister_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	/* No probe runs or will run once this returns. */
	tracepoint_synchronize_unregister();
}

void ipol_stats_exit(void)
{
	kobject_put(ipol_stats_kobj);
	/* Every device and group counter was handed to call_rcu(): wait for them. */
	rcu_barrier();
	ipol_stats_unlist(ipol_module_stats);
	ipol_stats_free_rcu(&ipol_module_stats->rcu);
}
