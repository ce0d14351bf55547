// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipol-failnth: every entry point of iommu_policy.ko with each of its
 * allocations failed in turn, for the debug kernel's VM tests
 * (guest/failnth-checks; the kernel needs CONFIG_FAULT_INJECTION,
 * FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS).
 *
 *   ipol-failnth [--only NAME] [--max N] [--edu BDF] [--module PATH] [--verbose]
 *
 * For each entry point (a sysfs store, an ioctl, a netlink command, opening
 * and closing /dev/iommu_policy, a claim, a quarantine, a policy change
 * through each route, loading the module), and for N = 1, 2, 3, ...: write N
 * to /proc/thread-self/fail-nth, make the one system call, and read back
 * whether the fault was injected (the kernel fails the Nth place in this
 * task that may fail on request: slab and page allocations).  While one was
 * injected, the call must leave the module's whole visible state as it was
 * (every group's policy and the kernel's type, owner, mandatory policy,
 * devices, their drivers and driver_override, the counters, DMA
 * accounting; not last_error, which says why the change failed); a call
 * that succeeded anyway (a fallback) is undone and the state compared
 * after.  The first N at which nothing was injected ends the entry point:
 * the call must then succeed, and N - 1 is the number of injection points
 * it passed.  Unnumbered TAP lines, one per entry point, with the counts.
 * The kernel's log (WARNING, BUG, KASAN, lockdep) and kmemleak are the
 * caller's to check.  Exit status 0, 1 on a failure, 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/iommu_policy.h>
#include <linux/iommu_policy_netlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipol-state.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

static const char *opt_only, *opt_edu, *opt_module = "kmod/iommu_policy.ko";
static unsigned int opt_max = 20000;
static bool opt_verbose;
static unsigned int failures;

/* --- fail-nth ----------------------------------------------------------------------- */

static int fail_fd = -1;

static void fail_write(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	/* The file has no llseek: pwrite and pread at 0 (neither allocates). */
	if (pwrite(fail_fd, buf, (size_t)len, 0) != len) {
		printf("Bail out! cannot write /proc/thread-self/fail-nth: %s\n", ipol_errname(errno));
		exit(1);
	}
}

/* Arm: the Nth place that may fail in this task, from now, fails. */
static void arm(unsigned int n)
{
	fail_write(n);
}

/* Disarm; true when the fault was injected (what is left to count is 0). */
static bool disarm(void)
{
	char buf[16] = "";
	ssize_t n;

	n = pread(fail_fd, buf, sizeof(buf) - 1, 0);
	fail_write(0);
	return n > 0 && atoi(buf) == 0;
}

/* The settings fail-nth goes by: fail every kind of allocation, quietly. */
static int setup_fault_injection(void)
{
	static const char *const settings[][2] = {
		{ "/sys/kernel/debug/failslab/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/failslab/verbose", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-wait", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "/sys/kernel/debug/fail_page_alloc/min-order", "0" },
		{ "/sys/kernel/debug/fail_page_alloc/verbose", "0" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		int fd = open(settings[i][0], O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, settings[i][1], strlen(settings[i][1])) < 0) {
			printf("Bail out! %s: %s (a kernel with FAILSLAB, FAIL_PAGE_ALLOC and "
			       "FAULT_INJECTION_DEBUG_FS, debugfs mounted)\n",
			       settings[i][0], ipol_errname(errno));
			return -1;
		}
		close(fd);
	}
	fail_fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	if (fail_fd < 0) {
		printf("Bail out! /proc/thread-self/fail-nth: %s (CONFIG_FAULT_INJECTION)\n",
		       ipol_errname(errno));
		return -1;
	}
	return 0;
}

/* --- the state, with what read_state() leaves out ------------------------------------ */

struct full_state {
	struct state s;
	char acct[64];		/* stats/dma_accounting */
	bool family;		/* the netlink family is registered */
};

static int nl_fd = -1;
static uint32_t nl_seq = 1;
static uint16_t family_id;
static uint32_t events_group;

static void read_full(struct full_state *f)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	uint32_t seq = 1, ev = 0;
	uint16_t id = 0;

	read_state(&f->s);
	read_file(MROOT "/stats/dma_accounting", f->acct, sizeof(f->acct));
	/* A socket of its own: the test's may have events or answers waiting. */
	f->family = fd >= 0 && !bind(fd, (struct sockaddr *)&local, sizeof(local)) &&
		    genl_resolve(fd, &seq, &id, &ev) == 0;
	if (fd >= 0)
		close(fd);
}

static int diff_full(const struct full_state *a, const struct full_state *b, char *out,
		     size_t size)
{
	int d = diff_state(&a->s, &b->s, true, out, size);
	size_t n = strlen(out);

	if (strcmp(a->acct, b->acct)) {
		snprintf(out + n, size - n, "#     stats/dma_accounting: '%s' became '%s'\n", a->acct,
			 b->acct);
		d++;
	}
	n = strlen(out);
	if (a->family != b->family) {
		snprintf(out + n, size - n, "#     the netlink family %s\n",
			 a->family ? "is gone" : "appeared");
		d++;
	}
	return d;
}

/* --- helpers for the entry points ------------------------------------------------------ */

static char edu[32];		/* the device whose group is changed and claimed */
static unsigned int eg;		/* its group */
static int dev_fd = -1;		/* /dev/iommu_policy */

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static char path_buf[256];

static const char *group_file(const char *name)
{
	snprintf(path_buf, sizeof(path_buf), MROOT "/groups/%u/%s", eg, name);
	return path_buf;
}

static int set_policy_file(const char *policy)
{
	return write_str(group_file("policy"), policy);
}

/* An fd of a file opened before the call: the call is the write alone. */
static int file_fd = -1;

static int open_file(const char *path)
{
	if (file_fd >= 0)
		close(file_fd);
	file_fd = open(path, O_WRONLY | O_CLOEXEC);
	return file_fd < 0 ? -errno : 0;
}

static int write_fd(const char *s)
{
	return pwrite(file_fd, s, strlen(s), 0) < 0 ? -errno : 0;
}

static int dev_open(void)
{
	if (dev_fd < 0)
		dev_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	return dev_fd < 0 ? -errno : 0;
}

static void dev_close(void)
{
	if (dev_fd >= 0)
		close(dev_fd);
	dev_fd = -1;
}

static int do_ioctl(unsigned long cmd, void *arg)
{
	return ioctl(dev_fd, cmd, arg) < 0 ? -errno : 0;
}

static int claim(uint32_t flags)
{
	struct iommu_policy_claim c = { .size = sizeof(c), .flags = flags, .group_id = eg };

	return do_ioctl(IOMMU_POLICY_CLAIM, &c);
}

static int release(void)
{
	struct iommu_policy_release r = { .size = sizeof(r), .group_id = eg };

	return do_ioctl(IOMMU_POLICY_RELEASE, &r);
}

static int holder_set(uint32_t policy)
{
	struct iommu_policy_set_policy p = { .size = sizeof(p), .group_id = eg, .policy = policy };

	return do_ioctl(IOMMU_POLICY_SET_POLICY, &p);
}

/* Receive the answer to a request: 0, or the error its ACK carries. */
static int nl_answer(uint32_t seq)
{
	static unsigned char buf[65536];

	for (;;) {
		struct pollfd pfd = { .fd = nl_fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 5000) <= 0)
			return -ETIMEDOUT;
		n = recv(nl_fd, buf, sizeof(buf), 0);
		if (n < 0)
			return -errno;
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return *(int *)NLMSG_DATA(h) < 0 ? *(int *)NLMSG_DATA(h) : 0;
		}
	}
}

/* A request, built before the call; nl_send() is the call, nl_answer() follows. */
static unsigned char nl_msg[256];
static size_t nl_len;
static uint32_t nl_msg_seq;

static void nl_build(uint8_t cmd, uint16_t flags, int group, int policy, int hold)
{
	struct nlmsghdr *h = (struct nlmsghdr *)nl_msg;
	struct genlmsghdr *g = NLMSG_DATA(h);
	uint32_t v;
	uint8_t b;

	memset(nl_msg, 0, sizeof(nl_msg));
	nl_len = NLMSG_LENGTH(GENL_HDRLEN);
	h->nlmsg_type = family_id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	h->nlmsg_seq = nl_msg_seq = nl_seq++;
	g->cmd = cmd;
	g->version = IOMMU_POLICY_FAMILY_VERSION;
	if (group >= 0) {
		v = (uint32_t)group;
		put_attr(nl_msg, &nl_len, sizeof(nl_msg), IOMMU_POLICY_A_GROUP_ID, &v, sizeof(v));
	}
	if (policy >= 0) {
		v = (uint32_t)policy;
		put_attr(nl_msg, &nl_len, sizeof(nl_msg), IOMMU_POLICY_A_GROUP_POLICY, &v, sizeof(v));
	}
	if (hold >= 0) {
		b = (uint8_t)hold;
		put_attr(nl_msg, &nl_len, sizeof(nl_msg), IOMMU_POLICY_A_DMA_ACCOUNTING_HOLD, &b,
			 sizeof(b));
	}
	h->nlmsg_len = (uint32_t)nl_len;
}

static int nl_send(void)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	return sendto(nl_fd, nl_msg, nl_len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0 ?
	       -errno : 0;
}

static int nl_request(uint8_t cmd, uint16_t flags, int group, int policy, int hold)
{
	int ret;

	nl_build(cmd, flags, group, policy, hold);
	ret = nl_send();
	return ret ? ret : nl_answer(nl_msg_seq);
}

static int nl_open(void)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };

	if (nl_fd >= 0)
		close(nl_fd);
	family_id = 0;
	nl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl_fd < 0 || bind(nl_fd, (struct sockaddr *)&local, sizeof(local)))
		return -errno;
	setsockopt(nl_fd, SOL_NETLINK, NETLINK_EXT_ACK, &(int){ 1 }, sizeof(int));
	return genl_resolve(nl_fd, &nl_seq, &family_id, &events_group);
}

/* --- the entry points --------------------------------------------------------------------- */

/*
 * prepare: bring the module to the state the call starts from (again after
 * a call that succeeded); call: the one system call (0 or -errno), after
 * which, with answer, the netlink answer is read (fail-nth disarmed); undo:
 * what a call that succeeded changed, put back (NULL: nothing to put back,
 * or it cannot be: prepare starts again).  A call that cannot fail (close)
 * has must_succeed: whatever was injected, the state after it must be the
 * one its prepare started from.
 */
struct entry {
	const char *name;
	int (*prepare)(void);
	int (*call)(void);
	bool answer;
	int (*undo)(void);
	bool must_succeed;
};

static int prep_strict(void)
{
	return set_policy_file("strict");
}

/* The policy file, opened before: strict -> identity replaces the domain, -> lazy not. */
static int prep_policy_file(void)
{
	int ret = prep_strict();

	return ret ? ret : open_file(group_file("policy"));
}

static int call_policy_identity(void)
{
	return write_fd("identity");
}

static int call_policy_lazy(void)
{
	return write_fd("lazy");
}

/* Counters made non-zero first, with the fault injector (iommu_policy_test_fault.ko). */
static int make_faults(void)
{
	char faults[32], w[96];

	read_file(MROOT "/stats/faults", faults, sizeof(faults));
	if (strcmp(faults, "0"))
		return 0;
	snprintf(w, sizeof(w), "bdf=%s count=3 domain=private", edu);
	return write_str("/sys/kernel/debug/iommu_policy_test_fault/inject", w);
}

static int prep_reset(void)
{
	int ret = make_faults();

	return ret ? ret : open_file(MROOT "/stats/reset");
}

static int call_write_1(void)
{
	return write_fd("1");
}

static int prep_acct(void)
{
	int ret = write_str(MROOT "/stats/dma_accounting", "0");

	return ret ? ret : open_file(MROOT "/stats/dma_accounting");
}

static int undo_acct(void)
{
	return write_str(MROOT "/stats/dma_accounting", "0");
}

/* /dev/iommu_policy: opening it (a file and its claims list). */
static int prep_closed(void)
{
	dev_close();
	return 0;
}

static int call_open(void)
{
	dev_fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	return dev_fd < 0 ? -errno : 0;
}

static int undo_close(void)
{
	dev_close();
	return 0;
}

static int prep_open(void)
{
	int ret;

	dev_close();
	ret = prep_strict();
	return ret ? ret : dev_open();
}

static int call_get_info(void)
{
	struct iommu_policy_info info = { .size = sizeof(info) };

	return do_ioctl(IOMMU_POLICY_GET_INFO, &info);
}

static int call_group_info(void)
{
	static char devices[4096];
	struct iommu_policy_group_info gi = {
		.size = sizeof(gi), .group_id = eg, .devices_len = sizeof(devices),
		.devices_uptr = (uintptr_t)devices,
	};

	return do_ioctl(IOMMU_POLICY_GROUP_INFO, &gi);
}

static int call_claim(void)
{
	return claim(0);
}

static int call_quarantine(void)
{
	return claim(IOMMU_POLICY_CLAIM_QUARANTINE);
}

/* RELEASE, SET_POLICY by the holder and close: from a claim. */
static int prep_claimed(void)
{
	int ret = prep_open();

	return ret ? ret : claim(0);
}

static int call_holder_identity(void)
{
	return holder_set(IOMMU_POLICY_IDENTITY);
}

static int undo_holder(void)
{
	return holder_set(IOMMU_POLICY_STRICT);
}

/* Closing a file that holds a claim ends the claim: close cannot fail. */
static int call_close_claimed(void)
{
	int fd = dev_fd;

	dev_fd = -1;
	return close(fd) < 0 ? -errno : 0;
}

/* Netlink: each command, its answer read after the call. */
static int prep_nl(void)
{
	int ret = prep_strict();

	return ret ? ret : (family_id ? 0 : nl_open());
}

static int call_nl_group_get(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_GROUP_GET, 0, (int)eg, -1, -1);
	return nl_send();
}

static int call_nl_group_dump(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_GROUP_GET, NLM_F_DUMP, -1, -1, -1);
	return nl_send();
}

static int call_nl_group_set(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_GROUP_SET, 0, (int)eg, IOMMU_POLICY_IDENTITY, -1);
	return nl_send();
}

static int call_nl_stats_get(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_STATS_GET, 0, -1, -1, -1);
	return nl_send();
}

static int prep_nl_reset(void)
{
	int ret = make_faults();

	return ret ? ret : prep_nl();
}

static int call_nl_stats_reset(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_STATS_RESET, 0, -1, -1, -1);
	return nl_send();
}

static int call_nl_hold(void)
{
	nl_build(IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING, 0, -1, -1, 1);
	return nl_send();
}

static int undo_nl_hold(void)
{
	return nl_request(IOMMU_POLICY_NL_CMD_DMA_ACCOUNTING, 0, -1, -1, 0);
}

static int call_nl_join(void)
{
	return setsockopt(nl_fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_group,
			  sizeof(events_group)) < 0 ? -errno : 0;
}

static int undo_nl_leave(void)
{
	return setsockopt(nl_fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &events_group,
			  sizeof(events_group)) < 0 ? -errno : 0;
}

/* Loading the module, from unloaded; loaded again after. */
static int module_fd = -1;

static int prep_unloaded(void)
{
	dev_close();
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
	family_id = 0;
	if (access(MROOT, F_OK) == 0 && syscall(SYS_delete_module, "iommu_policy", O_NONBLOCK))
		return -errno;
	if (module_fd < 0)
		module_fd = open(opt_module, O_RDONLY | O_CLOEXEC);
	return module_fd < 0 ? -errno : 0;
}

static int call_load(void)
{
	return syscall(SYS_finit_module, module_fd, "", 0) ? -errno : 0;
}

static int undo_load(void)
{
	return nl_open();
}

static const struct entry entries[] = {
	{ "policy file: strict -> identity (the domain replaced)", prep_policy_file,
	  call_policy_identity, false, prep_strict, false },
	{ "policy file: strict -> lazy (in place)", prep_policy_file, call_policy_lazy, false,
	  prep_strict, false },
	{ "stats/reset", prep_reset, call_write_1, false, NULL, false },
	{ "stats/dma_accounting: pinned on", prep_acct, call_write_1, false, undo_acct, false },
	{ "open /dev/iommu_policy", prep_closed, call_open, false, undo_close, false },
	{ "ioctl GET_INFO", prep_open, call_get_info, false, NULL, false },
	{ "ioctl GROUP_INFO", prep_open, call_group_info, false, NULL, false },
	{ "ioctl CLAIM (a claim)", prep_open, call_claim, false, release, false },
	{ "ioctl CLAIM with QUARANTINE (a quarantine)", prep_open, call_quarantine, false, release,
	  false },
	{ "ioctl SET_POLICY by the holder: strict -> identity", prep_claimed, call_holder_identity,
	  false, undo_holder, false },
	{ "ioctl RELEASE", prep_claimed, release, false, NULL, false },
	{ "close of a file that holds a claim", prep_claimed, call_close_claimed, false, NULL, true },
	{ "netlink group-get", prep_nl, call_nl_group_get, true, NULL, false },
	{ "netlink group-get dump", prep_nl, call_nl_group_dump, true, NULL, false },
	{ "netlink group-set: strict -> identity", prep_nl, call_nl_group_set, true, prep_strict,
	  false },
	{ "netlink stats-get", prep_nl, call_nl_stats_get, true, NULL, false },
	{ "netlink stats-reset", prep_nl_reset, call_nl_stats_reset, true, NULL, false },
	{ "netlink dma-accounting hold", prep_nl, call_nl_hold, true, undo_nl_hold, false },
	{ "netlink: joining the events group", prep_nl, call_nl_join, false, undo_nl_leave, false },
	{ "loading the module", prep_unloaded, call_load, false, undo_load, false },
};

/* --- running one entry point ------------------------------------------------------------ */

static char diff_buf[16384];

static bool fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static bool fail(const char *fmt, ...)
{
	va_list ap;

	printf("not ok - ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	failures++;
	return false;
}

/* prepare, then the state it gives; false after "not ok". */
static bool prepare(const struct entry *e, struct full_state *before, unsigned int n)
{
	int ret = e->prepare();

	if (ret)
		return fail("%s: cannot prepare%s (%s)\n", e->name, n ? " again" : "",
			    ipol_errname(-ret));
	read_full(before);
	return true;
}

static void run(const struct entry *e)
{
	struct full_state base, before, after;
	unsigned int n, succeeded = 0;
	int ret;

	/* What a call that must succeed has to leave: the state without its prepare. */
	if (e->must_succeed) {
		dev_close();
		if ((ret = prep_strict()))
			return (void)fail("%s: cannot set strict (%s)\n", e->name, ipol_errname(-ret));
		read_full(&base);
	}
	if (!prepare(e, &before, 0))
		return;
	for (n = 1; n <= opt_max; n++) {
		bool injected;

		arm(n);
		ret = e->call();
		injected = disarm();
		if (!ret && e->answer) {
			ret = nl_answer(nl_msg_seq);
			/*
			 * No room for the answer (its allocation failed): the request
			 * itself may have been carried out.  Compared as a success.
			 */
			if (ret == -ENOBUFS && injected)
				ret = 0;
		}
		if (opt_verbose)
			printf("#   %s: fail-nth %u: %s%s\n", e->name, n, ipol_errname(-ret),
			       injected ? " (injected)" : "");
		if (!injected) {
			if (ret)
				return (void)fail("%s: fails with nothing injected (%s, fail-nth %u)\n",
						  e->name, ipol_errname(-ret), n);
			if (e->undo && (ret = e->undo()))
				return (void)fail("%s: undoing it failed (%s)\n", e->name,
						  ipol_errname(-ret));
			break;
		}
		if (e->must_succeed) {
			read_full(&after);
			if (ret || diff_full(&base, &after, diff_buf, sizeof(diff_buf)))
				return (void)fail("%s: with fail-nth %u it %s and left:\n%s", e->name, n,
						  ret ? ipol_errname(-ret) : "succeeded", diff_buf);
		} else if (ret) {
			read_full(&after);
			if (diff_full(&before, &after, diff_buf, sizeof(diff_buf)))
				return (void)fail("%s: fail-nth %u failed it (%s) but it changed:\n%s",
						  e->name, n, ipol_errname(-ret), diff_buf);
			continue;
		} else {
			/* It did without what failed: undo what it did. */
			succeeded++;
			if (e->undo && (ret = e->undo()))
				return (void)fail("%s: undoing it (fail-nth %u) failed (%s)\n", e->name, n,
						  ipol_errname(-ret));
		}
		if (!prepare(e, &before, n))
			return;
	}
	if (n > opt_max)
		return (void)fail("%s: still failing at fail-nth %u (--max)\n", e->name, opt_max);
	printf("ok - %s: %u injection points, each failure left the state as it was\n", e->name,
	       n - 1);
	if (succeeded)
		printf("# %s: at %u of them the call did without the allocation that failed\n",
		       e->name, succeeded);
}

/* --- main ------------------------------------------------------------------------------- */

static int usage(void)
{
	fprintf(stderr, "usage: ipol-failnth [--only NAME] [--max N] [--edu BDF] [--module PATH] "
		"[--verbose]\n");
	return 2;
}

int main(int argc, char **argv)
{
	char link[256];

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--only") && i + 1 < argc)
			opt_only = argv[++i];
		else if (!strcmp(argv[i], "--max") && i + 1 < argc)
			opt_max = (unsigned int)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--edu") && i + 1 < argc)
			opt_edu = argv[++i];
		else if (!strcmp(argv[i], "--module") && i + 1 < argc)
			opt_module = argv[++i];
		else if (!strcmp(argv[i], "--verbose"))
			opt_verbose = true;
		else
			return usage();
	}
	if (!opt_edu)
		return usage();
	copy_str(edu, sizeof(edu), opt_edu);
	snprintf(path_buf, sizeof(path_buf), "/sys/bus/pci/devices/%s/iommu_group", edu);
	read_link_base(path_buf, link, sizeof(link));
	eg = (unsigned int)strtoul(link, NULL, 10);
	if (!strcmp(link, "-")) {
		printf("Bail out! %s is in no IOMMU group\n", edu);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (setup_fault_injection() || nl_open()) {
		if (fail_fd >= 0)
			printf("Bail out! the iommu_policy netlink family: is the module loaded?\n");
		return 1;
	}
	for (size_t i = 0; i < ARRAY_SIZE(entries); i++)
		if (!opt_only || strstr(entries[i].name, opt_only))
			run(&entries[i]);
	dev_close();
	return failures ? 1 : 0;
}
