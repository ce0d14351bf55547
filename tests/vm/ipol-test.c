// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipol-test: a small client for the VM tests of iommu_policy.ko.
 *
 *   ipol-test [--uid UID] [--drop-cap CAP]... COMMAND ...
 *
 *   write FILE VALUE        write VALUE to FILE in one write(2) and print "ok"
 *                           or the errno's name (EBUSY, ...)
 *   read FILE               print FILE's contents, or the errno's name
 *   dev OP... [-- OP...]    open /dev/iommu_policy and run the operations on
 *                           that one file, printing one line each:
 *       info                  "version=V features=0xF"
 *       group-info G          "policy=P mandatory=M owner=O pid=N comm=C
 *                             devices=D,D"
 *       claim G | quarantine G | release G
 *       set-policy G POLICY   POLICY: identity, strict, lazy, auto
 *       hold                  print "holding", then wait for SIGTERM/SIGINT
 *       readonly              the structs of the operations after it are on a
 *                             read-only page (the module must not write them)
 *   badinput G              try every malformed call on group G and print
 *                           unnumbered TAP lines ("ok - ..."/"not ok - ...")
 *   nl ...                  the netlink family (ipol-test-nl.c)
 *   exec CMD [ARG]...       run CMD with the privileges the options left
 *
 * --uid runs the command as that user (and group); --drop-cap drops a
 * capability (by number, e.g. 17 for CAP_SYS_RAWIO) from the effective,
 * permitted and inheritable sets first.  The guest's busybox cannot.
 *
 * Exit status 0 when every operation succeeded, 1 when one failed (its
 * errno printed), 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/iommu_policy.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ipol-test.h"

#define DEV_PATH "/dev/iommu_policy"

const char *errname(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "EUNKNOWN";
}

static int report(int err)
{
	puts(err ? errname(err) : "ok");
	fflush(stdout);
	return err ? 1 : 0;
}

static int cmd_write(const char *path, const char *value)
{
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return report(errno);
	n = write(fd, value, strlen(value));
	if (n < 0)
		err = errno;
	close(fd);
	return report(err);
}

static int cmd_read(const char *path)
{
	char buf[4096];
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report(errno);
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		err = errno;
	close(fd);
	if (err)
		return report(err);
	fwrite(buf, 1, (size_t)n, stdout);
	return 0;
}


/* "dev readonly ...": the structs of the ioctls after it are on a read-only page. */
static int readonly;

static int do_ioctl(int fd, unsigned long request, void *arg)
{
	void *page;
	int err;

	if (!readonly)	/* arg may be a bad pointer on purpose (badinput) */
		return ioctl(fd, request, arg) ? errno : 0;
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED)
		return errno;
	memcpy(page, arg, *(__u32 *)arg);	/* every struct starts with its size */
	mprotect(page, 4096, PROT_READ);
	err = ioctl(fd, request, page) ? errno : 0;
	munmap(page, 4096);
	return err;
}

static int op_info(int fd)
{
	struct iommu_policy_info info = { .size = sizeof(info) };
	int err = do_ioctl(fd, IOMMU_POLICY_GET_INFO, &info);

	if (err)
		return report(err);
	printf("version=%s features=0x%llx\n", info.version, (unsigned long long)info.features);
	return 0;
}

static int op_group_info(int fd, unsigned int group)
{
	struct iommu_policy_group_info gi = { .size = sizeof(gi), .group_id = group };
	char names[4096];
	int err;

	gi.devices_uptr = (uintptr_t)names;
	gi.devices_len = sizeof(names);
	err = do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi);
	if (err)
		return report(err);
	printf("policy=%u mandatory=%u owner=%u pid=%u comm=%s devices=", gi.policy,
	       gi.mandatory, gi.owner, gi.owner_pid, gi.owner_comm);
	for (unsigned int off = 0, i = 0; i < gi.num_devices; i++) {
		printf("%s%s", i ? "," : "", names + off);
		off += strlen(names + off) + 1;
	}
	putchar('\n');
	return 0;
}

static int op_claim(int fd, unsigned int group, unsigned int flags)
{
	struct iommu_policy_claim c = { .size = sizeof(c), .flags = flags, .group_id = group };

	return report(do_ioctl(fd, IOMMU_POLICY_CLAIM, &c));
}

static int op_release(int fd, unsigned int group)
{
	struct iommu_policy_release r = { .size = sizeof(r), .group_id = group };

	return report(do_ioctl(fd, IOMMU_POLICY_RELEASE, &r));
}

static int op_set_policy(int fd, unsigned int group, int policy)
{
	struct iommu_policy_set_policy sp = {
		.size = sizeof(sp), .group_id = group, .policy = (unsigned int)policy,
	};

	return report(do_ioctl(fd, IOMMU_POLICY_SET_POLICY, &sp));
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/*
 * SIGTERM and SIGINT stay blocked until sigsuspend() waits for them: with
 * pause(), one that came between the test of stop and the call was lost and
 * the holder waited for ever (a stress run's holder never exited).
 */
static int op_hold(void)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	puts("holding");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

static int cmd_dev(int argc, char **argv)
{
	int fd, status = 0, i = 0;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return report(errno);
	while (i < argc) {
		const char *op = argv[i++];
		int need = (!strcmp(op, "set-policy")) ? 2 :
			   (!strcmp(op, "info") || !strcmp(op, "hold") ||
			    !strcmp(op, "readonly")) ? 0 : 1;

		if (i + need > argc) {
			fprintf(stderr, "ipol-test: %s needs %d argument(s)\n", op, need);
			return 2;
		}
		if (!strcmp(op, "info"))
			status |= op_info(fd);
		else if (!strcmp(op, "group-info"))
			status |= op_group_info(fd, strtoul(argv[i], NULL, 0));
		else if (!strcmp(op, "claim"))
			status |= op_claim(fd, strtoul(argv[i], NULL, 0), 0);
		else if (!strcmp(op, "quarantine"))
			status |= op_claim(fd, strtoul(argv[i], NULL, 0),
					   IOMMU_POLICY_CLAIM_QUARANTINE);
		else if (!strcmp(op, "release"))
			status |= op_release(fd, strtoul(argv[i], NULL, 0));
		else if (!strcmp(op, "set-policy"))
			status |= op_set_policy(fd, strtoul(argv[i], NULL, 0),
						parse_policy(argv[i + 1]));
		else if (!strcmp(op, "hold"))
			status |= op_hold();
		else if (!strcmp(op, "readonly"))
			readonly = 1;
		else {
			fprintf(stderr, "ipol-test: unknown operation '%s'\n", op);
			return 2;
		}
		i += need;
	}
	close(fd);
	return status;
}

/* --- bad input ------------------------------------------------------------ */

static int failures;

static void expect(const char *what, int got, int want)
{
	if (got == want) {
		printf("ok - ioctl: %s gives %s\n", what, want ? errname(want) : "success");
	} else {
		printf("not ok - ioctl: %s gives %s\n", what, want ? errname(want) : "success");
		printf("# got %s\n", got ? errname(got) : "success");
		failures++;
	}
}

static int cmd_badinput(unsigned int group)
{
	unsigned char big[256];
	struct iommu_policy_claim c;
	struct iommu_policy_info info;
	struct iommu_policy_set_policy sp;
	struct iommu_policy_group_info gi;
	int fd;

	fd = open(DEV_PATH, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("not ok - open %s\n# %s\n", DEV_PATH, errname(errno));
		return 1;
	}

	expect("an unknown ioctl number", do_ioctl(fd, _IO(IOMMU_POLICY_TYPE, 0x7f), &info), ENOTTY);
	expect("an ioctl past the last one",
	       do_ioctl(fd, _IO(IOMMU_POLICY_TYPE, IOMMU_POLICY_CMD_SET_POLICY + 1), &info), ENOTTY);
	expect("another ioctl type", do_ioctl(fd, _IO('T', IOMMU_POLICY_CMD_BASE), &info), ENOTTY);
	expect("a NULL argument", do_ioctl(fd, IOMMU_POLICY_GET_INFO, NULL), EFAULT);

	memset(&info, 0, sizeof(info));
	info.size = 4;
	expect("GET_INFO with size 4 (below the minimum)", do_ioctl(fd, IOMMU_POLICY_GET_INFO, &info), EINVAL);
	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.flags = 1;
	expect("GET_INFO with unknown flags", do_ioctl(fd, IOMMU_POLICY_GET_INFO, &info), EINVAL);

	memset(big, 0, sizeof(big));
	((struct iommu_policy_info *)big)->size = sizeof(big);
	expect("GET_INFO with a bigger size and zero trailing bytes",
	       do_ioctl(fd, IOMMU_POLICY_GET_INFO, big), 0);
	big[sizeof(big) - 1] = 1;
	expect("GET_INFO with a non-zero trailing byte", do_ioctl(fd, IOMMU_POLICY_GET_INFO, big), E2BIG);

	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.group_id = 999999;
	expect("GROUP_INFO of a group that does not exist", do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi), ENOENT);
	gi.group_id = 0xffffffffu;
	expect("GROUP_INFO of group 0xffffffff", do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi), ENOENT);
	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.group_id = group;
	gi.__reserved = 1;
	expect("GROUP_INFO with the reserved field set", do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi), EINVAL);
	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.group_id = group;
	gi.devices_uptr = 16;	/* not a mapped address */
	gi.devices_len = 4096;
	expect("GROUP_INFO with a bad devices buffer", do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi), EFAULT);
	memset(&gi, 0, sizeof(gi));
	gi.size = sizeof(gi);
	gi.group_id = group;
	expect("GROUP_INFO without a devices buffer", do_ioctl(fd, IOMMU_POLICY_GROUP_INFO, &gi), 0);
	if (gi.devices_len == 0 || gi.num_devices == 0) {
		printf("not ok - GROUP_INFO without a buffer reports the size needed\n");
		failures++;
	} else {
		printf("ok - GROUP_INFO without a buffer reports the size needed (%u bytes)\n", gi.devices_len);
	}

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.group_id = group;
	c.flags = 2;
	expect("CLAIM with unknown flags", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), EINVAL);
	c.flags = 0;
	c.__reserved = 1;
	expect("CLAIM with the reserved field set", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), EINVAL);
	c.__reserved = 0;
	c.group_id = 999999;
	expect("CLAIM of a group that does not exist", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), ENOENT);
	c.group_id = group;
	c.size = 8;
	expect("CLAIM with a short size", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), EINVAL);

	memset(&sp, 0, sizeof(sp));
	sp.size = sizeof(sp);
	sp.group_id = group;
	sp.policy = IOMMU_POLICY_STRICT;
	expect("SET_POLICY on a group this file did not claim", do_ioctl(fd, IOMMU_POLICY_SET_POLICY, &sp), EINVAL);
	expect("RELEASE of a group this file did not claim",
	       do_ioctl(fd, IOMMU_POLICY_RELEASE, &(struct iommu_policy_release){ .size = 16, .group_id = group }), EINVAL);

	c.size = sizeof(c);
	expect("CLAIM of the group", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), 0);
	expect("CLAIM of it again", do_ioctl(fd, IOMMU_POLICY_CLAIM, &c), EBUSY);
	for (unsigned int p = IOMMU_POLICY_UNKNOWN; p <= 7; p += 1) {
		char what[64];

		if (p >= IOMMU_POLICY_IDENTITY && p <= IOMMU_POLICY_AUTO)
			continue;
		sp.policy = p;
		snprintf(what, sizeof(what), "SET_POLICY with policy value %u", p);
		expect(what, do_ioctl(fd, IOMMU_POLICY_SET_POLICY, &sp), EINVAL);
	}
	sp.policy = IOMMU_POLICY_STRICT;
	sp.flags = 4;
	expect("SET_POLICY with unknown flags", do_ioctl(fd, IOMMU_POLICY_SET_POLICY, &sp), EINVAL);
	expect("RELEASE with unknown flags",
	       do_ioctl(fd, IOMMU_POLICY_RELEASE, &(struct iommu_policy_release){ .size = 16, .flags = 1, .group_id = group }), EINVAL);
	expect("RELEASE of the claim",
	       do_ioctl(fd, IOMMU_POLICY_RELEASE, &(struct iommu_policy_release){ .size = 16, .group_id = group }), 0);
	close(fd);
	return failures ? 1 : 0;
}

/* --- privileges -------------------------------------------------------------- */

static int drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	unsigned int word = (unsigned int)cap / 32, bit = 1u << (cap % 32);

	if (cap < 0 || cap >= 64 || syscall(SYS_capget, &hdr, data))
		return -1;
	data[word].effective &= ~bit;
	data[word].permitted &= ~bit;
	data[word].inheritable &= ~bit;
	return syscall(SYS_capset, &hdr, data) ? -1 : 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: ipol-test [--uid UID] [--drop-cap CAP]... "
			"write FILE VALUE | read FILE | dev OP... | badinput GROUP | nl ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--uid")) {
			unsigned int id = (unsigned int)strtoul(argv[i + 1], NULL, 10);

			if (setgroups(0, NULL) || setresgid(id, id, id) || setresuid(id, id, id)) {
				perror("ipol-test: --uid");
				return 2;
			}
		} else if (!strcmp(argv[i], "--drop-cap")) {
			if (drop_cap(atoi(argv[i + 1]))) {
				perror("ipol-test: --drop-cap");
				return 2;
			}
		} else {
			break;
		}
	}
	argc -= i;
	argv += i;
	if (argc == 3 && !strcmp(argv[0], "write"))
		return cmd_write(argv[1], argv[2]);
	if (argc == 2 && !strcmp(argv[0], "read"))
		return cmd_read(argv[1]);
	if (argc >= 2 && !strcmp(argv[0], "dev"))
		return cmd_dev(argc - 1, argv + 1);
	if (argc == 2 && !strcmp(argv[0], "badinput"))
		return cmd_badinput((unsigned int)strtoul(argv[1], NULL, 0));
	if (argc >= 2 && !strcmp(argv[0], "exec")) {
		execvp(argv[1], argv + 1);
		fprintf(stderr, "ipol-test: exec %s: %s\n", argv[1], strerror(errno));
		return 127;
	}
	if (argc >= 2 && !strcmp(argv[0], "nl")) {
		int ret = cmd_nl(argc - 1, argv + 1);

		return ret == 2 ? usage() : ret;
	}
	return usage();
}
