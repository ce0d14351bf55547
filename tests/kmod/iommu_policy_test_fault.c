// SPDX-License-Identifier: GPL-2.0
/*
 * Test-only module: call report_iommu_fault() on a PCI device, so the
 * kernel's own fault path (the io_page_fault tracepoint) is exercised in
 * QEMU, whose IOMMUs never reach it on x86.  Never installed.
 *
 *   insmod iommu_policy_test_fault.ko bdf=0000:00:01.0 count=1000 \
 *          context=process|softirq write=0|1 iova=0x1234000 nodev=0|1
 *
 * Loading returns once every fault was reported: from process context in a
 * loop, or from a timer (softirq context) in batches.  nodev=1 reports them
 * with no device, as arm-smmu may (the tracepoint's trace event itself would
 * not cope with that; do not enable it while testing nodev).
 */
#include <linux/completion.h>
#include <linux/iommu.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/timer.h>

#include "iommu_policy_test.h"

static char *bdf;
module_param(bdf, charp, 0444);
MODULE_PARM_DESC(bdf, "PCI address (DDDD:BB:DD.F) of the faulting device");
static unsigned int count = 1;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "faults to report");
static char *context = "process";
module_param(context, charp, 0444);
MODULE_PARM_DESC(context, "process or softirq");
static bool write;
module_param(write, bool, 0444);
MODULE_PARM_DESC(write, "report write faults (default: read)");
static unsigned long iova = 0x1234000;
module_param(iova, ulong, 0444);
MODULE_PARM_DESC(iova, "the faulting address");
static bool nodev;
module_param(nodev, bool, 0444);
MODULE_PARM_DESC(nodev, "report the faults with no device");

#define BATCH	500	/* faults per timer tick */

static struct pci_dev *pdev;
static struct iommu_domain *domain;
static struct timer_list timer;
static DECLARE_COMPLETION(done);
static unsigned int reported;

static void report(unsigned int n)
{
	int flags = write ? IOMMU_FAULT_WRITE : IOMMU_FAULT_READ;

	while (n--) {
		report_iommu_fault(domain, nodev ? NULL : &pdev->dev, iova, flags);
		reported++;
	}
}

static void inject_tick(struct timer_list *t)
{
	report(min(count - reported, (unsigned int)BATCH));
	if (reported < count)
		mod_timer(&timer, jiffies + 1);
	else
		complete(&done);
}

static int __init iommu_policy_test_fault_init(void)
{
	pdev = iommu_policy_test_get_pci(bdf);
	if (!pdev)
		return -ENODEV;
	domain = iommu_get_domain_for_dev(&pdev->dev);
	if (!domain) {
		pci_dev_put(pdev);
		return -ENODEV;
	}

	if (!strcmp(context, "softirq")) {
		timer_setup(&timer, inject_tick, 0);
		mod_timer(&timer, jiffies + 1);
		wait_for_completion(&done);
		del_timer_sync(&timer);
	} else if (!strcmp(context, "process")) {
		while (reported < count) {
			report(min(count - reported, (unsigned int)BATCH));
			cond_resched();
		}
	} else {
		pci_dev_put(pdev);
		return -EINVAL;
	}
	pci_info(pdev, "iommu_policy_test_fault: reported %u %s faults from %s context\n",
		 reported, write ? "write" : "read", context);
	return 0;
}

static void __exit iommu_policy_test_fault_exit(void)
{
	pci_dev_put(pdev);
}

module_init(iommu_policy_test_fault_init);
module_exit(iommu_policy_test_fault_exit);

MODULE_DESCRIPTION("iommuctl test: report IOMMU faults on a device");
MODULE_LICENSE("GPL");
