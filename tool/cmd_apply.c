// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl check-config [--config FILE]
 * iommuctl apply [--config FILE] [--dry-run] [--device BDF [--udev]]
 *
 * apply gives every group (or the group of one device, as the udev rule
 * does on hot-plug) the policy iommuctl.conf(5) asks for: each device's
 * policy is that of the most specific rule matching it (or [defaults]); the
 * group's is the first of identity, strict and lazy among its devices', the
 * order in which the kernel settles conflicting requirements of devices in one
 * group; an untrusted device keeps its group strict.  Each change goes through
 * the same code as iommuctl set (the policy-change engine, change.c).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "change.h"
#include "config.h"
#include "groups.h"
#include "iommuctl.h"
#include "names.h"
#include "policy.h"
#include "recdb.h"
#include "sysfs.h"
#include "util.h"
#include "vfio.h"

/* The kernel's order of preference (iommu.c's dma_api_policy): the uAPI keeps it. */
_Static_assert(IOMMU_POLICY_IDENTITY < IOMMU_POLICY_STRICT &&
	       IOMMU_POLICY_STRICT < IOMMU_POLICY_LAZY, "identity, strict, lazy");

void cmd_check_config_usage(void)
{
	printf("Usage: %s check-config [OPTIONS]\n"
	       "\n"
	       "Check " CONFIG_FILE " and " CONFIG_DROPIN_DIR "/*.conf without changing\n"
	       "anything: each error as FILE:LINE: key 'KEY': reason (what to do), exit 1.\n"
	       "\n"
	       "Options:\n"
	       "      --config FILE   check FILE instead (and no drop-ins, unless FILE is\n"
	       "                      " CONFIG_FILE ")\n"
	       "      --sysroot DIR   read " CONFIG_FILE " under DIR\n"
	       "  -h, --help          show this help\n", program_name);
}

void cmd_apply_usage(void)
{
	printf("Usage: %s apply [OPTIONS]\n"
	       "\n"
	       "Give every IOMMU group the policy " CONFIG_FILE " (and its drop-ins)\n"
	       "asks for; change only the groups that differ, and report each group.\n"
	       "\n"
	       "Options:\n"
	       "      --config FILE   read FILE instead (and no drop-ins, unless FILE is\n"
	       "                      " CONFIG_FILE ")\n"
	       "      --dry-run       print what would be done and why, change nothing\n"
	       "      --device BDF    only the group of this PCI device (for udev)\n"
	       "      --load-drivers  only load the VFIO drivers passthrough rules name\n"
	       "                      (the units run it with the right to)\n"
	       "      --udev          with --device: change nothing, print IOMMUCTL_POLICY=\n"
	       "                      (or IOMMUCTL_PASSTHROUGH=) and IOMMUCTL_RULE= for\n"
	       "                      udev's IMPORT{program} when the configuration gives\n"
	       "                      the device's group a policy (or a VFIO driver)\n"
	       "      --sysroot DIR   read sysfs and " CONFIG_FILE " under DIR (with\n"
	       "                      --dry-run or --udev only)\n"
	       "  -h, --help          show this help\n", program_name);
}

/* Read the configuration; an exit status after printing its errors, or -1 when valid. */
static int load_config_or_explain(struct ic_config *cfg, const char *file, const char *cmd,
				  const char *consequence)
{
	config_load(cfg, file);
	if (!cfg->errors)
		return -1;
	warnx_("%s: %u error%s in the configuration%s%s (see iommuctl.conf(5))", cmd,
	       cfg->errors, cfg->errors == 1 ? "" : "s", consequence ? "; " : "",
	       consequence ? consequence : "");
	config_free(cfg);
	return EXIT_FAILURE;
}

/* The options both commands take; an exit status, or -1 to go on. */
struct config_opts {
	const char *config;
	bool dry_run, udev, load_drivers;
	const char *device;
};

static int parse_options(int argc, char **argv, bool apply, struct config_opts *o)
{
	enum { OPT_CONFIG = 256, OPT_DRY_RUN, OPT_DEVICE, OPT_UDEV, OPT_LOAD_DRIVERS };
	static const struct option check_longopts[] = {
		COMMON_OPTIONS,
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option apply_longopts[] = {
		COMMON_OPTIONS,
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
		{ "device", required_argument, NULL, OPT_DEVICE },
		{ "udev", no_argument, NULL, OPT_UDEV },
		{ "load-drivers", no_argument, NULL, OPT_LOAD_DRIVERS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(o, 0, sizeof(*o));
	while ((opt = getopt_long(argc, argv, "h", apply ? apply_longopts : check_longopts,
				  NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case OPT_CONFIG:
			o->config = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_DEVICE:
			o->device = optarg;
			break;
		case OPT_UDEV:
			o->udev = true;
			break;
		case OPT_LOAD_DRIVERS:
			o->load_drivers = true;
			break;
		case 'h':
			if (apply)
				cmd_apply_usage();
			else
				cmd_check_config_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help %s'.\n", program_name, argv[0]);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("%s: unexpected argument '%s' (see '%s help %s')", argv[0], argv[optind],
		       program_name, argv[0]);
		return EXIT_USAGE;
	}
	if (o->config && !*o->config) {
		warnx_("%s: --config needs a file name", argv[0]);
		return EXIT_USAGE;
	}
	if (o->load_drivers && (o->udev || o->dry_run || o->device)) {
		warnx_("%s: --load-drivers goes alone (with --config)", argv[0]);
		return EXIT_USAGE;
	}
	if (o->udev && !o->device) {
		warnx_("%s: --udev answers for one device: give --device BDF too", argv[0]);
		return EXIT_USAGE;
	}
	return -1;
}

/* --- check-config ------------------------------------------------------------------------ */

int cmd_check_config(int argc, char **argv)
{
	struct config_opts o;
	struct ic_config cfg;
	size_t main_files;
	char *dir;
	int ret;

	ret = parse_options(argc, argv, false, &o);
	if (ret >= 0)
		return ret;
	ret = load_config_or_explain(&cfg, o.config, "check-config", NULL);
	if (ret >= 0)
		return ret;
	dir = sysfs_path(CONFIG_DROPIN_DIR);
	if (!cfg.nfiles) {
		printf("no configuration: %s%s does not exist and %s has no .conf file; apply changes nothing\n",
		       sysfs_root(), CONFIG_FILE, dir);
	} else {
		main_files = cfg.nfiles - cfg.ndropins;
		printf("configuration ok: %zu rule%s from %s%s", cfg.nrules, cfg.nrules == 1 ? "" : "s",
		       main_files ? cfg.files[0] : "", main_files && cfg.ndropins ? " and " : "");
		if (cfg.ndropins)
			printf("%zu file%s in %s", cfg.ndropins, cfg.ndropins == 1 ? "" : "s", dir);
		if (cfg.default_policy >= 0)
			printf("; default policy %s, rebind %s", policy_name(cfg.default_policy),
			       cfg.default_rebind ? "yes" : "no");
		else
			printf("; no default policy (groups no rule matches are left alone)");
		if (cfg.dma_accounting >= 0)
			printf("; DMA accounting %s", cfg.dma_accounting ? "pinned on" : "not pinned");
		putchar('\n');
	}
	free(dir);
	config_free(&cfg);
	return EXIT_SUCCESS;
}

/* --- apply ------------------------------------------------------------------------------- */

/* What the configuration says of one device of a group. */
/* "0000:03:00.0 ixgbe, 0000:03:00.1": the group's devices and drivers. */
static void describe_devices(const struct ic_group *grp, char *buf, size_t size)
{
	snprintf(buf, size, "%s", grp->ndevices ? "" : "no devices");
	for (size_t i = 0; i < grp->ndevices; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s%s%s%s", i ? ", " : "",
			 grp->devices[i].name, grp->devices[i].driver ? " " : "",
			 grp->devices[i].driver ? grp->devices[i].driver : "");
}

/* --- topology: devices whose group-mates changed since the last boot ------------------ */

struct moved {
	char (*devices)[64];
	size_t n;
};

static void on_moved(const struct recdb_topo *dev, long long prev_group, const char *msg, void *arg)
{
	struct moved *m = arg;

	(void)prev_group;
	printf("topology: %s\n", msg);
	m->devices = xrealloc(m->devices, (m->n + 1) * sizeof(*m->devices));
	snprintf(m->devices[m->n++], sizeof(*m->devices), "%s", dev->device);
}

/*
 * Say which devices share their group with other devices than at the last
 * boot the recorder recorded (iommuctl-recorder.service); nothing without a
 * record.  At boot apply runs before the recorder: the last boot is then the
 * one before this one.
 */
static void topology_check(const struct ic_group_list *list, struct moved *m)
{
	char *path = sysfs_path(RECDB_PATH), err[512], boot_id[64] = "";
	struct recdb_topo *now, *prev = NULL;
	size_t n, nprev = 0;
	struct recdb *db;
	bool recorded;

	if (access(path, F_OK)) {
		free(path);
		return;
	}
	if (!sysfs_root()[0])
		read_boot_id(boot_id, sizeof(boot_id));
	if (recdb_open(path, false, &db, err, sizeof(err))) {
		printf("topology: not compared with the last boot: %s\n", err);
		free(path);
		return;
	}
	if (recdb_use_boot(db, boot_id, &recorded) || recdb_previous_topology(db, &prev, &nprev))
		printf("topology: not compared with the last boot: %s: %s\n", path, recdb_error(db));
	recdb_close(db);
	free(path);
	now = recdb_topology_of(list, &n);
	recdb_topology_diff(now, n, prev, nprev, on_moved, m);
	free(now);
	free(prev);
}

static const char *moved_in(const struct moved *m, const struct ic_group *grp)
{
	for (size_t i = 0; i < grp->ndevices; i++)
		for (size_t k = 0; k < m->n; k++)
			if (!strcmp(grp->devices[i].name, m->devices[k]))
				return m->devices[k];
	return NULL;
}

/*
 * A group a passthrough rule hands to a VFIO driver: the whole group goes
 * (vfio.h), whatever the policy rules of its devices say; the devices no
 * passthrough rule names are said.  Its exit status.
 */
static int apply_passthrough(const struct ic_config *cfg, struct ic_group_list *list,
			     struct ic_group *grp, const struct ic_decision *d, const char *driver,
			     const char *devs, bool dry_run, bool *would_change)
{
	char src[512];
	int ret;

	for (size_t i = 0; i < grp->ndevices; i++)
		if (d[i].passthrough) {
			config_describe_source(cfg, &d[i], src, sizeof(src));
			break;
		}
	if (vfio_handed_over(grp, driver)) {
		printf("group %u (%s): passthrough to %s: unchanged\n", grp->id, devs, driver);
		return EXIT_SUCCESS;
	}
	for (size_t i = 0; i < grp->ndevices; i++)
		if (!d[i].passthrough && !device_is_bridge(&grp->devices[i]))
			printf("group %u: %s goes to %s with its group, though no passthrough rule names it\n",
			       grp->id, grp->devices[i].name, driver);
	if (dry_run) {
		printf("group %u (%s): passthrough to %s (%s): would be handed over\n", grp->id, devs,
		       driver, src);
		*would_change = true;
		return vfio_hand_over("apply", list, grp, driver, true, false);
	}
	ret = vfio_hand_over("apply", list, grp, driver, false, false);
	printf("group %u (%s): passthrough to %s (%s): %s\n", grp->id, devs, driver, src,
	       ret ? "failed (see above)" : "done");
	return ret;
}

/* Apply the configuration to one group; its exit status. */
static int apply_group(const struct ic_config *cfg, struct ic_group_list *list,
		       struct ic_group *grp, const struct moved *moved, bool dry_run,
		       bool *would_change)
{
	struct policy_change pc = {
		.cmd = "apply", .rebind_hint = "rebind = yes",
		.force_hint = "stop using it, or 'iommuctl set --rebind --force' it",
	};
	struct ic_decision *d = xcalloc(grp->ndevices, sizeof(*d));
	const char *now = group_policy_word(grp);
	char devs[1024], src[512];
	int target, ret = EXIT_SUCCESS;
	bool any_rule = false;

	*would_change = false;
	config_decide_devices(cfg, grp, d);
	describe_devices(grp, devs, sizeof(devs));
	if (config_group_passthrough(grp, d)) {
		ret = apply_passthrough(cfg, list, grp, d, config_group_passthrough(grp, d), devs,
					dry_run, would_change);
		free(d);
		return ret;
	}
	target = config_group_policy(cfg, grp, d, true);
	for (size_t i = 0; i < grp->ndevices; i++)
		any_rule |= d[i].policy >= 0;
	if (target < 0)
		printf("group %u (%s): %s: left alone (%s)\n", grp->id, devs, now,
		       any_rule ? "auto" : "no rule");
	else if (target == (int)grp->policy)
		printf("group %u (%s): %s: unchanged\n", grp->id, devs, now);
	if (target >= 0 && target != (int)grp->policy && cfg->topology_refuse &&
	    moved_in(moved, grp)) {
		printf("group %u (%s): %s -> %s: %s: %s shares it with other devices than at the "
		       "last boot (topology_change = refuse, %s:%u); see 'iommuctl history --type "
		       "topology', then set it with 'iommuctl set' (at the next boot apply sets it)\n",
		       grp->id, devs, now, policy_name(target), dry_run ? "would be refused" : "refused",
		       moved_in(moved, grp), cfg->topology_file, cfg->topology_line);
		ret = EXIT_FAILURE;
		goto out;
	}
	if (target >= 0 && target != (int)grp->policy) {
		/*
		 * Drivers are unbound only where the rule of every bound device
		 * allows it; strict to lazy never needs it (the kernel starts a
		 * flush queue in place, drivers bound).
		 */
		pc.rebind = !(grp->policy == IOMMU_POLICY_STRICT && target == IOMMU_POLICY_LAZY);
		for (size_t i = 0; i < grp->ndevices; i++)
			if (grp->devices[i].driver && !d[i].rebind)
				pc.rebind = false;
		ret = policy_change_prepare(&pc, list, grp, target);
		if (dry_run)
			printf("group %u (%s): %s -> %s: %s%s\n", grp->id, devs, now,
			       policy_name(target), ret ? "would be refused: " : "would change, through ",
			       ret ? pc.why : policy_change_route(list));
		*would_change = !ret;
	}
	if (dry_run) {
		for (size_t i = 0; i < grp->ndevices; i++) {
			config_describe_source(cfg, &d[i], src, sizeof(src));
			printf("  %s: %s%s%s%s%s\n", d[i].dev->name,
			       d[i].policy >= 0 ? policy_name(d[i].policy) : "",
			       d[i].policy >= 0 ? " from " : "", src,
			       !d[i].dev->driver ? "" : d[i].rebind ? ", rebind yes" : ", rebind no",
			       d[i].removable ? ", untrusted (removable)" :
			       d[i].untrusted ? ", untrusted (its group's mandatory policy is strict)" : "");
		}
		if (*would_change)
			policy_change_plan(&pc, grp, target);
		goto out;
	}
	if (target < 0 || target == (int)grp->policy)
		goto out;
	if (!ret)
		ret = policy_change_run(&pc, list, grp, target);
	printf("group %u (%s): %s -> %s: %s%s\n", grp->id, devs, now, policy_name(target),
	       ret ? "failed: " : "done", ret ? pc.why : "");
out:
	policy_change_free(&pc);
	free(d);
	return ret;
}

/*
 * For udev's IMPORT{program}: the policy the configuration gives the group of
 * @dev, and the rule deciding for the device itself, as KEY=value lines;
 * nothing when the group is to be left alone.  Changes nothing.
 */
static void udev_report(const struct ic_config *cfg, const struct ic_group *grp,
			const struct ic_device *dev)
{
	struct ic_decision *d = xcalloc(grp->ndevices, sizeof(*d));
	int target;

	config_decide_devices(cfg, grp, d);
	target = config_group_policy(cfg, grp, d, false);
	if (config_group_passthrough(grp, d)) {
		const char *drv = config_group_passthrough(grp, d);

		/* Its driver in driver_override before others bind, and apply@ hands the group over. */
		size_t k = 0;

		while (!d[k].passthrough)
			k++;	/* the rule that hands the group over (the device's, or a mate's) */
		for (size_t i = 0; i < grp->ndevices; i++)
			if (d[i].passthrough)
				k = d[i].dev == dev ? i : k;
		if (!vfio_handed_over(grp, drv))
			printf("IOMMUCTL_PASSTHROUGH=%s\nIOMMUCTL_RULE=%s\n", drv, d[k].rule->name);
		free(d);
		return;
	}
	for (size_t i = 0; target >= 0 && i < grp->ndevices; i++) {
		if (d[i].dev != dev)
			continue;
		printf("IOMMUCTL_POLICY=%s\n", policy_name(target));
		printf("IOMMUCTL_RULE=%s\n", d[i].rule ? d[i].rule->name :
		       d[i].policy >= 0 ? "[defaults]" : "");
	}
	free(d);
}

/*
 * [defaults] dma_accounting: pin the module's DMA accounting on (yes) or let
 * go of the pin (no), as iommu_policy(4)'s stats/dma_accounting; nothing
 * when the configuration does not say.  0, or an exit status.
 */
static int apply_dma_accounting(const struct ic_config *cfg, bool module, bool dry_run)
{
	char *path = sysfs_path(IOMMU_POLICY_DIR "/stats/dma_accounting");
	char now[64], where[PATH_MAX + 32];
	bool pinned;
	int ret = EXIT_SUCCESS, err;

	if (cfg->dma_accounting < 0)
		goto out;
	snprintf(where, sizeof(where), "dma_accounting = %s, %s:%u",
		 cfg->dma_accounting ? "yes" : "no", cfg->dma_accounting_file,
		 cfg->dma_accounting_line);
	if (!module) {
		if (cfg->dma_accounting) {
			warnx_("apply: DMA accounting (%s): the iommu_policy module is not loaded, so there is nothing to count with (modprobe iommu_policy, then apply again)",
			       where);
			ret = EXIT_FAILURE;
		}
		goto out;
	}
	err = sysfs_read_str(path, now, sizeof(now));
	if (err == -ENOENT) {
		printf("DMA accounting: always on with this module (it has no %s) (%s)\n", path, where);
		goto out;
	}
	if (err) {
		warnx_("apply: DMA accounting (%s): cannot read %s: %s", where, path, strerror(-err));
		ret = EXIT_FAILURE;
		goto out;
	}
	pinned = strstr(now, " pinned") != NULL;
	if (pinned == (cfg->dma_accounting == 1)) {
		printf("DMA accounting: %s: unchanged (%s)\n", now, where);
		goto out;
	}
	if (dry_run) {
		printf("DMA accounting: %s: would %s (%s)\n", now,
		       cfg->dma_accounting ? "pin it on" : "let go of the pin", where);
		goto out;
	}
	err = sysfs_write_str(path, cfg->dma_accounting ? "1" : "0");
	if (err) {
		warnx_("apply: DMA accounting (%s): cannot write %s: %s%s", where, path, strerror(-err),
		       err == -EACCES || err == -EPERM ? " (run as root)" : "");
		ret = err == -EACCES || err == -EPERM ? EXIT_NOT_PERMITTED : EXIT_FAILURE;
		goto out;
	}
	if (sysfs_read_str(path, now, sizeof(now)))
		snprintf(now, sizeof(now), "?");
	printf("DMA accounting: %s: done (%s)\n", now, where);
out:
	free(path);
	return ret;
}

int cmd_apply(int argc, char **argv)
{
	const struct ic_device *dev = NULL;
	struct config_opts o;
	struct ic_config cfg;
	struct ic_group_list list;
	struct ic_group *grp = NULL;
	int ret, status = EXIT_SUCCESS;
	bool mixed = false, would_change, permitted;
	struct moved moved = { 0 };
	size_t changes = 0;

	ret = parse_options(argc, argv, true, &o);
	if (ret >= 0)
		return ret;
	if (sysfs_root()[0] && !o.dry_run && !o.udev) {
		warnx_("apply: --sysroot reads a recorded tree; changing it needs --dry-run");
		return EXIT_USAGE;
	}
	ret = load_config_or_explain(&cfg, o.config, "apply", "nothing was changed");
	if (ret >= 0)
		return ret;
	if (o.load_drivers) {
		ret = vfio_load_drivers("apply", &cfg);
		config_free(&cfg);
		return ret;
	}
	if (o.udev) {
		/* A device that is in no group, or no groups at all: nothing to import. */
		if (cfg.nfiles && groups_load(&list) == 0) {
			grp = groups_find_device(&list, o.device, &dev);
			if (grp)
				udev_report(&cfg, grp, dev);
			groups_free(&list);
			names_close();
		}
		config_free(&cfg);
		return EXIT_SUCCESS;
	}
	if (!cfg.nfiles) {
		printf("no configuration (%s%s, %s%s/*.conf): nothing to apply\n", sysfs_root(),
		       CONFIG_FILE, sysfs_root(), CONFIG_DROPIN_DIR);
		config_free(&cfg);
		return EXIT_SUCCESS;
	}
	permitted = policy_change_permitted();
	if (!permitted && !o.dry_run) {
		config_free(&cfg);
		return needs_root("apply", "applying the configuration", true);
	}
	/* What a killed set or apply left, first: the groups are then read as they are. */
	if (policy_change_recover("apply", o.dry_run))
		status = EXIT_FAILURE;
	ret = load_groups_or_explain(&list, "apply");
	if (ret >= 0) {
		config_free(&cfg);
		return ret;
	}
	if (o.device) {
		grp = groups_find_device(&list, o.device, NULL);
		if (!grp) {
			warn_no_group("apply", o.device);
			status = EXIT_FAILURE;
			goto out;
		}
	}
	topology_check(&list, &moved);
	for (size_t i = 0; i < list.count; i++) {
		if (grp && grp != &list.groups[i])
			continue;
		ret = apply_group(&cfg, &list, &list.groups[i], &moved, o.dry_run, &would_change);
		changes += would_change;
		/* The failures' own status when they agree (all not permitted, say), else 1. */
		if (ret && status && ret != status)
			mixed = true;
		if (ret && !status)
			status = ret;
	}
	/* Machine-wide: not for one device's apply (udev's per-device unit). */
	if (!o.device) {
		ret = apply_dma_accounting(&cfg, list.module, o.dry_run);
		if (ret && status && ret != status)
			mixed = true;
		if (ret && !status)
			status = ret;
	}
	if (mixed)
		status = EXIT_FAILURE;
	if (changes && !permitted && !status)
		status = needs_root("apply", "making these changes", true);
out:
	free(moved.devices);
	groups_free(&list);
	names_close();
	config_free(&cfg);
	return status;
}
