// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: iommuctl.conf(5) as tool/config.c reads it (its own
 * line scan, its only parser), and the rules it makes matched against devices.
 *
 * The input is written to files, as a user's configuration would be: up to a
 * form feed ('\f') it is <root>/etc/iommuctl.conf, and each part after a form
 * feed is a drop-in, <root>/etc/iommuctl.conf.d/1N-fuzz.conf (three at most;
 * the rest goes into the last).  config_load() reads them with the root as
 * --sysroot, the way `iommuctl check-config` and `apply` do.  One directory
 * serves every input; only the files are rewritten.
 *
 * Beyond crashes and leaks, the contract is checked: every rule kept is
 * well formed (a policy iommuctl can set, a match key, a
 * name, a file and line), and the rule config_match() picks for a device is
 * one of them.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "fuzz-common.h"
#include "groups.h"
#include "sysfs.h"

#define MAX_DROPINS 3

static const char *root;
static char *main_file, *dropin_dir, *dropins[MAX_DROPINS];
static bool dropin_present[MAX_DROPINS];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	root = fuzz_scratch_dir("config");
	if (asprintf(&main_file, "%s%s", root, CONFIG_FILE) < 0 ||
	    asprintf(&dropin_dir, "%s%s", root, CONFIG_DROPIN_DIR) < 0)
		abort();
	for (int i = 0; i < MAX_DROPINS; i++)
		if (asprintf(&dropins[i], "%s/1%d-fuzz.conf", dropin_dir, i) < 0)
			abort();
	fuzz_mkdirs(main_file);
	fuzz_mkdirs(dropins[0]);
	return 0;
}

/* Devices to match the rules against: the recorded q35 guest's, and odd ones. */
static const struct ic_device devices[] = {
	{ .name = "0000:00:01.0", .pci = true, .vendor = 0x1234, .device = 0x11e8,
	  .subvendor = 0x1af4, .subdevice = 0x1100, .class = 0x00ff00 },
	{ .name = "0000:00:1f.2", .driver = "ahci", .pci = true, .vendor = 0x8086,
	  .device = 0x2922, .subvendor = 0x1af4, .subdevice = 0x1100, .class = 0x010601 },
	{ .name = "0000:00:02.0", .driver = "virtio-pci", .pci = true, .vendor = 0x1af4,
	  .device = 0x1005, .class = 0x00ff00 },
	{ .name = "0000:03:00.1", .driver = "vfio-pci", .pci = true, .vendor = 0x10de,
	  .device = 0x1b80, .class = 0x030000 },
	{ .name = "ffff:ff:1f.7", .pci = true, .vendor = 0xffff, .device = 0xffff,
	  .subvendor = 0xffff, .subdevice = 0xffff, .class = 0xffffff },
	{ .name = "platform-device.0", .driver = "arm-smmu-v3" },
};

static void check_rule(const struct ic_config *cfg, const struct ic_rule *r)
{
	bool in_files = false;

	FUZZ_CHECK(r->policy >= IOMMU_POLICY_IDENTITY && r->policy <= IOMMU_POLICY_AUTO,
		   "rule '%s' has policy %d", r->name, r->policy);
	FUZZ_CHECK(r->match != 0, "rule '%s' matches nothing", r->name);
	FUZZ_CHECK(r->name && *r->name, "a rule without a name");
	FUZZ_CHECK(r->line > 0, "rule '%s' has no line", r->name);
	FUZZ_CHECK(r->rebind >= -1 && r->rebind <= 1, "rule '%s': rebind %d", r->name, r->rebind);
	for (size_t i = 0; i < cfg->nfiles; i++)
		in_files |= r->file == cfg->files[i];
	FUZZ_CHECK(in_files, "rule '%s' is of no file read", r->name);
	if (r->match & MATCH_ADDRESS) {
		FUZZ_CHECK(r->address != NULL, "rule '%s': an address key without an address",
			   r->name);
		if (!r->address_glob)
			FUZZ_CHECK(is_pci_address(r->address),
				   "rule '%s': exact address '%s' is not DDDD:BB:DD.F", r->name,
				   r->address);
	}
	if (r->match & MATCH_DRIVER)
		FUZZ_CHECK(r->driver && *r->driver, "rule '%s': a driver key without a driver",
			   r->name);
	if (r->match & MATCH_CLASS)
		FUZZ_CHECK(r->class_digits == 2 || r->class_digits == 4 || r->class_digits == 6,
			   "rule '%s': class of %u digits", r->name, r->class_digits);
}

static void match_devices(const struct ic_config *cfg)
{
	for (size_t i = 0; i < sizeof(devices) / sizeof(devices[0]); i++) {
		for (int flags = 0; flags < 4; flags++) {
			struct ic_match m = {
				.dev = &devices[i],
				.untrusted = flags & 1,
				.removable = flags & 2,
			};
			const struct ic_rule *r = config_match(cfg, &m);
			int policy = config_rule_policy(cfg, r);

			(void)config_rule_rebind(cfg, r);
			if (r)
				FUZZ_CHECK(r >= cfg->rules && r < cfg->rules + cfg->nrules,
					   "config_match() returned a rule not in the list");
			FUZZ_CHECK(policy == -1 ||
				   (policy >= IOMMU_POLICY_IDENTITY && policy <= IOMMU_POLICY_AUTO),
				   "device %s gets policy %d", devices[i].name, policy);
			if (r && (r->match & MATCH_ADDRESS))
				FUZZ_CHECK(!fnmatch(r->address, devices[i].name, 0),
					   "rule '%s' matched %s, which its address '%s' does not",
					   r->name, devices[i].name, r->address);
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size, *part = data;
	struct ic_config cfg;
	int n = 0;

	/* The main file, then the drop-ins; a drop-in no longer given is removed. */
	for (;;) {
		const uint8_t *ff = memchr(part, '\f', (size_t)(end - part));
		const uint8_t *stop = ff && n < MAX_DROPINS ? ff : end;

		if (n == 0)
			fuzz_write_file(main_file, part, (size_t)(stop - part));
		else
			fuzz_write_file(dropins[n - 1], part, (size_t)(stop - part));
		n++;
		if (stop == end)
			break;
		part = stop + 1;
	}
	for (int i = 0; i < MAX_DROPINS; i++) {
		if (i < n - 1)
			dropin_present[i] = true;
		else if (dropin_present[i] && unlink(dropins[i]) == 0)
			dropin_present[i] = false;
	}

	sysfs_set_root(root);
	config_load(&cfg, NULL);
	FUZZ_CHECK(cfg.nfiles == (size_t)n, "%zu files read of %d written", cfg.nfiles, n);
	FUZZ_CHECK(cfg.ndropins == (size_t)n - 1, "%zu drop-ins read of %d", cfg.ndropins, n - 1);
	FUZZ_CHECK(cfg.default_policy == -1 ||
		   (cfg.default_policy >= IOMMU_POLICY_IDENTITY &&
		    cfg.default_policy <= IOMMU_POLICY_AUTO),
		   "default policy %d", cfg.default_policy);
	/* Rules are kept only when whole, errors elsewhere or not. */
	for (size_t i = 0; i < cfg.nrules; i++)
		check_rule(&cfg, &cfg.rules[i]);
	match_devices(&cfg);
	config_free(&cfg);
	sysfs_set_root(NULL);
	return 0;
}
