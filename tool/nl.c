// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <linux/iommu_policy_netlink.h>
#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int nlc_open(struct nlc *nl, char *why, size_t size)
{
	int one = 1;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		snprintf(why, size, "cannot open a generic netlink socket");
		if (nl->sk)
			nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -1;
	}
	nl->family = genl_ctrl_resolve(nl->sk, IOMMU_POLICY_FAMILY_NAME);
	if (nl->family < 0) {
		snprintf(why, size, "the generic netlink family %s is not registered: the iommu_policy module is not loaded",
			 IOMMU_POLICY_FAMILY_NAME);
		nl_socket_free(nl->sk);
		nl->sk = NULL;
		return -1;
	}
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

void nlc_close(struct nlc *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

/* Errors, with the extended ACK's attributes (NLM_F_ACK_TLVS, capped). */
static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	struct nlc *nl = arg;

	(void)who;
	nl->done = true;
	nl->err = -e->error;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		size_t off = NLMSG_HDRLEN + sizeof(*e);
		struct nlattr *tb[NLMSGERR_ATTR_MAX + 1] = { 0 };

		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
		if (off < nlh->nlmsg_len &&
		    !nla_parse(tb, NLMSGERR_ATTR_MAX, (struct nlattr *)((char *)nlh + off),
			       (int)(nlh->nlmsg_len - off), NULL)) {
			if (tb[NLMSGERR_ATTR_MSG])
				snprintf(nl->extack, sizeof(nl->extack), "%s",
					 nla_get_string(tb[NLMSGERR_ATTR_MSG]));
			if (tb[NLMSGERR_ATTR_OFFS])
				nl->bad_attr_offset = (int)nla_get_u32(tb[NLMSGERR_ATTR_OFFS]);
			if (tb[NLMSGERR_ATTR_MISS_TYPE])
				nl->miss_type = (int)nla_get_u32(tb[NLMSGERR_ATTR_MISS_TYPE]);
		}
	}
	return NL_STOP;
}

static int on_ack(struct nl_msg *msg, void *arg)
{
	struct nlc *nl = arg;

	(void)msg;
	nl->done = true;
	return NL_STOP;
}

/* Send @msg (freed) and read replies into @valid until the ACK or an error. */
int nlc_request(struct nlc *nl, struct nl_msg *msg, nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	nl->err = 0;
	nl->extack[0] = '\0';
	nl->bad_attr_offset = -1;
	nl->miss_type = -1;
	nl->replies = 0;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, nl);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, nl);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_ack, nl);
	if (valid)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	if (ret < 0) {
		nl->err = EIO;
	} else {
		/*
		 * A reply and its ACK arrive as two datagrams, and nl_recvmsgs()
		 * may return after the first: read on until the ACK, so that it
		 * is not left for the socket's next request.
		 */
		nl->done = false;
		do
			ret = nl_recvmsgs(nl->sk, cb);
		while (ret >= 0 && !nl->done);
		if (ret < 0 && !nl->err)
			nl->err = EIO;
	}
	nl_cb_put(cb);
	return nl->err;
}

struct nl_msg *nlc_msg(struct nlc *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0,
				 flags | NLM_F_ACK, cmd, IOMMU_POLICY_FAMILY_VERSION)) {
		fprintf(stderr, "out of memory\n");
		exit(EXIT_FAILURE);
	}
	return msg;
}

const char *nlc_change_name(uint32_t change)
{
	static const char *const names[] = {
		[IOMMU_POLICY_CHANGE_POLICY] = "policy",
		[IOMMU_POLICY_CHANGE_CLAIMED] = "claimed",
		[IOMMU_POLICY_CHANGE_QUARANTINED] = "quarantined",
		[IOMMU_POLICY_CHANGE_RELEASED] = "released",
		[IOMMU_POLICY_CHANGE_DRIVER_BOUND] = "driver-bound",
		[IOMMU_POLICY_CHANGE_DRIVER_UNBOUND] = "driver-unbound",
		[IOMMU_POLICY_CHANGE_DEVICE_ADDED] = "device-added",
		[IOMMU_POLICY_CHANGE_DEVICE_REMOVED] = "device-removed",
		[IOMMU_POLICY_CHANGE_REFUSED] = "refused",
	};

	return change < sizeof(names) / sizeof(names[0]) && names[change] ? names[change] : "?";
}
