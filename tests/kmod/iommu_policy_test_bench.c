// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: time the two kernel paths iommu_policy.ko hooks into,
 * for tests/bench/run.  Never installed.
 *
 *   insmod iommu_policy_test_bench.ko bdf=0000:00:01.0 mode=fault calls=1000000 probe=0|1
 *   insmod iommu_policy_test_bench.ko bdf=0000:00:01.0 mode=dma calls=100000 probe=0|1
 *
 * mode=fault calls report_iommu_fault() for the device, which fires the
 * io_page_fault tracepoint, through a domain of this module's attached to
 * nothing and without a fault handler (report_iommu_fault() reads only the
 * handler): the device's own domain may have one (7.x's DMA domains do),
 * which would be timed too.  mode=dma maps and unmaps a kmalloc'ed
 * buffer of size bytes with dma_map_single() and dma_unmap_single() through
 * the device's DMA ops (the IOMMU's, with its default domain), which fire
 * the map and unmap tracepoints and, where the kernel has them,
 * dma_map_page and dma_unmap_page (6.12) or dma_map_phys and
 * dma_unmap_phys (7.x).  probe=1 first attaches an empty
 * probe to each tracepoint iommu_policy.ko hooks on that path: the floor any
 * probe pays.
 *
 * The work is done while loading.  The time spent in the calls, chunk by
 * chunk with preemption off (cond_resched() between chunks, untimed), is
 * logged as one line
 *
 *   bench: mode=fault probe=0 calls=1000000 ns=123456789 domain=DMA-FQ
 *
 * and left in the read-only parameter ns until the module is removed.
 */
#include <linux/dma-mapping.h>
#include <linux/iommu.h>
#include <linux/ktime.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/iommu.h>

#include "iommu_policy_test.h"
#ifdef TEST_DMA_MAP_TP
#include <trace/events/dma.h>
#endif

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI address (DDDD:BB:DD.F) of the device");
static char *mode = "fault";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "fault (report_iommu_fault()) or dma (dma_map_single() and dma_unmap_single())");
static unsigned int calls = 1000000;
module_param(calls, uint, 0444);
MODULE_PARM_DESC(calls, "calls to time (map and unmap pairs for mode=dma)");
static bool probe;
module_param(probe, bool, 0444);
MODULE_PARM_DESC(probe, "attach empty probes to the tracepoints iommu_policy.ko hooks on the path");
static unsigned int size = PAGE_SIZE;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "mode=dma: bytes per mapping");
static unsigned long long ns;
module_param(ns, ullong, 0444);
MODULE_PARM_DESC(ns, "result: nanoseconds spent in the timed calls");

/* Calls per timed chunk: a few milliseconds of work under QEMU's TCG. */
#define FAULT_CHUNK	10000
#define DMA_CHUNK	1000

#define BENCH_IOVA	0x1234000UL

/*
 * The empty probes: the floor any probe on these tracepoints pays.  They are
 * registered by name (the dma_* tracepoints are not exported); the compiler
 * checks each against its tracepoint's prototype in bench_probes_check().
 */
static void bench_fault_probe(void *data, struct device *dev,
			      unsigned long iova, int flags)
{
}

static void bench_map_probe(void *data, unsigned long iova, phys_addr_t paddr,
			    size_t size)
{
}

static void bench_unmap_probe(void *data, unsigned long iova, size_t size,
			      size_t unmapped_size)
{
}

#ifdef TEST_DMA_MAP_TP
static void bench_dma_map_probe(void *data, struct device *dev,
				phys_addr_t phys_addr, dma_addr_t dma_addr,
				size_t size, enum dma_data_direction dir,
				unsigned long attrs)
{
}

static void bench_dma_unmap_probe(void *data, struct device *dev,
				  dma_addr_t addr, size_t size,
				  enum dma_data_direction dir, unsigned long attrs)
{
}
#endif

static void __maybe_unused bench_probes_check(void)
{
	check_trace_callback_type_io_page_fault(bench_fault_probe);
	check_trace_callback_type_map(bench_map_probe);
	check_trace_callback_type_unmap(bench_unmap_probe);
#ifdef TEST_DMA_MAP_TP
	test_check_dma_map_tp(bench_dma_map_probe);
	test_check_dma_unmap_tp(bench_dma_unmap_probe);
#endif
}

/* The tracepoints iommu_policy.ko hooks on each path (the ones the loops hit). */
static struct bench_tp {
	const char *name;
	void *probe;
	bool dma;		/* on the DMA path, else on the fault path */
	struct tracepoint *tp;
	bool registered;
} bench_tps[] = {
	{ "io_page_fault",	bench_fault_probe,	false },
	{ "map",		bench_map_probe,	true },
	{ "unmap",		bench_unmap_probe,	true },
#ifdef TEST_DMA_MAP_TP
	{ TEST_DMA_MAP_TP,	bench_dma_map_probe,	true },
	{ TEST_DMA_UNMAP_TP,	bench_dma_unmap_probe,	true },
#endif
};

static void bench_tp_find(struct tracepoint *tp, void *priv)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(bench_tps); i++)
		if (!strcmp(tp->name, bench_tps[i].name))
			bench_tps[i].tp = tp;
}

static void bench_probes_unregister(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(bench_tps); i++)
		if (bench_tps[i].registered)
			tracepoint_probe_unregister(bench_tps[i].tp, bench_tps[i].probe, NULL);
	/* No probe of this module runs once this returns. */
	tracepoint_synchronize_unregister();
}

/* The empty probes on every tracepoint of the path. */
static int bench_probes_register(bool dma)
{
	int i, ret;

	for_each_kernel_tracepoint(bench_tp_find, NULL);
	for (i = 0; i < ARRAY_SIZE(bench_tps); i++) {
		if (bench_tps[i].dma != dma)
			continue;
		if (!bench_tps[i].tp) {
			pr_err("%s: no tracepoint %s\n", KBUILD_MODNAME, bench_tps[i].name);
			ret = -ENOENT;
			goto err;
		}
		ret = tracepoint_probe_register(bench_tps[i].tp, bench_tps[i].probe, NULL);
		if (ret)
			goto err;
		bench_tps[i].registered = true;
	}
	return 0;

err:
	bench_probes_unregister();
	return ret;
}

/* One chunk of mode=fault: n report_iommu_fault() calls. */
static int bench_fault_chunk(struct iommu_domain *domain, struct device *dev,
			     unsigned int n)
{
	while (n--)
		report_iommu_fault(domain, dev, BENCH_IOVA, IOMMU_FAULT_READ);
	return 0;
}

/* One chunk of mode=dma: n map and unmap pairs of buf. */
static int bench_dma_chunk(struct device *dev, void *buf, unsigned int n)
{
	dma_addr_t addr;

	while (n--) {
		addr = dma_map_single(dev, buf, size, DMA_TO_DEVICE);
		if (dma_mapping_error(dev, addr))
			return -ENOMEM;
		dma_unmap_single(dev, addr, size, DMA_TO_DEVICE);
	}
	return 0;
}

static int bench_chunk(bool dma, struct iommu_domain *domain, struct device *dev,
		       void *buf, unsigned int n)
{
	return dma ? bench_dma_chunk(dev, buf, n) : bench_fault_chunk(domain, dev, n);
}

/*
 * Time @calls calls in chunks: preemption off while a chunk runs (interrupts
 * stay on, as they are for any caller), cond_resched() between chunks.  One
 * untimed chunk first warms the caches (and QEMU's translated code).
 */
static int bench_run(bool dma, struct iommu_domain *domain, struct device *dev,
		     void *buf, u64 *total)
{
	unsigned int chunk = dma ? DMA_CHUNK : FAULT_CHUNK;
	unsigned int done = 0, n;
	u64 t0;
	int ret;

	ret = bench_chunk(dma, domain, dev, buf, min(calls, chunk));
	*total = 0;
	while (!ret && done < calls) {
		n = min(calls - done, chunk);
		preempt_disable();
		t0 = ktime_get_ns();
		ret = bench_chunk(dma, domain, dev, buf, n);
		*total += ktime_get_ns() - t0;
		preempt_enable();
		done += n;
		cond_resched();
	}
	return ret;
}

/* Attached to nothing, no fault handler (see the top of this file). */
static struct iommu_domain bench_fault_domain;

static const char *bench_domain_name(const struct iommu_domain *domain)
{
	if (domain == &bench_fault_domain)
		return "private";
	switch (domain->type) {
	case IOMMU_DOMAIN_IDENTITY:
		return "identity";
	case IOMMU_DOMAIN_DMA:
		return "DMA";
	case IOMMU_DOMAIN_DMA_FQ:
		return "DMA-FQ";
	case IOMMU_DOMAIN_BLOCKED:
		return "blocked";
	default:
		return "other";
	}
}

static int __init iommu_policy_test_bench_init(void)
{
	struct iommu_domain *domain;
	struct pci_dev *pdev;
	void *buf = NULL;
	bool dma;
	u64 total;
	int ret;

	if (!strcmp(mode, "dma")) {
		dma = true;
	} else if (!strcmp(mode, "fault")) {
		dma = false;
	} else {
		pr_err("%s: mode=fault or mode=dma\n", KBUILD_MODNAME);
		return -EINVAL;
	}
	if (!calls || !size) {
		pr_err("%s: calls and size must be positive\n", KBUILD_MODNAME);
		return -EINVAL;
	}
	pdev = iommu_policy_test_get_pci(bdf);
	if (!pdev)
		return -ENODEV;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	if (!domain) {
		pci_err(pdev, "%s: the device has no IOMMU domain\n", KBUILD_MODNAME);
		ret = -ENODEV;
		goto out_put;
	}
	if (!dma)
		domain = &bench_fault_domain;
	if (dma) {
		buf = kmalloc(size, GFP_KERNEL);
		if (!buf) {
			ret = -ENOMEM;
			goto out_put;
		}
	}
	if (probe) {
		ret = bench_probes_register(dma);
		if (ret)
			goto out_put;
	}

	ret = bench_run(dma, domain, &pdev->dev, buf, &total);

	if (probe)
		bench_probes_unregister();
	if (ret) {
		pci_err(pdev, "%s: a DMA mapping failed\n", KBUILD_MODNAME);
		goto out_put;
	}
	ns = total;
	pr_info("bench: mode=%s probe=%d calls=%u ns=%llu domain=%s\n",
		mode, probe, calls, ns, bench_domain_name(domain));
out_put:
	kfree(buf);
	pci_dev_put(pdev);
	return ret;
}

static void __exit iommu_policy_test_bench_exit(void)
{
}

module_init(iommu_policy_test_bench_init);
module_exit(iommu_policy_test_bench_exit);

MODULE_DESCRIPTION("iommuctl test: time report_iommu_fault() and dma_map_single()");
MODULE_LICENSE("GPL");
