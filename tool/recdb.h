/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_RECDB_H
#define IOMMUCTL_RECDB_H

/*
 * The record: iommuctl-recorder's SQLite database of IOMMU faults, changes
 * and group topology (/var/lib/iommuctl/events.db; rasdaemon's model).
 *
 * Durability: WAL mode with synchronous=FULL, every batch of events one
 * transaction, so a kill -9 or a power loss leaves the database as it was
 * after the last commit, never half a batch.  The kernel-log cursor is
 * written in the same transaction as the faults it covers: after a restart
 * the recorder neither counts a line twice nor skips one still in the ring.
 *
 * Totals: per boot, device and source, kept beside the rows and updated in
 * the same transaction; retention deletes old rows, never totals of the
 * current boot, so counters derived from them never go backwards.
 *
 * Safety: a file that is not an iommuctl record (another SQLite database,
 * not a database at all), a corrupt one, or one written by a newer iommuctl
 * is refused with a message that says so and what to do; it is never
 * overwritten or migrated.  Older schemas are migrated in one transaction.
 */

#include <stdbool.h>
#include <stddef.h>

#define RECDB_PATH "/var/lib/iommuctl/events.db"
/* PRAGMA application_id: "IOMM". */
#define RECDB_APPLICATION_ID 0x494f4d4d
/* PRAGMA user_version of what this iommuctl writes. */
#define RECDB_SCHEMA 2

struct recdb;

/* Where a fault was seen. */
enum recdb_source {
	RECDB_SOURCE_MODULE,	/* iommu_policy.ko's exact counter (netlink event) */
	RECDB_SOURCE_LOG,	/* the kernel log, decoded (tool/kmsg.c) */
};

struct recdb_fault {
	long long time_ns;		/* wall clock (CLOCK_REALTIME) */
	enum recdb_source source;
	const char *device;		/* "0000:00:01.0", or NULL when unattributed */
	long long group;		/* -1: not known */
	const char *driver;		/* "intel", "amd", "smmuv3", "virtio", "module" */
	const char *iommu;		/* NULL when the line does not say */
	const char *access;		/* "read", "write", "unknown" */
	const char *event;
	const char *reason;
	unsigned long long address;
	bool has_address;
	unsigned long long kmsg_seq;	/* RECDB_SOURCE_LOG */
	bool has_kmsg_seq;
};

/* What a change row says: a policy change, a claim, a driver bound... */
struct recdb_change {
	long long time_ns;
	const char *source;		/* "module" (its events), "udev", "recorder" (topology) */
	const char *kind;		/* "policy", "claimed", "quarantined", "released",
					 * "driver-bound", "driver-unbound", "device-added",
					 * "device-removed", "refused" (nlc_change_name()),
					 * "topology" */
	long long group;		/* -1: not known */
	const char *device;		/* NULL: the whole group */
	const char *before;		/* the old policy or driver, NULL if not known */
	const char *after;
	long long pid;			/* who, when the module says; -1 otherwise */
	const char *comm;
	const char *detail;
};

/* One device of the group topology at a boot. */
struct recdb_topo {
	char device[64];
	long long group;
	char ids[32];		/* "8086:2918" */
};

/*
 * Open the record: @write creates it (and its schema) if missing, migrates an
 * older schema, and takes WAL mode; without @write it is opened read-only
 * and must exist.  0, or -1 with @err holding the whole message ("PATH: ...:
 * what to do").
 */
int recdb_open(const char *path, bool write, struct recdb **out, char *err, size_t errsize);
void recdb_close(struct recdb *db);

/*
 * One recorder per record: it holds an exclusive lock (flock(2)) on
 * PATH.lock, which holds its pid, for as long as it runs; two recorders
 * would count every fault twice.  recdb_lock() takes it: the lock's file
 * descriptor, or -1 with @err saying who holds it or why it failed.
 * recdb_recorder() says whether a recorder holds it now: 1 (*pid its pid,
 * 0 if not known), 0, or -1 when that cannot be told (@err).
 */
int recdb_lock(const char *path, char *err, size_t errsize);
int recdb_recorder(const char *path, long *pid, char *err, size_t errsize);

/* The last SQLite error, for messages. */
const char *recdb_error(struct recdb *db);

/*
 * A batch: everything between begin and commit is one transaction.  Any
 * failure inside leaves the database as before begin (recdb_rollback()).
 */
int recdb_begin(struct recdb *db);
int recdb_commit(struct recdb *db);
void recdb_rollback(struct recdb *db);

/* This boot (its /proc/sys/kernel/random/boot_id): recorded once, at first use. */
int recdb_set_boot(struct recdb *db, const char *boot_id, long long started_ns,
		   const char *kernel);

/*
 * For a reader: take @boot_id as this boot; *recorded says whether the
 * record has it (a recorder ran in it).
 */
int recdb_use_boot(struct recdb *db, const char *boot_id, bool *recorded);

/*
 * The next /dev/kmsg sequence number to read in this boot, and where to read
 * again from (kmsg_cursor_resume(): at most @next_seq); 0 if none is saved.
 */
int recdb_get_cursor(struct recdb *db, unsigned long long *next_seq,
		     unsigned long long *resume_seq);
int recdb_set_cursor(struct recdb *db, unsigned long long next_seq,
		     unsigned long long resume_seq);

int recdb_add_fault(struct recdb *db, const struct recdb_fault *f);
int recdb_add_change(struct recdb *db, const struct recdb_change *c);
/*
 * What could not be seen: @what is "kmsg-overwritten" (the ring wrapped
 * before the recorder read it), "kmsg-suppressed" (a driver's rate limit),
 * "module-dropped" (the module's event ring was full), "module-unseen" (the
 * module counted them while no recorder ran), "netlink-overrun" (the
 * socket's buffer overflowed; events lost, how many not known).
 */
int recdb_add_lost(struct recdb *db, long long time_ns, const char *what,
		   unsigned long long count);

/*
 * A value of this boot the recorder keeps for itself (@key), e.g. the
 * module's drop counter as last seen; *has false when none is kept.
 */
int recdb_get_state(struct recdb *db, const char *key, unsigned long long *value, bool *has);
int recdb_set_state(struct recdb *db, const char *key, unsigned long long value);

/* This boot's faults of @device from @source, and lost events of @what (totals). */
int recdb_fault_total(struct recdb *db, const char *device, enum recdb_source source,
		      unsigned long long *total);
int recdb_lost_total(struct recdb *db, const char *what, unsigned long long *total);

/*
 * This boot's kernel-log faults per device (@device NULL: naming none), with
 * the newest recorded one (@last_ns 0 when retention deleted them all).
 */
struct recdb_log_total {
	const char *device;
	unsigned long long faults;
	long long last_ns;
	const char *access;
	unsigned long long address;
	bool has_address;
};
int recdb_log_totals(struct recdb *db,
		     void (*fn)(const struct recdb_log_total *t, void *arg), void *arg);
/* This boot's lost events by what (recdb_add_lost()). */
int recdb_lost_totals(struct recdb *db,
		      void (*fn)(const char *what, unsigned long long count, void *arg), void *arg);
/* The time of this boot's newest recorded row (fault, change, lost); 0 if none. */
int recdb_last_event_ns(struct recdb *db, long long *ns);
/* Whether this boot's topology is recorded (by an earlier start of the recorder). */
int recdb_has_topology(struct recdb *db, bool *has);
/* Devices reported in another group than at the last boot, at this boot. */
int recdb_topology_changes(struct recdb *db, unsigned long long *count);

/*
 * Record this boot's group topology, and give the previous boot's (the
 * newest other boot that recorded one): *prev is NULL with *nprev 0 when there
 * is none.  The caller frees *prev.
 */
int recdb_set_topology(struct recdb *db, const struct recdb_topo *topo, size_t n,
		       struct recdb_topo **prev, size_t *nprev);
/* The previous boot's alone (as recdb_set_topology() gives it), for a reader. */
int recdb_previous_topology(struct recdb *db, struct recdb_topo **prev, size_t *nprev);

struct ic_group_list;
/* The topology of @list (every device of every group); the caller frees it. */
struct recdb_topo *recdb_topology_of(const struct ic_group_list *list, size_t *n);
/*
 * Each device of @now that shares its group with other devices than in
 * @prev: the devices it joined (new ones too), or those it was with and no
 * longer is, said in @msg ("0000:01:00.0 joined group 3 with 0000:02:00.0
 * since the last boot").  Group numbers alone do not count: they follow the
 * order of enumeration, and a device added before others renumbers every
 * group after it.
 */
void recdb_topology_diff(const struct recdb_topo *now, size_t n,
			 const struct recdb_topo *prev, size_t nprev,
			 void (*fn)(const struct recdb_topo *dev, long long prev_group,
				    const char *msg, void *arg), void *arg);

/*
 * Retention: delete fault, change and lost rows older than @before_ns, then,
 * while the file is larger than @max_bytes (0: no limit), the oldest rows of
 * earlier boots, and of this one only past that.  Totals stay.  *deleted:
 * rows deleted.
 */
int recdb_prune(struct recdb *db, long long before_ns, unsigned long long max_bytes,
		unsigned long long *deleted);

/* --- queries (history) ------------------------------------------------------------ */

enum recdb_type {
	RECDB_FAULT = 1,
	RECDB_CHANGE = 2,	/* changes but topology */
	RECDB_TOPOLOGY = 4,	/* devices in another group than at the last boot */
	RECDB_LOST = 8,
	RECDB_ALL = 15,
};

struct recdb_filter {
	long long since_ns, until_ns;	/* [since, until); LLONG_MIN / LLONG_MAX: open */
	const char *device;		/* NULL: any */
	long long group;		/* -1: any */
	unsigned int types;		/* enum recdb_type bits */
};

/* One row of any kind; strings NULL when not recorded. */
struct recdb_row {
	enum recdb_type type;
	long long time_ns;
	const char *boot_id;
	const char *source;	/* "module", "kernel-log", "udev", "recorder"; lost: NULL */
	const char *kind;	/* fault: the event ("DMA Read"); change: its kind; lost: what */
	const char *device;
	long long group;	/* -1 */
	const char *driver, *iommu, *access, *reason;
	unsigned long long address;
	bool has_address;
	const char *before, *after, *comm, *detail;
	long long pid;		/* -1 */
	unsigned long long count;	/* lost */
};

/* Every row the filter takes, oldest first; 0, or -1 (recdb_error()). */
int recdb_query(struct recdb *db, const struct recdb_filter *f,
		void (*fn)(const struct recdb_row *row, void *arg), void *arg);

/* Faults per device and source in the filter's window (its device and group too). */
struct recdb_summary {
	const char *device;	/* NULL: unattributed */
	long long group;	/* the group of its last fault, -1 */
	const char *source;
	unsigned long long faults;
	long long first_ns, last_ns;
};
int recdb_summarize(struct recdb *db, const struct recdb_filter *f,
		    void (*fn)(const struct recdb_summary *s, void *arg), void *arg);

const char *recdb_source_name(enum recdb_source source);	/* "module", "kernel-log" */

#endif
