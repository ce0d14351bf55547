// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Handing a group to a VFIO driver and back (vfio.h), for 'iommuctl vfio'
 * and 'iommuctl apply' (passthrough rules), and the drop-in that makes a
 * hand-over last (--persist).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "change.h"
#include "config.h"
#include "groups.h"
#include "out.h"
#include "passthrough.h"
#include "sysfs.h"
#include "util.h"
#include "vfio.h"

/* Load @driver (modprobe) unless it is there: 0, or an exit status after saying why. */
static int load_driver(const char *cmd, const char *driver, bool dry_run)
{
	char *path = sysfs_path("/sys/bus/pci/drivers/%s", driver);
	int status = -1;
	pid_t pid;

	if (!access(path, F_OK)) {
		free(path);
		return 0;
	}
	if (dry_run) {
		printf("  load %s (modprobe %s)\n", driver, driver);
		free(path);
		return 0;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		execlp("modprobe", "modprobe", driver, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (!access(path, F_OK)) {
		free(path);
		return 0;
	}
	warnx_("%s: driver %s is not loaded, and 'modprobe %s' %s; install the kernel's VFIO modules (CONFIG_VFIO_PCI), or name a loaded driver with --driver",
	       cmd, driver, driver,
	       pid < 0 ? "could not be started" :
	       WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "could not be run (no modprobe)" :
	       WIFEXITED(status) && WEXITSTATUS(status) ? "failed" :
	       "did not register it as a PCI driver");
	free(path);
	return EXIT_FAILURE;
}

/* After a hand-over: the group as it is now, said in one line; 0 when it is ready. */
static int verify_ready(const char *cmd, unsigned int id, const char *driver)
{
	struct ic_group_list list;
	struct ic_group *grp;
	struct pt_check c;
	int ret;

	if (groups_load(&list)) {
		warnx_("%s: group %u: cannot read the groups again to verify the hand-over", cmd, id);
		return EXIT_FAILURE;
	}
	grp = groups_find(&list, id);
	if (!grp) {
		warnx_("%s: group %u is gone after the hand-over", cmd, id);
		groups_free(&list);
		return EXIT_FAILURE;
	}
	passthrough_check(&c, grp, driver);
	if (c.ready) {
		const char *first = NULL;

		for (size_t i = 0; i < grp->ndevices && !first; i++)
			if (grp->devices[i].driver && driver_is_vfio(grp->devices[i].driver))
				first = grp->devices[i].name;
		printf("group %u: ready for passthrough: /dev/vfio/%u (QEMU: -device vfio-pci,host=%s)\n",
		       id, id, first ? first : "DEVICE");
		ret = EXIT_SUCCESS;
	} else {
		struct out o;

		warnx_("%s: group %u was handed to %s, but is not ready for passthrough:", cmd, id, driver);
		out_init_text(&o, stderr);
		passthrough_print(&o, &c, "  ");
		ret = EXIT_FAILURE;
	}
	passthrough_check_free(&c);
	groups_free(&list);
	return ret;
}

bool vfio_handed_over(const struct ic_group *grp, const char *driver)
{
	for (size_t i = 0; i < grp->ndevices; i++)
		if (!device_is_bridge(&grp->devices[i]) &&
		    (!grp->devices[i].driver || strcmp(grp->devices[i].driver, driver)))
			return false;
	return true;
}

int vfio_hand_over(const char *cmd, struct ic_group_list *list, struct ic_group *grp,
		   const char *driver, bool dry_run, bool force)
{
	struct policy_change pc = {
		.cmd = cmd,
		.rebind_hint = "'iommuctl vfio'",
		.force_hint = "--force unbinds it anyway",
		.rebind = true,
		.force = force,
		.handover = driver,
	};
	int ret;

	ret = policy_change_prepare(&pc, list, grp, -1);
	if (ret) {
		policy_change_free(&pc);
		return ret;
	}
	if (vfio_handed_over(grp, driver)) {
		policy_change_free(&pc);
		if (dry_run) {
			printf("group %u: every device is on %s already, or a bridge: nothing to do\n",
			       grp->id, driver);
			return EXIT_SUCCESS;
		}
		printf("group %u: every device is on %s already, or a bridge\n", grp->id, driver);
		return verify_ready(cmd, grp->id, driver);
	}
	if (dry_run)
		printf("group %u: hand to %s\n", grp->id, driver);
	ret = load_driver(cmd, driver, dry_run);
	if (!ret && dry_run) {
		group_hand_over_plan(&pc, grp);
		policy_change_free(&pc);
		return EXIT_SUCCESS;
	}
	if (!ret) {
		ret = group_hand_over(&pc, grp);
		if (ret)
			warnx_("%s: group %u: not handed to %s: %s", cmd, grp->id, driver,
			       pc.why[0] ? pc.why : "see above");
	}
	policy_change_free(&pc);
	return ret ? ret : verify_ready(cmd, grp->id, driver);
}

int vfio_release(const char *cmd, struct ic_group *grp, bool dry_run)
{
	bool any = false;
	int ret;

	for (size_t i = 0; i < grp->ndevices; i++)
		any |= grp->devices[i].driver && driver_is_vfio(grp->devices[i].driver);
	if (!any && !dry_run) {
		/* A record without a VFIO driver: an interrupted release, say; finish it all the same. */
		ret = group_hand_back(cmd, grp, false);
		if (!ret)
			printf("group %u: no device is on a VFIO driver\n", grp->id);
		return ret;
	}
	ret = group_hand_back(cmd, grp, dry_run);
	if (!ret && !dry_run)
		printf("group %u: released: every device has its driver back\n", grp->id);
	return ret;
}


int vfio_load_drivers(const char *cmd, const struct ic_config *cfg)
{
	int ret = EXIT_SUCCESS;

	for (size_t i = 0; i < cfg->nrules; i++) {
		const char *drv = cfg->rules[i].passthrough;
		bool seen = false;

		if (!drv || !drv[0])
			continue;
		for (size_t k = 0; k < i && !seen; k++)
			seen = cfg->rules[k].passthrough && !strcmp(cfg->rules[k].passthrough, drv);
		if (!seen && load_driver(cmd, drv, false))
			ret = EXIT_FAILURE;
	}
	return ret;
}

/* --- the drop-in of --persist ------------------------------------------------------------ */

#define PERSIST_PREFIX "70-vfio-"

/* The group's first device that is not a bridge: it names the drop-in. */
static const char *first_device(const struct ic_group *grp)
{
	for (size_t i = 0; i < grp->ndevices; i++)
		if (!device_is_bridge(&grp->devices[i]))
			return grp->devices[i].name;
	return grp->ndevices ? grp->devices[0].name : NULL;
}

/* "0000:00:1f.2" as a rule or file name may have it: "0000-00-1f.2" (no ':'). */
static void name_of(const char *dev, char *buf, size_t size)
{
	snprintf(buf, size, "%s", dev);
	for (char *p = buf; *p; p++)
		if (*p == ':')
			*p = '-';
}

int vfio_persist(const char *cmd, const struct ic_group *grp, const char *driver, bool dry_run)
{
	const char *first = first_device(grp), *sysroot_prefix;
	char name[32], *path, *tmp, *text = NULL;
	struct ic_config cfg;
	struct ic_decision *d;
	size_t len = 0;
	FILE *f;
	int ret = EXIT_SUCCESS;

	if (!first)
		return EXIT_SUCCESS;
	name_of(first, name, sizeof(name));
	/* Written under the --sysroot, named as the system will see it. */
	sysroot_prefix = sysfs_root();
	path = xasprintf("%s%s/" PERSIST_PREFIX "%s.conf", sysroot_prefix, CONFIG_DROPIN_DIR, name);
	f = open_memstream(&text, &len);
	if (!f) {
		warnx_("%s: %s", cmd, strerror(errno));
		free(path);
		return EXIT_FAILURE;
	}
	fprintf(f, "# Written by '%s vfio --persist %s': the IOMMU group of these\n"
		"# devices goes to %s at boot and when one is added (iommuctl-apply.service\n"
		"# and the udev rule; see passthrough in iommuctl.conf(5)).\n"
		"# '%s vfio --release --persist %s' removes this file.\n",
		program_name, first, driver, program_name, first);
	for (size_t i = 0; i < grp->ndevices; i++) {
		if (device_is_bridge(&grp->devices[i]))
			continue;
		name_of(grp->devices[i].name, name, sizeof(name));
		fprintf(f, "\n[rule vfio-%s]\naddress = %s\npassthrough = %s\n", name,
			grp->devices[i].name, driver);
	}
	fclose(f);
	if (dry_run) {
		printf("  write %s:\n", path + strlen(sysroot_prefix));
		for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
			printf("    %s\n", line);
		goto out;
	}
	tmp = xasprintf("%s.new", path);
	{
		char *dir = xasprintf("%s%s", sysfs_root(), CONFIG_DROPIN_DIR);

		if (mkdir(dir, 0755) && errno != EEXIST)
			warnx_("%s: cannot create %s: %s", cmd, dir, strerror(errno));
		free(dir);
	}
	f = fopen(tmp, "we");
	if (!f || fputs(text, f) == EOF || fclose(f) || rename(tmp, path)) {
		warnx_("%s: group %u: cannot write %s: %s; the hand-over is done but will not last past a reboot",
		       cmd, grp->id, path, strerror(errno));
		unlink(tmp);
		free(tmp);
		ret = EXIT_FAILURE;
		goto out;
	}
	free(tmp);
	/* The configuration with it must load, and give these devices this driver. */
	config_load_quiet(&cfg);
	if (cfg.errors) {
		unlink(path);
		warnx_("%s: group %u: with %s the configuration does not load ('%s check-config' says why); removed it: the hand-over will not last past a reboot",
		       cmd, grp->id, path, program_name);
		config_free(&cfg);
		ret = EXIT_FAILURE;
		goto out;
	}
	d = xcalloc(grp->ndevices, sizeof(*d));
	config_decide_devices(&cfg, grp, d);
	for (size_t i = 0; i < grp->ndevices; i++) {
		char src[512];

		if (device_is_bridge(&grp->devices[i]) ||
		    (d[i].passthrough && !strcmp(d[i].passthrough, driver)))
			continue;
		config_describe_source(&cfg, &d[i], src, sizeof(src));
		warnx_("%s: %s: %s decides for it before the rule of %s, and does not hand it to %s: the group will not be passed through at boot; give that rule 'passthrough = %s'",
		       cmd, grp->devices[i].name, src, path, driver, driver);
		ret = EXIT_FAILURE;
	}
	free(d);
	config_free(&cfg);
	if (!ret)
		printf("wrote %s: at boot and on hot-plug the group goes to %s\n", path, driver);
out:
	free(text);
	free(path);
	return ret;
}

/* Does drop-in @path have a rule for one of the group's devices ("address = DEV")? */
static bool persist_file_matches(const char *path, const struct ic_group *grp)
{
	FILE *f = fopen(path, "re");
	char line[256], addr[64];
	bool ret = false;

	while (f && !ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "address = %63s", addr) == 1)
			for (size_t i = 0; i < grp->ndevices && !ret; i++)
				ret = !strcmp(addr, grp->devices[i].name);
	if (f)
		fclose(f);
	return ret;
}

int vfio_unpersist(const char *cmd, const struct ic_group *grp, bool dry_run)
{
	char *dir = xasprintf("%s%s", sysfs_root(), CONFIG_DROPIN_DIR);
	char **names = sysfs_list_dir(dir, NULL);
	struct ic_config cfg;
	struct ic_decision *d;
	int removed = 0, ret = EXIT_SUCCESS;

	for (char **p = names; names && *p; p++) {
		char *path;

		if (strncmp(*p, PERSIST_PREFIX, strlen(PERSIST_PREFIX)))
			continue;
		path = xasprintf("%s/%s", dir, *p);
		if (persist_file_matches(path, grp)) {
			if (dry_run) {
				printf("  remove %s\n", path);
			} else if (unlink(path)) {
				warnx_("%s: cannot remove %s: %s", cmd, path, strerror(errno));
				ret = EXIT_FAILURE;
			} else {
				printf("removed %s\n", path);
			}
			removed++;
		}
		free(path);
	}
	sysfs_free_list(names);
	if (!removed)
		printf("no drop-in of 'vfio --persist' in %s for group %u\n", dir, grp->id);
	free(dir);
	if (dry_run || ret)
		return ret;
	/* Another rule that still hands a device over at boot: say which. */
	config_load_quiet(&cfg);
	d = xcalloc(grp->ndevices ? grp->ndevices : 1, sizeof(*d));
	config_decide_devices(&cfg, grp, d);
	for (size_t i = 0; i < grp->ndevices; i++) {
		char src[512];

		if (!d[i].passthrough)
			continue;
		config_describe_source(&cfg, &d[i], src, sizeof(src));
		warnx_("%s: %s: %s still hands it to %s at boot; remove its passthrough key",
		       cmd, grp->devices[i].name, src, d[i].passthrough);
		ret = EXIT_FAILURE;
	}
	free(d);
	config_free(&cfg);
	return ret;
}
