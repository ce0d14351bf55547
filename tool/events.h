/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_EVENTS_H
#define IOMMUCTL_EVENTS_H

/*
 * What happens to IOMMU groups, as one stream of events from three sources:
 *  - the iommu_policy module's netlink events (faults it counted, events it
 *    dropped, policy, owner and device changes),
 *  - the kernel log (faults IOMMU drivers only log; tool/kmsg.c),
 *  - udev (PCI devices added, removed, bound, unbound; the kernel's own
 *    uevents where no udev daemon runs).
 * `iommuctl monitor` prints them; `iommuctl record` stores them.
 */

#include <poll.h>
#include <stdbool.h>

#include "kmsg.h"
#include "nl.h"

struct udev;
struct udev_monitor;

enum ev_source {
	EV_MODULE,
	EV_LOG,
	EV_UDEV,
};

/* One event.  Pointers are valid during the callback only; NULL: not said. */
struct ev_event {
	enum ev_source source;
	/*
	 * EV_MODULE: "fault", "dropped", or a group change ("policy",
	 * "claimed", ... nlc_change_name()); EV_LOG: "fault", "suppressed";
	 * EV_UDEV: "add", "remove", "bind", "unbind".
	 */
	const char *kind;
	long long group;		/* -1: not said */
	const char *device;
	const char *access;		/* "read", "write" ("unknown" from the log) */
	unsigned long long address;
	bool has_address;
	unsigned long long count;	/* "dropped", "suppressed": how many */
	long long time_ns;		/* the module's time of a fault (CLOCK_REALTIME); 0: not said */
	const char *policy;		/* module changes: the group's policy after it */
	const char *old_policy;		/* module "policy": the policy before it */
	const char *owner;		/* module changes: its owner after it */
	long long pid;			/* module changes: in whose context; -1: not said */
	const char *comm;		/* that process's name */
	const char *reason;		/* module "refused": why */
	const char *driver;		/* EV_UDEV: the device's driver */
	const struct kmsg_fault *log;	/* EV_LOG: all the decoder found */
};

typedef void (*ev_fn)(const struct ev_event *ev, void *arg);

/* The sources to open, and the options that leave one out (monitor, record). */
struct ev_select {
	bool module, log, udev;
};
#define EV_SELECT_ALL { .module = true, .log = true, .udev = true }
enum { EV_OPT_NO_MODULE = 0x200, EV_OPT_NO_LOG, EV_OPT_NO_UDEV };
#define EV_SOURCE_OPTIONS \
	{ "no-module", no_argument, NULL, EV_OPT_NO_MODULE }, \
	{ "no-log", no_argument, NULL, EV_OPT_NO_LOG }, \
	{ "no-udev", no_argument, NULL, EV_OPT_NO_UDEV }
/* True if @opt was one of EV_SOURCE_OPTIONS (and @sel now says so). */
bool ev_source_option(int opt, struct ev_select *sel);
/* False, after saying so, under --sysroot: events come from the live system only. */
bool ev_live_system(const char *cmd);

struct ev_sources {
	const char *cmd;		/* for messages: "monitor", "record" */
	struct nlc nl;
	bool have_module;
	int log_fd;			/* -1: none */
	struct kmsg_state kst;
	struct kmsg_cursor *cursor;	/* NULL: the log from now on */
	struct udev *udev;
	struct udev_monitor *um;
	struct pollfd pfd[3];
	int n;
	ev_fn fn;
	void *arg;
	unsigned long long nl_overruns;	/* the netlink socket's buffer overflowed (ENOBUFS) */
};

/*
 * Open the sources asked for, saying on stderr why one cannot be (not
 * loaded, not root).  The kernel log is read from @cursor on (the whole ring
 * when cursor->next is 0, with records lost before it counted) or, with
 * @cursor NULL, from now on.  Returns how many are open.
 */
int ev_open(struct ev_sources *s, const char *cmd, const struct ev_select *sel,
	    struct kmsg_cursor *cursor, ev_fn fn, void *arg);

/* " module-events kernel-log udev": the open sources, for messages. */
const char *ev_describe(const struct ev_sources *s);

/*
 * Wait up to @timeout_ms (-1: for ever) for events and deliver them.
 * Returns 0, or -1 when interrupted by a signal.
 */
int ev_wait(struct ev_sources *s, int timeout_ms);

void ev_close(struct ev_sources *s);

#endif
