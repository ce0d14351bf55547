// SPDX-License-Identifier: GPL-2.0
/*
 * Exclusive claims of a group through /dev/iommu_policy, and quarantines.
 *
 * A claim is the kernel's DMA ownership of the group
 * (iommu_group_claim_dma_owner(): the group is attached to a blocking
 * domain, so its DMA stops, and every DMA-API probe in it fails) plus a
 * driver_override on every member, so that drivers which manage DMA
 * themselves (vfio-pci, pci-stub) cannot bind either.  A claim belongs to
 * the open file that took it and ends when the file is closed; a quarantine
 * is kept by the module until RELEASE or module unload.
 *
 * Locking: grp->lock -> ipol_domain_lock() (pci_lock_rescan_remove()) ->
 *   ipol_claims_lock -> the kernel's group->mutex.
 *   ipol_claims_lock protects grp->claim, every claim's fields and lists,
 *   and ipol_quarantines.  It is never held while waiting for a device lock,
 *   pci_lock_rescan_remove() or grp->lock, so the bus notifier, which runs in
 *   device removal paths holding pci_lock_rescan_remove() and perhaps device
 *   locks, may take it.
 *
 * Lifetimes: a claim holds a reference on its group's kobject and on every
 * member it changed driver_override for.  When a claimed group's last
 * device is removed, the notifier gives the kernel's ownership back first
 * (the kernel warns about an owned group becoming empty) and marks the claim
 * lost; the holder's close, RELEASE or unload frees it.  A lost quarantine
 * has no holder and is freed by ipol_reap_work.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/workqueue.h>

#include "compat.h"
#include "iommu_policy.h"

/* Protects every claim, grp->claim and ipol_quarantines: see above. */
DEFINE_MUTEX(ipol_claims_lock);
static LIST_HEAD(ipol_quarantines);	/* struct ipol_claim, ipol_claims_lock */

/* Why a bound driver-managed driver blocks a claim. */
#define IPOL_CLAIM_WHY	"a claim needs the group without drivers; unbind first"

/* The driver_override of a claimed group's members. */
#define IPOL_CLAIM_OVERRIDE	"iommu_policy:claimed"

static void ipol_reap_workfn(struct work_struct *work);
static DECLARE_WORK(ipol_reap_work, ipol_reap_workfn);

static const char *ipol_claim_kind(struct ipol_claim *claim)
{
	return claim->quarantine ? "quarantine" : "claim";
}

/* "claimed by pid 42 (qemu)": for messages. */
int ipol_claim_describe(struct ipol_claim *claim, char *buf, size_t size)
{
	return scnprintf(buf, size, "%s by pid %d (%s)",
			 claim->quarantine ? "quarantined" : "claimed",
			 claim->pid, claim->comm);
}

/*
 * End a claim: give the kernel's ownership back, then let drivers bind
 * again.  Called with grp->lock held; the claim is on no list any more.
 */
static void ipol_claim_destroy(struct ipol_claim *claim)
{
	struct ipol_group *grp = claim->grp;

	lockdep_assert_held(&grp->lock);

	ipol_domain_lock();
	mutex_lock(&ipol_claims_lock);
	if (claim->kernel_owned)
		iommu_group_release_dma_owner(grp->kgroup);
	claim->kernel_owned = false;
	if (grp->claim == claim)
		grp->claim = NULL;
	mutex_unlock(&ipol_claims_lock);
	ipol_domain_unlock();

	ipol_unblock_drivers(claim->devs, claim->ndevs, claim->saved);
	ipol_put_devices(claim->devs, claim->ndevs);
	kfree(claim->saved);
	pr_info("group %d: %s by pid %d (%s) released\n", grp->id,
		ipol_claim_kind(claim), claim->pid, claim->comm);
	if (claim->announced)
		ipol_nl_group_changed(grp->id, IOMMU_POLICY_CHANGE_RELEASED, NULL);
	kfree(claim);
}

static void ipol_claim_destroy_locked_group(struct ipol_claim *claim)
{
	struct ipol_group *grp = claim->grp;

	mutex_lock(&grp->lock);
	ipol_claim_destroy(claim);
	mutex_unlock(&grp->lock);
	kobject_put(&grp->kobj);
}

int ipol_claim_create(struct ipol_file *file, u32 group_id, bool quarantine)
{
	struct ipol_claim *claim;
	struct ipol_group *grp;
	char who[64] = "";
	int n, ret;

	grp = ipol_group_lookup(group_id);
	if (!grp)
		return -ENOENT;
	claim = kzalloc(sizeof(*claim), GFP_KERNEL);
	if (!claim) {
		kobject_put(&grp->kobj);
		return -ENOMEM;
	}
	claim->grp = grp;
	claim->quarantine = quarantine;
	claim->file = quarantine ? NULL : file;
	claim->pid = task_tgid_vnr(current);
	get_task_comm(claim->comm, current);
	claim->since = ktime_get_real_seconds();

	mutex_lock(&grp->lock);
	n = ipol_group_devices(grp, &claim->devs);
	if (n <= 0) {
		ret = n ?: -ENODEV;
		goto err_unlock;
	}
	claim->ndevs = n;

	/*
	 * A claim needs the group unowned: the kernel refuses DMA-API drivers
	 * itself, but a bound vfio-pci or pci-stub owns the group too.
	 */
	if (ipol_group_has_driver(grp)) {
		ret = ipol_refuse_owned(grp, ipol_claim_kind(claim), IPOL_CLAIM_WHY);
		goto err_unlock;
	}

	ipol_domain_lock();
	mutex_lock(&ipol_claims_lock);
	if (grp->claim) {
		ipol_claim_describe(grp->claim, who, sizeof(who));
		ret = -EBUSY;
	} else {
		ret = ipol_kernel_claim(grp, claim);
		if (!ret) {
			grp->claim = claim;
			claim->kernel_owned = true;
		}
	}
	mutex_unlock(&ipol_claims_lock);
	ipol_domain_unlock();
	if (ret == -ENODEV)
		goto err_unlock;
	if (ret == -EBUSY && who[0]) {
		ipol_set_last_error(grp,
				    "the group is already claimed or quarantined; release it first",
				    "%s refused: already %s; release it first",
				    ipol_claim_kind(claim), who);
		goto err_unlock;
	}
	if (ret) {
		ret = ipol_refuse_owned(grp, ipol_claim_kind(claim), IPOL_CLAIM_WHY);
		goto err_unlock;
	}

	/* The kernel now fails DMA-API probes; keep the others off too. */
	claim->saved = kcalloc(n, sizeof(*claim->saved), GFP_KERNEL);
	ret = claim->saved ? ipol_block_drivers(grp, claim->devs, n, claim->saved,
						IPOL_CLAIM_OVERRIDE) : -ENOMEM;
	if (ret) {
		ipol_claim_destroy(claim);
		mutex_unlock(&grp->lock);
		kobject_put(&grp->kobj);
		return ret;
	}

	/*
	 * The group's last device may have gone since ipol_domain_unlock():
	 * the notifier then marked the claim lost, and its reap found no
	 * quarantine to free yet.  Reap again once it is listed.
	 */
	mutex_lock(&ipol_claims_lock);
	list_add_tail(&claim->node, quarantine ? &ipol_quarantines : &file->claims);
	if (quarantine && claim->lost)
		queue_work(ipol_wq(), &ipol_reap_work);
	mutex_unlock(&ipol_claims_lock);
	pr_info("group %d: %s by pid %d (%s)\n", grp->id,
		quarantine ? "quarantined" : "claimed", claim->pid, claim->comm);
	claim->announced = true;
	ipol_nl_group_changed(grp->id, quarantine ? IOMMU_POLICY_CHANGE_QUARANTINED :
						    IOMMU_POLICY_CHANGE_CLAIMED, NULL);
	mutex_unlock(&grp->lock);
	return 0;

err_unlock:
	mutex_unlock(&grp->lock);
	if (claim->devs)
		ipol_put_devices(claim->devs, claim->ndevs);
	kfree(claim);
	kobject_put(&grp->kobj);
	return ret;
}

/*
 * The claim of group_id that @file may act on: its own, or any quarantine.
 * Returns it with grp->lock held and a group reference in *grpp, or an
 * ERR_PTR: -ENOENT no such group, -EINVAL not claimed, -EBUSY claimed by
 * another file.
 */
static struct ipol_claim *ipol_claim_get(struct ipol_file *file, u32 group_id,
					 struct ipol_group **grpp)
{
	struct ipol_claim *claim;
	struct ipol_group *grp;
	int ret = 0;

	grp = ipol_group_lookup(group_id);
	if (!grp)
		return ERR_PTR(-ENOENT);
	mutex_lock(&grp->lock);
	mutex_lock(&ipol_claims_lock);
	claim = grp->claim;
	if (!claim)
		ret = -EINVAL;
	else if (!claim->quarantine && claim->file != file)
		ret = -EBUSY;
	mutex_unlock(&ipol_claims_lock);
	if (ret) {
		mutex_unlock(&grp->lock);
		kobject_put(&grp->kobj);
		return ERR_PTR(ret);
	}
	*grpp = grp;
	return claim;
}

int ipol_claim_release(struct ipol_file *file, u32 group_id)
{
	struct ipol_claim *claim;
	struct ipol_group *grp;

	claim = ipol_claim_get(file, group_id, &grp);
	if (IS_ERR(claim))
		return PTR_ERR(claim);
	mutex_lock(&ipol_claims_lock);
	list_del(&claim->node);
	mutex_unlock(&ipol_claims_lock);
	ipol_claim_destroy(claim);
	mutex_unlock(&grp->lock);
	kobject_put(&grp->kobj);	/* ipol_claim_get() */
	kobject_put(&grp->kobj);	/* the claim's */
	return 0;
}

int ipol_claim_set_policy(struct ipol_file *file, u32 group_id,
			  enum iommu_policy_type policy)
{
	struct ipol_claim *claim;
	struct ipol_group *grp;
	int ret;

	claim = ipol_claim_get(file, group_id, &grp);
	if (IS_ERR(claim))
		return PTR_ERR(claim);
	ret = ipol_policy_capable(grp);
	if (!ret)
		ret = ipol_policy_set_locked(grp, policy, claim);
	mutex_unlock(&grp->lock);
	kobject_put(&grp->kobj);
	return ret;
}

/*
 * End every claim on @list (a file's claims, or the quarantines), one at a
 * time: each is taken off under ipol_claims_lock and ended under its group's
 * lock, which must not be taken inside ipol_claims_lock.
 */
static void ipol_claims_end_all(struct list_head *list)
{
	struct ipol_claim *claim;

	for (;;) {
		mutex_lock(&ipol_claims_lock);
		claim = list_first_entry_or_null(list, struct ipol_claim, node);
		if (claim)
			list_del(&claim->node);
		mutex_unlock(&ipol_claims_lock);
		if (!claim)
			break;
		ipol_claim_destroy_locked_group(claim);
	}
}

/* The file is closed: end its claims (not its quarantines). */
void ipol_file_release_claims(struct ipol_file *file)
{
	ipol_claims_end_all(&file->claims);
}

/*
 * End the quarantines (@lost_only: the lost ones), one at a time.  A listed
 * quarantine is still grp->claim, which RELEASE (ipol_claim_get()) reaches
 * under grp->lock alone: so it is taken off the list only under grp->lock and
 * ipol_claims_lock both, after checking that it is still the group's.  (It
 * was once moved to a list of the reaper's under ipol_claims_lock alone and
 * ended later: a RELEASE in between ended it as well, list_del corruption and
 * a double free.)  The group reference taken under ipol_claims_lock keeps grp
 * valid while the quarantine may be ended by someone else; a new lost
 * quarantine of the same group is ended as well.  The reaper and the unload
 * may run this at the same time.
 */
static void ipol_quarantines_end(bool lost_only)
{
	struct ipol_claim *claim;
	struct ipol_group *grp;

	for (;;) {
		grp = NULL;
		mutex_lock(&ipol_claims_lock);
		list_for_each_entry(claim, &ipol_quarantines, node) {
			if (!lost_only || claim->lost) {
				grp = claim->grp;
				kobject_get(&grp->kobj);
				break;
			}
		}
		mutex_unlock(&ipol_claims_lock);
		if (!grp)
			return;

		mutex_lock(&grp->lock);
		mutex_lock(&ipol_claims_lock);
		claim = grp->claim;
		if (claim && claim->quarantine && (!lost_only || claim->lost))
			list_del(&claim->node);
		else
			claim = NULL;
		mutex_unlock(&ipol_claims_lock);
		if (claim)
			ipol_claim_destroy(claim);
		mutex_unlock(&grp->lock);
		if (claim)
			kobject_put(&grp->kobj);	/* the claim's */
		kobject_put(&grp->kobj);		/* ours */
	}
}

static void ipol_reap_workfn(struct work_struct *work)
{
	ipol_quarantines_end(true);
}

/*
 * A driver was bound to or unbound from @dev: the owner of its group changed.
 * The notifier runs under the device's lock, which building the event needs
 * for other devices of the group: ipol_nl_group_changed() only queues it.
 */
static void ipol_report_binding(struct device *dev, bool bound)
{
	struct iommu_group *kgroup = iommu_group_get(dev);

	if (!kgroup)
		return;
	ipol_nl_group_changed(iommu_group_id(kgroup),
			      bound ? IOMMU_POLICY_CHANGE_DRIVER_BOUND :
				      IOMMU_POLICY_CHANGE_DRIVER_UNBOUND, dev);
	iommu_group_put(kgroup);
}

/*
 * A device is about to be deleted (BUS_NOTIFY_DEL_DEVICE: it is still in its
 * group, and no lock of ours is held by whoever deletes it).  If it is the
 * last device of a claimed group, give the kernel's ownership back now.
 * PCI removals are serialised by pci_rescan_remove_lock, so two members of
 * one group are not deleted at the same time.
 */
static int ipol_bus_notify(struct notifier_block *nb, unsigned long action,
			   void *data)
{
	struct device *dev = data;
	struct iommu_group *kgroup;
	struct ipol_claim *claim;
	struct ipol_group *grp;
	int count = 0;

	if (action == BUS_NOTIFY_BOUND_DRIVER || action == BUS_NOTIFY_UNBOUND_DRIVER) {
		ipol_report_binding(dev, action == BUS_NOTIFY_BOUND_DRIVER);
		return NOTIFY_DONE;
	}
	if (action != BUS_NOTIFY_DEL_DEVICE)
		return NOTIFY_DONE;
	/* The device is being deleted by this thread: its group is stable. */
	kgroup = iommu_group_get(dev);
	if (!kgroup)
		return NOTIFY_DONE;
	grp = ipol_group_lookup(iommu_group_id(kgroup));
	iommu_group_put(kgroup);
	if (!grp)
		return NOTIFY_DONE;

	mutex_lock(&ipol_claims_lock);
	claim = grp->claim;
	if (claim && !claim->lost) {
		iommu_group_for_each_dev(grp->kgroup, &count, ipol_count_dev);
		if (count <= 1) {
			if (claim->kernel_owned)
				iommu_group_release_dma_owner(grp->kgroup);
			claim->kernel_owned = false;
			claim->lost = true;
			pr_info("group %d: %s by pid %d (%s) ends: its last device %s is being removed\n",
				grp->id, ipol_claim_kind(claim), claim->pid,
				claim->comm, dev_name(dev));
			if (claim->quarantine)
				queue_work(ipol_wq(), &ipol_reap_work);
		}
	}
	mutex_unlock(&ipol_claims_lock);
	kobject_put(&grp->kobj);
	return NOTIFY_DONE;
}

static struct notifier_block ipol_pci_nb = { .notifier_call = ipol_bus_notify };
static struct notifier_block ipol_platform_nb = { .notifier_call = ipol_bus_notify };

int ipol_claims_init(void)
{
	int ret;

	ret = bus_register_notifier(&pci_bus_type, &ipol_pci_nb);
	if (ret)
		return ret;
	ret = bus_register_notifier(&platform_bus_type, &ipol_platform_nb);
	if (ret)
		bus_unregister_notifier(&pci_bus_type, &ipol_pci_nb);
	return ret;
}

/*
 * Module unload: no file is open any more; end every quarantine, while the
 * notifier still gives the kernel's ownership back when a quarantined
 * group's last device is removed meanwhile.  (The quarantines were once
 * ended after the notifier was gone: a PCI removal in between left an owned
 * group empty, and 7.3 WARNed in __iommu_group_free_device(); seen in a
 * 30-minute soak.)  No claim is taken after this, so none is lost after
 * the notifier goes; a reap it queued finds nothing left.
 */
void ipol_claims_exit(void)
{
	ipol_quarantines_end(false);
	bus_unregister_notifier(&platform_bus_type, &ipol_platform_nb);
	bus_unregister_notifier(&pci_bus_type, &ipol_pci_nb);
	cancel_work_sync(&ipol_reap_work);
}
