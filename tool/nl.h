/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A client of the iommu_policy generic netlink family (libnl-genl), with the
 * kernel's extended ACK: for iommuctl and the VM tests' ipol-test.
 */
#ifndef IOMMUCTL_NL_H
#define IOMMUCTL_NL_H

#include <netlink/genl/genl.h>
#include <netlink/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlc {
	struct nl_sock *sk;
	int family;
	int err;		/* the last request's errno (positive), 0 for success */
	char extack[256];	/* its extended ACK message */
	int bad_attr_offset;	/* NLMSGERR_ATTR_OFFS, or -1 */
	int miss_type;		/* NLMSGERR_ATTR_MISS_TYPE, or -1 */
	int replies;
	bool done;		/* the request's ACK (or error) was read */
};

/* Connect and find the family; -1 with the reason in why. */
int nlc_open(struct nlc *nl, char *why, size_t size);
void nlc_close(struct nlc *nl);
/* A request of the family, with NLM_F_ACK (and flags). */
struct nl_msg *nlc_msg(struct nlc *nl, uint8_t cmd, int flags);
/*
 * Send @msg (freed) and read the replies into @valid until the ACK or an
 * error; returns nl->err, the errno (0 for success), with nl->extack the
 * kernel's message.
 */
int nlc_request(struct nlc *nl, struct nl_msg *msg, nl_recvmsg_msg_cb_t valid, void *arg);

/* "policy", "claimed", ...: a group-change-ntf's change (enum iommu_policy_change). */
const char *nlc_change_name(uint32_t change);

#endif
