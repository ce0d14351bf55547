// SPDX-License-Identifier: GPL-2.0
/*
 * Fault and DMA counters, from tracepoints.
 *
 *  - io_page_fault (exported): report_iommu_fault() fires it from IOMMU
 *    fault handlers, in any context up to hard IRQ, and dev may be NULL.
 *  - map and unmap (exported): every iommu_map()/iommu_unmap() on any
 *    domain.  They carry no device, so they give module-wide counts only.
 *  - the DMA-API tracepoints (not exported: found by name with
 *    for_each_kernel_tracepoint()): dma_map_page, dma_unmap_page,
 *    dma_map_resource and dma_unmap_resource on 6.12, dma_map_phys and
 *    dma_unmap_phys on 7.x, dma_map_sg and dma_unmap_sg on both (compat.h;
 *    6.1 has none): streaming maps, with the device, so counted per device
 *    and group too.  DMA that 7.x maps through the IOVA-link API
 *    (dma_iova_link(), used by NVMe's block layer) passes none of them.
 *
 * The probes take no lock, allocate nothing, never sleep and leave
 * interrupts on: they find the device's counters through a per-CPU cache of
 * the last device seen (ipol_dev_stats_cached()), else in an RCU hash table
 * keyed by the struct device pointer, and add to that device's per-CPU
 * counters only (this_cpu_*(), safe against interrupts on the CPU), plus a
 * last-fault record per CPU whose sequence counts the faults (struct
 * ipol_fault_rec).  A group's and the module's counters are sums taken when
 * they are read.
 *
 * What the kernel guarantees a probe differs: 6.1 and 6.12 call probes with
 * preemption disabled (an RCU read-side critical section); 7.x calls them
 * in an SRCU-fast read-side section, preemptible (measured on 7.3 from
 * process context: preempt_count 0).  So on 7.x the fault probe disables
 * preemption itself (ipol_probe_enter()), to stay on one CPU between its
 * per-CPU operations and keep one task at a time on a CPU's last-fault
 * record; the hash lookup does on every kernel, to be an RCU reader.  The
 * DMA probes need neither: each of their operations is one this_cpu_*()
 * and the counters they use outlive every running probe.
 *
 * Lifetimes: a device's counters (struct ipol_dev_stats) are created in
 * process context when the device joins a mirrored group (groups.c, under
 * ipol_groups_lock, which serialises every writer of the hash table) and
 * unhashed when it leaves; they stay on their group's list, so that the
 * group's sums never go back, until the group is freed.  That happens in
 * process context (ipol_stats_wq) once no probe can hold them, found in the
 * hash table or in a CPU's cache (ipol_dev_stats_cached()); the group's
 * sums then move into the module's "departed" sums under ipol_stats_lock
 * and its devices' counters are freed.  Module unload unregisters the
 * probes, waits for running ones (tracepoint_synchronize_unregister()) and
 * for the frees (destroy_workqueue()).
 *
 * DMA accounting on demand: the fault probe is always registered; the
 * DMA-API and iommu map/unmap probes only while someone wants DMA counters
 * (root pinned accounting on, or netlink clients hold it: see
 * ipol_dma_acct_*() below), so that otherwise the module adds nothing to the
 * DMA path.  The counters keep their values while it is off.
 *
 * Reset: the per-CPU counters only ever grow; a reset records their sums as
 * baselines that reads subtract.  ipol_stats_lock (a mutex, process context
 * only) protects the baselines, the groups' device lists and the list of
 * groups; it nests inside ipol_groups_lock.  The probes never see it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/hashtable.h>
#include <linux/iommu.h>
#include <linux/kobject.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <linux/workqueue.h>
#include <trace/events/iommu.h>

#include "compat.h"
#include "iommu_policy.h"
#ifdef IPOL_HAVE_DMA_TRACEPOINTS
#include <trace/events/dma.h>
#endif

/*
 * A fault record: the last fault counted through it, and how many were.
 * @seq is odd while the record is being written and grows by two per fault:
 * seq / 2 faults went through it.  The probes write a CPU's main record
 * (struct ipol_pcpu.last) from any context: a writer that finds it odd
 * interrupted another context of the same CPU halfway through writing it,
 * and writes its context's own record instead (struct ipol_pcpu.nested).  An
 * interrupting writer finishes before the interrupted one goes on, so a
 * writer that found the record even still finds it even when it increments
 * it: one writer at a time, with neither a lock nor interrupts off.
 */
struct ipol_fault_rec {
	u64 seq;
	u64 time_ns;		/* CLOCK_REALTIME, to the tick */
	u64 iova;
	u32 dev;		/* ipol_dev_id(); in module records only */
};

/* The contexts of a CPU, each of which can interrupt the ones before it. */
enum {
	IPOL_CTX_TASK,
	IPOL_CTX_SOFTIRQ,
	IPOL_CTX_HARDIRQ,
	IPOL_NR_CTX,
};

/*
 * Per-CPU counters: of a device, or the module's own (see below).  Written
 * out rather than made from counter_defs.h: the probes were tuned to this
 * layout.  Each u64 here is a PCPU counter there, which ipol_pcpu_sum()
 * adds up.
 */
struct ipol_pcpu {
	struct ipol_fault_rec last;	/* first: the probe's own addressing */
	u64 faults_write;		/* of all the faults counted in the records */
	u64 dma_maps;
	u64 dma_unmaps;
	u64 dma_bytes_mapped;
	u64 dma_bytes_unmapped;
	u64 iommu_maps;			/* module only */
	u64 iommu_unmaps;
	u64 iommu_bytes_mapped;
	u64 iommu_bytes_unmapped;
	struct ipol_fault_rec nested[IPOL_NR_CTX];
};

/*
 * A device's counters, found by the probes through ipol_dev_hash.  A device
 * that leaves its group is unhashed but stays on the group's list until the
 * group is freed, so the group's sums never go back.
 */
struct ipol_dev_stats {
	struct hlist_node hnode;	/* ipol_dev_hash; writers: ipol_groups_lock */
	struct list_head gnode;		/* group->devs, ipol_stats_lock */
	const struct device *dev;	/* the key, IPOL_DEV_GONE once unhashed */
	u32 id;				/* ipol_dev_id(dev) */
	int group_id;
	struct ipol_pcpu __percpu *pcpu;
	struct ipol_sum base;		/* at the last reset, ipol_stats_lock */
};

/*
 * A group's counters: the sums of its devices'.  Freed after a grace period
 * in process context, where its sums move into the module's departed ones.
 */
struct ipol_group_stats {
	struct list_head devs;		/* struct ipol_dev_stats, ipol_stats_lock */
	struct list_head node;		/* ipol_stats_groups, ipol_stats_lock */
	struct ipol_sum base;
	struct work_struct free_work;
};

/*
 * The module: per-CPU counters of faults and DMA maps of no mirrored device
 * and of IOMMU maps; the sums of groups that are gone; every group listed.
 */
static struct ipol_pcpu __percpu *ipol_module_pcpu;
static struct ipol_sum ipol_departed;	/* ipol_stats_lock */
static struct ipol_sum ipol_module_base;	/* ipol_stats_lock */
static LIST_HEAD(ipol_stats_groups);	/* ipol_stats_lock */
static DEFINE_MUTEX(ipol_stats_lock);
static u64 ipol_reset_ns;		/* ipol_stats_lock */
static struct workqueue_struct *ipol_stats_wq;

static DEFINE_HASHTABLE(ipol_dev_hash, 8);
static struct kobject *ipol_stats_kobj;

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

/* --- the probes --------------------------------------------------------------- */

/*
 * Every probe runs between these (see the top of this file): preemption
 * disabled, an RCU read-side critical section on every kernel.  6.1 and
 * 6.12 call probes so already; 7.x (IPOL_PROBES_PREEMPTIBLE, from Kbuild)
 * does not.
 */
static __always_inline void ipol_probe_enter(void)
{
	if (IPOL_PROBES_PREEMPTIBLE)
		preempt_disable_notrace();
	else
		lockdep_assert_preemption_disabled();
}

static __always_inline void ipol_probe_exit(void)
{
	if (IPOL_PROBES_PREEMPTIBLE)
		preempt_enable_notrace();
}

/*
 * Between ipol_probe_enter() and ipol_probe_exit(), or an RCU reader:
 * ipol_dev_hash is read without rcu_read_lock(), and what it finds is freed
 * after a grace period.
 */
static __always_inline struct ipol_dev_stats *ipol_dev_stats_find(const struct device *dev)
{
	struct ipol_dev_stats *ds;

	hash_for_each_possible_rcu(ipol_dev_hash, ds, hnode, (unsigned long)dev)
		if (READ_ONCE(ds->dev) == dev)
			return ds;
	return NULL;
}

/*
 * Each CPU remembers the device the fault probe, and the one the DMA probes,
 * last found in ipol_dev_hash: a probe for the same device finds its
 * counters with one load and one comparison.  An entry is never NULL (the
 * sentinel below matches no device), and it may point to counters whose
 * device has left: ipol_dev_stats_remove() sets their key to IPOL_DEV_GONE
 * first, so that they match nothing either.  Counters are freed only once no
 * cache points to them and no probe can still hold them
 * (ipol_group_stats_free_workfn()).
 *
 * On 7.x the DMA probes use the cache preemptible, inside the tracepoint's
 * SRCU-fast section: they may count on another CPU than the one whose entry
 * they read, which changes no sum; the free waits for such readers too
 * (tracepoint_synchronize_unregister()).
 */
static struct ipol_dev_stats ipol_dev_stats_none;
#define IPOL_DEV_GONE ((const struct device *)&ipol_dev_stats_none)
static struct ipol_dev_stats ipol_dev_stats_none = { .dev = IPOL_DEV_GONE };

/* Set to the sentinel at load (a module's per-CPU initialisers are not relocated). */
static DEFINE_PER_CPU(struct ipol_dev_stats *, ipol_fault_cache);
static DEFINE_PER_CPU(struct ipol_dev_stats *, ipol_dma_cache);

/*
 * Are this CPU's cached counters (in *@dsp) @dev's?  Any context.  The key
 * is read once, as part of the comparison: an aligned pointer, written with
 * WRITE_ONCE() (ipol_dev_stats_remove()); either value is right.
 */
static __always_inline bool ipol_dev_stats_cached(struct ipol_dev_stats * __percpu *cache,
						  const struct device *dev,
						  struct ipol_dev_stats **dsp)
{
	*dsp = this_cpu_read(*cache);
	/* Racing ipol_dev_stats_remove() by design: either value is right. */
	return data_race((*dsp)->dev == dev);
}

/* Not cached: look @dev up, and cache what is found.  Any context. */
static noinline struct ipol_dev_stats *
ipol_dev_stats_lookup(struct ipol_dev_stats * __percpu *cache, const struct device *dev)
{
	struct ipol_dev_stats *ds;

	preempt_disable_notrace();	/* an RCU reader on every kernel */
	ds = ipol_dev_stats_find(dev);
	if (ds)
		this_cpu_write(*cache, ds);
	preempt_enable_notrace();
	return ds;
}

/* Forget @ds in every CPU's caches.  Process context, once it is unhashed. */
static void ipol_dev_stats_uncache(struct ipol_dev_stats *ds)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		cmpxchg(per_cpu_ptr(&ipol_fault_cache, cpu), ds, &ipol_dev_stats_none);
		cmpxchg(per_cpu_ptr(&ipol_dma_cache, cpu), ds, &ipol_dev_stats_none);
	}
}

static unsigned int ipol_ctx(void)
{
	if (in_hardirq() || in_nmi())
		return IPOL_CTX_HARDIRQ;
	if (in_serving_softirq())
		return IPOL_CTX_SOFTIRQ;
	return IPOL_CTX_TASK;
}

/*
 * What the fault probe needs once per tick, per CPU: the time (CLOCK_REALTIME
 * to the tick) and whether a netlink listener wants fault events, in @key:
 * the tick's jiffies if nobody listens, their complement if someone does,
 * so one comparison per fault tells all three cases apart.  @key is written
 * last: a key of this tick says @now_ns is of this tick too.
 */
struct ipol_tick {
	unsigned long key;
	u64 now_ns;
};

static DEFINE_PER_CPU(struct ipol_tick, ipol_tick);

/* Write @rec (not this CPU's main record: see ipol_fault_rec). */
static __always_inline void ipol_fault_rec_write(struct ipol_fault_rec *rec, u32 dev_id,
						 unsigned long iova, u64 now)
{
	WRITE_ONCE(rec->seq, rec->seq + 1);
	smp_wmb();	/* odd before the fields: ipol_fault_rec_sum() */
	WRITE_ONCE(rec->time_ns, now);
	WRITE_ONCE(rec->iova, iova);
	WRITE_ONCE(rec->dev, dev_id);
	smp_wmb();	/* the fields before even */
	WRITE_ONCE(rec->seq, rec->seq + 1);
}

/* This CPU's main record was being written: the context's own, out of line. */
static noinline void ipol_fault_nested(struct ipol_pcpu __percpu *pcpu, u32 dev_id,
				       unsigned long iova, u64 now)
{
	ipol_fault_rec_write(this_cpu_ptr(&pcpu->nested[ipol_ctx()]), dev_id, iova, now);
}

/*
 * Count and record one fault in @pcpu (a device's counters, or the module's
 * for an unattributed fault; @dev_id is recorded only in the module's).
 * Only this_cpu_*() operations on the main record: each one instruction on
 * x86, safe against interrupts.
 */
static __always_inline void ipol_fault_count(struct ipol_pcpu __percpu *pcpu, u32 dev_id,
					     unsigned long iova, u64 write, u64 now,
					     bool module)
{
	this_cpu_add(pcpu->faults_write, write);
	if (unlikely(this_cpu_read(pcpu->last.seq) & 1)) {
		ipol_fault_nested(pcpu, dev_id, iova, now);
		return;
	}
	this_cpu_inc(pcpu->last.seq);
	smp_wmb();	/* odd before the fields: ipol_fault_rec_sum() */
	this_cpu_write(pcpu->last.time_ns, now);
	this_cpu_write(pcpu->last.iova, iova);
	if (module)
		this_cpu_write(pcpu->last.dev, dev_id);
	smp_wmb();	/* the fields before even */
	this_cpu_inc(pcpu->last.seq);
}

/*
 * The rare cases, out of line: a new tick (the time and the listener check
 * refreshed), a fault of no mirrored device, an event to buffer.  An
 * interrupt refreshing the tick in between stores the same values; one
 * that finds it half refreshed (a key of another tick) refreshes it itself.
 */
static noinline __noclone void ipol_io_page_fault_slow(void *data, struct device *dev,
						       unsigned long iova, int flags)
{
	bool write = flags & IOMMU_FAULT_WRITE;
	struct ipol_tick *tick = this_cpu_ptr(&ipol_tick);
	unsigned long j = READ_ONCE(jiffies), key = READ_ONCE(tick->key);
	struct ipol_dev_stats *ds = dev ? ipol_dev_stats_lookup(&ipol_fault_cache, dev) : NULL;
	bool listening;
	u32 dev_id;
	u64 now;

	if (key == j || key == ~j) {
		listening = key != j;
	} else {
		listening = ipol_nl_listening();
		WRITE_ONCE(tick->now_ns, ktime_get_coarse_real_ns());
		WRITE_ONCE(tick->key, listening ? ~j : j);
	}
	now = READ_ONCE(tick->now_ns);
	if (ds) {
		dev_id = ds->id;
		ipol_fault_count(ds->pcpu, dev_id, iova, write, now, false);
	} else {
		dev_id = dev ? ipol_dev_id(dev) : IPOL_DEV_ID_NONE;
		ipol_fault_count(ipol_module_pcpu, dev_id, iova, write, now, true);
	}
	if (listening)
		ipol_nl_fault_event(ds ? ds->group_id : -1, dev_id, iova, write, now);
}

/*
 * io_page_fault probe: any context, up to hard IRQ; no lock, no allocation,
 * interrupts left on.  The common case (a mirrored device's fault in the
 * same tick as this CPU's last) calls nothing: no register is saved, no
 * clock read; with a netlink listener, an event that finds this CPU's
 * buffer full is counted as dropped without a call either.
 */
static void notrace ipol_io_page_fault_probe(void *data, struct device *dev,
					     unsigned long iova, int flags)
{
	u64 write = (unsigned int)flags & IOMMU_FAULT_WRITE;
	unsigned long key, j;
	struct ipol_dev_stats *ds;

	ipol_probe_enter();
	key = this_cpu_read(ipol_tick.key);
	j = READ_ONCE(jiffies);
	/* No device (NULL) is cached: it goes the slow way. */
	if (likely(key == j)) {
		if (likely(ipol_dev_stats_cached(&ipol_fault_cache, dev, &ds))) {
			ipol_fault_count(ds->pcpu, 0, iova, write,
					 this_cpu_read(ipol_tick.now_ns), false);
			goto out;
		}
	} else if (key == ~j && ipol_nl_events_full()) {
		/*
		 * Someone listens and this CPU's event ring is full: counted
		 * the same way, the event dropped (written twice so that the
		 * common case above keeps no register and tests nothing more).
		 */
		if (likely(ipol_dev_stats_cached(&ipol_fault_cache, dev, &ds))) {
			ipol_fault_count(ds->pcpu, 0, iova, write,
					 this_cpu_read(ipol_tick.now_ns), false);
			ipol_nl_events_drop();
			goto out;
		}
	}
	ipol_io_page_fault_slow(data, dev, iova, flags);
out:
	ipol_probe_exit();
}

/*
 * iommu_map() and iommu_unmap(): any domain, no device; module-wide.  Only
 * this_cpu_*() operations, each safe against preemption and interrupts.
 *
 * A map that fails: 6.1 and 6.12 fire no map event but unmap what it had
 * mapped (an unmap event); 7.x fires the map event with the bytes it mapped
 * before failing, then the unmap of those (so on 7.x maps and unmaps stay
 * balanced).  Events of zero bytes (7.x: a map that failed at once, and its
 * empty unmap) change nothing and are not counted.
 */
static void notrace ipol_iommu_map_probe(void *data, unsigned long iova,
					 phys_addr_t paddr, size_t size)
{
	struct ipol_pcpu __percpu *pcpu = ipol_module_pcpu;

	if (!size)
		return;
	this_cpu_inc(pcpu->iommu_maps);
	this_cpu_add(pcpu->iommu_bytes_mapped, size);
}

static void notrace ipol_iommu_unmap_probe(void *data, unsigned long iova, size_t size,
					   size_t unmapped_size)
{
	struct ipol_pcpu __percpu *pcpu = ipol_module_pcpu;

	if (!unmapped_size)
		return;
	this_cpu_inc(pcpu->iommu_unmaps);
	this_cpu_add(pcpu->iommu_bytes_unmapped, unmapped_size);
}

#ifdef IPOL_HAVE_DMA_TRACEPOINTS
/* One DMA-API map (@map) or unmap of @bytes in @pcpu: any context. */
static __always_inline void ipol_dma_add(struct ipol_pcpu __percpu *pcpu, bool map, u64 bytes)
{
	if (map) {
		this_cpu_inc(pcpu->dma_maps);
		this_cpu_add(pcpu->dma_bytes_mapped, bytes);
	} else {
		this_cpu_inc(pcpu->dma_unmaps);
		this_cpu_add(pcpu->dma_bytes_unmapped, bytes);
	}
}

/* A device this CPU's DMA probes did not see last. */
static __always_inline void ipol_dma_count_slow(struct device *dev, bool map, u64 bytes)
{
	struct ipol_dev_stats *ds = ipol_dev_stats_lookup(&ipol_dma_cache, dev);

	ipol_dma_add(ds ? ds->pcpu : ipol_module_pcpu, map, bytes);
}

/*
 * One DMA-API map (@map) or unmap of @bytes by @dev: any context.  Only
 * this_cpu_*() operations, each safe against preemption and interrupts, on
 * counters the cache found (see ipol_dev_stats_cached()); false if it did
 * not: the probe then calls its slow twin, which has the probe's own
 * arguments, so that the common case moves none.
 */
static __always_inline bool ipol_dma_count(struct device *dev, bool map, u64 bytes)
{
	struct ipol_dev_stats *ds;

	if (unlikely(!ipol_dev_stats_cached(&ipol_dma_cache, dev, &ds)))
		return false;
	ipol_dma_add(ds->pcpu, map, bytes);
	return true;
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

static noinline __noclone void ipol_dma_map_slow(void *data, struct device *dev,
						 phys_addr_t phys_addr, dma_addr_t dma_addr,
						 size_t size, enum dma_data_direction dir,
						 unsigned long attrs)
{
	ipol_dma_count_slow(dev, true, size);
}

static void notrace ipol_dma_map_probe(void *data, struct device *dev, phys_addr_t phys_addr,
				       dma_addr_t dma_addr, size_t size,
				       enum dma_data_direction dir, unsigned long attrs)
{
	/* The kernel traces failed maps too; they map nothing, and are never unmapped. */
	if (dma_addr != DMA_MAPPING_ERROR && !ipol_dma_count(dev, true, size))
		ipol_dma_map_slow(data, dev, phys_addr, dma_addr, size, dir, attrs);
}

static noinline __noclone void ipol_dma_unmap_slow(void *data, struct device *dev,
						   dma_addr_t addr, size_t size,
						   enum dma_data_direction dir,
						   unsigned long attrs)
{
	ipol_dma_count_slow(dev, false, size);
}

static void notrace ipol_dma_unmap_probe(void *data, struct device *dev, dma_addr_t addr,
					 size_t size, enum dma_data_direction dir,
					 unsigned long attrs)
{
	if (!ipol_dma_count(dev, false, size))
		ipol_dma_unmap_slow(data, dev, addr, size, dir, attrs);
}

static void notrace ipol_dma_map_sg_probe(void *data, struct device *dev,
					  struct scatterlist *sgl, int nents, int ents,
					  enum dma_data_direction dir, unsigned long attrs)
{
	u64 bytes = ipol_sg_bytes(sgl, nents);

	if (!ipol_dma_count(dev, true, bytes))
		ipol_dma_count_slow(dev, true, bytes);
}

static void notrace ipol_dma_unmap_sg_probe(void *data, struct device *dev,
					    struct scatterlist *sgl, int nents,
					    enum dma_data_direction dir, unsigned long attrs)
{
	u64 bytes = ipol_sg_bytes(sgl, nents);

	if (!ipol_dma_count(dev, false, bytes))
		ipol_dma_count_slow(dev, false, bytes);
}

/*
 * tracepoint_probe_register() takes a void *: make the compiler check each
 * probe against the tracepoint's prototype.
 */
static void __maybe_unused ipol_dma_probes_check(void)
{
#ifdef IPOL_HAVE_DMA_MAP_PAGE_TP
	check_trace_callback_type_dma_map_page(ipol_dma_map_probe);
	check_trace_callback_type_dma_unmap_page(ipol_dma_unmap_probe);
#endif
#ifdef IPOL_HAVE_DMA_MAP_PHYS_TP
	check_trace_callback_type_dma_map_phys(ipol_dma_map_probe);
	check_trace_callback_type_dma_unmap_phys(ipol_dma_unmap_probe);
#endif
#ifdef IPOL_HAVE_DMA_MAP_RESOURCE_TP
	check_trace_callback_type_dma_map_resource(ipol_dma_map_probe);
	check_trace_callback_type_dma_unmap_resource(ipol_dma_unmap_probe);
#endif
	check_trace_callback_type_dma_map_sg(ipol_dma_map_sg_probe);
	check_trace_callback_type_dma_unmap_sg(ipol_dma_unmap_sg_probe);
}

static struct ipol_dma_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} ipol_dma_tps[] = {
#ifdef IPOL_HAVE_DMA_MAP_PAGE_TP
	{ "dma_map_page",	ipol_dma_map_probe },
	{ "dma_unmap_page",	ipol_dma_unmap_probe },
#endif
#ifdef IPOL_HAVE_DMA_MAP_PHYS_TP
	{ "dma_map_phys",	ipol_dma_map_probe },
	{ "dma_unmap_phys",	ipol_dma_unmap_probe },
#endif
#ifdef IPOL_HAVE_DMA_MAP_RESOURCE_TP
	{ "dma_map_resource",	ipol_dma_map_probe },
	{ "dma_unmap_resource",	ipol_dma_unmap_probe },
#endif
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
		tracepoint_probe_unregister(ipol_dma_tps[i].tp, ipol_dma_tps[i].probe, NULL);
}

/* At load: the tracepoints the DMA probes need are all there. */
static int ipol_dma_tps_find(void)
{
	int i;

	for_each_kernel_tracepoint(ipol_dma_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(ipol_dma_tps); i++) {
		if (!ipol_dma_tps[i].tp) {
			pr_err("tracepoint %s not found; per-device DMA counters need it\n",
			       ipol_dma_tps[i].name);
			return -ENOENT;
		}
	}
	return 0;
}

static int ipol_dma_probes_register(void)
{
	int i, ret;

	for (i = 0; i < ARRAY_SIZE(ipol_dma_tps); i++) {
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
static int ipol_dma_tps_find(void)
{
	return 0;
}

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

/* --- DMA accounting on demand --------------------------------------------------- */

static bool dma_accounting;
module_param(dma_accounting, bool, 0444);
MODULE_PARM_DESC(dma_accounting,
		 "count DMA and IOMMU maps from load on, as if root wrote 1 to stats/dma_accounting (default: only while wanted)");

/*
 * Who wants the DMA-API and iommu map/unmap probes registered: root's pin
 * (stats/dma_accounting, the dma_accounting parameter) and netlink clients'
 * holds (netlink.c keeps one per socket and drops it when the socket
 * closes).  ipol_acct_lock (a mutex, process context only) serialises the
 * state with the (un)registrations, which take tracepoints_mutex and may
 * allocate; it nests inside ipol_stats_lock (readers add the state to their
 * sums) and inside netlink.c's ipol_nl_holds_lock, and takes no lock of
 * ours.  Until ipol_stats_start() and after ipol_stats_stop() the module is
 * closed: wants are recorded, nothing is registered.
 *
 * Turning accounting off needs no grace period: a probe still running finds
 * devices only under ipol_probe_enter(), as when it is on; the unload waits
 * for running probes in ipol_stats_stop().
 */
static DEFINE_MUTEX(ipol_acct_lock);
static struct {
	struct ipol_dma_acct st;	/* st.enabled: the probes are registered */
	bool open;		/* between ipol_stats_start() and ipol_stats_stop() */
} ipol_acct;

static int ipol_acct_probes_register(void)
{
	int ret;

	ret = register_trace_map(ipol_iommu_map_probe, NULL);
	if (ret)
		return ret;
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
	return ret;
}

static void ipol_acct_probes_unregister(void)
{
	ipol_dma_probes_unregister();
	unregister_trace_unmap(ipol_iommu_unmap_probe, NULL);
	unregister_trace_map(ipol_iommu_map_probe, NULL);
}

/* Register or unregister the probes as the state wants.  ipol_acct_lock held. */
static int ipol_acct_update(void)
{
	bool want = ipol_acct.open && (ipol_acct.st.pinned || ipol_acct.st.clients);
	int ret;

	lockdep_assert_held(&ipol_acct_lock);
	if (want == ipol_acct.st.enabled)
		return 0;
	if (!want) {
		ipol_acct_probes_unregister();
		ipol_acct.st.enabled = false;
		return 0;
	}
	ret = ipol_acct_probes_register();
	if (ret)
		return ret;
	ipol_acct.st.enabled = true;
	ipol_acct.st.since_ns = ktime_get_real_ns();
	return 0;
}

/* Root pins accounting on, or lets go of the pin. */
int ipol_dma_acct_pin(bool pin)
{
	bool was;
	int ret;

	mutex_lock(&ipol_acct_lock);
	was = ipol_acct.st.pinned;
	ipol_acct.st.pinned = pin;
	ret = ipol_acct_update();
	if (ret)
		ipol_acct.st.pinned = was;
	mutex_unlock(&ipol_acct_lock);
	return ret;
}

/* One client (netlink.c: a socket) more that holds accounting on, or one less. */
int ipol_dma_acct_hold(bool hold)
{
	int ret = 0;

	mutex_lock(&ipol_acct_lock);
	if (hold) {
		ipol_acct.st.clients++;
		ret = ipol_acct_update();
		if (ret)
			ipol_acct.st.clients--;
	} else if (!WARN_ON(!ipol_acct.st.clients)) {
		ipol_acct.st.clients--;
		ipol_acct_update();	/* unregistering does not fail */
	}
	mutex_unlock(&ipol_acct_lock);
	return ret;
}

void ipol_dma_acct_read(struct ipol_dma_acct *st)
{
	mutex_lock(&ipol_acct_lock);
	*st = ipol_acct.st;
	mutex_unlock(&ipol_acct_lock);
}

/* --- objects, created and removed by groups.c -------------------------------- */

struct ipol_group_stats *ipol_group_stats_alloc(void)
{
	struct ipol_group_stats *gs;

	gs = kzalloc(sizeof(*gs), GFP_KERNEL);
	if (!gs)
		return NULL;
	INIT_LIST_HEAD(&gs->devs);
	mutex_lock(&ipol_stats_lock);
	list_add_tail(&gs->node, &ipol_stats_groups);
	mutex_unlock(&ipol_stats_lock);
	return gs;
}

static void ipol_sum_add(struct ipol_sum *to, struct ipol_sum *from);
static void ipol_dev_sum_raw(struct ipol_dev_stats *ds, struct ipol_sum *sum);

/*
 * The group is gone and its devices unhashed.  Once no probe can hold their
 * counters (tracepoint_synchronize_unregister() waits for running probes on
 * every kernel: preempt-disabled ones, and 7.x's SRCU-fast ones), no CPU can
 * cache them any more: forget them in the caches, wait for probes that read
 * a cache before that, then move the group's sums into the module's
 * departed ones and free it.  Process context.
 */
static void ipol_group_stats_free_workfn(struct work_struct *work)
{
	struct ipol_group_stats *gs = container_of(work, struct ipol_group_stats, free_work);
	struct ipol_dev_stats *ds, *tmp;
	struct ipol_sum sum;

	tracepoint_synchronize_unregister();
	mutex_lock(&ipol_stats_lock);
	list_for_each_entry(ds, &gs->devs, gnode)
		ipol_dev_stats_uncache(ds);
	mutex_unlock(&ipol_stats_lock);
	tracepoint_synchronize_unregister();

	mutex_lock(&ipol_stats_lock);
	list_for_each_entry_safe(ds, tmp, &gs->devs, gnode) {
		ipol_dev_sum_raw(ds, &sum);
		ipol_sum_add(&ipol_departed, &sum);
		list_del(&ds->gnode);
		free_percpu(ds->pcpu);
		kfree(ds);
	}
	list_del(&gs->node);
	mutex_unlock(&ipol_stats_lock);
	kfree(gs);
}

/* The group is gone; its devices were unhashed when they left it. */
void ipol_group_stats_free(struct ipol_group_stats *gs)
{
	if (!gs)
		return;
	INIT_WORK(&gs->free_work, ipol_group_stats_free_workfn);
	queue_work(ipol_stats_wq, &gs->free_work);
}

/* Called with ipol_groups_lock held, which serialises the hash's writers. */
struct ipol_dev_stats *ipol_dev_stats_add(struct device *dev, int group_id,
					  struct ipol_group_stats *group)
{
	struct ipol_dev_stats *ds;

	ds = kzalloc(sizeof(*ds), GFP_KERNEL);
	if (!ds)
		return NULL;
	ds->pcpu = alloc_percpu(struct ipol_pcpu);
	if (!ds->pcpu) {
		kfree(ds);
		return NULL;
	}
	ds->dev = dev;
	ds->id = ipol_dev_id(dev);
	ds->group_id = group_id;
	mutex_lock(&ipol_stats_lock);
	list_add_tail(&ds->gnode, &group->devs);
	mutex_unlock(&ipol_stats_lock);
	hash_add_rcu(ipol_dev_hash, &ds->hnode, (unsigned long)dev);
	return ds;
}

/*
 * Called with ipol_groups_lock held: the device left its group.  Its
 * counters stay with the group, which frees them after a grace period.
 */
void ipol_dev_stats_remove(struct ipol_dev_stats *ds)
{
	if (!ds)
		return;
	hash_del_rcu(&ds->hnode);
	/* Cached, they match no device from here on, not even a new one at @dev. */
	WRITE_ONCE(ds->dev, IPOL_DEV_GONE);
}

/* --- reading and resetting ------------------------------------------------------ */

/* A PCPU counter's field: never at offset 0, where the last-fault record is. */
#define IPOL_PCPU_PCPU(_name)	offsetof(struct ipol_pcpu, _name)
#define IPOL_PCPU_CALC(...)	0

const struct ipol_counter ipol_counters[IPOL_NR_COUNTERS] = {
#define IPOL_COUNTER(_NAME, _name, _scope, _src)				\
	[IPOL_C_##_NAME] = {							\
		.name = #_name,							\
		.nl_type = IOMMU_POLICY_A_COUNTERS_##_NAME,			\
		.scope = IPOL_SCOPE_##_scope,					\
		.pcpu = IPOL_PCPU_##_src(_name),				\
	},
#include "counter_defs.h"
};

/* The counter the stats/ file @name shows; -1 for the other files. */
static int ipol_counter_index(const char *name)
{
	int i;

	for (i = 0; i < IPOL_NR_COUNTERS; i++)
		if (!strcmp(name, ipol_counters[i].name))
			return i;
	return -1;
}

/* Add @from to @to, keeping the newer last fault. */
static void ipol_sum_add(struct ipol_sum *to, struct ipol_sum *from)
{
	int i;

	for (i = 0; i < IPOL_NR_COUNTERS; i++)
		to->count[i] += from->count[i];
	if (from->last_ns > to->last_ns) {
		to->last_ns = from->last_ns;
		to->last_iova = from->last_iova;
		to->last_dev = from->last_dev;
	}
}

/*
 * Add the faults counted through @rec to @sum and keep its last fault if it
 * is the newest.  The writer may be running on another CPU: read its fault
 * consistently, as a seqcount.
 */
static void ipol_fault_rec_sum(struct ipol_fault_rec *rec, struct ipol_sum *sum)
{
	u64 seq, ns, iova;
	u32 dev;

	for (;;) {
		seq = READ_ONCE(rec->seq);
		smp_rmb();	/* pairs with the writer's first smp_wmb() */
		ns = READ_ONCE(rec->time_ns);
		iova = READ_ONCE(rec->iova);
		dev = READ_ONCE(rec->dev);
		smp_rmb();	/* pairs with the writer's second smp_wmb() */
		if (!(seq & 1) && READ_ONCE(rec->seq) == seq)
			break;
		cpu_relax();
	}
	sum->count[IPOL_C_FAULTS] += seq / 2;
	if (ns > sum->last_ns) {
		sum->last_ns = ns;
		sum->last_iova = iova;
		sum->last_dev = dev;
	}
}

/* Sum per-CPU counters into @sum (zeroed), and the newest last-fault record. */
static void ipol_pcpu_sum(struct ipol_pcpu __percpu *pcpu, struct ipol_sum *sum)
{
	u64 *count = sum->count;
	int cpu, i;

	for_each_possible_cpu(cpu) {
		struct ipol_pcpu *p = per_cpu_ptr(pcpu, cpu);

		ipol_fault_rec_sum(&p->last, sum);
		for (i = 0; i < IPOL_NR_CTX; i++)
			ipol_fault_rec_sum(&p->nested[i], sum);
		for (i = 0; i < IPOL_NR_COUNTERS; i++)
			if (ipol_counters[i].pcpu)
				count[i] += READ_ONCE(*(u64 *)((char *)p + ipol_counters[i].pcpu));
	}
	/*
	 * faults_write is counted before the record is written: a fault being
	 * counted on another CPU right now may be in it and not yet in faults.
	 */
	count[IPOL_C_FAULTS_WRITE] = min(count[IPOL_C_FAULTS_WRITE], count[IPOL_C_FAULTS]);
	count[IPOL_C_FAULTS_READ] = count[IPOL_C_FAULTS] - count[IPOL_C_FAULTS_WRITE];
}

static void ipol_sum_init(struct ipol_sum *sum)
{
	memset(sum, 0, sizeof(*sum));
	sum->last_dev = IPOL_DEV_ID_NONE;
}

static void ipol_dev_sum_raw(struct ipol_dev_stats *ds, struct ipol_sum *sum)
{
	ipol_sum_init(sum);
	ipol_pcpu_sum(ds->pcpu, sum);
	if (sum->last_ns)
		sum->last_dev = ds->id;
}

static void ipol_group_sum_raw(struct ipol_group_stats *gs, struct ipol_sum *sum)
{
	struct ipol_dev_stats *ds;
	struct ipol_sum one;

	ipol_sum_init(sum);
	list_for_each_entry(ds, &gs->devs, gnode) {
		ipol_dev_sum_raw(ds, &one);
		ipol_sum_add(sum, &one);
	}
}

static void ipol_module_sum_raw(struct ipol_sum *sum)
{
	struct ipol_group_stats *gs;
	struct ipol_sum one;

	ipol_sum_init(sum);
	ipol_pcpu_sum(ipol_module_pcpu, sum);
	/* The module's own fault counters are the unattributed faults. */
	sum->count[IPOL_C_FAULTS_UNATTRIBUTED] = sum->count[IPOL_C_FAULTS];
	list_for_each_entry(gs, &ipol_stats_groups, node) {
		ipol_group_sum_raw(gs, &one);
		ipol_sum_add(sum, &one);
	}
	ipol_sum_add(sum, &ipol_departed);
	sum->count[IPOL_C_EVENTS_DROPPED] = ipol_nl_events_dropped();
}

/* @raw minus the baseline of the last reset.  ipol_stats_lock held. */
static void ipol_sum_since_reset(struct ipol_sum *raw, struct ipol_sum *base)
{
	int i;

	lockdep_assert_held(&ipol_stats_lock);
	for (i = 0; i < IPOL_NR_COUNTERS; i++)
		raw->count[i] -= base->count[i];
	/* No fault since the reset: the last one is from before it. */
	if (!raw->count[IPOL_C_FAULTS]) {
		raw->last_ns = 0;
		raw->last_iova = 0;
		raw->last_dev = IPOL_DEV_ID_NONE;
	}
	raw->reset_ns = ipol_reset_ns;
	ipol_dma_acct_read(&raw->dma_acct);
}

void ipol_group_stats_read(struct ipol_group_stats *gs, struct ipol_sum *sum)
{
	mutex_lock(&ipol_stats_lock);
	ipol_group_sum_raw(gs, sum);
	ipol_sum_since_reset(sum, &gs->base);
	mutex_unlock(&ipol_stats_lock);
}

void ipol_module_stats_read(struct ipol_sum *sum)
{
	mutex_lock(&ipol_stats_lock);
	ipol_module_sum_raw(sum);
	ipol_sum_since_reset(sum, &ipol_module_base);
	mutex_unlock(&ipol_stats_lock);
}

/* A member's counters; -ENOENT if the device is in no mirrored group. */
int ipol_dev_stats_read(struct device *dev, struct ipol_sum *sum)
{
	struct ipol_dev_stats *ds;

	/*
	 * Device counters are freed under ipol_stats_lock (with their group):
	 * found under the lock, they stay until it is dropped.
	 */
	mutex_lock(&ipol_stats_lock);
	rcu_read_lock();
	ds = ipol_dev_stats_find(dev);
	rcu_read_unlock();
	if (ds) {
		ipol_dev_sum_raw(ds, sum);
		ipol_sum_since_reset(sum, &ds->base);
	}
	mutex_unlock(&ipol_stats_lock);
	return ds ? 0 : -ENOENT;
}

/*
 * Every counter starts again from zero.  The per-CPU counters keep growing;
 * their sums become the baselines that reads subtract.
 */
void ipol_stats_reset(void)
{
	struct ipol_group_stats *gs;
	struct ipol_dev_stats *ds;

	mutex_lock(&ipol_stats_lock);
	list_for_each_entry(gs, &ipol_stats_groups, node) {
		list_for_each_entry(ds, &gs->devs, gnode)
			ipol_dev_sum_raw(ds, &ds->base);
		ipol_group_sum_raw(gs, &gs->base);
	}
	ipol_module_sum_raw(&ipol_module_base);
	ipol_reset_ns = ktime_get_real_ns();
	mutex_unlock(&ipol_stats_lock);
	pr_info("counters reset\n");
}

/* --- sysfs ---------------------------------------------------------------------- */

/* The file @what of a stats/ directory, from @sum. */
static ssize_t ipol_sum_show(struct ipol_sum *sum, const char *what, char *buf)
{
	int i = ipol_counter_index(what);
	char name[32];

	if (i >= 0)
		return sysfs_emit(buf, "%llu\n", sum->count[i]);
	/* The files that are not counters: each its own format. */
	if (!strcmp(what, "last_fault_time"))
		return sysfs_emit(buf, "%llu.%09llu\n", sum->last_ns / NSEC_PER_SEC,
				  sum->last_ns % NSEC_PER_SEC);
	if (!strcmp(what, "last_fault_iova"))
		return sysfs_emit(buf, "0x%llx\n", sum->last_iova);
	if (!strcmp(what, "last_fault_device")) {
		if (!sum->last_ns)
			return sysfs_emit(buf, "none\n");
		ipol_dev_id_name(sum->last_dev, name, sizeof(name));
		return sysfs_emit(buf, "%s\n", name);
	}
	if (!strcmp(what, "reset_time"))
		return sysfs_emit(buf, "%llu.%09llu\n", sum->reset_ns / NSEC_PER_SEC,
				  sum->reset_ns % NSEC_PER_SEC);
	return -EINVAL;
}

ssize_t ipol_group_stats_show(struct ipol_group_stats *gs,
			      struct kobj_attribute *attr, char *buf)
{
	struct ipol_sum sum;

	ipol_group_stats_read(gs, &sum);
	return ipol_sum_show(&sum, attr->attr.name, buf);
}

static ssize_t ipol_module_stats_show(struct kobject *kobj, struct kobj_attribute *attr,
				      char *buf)
{
	struct ipol_sum sum;

	ipol_module_stats_read(&sum);
	return ipol_sum_show(&sum, attr->attr.name, buf);
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

IPOL_MODULE_STAT(last_fault_time, 0444);
IPOL_MODULE_STAT(last_fault_device, 0444);
/* Fault addresses tell where a device's buffers are: root only. */
IPOL_MODULE_STAT(last_fault_iova, 0400);
IPOL_MODULE_STAT(reset_time, 0444);
static struct kobj_attribute ipol_module_stat_reset = __ATTR_WO(reset);

/* A file for every counter (counter_defs.h): a count anyone may read. */
static struct kobj_attribute ipol_module_counter_attrs[IPOL_NR_COUNTERS] = {
#define IPOL_COUNTER(_NAME, _name, ...)					\
	[IPOL_C_##_NAME] = __ATTR(_name, 0444, ipol_module_stats_show, NULL),
#include "counter_defs.h"
};

/*
 * stats/dma_accounting: "on" or "off", then who holds it on ("pinned",
 * "clients=N"); root writes 1 to pin it on, 0 to let go of the pin.
 */
static ssize_t dma_accounting_show(struct kobject *kobj, struct kobj_attribute *attr,
				   char *buf)
{
	struct ipol_dma_acct st;
	int n;

	ipol_dma_acct_read(&st);
	n = sysfs_emit(buf, "%s", st.enabled ? "on" : "off");
	if (st.pinned)
		n += sysfs_emit_at(buf, n, " pinned");
	if (st.clients)
		n += sysfs_emit_at(buf, n, " clients=%u", st.clients);
	return n + sysfs_emit_at(buf, n, "\n");
}

static ssize_t dma_accounting_store(struct kobject *kobj, struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	bool pin;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (kstrtobool(buf, &pin))
		return -EINVAL;
	ret = ipol_dma_acct_pin(pin);
	return ret ? ret : count;
}

static struct kobj_attribute ipol_module_stat_dma_accounting = __ATTR_RW(dma_accounting);

/* stats/dma_accounting_since: when accounting was last turned on; 0 if never. */
static ssize_t dma_accounting_since_show(struct kobject *kobj, struct kobj_attribute *attr,
					 char *buf)
{
	struct ipol_dma_acct st;

	ipol_dma_acct_read(&st);
	return sysfs_emit(buf, "%llu.%09llu\n", st.since_ns / NSEC_PER_SEC,
			  st.since_ns % NSEC_PER_SEC);
}

static struct kobj_attribute ipol_module_stat_dma_accounting_since =
	__ATTR_RO(dma_accounting_since);

/*
 * The kernel's DMA mappings the counters cannot see, by name: "dma-api"
 * (every DMA-API map: no per-device counters), "iova-link" (DMA mapped
 * through dma_iova_link(), which passes no tracepoint), or nothing known.
 */
const char *ipol_dma_uncounted(void)
{
	if (!ipol_dma_per_device())
		return "dma-api";
#ifdef IPOL_HAVE_DMA_IOVA_LINK
	return "iova-link";
#else
	return "";
#endif
}

static ssize_t uncounted_dma_show(struct kobject *kobj, struct kobj_attribute *attr,
				  char *buf)
{
	return sysfs_emit(buf, "%s\n", ipol_dma_uncounted());
}

static struct kobj_attribute ipol_module_stat_uncounted_dma = __ATTR_RO(uncounted_dma);

static struct attribute *ipol_module_stats_attrs[] = {
	&ipol_module_stat_last_fault_time.attr,
	&ipol_module_stat_last_fault_device.attr,
	&ipol_module_stat_last_fault_iova.attr,
	&ipol_module_stat_reset_time.attr,
	&ipol_module_stat_reset.attr,
	&ipol_module_stat_uncounted_dma.attr,
	&ipol_module_stat_dma_accounting.attr,
	&ipol_module_stat_dma_accounting_since.attr,
#define IPOL_COUNTER(_NAME, ...)	(&ipol_module_counter_attrs[IPOL_C_##_NAME].attr),
#include "counter_defs.h"
	NULL,
};

/*
 * is_visible of every stats/ directory: without the dma tracepoints no
 * DMA-API map is counted, module-wide or per group.  (dma_accounting is not
 * a counter: it covers the module-wide IOMMU map counters too.)
 */
umode_t ipol_stats_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	int i = ipol_counter_index(attr->name);

	if (i >= 0 && ipol_counters[i].scope == IPOL_SCOPE_DMA && !ipol_dma_per_device())
		return 0;
	return attr->mode;
}

/*
 * is_visible of groups/<id>/stats/, which has a file for every counter
 * (counter_defs.h): the module's own are not a group's.
 */
umode_t ipol_group_stats_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	int i = ipol_counter_index(attr->name);

	if (i >= 0 && ipol_counters[i].scope == IPOL_SCOPE_MODULE)
		return 0;
	return ipol_stats_visible(kobj, attr, n);
}

static const struct attribute_group ipol_module_stats_group = {
	.attrs = ipol_module_stats_attrs,
	.is_visible = ipol_stats_visible,
};

/* --- init and exit ------------------------------------------------------------------ */

int ipol_stats_init(void)
{
	int ret = -ENOMEM;
	int cpu;

	for_each_possible_cpu(cpu) {
		per_cpu(ipol_fault_cache, cpu) = &ipol_dev_stats_none;
		per_cpu(ipol_dma_cache, cpu) = &ipol_dev_stats_none;
	}
	/* Frees groups' counters once no probe can hold them; drained at exit. */
	ipol_stats_wq = alloc_workqueue("iommu_policy_stats", WQ_UNBOUND, 0);
	if (!ipol_stats_wq)
		return -ENOMEM;
	ret = ipol_dma_tps_find();
	if (ret)
		goto err_wq;
	ret = -ENOMEM;
	ipol_module_pcpu = alloc_percpu(struct ipol_pcpu);
	if (!ipol_module_pcpu)
		goto err_wq;
	ipol_stats_kobj = kobject_create_and_add("stats", ipol_root_kobj);
	if (!ipol_stats_kobj)
		goto err_free;
	ret = sysfs_create_group(ipol_stats_kobj, &ipol_module_stats_group);
	if (ret)
		goto err_kobj;
	return 0;

err_kobj:
	kobject_put(ipol_stats_kobj);
err_free:
	free_percpu(ipol_module_pcpu);
err_wq:
	destroy_workqueue(ipol_stats_wq);
	return ret;
}

/*
 * The probes run from here on; the groups' devices must be hashed already.
 * The fault probe always, the others as DMA accounting is wanted (wants
 * recorded before this, by early netlink requests, count too).
 */
int ipol_stats_start(void)
{
	int ret;

	ret = register_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	if (ret)
		return ret;
	mutex_lock(&ipol_acct_lock);
	ipol_acct.open = true;
	if (dma_accounting)
		ipol_acct.st.pinned = true;
	ret = ipol_acct_update();
	if (ret)
		ipol_acct.open = false;
	mutex_unlock(&ipol_acct_lock);
	if (ret) {
		unregister_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
		tracepoint_synchronize_unregister();
	}
	return ret;
}

void ipol_stats_stop(void)
{
	mutex_lock(&ipol_acct_lock);
	ipol_acct.open = false;
	ipol_acct_update();
	mutex_unlock(&ipol_acct_lock);
	unregister_trace_io_page_fault(ipol_io_page_fault_probe, NULL);
	/* No probe runs or will run once this returns. */
	tracepoint_synchronize_unregister();
}

/* After ipol_groups_exit(): every group handed its counters to ipol_stats_wq. */
void ipol_stats_exit(void)
{
	kobject_put(ipol_stats_kobj);
	/* Runs the frees still queued. */
	destroy_workqueue(ipol_stats_wq);
	WARN_ON(!list_empty(&ipol_stats_groups));
	free_percpu(ipol_module_pcpu);
}
