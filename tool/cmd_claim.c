// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl claim, quarantine and release: exclusive ownership of a group
 * through the iommu_policy module's /dev/iommu_policy (iommu_policy(4)).
 *
 *   claim GROUP        hold the group until interrupted (SIGINT, SIGTERM,
 *                      SIGHUP); the module releases it when we exit anyway
 *   quarantine GROUP   keep drivers and DMA off the group until released,
 *                      beyond this process; --unbind unbinds its drivers first,
 *                      through the policy-change engine (change.c: in-use
 *                      checks, journal, drivers bound again if the quarantine
 *                      is refused), which records the drivers it removed
 *   release GROUP      end a quarantine (or a claim of this process); with
 *                      --rebind give the recorded drivers back, without it
 *                      say which devices stay without one
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/iommu_policy.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "change.h"
#include "groups.h"
#include "iommuctl.h"
#include "names.h"
#include "sysfs.h"
#include "util.h"

#define DEV_IOMMU_POLICY "/dev/iommu_policy"

void cmd_claim_usage(void)
{
	printf("Usage: %s claim [OPTIONS] GROUP|DEVICE\n"
	       "\n"
	       "Own an IOMMU group exclusively until interrupted: no driver binds to its\n"
	       "devices and their DMA is blocked.  Needs the iommu_policy module and root.\n"
	       "\n"
	       "Options:\n"
	       "      --sysroot DIR   read sysfs under DIR instead of /\n"
	       "  -h, --help          show this help\n", program_name);
}

void cmd_quarantine_usage(void)
{
	printf("Usage: %s quarantine [OPTIONS] GROUP|DEVICE\n"
	       "\n"
	       "Keep drivers and DMA off an IOMMU group until '%s release'; the\n"
	       "quarantine outlives this command.  Needs the iommu_policy module and root.\n"
	       "\n"
	       "Options:\n"
	       "      --unbind        unbind the group's drivers first (else a bound\n"
	       "                      driver is refused, naming it); 'release --rebind'\n"
	       "                      binds them again\n"
	       "      --force         with --unbind, also unbind devices that back a mounted\n"
	       "                      filesystem, swap, or a network interface that is up\n"
	       "      --sysroot DIR   read sysfs under DIR instead of /\n"
	       "  -h, --help          show this help\n", program_name, program_name);
}

void cmd_release_usage(void)
{
	printf("Usage: %s release [OPTIONS] GROUP|DEVICE\n"
	       "\n"
	       "End the quarantine of an IOMMU group; drivers may bind again.  The drivers\n"
	       "'quarantine --unbind' removed are bound again with --rebind; without it\n"
	       "this command names the devices it leaves without a driver.  Needs the\n"
	       "iommu_policy module and root.\n"
	       "\n"
	       "Options:\n"
	       "      --rebind        bind each device 'quarantine --unbind' unbound to the\n"
	       "                      driver it had\n"
	       "      --sysroot DIR   read sysfs under DIR instead of /\n"
	       "  -h, --help          show this help\n", program_name);
}

/* /dev/iommu_policy, or an exit status with the reason on stderr. */
static int open_module(const char *cmd, int *fd)
{
	char *path = sysfs_path(DEV_IOMMU_POLICY);

	*fd = open(path, O_RDWR | O_CLOEXEC);
	if (*fd >= 0) {
		free(path);
		return 0;
	}
	if (errno == ENOENT || errno == ENXIO || errno == ENODEV)
		warnx_("%s: %s needs the iommu_policy module, which is not loaded (%s: %s); "
		       "load it with 'modprobe iommu_policy'", cmd, cmd, path, strerror(errno));
	else if (errno == EACCES || errno == EPERM)
		needs_root(cmd, path, false);
	else
		warnx_("%s: cannot open %s: %s", cmd, path, strerror(errno));
	free(path);
	return errno == ENOENT || errno == ENXIO || errno == ENODEV ? EXIT_NEEDS_MODULE :
	       errno == EACCES || errno == EPERM ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
}

/*
 * Why the module refused a claim (EBUSY): the group's last_error, into
 * @buf; false when it has none (older reasons are not ours to give).
 */
static bool module_reason(unsigned int id, int err, char *buf, size_t size)
{
	char *path = sysfs_path(IOMMU_POLICY_DIR "/groups/%u/last_error", id);
	bool ret = err == EBUSY && sysfs_read_str(path, buf, size) == 0 && strcmp(buf, "none");

	free(path);
	return ret;
}

/* Why the module refused @what, on stderr, with the way out. */
static void explain_refusal(const char *cmd, unsigned int id, const char *what, int err)
{
	char reason[512];

	if (err == EPERM || err == EACCES)
		needs_root(cmd, what, false);
	else if (module_reason(id, err, reason, sizeof(reason)))
		warnx_("%s: group %u: %s", cmd, id, reason);
	else if (err == EINVAL && !strcmp(cmd, "release"))
		warnx_("release: group %u is not quarantined, nor claimed by this process "
		       "(see '%s list --owner quarantined')", id, program_name);
	else if (err == ENOENT)
		warnx_("%s: group %u: %s refused: the module does not list the group (see '%s list')",
		       cmd, id, what, program_name);
	else
		warnx_("%s: group %u: %s failed: %s", cmd, id, what, strerror(err));
}

/* GROUP or DEVICE to a group id; exit status on failure. */
static int parse_target(const char *cmd, const char *arg, unsigned int *id)
{
	struct ic_group_list list;
	struct ic_group *grp;
	int ret;

	/* A number needs no sysfs: the module says if it has no such group. */
	if (!parse_group_id(arg, id))
		return 0;
	ret = load_groups_or_explain(&list, cmd);
	if (ret >= 0)
		return ret;
	grp = find_group_arg(&list, cmd, arg, NULL);
	if (grp)
		*id = grp->id;
	groups_free(&list);
	names_close();
	return grp ? 0 : EXIT_FAILURE;
}

static int do_claim(int fd, unsigned int id, bool quarantine)
{
	struct iommu_policy_claim c = {
		.size = sizeof(c),
		.flags = quarantine ? IOMMU_POLICY_CLAIM_QUARANTINE : 0,
		.group_id = id,
	};

	return ioctl(fd, IOMMU_POLICY_CLAIM, &c) ? errno : 0;
}

/* Wait for SIGINT, SIGTERM or SIGHUP, the signals a person or systemd sends. */
static void wait_for_signal(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
}

/* The options of the claim commands; each takes those its usage names. */
struct claim_opts {
	bool unbind, force, rebind;	/* quarantine --unbind [--force]; release --rebind */
};

/* The options every claim command takes; -1 to go on, else an exit status. */
static int parse_args(int argc, char **argv, const char *cmd, void (*usage)(void),
		      struct claim_opts *o, const char *allowed, unsigned int *id)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "unbind", no_argument, NULL, 'u' },
		{ "force", no_argument, NULL, 'f' },
		{ "rebind", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		if (opt == 'h') {
			usage();
			return EXIT_SUCCESS;
		}
		if (opt == '?' || !strchr(allowed, opt)) {
			if (opt != '?')
				warnx_("%s: unrecognized option '%s'", cmd, argv[optind - 1]);
			fprintf(stderr, "Try '%s help %s'.\n", program_name, cmd);
			return EXIT_USAGE;
		}
		if (opt == 'u')
			o->unbind = true;
		else if (opt == 'f')
			o->force = true;
		else if (opt == 'r')
			o->rebind = true;
	}
	if (o->force && !o->unbind) {
		warnx_("%s: --force goes with --unbind (see '%s help %s')", cmd, program_name, cmd);
		return EXIT_USAGE;
	}
	if (optind + 1 != argc) {
		warnx_("%s: %s (see '%s help %s')", cmd,
		       optind >= argc ? "which group? give its number or one of its devices" :
					"one group at a time", program_name, cmd);
		return EXIT_USAGE;
	}
	ret = parse_target(cmd, argv[optind], id);
	return ret ? ret : -1;
}

int cmd_claim(int argc, char **argv)
{
	struct claim_opts o = { 0 };
	unsigned int id;
	int fd, ret, err;

	ret = parse_args(argc, argv, "claim", cmd_claim_usage, &o, "", &id);
	if (ret >= 0)
		return ret;
	ret = open_module("claim", &fd);
	if (ret)
		return ret;
	err = do_claim(fd, id, false);
	if (err) {
		explain_refusal("claim", id, "claim", err);
		close(fd);
		return err == EPERM || err == EACCES ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
	}
	printf("group %u claimed; interrupt (Ctrl-C) or send SIGTERM to release it\n", id);
	fflush(stdout);
	wait_for_signal();
	/* Closing releases it too; releasing first lets us say so truthfully. */
	if (ioctl(fd, IOMMU_POLICY_RELEASE,
		  &(struct iommu_policy_release){ .size = sizeof(struct iommu_policy_release),
						  .group_id = id }))
		warnx_("claim: group %u: release failed: %s; closing the device releases it",
		       id, strerror(errno));
	else
		printf("group %u released\n", id);
	close(fd);
	return EXIT_SUCCESS;
}

struct quarantine_hold {
	int fd;
	unsigned int id;
};

/* The hold of quarantine --unbind, run while the drivers are off. */
static int quarantine_step(void *arg, char *why, size_t size)
{
	struct quarantine_hold *q = arg;
	int err = do_claim(q->fd, q->id, true);

	if (err && !module_reason(q->id, err, why, size))
		snprintf(why, size, "%s", strerror(err));
	return err;
}

/* quarantine --unbind: the drivers go through the policy-change engine. */
static int quarantine_unbind(int fd, unsigned int id, bool force)
{
	struct policy_change pc = {
		.cmd = "quarantine", .rebind = true, .force = force,
		.force_hint = "--force does",
	};
	struct quarantine_hold q = { .fd = fd, .id = id };
	struct ic_group_list list;
	struct ic_group *grp;
	char arg[16];
	int ret;

	if (policy_change_recover("quarantine", false))
		return EXIT_FAILURE;
	ret = load_groups_or_explain(&list, "quarantine");
	if (ret >= 0)
		return ret;
	snprintf(arg, sizeof(arg), "%u", id);
	grp = find_group_arg(&list, "quarantine", arg, NULL);
	if (!grp) {
		ret = EXIT_FAILURE;
		goto out;
	}
	ret = policy_change_prepare(&pc, &list, grp, -1);
	if (!ret)
		ret = group_unbind_hold(&pc, grp, "quarantine", quarantine_step, &q);
	if (ret == EXIT_NOT_PERMITTED)
		needs_root("quarantine", "quarantine", false);
out:
	policy_change_free(&pc);
	groups_free(&list);
	names_close();
	return ret;
}

int cmd_quarantine(int argc, char **argv)
{
	struct claim_opts o = { 0 };
	unsigned int id;
	int fd, ret, err;

	ret = parse_args(argc, argv, "quarantine", cmd_quarantine_usage, &o, "uf", &id);
	if (ret >= 0)
		return ret;
	ret = open_module("quarantine", &fd);
	if (ret)
		return ret;
	if (o.unbind) {
		ret = quarantine_unbind(fd, id, o.force);
		close(fd);
		if (ret)
			return ret;
	} else {
		err = do_claim(fd, id, true);
		close(fd);
		if (err) {
			explain_refusal("quarantine", id, "quarantine", err);
			if (err == EBUSY)
				fprintf(stderr, "(--unbind unbinds the group's drivers first; 'release --rebind' binds them again)\n");
			return err == EPERM || err == EACCES ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
		}
	}
	printf("group %u quarantined; '%s release %s%u' ends it\n", id, program_name,
	       o.unbind ? "--rebind " : "", id);
	return EXIT_SUCCESS;
}

int cmd_release(int argc, char **argv)
{
	struct iommu_policy_release r = { .size = sizeof(r) };
	struct claim_opts o = { 0 };
	unsigned int id;
	int fd, ret, err = 0;

	ret = parse_args(argc, argv, "release", cmd_release_usage, &o, "r", &id);
	if (ret >= 0)
		return ret;
	ret = open_module("release", &fd);
	if (ret)
		return ret;
	r.group_id = id;
	if (ioctl(fd, IOMMU_POLICY_RELEASE, &r))
		err = errno;
	close(fd);
	if (err) {
		explain_refusal("release", id, "release", err);
		return err == EPERM || err == EACCES ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
	}
	printf("group %u released\n", id);
	return group_drivers_restore("release", id, o.rebind);
}
