// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: call report_iommu_fault() on a PCI device, so the
 * kernel's own fault path (the io_page_fault tracepoint) is exercised in
 * QEMU, whose IOMMUs never reach it on x86.  Never installed.
 *
 *   insmod iommu_policy_test_fault.ko bdf=0000:00:01.0 count=1000 \
 *          context=process|softirq|irq write=0|1 iova=0x1234000 nodev=0|1 \
 *          domain=device|private
 *
 * With bdf, loading returns once every fault was reported: from process
 * context in a loop, from a timer (softirq context) in batches, or from an
 * irq_work (hard interrupt context) in batches.  nodev=1 reports them with
 * no device, as arm-smmu may (the tracepoint's trace event itself would not
 * cope with that; do not enable it while testing nodev).  domain=private
 * reports them through a domain of this module's, attached to nothing,
 * instead of the device's current one: a policy change may free the
 * device's domain while faults are being reported (the stress test changes
 * policies all the time); report_iommu_fault() only reads its fault handler.
 *
 * Without bdf the module only serves requests: each write of the same
 * "key=value ..." words to <debugfs>/iommu_policy_test_fault/inject, e.g.
 *
 *   echo "bdf=0000:00:03.0 count=500 context=irq domain=private" >.../inject
 *
 * reports the faults and returns once they all were, from any number of
 * writers at once.  A write either fails before reporting anything (bad
 * words: EINVAL; no such device: ENODEV; ENOMEM) or reports all of them.
 * <debugfs>/iommu_policy_test_fault/stats counts what was reported.
 */
#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/iommu.h>
#include <linux/irq_work.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timer.h>
#include <linux/uaccess.h>

#include "iommu_policy_test.h"

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI address (DDDD:BB:DD.F) of the faulting device (none: serve inject)");
static unsigned int count = 1;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "faults to report");
static char *context = "process";
module_param(context, charp, 0444);
MODULE_PARM_DESC(context, "process, softirq or irq (hard interrupt, from an irq_work)");
static bool write;
module_param(write, bool, 0444);
MODULE_PARM_DESC(write, "report write faults (default: read)");
static unsigned long iova = 0x1234000;
module_param(iova, ulong, 0444);
MODULE_PARM_DESC(iova, "the faulting address");
static bool nodev;
module_param(nodev, bool, 0444);
MODULE_PARM_DESC(nodev, "report the faults with no device");
static char *domain_param = "device";
module_param_named(domain, domain_param, charp, 0444);
MODULE_PARM_DESC(domain, "device (its current domain) or private (a domain attached to nothing)");

#define BATCH		500	/* faults per timer tick */
#define IRQ_BATCH	100	/* faults per hard interrupt */

enum inject_ctx {
	CTX_PROCESS,
	CTX_SOFTIRQ,
	CTX_IRQ,
	NR_CTX,
};

static const char * const ctx_names[NR_CTX] = {
	[CTX_PROCESS] = "process",
	[CTX_SOFTIRQ] = "softirq",
	[CTX_IRQ] = "irq",
};

/* One injection: from the module's parameters, or one write of inject. */
struct inject_req {
	struct pci_dev *pdev;		/* a reference; NULL with nodev and no bdf */
	struct iommu_domain *domain;
	enum inject_ctx ctx;
	unsigned int count;
	unsigned int reported;
	unsigned long iova;
	bool write;
	bool nodev;
	bool private_domain;
	unsigned int irq_batches;	/* irq_work runs, */
	unsigned int hardirq_batches;	/* and how many of them ran in hard IRQ context */
	struct timer_list timer;
	struct irq_work work;
	struct completion done;
};

/*
 * Attached to nothing, no fault handler: report_iommu_fault() reads only
 * its handler, and so does nothing else with it.
 */
static struct iommu_domain private_domain;

/* What was reported, for <debugfs>/.../stats. */
static atomic64_t stat_requests;
static atomic64_t stat_faults[NR_CTX];
static atomic64_t stat_irq_batches;
static atomic64_t stat_hardirq_batches;

static struct dentry *debug_dir;

static void report(struct inject_req *req, unsigned int n)
{
	int flags = req->write ? IOMMU_FAULT_WRITE : IOMMU_FAULT_READ;
	struct device *dev = req->nodev ? NULL : &req->pdev->dev;

	while (n--) {
		report_iommu_fault(req->domain, dev, req->iova, flags);
		req->reported++;
	}
}

static unsigned int remaining(struct inject_req *req, unsigned int batch)
{
	return min(req->count - req->reported, batch);
}

static void inject_tick(struct timer_list *t)
{
	struct inject_req *req = test_timer_container_of(req, t, timer);

	report(req, remaining(req, BATCH));
	if (req->reported < req->count)
		mod_timer(&req->timer, jiffies + 1);
	else
		complete(&req->done);
}

static void inject_irq_work(struct irq_work *work)
{
	struct inject_req *req = container_of(work, struct inject_req, work);

	req->irq_batches++;
	if (in_hardirq())
		req->hardirq_batches++;
	report(req, remaining(req, IRQ_BATCH));
	complete(&req->done);
}

/* Report every fault of @req, from its context; returns when all were. */
static void inject_run(struct inject_req *req)
{
	switch (req->ctx) {
	case CTX_SOFTIRQ:
		timer_setup(&req->timer, inject_tick, 0);
		mod_timer(&req->timer, jiffies + 1);
		wait_for_completion(&req->done);
		test_timer_delete_sync(&req->timer);
		break;
	case CTX_IRQ:
		req->work = IRQ_WORK_INIT_HARD(inject_irq_work);
		while (req->reported < req->count) {
			reinit_completion(&req->done);
			irq_work_queue(&req->work);
			wait_for_completion(&req->done);
		}
		/* The callback has completed, but may not have returned yet. */
		irq_work_sync(&req->work);
		break;
	default:
		while (req->reported < req->count) {
			report(req, remaining(req, BATCH));
			cond_resched();
		}
		break;
	}
	atomic64_inc(&stat_requests);
	atomic64_add(req->reported, &stat_faults[req->ctx]);
	atomic64_add(req->irq_batches, &stat_irq_batches);
	atomic64_add(req->hardirq_batches, &stat_hardirq_batches);
}

static int parse_ctx(const char *s, enum inject_ctx *ctx)
{
	int i = match_string(ctx_names, NR_CTX, s);

	if (i < 0)
		return -EINVAL;
	*ctx = i;
	return 0;
}

static int parse_domain(const char *s, bool *private)
{
	if (!strcmp(s, "device"))
		*private = false;
	else if (!strcmp(s, "private"))
		*private = true;
	else
		return -EINVAL;
	return 0;
}

/*
 * Find the device (@bdf may be NULL with nodev and a private domain) and
 * the domain to report through.
 */
static int inject_prepare(struct inject_req *req, const char *bdf)
{
	init_completion(&req->done);
	if (bdf) {
		req->pdev = iommu_policy_test_get_pci(bdf);
		if (!req->pdev)
			return -ENODEV;
	} else if (!req->nodev || !req->private_domain) {
		pr_err("%s: bdf= is required unless nodev=1 domain=private\n", KBUILD_MODNAME);
		return -EINVAL;
	}
	if (req->private_domain) {
		req->domain = &private_domain;
	} else {
		req->domain = iommu_get_domain_for_dev(&req->pdev->dev);
		if (!req->domain) {
			pci_dev_put(req->pdev);
			req->pdev = NULL;
			return -ENODEV;
		}
	}
	return 0;
}

/* Parse one write of inject: "key=value" words. */
static int inject_parse(char *buf, struct inject_req *req, char **bdf_out)
{
	char *word, *val;
	int ret = 0;

	req->count = 1;
	req->iova = 0x1234000;
	*bdf_out = NULL;
	while ((word = strsep(&buf, " \t\n")) != NULL) {
		if (!*word)
			continue;
		val = strchr(word, '=');
		if (!val)
			return -EINVAL;
		*val++ = '\0';
		if (!strcmp(word, "bdf"))
			*bdf_out = val;
		else if (!strcmp(word, "count"))
			ret = kstrtouint(val, 0, &req->count);
		else if (!strcmp(word, "context"))
			ret = parse_ctx(val, &req->ctx);
		else if (!strcmp(word, "write"))
			ret = kstrtobool(val, &req->write);
		else if (!strcmp(word, "iova"))
			ret = kstrtoul(val, 0, &req->iova);
		else if (!strcmp(word, "nodev"))
			ret = kstrtobool(val, &req->nodev);
		else if (!strcmp(word, "domain"))
			ret = parse_domain(val, &req->private_domain);
		else
			ret = -EINVAL;
		if (ret)
			return ret;
	}
	return 0;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	struct inject_req *req;
	char *buf, *bdf_arg;
	int ret;

	if (len >= 256)
		return -EINVAL;
	buf = memdup_user_nul(ubuf, len);
	if (IS_ERR(buf))
		return PTR_ERR(buf);
	req = kzalloc(sizeof(*req), GFP_KERNEL);
	if (!req) {
		ret = -ENOMEM;
		goto out_buf;
	}
	ret = inject_parse(buf, req, &bdf_arg);
	if (!ret)
		ret = inject_prepare(req, bdf_arg);
	if (!ret) {
		inject_run(req);
		pci_dev_put(req->pdev);
	}
	kfree(req);
out_buf:
	kfree(buf);
	return ret ? ret : len;
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.write = inject_write,
};

static int stats_show(struct seq_file *m, void *v)
{
	seq_printf(m, "requests=%lld process=%lld softirq=%lld irq=%lld irq_batches=%lld hardirq_batches=%lld\n",
		   atomic64_read(&stat_requests),
		   atomic64_read(&stat_faults[CTX_PROCESS]),
		   atomic64_read(&stat_faults[CTX_SOFTIRQ]),
		   atomic64_read(&stat_faults[CTX_IRQ]),
		   atomic64_read(&stat_irq_batches),
		   atomic64_read(&stat_hardirq_batches));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static int __init iommu_policy_test_fault_init(void)
{
	struct inject_req *req;
	int ret;

	if (bdf) {
		req = kzalloc(sizeof(*req), GFP_KERNEL);
		if (!req)
			return -ENOMEM;
		req->count = count;
		req->iova = iova;
		req->write = write;
		req->nodev = nodev;
		ret = parse_ctx(context, &req->ctx);
		if (!ret)
			ret = parse_domain(domain_param, &req->private_domain);
		if (!ret)
			ret = inject_prepare(req, bdf);
		if (ret) {
			kfree(req);
			return ret;
		}
		inject_run(req);
		pci_info(req->pdev, "iommu_policy_test_fault: reported %u %s faults from %s context\n",
			 req->reported, write ? "write" : "read", context);
		pci_dev_put(req->pdev);
		kfree(req);
	}
	/* debugfs failures are not errors: the interface is then missing. */
	debug_dir = debugfs_create_dir(KBUILD_MODNAME, NULL);
	debugfs_create_file("inject", 0200, debug_dir, NULL, &inject_fops);
	debugfs_create_file("stats", 0444, debug_dir, NULL, &stats_fops);
	return 0;
}

static void __exit iommu_policy_test_fault_exit(void)
{
	/* Waits for writers still in inject_write(). */
	debugfs_remove(debug_dir);
}

module_init(iommu_policy_test_fault_init);
module_exit(iommu_policy_test_fault_exit);

MODULE_DESCRIPTION("iommuctl test: report IOMMU faults on a device");
MODULE_LICENSE("GPL");
