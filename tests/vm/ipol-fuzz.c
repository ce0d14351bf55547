// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipol-fuzz: an in-guest fuzzer of iommu_policy.ko's entry points, for the
 * VM tests (guest/fuzz-checks).
 *
 *   ipol-fuzz [--seed N] [--iterations N] [--seconds S] [--only ioctl,netlink,sysfs]
 *             [--uid UID] [--label TEXT] [--verbose]
 *
 * For --iterations calls (default 100000) or --seconds (default 60),
 * whichever ends first, it sends, chosen by a PRNG seeded with --seed (the
 * same seed makes the same calls in the same order):
 *
 *  - ioctls on /dev/iommu_policy: the real command numbers and their
 *    neighbours, other directions and sizes in the encoding, other types
 *    (never the ones the VFS itself handles: FIFREEZE and friends); structs
 *    of the right, short, long, zero-padded and garbage-padded sizes, random
 *    flags, group ids, reserved fields and policies; the argument NULL, an
 *    unmapped or kernel address, a struct ending at an unmapped page, a
 *    read-only page; GROUP_INFO's device buffer likewise;
 *  - generic netlink messages to the iommu_policy family (and a few to
 *    nlctrl, and control types): every command and unknown ones, random
 *    header flags (dumps, no ACK, no REQUEST), versions, reserved bits,
 *    attributes of every type with wrong lengths, nesting, truncated or
 *    overlong lengths, messages whose length lies; a listener of the events
 *    group joins and leaves meanwhile;
 *  - writes to every writable file of the module (/sys/kernel/iommu_policy:
 *    each group's policy, stats/reset): words, mutated words, random bytes,
 *    long buffers, embedded NULs.
 *
 * "Every rejected input changes nothing" is checked against a model of the
 * state: every group's policy, the kernel's type, owner and mandatory
 * policy, its devices, their drivers and driver_override, and the fault
 * counters (group and module; not the DMA counters, which the guest's own
 * DMA moves, nor last_error, where refusals are explained by design).  The
 * state is compared with the model every 64 calls and, for the group it
 * concerns, before each call that may legitimately change something (a
 * claim, release, policy change or counter reset that is well formed); only
 * such a call, when it succeeds, updates the model.  A call that is invalid
 * by construction (a command number that is not one, a bad pointer, a size
 * below the minimum, unknown flags, reserved bits, a policy out of range, a
 * group that does not exist, unknown attributes or commands) must be
 * refused.  With --uid the calls are made as that user, without
 * capabilities: nothing may change at all.  Afterwards claims are released,
 * quarantines ended and policies restored, and the state must equal the one
 * before the run.
 *
 * Output: unnumbered TAP lines ("ok - ...", "not ok - ...", "# ...") naming
 * the seed; a failure lists the calls since the last good comparison, to
 * reproduce with the same seed and --iterations up to the last of them.
 * Exit status 0, 1 on a failure, 2 on bad usage.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/genetlink.h>
#include <linux/iommu_policy.h>
#include <linux/iommu_policy_netlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ipol-state.h"


#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* --- options and reporting ------------------------------------------------------------ */

static unsigned long long opt_seed = 1, opt_iterations = 100000;
static double opt_seconds = 60;
static unsigned int opt_only = 7;	/* 1 ioctl, 2 netlink, 4 sysfs */
static long opt_uid = -1;
static const char *opt_label = "";
static bool opt_verbose;

static unsigned long long call_no;	/* the call being made, from 1 */
static unsigned int failures;

static const char *errname(int err)
{
	return ipol_errname(err);
}

/* The calls since the last good comparison, to show with a failure. */
#define RING 128
static char ring[RING][200];
static unsigned long long ring_first = 1;	/* the first call not yet known good */

static void note_call(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note_call(const char *fmt, ...)
{
	char *s = ring[call_no % RING];
	int n = snprintf(s, sizeof(ring[0]), "#%llu ", call_no);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s + n, sizeof(ring[0]) - (size_t)n, fmt, ap);
	va_end(ap);
	if (opt_verbose)
		printf("# %s\n", s), fflush(stdout);
}

/* Append the result to the current call's line. */
static void note_result(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note_result(const char *fmt, ...)
{
	char *s = ring[call_no % RING];
	size_t n = strlen(s);
	va_list ap;

	if (n + 4 >= sizeof(ring[0]))
		return;
	memcpy(s + n, " -> ", 4);
	va_start(ap, fmt);
	vsnprintf(s + n + 4, sizeof(ring[0]) - n - 4, fmt, ap);
	va_end(ap);
	if (opt_verbose)
		printf("#   %s\n", s + n + 4), fflush(stdout);
}

static void print_calls(unsigned long long from, unsigned long long to)
{
	if (to < from)
		return;
	if (to - from >= RING)
		from = to - RING + 1;
	for (unsigned long long i = from; i <= to; i++)
		printf("#   %s\n", ring[i % RING]);
}

/* A failure found while running: diagnostics now, the TAP verdict at the end. */
#define MAX_REPORTS 10
static unsigned int violations, accepted_invalid;

static void violation(const char *what, const char *detail, unsigned long long from,
		      unsigned long long to)
{
	violations++;
	if (violations > MAX_REPORTS)
		return;
	printf("# %s (seed %llu, calls #%llu to #%llu):\n", what, opt_seed, from, to);
	if (detail && *detail)
		printf("%s", detail);
	printf("#   the calls (reproduce: --seed %llu --iterations %llu):\n", opt_seed, to);
	print_calls(from, to);
	fflush(stdout);
}

/* --- random -------------------------------------------------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t below(uint32_t n)
{
	return n ? (uint32_t)(rnd() % n) : 0;
}

static bool chance(unsigned int percent)
{
	return below(100) < percent;
}

static void random_bytes(void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((unsigned char *)p)[i] = (unsigned char)rnd();
}

/* An interesting 32-bit value. */
static uint32_t random_u32(void)
{
	static const uint32_t edges[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff,
		0x80000000, 0xfffffffe, 0xffffffff,
	};

	switch (below(3)) {
	case 0:
		return edges[below(ARRAY_SIZE(edges))];
	case 1:
		return below(70);
	default:
		return (uint32_t)rnd();
	}
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- the model ------------------------------------------------------------------------------ */

static struct state initial, model;
static bool counters_reset;	/* a reset succeeded: the end compares no counters */
static char diff_buf[8192];

/*
 * Compare everything with the model, before call_no is made: the calls since
 * the last comparison are to blame for a difference.  The model follows.
 */
static void checkpoint(void)
{
	static struct state cur;

	read_state(&cur);
	if (diff_state(&model, &cur, true, diff_buf, sizeof(diff_buf)))
		violation("a rejected call changed the state", diff_buf, ring_first, call_no - 1);
	model = cur;
	ring_first = call_no;
}

/* Before call_no, which may change group id: the group must still be the model's. */
static void checkpoint_group(unsigned int id)
{
	struct group_state *m = find_group(&model, id), g;

	if (!m) {
		checkpoint();
		return;
	}
	read_group(id, &g);
	diff_buf[0] = '\0';
	if (diff_group(m, &g, diff_buf, sizeof(diff_buf))) {
		violation("a rejected call changed the state", diff_buf, ring_first, call_no - 1);
		*m = g;
	}
}

/* After call_no changed group id (or, with -1, anything): the model follows, unchecked. */
static void rebase(long id)
{
	static struct state cur;
	struct group_state *m = id >= 0 ? find_group(&model, (unsigned int)id) : NULL;

	if (m) {
		read_group((unsigned int)id, m);
		return;
	}
	read_state(&cur);
	model = cur;
	ring_first = call_no + 1;
}

/*
 * After call_no, which might have changed group id (or, with -1, anything),
 * was refused: it must have changed nothing (the state was checked just
 * before it).
 */
static void verify_refused(long id)
{
	static struct state cur;
	struct group_state *m = id >= 0 ? find_group(&model, (unsigned int)id) : NULL, g;

	diff_buf[0] = '\0';
	if (m) {
		read_group((unsigned int)id, &g);
		if (diff_group(m, &g, diff_buf, sizeof(diff_buf))) {
			violation("a refused call changed the state", diff_buf, call_no, call_no);
			*m = g;
		}
		return;
	}
	read_state(&cur);
	if (diff_state(&model, &cur, true, diff_buf, sizeof(diff_buf)))
		violation("a refused call changed the state", diff_buf, call_no, call_no);
	model = cur;
	ring_first = call_no + 1;
}

/* A call that must have been refused was not. */
static void invalid_accepted(const char *what)
{
	accepted_invalid++;
	violation(what, NULL, call_no, call_no);
}

static unsigned int random_group_id(void)
{
	if (model.n && chance(65))
		return model.g[below((uint32_t)model.n)].id;
	return random_u32();
}

/* --- ioctls -------------------------------------------------------------------------------- */

static int dev_fd = -1;
static unsigned char *arg_area;		/* two pages: read-write, then PROT_NONE */
static unsigned char *ro_page;		/* one read-only page */
static long page_size;
static unsigned long long stat_ioctls, stat_ioctl_ok;

struct ioctl_op {
	const char *name;
	unsigned int nr, size;
};

static const struct ioctl_op ioctl_ops[] = {
	{ "GET_INFO", IOMMU_POLICY_CMD_GET_INFO, sizeof(struct iommu_policy_info) },
	{ "GROUP_INFO", IOMMU_POLICY_CMD_GROUP_INFO, sizeof(struct iommu_policy_group_info) },
	{ "CLAIM", IOMMU_POLICY_CMD_CLAIM, sizeof(struct iommu_policy_claim) },
	{ "RELEASE", IOMMU_POLICY_CMD_RELEASE, sizeof(struct iommu_policy_release) },
	{ "SET_POLICY", IOMMU_POLICY_CMD_SET_POLICY, sizeof(struct iommu_policy_set_policy) },
};

static void open_dev(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
}

/* A user pointer the kernel cannot read. */
static uint64_t bad_pointer(const char **what)
{
	static const struct {
		uint64_t p;
		const char *what;
	} bad[] = {
		{ 0, "NULL" },
		{ 16, "unmapped 0x10" },
		{ 4096, "unmapped 0x1000" },
		{ 0xffff888000000000ULL, "kernel address" },
		{ 0xffffffffffffffffULL, "~0" },
		{ 0x00007ffffffff000ULL, "top of user space" },
	};
	size_t i = below(ARRAY_SIZE(bad));

	*what = bad[i].what;
	return bad[i].p;
}

static void ioctl_call(void)
{
	union {
		unsigned char bytes[512];
		struct iommu_policy_info info;
		struct iommu_policy_group_info gi;
		struct iommu_policy_claim claim;
		struct iommu_policy_release rel;
		struct iommu_policy_set_policy sp;
	} u;
	const struct ioctl_op *op = &ioctl_ops[below(ARRAY_SIZE(ioctl_ops))];
	unsigned int nr = op->nr, type = IOMMU_POLICY_TYPE, usize = op->size, avail;
	bool avail_known = true;	/* nothing readable past avail bytes */
	unsigned long cmd;
	const char *where = "buffer", *invalid = NULL;
	unsigned char *dst = arg_area;
	uint64_t argp;
	bool may_change, trailing = false;
	unsigned int group = 0;
	int ret, err;
	char devbuf_desc[48] = "";

	stat_ioctls++;
	if (dev_fd < 0 || chance(1)) {
		/* Closing releases this file's claims: a change the model follows. */
		bool had = dev_fd >= 0;

		note_call("reopen " DEV_PATH);
		if (had && opt_uid < 0)
			checkpoint();	/* what went before must not hide behind the release */
		open_dev();
		note_result("%s", dev_fd < 0 ? errname(errno) : "ok");
		if (opt_uid >= 0) {
			if (dev_fd >= 0)
				invalid_accepted("an unprivileged process opened " DEV_PATH);
			return;
		}
		if (dev_fd < 0) {
			violation("cannot open " DEV_PATH, NULL, call_no, call_no);
			return;
		}
		if (had)
			rebase(-1);
		return;
	}

	/* The command number. */
	switch (below(20)) {
	case 0:	/* a neighbour */
		nr = IOMMU_POLICY_CMD_BASE - 3 + below(12);
		break;
	case 1:	/* another type: ours flipped, or ones no subsystem of the VFS uses */
		type = (unsigned int[]){ 0xb6, 0xb8, 0x37, 0x01, 0xfe, 0xff }[below(6)];
		break;
	case 2:	/* a direction and a size in the encoding */
		cmd = _IOC(below(4), type, nr, below(2) ? op->size : below(1 << 14));
		goto have_cmd;
	case 3:	/* any number of ours */
		nr = below(256);
		break;
	default:
		break;
	}
	cmd = _IO(type, nr);
have_cmd:
	if (cmd != _IO(IOMMU_POLICY_TYPE, nr) || nr < IOMMU_POLICY_CMD_BASE ||
	    nr > IOMMU_POLICY_CMD_SET_POLICY)
		invalid = "not an ioctl of the module";
	/* The command decides the struct the module reads. */
	if (!invalid)
		op = &ioctl_ops[nr - IOMMU_POLICY_CMD_BASE];

	/* The struct. */
	memset(&u, 0, sizeof(u));
	if (chance(10))
		random_bytes(&u, sizeof(u));
	switch (below(20)) {
	case 0:
		usize = op->size - 1 - below(op->size);		/* below the minimum */
		break;
	case 1:
	case 2:
		usize = op->size + 1 + below(sizeof(u) - op->size - 1);	/* bigger, zero-padded... */
		trailing = chance(40);				/* ...or not */
		break;
	case 3:
		usize = random_u32();
		break;
	default:
		break;
	}
	if (usize > op->size && usize <= sizeof(u)) {
		memset(u.bytes + op->size, 0, usize - op->size);
		if (trailing)
			u.bytes[op->size + below(usize - op->size)] = (unsigned char)(1 + below(255));
	}
	/* The fields (the size field first in every struct). */
	switch (op->nr) {
	case IOMMU_POLICY_CMD_GET_INFO:
		u.info.flags = chance(80) ? 0 : random_u32();
		break;
	case IOMMU_POLICY_CMD_GROUP_INFO:
		u.gi.flags = chance(80) ? 0 : random_u32();
		u.gi.group_id = group = random_group_id();
		u.gi.__reserved = chance(85) ? 0 : random_u32();
		switch (below(6)) {
		case 0:
			u.gi.devices_uptr = 0;
			u.gi.devices_len = random_u32();
			break;
		case 1: {
			const char *what;

			u.gi.devices_uptr = bad_pointer(&what);
			u.gi.devices_len = 4096;
			snprintf(devbuf_desc, sizeof(devbuf_desc), " devices=%s", what);
			break;
		}
		case 2:	/* names written to the read-only page */
			u.gi.devices_uptr = (uintptr_t)ro_page;
			u.gi.devices_len = (uint32_t)page_size;
			snprintf(devbuf_desc, sizeof(devbuf_desc), " devices=read-only");
			break;
		case 3:	/* a buffer running into the unmapped page */
			u.gi.devices_len = 4 + below(60);
			u.gi.devices_uptr = (uintptr_t)(arg_area + page_size - u.gi.devices_len / 2);
			snprintf(devbuf_desc, sizeof(devbuf_desc), " devices=at-guard");
			break;
		default:
			u.gi.devices_uptr = (uintptr_t)(arg_area + page_size);	/* patched below */
			u.gi.devices_len = below(2) ? 4096 : below(64);
			break;
		}
		break;
	case IOMMU_POLICY_CMD_CLAIM:
		u.claim.flags = chance(60) ? 0 : chance(60) ? IOMMU_POLICY_CLAIM_QUARANTINE : random_u32();
		u.claim.group_id = group = random_group_id();
		u.claim.__reserved = chance(85) ? 0 : random_u32();
		break;
	case IOMMU_POLICY_CMD_RELEASE:
		u.rel.flags = chance(85) ? 0 : random_u32();
		u.rel.group_id = group = random_group_id();
		u.rel.__reserved = chance(85) ? 0 : random_u32();
		break;
	case IOMMU_POLICY_CMD_SET_POLICY:
		u.sp.flags = chance(85) ? 0 : random_u32();
		u.sp.group_id = group = random_group_id();
		u.sp.policy = chance(70) ? IOMMU_POLICY_IDENTITY + below(4) : random_u32();
		break;
	}
	u.info.size = usize;

	/* Where the argument is. */
	avail = (unsigned int)page_size;
	switch (below(20)) {
	case 0:
	case 1:
		argp = bad_pointer(&where);
		avail = 0;
		break;
	case 2:	/* the struct ends at the unmapped page */
		avail = below(op->size + 8);
		dst = arg_area + page_size - avail;
		where = "at-guard";
		argp = (uintptr_t)dst;
		break;
	case 3:	/* a read-only page: the module can read it, not write back */
		dst = ro_page;
		where = "read-only";
		argp = (uintptr_t)dst;
		avail_known = false;	/* what follows it may be mapped */
		break;
	default:
		argp = (uintptr_t)dst;
		break;
	}
	/* The page zeroed first: no bytes of an earlier call past the struct. */
	memset(arg_area, 0, (size_t)page_size);
	if (dst == ro_page) {
		mprotect(ro_page, (size_t)page_size, PROT_READ | PROT_WRITE);
		memcpy(ro_page, &u, sizeof(u));
		mprotect(ro_page, (size_t)page_size, PROT_READ);
	} else if (avail) {
		memcpy(dst, &u, avail < sizeof(u) ? avail : sizeof(u));
	}
	if (op->nr == IOMMU_POLICY_CMD_GROUP_INFO && u.gi.devices_uptr == (uintptr_t)(arg_area + page_size)) {
		/* A good device buffer: the second half of the first page. */
		uint64_t good = (uintptr_t)(arg_area + page_size / 2);

		if (dst != ro_page && avail >= offsetof(struct iommu_policy_group_info, devices_uptr) + 8)
			memcpy(dst + offsetof(struct iommu_policy_group_info, devices_uptr), &good, 8);
		u.gi.devices_uptr = good;
	}

	/* Invalid by construction: refused whatever the state. */
	if (!invalid && avail < 4)
		invalid = "the size field is unreadable";
	if (!invalid && usize < op->size)
		invalid = "a size below the minimum";
	if (!invalid && usize > avail && avail_known)
		invalid = "the struct is not readable";
	if (!invalid && trailing && usize > op->size && avail >= usize)
		invalid = "non-zero bytes past the struct";
	if (!invalid) {
		switch (op->nr) {
		case IOMMU_POLICY_CMD_GET_INFO:
			if (u.info.flags)
				invalid = "unknown flags";
			break;
		case IOMMU_POLICY_CMD_GROUP_INFO:
			if (u.gi.flags || u.gi.__reserved)
				invalid = "unknown flags or reserved bits";
			else if (!find_group(&model, group))
				invalid = "a group that does not exist";
			break;
		case IOMMU_POLICY_CMD_CLAIM:
			if ((u.claim.flags & ~IOMMU_POLICY_CLAIM_QUARANTINE) || u.claim.__reserved)
				invalid = "unknown flags or reserved bits";
			else if (!find_group(&model, group))
				invalid = "a group that does not exist";
			break;
		case IOMMU_POLICY_CMD_RELEASE:
			if (u.rel.flags || u.rel.__reserved)
				invalid = "unknown flags or reserved bits";
			else if (!find_group(&model, group))
				invalid = "a group that does not exist";
			break;
		case IOMMU_POLICY_CMD_SET_POLICY:
			if (u.sp.flags)
				invalid = "unknown flags";
			else if (u.sp.policy < IOMMU_POLICY_IDENTITY || u.sp.policy > IOMMU_POLICY_AUTO)
				invalid = "a policy out of range";
			else if (!find_group(&model, group))
				invalid = "a group that does not exist";
			break;
		}
	}
	may_change = !invalid && (op->nr == IOMMU_POLICY_CMD_CLAIM || op->nr == IOMMU_POLICY_CMD_RELEASE ||
				  op->nr == IOMMU_POLICY_CMD_SET_POLICY);

	note_call("ioctl 0x%lx (%s) size=%u%s arg=%s group=%u bytes=%08x.%08x.%08x.%08x%s%s",
		  cmd, op->name, usize, trailing ? "+garbage" : "", where, group,
		  ((uint32_t *)u.bytes)[1], ((uint32_t *)u.bytes)[2], ((uint32_t *)u.bytes)[3],
		  ((uint32_t *)u.bytes)[4], devbuf_desc, invalid ? " [invalid]" : "");
	if (may_change)
		checkpoint_group(group);
	ret = ioctl(dev_fd, cmd, (void *)(uintptr_t)argp);
	err = ret ? errno : 0;
	note_result("%s", errname(err));
	if (!err)
		stat_ioctl_ok++;
	if (!err && invalid) {
		char what[160];

		snprintf(what, sizeof(what), "an invalid ioctl was accepted (%s)", invalid);
		invalid_accepted(what);
		rebase(-1);
	} else if (!err && may_change) {
		rebase(group);
	} else if (err && may_change) {
		verify_refused(group);
	}
}


/* --- netlink -------------------------------------------------------------------------------- */

static int nl_fd = -1, listen_fd = -1;
static uint16_t family_id;
static uint32_t events_group, nl_seq = 1;
static unsigned long long stat_nl, stat_nl_ok, stat_events;

/* Send one message and wait for its answer: 0, -errno (an error ACK), or 1 for none. */
static int nl_exchange(const void *msg, size_t len, bool expect_answer, bool *got_data)
{
	static unsigned char buf[65536];
	const struct nlmsghdr *sent = msg;
	uint32_t seq = len >= sizeof(*sent) ? sent->nlmsg_seq : 0;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	int result = 1;

	*got_data = false;
	if (sendto(nl_fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	for (;;) {
		struct pollfd pfd = { .fd = nl_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, expect_answer ? 3000 : 20) <= 0)
			return result;
		n = recv(nl_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN ? result : -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;	/* an answer to an earlier message */
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return h->nlmsg_len >= NLMSG_LENGTH(sizeof(*e)) ? e->error : -EBADMSG;
			}
			if (h->nlmsg_type == NLMSG_DONE) {
				int e = h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
					*(int *)NLMSG_DATA(h) : 0;

				return e < 0 ? e : 0;
			}
			*got_data = true;
			result = 0;
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				expect_answer = false;	/* an ACK may follow, or not */
		}
	}
}

static int nl_open(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int rcvbuf = 1 << 20;

	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	listen_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_GENERIC);
	if (nl_fd < 0 || listen_fd < 0 || bind(nl_fd, (struct sockaddr *)&local, sizeof(local)) ||
	    bind(listen_fd, (struct sockaddr *)&local, sizeof(local)))
		return -errno;
	setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(listen_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	/* Extended ACKs with the offending attribute: more of the kernel's paths. */
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &(int){ 1 }, sizeof(int));
	return genl_resolve(nl_fd, &nl_seq, &family_id, &events_group);
}

/* Read whatever the listener has (events); it may have overflowed: fine. */
static void drain_listener(void)
{
	static unsigned char buf[65536];
	ssize_t n;

	while ((n = recv(listen_fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		stat_events++;
}

/* An attribute's payload: the right u32 mostly, else a wrong size or random bytes. */
static uint16_t attr_payload(unsigned char *p, uint32_t value, bool *wrong)
{
	static const uint16_t odd[] = { 0, 1, 2, 3, 5, 6, 8, 12, 16, 63, 64 };
	uint16_t n;

	*wrong = false;
	if (chance(75)) {
		memcpy(p, &value, 4);
		return 4;
	}
	n = odd[below(ARRAY_SIZE(odd))];
	random_bytes(p, n);
	if (n >= 4 && chance(50))
		memcpy(p, &value, 4);
	*wrong = n != 4;
	return n;
}

static void netlink_call(void)
{
	unsigned char msg[1024], payload[256];
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	size_t len = NLMSG_LENGTH(GENL_HDRLEN), sent;
	const char *invalid = NULL;
	unsigned int cmd, nattrs, maxattr = 0;
	size_t last_attr = 0;
	long group = -1;
	bool ours, request, dump, ack, wrong_attr = false, unknown_attr = false, bad_policy = false;
	bool truncated = false, got_data, may_change, expect;
	char desc[96] = "";
	int ret;

	stat_nl++;
	if (chance(2)) {
		/* The listener joins or leaves: events or a random group. */
		uint32_t grp = chance(70) && events_group ? events_group : 1 + below(40);
		int opt = chance(50) ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP;

		note_call("listener %s group %u", opt == NETLINK_ADD_MEMBERSHIP ? "joins" : "leaves", grp);
		ret = setsockopt(listen_fd, SOL_NETLINK, opt, &grp, sizeof(grp));
		note_result("%s", errname(ret ? errno : 0));
		return;
	}

	memset(msg, 0, sizeof(msg));
	/* Header: mostly the family's requests with an ACK. */
	switch (below(20)) {
	case 0:
		h->nlmsg_type = GENL_ID_CTRL;
		break;
	case 1:
		h->nlmsg_type = (uint16_t)below(NLMSG_MIN_TYPE);	/* NOOP, ERROR, DONE, OVERRUN... */
		break;
	default:
		h->nlmsg_type = family_id;
		break;
	}
	ours = h->nlmsg_type == family_id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (chance(10))
		h->nlmsg_flags |= NLM_F_DUMP;
	if (chance(8))
		h->nlmsg_flags = (uint16_t)(rnd() & 0x0fff);
	h->nlmsg_seq = ++nl_seq;
	h->nlmsg_pid = chance(95) ? 0 : random_u32();
	request = h->nlmsg_flags & NLM_F_REQUEST;
	dump = (h->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
	ack = h->nlmsg_flags & NLM_F_ACK;

	/* genl header: the commands, the notifications', unknown ones. */
	switch (below(20)) {
	case 0:
	case 1:
		cmd = IOMMU_POLICY_NL_CMD_GROUP_CHANGE_NTF + below(3);
		break;
	case 2:
		cmd = chance(50) ? 0 : IOMMU_POLICY_NL_CMD_MAX + 1 + below(250 - IOMMU_POLICY_NL_CMD_MAX);
		break;
	default: {
		/* GET and SET often, the counters less (a reset changes every group's). */
		static const unsigned char cmds[] = {
			IOMMU_POLICY_NL_CMD_GROUP_GET, IOMMU_POLICY_NL_CMD_GROUP_GET,
			IOMMU_POLICY_NL_CMD_GROUP_SET, IOMMU_POLICY_NL_CMD_GROUP_SET,
			IOMMU_POLICY_NL_CMD_GROUP_SET, IOMMU_POLICY_NL_CMD_STATS_GET,
			IOMMU_POLICY_NL_CMD_STATS_GET, IOMMU_POLICY_NL_CMD_STATS_RESET,
		};
		cmd = cmds[below(ARRAY_SIZE(cmds))];
		break;
	}
	}
	g->cmd = (uint8_t)cmd;
	g->version = chance(85) ? IOMMU_POLICY_FAMILY_VERSION : (uint8_t)rnd();
	g->reserved = chance(92) ? 0 : (uint16_t)(1 + below(0xffff));
	if (cmd == IOMMU_POLICY_NL_CMD_GROUP_GET)
		maxattr = IOMMU_POLICY_A_GROUP_ID;
	else if (cmd == IOMMU_POLICY_NL_CMD_GROUP_SET)
		maxattr = IOMMU_POLICY_A_GROUP_POLICY;

	/* Attributes: the ones the command takes, mostly, and others. */
	nattrs = below(4);
	if (cmd == IOMMU_POLICY_NL_CMD_GROUP_SET && chance(70))
		nattrs = 2;
	for (unsigned int i = 0; i < nattrs; i++) {
		uint16_t type, plen;
		uint32_t value;
		bool wrong;

		if (cmd == IOMMU_POLICY_NL_CMD_GROUP_SET && nattrs == 2 && chance(85))
			type = i == 0 ? IOMMU_POLICY_A_GROUP_ID : IOMMU_POLICY_A_GROUP_POLICY;
		else if (chance(60))
			type = IOMMU_POLICY_A_GROUP_ID + (uint16_t)below(2);
		else
			type = (uint16_t)(chance(50) ? below(20) : rnd());
		value = type == IOMMU_POLICY_A_GROUP_POLICY ?
			(chance(75) ? IOMMU_POLICY_IDENTITY + below(4) : random_u32()) :
			(uint32_t)random_group_id();
		if (type == IOMMU_POLICY_A_GROUP_ID)
			group = value;
		if (chance(8)) {
			/* A nest of random attributes where a u32 belongs (or anywhere). */
			size_t inner = 0;
			unsigned char tmp[128];

			for (unsigned int k = below(4); k > 0; k--) {
				bool w;
				uint16_t l = attr_payload(payload, random_u32(), &w);

				put_attr(tmp, &inner, sizeof(tmp), (uint16_t)below(16), payload, l);
			}
			memcpy(payload, tmp, inner);
			plen = (uint16_t)inner;
			type |= NLA_F_NESTED;
			wrong = true;
		} else {
			plen = attr_payload(payload, value, &wrong);
		}
		if (chance(3))
			type |= NLA_F_NET_BYTEORDER;
		/* GET takes the id, SET the id and the policy; nothing else (strict validation). */
		if ((type & NLA_TYPE_MASK) < IOMMU_POLICY_A_GROUP_ID || (type & NLA_TYPE_MASK) > maxattr)
			unknown_attr = true;
		/* The wrong length, or a nest where a u32 belongs (a byte-order flag is fine). */
		if (wrong || (type & NLA_F_NESTED))
			wrong_attr = true;
		else if ((type & NLA_TYPE_MASK) == IOMMU_POLICY_A_GROUP_POLICY &&
			 (value < IOMMU_POLICY_IDENTITY || value > IOMMU_POLICY_AUTO))
			bad_policy = true;
		last_attr = put_attr(msg, &len, sizeof(msg), type, payload, plen);
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " %u:%u", type, plen);
	}
	h->nlmsg_len = (uint32_t)len;
	sent = len;
	/* Lengths that lie. */
	switch (below(25)) {
	case 0:	/* the last attribute says it is longer than the message */
		if (nattrs) {
			struct nlattr *a = (struct nlattr *)(msg + NLMSG_LENGTH(GENL_HDRLEN));

			a->nla_len = (uint16_t)(a->nla_len + 4 + below(200));
			truncated = true;
		}
		break;
	case 1:	/* shorter than a genl header */
		h->nlmsg_len = sent = NLMSG_HDRLEN + below(GENL_HDRLEN);
		truncated = true;
		break;
	case 2:	/* the message says it is longer than what is sent: the kernel drops it */
		h->nlmsg_len = (uint32_t)(len + 4 + below(64));
		truncated = true;
		break;
	case 3:	/* cut at the end, maybe into the last attribute (or only its padding) */
		if (nattrs) {
			h->nlmsg_len = (uint32_t)(sent = len - 1 - below(3));
			truncated = sent < last_attr + ((struct nlattr *)(msg + last_attr))->nla_len;
		}
		break;
	default:
		break;
	}

	/* Refused whatever the state, when it reaches the family's handlers. */
	if (ours && request && h->nlmsg_len <= sent && h->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN)) {
		if (cmd < IOMMU_POLICY_NL_CMD_GROUP_GET || cmd > IOMMU_POLICY_NL_CMD_STATS_RESET)
			invalid = "a command the family does not have";
		else if (dump && cmd != IOMMU_POLICY_NL_CMD_GROUP_GET)
			invalid = "a dump of a command without one";
		else if (g->reserved)
			invalid = "the reserved header field set";
		else if (truncated)
			invalid = "an attribute longer than the message";
		else if (nattrs && (cmd == IOMMU_POLICY_NL_CMD_STATS_GET ||
				    cmd == IOMMU_POLICY_NL_CMD_STATS_RESET))
			invalid = "attributes for a command that takes none";
		else if (unknown_attr)
			invalid = "an attribute the command does not take";
		else if (wrong_attr)
			invalid = "an attribute of the wrong size or kind";
		else if (bad_policy && cmd == IOMMU_POLICY_NL_CMD_GROUP_SET)
			invalid = "a policy out of range";
	}
	may_change = ours && request && !invalid && !dump &&
		     (cmd == IOMMU_POLICY_NL_CMD_GROUP_SET || cmd == IOMMU_POLICY_NL_CMD_STATS_RESET);
	/* Success without an ACK is silence: changes are asked with one, to know. */
	if (may_change) {
		h->nlmsg_flags |= NLM_F_ACK;
		ack = true;
	}
	/* An error is always answered: wait for it where one must come. */
	expect = request && (ack || invalid) && h->nlmsg_len <= sent && h->nlmsg_len >= NLMSG_HDRLEN;

	note_call("netlink type=0x%x flags=0x%x len=%u/%zu cmd=%u v=%u resv=%u attrs:%s%s",
		  h->nlmsg_type, h->nlmsg_flags, h->nlmsg_len, sent, cmd, g->version, g->reserved,
		  desc, invalid ? " [invalid]" : "");
	if (may_change) {
		if (cmd == IOMMU_POLICY_NL_CMD_STATS_RESET || group < 0)
			checkpoint();
		else
			checkpoint_group((unsigned int)group);
	}
	ret = nl_exchange(msg, sent, expect, &got_data);
	note_result("%s%s", ret == 1 ? "no answer" : errname(-ret), got_data ? " +data" : "");
	drain_listener();
	if (ret == 0)
		stat_nl_ok++;
	/* An invalid request gets an error, ACK asked for or not: silence is acceptance. */
	if ((ret == 0 || ret == 1) && invalid) {
		char what[160];

		snprintf(what, sizeof(what), "an invalid netlink request was accepted (%s)", invalid);
		invalid_accepted(what);
		rebase(-1);
	} else if (ret == 0 && may_change && opt_uid >= 0) {
		invalid_accepted("a netlink request changed something without privileges");
		rebase(-1);
	} else if (ret == 0 && may_change) {
		if (cmd == IOMMU_POLICY_NL_CMD_STATS_RESET) {
			counters_reset = true;
			rebase(-1);
		} else {
			rebase(group);
		}
	} else if (ret < 0 && may_change) {
		verify_refused(cmd == IOMMU_POLICY_NL_CMD_STATS_RESET ? -1 : group);
	}
}

/* --- sysfs writes ----------------------------------------------------------------------------- */

#define MAX_FILES 128
static char *files[MAX_FILES];
static unsigned int nfiles;
static unsigned long long stat_writes, stat_writes_ok;

static void find_writable(const char *dir, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d || depth > 6)
		goto out;
	while ((de = readdir(d)) && nfiles < MAX_FILES) {
		char path[4096];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (lstat(path, &st))
			continue;
		if (S_ISDIR(st.st_mode))
			find_writable(path, depth + 1);
		else if (S_ISREG(st.st_mode) && (st.st_mode & 0222))
			files[nfiles++] = strdup(path);
	}
out:
	if (d)
		closedir(d);
}

/* The group a policy file belongs to, or -1. */
static long file_group(const char *path)
{
	unsigned int id;

	return sscanf(path, MROOT "/groups/%u/policy", &id) == 1 &&
	       !strcmp(strrchr(path, '/'), "/policy") ? (long)id : -1;
}

/* What the module sees of a write: up to a NUL, one trailing newline off (sysfs_streq). */
static bool is_policy_word(const unsigned char *buf, size_t n)
{
	static const char *const words[] = { "identity", "strict", "lazy", "auto", "DMA", "DMA-FQ" };
	size_t len = strnlen((const char *)buf, n);

	if (len && buf[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == len && !memcmp(words[i], buf, len))
			return true;
	return false;
}

static void sysfs_write(void)
{
	static const char *const words[] = {
		"identity", "strict", "lazy", "auto", "DMA", "DMA-FQ", "identity\n", "strict\n",
		"lazy\n", "auto\n", "1", "0", "y", "n", "yes", "on", "off", "blocked", "unmanaged",
		"unknown", "Lazy", " lazy", "lazy ", "lazy\n\n", "strict\nlazy", "DMA-FQ\n", "-1",
	};
	static unsigned char buf[8200];
	const char *path = files[below(nfiles)];
	long group = file_group(path);
	bool reset = !strcmp(strrchr(path, '/'), "/reset");
	const char *invalid = NULL;
	size_t n;
	ssize_t ret;
	int fd, err = 0;

	stat_writes++;
	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		n = strlen(strcpy((char *)buf, words[below(ARRAY_SIZE(words))]));
		break;
	case 4:
	case 5:
	case 6: {	/* a word, mutated */
		n = strlen(strcpy((char *)buf, words[below(ARRAY_SIZE(words))]));
		for (unsigned int k = 1 + below(3); k > 0; k--) {
			switch (below(4)) {
			case 0:
				if (n)
					buf[below((uint32_t)n)] ^= (unsigned char)(1u << below(8));
				break;
			case 1:
				if (n)
					n = below((uint32_t)n);
				break;
			case 2:
				buf[n++] = (unsigned char)rnd();
				break;
			default:
				if (n)
					buf[below((uint32_t)n)] = 0;
				break;
			}
		}
		break;
	}
	case 7:
	case 8:
		n = below(64);
		random_bytes(buf, n);
		break;
	default:	/* long: past a page */
		n = (size_t)page_size - 2 + below(8) + (chance(50) ? 0 : below(4096));
		memset(buf, chance(50) ? 'A' : 0, n);
		if (chance(50))
			memcpy(buf, "lazy", 4);
		break;
	}
	if (group >= 0 && !is_policy_word(buf, n))
		invalid = "not a policy";

	note_call("write %s (%zu bytes: \"%.24s\"...)%s", path, n,
		  n ? (const char *)buf : "", invalid ? " [invalid]" : "");
	{
		/* Show control bytes as '?' in the log. */
		char *s = ring[call_no % RING];

		for (char *p = strchr(s, '"'); p && *p; p++)
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				*p = '?';
	}
	if (!invalid) {
		if (group >= 0)
			checkpoint_group((unsigned int)group);
		else
			checkpoint();
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
	} else {
		ret = write(fd, buf, n);
		err = ret < 0 ? errno : 0;
		close(fd);
	}
	note_result("%s", errname(err));
	if (!err && n) {
		stat_writes_ok++;
		if (opt_uid >= 0) {
			invalid_accepted("an unprivileged process wrote to the module's sysfs");
			rebase(-1);
		} else if (invalid) {
			invalid_accepted("the policy file accepted something that is not a policy");
			rebase(group);
		} else {
			if (reset)
				counters_reset = true;
			rebase(group);
		}
	} else if (err && !invalid && opt_uid < 0) {
		verify_refused(group);
	}
}

/* --- the end: leave everything as it was ------------------------------------------------ */

static void restore(void)
{
	struct state cur;
	int fd;

	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
	read_state(&cur);
	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	for (int i = 0; i < cur.n; i++) {
		struct group_state *was = find_group(&initial, cur.g[i].id);
		char path[256];

		if (!was)
			continue;
		if (fd >= 0 && !strncmp(cur.g[i].owner, "quarantined", 11) &&
		    strncmp(was->owner, "quarantined", 11)) {
			struct iommu_policy_release r = { .size = sizeof(r), .group_id = cur.g[i].id };

			if (ioctl(fd, IOMMU_POLICY_RELEASE, &r))
				printf("# group %u: releasing the quarantine: %s\n", cur.g[i].id,
				       errname(errno));
		}
		if (strcmp(cur.g[i].policy, was->policy) && was->policy[0] != '<') {
			snprintf(path, sizeof(path), MROOT "/groups/%u/policy", cur.g[i].id);
			int pfd = open(path, O_WRONLY | O_CLOEXEC);

			if (pfd < 0 || write(pfd, was->policy, strlen(was->policy)) < 0)
				printf("# group %u: restoring policy %s: %s\n", cur.g[i].id, was->policy,
				       errname(errno));
			if (pfd >= 0)
				close(pfd);
		}
	}
	if (fd >= 0)
		close(fd);
}

/* --- main ------------------------------------------------------------------------------------ */

static int usage(void)
{
	fprintf(stderr, "usage: ipol-fuzz [--seed N] [--iterations N] [--seconds S] "
			"[--only ioctl,netlink,sysfs] [--uid UID] [--label TEXT] [--verbose]\n");
	return 2;
}

static void tap(bool good, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tap(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s - %s%s", good ? "ok" : "not ok", opt_label, *opt_label ? ": " : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	failures += !good;
}

int main(int argc, char **argv)
{
	double start, elapsed;
	unsigned int kinds[3], nkinds = 0, unpriv_violations;
	char final_diff[8192];
	struct state final;
	int ret, d;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--verbose")) {
			opt_verbose = true;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--seed"))
			opt_seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--iterations"))
			opt_iterations = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--seconds"))
			opt_seconds = strtod(v, NULL);
		else if (!strcmp(a, "--uid"))
			opt_uid = strtol(v, NULL, 0);
		else if (!strcmp(a, "--label"))
			opt_label = v;
		else if (!strcmp(a, "--only"))
			opt_only = (strstr(v, "ioctl") ? 1 : 0) | (strstr(v, "netlink") ? 2 : 0) |
				   (strstr(v, "sysfs") ? 4 : 0);
		else
			return usage();
	}
	if (!opt_only)
		return usage();
	rng = opt_seed;
	page_size = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* Memory for the arguments: a page, an unmapped page after it; a read-only page. */
	arg_area = mmap(NULL, (size_t)page_size * 2, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, (size_t)page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arg_area == MAP_FAILED || ro_page == MAP_FAILED ||
	    mprotect(arg_area + page_size, (size_t)page_size, PROT_NONE)) {
		perror("ipol-fuzz: mmap");
		return 1;
	}

	/* Unprivileged: from the start, so that the state is read as that user too. */
	if (opt_uid >= 0) {
		uid_t id = (uid_t)opt_uid;

		if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id)) {
			perror("ipol-fuzz: --uid");
			return 2;
		}
	}
	find_writable(MROOT, 0);
	read_state(&initial);
	model = initial;
	if (!initial.n) {
		tap(false, "the module mirrors the IOMMU groups before fuzzing (%s)", MROOT "/groups");
		return 1;
	}
	if ((ret = nl_open())) {
		tap(false, "the netlink family %s resolves: %s", IOMMU_POLICY_FAMILY_NAME, errname(-ret));
		return 1;
	}
	if (opt_uid < 0)
		open_dev();
	printf("# seed %llu: up to %llu calls in %.0f s over %d groups, %u writable files, family %u\n",
	       opt_seed, opt_iterations, opt_seconds, initial.n, nfiles, family_id);
	if (opt_only & 1)
		kinds[nkinds++] = 1;
	if (opt_only & 2)
		kinds[nkinds++] = 2;
	if ((opt_only & 4) && nfiles)
		kinds[nkinds++] = 4;

	start = now();
	for (call_no = 1; call_no <= opt_iterations; call_no++) {
		unsigned int kind;

		if ((call_no & 63) == 0) {
			checkpoint();
			if (now() - start >= opt_seconds)
				break;
		}
		/* ioctl 45%, netlink 40%, sysfs 15% of what is enabled. */
		kind = kinds[below(nkinds)];
		if (nkinds == 3) {
			uint32_t r = below(100);

			kind = r < 45 ? 1 : r < 85 ? 2 : 4;
		}
		if (kind == 1)
			ioctl_call();
		else if (kind == 2)
			netlink_call();
		else
			sysfs_write();
	}
	checkpoint();	/* after the last call (call_no is one past it) */
	call_no--;
	elapsed = now() - start;
	unpriv_violations = violations;

	printf("# %llu calls in %.1f s (%.0f/s): %llu ioctls (%llu accepted), %llu netlink messages "
	       "(%llu accepted), %llu sysfs writes (%llu accepted), %llu event batches read\n",
	       call_no, elapsed, call_no / (elapsed > 0 ? elapsed : 1), stat_ioctls, stat_ioctl_ok,
	       stat_nl, stat_nl_ok, stat_writes, stat_writes_ok, stat_events);
	tap(violations == accepted_invalid,
	    "seed %llu: %llu calls%s, every rejected call changed nothing", opt_seed, call_no,
	    opt_uid >= 0 ? " without privileges" : "");
	tap(!accepted_invalid, "seed %llu: every call invalid by construction%s was refused", opt_seed,
	    opt_uid >= 0 ? " (and every change without privileges)" : "");
	(void)unpriv_violations;

	/* Claims released, quarantines ended, policies back: as before the run. */
	if (opt_uid < 0)
		restore();
	read_state(&final);
	d = diff_state(&initial, &final, !counters_reset, final_diff, sizeof(final_diff));
	tap(!d, "seed %llu: afterwards every group's policy, owner and drivers are as before%s",
	    opt_seed, counters_reset ? "" : ", and the fault counters");
	if (d)
		printf("%s", final_diff);
	return failures ? 1 : 0;
}
