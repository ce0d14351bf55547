// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipol-test nl: a libnl client of the iommu_policy generic netlink family,
 * for the VM tests (see ipol-test.c for the common options).
 *
 *   nl get G                 print group G (lines below)
 *   nl dump                  print every group
 *   nl set G POLICY          change the policy; print "ok", or the errno's
 *                            name and the extended ACK's message
 *   nl stats                 print the module-wide counters and features
 *   nl reset                 reset the counters; "ok" or the errno's name
 *   nl listen [--idle-ms MS] [--max N] [--rcvbuf BYTES]
 *                            join "events", print "listening", then one line
 *                            per event until MS (default 3000) ms pass
 *                            without one, N events arrived, or SIGTERM; then
 *                            "summary faults=F dropped=D changes=C enobufs=E"
 *   nl accounting [0|1|?]... [--wait]
 *                            one dma-accounting request per argument (with
 *                            hold 0 or 1, or "?" without), printing
 *                            "accounting enabled= pinned= clients= since=
 *                            held=" for each; --wait then keeps the socket
 *                            (and its hold) open until a signal ends it
 *   nl badinput G            send every malformed request and print
 *                            unnumbered TAP lines
 *
 * Output lines are "KIND key=value ...":
 *   group id=3 policy=lazy mandatory=unknown owner=dma-api [pid= comm= since=]
 *         drivers="..." last_error="..."
 *   device group=3 name=0000:00:02.0 [driver=ahci] COUNTERS
 *   counters group=3 COUNTERS      (stats: "counters module COUNTERS features=0x..")
 *   change group=3 change=policy [device=...] [policy=... owner=...]
 *   fault [group=3] [device=...] write=0|1 iova=0x... time=NS
 *   drop dropped=N
 * where COUNTERS is "name=value" for every counter present, named as in
 * the spec with '-' replaced by '_'.
 */
#include <errno.h>
#include <linux/iommu_policy.h>
#include <linux/iommu_policy_netlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"
#include "iommu_policy_names.h"
#include "ipol-test.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* A policy's name, or a number (to test bad values). */
int parse_policy(const char *s)
{
	int p = iommu_policy_from_name(s);

	return p >= 0 ? p : atoi(s);
}

/* --- printing what the module sends --------------------------------------------- */

static const char *const counter_names[IOMMU_POLICY_A_COUNTERS_MAX + 1] = {
	[IOMMU_POLICY_A_COUNTERS_FAULTS] = "faults",
	[IOMMU_POLICY_A_COUNTERS_FAULTS_READ] = "faults_read",
	[IOMMU_POLICY_A_COUNTERS_FAULTS_WRITE] = "faults_write",
	[IOMMU_POLICY_A_COUNTERS_LAST_FAULT_TIME] = "last_fault_time",
	[IOMMU_POLICY_A_COUNTERS_LAST_FAULT_DEVICE] = "last_fault_device",
	[IOMMU_POLICY_A_COUNTERS_LAST_FAULT_IOVA] = "last_fault_iova",
	[IOMMU_POLICY_A_COUNTERS_FAULTS_UNATTRIBUTED] = "faults_unattributed",
	[IOMMU_POLICY_A_COUNTERS_DMA_MAPS] = "dma_maps",
	[IOMMU_POLICY_A_COUNTERS_DMA_UNMAPS] = "dma_unmaps",
	[IOMMU_POLICY_A_COUNTERS_DMA_BYTES_MAPPED] = "dma_bytes_mapped",
	[IOMMU_POLICY_A_COUNTERS_DMA_BYTES_UNMAPPED] = "dma_bytes_unmapped",
	[IOMMU_POLICY_A_COUNTERS_IOMMU_MAPS] = "iommu_maps",
	[IOMMU_POLICY_A_COUNTERS_IOMMU_UNMAPS] = "iommu_unmaps",
	[IOMMU_POLICY_A_COUNTERS_IOMMU_BYTES_MAPPED] = "iommu_bytes_mapped",
	[IOMMU_POLICY_A_COUNTERS_IOMMU_BYTES_UNMAPPED] = "iommu_bytes_unmapped",
	[IOMMU_POLICY_A_COUNTERS_EVENTS_DROPPED] = "events_dropped",
	[IOMMU_POLICY_A_COUNTERS_RESET_TIME] = "reset_time",
	[IOMMU_POLICY_A_COUNTERS_DMA_ACCOUNTING] = "dma_accounting",
	[IOMMU_POLICY_A_COUNTERS_DMA_ACCOUNTING_SINCE] = "dma_accounting_since",
};

static void print_counters(struct nlattr *nest)
{
	struct nlattr *a;
	int rem;

	nla_for_each_nested(a, nest, rem) {
		int type = nla_type(a);

		if (type <= 0 || type > IOMMU_POLICY_A_COUNTERS_MAX || !counter_names[type])
			printf(" unknown_%d", type);
		else if (type == IOMMU_POLICY_A_COUNTERS_LAST_FAULT_DEVICE)
			printf(" %s=%s", counter_names[type], nla_get_string(a));
		else if (type == IOMMU_POLICY_A_COUNTERS_DMA_ACCOUNTING)
			printf(" %s=%u", counter_names[type], nla_get_u8(a));
		else if (type == IOMMU_POLICY_A_COUNTERS_LAST_FAULT_IOVA)
			printf(" %s=0x%llx", counter_names[type], (unsigned long long)nla_get_u64(a));
		else
			printf(" %s=%llu", counter_names[type], (unsigned long long)nla_get_u64(a));
	}
}


/* A group-get reply or a group-change-ntf; -1 if it has no group id. */
static int print_group(struct nl_msg *msg, const char *kind)
{
	struct nlattr *tb[IOMMU_POLICY_A_GROUP_MAX + 1];
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	uint32_t id;
	int rem;

	if (genlmsg_parse(nlh, 0, tb, IOMMU_POLICY_A_GROUP_MAX, NULL) ||
	    !tb[IOMMU_POLICY_A_GROUP_ID]) {
		printf("# a group message without an id\n");
		return -1;
	}
	id = nla_get_u32(tb[IOMMU_POLICY_A_GROUP_ID]);
	printf("%s id=%u", kind, id);
	if (tb[IOMMU_POLICY_A_GROUP_CHANGE])
		printf(" change=%s", nlc_change_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE])));
	if (tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE])
		printf(" device=%s", nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_DEVICE]));
	if (tb[IOMMU_POLICY_A_GROUP_POLICY])
		printf(" policy=%s", iommu_policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_POLICY])));
	if (tb[IOMMU_POLICY_A_GROUP_MANDATORY])
		printf(" mandatory=%s",
		       iommu_policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_MANDATORY])));
	if (tb[IOMMU_POLICY_A_GROUP_OWNER])
		printf(" owner=%s", iommu_policy_owner_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_OWNER])));
	if (tb[IOMMU_POLICY_A_GROUP_OWNER_PID])
		printf(" pid=%u", nla_get_u32(tb[IOMMU_POLICY_A_GROUP_OWNER_PID]));
	if (tb[IOMMU_POLICY_A_GROUP_OWNER_COMM])
		printf(" comm=%s", nla_get_string(tb[IOMMU_POLICY_A_GROUP_OWNER_COMM]));
	if (tb[IOMMU_POLICY_A_GROUP_OWNER_SINCE])
		printf(" since=%lld", (long long)nla_get_s64(tb[IOMMU_POLICY_A_GROUP_OWNER_SINCE]));
	if (tb[IOMMU_POLICY_A_GROUP_OWNER_DRIVERS])
		printf(" drivers=\"%s\"", nla_get_string(tb[IOMMU_POLICY_A_GROUP_OWNER_DRIVERS]));
	if (tb[IOMMU_POLICY_A_GROUP_LAST_ERROR])
		printf(" last_error=\"%s\"", nla_get_string(tb[IOMMU_POLICY_A_GROUP_LAST_ERROR]));
	/* Who and why, last: of notifications only. */
	if (tb[IOMMU_POLICY_A_GROUP_CHANGE_OLD_POLICY])
		printf(" from=%s",
		       iommu_policy_name(nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE_OLD_POLICY])));
	if (tb[IOMMU_POLICY_A_GROUP_CHANGE_PID])
		printf(" by=%u/%s", nla_get_u32(tb[IOMMU_POLICY_A_GROUP_CHANGE_PID]),
		       tb[IOMMU_POLICY_A_GROUP_CHANGE_COMM] ?
		       nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_COMM]) : "?");
	if (tb[IOMMU_POLICY_A_GROUP_CHANGE_REASON])
		printf(" reason=\"%s\"", nla_get_string(tb[IOMMU_POLICY_A_GROUP_CHANGE_REASON]));
	putchar('\n');

	if (tb[IOMMU_POLICY_A_GROUP_COUNTERS]) {
		printf("counters group=%u", id);
		print_counters(tb[IOMMU_POLICY_A_GROUP_COUNTERS]);
		putchar('\n');
	}
	/* Every device attribute; parsing keeps only the last of a multi-attr. */
	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem) {
		struct nlattr *dtb[IOMMU_POLICY_A_DEVICE_MAX + 1];

		if (nla_type(a) != IOMMU_POLICY_A_GROUP_DEVICE ||
		    nla_parse_nested(dtb, IOMMU_POLICY_A_DEVICE_MAX, a, NULL) ||
		    !dtb[IOMMU_POLICY_A_DEVICE_NAME])
			continue;
		printf("device group=%u name=%s", id, nla_get_string(dtb[IOMMU_POLICY_A_DEVICE_NAME]));
		if (dtb[IOMMU_POLICY_A_DEVICE_DRIVER])
			printf(" driver=%s", nla_get_string(dtb[IOMMU_POLICY_A_DEVICE_DRIVER]));
		if (dtb[IOMMU_POLICY_A_DEVICE_COUNTERS])
			print_counters(dtb[IOMMU_POLICY_A_DEVICE_COUNTERS]);
		putchar('\n');
	}
	return 0;
}

static int on_group(struct nl_msg *msg, void *arg)
{
	struct nlc *nl = arg;

	if (print_group(msg, "group"))
		return NL_SKIP;
	nl->replies++;
	return NL_OK;
}

static int on_stats(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IOMMU_POLICY_A_STATS_MAX + 1];
	struct nlc *nl = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_STATS_MAX, NULL))
		return NL_SKIP;
	printf("counters module");
	if (tb[IOMMU_POLICY_A_STATS_COUNTERS])
		print_counters(tb[IOMMU_POLICY_A_STATS_COUNTERS]);
	if (tb[IOMMU_POLICY_A_STATS_FEATURES])
		printf(" features=0x%x", nla_get_u32(tb[IOMMU_POLICY_A_STATS_FEATURES]));
	putchar('\n');
	nl->replies++;
	return NL_OK;
}

static int report_nl(struct nlc *nl)
{
	if (!nl->err)
		puts("ok");
	else if (nl->extack[0])
		printf("%s %s\n", errname(nl->err), nl->extack);
	else
		puts(errname(nl->err));
	fflush(stdout);
	return nl->err ? 1 : 0;
}

/* --- commands ------------------------------------------------------------------------ */

static int cmd_get(struct nlc *nl, long group)
{
	struct nl_msg *msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_GET, group < 0 ? NLM_F_DUMP : 0);

	if (group >= 0)
		nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, (uint32_t)group);
	if (nlc_request(nl, msg, on_group, nl))
		return report_nl(nl);
	fflush(stdout);
	return 0;
}

static int cmd_set(struct nlc *nl, uint32_t group, const char *policy)
{
	struct nl_msg *msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	int p = parse_policy(policy);

	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, (uint32_t)p);
	nlc_request(nl, msg, NULL, NULL);
	return report_nl(nl);
}

static int cmd_stats(struct nlc *nl)
{
	if (nlc_request(nl, nlc_msg(nl, IOMMU_POLICY_NL_CMD_STATS_GET, 0), on_stats, nl))
		return report_nl(nl);
	fflush(stdout);
	return 0;
}

static int cmd_reset(struct nlc *nl)
{
	nlc_request(nl, nlc_msg(nl, IOMMU_POLICY_NL_CMD_STATS_RESET, 0), NULL, NULL);
	return report_nl(nl);
}

static int on_accounting(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[IOMMU_POLICY_A_DMA_ACCOUNTING_MAX + 1];
	struct nlc *nl = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_DMA_ACCOUNTING_MAX, NULL))
		return NL_SKIP;
	printf("accounting enabled=%u pinned=%u clients=%u since=%llu held=%u\n",
	       tb[IOMMU_POLICY_A_DMA_ACCOUNTING_ENABLED] ?
			nla_get_u8(tb[IOMMU_POLICY_A_DMA_ACCOUNTING_ENABLED]) : 9,
	       tb[IOMMU_POLICY_A_DMA_ACCOUNTING_PINNED] ?
			nla_get_u8(tb[IOMMU_POLICY_A_DMA_ACCOUNTING_PINNED]) : 9,
	       tb[IOMMU_POLICY_A_DMA_ACCOUNTING_CLIENTS] ?
			nla_get_u32(tb[IOMMU_POLICY_A_DMA_ACCOUNTING_CLIENTS]) : 999,
	       tb[IOMMU_POLICY_A_DMA_ACCOUNTING_SINCE] ?
			(unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_DMA_ACCOUNTING_SINCE]) : 0ULL,
	       tb[IOMMU_POLICY_A_DMA_ACCOUNTING_HELD] ?
			nla_get_u8(tb[IOMMU_POLICY_A_DMA_ACCOUNTING_HELD]) : 9);
	fflush(stdout);
	nl->replies++;
	return NL_OK;
}

/*
 * accounting [0|1]... [--wait]: one dma-accounting request per argument
 * (0 or 1: with hold; "?": without), printing each reply; with --wait,
 * then keep the socket (and its hold) until SIGTERM or SIGKILL.
 */
static int cmd_accounting(struct nlc *nl, int argc, char **argv)
{
	bool wait = false;
	int i;

	for (i = 0; i < argc; i++) {
		struct nl_msg *msg;

		if (!strcmp(argv[i], "--wait")) {
			wait = true;
			continue;
		}
		msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING, 0);
		if (strcmp(argv[i], "?"))
			nla_put_u8(msg, IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD, (uint8_t)atoi(argv[i]));
		if (nlc_request(nl, msg, on_accounting, nl))
			return report_nl(nl);
	}
	while (wait)
		pause();
	return 0;
}

/* --- listening ------------------------------------------------------------------------ */

struct listen {
	unsigned long long faults, dropped, changes, enobufs;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct listen *l = arg;

	switch (gh->cmd) {
	case IOMMU_POLICY_NL_CMD_FAULT_NTF: {
		struct nlattr *tb[IOMMU_POLICY_A_FAULT_MAX + 1];

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_FAULT_MAX, NULL))
			break;
		printf("fault");
		if (tb[IOMMU_POLICY_A_FAULT_GROUP])
			printf(" group=%u", nla_get_u32(tb[IOMMU_POLICY_A_FAULT_GROUP]));
		if (tb[IOMMU_POLICY_A_FAULT_DEVICE])
			printf(" device=%s", nla_get_string(tb[IOMMU_POLICY_A_FAULT_DEVICE]));
		printf(" write=%d", tb[IOMMU_POLICY_A_FAULT_WRITE] ? 1 : 0);
		if (tb[IOMMU_POLICY_A_FAULT_IOVA])
			printf(" iova=0x%llx",
			       (unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_FAULT_IOVA]));
		if (tb[IOMMU_POLICY_A_FAULT_TIME])
			printf(" time=%llu",
			       (unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_FAULT_TIME]));
		putchar('\n');
		l->faults++;
		break;
	}
	case IOMMU_POLICY_NL_CMD_DROP_NTF: {
		struct nlattr *tb[IOMMU_POLICY_A_DROP_MAX + 1];
		unsigned long long n;

		if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, IOMMU_POLICY_A_DROP_MAX, NULL) ||
		    !tb[IOMMU_POLICY_A_DROP_DROPPED])
			break;
		n = (unsigned long long)nla_get_u64(tb[IOMMU_POLICY_A_DROP_DROPPED]);
		printf("drop dropped=%llu\n", n);
		l->dropped += n;
		break;
	}
	case IOMMU_POLICY_NL_CMD_GROUP_CHANGE_NTF:
		if (!print_group(msg, "change"))
			l->changes++;
		break;
	default:
		printf("unknown cmd=%u\n", gh->cmd);
		break;
	}
	return NL_OK;
}

static int cmd_listen(struct nlc *nl, int argc, char **argv)
{
	unsigned long long max = 0;
	int idle_ms = 3000, rcvbuf = 8 << 20, group, ret;
	struct listen l = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };

	for (int i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--idle-ms"))
			idle_ms = atoi(argv[i + 1]);
		else if (!strcmp(argv[i], "--max"))
			max = strtoull(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--rcvbuf"))
			rcvbuf = atoi(argv[i + 1]);
		else
			return 2;
	}
	if (argc % 2)
		return 2;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	group = genl_ctrl_resolve_grp(nl->sk, IOMMU_POLICY_FAMILY_NAME, IOMMU_POLICY_MCGRP_EVENTS);
	if (group < 0) {
		fprintf(stderr, "ipol-test: no multicast group %s\n", IOMMU_POLICY_MCGRP_EVENTS);
		return 1;
	}
	nl_socket_disable_seq_check(nl->sk);
	ret = nl_socket_add_membership(nl->sk, group);
	if (ret) {
		/* libnl translates the errno; EPERM is what the tests look for. */
		puts(ret == -NLE_PERM ? "EPERM" : nl_geterror(ret));
		fflush(stdout);
		return 1;
	}
	/* As root, past net.core.rmem_max: a storm must not overflow the socket. */
	if (setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
		       sizeof(rcvbuf)))
		setsockopt(nl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF, &rcvbuf,
			   sizeof(rcvbuf));
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, &l);
	puts("listening");
	fflush(stdout);

	while (!stop && (!max || l.faults + l.dropped + l.changes < max)) {
		struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };

		ret = poll(&pfd, 1, idle_ms);
		if (ret == 0)
			break;
		if (ret < 0)
			continue;	/* EINTR: stop is checked */
		ret = nl_recvmsgs_default(nl->sk);
		if (ret == -NLE_NOMEM)	/* ENOBUFS: the socket overflowed */
			l.enobufs++;
		fflush(stdout);
	}
	printf("summary faults=%llu dropped=%llu changes=%llu enobufs=%llu\n",
	       l.faults, l.dropped, l.changes, l.enobufs);
	fflush(stdout);
	return 0;
}

/* --- malformed requests ----------------------------------------------------------------- */

static int failures;

static void expect(struct nlc *nl, const char *what, int want)
{
	bool good = nl->err == want;

	printf("%s - netlink: %s gives %s\n", good ? "ok" : "not ok", what,
	       want ? errname(want) : "success");
	if (!good)
		printf("# got %s\n", nl->err ? errname(nl->err) : "success");
	if (nl->extack[0])
		printf("# extack: %s\n", nl->extack);
	failures += !good;
}

/* The attribute just added, to corrupt it. */
static struct nlattr *last_attr(struct nl_msg *msg, size_t before)
{
	return (struct nlattr *)((char *)nlmsg_hdr(msg) + before);
}

static int cmd_badinput(struct nlc *nl, uint32_t group)
{
	uint64_t u64 = group;
	struct nl_msg *msg;
	struct nlattr *a;
	size_t len;

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET without a policy", EINVAL);
	if (nl->miss_type != IOMMU_POLICY_A_GROUP_POLICY)
		printf("not ok - netlink: the ACK names the missing policy attribute\n"), failures++;
	else
		printf("ok - netlink: the ACK names the missing policy attribute\n");

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, IOMMU_POLICY_STRICT);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET without a group id", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_GET, 0);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_GET without a group id", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_GET, 0);
	nla_put_u64(msg, IOMMU_POLICY_A_GROUP_ID, u64);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_GET with an 8-byte (oversized) group id", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nla_put_string(msg, IOMMU_POLICY_A_GROUP_POLICY, "lazy");
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET with the policy as a string (wrong type)", EINVAL);

	for (uint32_t p = 0; p <= 7; p += 5) {
		msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
		nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
		nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, p);
		nlc_request(nl, msg, NULL, NULL);
		expect(nl, p ? "GROUP_SET with policy value 5 (blocked)" :
			       "GROUP_SET with policy value 0 (unknown)", ERANGE);
	}

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, 0x7fff0000);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, IOMMU_POLICY_STRICT);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET of a group that does not exist", ENOENT);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_GET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_MAX + 5, 1);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_GET with an unknown attribute", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_GET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, IOMMU_POLICY_LAZY);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_GET with an attribute it does not take", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_STATS_GET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_STATS_FEATURES, 1);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "STATS_GET with an attribute", EINVAL);

	/* An attribute whose length runs past the end of the message. */
	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	len = nlmsg_hdr(msg)->nlmsg_len;
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, IOMMU_POLICY_STRICT);
	a = last_attr(msg, len);
	a->nla_len = 200;
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET with an attribute longer than the message", EINVAL);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, group);
	nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, IOMMU_POLICY_STRICT);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->reserved = 1;
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET with the reserved header field set", EINVAL);

	nlc_request(nl, nlc_msg(nl, 99, 0), NULL, NULL);
	expect(nl, "an unknown command", EOPNOTSUPP);

	nlc_request(nl, nlc_msg(nl, IOMMU_POLICY_NL_CMD_FAULT_NTF, 0), NULL, NULL);
	expect(nl, "a notification's command sent as a request", EOPNOTSUPP);

	msg = nlc_msg(nl, IOMMU_POLICY_NL_CMD_GROUP_SET, NLM_F_DUMP);
	nlc_request(nl, msg, NULL, NULL);
	expect(nl, "GROUP_SET as a dump", EOPNOTSUPP);

	return failures ? 1 : 0;
}

int cmd_nl(int argc, char **argv)
{
	struct nlc nl;
	char why[160];
	int ret = 2;

	if (argc < 1)
		return 2;
	if (nlc_open(&nl, why, sizeof(why))) {
		fprintf(stderr, "ipol-test: %s\n", why);
		return 1;
	}
	if (argc == 2 && !strcmp(argv[0], "get"))
		ret = cmd_get(&nl, strtol(argv[1], NULL, 0));
	else if (argc == 1 && !strcmp(argv[0], "dump"))
		ret = cmd_get(&nl, -1);
	else if (argc == 3 && !strcmp(argv[0], "set"))
		ret = cmd_set(&nl, (uint32_t)strtoul(argv[1], NULL, 0), argv[2]);
	else if (argc == 1 && !strcmp(argv[0], "stats"))
		ret = cmd_stats(&nl);
	else if (argc == 1 && !strcmp(argv[0], "reset"))
		ret = cmd_reset(&nl);
	else if (!strcmp(argv[0], "listen"))
		ret = cmd_listen(&nl, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "accounting"))
		ret = cmd_accounting(&nl, argc - 1, argv + 1);
	else if (argc == 2 && !strcmp(argv[0], "badinput"))
		ret = cmd_badinput(&nl, (uint32_t)strtoul(argv[1], NULL, 0));
	nlc_close(&nl);
	return ret;
}
