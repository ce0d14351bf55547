// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl monitor: one stream of what happens to IOMMU groups, from
 *  - the iommu_policy module's netlink events (faults, drops, group changes),
 *  - the kernel log (faults IOMMU drivers only log; tool/kmsg.c),
 *  - udev (PCI devices added, removed, bound, unbound; the kernel's own
 *    uevents where no udev daemon runs).
 * One line per event, or NDJSON with -J, each with its time.
 */
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "iommuctl.h"
#include "json.h"
#include "kmsg.h"
#include "util.h"

struct monitor {
	bool json;
	unsigned long long count, max;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

void cmd_monitor_usage(void)
{
	printf("Usage: %s monitor [OPTIONS]\n"
	       "\n"
	       "Print IOMMU events as they happen: the iommu_policy module's (faults,\n"
	       "dropped events, policy, owner and device changes), faults the kernel logs,\n"
	       "and PCI devices added, removed, bound and unbound.  Until interrupted.\n"
	       "\n"
	       "Options:\n"
	       "  -J, --json          one JSON object per line (NDJSON; see iommuctl(8))\n"
	       "  -c, --count N       stop after N events\n"
	       "      --no-module     leave the module's events out\n"
	       "      --no-log        leave the kernel log out\n"
	       "      --no-udev       leave udev out\n"
	       "  -h, --help          show this help\n", program_name);
}

/*
 * " key=value", the value in double quotes (with \" and \\) when it holds a
 * blank, a quote or a backslash, or is empty: one pair per word for a
 * reader splitting the line, as udevadm monitor and logfmt do.
 */
static void print_pair(const char *key, const char *value)
{
	if (*value && !value[strcspn(value, " \t\"\\")]) {
		printf(" %s=%s", key, value);
		return;
	}
	printf(" %s=\"", key);
	for (const char *p = value; *p; p++)
		printf("%s%c", *p == '"' || *p == '\\' ? "\\" : "", *p == '\t' ? ' ' : *p);
	printf("\"");
}

/* An event: its source and kind, then key=value pairs (NULL-terminated). */
static void emit(struct monitor *mon, const char *source, const char *event, ...)
{
	struct timespec ts;
	char when[64];
	const char *key, *value;
	va_list ap;

	clock_gettime(CLOCK_REALTIME, &ts);
	format_time_iso(when, sizeof(when), ts.tv_sec, ts.tv_nsec, 6);
	if (mon->json) {
		struct json j;

		json_init(&j, stdout);
		/* NDJSON: one line, so no json_open_object() indentation. */
		printf("{\"time\": ");
		printf("\"%s\", \"source\": \"%s\", \"event\": \"%s\"", when, source, event);
		va_start(ap, event);
		while ((key = va_arg(ap, const char *))) {
			value = va_arg(ap, const char *);
			printf(", ");
			json_string(&j, key, value);
		}
		va_end(ap);
		printf("}\n");
	} else {
		printf("%s %s %s", when, source, event);
		va_start(ap, event);
		while ((key = va_arg(ap, const char *))) {
			value = va_arg(ap, const char *);
			if (value)
				print_pair(key, value);
		}
		va_end(ap);
		printf("\n");
	}
	fflush(stdout);
	mon->count++;
}

/* One event as monitor prints it: the same keys in the same order for each source. */
static void on_event(const struct ev_event *ev, void *arg)
{
	struct monitor *mon = arg;
	char group[24] = "", addr[32] = "", count[32] = "", pid[24] = "";
	const char *source = ev->source == EV_MODULE ? "module" :
			     ev->source == EV_LOG ? "kernel-log" : "udev";

	if (ev->group >= 0)
		snprintf(group, sizeof(group), "%lld", ev->group);
	if (ev->has_address)
		snprintf(addr, sizeof(addr), "0x%llx", ev->address);
	snprintf(count, sizeof(count), "%llu", ev->count);
	if (ev->pid >= 0)
		snprintf(pid, sizeof(pid), "%lld", ev->pid);
	switch (ev->source) {
	case EV_MODULE:
		if (!strcmp(ev->kind, "fault"))
			emit(mon, source, ev->kind, "group", group[0] ? group : NULL,
			     "device", ev->device, "access", ev->access,
			     "address", addr[0] ? addr : NULL, NULL);
		else if (!strcmp(ev->kind, "dropped"))
			emit(mon, source, ev->kind, "count", count, NULL);
		else
			emit(mon, source, ev->kind, "group", group, "device", ev->device,
			     "from", ev->old_policy, "policy", ev->policy, "owner", ev->owner,
			     "reason", ev->reason, "pid", pid[0] ? pid : NULL, "comm", ev->comm,
			     NULL);
		break;
	case EV_LOG:
		if (!strcmp(ev->kind, "fault"))
			emit(mon, source, ev->kind, "iommu", kmsg_driver_name(ev->log->driver),
			     "device", ev->device, "access", ev->access,
			     "address", addr[0] ? addr : NULL,
			     "reason", ev->log->reason[0] ? ev->log->reason : NULL, NULL);
		else
			emit(mon, source, ev->kind, "iommu", kmsg_driver_name(ev->log->driver),
			     "count", count, NULL);
		break;
	case EV_UDEV:
		emit(mon, source, ev->kind, "device", ev->device, "driver", ev->driver, NULL);
		break;
	}
}

/* --- the command ---------------------------------------------------------------------------- */

int cmd_monitor(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "count", required_argument, NULL, 'c' },
		EV_SOURCE_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ev_select sel = EV_SELECT_ALL;
	struct monitor mon = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct ev_sources ev;
	int opt;

	while ((opt = getopt_long(argc, argv, "Jc:h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg) || ev_source_option(opt, &sel))
			continue;
		switch (opt) {
		case 'J':
			mon.json = true;
			break;
		case 'c':
			if (!parse_positive(optarg, &mon.max)) {
				warnx_("monitor: --count '%s' is not a positive number", optarg);
				return EXIT_USAGE;
			}
			break;
		case 'h':
			cmd_monitor_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help monitor'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("monitor: unexpected argument '%s' (see '%s help monitor')", argv[optind],
		       program_name);
		return EXIT_USAGE;
	}
	if (!ev_live_system("monitor"))
		return EXIT_USAGE;
	if (!ev_open(&ev, "monitor", &sel, NULL, on_event, &mon)) {
		warnx_("monitor: nothing to monitor (see the reasons above)");
		return EXIT_FAILURE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* On stderr, so that a script can wait for it: from here on nothing is missed. */
	fprintf(stderr, "%s: monitoring%s\n", program_name, ev_describe(&ev));

	while (!stop && (!mon.max || mon.count < mon.max))
		ev_wait(&ev, -1);	/* EINTR: stop is checked */
	ev_close(&ev);
	return EXIT_SUCCESS;
}
