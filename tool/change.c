// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The policy-change engine (change.h): the one place that changes a group's
 * policy or takes its drivers away.
 *
 * A change goes through the iommu_policy module when it is loaded (netlink
 * group-set, whose refusal carries the kernel's reason), else through the
 * kernel's /sys/kernel/iommu_groups/N/type.
 *
 * With --rebind, a transaction for a group with drivers bound:
 *   1. keep drivers off every member (driver_override set to a name no
 *      driver has; the old values kept);
 *   2. unbind each bound driver;
 *   3. switch;
 *   4. give driver_override back and bind each device to exactly the driver
 *      it had;
 *   5. verify the policy and the bindings.
 * If the switch fails, the drivers are bound again under the old policy; if
 * binding fails after a switch, the old policy is restored and binding tried
 * again.  Devices that back a mounted filesystem, swap or an interface that
 * is up are not unbound without --force.
 *
 * What can still interrupt it: SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGTSTP
 * are held back until it ends; against SIGKILL, a crash or the OOM killer,
 * a journal (/run/iommuctl/rebind/group-N: every member's driver and
 * driver_override) is written before the first driver_override is set and
 * removed once every member has its driver again.  The next set or apply
 * finds a journal that no running transaction holds (an flock on
 * /run/iommuctl/rebind/lock, held from the journal's writing to its removal)
 * and finishes it first: driver_override restored, each device bound to its
 * driver.  The policy is then the old one or the new one, whichever the
 * interrupted run had reached.
 *
 *
 * quarantine --unbind runs the same transaction with the quarantine in
 * place of the switch, and keeps the drivers off afterwards; the journal
 * then becomes the record of what it unbound (/run/iommuctl/unbound/group-N,
 * gone with a reboot as the quarantine is), which release --rebind reads.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/iommu_policy_netlink.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "change.h"
#include "groups.h"
#include "inuse.h"
#include "nl.h"
#include "sysfs.h"
#include "util.h"

#define REBIND_OVERRIDE "iommuctl-rebind"
#define JOURNAL_DIR "/run/iommuctl/rebind"
#define UNBOUND_DIR "/run/iommuctl/unbound"
#define VFIO_DIR "/run/iommuctl/vfio"

struct member {
	const char *name;
	char driver[64];	/* "" when none */
	char override[64];	/* driver_override before we set it */
	bool overridden, unbound;
	bool keep;		/* a hand-over leaves it as it is (a bridge; already there) */
	bool handed;		/* a hand-over bound it to the new driver */
};

static int write_dev_attr(const char *dev, const char *attr, const char *value)
{
	char *path = sysfs_path("/sys/bus/pci/devices/%s/%s", dev, attr);
	int ret = sysfs_write_str(path, value);

	free(path);
	return ret;
}

static void current_driver(const char *dev, char *buf, size_t size)
{
	char *path = sysfs_path("/sys/bus/pci/devices/%s/driver", dev);

	if (sysfs_link_basename(path, buf, size))
		buf[0] = '\0';
	free(path);
}

/* --- switching ----------------------------------------------------------------------- */

/*
 * Switch the group; 0, or an errno with the reason in @why.  @rebind_hint
 * says what would unbind the drivers the kernel finds in the way.
 */
static int switch_policy(const struct ic_group_list *list, unsigned int id, int policy,
			 const char *rebind_hint, char *why, size_t size)
{
	struct nlc nl;
	char *path;
	int ret;

	if (list->module) {
		struct nl_msg *msg;

		if (nlc_open(&nl, why, size))
			return ENOTCONN;
		msg = nlc_msg(&nl, IOMMU_POLICY_NL_CMD_GROUP_SET, 0);
		nla_put_u32(msg, IOMMU_POLICY_A_GROUP_ID, id);
		nla_put_u32(msg, IOMMU_POLICY_A_GROUP_POLICY, (uint32_t)policy);
		ret = nlc_request(&nl, msg, NULL, NULL);
		if (ret)
			snprintf(why, size, "%s", nl.extack[0] ? nl.extack : strerror(ret));
		nlc_close(&nl);
		return ret;
	}
	/* The kernel's file takes its own names; auto is the kernel's default. */
	path = sysfs_path(IOMMU_GROUPS_DIR "/%u/type", id);
	ret = -sysfs_write_str(path, policy_kernel_type(policy));
	free(path);
	/*
	 * The file says EACCES without the capabilities; 6.4+ says EPERM for a
	 * group with an owner (a bound DMA-API driver, a claim) where 6.1 says
	 * EBUSY for bound drivers: a refusal of the same kind, not a permission.
	 */
	if (ret == EPERM) {
		snprintf(why, size, "the group is in use: a driver is bound or it is claimed (use %s)",
			 rebind_hint);
		return EBUSY;
	}
	if (ret == EBUSY)
		snprintf(why, size, "drivers are bound to the group (use %s)", rebind_hint);
	else if (ret == EINVAL)
		snprintf(why, size, "the kernel refused: a device needs another type, or the kernel changes only groups with one device");
	else if (ret == EACCES)
		snprintf(why, size, "not permitted: changing the policy needs root (CAP_SYS_ADMIN and CAP_SYS_RAWIO)");
	else if (ret)
		snprintf(why, size, "%s", strerror(ret));
	return ret;
}

static enum iommu_policy_type read_policy(unsigned int id)
{
	char *path = sysfs_path(IOMMU_GROUPS_DIR "/%u/type", id);
	char type[64];
	enum iommu_policy_type p = IOMMU_POLICY_UNKNOWN;

	if (sysfs_read_str(path, type, sizeof(type)) == 0)
		p = policy_from_kernel_type(type);
	free(path);
	return p;
}

/* --- the transaction ---------------------------------------------------------------------- */

/* Why the change failed, for the caller's report (apply prints it per group). */
static void set_why(struct policy_change *pc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_why(struct policy_change *pc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pc->why, sizeof(pc->why), fmt, ap);
	va_end(ap);
}

static void restore_overrides(const struct policy_change *pc, struct member *m, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].overridden) {
			/* An empty write clears it; the kernel wants "\n" for that. */
			if (write_dev_attr(m[i].name, "driver_override",
					   m[i].override[0] ? m[i].override : "\n"))
				warnx_("%s: %s: cannot restore driver_override '%s'", pc->cmd, m[i].name,
				       m[i].override);
			m[i].overridden = false;
		}
}

/* Bind every unbound member to its old driver; 0 when all are bound. */
static int rebind(const struct policy_change *pc, struct member *m, size_t n)
{
	int failed = 0;

	for (size_t i = 0; i < n; i++) {
		char *bind;
		char now[64];
		int ret;

		if (!m[i].unbound)
			continue;
		bind = sysfs_path("/sys/bus/pci/drivers/%s/bind", m[i].driver);
		ret = sysfs_write_str(bind, m[i].name);
		free(bind);
		current_driver(m[i].name, now, sizeof(now));
		if (strcmp(now, m[i].driver)) {
			warnx_("%s: cannot bind %s to %s again: %s", pc->cmd, m[i].name, m[i].driver,
			       ret ? strerror(-ret) : "another driver took it");
			failed++;
		} else {
			printf("bound %s to %s\n", m[i].name, m[i].driver);
			m[i].unbound = false;
		}
	}
	return failed;
}

/* --- the journal of a transaction in progress -------------------------------------------- */

/* Take the transactions' lock (waiting for another's end): its fd, or -1 after saying why. */
static int journal_lock(const char *cmd)
{
	int fd;

	if ((mkdir("/run/iommuctl", 0755) && errno != EEXIST) ||
	    (mkdir(JOURNAL_DIR, 0700) && errno != EEXIST)) {
		warnx_("%s: cannot create %s for the rebind journal: %s", cmd, JOURNAL_DIR,
		       strerror(errno));
		return -1;
	}
	fd = open(JOURNAL_DIR "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX)) {
		warnx_("%s: cannot lock %s/lock: %s", cmd, JOURNAL_DIR, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

static char *journal_path(const char *dir, unsigned int group)
{
	return xasprintf("%s/group-%u", dir, group);
}

/* Record every member's driver and driver_override; written whole (renamed into place). */
static int journal_write(const char *cmd, const char *what, const char *target,
			 unsigned int group, enum iommu_policy_type old, const struct member *m,
			 size_t n)
{
	char *path = journal_path(JOURNAL_DIR, group), *tmp = xasprintf("%s.new", path);
	FILE *f = fopen(tmp, "we");
	int ret = 0;

	if (!f) {
		ret = -errno;
	} else {
		fprintf(f, "# iommuctl: group %u's drivers unbound for %s (pid %ld);\n"
			"# the next 'iommuctl set' or 'iommuctl apply' binds them again if this stays\n"
			"policy %s\n", group, what, (long)getpid(), policy_name(old));
		/* The driver the step binds: finishing the journal takes it away again. */
		if (target)
			fprintf(f, "target %s\n", target);
		for (size_t i = 0; i < n; i++)
			if (!m[i].keep)
				fprintf(f, "device %s %s %s\n", m[i].name, m[i].driver[0] ? m[i].driver : "-",
				m[i].override[0] ? m[i].override : "-");
		if (fclose(f))
			ret = -errno;
		else if (rename(tmp, path))
			ret = -errno;
	}
	if (ret) {
		warnx_("%s: group %u: cannot write the rebind journal %s: %s; nothing was changed",
		       cmd, group, path, strerror(-ret));
		unlink(tmp);
	}
	free(tmp);
	free(path);
	return ret;
}

/* A driver's name as a journal keeps it: nothing that could leave a sysfs directory. */
static bool driver_name_ok(const char *drv)
{
	return !strchr(drv, '/') && strcmp(drv, ".") && strcmp(drv, "..");
}

/* One "device NAME DRIVER OVERRIDE" line of a journal or record; false for others. */
static bool journal_device(const char *line, char *dev, char *drv, char *ovr)
{
	if (sscanf(line, "device %63s %63s %63s", dev, drv, ovr) != 3)
		return false;
	/* Names go into sysfs paths: nothing that could leave the directory. */
	return is_pci_address(dev) && driver_name_ok(drv);
}

/* A device's driver_override as a journal recorded it ("-": none; an empty write is "\n"). */
static void restore_recorded_override(const char *dev, const char *ovr)
{
	write_dev_attr(dev, "driver_override",
		       strcmp(ovr, "-") && strcmp(ovr, REBIND_OVERRIDE) ? ovr : "\n");
}

/*
 * Give each device of a journal or record (@path) its driver_override as it
 * was and bind it to the driver it had (or, without @bind, say how to).  0
 * when every device has its driver again; the file is removed then, and also
 * when @keep is NULL; otherwise @keep ends the message of a device left
 * without its driver.
 */
static int journal_finish(const char *cmd, const char *path, const char *keep, bool bind)
{
	FILE *f = fopen(path, "re");
	char line[512], dev[64], drv[64], ovr[64], now[64], target[64] = "";
	int failed = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "target %63s", target) == 1) {
			if (!driver_name_ok(target))
				target[0] = '\0';
			continue;
		}
		if (strncmp(line, "device ", 7))
			continue;	/* a comment, the policy */
		if (!journal_device(line, dev, drv, ovr)) {
			warnx_("%s: %s: a line iommuctl did not write, left alone: %s", cmd, path, line);
			failed++;
			continue;
		}
		restore_recorded_override(dev, ovr);
		current_driver(dev, now, sizeof(now));
		/* A hand-over's driver goes (it keeps the device until unbound). */
		if (target[0] && !strcmp(now, target) && strcmp(drv, target)) {
			if (write_dev_attr(dev, "driver/unbind", dev) == 0)
				printf("unbound %s from %s\n", dev, target);
			current_driver(dev, now, sizeof(now));
		}
		if (!strcmp(drv, "-")) {
			if (now[0] && target[0] && !strcmp(now, target)) {
				warnx_("%s: %s: cannot unbind it from %s; %s", cmd, dev, target,
				       keep ? keep : "unbind it with 'echo DEVICE > /sys/bus/pci/devices/DEVICE/driver/unbind'");
				failed++;
			} else if (target[0] && bind) {
				/*
				 * It had none when it was handed over: at boot, before
				 * its driver was loaded, say.  The kernel picks one now.
				 */
				char *probe = sysfs_path("/sys/bus/pci/drivers_probe");

				sysfs_write_str(probe, dev);
				free(probe);
				current_driver(dev, now, sizeof(now));
				if (now[0])
					printf("%s has %s (the kernel's pick: it had no driver when it was handed over)\n",
					       dev, now);
				else
					printf("%s has no driver again, as before\n", dev);
			}
			continue;
		}
		if (!now[0] && !bind) {
			printf("%s is left without a driver ('quarantine --unbind' took it from %s); "
			       "bind it again with: echo %s > /sys/bus/pci/drivers/%s/bind "
			       "('release --rebind' does that)\n", dev, drv, dev, drv);
			continue;
		}
		if (!now[0]) {
			char *bind_file = sysfs_path("/sys/bus/pci/drivers/%s/bind", drv);

			sysfs_write_str(bind_file, dev);
			free(bind_file);
			current_driver(dev, now, sizeof(now));
		}
		if (strcmp(now, drv)) {
			warnx_("%s: %s: cannot bind it to %s again (it has %s); %s", cmd, dev, drv,
			       now[0] ? now : "no driver",
			       keep ? keep : "bind it with 'echo DEVICE > /sys/bus/pci/drivers/DRIVER/bind'");
			failed++;
		} else {
			printf("%s has %s again\n", dev, drv);
		}
	}
	fclose(f);
	if (!failed || !keep)
		unlink(path);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int policy_change_recover(const char *cmd, bool dry_run)
{
	char **names;
	int lock, ret = EXIT_SUCCESS;

	if (sysfs_root()[0])
		return EXIT_SUCCESS;	/* a recorded tree has no transactions */
	names = sysfs_list_dir(JOURNAL_DIR, NULL);
	if (!names)
		return EXIT_SUCCESS;
	for (char **p = names; *p; p++) {
		char *path;

		if (strncmp(*p, "group-", 6) || strchr(*p, '.'))
			continue;
		if (dry_run) {
			printf("an interrupted --rebind change left %s/%s: the next set or apply without --dry-run finishes it\n",
			       JOURNAL_DIR, *p);
			continue;
		}
		/* Held by a running transaction until its journal is gone. */
		lock = journal_lock(cmd);
		if (lock < 0) {
			ret = EXIT_FAILURE;
			break;
		}
		path = xasprintf(JOURNAL_DIR "/%s", *p);
		warnx_("%s: finishing an interrupted --rebind change (%s)", cmd, path);
		if (journal_finish(cmd, path, "the journal stays for the next set or apply", true))
			ret = EXIT_FAILURE;
		free(path);
		close(lock);
	}
	sysfs_free_list(names);
	return ret;
}

/*
 * What runs while the members are unbound: the switch of a policy change, or
 * the hold of a quarantine.  0, or an errno with the reason in @why.
 */
struct unbound_step {
	const char *what;		/* "strict", "quarantine": "WHAT refused" */
	int (*run)(void *arg, char *why, size_t size);
	void *arg;
	bool keep_unbound;		/* on success the drivers stay off (a hold) */
	const char *record_dir;		/* with keep_unbound: where the record goes */
	const char *target;		/* the driver the step binds, or NULL */
};

struct switch_arg {
	struct policy_change *pc;
	const struct ic_group_list *list;
	unsigned int id;
	int target;
};

static int switch_step(void *arg, char *why, size_t size)
{
	struct switch_arg *s = arg;

	return switch_policy(s->list, s->id, s->target, s->pc->rebind_hint, why, size);
}

static int transaction_locked(struct policy_change *pc, const struct ic_group_list *list,
			      const struct ic_group *grp, const struct unbound_step *step)
{
	enum iommu_policy_type old = grp->policy;
	struct member *m = pc->m;
	size_t n = grp->ndevices;
	char why[256];
	int ret;

	for (size_t i = 0; i < n; i++) {
		char *path = sysfs_path("/sys/bus/pci/devices/%s/driver_override", m[i].name);

		/*
		 * A hand-over's own driver there already (the udev rule of a
		 * passthrough rule sets it as the device is added) is not the
		 * device's: the way back clears it.
		 */
		if (sysfs_read_str(path, m[i].override, sizeof(m[i].override)) ||
		    !strcmp(m[i].override, "(null)") ||
		    (step->target && !strcmp(m[i].override, step->target)))
			m[i].override[0] = '\0';
		free(path);
	}
	if (journal_write(pc->cmd, step->what, step->target, grp->id, old, m, n)) {
		set_why(pc, "cannot write the rebind journal in %s", JOURNAL_DIR);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < n; i++) {
		if (m[i].keep)
			continue;
		if (write_dev_attr(m[i].name, "driver_override", REBIND_OVERRIDE) == 0)
			m[i].overridden = true;
		if (!m[i].overridden) {
			warnx_("%s: %s: cannot set driver_override to keep drivers off during the change",
			       pc->cmd, m[i].name);
			set_why(pc, "cannot set driver_override of %s to keep drivers off", m[i].name);
			restore_overrides(pc, m, n);
			return EXIT_FAILURE;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!m[i].driver[0] || m[i].keep)
			continue;
		ret = write_dev_attr(m[i].name, "driver/unbind", m[i].name);
		if (ret) {
			warnx_("%s: cannot unbind %s from %s: %s", pc->cmd, m[i].name, m[i].driver,
			       strerror(-ret));
			set_why(pc, "cannot unbind %s from %s: %s", m[i].name, m[i].driver,
				strerror(-ret));
			restore_overrides(pc, m, n);
			rebind(pc, m, n);
			return EXIT_FAILURE;
		}
		m[i].unbound = true;
		printf("unbound %s from %s\n", m[i].name, m[i].driver);
	}

	ret = step->run(step->arg, why, sizeof(why));
	if (ret) {
		warnx_("%s: group %u: %s refused: %s; binding the drivers again%s%s", pc->cmd,
		       grp->id, step->what, why, step->keep_unbound ? "" : " under ",
		       step->keep_unbound ? "" : policy_name(old));
		set_why(pc, "%s; the drivers are bound again", why);
		restore_overrides(pc, m, n);
		rebind(pc, m, n);
		/* EPERM is the module's refusal (untrusted); privileges were checked first. */
		return ret == EACCES ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
	}
	if (step->keep_unbound) {
		/*
		 * The hold keeps drivers off now.  A claim saves each member's
		 * driver_override (ours) and puts its own in place until the
		 * release, which gives ours back: so it stays, and the record
		 * (the journal, kept) has the old values for
		 * group_drivers_restore().
		 */
		for (size_t i = 0; i < n; i++)
			m[i].overridden = false;
		return EXIT_SUCCESS;
	}
	if (pc->print_switch)
		printf("group %u: %s -> %s\n", grp->id, policy_name(old),
		       policy_name(read_policy(grp->id)));
	restore_overrides(pc, m, n);
	if (rebind(pc, m, n)) {
		warnx_("%s: group %u: a driver did not bind again; restoring %s", pc->cmd, grp->id,
		       policy_name(old));
		set_why(pc, "a driver did not bind again; %s restored", policy_name(old));
		for (size_t i = 0; i < n; i++)
			if (m[i].unbound)
				write_dev_attr(m[i].name, "driver_override", REBIND_OVERRIDE);
		if (switch_policy(list, grp->id, old, pc->rebind_hint, why, sizeof(why))) {
			warnx_("%s: group %u: cannot restore %s: %s", pc->cmd, grp->id,
			       policy_name(old), why);
			set_why(pc, "a driver did not bind again, and %s cannot be restored: %s",
				policy_name(old), why);
		}
		for (size_t i = 0; i < n; i++)
			if (m[i].unbound)
				write_dev_attr(m[i].name, "driver_override", "\n");
		rebind(pc, m, n);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Move a held group's journal to its record of the drivers it removed, in @dir. */
static void journal_to_record(const char *cmd, unsigned int group, const char *dir)
{
	char *from = journal_path(JOURNAL_DIR, group), *to = journal_path(dir, group);

	if ((mkdir(dir, 0700) && errno != EEXIST) || rename(from, to)) {
		warnx_("%s: group %u: cannot keep the record of the drivers it unbound in %s: %s; "
		       "the way back will not know them", cmd, group, to, strerror(errno));
		unlink(from);
	}
	free(to);
	free(from);
}

static int transaction(struct policy_change *pc, const struct ic_group_list *list,
		       const struct ic_group *grp, const struct unbound_step *step)
{
	static const int held[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP };
	sigset_t block, saved;
	int lock, ret;

	/* Not interrupted by the usual signals: they take effect once it is over. */
	sigemptyset(&block);
	for (size_t i = 0; i < ARRAY_SIZE(held); i++)
		sigaddset(&block, held[i]);
	sigprocmask(SIG_BLOCK, &block, &saved);
	lock = journal_lock(pc->cmd);
	if (lock < 0) {
		set_why(pc, "cannot take the rebind lock in %s", JOURNAL_DIR);
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return EXIT_FAILURE;
	}
	ret = transaction_locked(pc, list, grp, step);
	if (!ret && step->keep_unbound) {
		journal_to_record(pc->cmd, grp->id, step->record_dir);
		goto out;
	}
	for (size_t i = 0; i < grp->ndevices; i++)
		if (pc->m[i].unbound)
			goto out;	/* a device without its driver: the next run retries */
	{
		char *path = journal_path(JOURNAL_DIR, grp->id);

		unlink(path);
		free(path);
	}
out:
	close(lock);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return ret;
}

/* --- one group's change, for set and apply ----------------------------------------------- */

bool policy_change_permitted(void)
{
	/* The kernel's type file checks both; a recorded tree needs neither. */
	return sysfs_root()[0] || have_capabilities(CAP_SYS_ADMIN_MASK | CAP_SYS_RAWIO_MASK);
}

const char *policy_change_route(const struct ic_group_list *list)
{
	return list->module ? "the iommu_policy module" : "the kernel's type file";
}

/*
 * Whether this kernel changes the policy of a group with several devices
 * (Linux 6.4 and later): the module's features say; without it, the kernel's
 * release.  Unknown counts as yes: the kernel then answers for itself.
 */
static bool changes_groups_of_several(const struct ic_group_list *list, char *release,
				      size_t size)
{
	char *path = sysfs_path("/proc/sys/kernel/osrelease");
	unsigned int major, minor;
	char features[256];
	bool ret = true;

	if (sysfs_read_str(path, release, size))
		snprintf(release, size, "this kernel");
	free(path);
	if (list->module) {
		path = sysfs_path(IOMMU_POLICY_DIR "/features");
		if (sysfs_read_str(path, features, sizeof(features)) == 0) {
			char *save = NULL;

			ret = false;
			for (char *w = strtok_r(features, " ", &save); w; w = strtok_r(NULL, " ", &save))
				ret |= !strcmp(w, "multi-device-change");
		}
		free(path);
	} else if (sscanf(release, "%u.%u", &major, &minor) == 2) {
		ret = major > 6 || (major == 6 && minor >= 4);
	}
	return ret;
}

/*
 * Would the change be refused whatever is unbound?  What the module (and the
 * kernel) check first, checked here before any driver is touched: 0, or an
 * exit status after saying why and what would work instead.
 */
static int preflight(struct policy_change *pc, const struct ic_group_list *list,
		     const struct ic_group *grp, int target)
{
	const char *owner = group_owner(grp, &(bool){ false });
	char release[128];

	/* For tests of what follows a refusal mid-change (iommuctl(8), ENVIRONMENT). */
	if (getenv("IOMMUCTL_SKIP_PREFLIGHT"))
		return EXIT_SUCCESS;
	if (!strcmp(owner, "claimed") || !strcmp(owner, "quarantined") ||
	    !strcmp(owner, "claimed-external")) {
		set_why(pc, "the group is %s (%s); '%s release %u' ends a quarantine, a claim ends with its holder",
			owner, grp->mod.owner ? grp->mod.owner : owner, program_name, grp->id);
		goto refuse;
	}
	if (target < 0)
		return EXIT_SUCCESS;	/* a quarantine: the rest is about policies */
	if (grp->module && grp->mod.mandatory && !strcmp(grp->mod.mandatory, "strict") &&
	    (target == IOMMU_POLICY_IDENTITY || target == IOMMU_POLICY_LAZY)) {
		set_why(pc, "an untrusted (external-facing) device is in the group, which must stay strict (mandatory strict in %s/groups/%u)",
			IOMMU_POLICY_DIR, grp->id);
		goto refuse;
	}
	if (grp->ndevices > 1 && !changes_groups_of_several(list, release, sizeof(release))) {
		set_why(pc, "%s (before 6.4) changes the policy only of groups with one device, and group %u has %zu; unbinding drivers does not help: iommu.passthrough= or iommu.strict= on the kernel command line sets every group's policy at boot, and Linux 6.4 or later changes groups of several devices",
			release, grp->id, grp->ndevices);
		goto refuse;
	}
	return EXIT_SUCCESS;
refuse:
	warnx_("%s: group %u: %s refused before anything was changed: %s", pc->cmd, grp->id,
	       target < 0 ? "quarantine" : policy_name(target), pc->why);
	return EXIT_FAILURE;
}

int policy_change_prepare(struct policy_change *pc, const struct ic_group_list *list,
			  const struct ic_group *grp, int target)
{
	int ret;

	pc->m = xcalloc(grp->ndevices ? grp->ndevices : 1, sizeof(*pc->m));
	pc->bound = 0;
	pc->why[0] = '\0';
	for (size_t i = 0; i < grp->ndevices; i++) {
		pc->m[i].name = grp->devices[i].name;
		if (grp->devices[i].driver) {
			snprintf(pc->m[i].driver, sizeof(pc->m[i].driver), "%s",
				 grp->devices[i].driver);
			pc->bound++;
		}
		if (pc->handover)
			pc->m[i].keep = device_is_bridge(&grp->devices[i]) ||
					!strcmp(pc->m[i].driver, pc->handover);
	}
	ret = preflight(pc, list, grp, target);
	if (ret)
		return ret;
	for (size_t i = 0; pc->handover && i < grp->ndevices; i++) {
		if (is_pci_address(grp->devices[i].name))
			continue;
		set_why(pc, "%s is not a PCI device: only PCI devices are handed to %s", pc->m[i].name,
			pc->handover);
		warnx_("%s: group %u: %s; the group cannot be passed through this way", pc->cmd,
		       grp->id, pc->why);
		return EXIT_FAILURE;
	}
	if (pc->rebind && pc->bound && !pc->force) {
		for (size_t i = 0; i < grp->ndevices; i++) {
			char *use = pc->m[i].driver[0] && !pc->m[i].keep ?
				    device_in_use(pc->m[i].name) : NULL;

			if (use) {
				warnx_("%s: group %u: %s; not unbinding it (%s)", pc->cmd, grp->id, use,
				       pc->force_hint);
				set_why(pc, "%s; not unbinding it", use);
				free(use);
				return EXIT_FAILURE;
			}
		}
	}
	return EXIT_SUCCESS;
}

void policy_change_plan(const struct policy_change *pc, const struct ic_group *grp, int target)
{
	const struct member *m = pc->m;

	if (pc->plan_devices) {
		printf("  devices it changes:");
		for (size_t i = 0; i < grp->ndevices; i++)
			printf(" %s%s%s%s%s", m[i].name, m[i].driver[0] ? " (" : "", m[i].driver,
			       m[i].driver[0] ? ")" : "", i + 1 < grp->ndevices ? "," : "");
		printf("%s\n", grp->ndevices ? "" : " none");
	}
	if (pc->rebind && pc->bound) {
		for (size_t i = 0; i < grp->ndevices; i++)
			printf("  keep drivers off %s (driver_override)\n", m[i].name);
		for (size_t i = 0; i < grp->ndevices; i++)
			if (m[i].driver[0])
				printf("  unbind %s from %s\n", m[i].name, m[i].driver);
		printf("  switch group %u to %s\n", grp->id, policy_name(target));
		for (size_t i = 0; i < grp->ndevices; i++)
			if (m[i].driver[0])
				printf("  bind %s to %s\n", m[i].name, m[i].driver);
		printf("  verify; on failure restore %s and these bindings\n",
		       policy_name(grp->policy));
	} else {
		printf("  switch group %u to %s%s%s%s\n", grp->id, policy_name(target),
		       pc->bound ? " (drivers stay bound: the kernel may refuse; " : "",
		       pc->bound ? pc->rebind_hint : "", pc->bound ? ")" : "");
	}
}

int policy_change_run(struct policy_change *pc, const struct ic_group_list *list,
		      const struct ic_group *grp, int target)
{
	struct switch_arg arg = { .pc = pc, .list = list, .id = grp->id, .target = target };
	struct unbound_step step = {
		.what = policy_name(target), .run = switch_step, .arg = &arg,
	};
	enum iommu_policy_type now;
	char why[256];
	int ret;

	if (pc->rebind && pc->bound) {
		ret = transaction(pc, list, grp, &step);
	} else {
		ret = switch_policy(list, grp->id, target, pc->rebind_hint, why, sizeof(why));
		if (ret) {
			char drivers[256] = "";

			for (size_t i = 0; i < grp->ndevices; i++)
				if (pc->m[i].driver[0])
					snprintf(drivers + strlen(drivers), sizeof(drivers) - strlen(drivers),
						 "%s%s=%s", drivers[0] ? ", " : "", pc->m[i].name,
						 pc->m[i].driver);
			if (drivers[0]) {
				warnx_("%s: group %u: %s refused: %s (bound: %s)%s%s%s", pc->cmd, grp->id,
				       policy_name(target), why, drivers, pc->rebind ? "" : "; ",
				       pc->rebind ? "" : pc->rebind_hint,
				       pc->rebind ? "" : " unbinds them and binds them again");
				set_why(pc, "%s (bound: %s)", why, drivers);
			} else {
				warnx_("%s: group %u: %s refused: %s", pc->cmd, grp->id,
				       policy_name(target), why);
				set_why(pc, "%s", why);
			}
			/* EPERM is the module's refusal (untrusted); privileges were checked first. */
			ret = ret == EACCES ? EXIT_NOT_PERMITTED :
			      ret == ENOTCONN ? EXIT_NEEDS_MODULE : EXIT_FAILURE;
		} else if (pc->print_switch) {
			printf("group %u: %s -> %s\n", grp->id, policy_name(grp->policy),
			       policy_name(read_policy(grp->id)));
		}
	}
	if (ret)
		return ret;
	now = read_policy(grp->id);
	if (target != IOMMU_POLICY_AUTO && (int)now != target) {
		warnx_("%s: group %u is %s, not %s, after the change", pc->cmd, grp->id,
		       policy_name(now), policy_name(target));
		set_why(pc, "the group is %s, not %s, after the change", policy_name(now),
			policy_name(target));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

void policy_change_free(struct policy_change *pc)
{
	free(pc->m);
	pc->m = NULL;
}

/* --- taking the drivers away and giving them back (quarantine, release) --------------------- */

int group_unbind_hold(struct policy_change *pc, const struct ic_group *grp, const char *what,
		      int (*hold)(void *arg, char *why, size_t size), void *arg)
{
	struct unbound_step step = {
		.what = what, .run = hold, .arg = arg, .keep_unbound = true,
		.record_dir = UNBOUND_DIR,
	};

	return transaction(pc, NULL, grp, &step);
}

int group_drivers_restore(const char *cmd, unsigned int id, bool rebind)
{
	char *path = journal_path(UNBOUND_DIR, id);
	int ret;

	if (access(path, F_OK)) {
		int err = errno;

		if (err != ENOENT)
			warnx_("%s: group %u: cannot read the record of the drivers 'quarantine "
			       "--unbind' took (%s): %s; bind them by hand", cmd, id, path,
			       strerror(err));
		else if (rebind)
			printf("group %u: no drivers to bind again: nothing was unbound when it was "
			       "quarantined (no record in %s)\n", id, UNBOUND_DIR);
		free(path);
		return err == ENOENT ? EXIT_SUCCESS : EXIT_FAILURE;
	}
	/* The release gave back the override the transaction set: the old one now. */
	ret = journal_finish(cmd, path, NULL, rebind);
	free(path);
	return ret;
}

/* --- handing a group to a driver that manages its DMA (vfio) and back ------------------------- */

/*
 * Bind every member not kept to the hand-over's driver, with driver_override
 * naming it so that nothing else takes them; 0, or an errno with the reason
 * in @why after unbinding those it bound (the transaction then gives every
 * member its old driver back).
 */
static int handover_step(void *arg, char *why, size_t size)
{
	struct policy_change *pc = arg;
	struct member *m = pc->m;
	const char *drv = pc->handover;
	char *bind = sysfs_path("/sys/bus/pci/drivers/%s/bind", drv);
	int ret = 0;

	for (size_t i = 0; i < pc->nmembers && !ret; i++) {
		char now[64];
		int err;

		if (m[i].keep)
			continue;
		err = write_dev_attr(m[i].name, "driver_override", drv);
		if (err) {
			snprintf(why, size, "cannot set driver_override of %s to %s: %s", m[i].name,
				 drv, strerror(-err));
			ret = -err;
			break;
		}
		err = sysfs_write_str(bind, m[i].name);
		current_driver(m[i].name, now, sizeof(now));
		if (strcmp(now, drv)) {
			snprintf(why, size, "%s did not take %s: %s (the kernel log says why: dmesg | grep %s)",
				 drv, m[i].name,
				 err ? strerror(-err) : now[0] ? "another driver has it" : "no error given",
				 m[i].name);
			ret = err ? -err : EIO;
			break;
		}
		m[i].handed = true;
		printf("bound %s to %s\n", m[i].name, drv);
	}
	free(bind);
	if (!ret)
		return 0;
	for (size_t i = 0; i < pc->nmembers; i++) {
		if (!m[i].handed)
			continue;
		if (write_dev_attr(m[i].name, "driver/unbind", m[i].name) == 0)
			printf("unbound %s from %s\n", m[i].name, drv);
		m[i].handed = false;
	}
	return ret;
}

int group_hand_over(struct policy_change *pc, const struct ic_group *grp)
{
	struct unbound_step step = {
		.what = pc->handover, .run = handover_step, .arg = pc, .keep_unbound = true,
		.record_dir = VFIO_DIR, .target = pc->handover,
	};
	bool any = false;

	for (size_t i = 0; i < grp->ndevices; i++)
		any |= !pc->m[i].keep;
	if (!any)
		return EXIT_SUCCESS;
	for (size_t i = 0; i < grp->ndevices; i++)
		if (pc->m[i].keep && strcmp(pc->m[i].driver, pc->handover))
			printf("%s stays %s%s: a PCI bridge (VFIO allows it)\n", pc->m[i].name,
			       pc->m[i].driver[0] ? "on " : "without a driver", pc->m[i].driver);
	pc->nmembers = grp->ndevices;
	return transaction(pc, NULL, grp, &step);
}

void group_hand_over_plan(const struct policy_change *pc, const struct ic_group *grp)
{
	const struct member *m = pc->m;

	for (size_t i = 0; i < grp->ndevices; i++) {
		if (!m[i].keep)
			printf("  keep other drivers off %s (driver_override %s)\n", m[i].name,
			       pc->handover);
	}
	for (size_t i = 0; i < grp->ndevices; i++) {
		if (m[i].keep)
			continue;
		if (m[i].driver[0])
			printf("  unbind %s from %s\n", m[i].name, m[i].driver);
		printf("  bind %s to %s\n", m[i].name, pc->handover);
	}
	for (size_t i = 0; i < grp->ndevices; i++) {
		if (!m[i].keep)
			continue;
		if (!strcmp(m[i].driver, pc->handover))
			printf("  leave %s on %s (it is there already)\n", m[i].name, pc->handover);
		else if (m[i].driver[0])
			printf("  leave %s on %s: a PCI bridge, which keeps its driver (VFIO allows it)\n",
			       m[i].name, m[i].driver);
		else
			printf("  leave %s without a driver: a PCI bridge (VFIO allows it)\n", m[i].name);
	}
	printf("  on any failure, bind every device to the driver it has now\n");
}

/* The record of a hand-over's drivers, or NULL (none: handed over by a rule at boot, or another tool). */
static char *handover_record(unsigned int id)
{
	char *path = journal_path(VFIO_DIR, id);

	if (!access(path, F_OK))
		return path;
	free(path);
	return NULL;
}

/* Without a record: each VFIO-bound member loses its override (if a VFIO one) and is probed. */
static int probe_again(const char *cmd, const struct ic_group *grp, bool dry_run)
{
	char *probe = sysfs_path("/sys/bus/pci/drivers_probe");
	int failed = 0;

	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *d = &grp->devices[i];
		char ovr[64] = "", now[64];
		char *path;

		if (!d->driver || !driver_is_vfio(d->driver))
			continue;
		path = sysfs_path("/sys/bus/pci/devices/%s/driver_override", d->name);
		if (sysfs_read_str(path, ovr, sizeof(ovr)) || !strcmp(ovr, "(null)"))
			ovr[0] = '\0';
		free(path);
		if (dry_run) {
			if (ovr[0] && driver_is_vfio(ovr))
				printf("  clear driver_override of %s (%s)\n", d->name, ovr);
			printf("  unbind %s from %s; the kernel picks its driver (no record of the one it had)\n",
			       d->name, d->driver);
			continue;
		}
		if (ovr[0] && driver_is_vfio(ovr))
			write_dev_attr(d->name, "driver_override", "\n");
		if (write_dev_attr(d->name, "driver/unbind", d->name)) {
			warnx_("%s: %s: cannot unbind it from %s", cmd, d->name, d->driver);
			failed++;
			continue;
		}
		printf("unbound %s from %s\n", d->name, d->driver);
		sysfs_write_str(probe, d->name);
		current_driver(d->name, now, sizeof(now));
		if (now[0])
			printf("%s has %s (the kernel's choice: no record of its driver before the hand-over)\n",
			       d->name, now);
		else
			printf("%s has no driver now: none of the loaded drivers claims it (no record of one before the hand-over)\n",
			       d->name);
	}
	free(probe);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

int group_hand_back(const char *cmd, const struct ic_group *grp, bool dry_run)
{
	char *record = handover_record(grp->id);
	char *users = vfio_group_users(grp->id);
	int lock, ret;

	if (users) {
		warnx_("%s: group %u: /dev/vfio/%u is open in %s: taking its driver away would wait until it is closed; stop the VM (or the program) using it first",
		       cmd, grp->id, grp->id, users);
		free(users);
		free(record);
		return EXIT_FAILURE;
	}
	for (size_t i = 0; i < grp->ndevices; i++) {
		const struct ic_device *d = &grp->devices[i];
		char *use = d->driver && driver_is_vfio(d->driver) ? device_in_use(d->name) : NULL;

		if (use) {
			warnx_("%s: group %u: %s; stop the program using it first", cmd, grp->id, use);
			free(use);
			free(record);
			return EXIT_FAILURE;
		}
	}
	if (dry_run) {
		printf("group %u: give the devices back%s\n", grp->id,
		       record ? " the drivers they had before the hand-over" : "");
		if (record) {
			FILE *f = fopen(record, "re");
			char line[512], dev[64], drv[64], ovr[64];

			while (f && fgets(line, sizeof(line), f))
				if (journal_device(line, dev, drv, ovr))
					printf("  %s: %s%s\n", dev, strcmp(drv, "-") ? "bind to " : "leave without a driver, as before",
					       strcmp(drv, "-") ? drv : "");
			if (f)
				fclose(f);
			free(record);
			return EXIT_SUCCESS;
		}
		return probe_again(cmd, grp, true);
	}
	lock = journal_lock(cmd);
	if (lock < 0) {
		free(record);
		return EXIT_FAILURE;
	}
	if (record)
		ret = journal_finish(cmd, record, "the record stays: 'vfio --release' tries again", true);
	else
		ret = probe_again(cmd, grp, false);
	close(lock);
	free(record);
	return ret;
}
