// SPDX-License-Identifier: GPL-2.0
/*
 * Changing a group's DMA-API policy, and who owns a group.
 *
 * The kernel's iommu_groups/<id>/type file does the change itself; this file
 * adds what the kernel leaves out:
 *
 *  - an untrusted device's group stays strict on every kernel (6.12's
 *    strict -> lazy shortcut does not check it);
 *  - a change that replaces the default domain first takes DMA ownership of
 *    the group (iommu_group_claim_dma_owner(), which fails while a DMA-API
 *    driver is bound or another party owns the group, and makes every later
 *    DMA-API probe fail), then sets driver_override on every member so that
 *    no driver at all can bind, then gives ownership back and writes the
 *    type: the kernel refuses the write while the group is owned, and the
 *    override closes that window;
 *  - every refusal says why, in last_error and once in the kernel log.
 *
 * Locking: grp->lock is held for the whole change.  Under it we take each
 * member's device lock in turn, never two at once (driver_set_override()),
 * and never under ipol_domain_lock(), which is held around every domain
 * change we cause (the order and why: at ipol_domain_lock()); the kernel
 * takes its group->mutex (claim, release, the type write, on 6.1 after the
 * device lock).  Nothing that holds a device lock or the kernel's
 * group->mutex ever waits for grp->lock: it is taken only from process
 * context holding no lock (the sysfs store, the character device, closing
 * it, reaping lost quarantines, module unload).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/utsname.h>

#include "compat.h"
#include "iommu_policy.h"

/* Why a bound driver-managed driver blocks a change, on kernels where it does. */
#define IPOL_UNBOUND_ONLY_WHY \
	(IPOL_TYPE_STORE_SINGLETON_ONLY ? \
	 "this kernel changes only groups without a driver; unbind first" : NULL)

/* The driver_override every member gets while its group changes policy. */
#define IPOL_CHANGE_OVERRIDE	"iommu_policy:changing"

/**
 * ipol_set_last_error - record why a change of the group was refused
 * @grp: the group
 * @brief: a static string, under 80 characters, for the extended ACK of a
 *	netlink request: the kernel copies it after the handler returned
 * @fmt: the full reason, for last_error and the kernel log
 *
 * Called with grp->lock held, so that a netlink request, which holds it
 * across its change, can tell whether the reason is its own.
 */
void ipol_set_last_error(struct ipol_group *grp, const char *brief,
			 const char *fmt, ...)
{
	char reason[IPOL_REASON_MAX];
	va_list args;

	lockdep_assert_held(&grp->lock);
	va_start(args, fmt);
	vsnprintf(reason, sizeof(reason), fmt, args);
	va_end(args);

	spin_lock(&grp->error_lock);
	strscpy(grp->last_error, reason, sizeof(grp->last_error));
	grp->last_brief = brief;
	grp->error_seq++;
	spin_unlock(&grp->error_lock);
	pr_info_ratelimited("group %d: %s\n", grp->id, reason);
	ipol_nl_change_refused(grp->id, reason);
}

/*
 * Copy last_error into @buf (if not NULL) and return its short form for a
 * netlink extended ACK, a static string, or NULL when there is none.
 */
const char *ipol_last_error_get(struct ipol_group *grp, char *buf, size_t size)
{
	const char *brief;

	spin_lock(&grp->error_lock);
	if (buf)
		strscpy(buf, grp->last_error, size);
	brief = grp->last_brief;
	spin_unlock(&grp->error_lock);
	return brief;
}

/* Changes whenever a reason is recorded: did this attempt record one? */
unsigned int ipol_last_error_seq(struct ipol_group *grp)
{
	unsigned int seq;

	spin_lock(&grp->error_lock);
	seq = grp->error_seq;
	spin_unlock(&grp->error_lock);
	return seq;
}

static void ipol_clear_last_error(struct ipol_group *grp)
{
	spin_lock(&grp->error_lock);
	strscpy(grp->last_error, "none", sizeof(grp->last_error));
	grp->last_brief = NULL;
	spin_unlock(&grp->error_lock);
}

/* Accepts our names and the kernel's DMA and DMA-FQ; -EINVAL for anything else. */
int ipol_policy_parse(const char *buf, enum iommu_policy_type *policy)
{
	static const struct {
		const char *name;
		enum iommu_policy_type policy;
	} names[] = {
		{ "identity",	IOMMU_POLICY_IDENTITY },
		{ "strict",	IOMMU_POLICY_STRICT },
		{ "lazy",	IOMMU_POLICY_LAZY },
		{ "auto",	IOMMU_POLICY_AUTO },
		{ "DMA",	IOMMU_POLICY_STRICT },
		{ "DMA-FQ",	IOMMU_POLICY_LAZY },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		if (sysfs_streq(buf, names[i].name)) {
			*policy = names[i].policy;
			return 0;
		}
	}
	return -EINVAL;
}

/* --- who owns the group --------------------------------------------------- */

/*
 * What the drivers of a group's devices say about its ownership.  Read under
 * the kernel's group->mutex (iommu_group_for_each_dev()): probe and remove
 * serialise on that mutex after setting or clearing dev->driver, so a read
 * that races with them may see the previous driver but never a wrong one,
 * and a DMA-API driver cannot finish unbinding (and go away) while we look.
 */
struct ipol_owner_scan {
	char *buf;		/* "dev=driver ..." of every bound device */
	size_t size, len;
	int dma_api;		/* bound DMA-API drivers */
	int managed;		/* bound driver_managed_dma drivers */
	int devices;
	struct device *first_dma_api;
};

static int ipol_owner_scan_dev(struct device *dev, void *data)
{
	struct ipol_owner_scan *scan = data;
	struct device_driver *drv = READ_ONCE(dev->driver);

	scan->devices++;
	if (!drv)
		return 0;
	if (ipol_driver_managed_dma(dev, drv)) {
		scan->managed++;
	} else {
		if (!scan->dma_api)
			scan->first_dma_api = dev;
		scan->dma_api++;
	}
	if (scan->buf && scan->len < scan->size)
		scan->len += scnprintf(scan->buf + scan->len, scan->size - scan->len,
				       "%s%s=%s", scan->len ? " " : "",
				       dev_name(dev), drv->name);
	return 0;
}

static void ipol_owner_scan(struct ipol_group *grp, struct ipol_owner_scan *scan,
			    char *buf, size_t size)
{
	memset(scan, 0, sizeof(*scan));
	scan->buf = buf;
	scan->size = size;
	if (buf && size)
		buf[0] = '\0';
	iommu_group_for_each_dev(grp->kgroup, scan, ipol_owner_scan_dev);
}

/**
 * ipol_owner_get - who owns the group now
 * @grp: the group
 * @info: the owner; pid, comm and since for a claim or quarantine
 * @drivers: if not NULL, "dev=driver ..." of every bound device
 * @size: size of @drivers
 */
void ipol_owner_get(struct ipol_group *grp, struct ipol_owner_info *info,
		    char *drivers, size_t size)
{
	struct ipol_owner_scan scan;
	struct ipol_claim *claim;

	memset(info, 0, sizeof(*info));
	mutex_lock(&ipol_claims_lock);
	claim = grp->claim;
	if (claim) {
		info->owner = claim->quarantine ? IOMMU_POLICY_OWNER_QUARANTINED :
						  IOMMU_POLICY_OWNER_CLAIMED;
		info->pid = claim->pid;
		strscpy(info->comm, claim->comm, sizeof(info->comm));
		info->since = claim->since;
	}
	mutex_unlock(&ipol_claims_lock);

	ipol_owner_scan(grp, &scan, drivers, size);
	if (claim)
		return;
	if (scan.dma_api)
		info->owner = IOMMU_POLICY_OWNER_DMA_API;
	else if (iommu_group_dma_owner_claimed(grp->kgroup))
		/* Owned, but not through a bound DMA-API driver: vfio, iommufd... */
		info->owner = IOMMU_POLICY_OWNER_CLAIMED_EXTERNAL;
	else if (scan.managed)
		info->owner = IOMMU_POLICY_OWNER_DRIVER_MANAGED;
	else
		info->owner = IOMMU_POLICY_OWNER_NONE;
}

struct ipol_driver_names {
	struct device **devs;
	int n;
	struct ipol_driver_name *names;
};

static int ipol_driver_name_dev(struct device *dev, void *data)
{
	struct ipol_driver_names *dn = data;
	struct device_driver *drv = READ_ONCE(dev->driver);
	int i;

	for (i = 0; drv && i < dn->n; i++)
		if (dn->devs[i] == dev)
			strscpy(dn->names[i].name, drv->name, sizeof(dn->names[i].name));
	return 0;
}

/**
 * ipol_driver_names - the drivers bound to some of the group's devices
 * @grp: the group
 * @devs: devices of the group (ipol_group_devices())
 * @n: how many
 * @names: zeroed; names[i] becomes the driver of devs[i], "" for none
 *
 * Read under the kernel's group->mutex, as in ipol_owner_scan().
 */
void ipol_driver_names(struct ipol_group *grp, struct device **devs, int n,
		       struct ipol_driver_name *names)
{
	struct ipol_driver_names dn = { .devs = devs, .n = n, .names = names };

	iommu_group_for_each_dev(grp->kgroup, &dn, ipol_driver_name_dev);
}

ssize_t ipol_owner_show(struct ipol_group *grp, char *buf)
{
	struct ipol_owner_info info;
	char *drivers;
	ssize_t len;

	drivers = kmalloc(PAGE_SIZE / 2, GFP_KERNEL);
	if (!drivers)
		return -ENOMEM;
	ipol_owner_get(grp, &info, drivers, PAGE_SIZE / 2);
	switch (info.owner) {
	case IOMMU_POLICY_OWNER_CLAIMED:
	case IOMMU_POLICY_OWNER_QUARANTINED:
		len = sysfs_emit(buf, "%s pid=%d comm=%s since=%lld\n",
				 ipol_owner_name(info.owner), info.pid, info.comm,
				 (long long)info.since);
		break;
	default:
		len = sysfs_emit(buf, "%s%s%s\n", ipol_owner_name(info.owner),
				 drivers[0] ? " " : "", drivers);
		break;
	}
	kfree(drivers);
	return len;
}

/* --- mandatory policy ------------------------------------------------------ */

struct device *ipol_find_untrusted(struct device **devs, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (dev_is_pci(devs[i]) && to_pci_dev(devs[i])->untrusted)
			return devs[i];
	return NULL;
}

/* Strict when the group has an untrusted device, else UNKNOWN (none). */
enum iommu_policy_type ipol_mandatory(struct ipol_group *grp)
{
	struct device **devs;
	struct device *untrusted;
	int n;

	n = ipol_group_devices(grp, &devs);
	if (n < 0)
		return IOMMU_POLICY_UNKNOWN;
	untrusted = ipol_find_untrusted(devs, n);
	ipol_put_devices(devs, n);
	return untrusted ? IOMMU_POLICY_STRICT : IOMMU_POLICY_UNKNOWN;
}

ssize_t ipol_mandatory_show(struct ipol_group *grp, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  ipol_mandatory(grp) == IOMMU_POLICY_STRICT ? "strict" : "none");
}

/* --- keeping drivers off the group during a change --------------------------- */

/*
 * Set driver_override on every member to @override, a name no driver has,
 * keeping the old values.  Takes each device's lock (or override spinlock)
 * in turn, never two at once.
 */
int ipol_block_drivers(struct ipol_group *grp, struct device **devs, int n,
		       struct ipol_saved_override *saved, const char *override)
{
	int i, ret;

	for (i = 0; i < n; i++) {
		ret = ipol_get_driver_override(devs[i], saved[i].name,
					       sizeof(saved[i].name));
		if (ret == -EOPNOTSUPP)
			ipol_set_last_error(grp,
					    "a device's bus has no driver_override; drivers cannot be kept off",
					    "cannot keep drivers off %s (bus %s has no driver_override) during the change",
					    dev_name(devs[i]), devs[i]->bus->name);
		else if (ret)
			ipol_set_last_error(grp,
					    "a device's driver_override is too long to restore",
					    "cannot keep drivers off %s: its driver_override is too long to restore",
					    dev_name(devs[i]));
		if (ret)
			return ret == -E2BIG ? -EOPNOTSUPP : ret;
		ret = ipol_set_driver_override(devs[i], override);
		if (ret)
			return ret;
		saved[i].saved = true;
	}
	return 0;
}

void ipol_unblock_drivers(struct device **devs, int n,
			  struct ipol_saved_override *saved)
{
	int i;

	for (i = 0; saved && i < n && saved[i].saved; i++)
		if (ipol_set_driver_override(devs[i], saved[i].name))
			dev_warn(devs[i], "iommu_policy: cannot restore driver_override '%s'\n",
				 saved[i].name);
}

/* --- taking the kernel's DMA ownership --------------------------------------------- */

int ipol_count_dev(struct device *dev, void *data)
{
	(*(int *)data)++;
	return 0;
}

/*
 * Every change of a group's domain that we cause (taking and giving back the
 * kernel's DMA ownership, a type write that replaces the domain) runs under
 * pci_lock_rescan_remove(), which every PCI removal holds:
 *  - the kernel's claim dereferences the group's first device, and must not
 *    see a group that lost its last device a moment ago;
 *  - the kernel warns when an owned group becomes empty;
 *  - 6.1 releases a removed device from its IOMMU (intel_iommu_release_device())
 *    without the group's mutex, and crashes if a domain change of the group
 *    runs at the same time;
 *  - 6.4+ (6.12, 7.3) free the group's default domain and set it NULL when
 *    its last device goes (iommu_deinit_device()), and the type write checks
 *    it for NULL before taking the group's mutex but not after: a write of
 *    DMA-FQ then dereferences NULL (KASAN null-ptr-deref in
 *    iommu_group_store_type(), stress-debug on 6.12 through the kernel's own
 *    type file).
 *
 * No device lock is waited for under it.  The kernel takes the two in both
 * orders: every PCI removal takes this, then the device's lock (releasing
 * its driver); sriov_numvfs_store() takes the PF's device lock, then this,
 * around the driver's sriov_configure (Debian's 6.1, 6.12 and 7.3; some
 * stable kernels took it in sriov_add_vfs() and sriov_del_vfs() instead,
 * under the PF's lock too).  A change that waited here for a member's
 * device lock could wait for a PF whose VFs are being created while that
 * PF's writer waits for us.  So:
 *  - driver_override is set before this is taken and restored after it is
 *    let go (ipol_block_drivers(): on 6.1 each member's device lock in
 *    turn; 6.12, by Debian's backport, and 7.x keep it under a spinlock);
 *  - 6.12 and 7.x take only the group's mutex in the type write, the claim
 *    and the release;
 *  - 6.1's type write takes the device's lock, under this, for a group that
 *    is replaced only without a driver (checked before, and driver_override
 *    keeps one from binding): a writer of such a PF's sriov_numvfs finds no
 *    driver and returns without taking this.  Its in-place strict -> lazy,
 *    the one change of a group with a bound driver, runs without this (it
 *    keeps the domain, and 6.1 keeps a group's default domain until the
 *    group is freed: nothing for a removal to race); 6.12's and 7.x's, with
 *    the group's mutex only, run under this (ipol_switch_in_place()).
 * Lock order, then: grp->lock -> this -> ipol_claims_lock -> the kernel's
 * group->mutex; grp->lock -> this -> (6.1's type write) the device lock of
 * a device without a driver -> group->mutex; and, apart, grp->lock -> one
 * device lock at a time.  Platform devices with IOMMU
 * groups are not removed at run time on the architectures we build for.
 *
 * Not covered: a PF driver that disables SR-IOV in its remove (vfio-pci, on
 * an unbind of the PF) removes the VFs under the PF's device lock but
 * without this (6.12, 7.3; sriov_numvfs_store() takes it).  A claim or
 * change of a VF's group at that moment is not serialised against the VF's
 * removal: the empty check above can pass just before the group empties.
 * The PF's device lock would serialise it, but cannot be taken outside this
 * either (a removal of the PF takes this, then the PF's lock); the kernel
 * would have to take this in pci_disable_sriov() or check for an empty
 * group under its own mutex.
 */
void ipol_domain_lock(void)
{
	pci_lock_rescan_remove();
}

void ipol_domain_unlock(void)
{
	pci_unlock_rescan_remove();
}

/* Has the kernel's group lost its last device?  (Under ipol_domain_lock().) */
static bool ipol_group_empty(struct ipol_group *grp)
{
	int count = 0;

	iommu_group_for_each_dev(grp->kgroup, &count, ipol_count_dev);
	return !count;
}

/**
 * ipol_kernel_claim - take the kernel's DMA ownership of a group
 * @grp: the group
 * @owner: the owner cookie the kernel keeps
 *
 * The kernel's claim assumes the group has a device, and a group we still
 * list may have lost its last device a moment ago; the caller holds
 * ipol_domain_lock() across this check and the claim.  Returns 0, -ENODEV
 * for an empty group, or the kernel's error.
 */
int ipol_kernel_claim(struct ipol_group *grp, void *owner)
{
	if (ipol_group_empty(grp))
		return -ENODEV;
	return iommu_group_claim_dma_owner(grp->kgroup, owner);
}

/*
 * Is the group free for a policy change: it has a device, and the kernel
 * counts no owner (no DMA-API driver bound, no vfio, iommufd or claim)?
 * Returns 0, -ENODEV for an empty group or -EBUSY.  The kernel's own counter,
 * read without attaching anything (a claim and its release would attach the
 * blocking domain and the default domain again, and the release must not
 * fail).  The caller holds ipol_domain_lock() and has blocked the members'
 * drivers, so no device leaves and no driver binds until the type write;
 * an owner that claims meanwhile (vfio, iommufd) is refused by the write
 * itself: 6.4+ check owner_cnt under the group's mutex, 6.1 refuses a group
 * whose domain is not its default one.
 */
static int ipol_group_free(struct ipol_group *grp)
{
	if (ipol_group_empty(grp))
		return -ENODEV;
	return iommu_group_dma_owner_claimed(grp->kgroup) ? -EBUSY : 0;
}

/* --- the change itself -------------------------------------------------------- */

/* Is any driver, DMA-API or driver-managed, bound in the group? */
bool ipol_group_has_driver(struct ipol_group *grp)
{
	struct ipol_owner_scan scan;

	ipol_owner_scan(grp, &scan, NULL, 0);
	return scan.dma_api || scan.managed;
}

/*
 * Why the group cannot be owned now, for last_error; returns -EBUSY.
 * @managed_why: why a bound driver-managed driver (vfio-pci, pci-stub) is
 * in the way for this caller, or NULL if it is not.
 */
int ipol_refuse_owned(struct ipol_group *grp, const char *what,
		      const char *managed_why)
{
	struct ipol_owner_scan scan;
	char drivers[IPOL_REASON_MAX - 64];

	ipol_owner_scan(grp, &scan, drivers, sizeof(drivers));
	if (scan.dma_api)
		ipol_set_last_error(grp,
				    "the group is bound to DMA-API drivers; unbind them first",
				    "%s refused: bound to DMA-API drivers (%s); unbind them first",
				    what, drivers);
	else if (scan.managed && managed_why)
		ipol_set_last_error(grp,
				    "the group is bound to a driver this kernel does not switch under",
				    "%s refused: bound (%s) and %s",
				    what, drivers, managed_why);
	else
		ipol_set_last_error(grp,
				    "another owner (vfio or iommufd) holds the group; release it first",
				    "%s refused: another owner (vfio or iommufd user) holds the group; release it first",
				    what);
	return -EBUSY;
}

/*
 * Replace the default domain: own the group, keep drivers off it, let the
 * kernel switch, give everything back.  Called with grp->lock held.
 */
static int ipol_switch_owned(struct ipol_group *grp, struct device **devs, int n,
			     enum iommu_policy_type target)
{
	const char *name = ipol_policy_name(target);
	struct ipol_saved_override *saved;
	struct ipol_owner_scan scan;
	bool other_owner = false;
	int ret;

	ipol_owner_scan(grp, &scan, NULL, 0);
	if (scan.dma_api || (IPOL_TYPE_STORE_SINGLETON_ONLY && scan.managed))
		return ipol_refuse_owned(grp, name, IPOL_UNBOUND_ONLY_WHY);

	/*
	 * driver_override first, before ipol_domain_lock() (see there): from
	 * then on no driver at all can bind.  Under the lock, the kernel's
	 * owner count says whether the group is free (ipol_group_free()) and
	 * from then until the switch is done no PCI device can leave the
	 * group: 6.1 releases a removed device without the group's mutex,
	 * racing with any domain change.
	 */
	saved = kcalloc(n, sizeof(*saved), GFP_KERNEL);
	if (!saved)
		return -ENOMEM;
	ret = ipol_block_drivers(grp, devs, n, saved, IPOL_CHANGE_OVERRIDE);
	if (!ret) {
		ipol_domain_lock();
		ret = ipol_group_free(grp);
		if (!ret)
			ret = ipol_kernel_type_write(grp->id, target);
		else if (ret != -ENODEV)
			other_owner = true;
		ipol_domain_unlock();
	}
	ipol_unblock_drivers(devs, n, saved);
	kfree(saved);
	/* Someone else owns it (vfio, iommufd), or a driver bound: last_error says who. */
	if (other_owner)
		return ipol_refuse_owned(grp, name, IPOL_UNBOUND_ONLY_WHY);

	/* The kernel's answer to the type write. */
	switch (ret) {
	case 0:
	case -ENODEV:		/* the group is gone */
	case -EOPNOTSUPP:	/* last_error already says why */
		break;
	case -EBUSY:
	case -EPERM:
		ipol_set_last_error(grp,
				    "the group gained an owner during the change; try again",
				    "%s refused by the kernel: the group gained an owner during the change; try again",
				    name);
		ret = -EBUSY;
		break;
	case -EINVAL:
		ipol_set_last_error(grp,
				    "a device in the group requires another domain type",
				    "%s refused by the kernel: a device in the group requires another domain type (see the kernel log)",
				    name);
		ret = -EOPNOTSUPP;
		break;
	default:
		ipol_set_last_error(grp,
				    "the kernel failed the change",
				    "%s failed: error %d from the kernel", name, ret);
		break;
	}
	return ret;
}

/*
 * strict -> lazy: the kernel starts a flush queue in the group's domain,
 * drivers bound or not.  Under ipol_domain_lock() on 6.4+, where a removal
 * of the last device would leave the write a NULL default domain; not on
 * 6.1, whose write takes the device's lock (see ipol_domain_lock()).
 */
static int ipol_switch_in_place(struct ipol_group *grp, enum iommu_policy_type target)
{
	int ret;

	if (IPOL_TYPE_STORE_SINGLETON_ONLY) {
		ret = ipol_kernel_type_write(grp->id, target);
	} else {
		ipol_domain_lock();
		ret = ipol_group_empty(grp) ? -ENODEV :
			ipol_kernel_type_write(grp->id, target);
		ipol_domain_unlock();
	}
	if (ret && ret != -ENODEV)
		ipol_set_last_error(grp,
				    "the kernel failed the change",
				    "%s failed: error %d from the kernel",
				    ipol_policy_name(target), ret);
	return ret;
}

/*
 * The claim holder changes its group's policy: it already owns the group and
 * the members' driver_override is set, so nothing can bind while the kernel
 * switches.  Give the kernel's ownership back for the write (the kernel
 * refuses to switch an owned group) and take it again.
 */
static int ipol_switch_claimed(struct ipol_group *grp, struct ipol_claim *holder,
			       enum iommu_policy_type target)
{
	const char *name = ipol_policy_name(target);
	int ret, reclaim;

	ipol_domain_lock();
	mutex_lock(&ipol_claims_lock);
	if (holder->kernel_owned)
		iommu_group_release_dma_owner(grp->kgroup);
	holder->kernel_owned = false;
	mutex_unlock(&ipol_claims_lock);

	ret = ipol_kernel_type_write(grp->id, target);

	mutex_lock(&ipol_claims_lock);
	reclaim = holder->lost ? -ENODEV : ipol_kernel_claim(grp, holder);
	holder->kernel_owned = !reclaim;
	mutex_unlock(&ipol_claims_lock);
	ipol_domain_unlock();
	if (reclaim && !holder->lost)
		pr_warn("group %d: the claim by pid %d (%s) could not be taken again after the change: %d\n",
			grp->id, holder->pid, holder->comm, reclaim);

	if (ret == -EINVAL) {
		ipol_set_last_error(grp,
				    "a device in the group requires another domain type",
				    "%s refused by the kernel: a device in the group requires another domain type (see the kernel log)",
				    name);
		ret = -EOPNOTSUPP;
	} else if (ret) {
		ipol_set_last_error(grp,
				    "the kernel failed the change",
				    "%s failed: error %d from the kernel", name, ret);
	}
	return ret;
}

/**
 * ipol_policy_set_locked - change a group's policy (iommu_policy(4))
 * @grp: the group, with grp->lock held
 * @target: identity, strict, lazy or auto
 * @holder: the claim of the caller (SET_POLICY), or NULL (the policy file)
 *
 * The caller checked the capabilities.  Returns 0 (also when the group already
 * has @target) or a negative errno, with the reason in last_error.
 */
int ipol_policy_set_locked(struct ipol_group *grp, enum iommu_policy_type target,
			   struct ipol_claim *holder)
{
	const char *name = ipol_policy_name(target);
	enum iommu_policy_type cur;
	struct device **devs;
	struct device *untrusted;
	char who[64] = "";
	int n, ret;

	lockdep_assert_held(&grp->lock);

	mutex_lock(&ipol_claims_lock);
	if (grp->claim && grp->claim != holder)
		ipol_claim_describe(grp->claim, who, sizeof(who));
	mutex_unlock(&ipol_claims_lock);
	if (who[0]) {
		ipol_set_last_error(grp,
				    "the group is claimed or quarantined; release it first",
				    "%s refused: the group is %s; release it first",
				    name, who);
		return -EBUSY;
	}

	n = ipol_group_devices(grp, &devs);
	if (n <= 0)
		return n ?: -ENODEV;
	ret = ipol_kernel_type_read(grp->id, &cur, NULL, 0);
	if (ret)
		goto out_put;

	if (target == cur)
		goto out_put;	/* nothing to do, nothing to log */

	untrusted = ipol_find_untrusted(devs, n);
	if (untrusted && (target == IOMMU_POLICY_IDENTITY ||
			  target == IOMMU_POLICY_LAZY)) {
		ipol_set_last_error(grp,
				    "an untrusted device is in the group; it must stay strict",
				    "%s refused: %s is untrusted, its group must stay strict",
				    name, dev_name(untrusted));
		ret = -EPERM;
		goto out_put;
	}

	if (IPOL_TYPE_STORE_SINGLETON_ONLY && n > 1) {
		/* Checked by the kernel before anything else, in-place too. */
		ipol_set_last_error(grp,
				    "this kernel (before 6.4) changes only groups with one device",
				    "%s refused: kernel %s changes only groups with one device, this one has %d",
				    name, init_utsname()->release, n);
		ret = -EOPNOTSUPP;
	} else if (!holder && cur == IOMMU_POLICY_STRICT && target == IOMMU_POLICY_LAZY) {
		ret = ipol_switch_in_place(grp, target);
	} else if (holder) {
		ret = ipol_switch_claimed(grp, holder, target);
	} else {
		ret = ipol_switch_owned(grp, devs, n, target);
	}

	if (!ret) {
		enum iommu_policy_type now = IOMMU_POLICY_UNKNOWN;

		ipol_kernel_type_read(grp->id, &now, NULL, 0);
		ipol_clear_last_error(grp);
		pr_info("group %d: policy %s -> %s%s%s\n", grp->id,
			ipol_policy_name(cur), ipol_policy_name(now),
			target == IOMMU_POLICY_AUTO ? " (auto)" : "",
			holder ? " (claim holder)" : "");
		ipol_nl_policy_changed(grp->id, cur);
	}
out_put:
	ipol_put_devices(devs, n);
	return ret;
}

/* Capability check shared by every writer, like the kernel's type file. */
int ipol_policy_capable(struct ipol_group *grp)
{
	if (capable(CAP_SYS_ADMIN) && capable(CAP_SYS_RAWIO))
		return 0;
	ipol_set_last_error(grp,
			    "changing the policy needs CAP_SYS_ADMIN and CAP_SYS_RAWIO",
			    "refused: changing the policy needs CAP_SYS_ADMIN and CAP_SYS_RAWIO");
	return -EACCES;
}
