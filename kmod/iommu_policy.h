/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu_policy: internal interfaces between the module's files.
 */
#ifndef IOMMU_POLICY_INTERNAL_H
#define IOMMU_POLICY_INTERNAL_H

#include <linux/kobject.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/iommu_policy.h>
#include <linux/iommu_policy_netlink.h>

#include <linux/sched.h>
#include <linux/types.h>

struct device;
struct iommu_group;
struct ipol_claim;
struct ipol_dev_stats;
struct ipol_group_stats;
struct sk_buff;

/* Longest link name: a device name plus a ".<n>" suffix on collision. */
#define IPOL_LINK_NAME_MAX	64
/* Longest reason kept in last_error. */
#define IPOL_REASON_MAX		192
/* A bound driver's name ("" for none); the kernel's are much shorter. */
struct ipol_driver_name {
	char name[48];
};

/* A device in a mirrored group; see the lifetime notes in groups.c. */
struct ipol_member {
	struct list_head node;		/* in ipol_group.members */
	struct device *dev;		/* reference held */
	unsigned long generation;	/* last reconcile that saw it */
	struct ipol_dev_stats *stats;	/* its counters (stats.c) */
	char link_name[IPOL_LINK_NAME_MAX];
};

/*
 * One mirrored IOMMU group, /sys/kernel/iommu_policy/groups/<id>.
 *
 * Lock order (outermost first; why, at ipol_domain_lock() in policy.c):
 *   grp->lock -> device_lock(member), one at a time, never under
 *   ipol_domain_lock()
 *   grp->lock -> ipol_domain_lock() -> ipol_claims_lock -> group->mutex
 *   grp->lock -> ipol_domain_lock() -> (6.1's type write) the device lock
 *   of a device that has no driver and can get none -> group->mutex
 *   grp->lock -> ipol_groups_lock (ipol_group_devices()); the reconcile holds
 *   ipol_groups_lock alone.
 *   grp->error_lock is a leaf.
 */
struct ipol_group {
	struct kobject kobj;		/* groups/<id> */
	struct kobject *devices_kobj;	/* groups/<id>/devices */
	int id;				/* the kernel's group id */
	/*
	 * The kernel's group, referenced for as long as we mirror it, so
	 * that its id cannot be given to another group meanwhile.
	 */
	struct iommu_group *kgroup;
	struct list_head members;	/* struct ipol_member, ipol_groups_lock */
	struct ipol_group_stats *stats;	/* counters, freed after an RCU grace period */
	struct list_head destroy_node;	/* unlisted, awaiting ipol_group_destroy() */

	/* Serialises policy changes and claims of this group. */
	struct mutex lock;
	struct ipol_claim *claim;	/* ipol_claims_lock, set with lock held */

	spinlock_t error_lock;		/* protects last_error, last_brief, error_seq */
	char last_error[IPOL_REASON_MAX];
	const char *last_brief;		/* static; NULL when last_error is "none" */
	unsigned int error_seq;		/* counts ipol_set_last_error() calls */
};

/* An open /dev/iommu_policy. */
struct ipol_file {
	struct list_head claims;	/* struct ipol_claim.node, ipol_claims_lock */
};

/* A member's driver_override from before we changed it. */
struct ipol_saved_override {
	char name[64];
	bool saved;
};

/* A claim or quarantine of a group (claim.c). */
struct ipol_claim {
	struct ipol_group *grp;		/* kobject reference */
	struct ipol_file *file;		/* the holder; NULL for a quarantine */
	struct list_head node;		/* file->claims or the quarantine list */
	pid_t pid;
	char comm[TASK_COMM_LEN];
	time64_t since;			/* CLOCK_REALTIME seconds */
	bool quarantine;
	bool kernel_owned;		/* we hold the kernel's DMA ownership */
	bool lost;			/* the group's last device went away */
	bool announced;			/* listeners were told it began */
	struct device **devs;		/* members with our driver_override */
	int ndevs;
	struct ipol_saved_override *saved;
};

/* What groups/<id>/owner and GROUP_INFO report. */
struct ipol_owner_info {
	enum iommu_policy_owner owner;
	pid_t pid;
	char comm[TASK_COMM_LEN];
	time64_t since;
};

/* main.c: /sys/kernel/iommu_policy */
extern struct kobject *ipol_root_kobj;

/* groups.c: /sys/kernel/iommu_policy/groups */
int ipol_groups_init(void);
void ipol_groups_exit(void);
int ipol_group_devices(struct ipol_group *grp, struct device ***devs);
void ipol_put_devices(struct device **devs, int n);
struct ipol_group *ipol_group_lookup(u32 id);
struct ipol_group *ipol_group_next(u32 *id);

/* policy.c: reading and changing a group's policy, ownership */
int ipol_policy_parse(const char *buf, enum iommu_policy_type *policy);
int ipol_policy_set_locked(struct ipol_group *grp, enum iommu_policy_type target,
			   struct ipol_claim *holder);
int ipol_policy_capable(struct ipol_group *grp);
void ipol_owner_get(struct ipol_group *grp, struct ipol_owner_info *info,
		    char *drivers, size_t size);
ssize_t ipol_owner_show(struct ipol_group *grp, char *buf);
ssize_t ipol_mandatory_show(struct ipol_group *grp, char *buf);
enum iommu_policy_type ipol_mandatory(struct ipol_group *grp);
const char *ipol_last_error_get(struct ipol_group *grp, char *buf, size_t size);
unsigned int ipol_last_error_seq(struct ipol_group *grp);
void ipol_driver_names(struct ipol_group *grp, struct device **devs, int n,
		       struct ipol_driver_name *names);
struct device *ipol_find_untrusted(struct device **devs, int n);
int ipol_refuse_owned(struct ipol_group *grp, const char *what,
		      const char *managed_why);
bool ipol_group_has_driver(struct ipol_group *grp);
int ipol_count_dev(struct device *dev, void *data);
void ipol_domain_lock(void);
void ipol_domain_unlock(void);
int ipol_kernel_claim(struct ipol_group *grp, void *owner);
int ipol_block_drivers(struct ipol_group *grp, struct device **devs, int n,
		       struct ipol_saved_override *saved, const char *override);
void ipol_unblock_drivers(struct device **devs, int n,
			  struct ipol_saved_override *saved);

/* claim.c: claims and quarantines */
extern struct mutex ipol_claims_lock;
int ipol_claims_init(void);
void ipol_claims_exit(void);
int ipol_claim_create(struct ipol_file *file, u32 group_id, bool quarantine);
int ipol_claim_release(struct ipol_file *file, u32 group_id);
int ipol_claim_set_policy(struct ipol_file *file, u32 group_id,
			  enum iommu_policy_type policy);
void ipol_file_release_claims(struct ipol_file *file);
int ipol_claim_describe(struct ipol_claim *claim, char *buf, size_t size);

/* stats.c: fault and DMA counters */
#define IPOL_DEV_ID_NONE	U32_MAX

/* The counters (counter_defs.h), by their index in struct ipol_sum.count[]. */
enum {
#define IPOL_COUNTER(_NAME, ...)	IPOL_C_##_NAME,
#include "counter_defs.h"
	IPOL_NR_COUNTERS
};

enum ipol_counter_scope {
	IPOL_SCOPE_DEV,
	IPOL_SCOPE_DMA,
	IPOL_SCOPE_MODULE,
};

/* What counter_defs.h says of a counter: ipol_counters[IPOL_C_<NAME>]. */
struct ipol_counter {
	const char *name;		/* its stats/ file */
	int nl_type;			/* IOMMU_POLICY_A_COUNTERS_<NAME> */
	enum ipol_counter_scope scope;
	size_t pcpu;			/* offset in struct ipol_pcpu (stats.c); 0: CALC */
};

extern const struct ipol_counter ipol_counters[IPOL_NR_COUNTERS];

/* DMA accounting: whether the DMA and IOMMU map counters count, and who wants it. */
struct ipol_dma_acct {
	bool enabled;
	bool pinned;
	unsigned int clients;
	u64 since_ns;			/* CLOCK_REALTIME when last enabled; 0: never */
};

/* Counters since the last reset, summed over CPUs. */
struct ipol_sum {
	u64 count[IPOL_NR_COUNTERS];	/* IPOL_C_<NAME> */
	u64 last_ns, last_iova;		/* last_ns 0: no fault */
	u32 last_dev;			/* a PCI address, or IPOL_DEV_ID_NONE */
	u64 reset_ns;			/* 0: never reset */
	struct ipol_dma_acct dma_acct;	/* when the sum was read */
};

int ipol_stats_init(void);
int ipol_stats_start(void);
void ipol_stats_stop(void);
void ipol_stats_exit(void);
struct ipol_group_stats *ipol_group_stats_alloc(void);
void ipol_group_stats_free(struct ipol_group_stats *stats);
struct ipol_dev_stats *ipol_dev_stats_add(struct device *dev, int group_id,
					  struct ipol_group_stats *group);
void ipol_dev_stats_remove(struct ipol_dev_stats *ds);
ssize_t ipol_group_stats_show(struct ipol_group_stats *stats,
			      struct kobj_attribute *attr, char *buf);
void ipol_group_stats_read(struct ipol_group_stats *stats, struct ipol_sum *sum);
void ipol_module_stats_read(struct ipol_sum *sum);
int ipol_dev_stats_read(struct device *dev, struct ipol_sum *sum);
void ipol_stats_reset(void);
bool ipol_dma_per_device(void);
int ipol_dma_acct_pin(bool pin);
int ipol_dma_acct_hold(bool hold);
void ipol_dma_acct_read(struct ipol_dma_acct *st);
const char *ipol_dma_uncounted(void);
umode_t ipol_stats_visible(struct kobject *kobj, struct attribute *attr, int n);
umode_t ipol_group_stats_visible(struct kobject *kobj, struct attribute *attr, int n);
int ipol_dev_id_name(u32 id, char *buf, size_t size);

/* netlink.c: the iommu_policy generic netlink family and its events */
int ipol_nl_init(void);
void ipol_nl_exit(void);
bool ipol_nl_listening(void);
void ipol_nl_fault_event(int group_id, u32 dev_id, u64 iova, bool write, u64 now);
u64 ipol_nl_events_dropped(void);

/*
 * The fault events the probe buffers for the netlink work: one ring per CPU
 * of ipol_nl_event_buffer entries.  head: written by the probe on that CPU
 * (interrupts off, so one writer); tail: written by the work.  Both only
 * grow; the entry of position p is ev[p % ipol_nl_event_buffer].
 */
struct ipol_nl_fault {
	u64 time;
	u64 iova;
	int group_id;			/* -1: unattributed */
	u32 dev_id;
	bool write;
};

struct ipol_nl_ring {
	u32 head;
	u32 tail;
	struct ipol_nl_fault ev[];
};

extern unsigned int ipol_nl_event_buffer;
DECLARE_PER_CPU(struct ipol_nl_ring *, ipol_nl_ring);
DECLARE_PER_CPU(u64, ipol_nl_dropped);

/*
 * From the probe, while someone listens (so the rings exist): this CPU's
 * ring is full, and the work that empties it is queued or running.  Seen
 * full, an event is dropped even if the work frees a slot just after.
 */
static __always_inline bool ipol_nl_events_full(void)
{
	struct ipol_nl_ring *r = this_cpu_read(ipol_nl_ring);

	/* acquire: pairs with the work's release of the slots it is done with */
	return READ_ONCE(r->head) - smp_load_acquire(&r->tail) >= READ_ONCE(ipol_nl_event_buffer);
}

/* One event of this CPU dropped: any context. */
static __always_inline void ipol_nl_events_drop(void)
{
	this_cpu_inc(ipol_nl_dropped);
}

void ipol_nl_group_changed(int group_id, u32 change, struct device *dev);
void ipol_nl_policy_changed(int group_id, u32 old);
void ipol_nl_change_refused(int group_id, const char *reason);

/* cdev.c: /dev/iommu_policy */
int ipol_cdev_init(void);
void ipol_cdev_exit(void);
u32 ipol_features(void);
void ipol_set_last_error(struct ipol_group *grp, const char *brief,
			 const char *fmt, ...) __printf(3, 4);

/* kernel_type.c: the kernel's /sys/kernel/iommu_groups/<id>/type file */
int ipol_kernel_type_init(void);
void ipol_kernel_type_exit(void);
int ipol_kernel_type_read(int group_id, enum iommu_policy_type *policy,
			  char *raw, size_t raw_size);
int ipol_kernel_type_write(int group_id, enum iommu_policy_type policy);
const char *ipol_policy_name(enum iommu_policy_type policy);
const char *ipol_owner_name(enum iommu_policy_owner owner);

#endif /* IOMMU_POLICY_INTERNAL_H */
