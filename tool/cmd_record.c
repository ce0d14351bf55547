// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl record: what monitor prints, kept (rasdaemon's model).  Follows
 * the module's events, the kernel log and udev (events.c) and writes them to
 * the record (recdb.c), a batch per transaction with the kernel-log cursor
 * in it; records this boot's group topology and says what moved since the
 * last boot.  Run by iommuctl-recorder.service.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "devstats.h"
#include "events.h"
#include "groups.h"
#include "iommuctl.h"
#include "recdb.h"
#include "sysfs.h"
#include "util.h"

/* A batch is committed after this long, or this many events, whichever first. */
#define BATCH_MS 1000
#define BATCH_EVENTS 1000
/* Retention runs at start and then hourly. */
#define PRUNE_EVERY_S 3600

struct recorder {
	struct recdb *db;
	const char *path;
	struct kmsg_cursor cursor;
	unsigned long long cursor_saved;	/* cursor.next as last committed */
	unsigned long long resume_saved;	/* and where to read again from */
	unsigned long long lost_saved;		/* cursor.lost already recorded */
	unsigned long long overruns_saved;	/* netlink overruns already recorded */
	long long boot_ns;			/* CLOCK_REALTIME of boot: kernel-log times */
	unsigned long long batch;		/* events in the open transaction */
	struct timespec batch_start;
	unsigned long long faults, changes, lost;
	bool in_tx, failed;
	struct ev_sources *ev;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void cmd_record_usage(void)
{
	printf("Usage: %s record [OPTIONS]\n"
	       "\n"
	       "Keep a record of IOMMU faults (the module's and the kernel log's), group\n"
	       "changes, device events and each boot's group topology in an SQLite database,\n"
	       "until interrupted.  After a restart it goes on from where the kernel log was\n"
	       "left, counting what the ring lost meanwhile.  Run by iommuctl-recorder.service.\n"
	       "\n"
	       "Options:\n"
	       "  -d, --database PATH     the record (default %s)\n"
	       "      --retention DAYS    delete what is older (default: record_retention in\n"
	       "                          iommuctl.conf, else 90; 0: keep all)\n"
	       "      --max-size SIZE     keep the record under SIZE bytes (K, M, G; default:\n"
	       "                          record_max_size in iommuctl.conf, else 256M)\n"
	       "      --no-module         leave the module's events out\n"
	       "      --no-log            leave the kernel log out\n"
	       "      --no-udev           leave udev out\n"
	       "  -h, --help              show this help\n", program_name, RECDB_PATH);
}

static void fail(struct recorder *r, const char *what)
{
	if (!r->failed)
		warnx_("record: %s: cannot write %s: %s", r->path, what, recdb_error(r->db));
	r->failed = true;
	stop = 1;
}

static void begin(struct recorder *r)
{
	if (r->in_tx)
		return;
	if (recdb_begin(r->db)) {
		fail(r, "(begin)");
		return;
	}
	r->in_tx = true;
	r->batch = 0;
	clock_gettime(CLOCK_MONOTONIC, &r->batch_start);
}

/* What the kernel log lost, the cursor, and the batch: one transaction. */
static void commit(struct recorder *r)
{
	unsigned long long over = r->ev ? r->ev->nl_overruns : 0;
	unsigned long long resume = r->ev ? kmsg_cursor_resume(&r->cursor, &r->ev->kst) :
				   r->resume_saved;
	bool moved = r->cursor.next != r->cursor_saved || resume != r->resume_saved;
	long long now = clock_ns(CLOCK_REALTIME);

	if (r->cursor.lost > r->lost_saved || over > r->overruns_saved || moved)
		begin(r);
	if (!r->in_tx || r->failed)
		return;
	if ((r->cursor.lost > r->lost_saved &&
	     recdb_add_lost(r->db, now, "kmsg-overwritten", r->cursor.lost - r->lost_saved)) ||
	    (over > r->overruns_saved &&
	     recdb_add_lost(r->db, now, "netlink-overrun", over - r->overruns_saved)) ||
	    (moved && recdb_set_cursor(r->db, r->cursor.next, resume)) ||
	    recdb_commit(r->db)) {
		fail(r, "a batch");
		return;
	}
	r->in_tx = false;
	r->lost += (r->cursor.lost - r->lost_saved) + (over - r->overruns_saved);
	r->lost_saved = r->cursor.lost;
	r->overruns_saved = over;
	r->cursor_saved = r->cursor.next;
	r->resume_saved = resume;
}

static bool batch_due(struct recorder *r)
{
	struct timespec now;
	long long ms;

	if (!r->in_tx)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (now.tv_sec - r->batch_start.tv_sec) * 1000 +
	     (now.tv_nsec - r->batch_start.tv_nsec) / 1000000;
	return r->batch >= BATCH_EVENTS || ms >= BATCH_MS;
}

/* The IOMMU group of a PCI device now, from sysfs; -1 if none (or gone). */
static long long group_of(const char *device)
{
	char *path, name[32];
	unsigned int id;
	int ret;

	if (!device)
		return -1;
	path = sysfs_path("/sys/bus/pci/devices/%s/iommu_group", device);
	ret = sysfs_link_basename(path, name, sizeof(name));
	free(path);
	return ret || parse_group_id(name, &id) ? -1 : (long long)id;
}

/*
 * The module's fault events dropped (its buffer was full), counted from its
 * own counter (stats/events_dropped) since the value the record last saw:
 * a drop report may arrive long after the drops (with the module's next
 * batch), or never, when the recorder that would have had it was killed;
 * counted from the reports, a restart would count some twice or none.  The
 * first value of a boot is where the record starts.  Called on each drop
 * report and at start; in the open transaction.
 */
static void sync_dropped(struct recorder *r)
{
	unsigned long long now_dropped, seen;
	bool has;

	if (!module_counter_read("events_dropped", &now_dropped))
		return;
	if (recdb_get_state(r->db, "module-events-dropped", &seen, &has)) {
		fail(r, "(reading the drop counter)");
		return;
	}
	/* Fewer than seen: the module was reloaded or its counters reset. */
	if (has && now_dropped > seen) {
		if (recdb_add_lost(r->db, clock_ns(CLOCK_REALTIME), "module-dropped",
				   now_dropped - seen))
			fail(r, "the dropped events");
		r->lost += now_dropped - seen;
	}
	if (!has || now_dropped != seen)
		if (recdb_set_state(r->db, "module-events-dropped", now_dropped))
			fail(r, "the drop counter");
}

static void on_event(const struct ev_event *ev, void *arg)
{
	struct recorder *r = arg;
	long long now = clock_ns(CLOCK_REALTIME);
	int ret = 0;

	begin(r);
	if (r->failed)
		return;
	if (!strcmp(ev->kind, "fault")) {
		struct recdb_fault f = {
			.time_ns = ev->time_ns ? ev->time_ns : now,
			.source = ev->source == EV_LOG ? RECDB_SOURCE_LOG : RECDB_SOURCE_MODULE,
			.device = ev->device,
			.group = ev->group >= 0 ? ev->group : group_of(ev->device),
			.access = ev->access,
			.address = ev->address,
			.has_address = ev->has_address,
		};

		if (ev->log) {
			f.driver = kmsg_driver_name(ev->log->driver);
			f.iommu = ev->log->iommu[0] ? ev->log->iommu : NULL;
			f.event = ev->log->event[0] ? ev->log->event : NULL;
			f.reason = ev->log->reason[0] ? ev->log->reason : NULL;
			f.kmsg_seq = ev->log->seq;
			f.has_kmsg_seq = ev->log->has_seq;
			if (ev->log->has_timestamp)
				f.time_ns = r->boot_ns + (long long)ev->log->timestamp_usec * 1000;
		}
		ret = recdb_add_fault(r->db, &f);
		r->faults++;
	} else if (!strcmp(ev->kind, "suppressed")) {
		ret = recdb_add_lost(r->db, now, "kmsg-suppressed", ev->count);
		r->lost += ev->count;
	} else if (!strcmp(ev->kind, "dropped")) {
		sync_dropped(r);
	} else {
		/* udev's actions in the module's words (nlc_change_name()). */
		static const struct { const char *udev, *kind; } udev_kinds[] = {
			{ "add", "device-added" }, { "remove", "device-removed" },
			{ "bind", "driver-bound" }, { "unbind", "driver-unbound" },
		};
		struct recdb_change c = {
			.time_ns = now, .source = ev->source == EV_UDEV ? "udev" : "module",
			.kind = ev->kind, .group = ev->group, .device = ev->device,
			.before = ev->old_policy,
			.after = ev->policy ? ev->policy : ev->owner ? ev->owner : ev->driver,
			.pid = ev->pid, .comm = ev->comm, .detail = ev->reason,
		};

		for (size_t i = 0; ev->source == EV_UDEV && i < ARRAY_SIZE(udev_kinds); i++)
			if (!strcmp(ev->kind, udev_kinds[i].udev))
				c.kind = udev_kinds[i].kind;
		if (c.group < 0)
			c.group = group_of(ev->device);
		ret = recdb_add_change(r->db, &c);
		r->changes++;
	}
	if (ret)
		fail(r, "an event");
	r->batch++;
}

/* --- faults the module counted without an event to the recorder ------------------------ */

/*
 * The module's fault events are not replayed: what it counted before the
 * recorder started in this boot, or while it was down (and what a killed
 * recorder had not committed), comes to the record from its exact counters
 * instead, as "module-unseen" (iommuctl(8), record): the module's count of
 * its devices' faults less the faults recorded, dropped (sync_dropped(), of
 * no known device) and already unseen.  A lower bound: faults of a device that left count in
 * no device's counter any more.
 * @before: the counters read just after joining its events; events of faults
 * from before that still in the module's buffers came meanwhile.  Nothing is
 * told when a count moved since (faults in flight may or may not have come as
 * events), or when the module counts fewer than the record has (it was
 * reloaded, or its counters reset).
 */
static void reconcile_module(struct recorder *r, const struct ic_device_stats_list *before)
{
	unsigned long long counted = 0, recorded = 0, dropped, unseen, moving = 0, gap = 0;
	struct ic_device_stats_list now;
	char why[256];

	if (device_stats_load(&now, why, sizeof(why))) {
		warnx_("record: the module's counters: %s", why);
		return;
	}
	begin(r);
	sync_dropped(r);	/* drops whose report went with a killed recorder, or is late */
	for (size_t i = 0; i < now.count && !r->failed; i++) {
		const struct ic_device_stats *d = &now.devices[i];
		const struct ic_counters *b = device_stats_find(before, d->name);
		unsigned long long seen;

		if (!d->c.has_faults)
			continue;
		if (!b || b->faults != d->c.faults)
			moving++;
		if (recdb_fault_total(r->db, d->name, RECDB_SOURCE_MODULE, &seen))
			fail(r, "(reading the totals)");
		counted += d->c.faults;
		recorded += seen;
	}
	device_stats_free(&now);
	if (!r->failed && (recdb_lost_total(r->db, "module-dropped", &dropped) ||
			   recdb_lost_total(r->db, "module-unseen", &unseen)))
		fail(r, "(reading the totals)");
	if (!r->failed && !moving && counted > recorded + dropped + unseen) {
		gap = counted - recorded - dropped - unseen;
		if (recdb_add_lost(r->db, clock_ns(CLOCK_REALTIME), "module-unseen", gap))
			fail(r, "the module's unseen faults");
		r->lost += gap;
	}
	commit(r);
	if (gap)
		warnx_("record: %llu faults the module counted had no event to the recorder (before "
		       "it started, or while it was down): recorded as module-unseen", gap);
	if (moving)
		warnx_("record: %llu devices were faulting while it started: the faults the module "
		       "counted without an event to the recorder are not told (stats has them)",
		       moving);
}

/* --- the topology of this boot, against the last one's ------------------------------- */

/* A device whose group-mates changed: said on stderr and recorded as a "topology" change. */
static void topology_changed(const struct recdb_topo *dev, long long prev_group, const char *msg,
			     void *arg)
{
	struct recorder *r = arg;
	char before[24], after[24];
	struct recdb_change c = {
		.time_ns = clock_ns(CLOCK_REALTIME), .source = "recorder",
		.kind = "topology", .group = dev->group, .device = dev->device,
		.before = before, .after = after, .pid = -1, .detail = msg,
	};

	warnx_("record: %s", msg);
	snprintf(before, sizeof(before), "%lld", prev_group);
	snprintf(after, sizeof(after), "%lld", dev->group);
	if (recdb_add_change(r->db, &c))
		fail(r, "a topology change");
}

static void record_topology(struct recorder *r)
{
	struct ic_group_list list;
	struct recdb_topo *topo, *prev;
	size_t n, nprev;
	bool done;

	/* The boot's topology: once, at the first start in it, not after a restart. */
	if (recdb_has_topology(r->db, &done)) {
		fail(r, "(reading the topology)");
		return;
	}
	if (done || groups_load(&list))
		return;	/* no IOMMU groups: nothing to compare */
	topo = recdb_topology_of(&list, &n);
	groups_free(&list);
	begin(r);
	if (r->failed || recdb_set_topology(r->db, topo, n, &prev, &nprev)) {
		fail(r, "the group topology");
		free(topo);
		return;
	}
	recdb_topology_diff(topo, n, prev, nprev, topology_changed, r);
	commit(r);
	free(prev);
	free(topo);
}

/* --- start and retention ----------------------------------------------------------------- */

static void prune(struct recorder *r, long long retention_days, unsigned long long max_size)
{
	unsigned long long deleted = 0;
	long long before = retention_days ?
			   clock_ns(CLOCK_REALTIME) - retention_days * 86400LL * 1000000000LL :
			   LLONG_MIN;

	commit(r);
	if (r->failed)
		return;
	if (recdb_begin(r->db) || recdb_prune(r->db, before, max_size, &deleted) ||
	    recdb_commit(r->db)) {
		fail(r, "(retention)");
		recdb_rollback(r->db);
	}
}

/* /var/lib/iommuctl when it is not there yet (the unit's StateDirectory= makes it too). */
static void make_parent_dir(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) && errno != EEXIST)
			warnx_("record: cannot make %s: %s", dir, strerror(errno));
	}
	free(dir);
}

int cmd_record(int argc, char **argv)
{
	enum { OPT_RETENTION = 256, OPT_MAX_SIZE };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "database", required_argument, NULL, 'd' },
		{ "retention", required_argument, NULL, OPT_RETENTION },
		{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
		EV_SOURCE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ev_select sel = EV_SELECT_ALL;
	unsigned long long retention = 90, max_size = 256ULL << 20;
	bool retention_set = false, max_size_set = false;
	struct ic_config cfg;
	struct recorder r = { .path = RECDB_PATH };
	struct sigaction sa = { .sa_handler = on_signal };
	struct ev_sources ev;
	struct utsname uts;
	char err[512], boot_id[64];
	time_t last_prune;
	int opt, lock;

	while ((opt = getopt_long(argc, argv, "d:h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg) || ev_source_option(opt, &sel))
			continue;
		switch (opt) {
		case 'd':
			r.path = optarg;
			break;
		case OPT_RETENTION:
			if (strcmp(optarg, "0") && !parse_positive(optarg, &retention)) {
				warnx_("record: --retention '%s' is not a number of days", optarg);
				return EXIT_USAGE;
			}
			if (!strcmp(optarg, "0"))
				retention = 0;
			retention_set = true;
			break;
		case OPT_MAX_SIZE:
			max_size = parse_size(optarg);
			if (max_size < 65536) {
				warnx_("record: --max-size '%s' is not a size of 64K or more (256M, 1G)",
				       optarg);
				return EXIT_USAGE;
			}
			max_size_set = true;
			break;
		case 'h':
			cmd_record_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help record'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("record: unexpected argument '%s' (see '%s help record')", argv[optind],
		       program_name);
		return EXIT_USAGE;
	}
	if (!ev_live_system("record"))
		return EXIT_USAGE;
	if (!sel.module && !sel.log && !sel.udev) {
		warnx_("record: --no-module, --no-log and --no-udev leave nothing to record");
		return EXIT_USAGE;
	}
	if (!have_capabilities(CAP_SYS_ADMIN_MASK))
		return needs_root("record", "keeping the record", false);
	/* iommuctl.conf's [defaults] record_retention and record_max_size, under the options. */
	config_load(&cfg, NULL);
	if (cfg.errors)
		warnx_("record: %u errors in the configuration (above): recording all the same",
		       cfg.errors);
	if (!retention_set && cfg.record_retention >= 0)
		retention = (unsigned long long)cfg.record_retention;
	if (!max_size_set && cfg.record_max_size)
		max_size = cfg.record_max_size;
	config_free(&cfg);
	if (read_boot_id(boot_id, sizeof(boot_id))) {
		warnx_("record: cannot read /proc/sys/kernel/random/boot_id: %s", strerror(errno));
		return EXIT_FAILURE;
	}
	/*
	 * Fault addresses are root's (iommu_policy(4)): the record, its -wal and
	 * -shm files and its directory are made for root alone.
	 */
	umask(077);
	make_parent_dir(r.path);
	lock = recdb_lock(r.path, err, sizeof(err));
	if (lock < 0) {
		warnx_("record: %s", err);
		return EXIT_FAILURE;
	}
	if (recdb_open(r.path, true, &r.db, err, sizeof(err))) {
		warnx_("record: %s", err);
		close(lock);
		return EXIT_FAILURE;
	}
	uname(&uts);
	r.boot_ns = kmsg_boot_realtime_ns();
	if (recdb_set_boot(r.db, boot_id, clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME),
			   uts.release) || recdb_get_cursor(r.db, &r.cursor.next, &r.resume_saved)) {
		warnx_("record: %s: %s", r.path, recdb_error(r.db));
		recdb_close(r.db);
		close(lock);
		return EXIT_FAILURE;
	}
	r.cursor_saved = r.cursor.next;
	/* Records from resume to next are read again, to finish an SMMUv3 event they began. */
	r.cursor.replay = r.resume_saved;
	record_topology(&r);
	prune(&r, (long long)retention, max_size);
	last_prune = time(NULL);
	if (r.failed)
		goto out;

	r.ev = &ev;
	if (!ev_open(&ev, "record", &sel, &r.cursor, on_event, &r)) {
		warnx_("record: nothing to record (see the reasons above)");
		recdb_close(r.db);
		close(lock);
		return EXIT_FAILURE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (ev.have_module) {
		struct ic_device_stats_list before;
		char why[256];
		long long until = clock_ns(CLOCK_MONOTONIC) + 500000000LL;

		/* Half a second of events: those still in the module's buffers. */
		if (!device_stats_load(&before, why, sizeof(why))) {
			while (!stop && clock_ns(CLOCK_MONOTONIC) < until)
				ev_wait(&ev, 100);
			reconcile_module(&r, &before);
			device_stats_free(&before);
		}
	}
	{
		char keep[48];

		if (retention)
			snprintf(keep, sizeof(keep), "%llu days", retention);
		else
			snprintf(keep, sizeof(keep), "everything");
		fprintf(stderr, "%s: recording%s to %s (kernel log from record %llu; keeping %s, "
			"at most %llu KiB)\n", program_name, ev_describe(&ev), r.path, r.cursor.next,
			keep, max_size >> 10);
	}
	/* The topology is recorded and compared: apply and the rest may go on. */
	service_notify("READY=1\nSTATUS=recording");
	while (!stop) {
		/* Records that were no faults move the cursor too: saved with the next batch. */
		ev_wait(&ev, r.in_tx ? 100 : 60000);
		if (r.cursor.next != r.cursor_saved)
			begin(&r);
		if (batch_due(&r))
			commit(&r);
		if (time(NULL) - last_prune >= PRUNE_EVERY_S) {
			prune(&r, (long long)retention, max_size);
			last_prune = time(NULL);
		}
	}
	commit(&r);
	ev_close(&ev);
out:
	fprintf(stderr, "%s: recorded %llu faults, %llu changes; %llu events lost%s\n",
		program_name, r.faults, r.changes, r.lost, r.failed ? " (stopped on an error)" : "");
	recdb_close(r.db);
	close(lock);		/* after the database: no other recorder before it is closed */
	return r.failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
