// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The event sources of monitor and record (events.h): the module's netlink
 * events, the kernel log and udev, as one stream.
 */
#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <linux/iommu_policy_netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>

#include "events.h"
#include "policy.h"
#include "streamid.h"
#include "sysfs.h"
#include "util.h"

static void deliver(struct ev_sources *s, struct ev_event *ev)
{
	s->fn(ev, s->arg);
}

/* --- the module's events ------------------------------------------------------------ */

static int on_module_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct ev_sources *s = arg;
	struct ev_event ev = { .source = EV_MODULE, .group = -1, .pid = -1 };

	if (gh->cmd == IOMMU_POLICY_NL_CMD_FAULT_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_FAULT_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_FAULT_MAX, NULL))
			return NL_OK;
		ev.kind = "fault";
		if (tb[IOMMU_POLICY_A_FAULT_GROUP])
			ev.group = nla_get_u32(tb[IOMMU_POLICY_A_FAULT_GROUP]);
		if (tb[IOMMU_POLICY_A_FAULT_DEVICE])
			ev.device = nla_get_string(tb[IOMMU_POLICY_A_FAULT_DEVICE]);
		ev.access = tb[IOMMU_POLICY_A_FAULT_WRITE] ? "write" : "read";
		if (tb[IOMMU_POLICY_A_FAULT_IOVA]) {
			ev.address = nla_get_u64(tb[IOMMU_POLICY_A_FAULT_IOVA]);
			ev.has_address = true;
		}
		if (tb[IOMMU_POLICY_A_FAULT_TIME])
			ev.time_ns = (long long)nla_get_u64(tb[IOMMU_POLICY_A_FAULT_TIME]);
	} else if (gh->cmd == IOMMU_POLICY_NL_CMD_DROP_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_DROP_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_DROP_MAX, NULL) ||
		    !tb[IOMMU_POLICY_A_DROP_DROPPED])
			return NL_OK;
		ev.kind = "dropped";
		ev.count = nla_get_u64(tb[IOMMU_POLICY_A_DROP_DROPPED]);
	} else if (gh->cmd == IOMMU_POLICY_NL_CMD_GROUP_CHANGE_NTF) {
		struct nlattr *tb[IOMMU_POLICY_A_GROUP_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_GROUP_MAX, NULL) ||
		    !tb[IOMMU_POLICY_A_GROUP_ID] || !tb[IOMMU_POLICY_A_GROUP_CHANGE])
			return NL_OK;
		ev.kind = nlc_change_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE]));
		ev.group = nla_get_u32(tb[IOMMU_POLICY_A_GROUP_ID]);
		if (tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE])
			ev.device = nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE]);
		if (tb[IOMMU_POLICY_A_GROUP_POLICY])
			ev.policy = policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_POLICY]));
		if (tb[IOMMU_POLICY_A_GROUP_OWNER])
			ev.owner = owner_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_OWNER]));
		/* A module older than these attributes does not say them. */
		if (tb[IOMMU_POLICY_A_GROUP_CHANGE_PID])
			ev.pid = nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE_PID]);
		if (tb[IOMMU_POLICY_A_GROUP_CHANGE_COMM])
			ev.comm = nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_COMM]);
		if (tb[IOMMU_POLICY_A_GROUP_CHANGE_REASON])
			ev.reason = nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_REASON]);
		if (tb[IOMMU_POLICY_A_GROUP_CHANGE_OLD_POLICY])
			ev.old_policy = policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE_OLD_POLICY]));
	} else {
		return NL_OK;
	}
	deliver(s, &ev);
	return NL_OK;
}

/* Join the module's events; false (with a note) when it cannot. */
static bool module_open(struct ev_sources *s)
{
	char why[160];
	int grp, ret;

	if (nlc_open(&s->nl, why, sizeof(why))) {
		warnx_("%s: no module events: %s", s->cmd, why);
		return false;
	}
	grp = genl_ctrl_resolve_grp(s->nl.sk, IOMMU_POLICY_FAMILY_NAME, IOMMU_POLICY_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(s->nl.sk, grp);
	if (ret) {
		warnx_("%s: no module events: cannot join '%s': %s%s", s->cmd,
		       IOMMU_POLICY_MCGRP_EVENTS, nl_geterror(ret),
		       ret == -NLE_PERM ? " (it needs root)" : "");
		nlc_close(&s->nl);
		return false;
	}
	nl_socket_disable_seq_check(s->nl.sk);
	nl_socket_modify_cb(s->nl.sk, NL_CB_VALID, NL_CB_CUSTOM, on_module_event, s);
	return true;
}

static void module_read(struct ev_sources *s)
{
	int ret = nl_recvmsgs_default(s->nl.sk);

	/* ENOBUFS: the socket's buffer overflowed, events were lost. */
	if (ret == -NLE_NOMEM)
		s->nl_overruns++;
}

/* --- the kernel log -------------------------------------------------------------------- */

static int log_open(struct ev_sources *s)
{
	/* With a cursor, the whole ring: what is before it is passed over. */
	int fd = kmsg_open(!s->cursor);

	if (fd < 0)
		warnx_("%s: no kernel-log faults: /dev/kmsg: %s%s", s->cmd, strerror(-fd),
		       fd == -EACCES || fd == -EPERM ? " (it needs root)" : "");
	return fd;
}

static void log_event(enum kmsg_result r, const struct kmsg_fault *f, void *arg)
{
	struct ev_sources *s = arg;
	struct ev_event ev = {
		.source = EV_LOG, .group = -1, .pid = -1, .log = f,
		.device = f->device[0] ? f->device : NULL,
	};

	if (r == KMSG_FAULT) {
		ev.kind = "fault";
		ev.access = kmsg_access_name(f->access);
		ev.address = f->address;
		ev.has_address = f->has_address;
	} else {
		ev.kind = "suppressed";
		ev.count = f->suppressed;
	}
	deliver(s, &ev);
}

/* --- udev -------------------------------------------------------------------------------- */

static struct udev_monitor *udev_open(struct ev_sources *s)
{
	struct udev_monitor *um;
	struct stat st;

	s->udev = udev_new();
	if (!s->udev)
		return NULL;
	/* Without a udev daemon (a rescue shell, a container), the kernel's own uevents. */
	um = udev_monitor_new_from_netlink(s->udev,
					   stat("/run/udev/control", &st) ? "kernel" : "udev");
	if (!um || udev_monitor_filter_add_match_subsystem_devtype(um, "pci", NULL) ||
	    udev_monitor_enable_receiving(um)) {
		warnx_("%s: no udev events: cannot listen for them: %s", s->cmd, strerror(errno));
		if (um)
			udev_monitor_unref(um);
		udev_unref(s->udev);
		s->udev = NULL;
		return NULL;
	}
	return um;
}

static void udev_read(struct ev_sources *s)
{
	struct udev_device *d;

	while ((d = udev_monitor_receive_device(s->um))) {
		const char *action = udev_device_get_action(d);

		if (action && (!strcmp(action, "add") || !strcmp(action, "remove") ||
			       !strcmp(action, "bind") || !strcmp(action, "unbind"))) {
			struct ev_event ev = {
				.source = EV_UDEV, .kind = action, .group = -1, .pid = -1,
				.device = udev_device_get_sysname(d),
				.driver = udev_device_get_driver(d),
			};

			deliver(s, &ev);
		}
		udev_device_unref(d);
	}
}

/* --- all three ------------------------------------------------------------------------- */

bool ev_source_option(int opt, struct ev_select *sel)
{
	switch (opt) {
	case EV_OPT_NO_MODULE:
		sel->module = false;
		return true;
	case EV_OPT_NO_LOG:
		sel->log = false;
		return true;
	case EV_OPT_NO_UDEV:
		sel->udev = false;
		return true;
	}
	return false;
}

bool ev_live_system(const char *cmd)
{
	if (!sysfs_root()[0])
		return true;
	warnx_("%s: --sysroot reads a recorded tree; %s needs the live system", cmd, cmd);
	return false;
}

int ev_open(struct ev_sources *s, const char *cmd, const struct ev_select *sel,
	    struct kmsg_cursor *cursor, ev_fn fn, void *arg)
{
	*s = (struct ev_sources){ .cmd = cmd, .log_fd = -1, .cursor = cursor, .fn = fn, .arg = arg };
	kmsg_state_init(&s->kst);
	s->kst.attribute = stream_id_device;
	if (sel->module && (s->have_module = module_open(s)))
		s->pfd[s->n++] = (struct pollfd){ .fd = nl_socket_get_fd(s->nl.sk), .events = POLLIN };
	if (sel->log && (s->log_fd = log_open(s)) >= 0)
		s->pfd[s->n++] = (struct pollfd){ .fd = s->log_fd, .events = POLLIN };
	if (sel->udev && (s->um = udev_open(s)))
		s->pfd[s->n++] = (struct pollfd){ .fd = udev_monitor_get_fd(s->um), .events = POLLIN };
	return s->n;
}

const char *ev_describe(const struct ev_sources *s)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s%s%s", s->have_module ? " module-events" : "",
		 s->log_fd >= 0 ? " kernel-log" : "", s->um ? " udev" : "");
	return buf;
}

int ev_wait(struct ev_sources *s, int timeout_ms)
{
	if (poll(s->pfd, (nfds_t)s->n, timeout_ms) < 0)
		return -1;	/* EINTR */
	for (int i = 0; i < s->n; i++) {
		if (!(s->pfd[i].revents & (POLLIN | POLLERR)))
			continue;
		if (s->have_module && s->pfd[i].fd == nl_socket_get_fd(s->nl.sk))
			module_read(s);
		else if (s->pfd[i].fd == s->log_fd)
			kmsg_drain(s->log_fd, &s->kst, s->cursor, log_event, s);
		else if (s->um)
			udev_read(s);
	}
	return 0;
}

void ev_close(struct ev_sources *s)
{
	if (s->have_module)
		nlc_close(&s->nl);
	if (s->log_fd >= 0)
		close(s->log_fd);
	if (s->um)
		udev_monitor_unref(s->um);
	if (s->udev)
		udev_unref(s->udev);
	*s = (struct ev_sources){ .log_fd = -1 };
}
