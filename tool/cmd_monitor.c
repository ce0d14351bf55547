// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl monitor: one stream of what happens to IOMMU groups, from
 *  - the iommu_policy module's netlink events (faults, drops, group changes),
 *  - the kernel log (faults IOMMU drivers only log; tool/kmsg.c),
 *  - udev (PCI devices added, removed, bound, unbound; the kernel's own
 *    uevents where no udev daemon runs).
 * One line per event, or NDJSON with -J, each with its time.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libudev.h>
#include <linux/iommu_policy_netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "kmsg.h"
#include "streamid.h"
#include "nl.h"
#include "sysfs.h"
#include "util.h"

struct monitor {
	bool json;
	unsigned long long count, max;
	struct kmsg_state kst;
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

/* --- the module's events ------------------------------------------------------------ */


static int on_module_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct monitor *mon = arg;
	char group[16] = "", a[32] = "", b[32] = "";

	if (gh->cmd == IOMMU_POLICY_NL_CMD_FAULT_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_FAULT_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_FAULT_MAX, NULL))
			return NL_OK;
		if (tb[IOMMU_POLICY_A_FAULT_GROUP])
			snprintf(group, sizeof(group), "%u", nla_get_u32(tb[IOMMU_POLICY_A_FAULT_GROUP]));
		if (tb[IOMMU_POLICY_A_FAULT_IOVA])
			snprintf(a, sizeof(a), "0x%llx",
				 (unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_FAULT_IOVA]));
		emit(mon, "module", "fault", "group", group[0] ? group : NULL,
		     "device", tb[IOMMU_POLICY_A_FAULT_DEVICE] ?
				nla_get_string(tb[IOMMU_POLICY_A_FAULT_DEVICE]) : NULL,
		     "access", tb[IOMMU_POLICY_A_FAULT_WRITE] ? "write" : "read",
		     "address", a[0] ? a : NULL, NULL);
	} else if (gh->cmd == IOMMU_POLICY_NL_CMD_DROP_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_DROP_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_DROP_MAX, NULL) ||
		    !tb[IOMMU_POLICY_A_DROP_DROPPED])
			return NL_OK;
		snprintf(a, sizeof(a), "%llu",
			 (unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_DROP_DROPPED]));
		emit(mon, "module", "dropped", "count", a, NULL);
	} else if (gh->cmd == IOMMU_POLICY_NL_CMD_GROUP_CHANGE_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_GROUP_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_GROUP_MAX, NULL) ||
		    !tb[IOMMU_POLICY_A_GROUP_ID] || !tb[IOMMU_POLICY_A_GROUP_CHANGE])
			return NL_OK;
		snprintf(group, sizeof(group), "%u", nla_get_u32(tb[IOMMU_POLICY_A_GROUP_ID]));
		if (tb[IOMMU_POLICY_A_GROUP_POLICY])
			snprintf(a, sizeof(a), "%s",
				 policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_POLICY])));
		if (tb[IOMMU_POLICY_A_GROUP_OWNER])
			snprintf(b, sizeof(b), "%s",
				 owner_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_OWNER])));
		emit(mon, "module", nlc_change_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE])),
		     "group", group,
		     "device", tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE] ?
				nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE]) : NULL,
		     "policy", a[0] ? a : NULL, "owner", b[0] ? b : NULL, NULL);
	}
	return NL_OK;
}

/* Join the module's events; false (with a note) when it cannot. */
static bool module_open(struct nlc *nl, struct monitor *mon)
{
	char why[160];
	int grp, ret;

	if (nlc_open(nl, why, sizeof(why))) {
		warnx_("monitor: no module events: %s", why);
		return false;
	}
	grp = genl_ctrl_resolve_grp(nl->sk, IOMMU_POLICY_FAMILY_NAME, IOMMU_POLICY_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(nl->sk, grp);
	if (ret) {
		warnx_("monitor: no module events: cannot join '%s': %s%s", IOMMU_POLICY_MCGRP_EVENTS,
		       nl_geterror(ret), ret == -NLE_PERM ? " (it needs root)" : "");
		nlc_close(nl);
		return false;
	}
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_module_event, mon);
	return true;
}

/* --- the kernel log -------------------------------------------------------------------- */

static int log_open(void)
{
	int fd = kmsg_open(true);	/* only what is logged from now on */

	if (fd < 0)
		warnx_("monitor: no kernel-log faults: /dev/kmsg: %s%s", strerror(-fd),
		       fd == -EACCES || fd == -EPERM ? " (it needs root)" : "");
	return fd;
}

static void log_event(enum kmsg_result r, const struct kmsg_fault *f, void *arg)
{
	struct monitor *mon = arg;
	char addr[32], n[32];

	if (r == KMSG_FAULT) {
		snprintf(addr, sizeof(addr), "0x%llx", f->address);
		emit(mon, "kernel-log", "fault", "iommu", kmsg_driver_name(f->driver),
		     "device", f->device[0] ? f->device : NULL,
		     "access", kmsg_access_name(f->access),
		     "address", f->has_address ? addr : NULL,
		     "reason", f->reason[0] ? f->reason : NULL, NULL);
	} else {
		snprintf(n, sizeof(n), "%llu", f->suppressed);
		emit(mon, "kernel-log", "suppressed", "iommu", kmsg_driver_name(f->driver),
		     "count", n, NULL);
	}
}

/* --- udev -------------------------------------------------------------------------------- */

static struct udev_monitor *udev_open(struct udev **udev)
{
	struct udev_monitor *um;
	struct stat st;

	*udev = udev_new();
	if (!*udev)
		return NULL;
	/* Without a udev daemon (a rescue shell, a container), the kernel's own uevents. */
	um = udev_monitor_new_from_netlink(*udev, stat("/run/udev/control", &st) ? "kernel" : "udev");
	if (!um || udev_monitor_filter_add_match_subsystem_devtype(um, "pci", NULL) ||
	    udev_monitor_enable_receiving(um)) {
		warnx_("monitor: no udev events: cannot listen for them: %s", strerror(errno));
		if (um)
			udev_monitor_unref(um);
		udev_unref(*udev);
		*udev = NULL;
		return NULL;
	}
	return um;
}

static void udev_read(struct udev_monitor *um, struct monitor *mon)
{
	struct udev_device *d;

	while ((d = udev_monitor_receive_device(um))) {
		const char *action = udev_device_get_action(d);

		if (action && (!strcmp(action, "add") || !strcmp(action, "remove") ||
			       !strcmp(action, "bind") || !strcmp(action, "unbind")))
			emit(mon, "udev", action, "device", udev_device_get_sysname(d),
			     "driver", udev_device_get_driver(d), NULL);
		udev_device_unref(d);
	}
}

/* --- the command ---------------------------------------------------------------------------- */

int cmd_monitor(int argc, char **argv)
{
	enum { OPT_NO_MODULE = 256, OPT_NO_LOG, OPT_NO_UDEV };
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "count", required_argument, NULL, 'c' },
		{ "no-module", no_argument, NULL, OPT_NO_MODULE },
		{ "no-log", no_argument, NULL, OPT_NO_LOG },
		{ "no-udev", no_argument, NULL, OPT_NO_UDEV },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool use_module = true, use_log = true, use_udev = true, have_module = false;
	struct monitor mon = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };
	struct udev_monitor *um = NULL;
	struct udev *udev = NULL;
	struct pollfd pfd[3];
	struct nlc nl = { 0 };
	int opt, log_fd = -1, n = 0;

	while ((opt = getopt_long(argc, argv, "Jc:h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
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
		case OPT_NO_MODULE:
			use_module = false;
			break;
		case OPT_NO_LOG:
			use_log = false;
			break;
		case OPT_NO_UDEV:
			use_udev = false;
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
	if (sysfs_root()[0]) {
		warnx_("monitor: --sysroot reads a recorded tree; monitor needs the live system");
		return EXIT_USAGE;
	}
	kmsg_state_init(&mon.kst);
	mon.kst.attribute = stream_id_device;
	if (use_module && (have_module = module_open(&nl, &mon)))
		pfd[n++] = (struct pollfd){ .fd = nl_socket_get_fd(nl.sk), .events = POLLIN };
	if (use_log && (log_fd = log_open()) >= 0)
		pfd[n++] = (struct pollfd){ .fd = log_fd, .events = POLLIN };
	if (use_udev && (um = udev_open(&udev)))
		pfd[n++] = (struct pollfd){ .fd = udev_monitor_get_fd(um), .events = POLLIN };
	if (!n) {
		warnx_("monitor: nothing to monitor (see the reasons above)");
		return EXIT_FAILURE;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* On stderr, so that a script can wait for it: from here on nothing is missed. */
	fprintf(stderr, "%s: monitoring%s%s%s\n", program_name, have_module ? " module-events" : "",
		log_fd >= 0 ? " kernel-log" : "", um ? " udev" : "");

	while (!stop && (!mon.max || mon.count < mon.max)) {
		if (poll(pfd, (nfds_t)n, -1) < 0)
			continue;	/* EINTR: stop is checked */
		for (int i = 0; i < n; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (have_module && pfd[i].fd == nl_socket_get_fd(nl.sk))
				nl_recvmsgs_default(nl.sk);
			else if (pfd[i].fd == log_fd)
				kmsg_drain(log_fd, &mon.kst, NULL, log_event, &mon);
			else if (um)
				udev_read(um, &mon);
		}
	}
	if (have_module)
		nlc_close(&nl);
	if (log_fd >= 0)
		close(log_fd);
	if (um)
		udev_monitor_unref(um);
	if (udev)
		udev_unref(udev);
	return EXIT_SUCCESS;
}
