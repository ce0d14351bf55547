// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl status: the machine's IOMMU at a glance.  The IOMMU units the
 * kernel registered (/sys/class/iommu) and the groups and devices behind
 * each; the policy the boot parameters ask for (/proc/cmdline) and the
 * policy the groups actually have; and whether the iommu_policy module is
 * loaded, with its version and features.  "key: value" lines or JSON.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "groups.h"
#include "iommuctl.h"
#include "json.h"
#include "names.h"
#include "out.h"
#include "sysfs.h"
#include "util.h"

#define IOMMU_CLASS_DIR "/sys/class/iommu"
#define PROC_CMDLINE "/proc/cmdline"

/* What needs the module, for the line shown when it is not loaded. */
#define MODULE_FEATURES_HINT \
	"claim, quarantine, fault counters, netlink events: load it with 'modprobe iommu_policy'"

/* An IOMMU unit: an entry of /sys/class/iommu. */
struct unit {
	char *name;		/* "dmar0", "ivhd0", "smmu3.0x...", "virtio0" */
	const char *kind;	/* "Intel VT-d", ...; NULL if not recognised */
	char *device;		/* the device the unit is (AMD-Vi: a PCI function), NULL if virtual */
	const char *counted_from;	/* "links", "only-unit"; NULL: counts unknown */
	size_t groups, devices;
	long last_group;	/* the last group counted, so each counts once */
};

/* The IOMMU parameters of the kernel command line. */
struct boot {
	char *cmdline;		/* NULL: unknown */
	int cmdline_err;	/* errno of reading it */
	/* Raw values as given; NULL when absent.  Booleans: the last one;
	 * option lists (iommu=, intel_iommu=, amd_iommu=): all, comma-separated. */
	char *passthrough, *strict, *iommu, *intel_iommu, *amd_iommu;
	bool passthrough_bad, strict_bad;	/* not a boolean: the kernel ignores it */
	char *disabled_by;	/* "intel_iommu=off" etc., NULL if none */
	bool translated;	/* iommu.passthrough=0 or iommu=nopt, last */
	const char *policy;	/* identity, strict, lazy; NULL: build default or unknown */
	char *policy_source;	/* the parameter that decides; "kernel-config"; NULL if unknown */
};

/* Order in which the policies are counted and shown. */
static const enum iommu_policy_type shown_policies[] = {
	IOMMU_POLICY_IDENTITY, IOMMU_POLICY_STRICT, IOMMU_POLICY_LAZY,
	IOMMU_POLICY_BLOCKED, IOMMU_POLICY_UNMANAGED, IOMMU_POLICY_UNKNOWN,
};
#define NPOLICIES ARRAY_SIZE(shown_policies)

/* The policies of the groups. */
struct effective {
	bool groups_dir;	/* /sys/kernel/iommu_groups exists */
	size_t groups;
	size_t count[NPOLICIES];
	const char *type[NPOLICIES];	/* a group's kernel type for each policy */
	int most;		/* index into shown_policies; -1 without groups */
};

struct module_status {
	bool loaded;
	char *version;		/* NULL: unreadable */
	char **features;	/* NULL: unreadable; else NULL-terminated */
	char *uncounted_dma;	/* stats/uncounted_dma; NULL: not given (older module) */
	struct ic_dma_acct acct;	/* stats/dma_accounting and _since */
};

struct status {
	struct unit *units;
	size_t nunits;
	struct boot boot;
	struct effective eff;
	struct module_status mod;
};

void cmd_status_usage(void)
{
	printf("Usage: %s status [OPTIONS]\n"
	       "\n"
	       "Show the IOMMU hardware (units and the groups and devices behind each),\n"
	       "the policy the boot parameters ask for and the policy the groups have, and\n"
	       "whether the iommu_policy module is loaded, with its version and features.\n"
	       "\n"
	       "Options:\n"
	       "  -J, --json          JSON output (every key; see iommuctl(8))\n"
	       "      --sysroot DIR   read sysfs and /proc/cmdline under DIR instead of /\n"
	       "  -h, --help          show this help\n", program_name);
}

/* --- IOMMU units ---------------------------------------------------------------- */

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/*
 * The kind of unit, from the name its driver gives it (drivers/iommu:
 * "dmar%d", "ivhd%d", "smmu3.%pa", "smmu.%pa", the virtio device's name)
 * or, failing that, from the device the class link points into.
 */
static const char *unit_kind(const char *name, const char *target)
{
	if (starts_with(name, "dmar"))
		return "Intel VT-d";
	if (starts_with(name, "ivhd"))
		return "AMD-Vi";
	if (starts_with(name, "smmu3."))
		return "ARM SMMUv3";
	if (starts_with(name, "smmu."))
		return "ARM SMMU";
	if (starts_with(name, "virtio"))
		return "virtio-iommu";
	if (target && (strstr(target, "smmuv3") || strstr(target, "smmu-v3")))
		return "ARM SMMUv3";
	if (target && strstr(target, "smmu"))
		return "ARM SMMU";
	if (target && strstr(target, "virtio"))
		return "virtio-iommu";
	return NULL;
}

/*
 * The device a unit is: the link points to ".../DEVICE/iommu/NAME", or to
 * "devices/virtual/iommu/NAME" for a unit that is no device of its own.
 */
static char *unit_device(const char *target)
{
	const char *end = strstr(target, "/iommu/"), *start;

	if (!end || end == target)
		return NULL;
	start = end;
	while (start > target && start[-1] != '/')
		start--;
	if ((size_t)(end - start) == strlen("virtual") && starts_with(start, "virtual"))
		return NULL;
	if (start == end || !strncmp(start, "..", 2))
		return NULL;
	return xasprintf("%.*s", (int)(end - start), start);
}

/* Read /sys/class/iommu; 0, or -errno when it exists but cannot be read. */
static int load_units(struct status *st)
{
	char *dir = sysfs_path(IOMMU_CLASS_DIR);
	char **names = sysfs_list_dir(dir, &st->nunits);
	int err = errno;

	free(dir);
	if (!names) {
		st->nunits = 0;
		return err == ENOENT ? 0 : -err;
	}
	st->units = xcalloc(st->nunits, sizeof(*st->units));
	for (size_t i = 0; i < st->nunits; i++) {
		struct unit *u = &st->units[i];
		char *link = sysfs_path(IOMMU_CLASS_DIR "/%s", names[i]);
		char target[4096];
		ssize_t len = readlink(link, target, sizeof(target) - 1);

		free(link);
		if (len >= 0)
			target[len] = '\0';
		u->name = names[i];	/* now the unit's */
		u->kind = unit_kind(u->name, len >= 0 ? target : NULL);
		u->device = len >= 0 ? unit_device(target) : NULL;
		u->last_group = -1;
	}
	free(names);
	return 0;
}

static struct unit *find_unit(struct status *st, const char *name)
{
	for (size_t i = 0; i < st->nunits; i++)
		if (!strcmp(st->units[i].name, name))
			return &st->units[i];
	return NULL;
}

/*
 * The groups and devices behind each unit: from each device's "iommu" link
 * where sysfs has them; without any, when there is a single unit, every
 * group is behind it; otherwise unknown.
 */
static void count_units(struct status *st, const struct ic_group_list *list)
{
	bool links = false;

	for (size_t g = 0; g < list->count; g++) {
		const struct ic_group *grp = &list->groups[g];

		for (size_t d = 0; d < grp->ndevices; d++) {
			const char *name = grp->devices[d].iommu;	/* groups_load() read it */
			struct unit *u;

			if (!name)
				continue;
			links = true;
			u = find_unit(st, name);
			if (u) {
				u->devices++;
				if (u->last_group != (long)grp->id) {
					u->groups++;
					u->last_group = grp->id;
				}
			}
		}
	}
	if (links) {
		for (size_t i = 0; i < st->nunits; i++)
			st->units[i].counted_from = "links";
	} else if (st->nunits == 1 && st->eff.groups_dir) {
		struct unit *u = &st->units[0];

		u->counted_from = "only-unit";
		u->groups = list->count;
		for (size_t g = 0; g < list->count; g++)
			u->devices += list->groups[g].ndevices;
	}
}

/* --- boot parameters ------------------------------------------------------------- */

/* The kernel's kstrtobool(): 1 true, 0 false, -1 not a boolean. */
static int parse_bool(const char *s)
{
	if (!s)
		return -1;
	switch (s[0]) {
	case 'y': case 'Y': case 't': case 'T': case '1':
		return 1;
	case 'n': case 'N': case 'f': case 'F': case '0':
		return 0;
	case 'o': case 'O':
		if (s[1] == 'n' || s[1] == 'N')
			return 1;
		if (s[1] == 'f' || s[1] == 'F')
			return 0;
	}
	return -1;
}

/* A parameter's name is the same with '-' for '_' (the kernel's parameq()). */
static bool param_is(const char *param, size_t len, const char *name)
{
	if (len != strlen(name))
		return false;
	for (size_t i = 0; i < len; i++) {
		char a = param[i] == '-' ? '_' : param[i];
		char b = name[i] == '-' ? '_' : name[i];

		if (a != b)
			return false;
	}
	return true;
}

/* Append an option list to *list, comma-separated. */
static void append_options(char **list, const char *value)
{
	char *joined;

	if (!*list) {
		*list = xstrdup(value);
		return;
	}
	joined = xasprintf("%s,%s", *list, value);
	free(*list);
	*list = joined;
}

static void set_value(char **slot, const char *value)
{
	free(*slot);
	*slot = value ? xstrdup(value) : NULL;
}

/* Is word one of the comma-separated options in list? */
static bool has_option(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; p && *p; ) {
		size_t n = strcspn(p, ",");

		if (n == len && !strncmp(p, word, len))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

/*
 * What the parameters imply for the default domain of DMA-API groups, as
 * drivers/iommu/iommu.c decides it: iommu.passthrough= and x86's iommu=pt
 * or nopt (the last wins) choose identity or translated; iommu.strict=
 * chooses strict or lazy, and intel_iommu=strict and amd_iommu=fullflush
 * (deprecated; parsed after the early parameters, so they win) force
 * strict.  Anything not given is the kernel's build default.
 */
static void parse_cmdline(struct boot *b)
{
	const char *pt_source = NULL, *strict_source = NULL;
	char *line = xstrdup(b->cmdline), *p = line;
	int passthrough = -1, strict = -1;
	bool intel_off = false;
	char *disabled = NULL;

	while (*p) {
		char *param, *value, *eq, *w;
		bool quoted = false;

		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		/* One parameter: up to a blank outside double quotes, quotes removed. */
		param = w = p;
		for (; *p && (quoted || (*p != ' ' && *p != '\t' && *p != '\n')); p++) {
			if (*p == '"')
				quoted = !quoted;
			else
				*w++ = *p;
		}
		if (*p)
			p++;
		*w = '\0';
		if (!strcmp(param, "--"))
			break;	/* the rest is init's */
		eq = strchr(param, '=');
		value = eq ? eq + 1 : NULL;

		if (param_is(param, eq ? (size_t)(eq - param) : strlen(param), "iommu.passthrough")) {
			set_value(&b->passthrough, value);
			b->passthrough_bad = parse_bool(value) < 0;
			if (!b->passthrough_bad) {
				passthrough = parse_bool(value);
				pt_source = passthrough ? "iommu.passthrough=1" : "iommu.passthrough=0";
			}
		} else if (param_is(param, eq ? (size_t)(eq - param) : strlen(param), "iommu.strict")) {
			set_value(&b->strict, value);
			b->strict_bad = parse_bool(value) < 0;
			if (!b->strict_bad) {
				strict = parse_bool(value);
				strict_source = strict ? "iommu.strict=1" : "iommu.strict=0";
			}
		} else if (eq && param_is(param, (size_t)(eq - param), "iommu")) {
			append_options(&b->iommu, value);
			for (char *o = value; *o; ) {
				size_t n = strcspn(o, ",");

				/* x86's iommu_setup() compares prefixes: "nopt" before "pt". */
				if (!strncmp(o, "nopt", 4)) {
					passthrough = 0;
					pt_source = "iommu=nopt";
				} else if (!strncmp(o, "pt", 2)) {
					passthrough = 1;
					pt_source = "iommu=pt";
				} else if (n == 3 && !strncmp(o, "off", 3) && !has_option(disabled, "iommu=off")) {
					append_options(&disabled, "iommu=off");
				}
				o += n;
				if (*o == ',')
					o++;
			}
		} else if (eq && param_is(param, (size_t)(eq - param), "intel_iommu")) {
			append_options(&b->intel_iommu, value);
			for (char *o = value; *o; ) {
				size_t n = strcspn(o, ",");

				if (n == 2 && !strncmp(o, "on", 2))
					intel_off = false;
				else if (n == 3 && !strncmp(o, "off", 3))
					intel_off = true;
				o += n;
				if (*o == ',')
					o++;
			}
		} else if (eq && param_is(param, (size_t)(eq - param), "amd_iommu")) {
			append_options(&b->amd_iommu, value);
		}
	}
	free(line);

	if (intel_off)
		append_options(&disabled, "intel_iommu=off");
	if (has_option(b->amd_iommu, "off"))
		append_options(&disabled, "amd_iommu=off");
	b->disabled_by = disabled;
	if (has_option(b->intel_iommu, "strict")) {
		strict = 1;
		strict_source = "intel_iommu=strict";
	} else if (has_option(b->amd_iommu, "fullflush")) {
		strict = 1;
		strict_source = "amd_iommu=fullflush";
	}

	b->translated = passthrough == 0;
	if (passthrough == 1) {
		b->policy = "identity";
		b->policy_source = xstrdup(pt_source);
	} else if (strict >= 0) {
		b->policy = strict ? "strict" : "lazy";
		b->policy_source = xstrdup(strict_source);
	} else {
		b->policy = NULL;
		b->policy_source = xstrdup("kernel-config");
	}
}

static void load_boot(struct boot *b)
{
	char *path = sysfs_path(PROC_CMDLINE);
	char buf[8192];
	int ret = sysfs_read_str(path, buf, sizeof(buf));

	free(path);
	if (ret) {
		b->cmdline_err = -ret;
		return;
	}
	b->cmdline = xstrdup(buf);
	parse_cmdline(b);
}

/* --- groups and the module ------------------------------------------------------- */

static size_t policy_index(enum iommu_policy_type policy)
{
	for (size_t i = 0; i < NPOLICIES; i++)
		if (shown_policies[i] == policy)
			return i;
	return NPOLICIES - 1;	/* auto, or anything new: unknown */
}

/* Count the groups' policies; the most common wins, ties in shown_policies order. */
static void count_policies(struct effective *eff, const struct ic_group_list *list)
{
	eff->groups = list->count;
	eff->most = -1;
	for (size_t g = 0; g < list->count; g++) {
		const struct ic_group *grp = &list->groups[g];
		size_t i = policy_index(grp->policy);

		eff->count[i]++;
		if (!eff->type[i])
			eff->type[i] = grp->kernel_type;
	}
	for (size_t i = 0; i < NPOLICIES; i++)
		if (eff->count[i] && (eff->most < 0 || eff->count[i] > eff->count[eff->most]))
			eff->most = (int)i;
}

static void load_module(struct module_status *mod)
{
	char *path = sysfs_path(IOMMU_POLICY_DIR);
	char buf[4096];
	struct stat sb;
	size_t n = 0;

	mod->loaded = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	free(path);
	if (!mod->loaded)
		return;
	path = sysfs_path(IOMMU_POLICY_DIR "/version");
	if (sysfs_read_str(path, buf, sizeof(buf)) == 0)
		mod->version = xstrdup(buf);
	free(path);
	path = sysfs_path(IOMMU_POLICY_DIR "/features");
	if (sysfs_read_str(path, buf, sizeof(buf)) == 0) {
		mod->features = xcalloc(strlen(buf) / 2 + 2, sizeof(*mod->features));
		for (char *tok = strtok(buf, " \t\n"); tok; tok = strtok(NULL, " \t\n"))
			mod->features[n++] = xstrdup(tok);
		mod->features[n] = NULL;
	}
	free(path);
	path = sysfs_path(IOMMU_POLICY_DIR "/stats/uncounted_dma");
	if (sysfs_read_str(path, buf, sizeof(buf)) == 0)
		mod->uncounted_dma = xstrdup(buf);
	free(path);
	dma_acct_read(&mod->acct);
}

static void status_free(struct status *st)
{
	for (size_t i = 0; i < st->nunits; i++) {
		free(st->units[i].name);
		free(st->units[i].device);
	}
	free(st->units);
	free(st->boot.cmdline);
	free(st->boot.passthrough);
	free(st->boot.strict);
	free(st->boot.iommu);
	free(st->boot.intel_iommu);
	free(st->boot.amd_iommu);
	free(st->boot.disabled_by);
	free(st->boot.policy_source);
	free(st->mod.version);
	if (st->mod.features)
		for (char **f = st->mod.features; *f; f++)
			free(*f);
	free(st->mod.features);
	free(st->mod.uncounted_dma);
}

/* --- output ------------------------------------------------------------------------ */

/*
 * One printer for text and JSON (out.h): each section is a JSON object (the
 * units an array) and a block of "  key:  value" lines whose values say in
 * words what the keys say.
 */
#define KEY_WIDTH 21

static const char *plural(unsigned long long n)
{
	return n == 1 ? "" : "s";
}

static void print_units(struct out *o, const struct status *st)
{
	out_text(o, "IOMMU hardware:\n");
	if (!st->nunits)
		out_kv(o, KEY_WIDTH, "units", "none: the kernel registered no IOMMU (%s is empty or "
		       "missing; enable VT-d/AMD-Vi in the firmware)", IOMMU_CLASS_DIR);
	out_open_array(o, "iommus");
	for (size_t i = 0; i < st->nunits; i++) {
		const struct unit *u = &st->units[i];
		const char *kind = u->kind ? u->kind : "unknown kind";
		char where[300] = "";

		out_open_object(o, NULL);
		out_string(o, OUT_JSON, "name", NULL, u->name);
		out_string(o, OUT_JSON, "kind", NULL, u->kind);
		out_string(o, OUT_JSON, "device", NULL, u->device);
		if (u->counted_from) {
			out_uint(o, OUT_JSON, "groups", NULL, u->groups);
			out_uint(o, OUT_JSON, "devices", NULL, u->devices);
		} else {
			out_null(o, "groups");
			out_null(o, "devices");
		}
		out_string(o, OUT_JSON, "counted_from", NULL, u->counted_from);
		out_close_object(o);

		if (u->device)
			snprintf(where, sizeof(where), " at %s", u->device);
		if (!u->counted_from)
			out_kv(o, KEY_WIDTH, u->name, "%s%s, groups and devices behind it unknown "
			       "(sysfs has no 'iommu' links of devices)", kind, where);
		else
			out_kv(o, KEY_WIDTH, u->name, "%s%s, %zu group%s, %zu device%s%s", kind, where,
			       u->groups, plural(u->groups), u->devices, plural(u->devices),
			       !strcmp(u->counted_from, "only-unit") ?
			       " (all: the only IOMMU unit)" : "");
	}
	out_close_array(o);
}

/* A parameter as given ("-" in text when absent), text only when the command line was read. */
static void print_param(struct out *o, const struct boot *b, const char *label, const char *key,
			const char *value, bool bad)
{
	out_string(o, OUT_JSON, key, NULL, value);
	if (!b->cmdline)
		return;
	out_kv(o, KEY_WIDTH, label, "%s%s", value ? value : "-",
	       value && bad ? " (not a boolean: the kernel ignores it)" : "");
}

static void print_boot(struct out *o, const struct boot *b)
{
	out_text(o, "Boot defaults:\n");
	out_open_object(o, "boot");
	out_string(o, OUT_JSON, "cmdline", NULL, b->cmdline);
	if (!b->cmdline)
		out_kv(o, KEY_WIDTH, "command line", "unknown (cannot read %s: %s)", PROC_CMDLINE,
		       strerror(b->cmdline_err));
	print_param(o, b, "iommu.passthrough", "iommu_passthrough", b->passthrough,
		    b->passthrough_bad);
	print_param(o, b, "iommu.strict", "iommu_strict", b->strict, b->strict_bad);
	print_param(o, b, "iommu", "iommu", b->iommu, false);
	print_param(o, b, "intel_iommu", "intel_iommu", b->intel_iommu, false);
	print_param(o, b, "amd_iommu", "amd_iommu", b->amd_iommu, false);
	out_string(o, OUT_JSON, "disabled_by", NULL, b->disabled_by);
	if (b->disabled_by)
		out_kv(o, KEY_WIDTH, "disabled by", "%s", b->disabled_by);
	out_string(o, OUT_JSON, "default_policy", NULL, b->policy);
	out_string(o, OUT_JSON, "default_policy_source", NULL, b->policy_source);
	if (!b->cmdline)
		out_kv(o, KEY_WIDTH, "default policy", "unknown");
	else if (b->policy)
		out_kv(o, KEY_WIDTH, "default policy", "%s (%s)", b->policy, b->policy_source);
	else if (b->translated)
		out_kv(o, KEY_WIDTH, "default policy", "translated, strict or lazy by the kernel's "
		       "build default (CONFIG_IOMMU_DEFAULT_DMA_*)");
	else
		out_kv(o, KEY_WIDTH, "default policy",
		       "the kernel's build default (CONFIG_IOMMU_DEFAULT_*)");
	out_close_object(o);
}

static void print_effective(struct out *o, const struct effective *eff)
{
	const char *most = eff->most < 0 ? NULL : policy_name(shown_policies[eff->most]);
	const char *type = eff->most < 0 ? NULL : eff->type[eff->most];
	char counts[256] = "", with_type[160] = "";
	size_t len = 0;

	out_text(o, "Policy in effect:\n");
	out_open_object(o, "effective");
	out_uint(o, OUT_JSON, "groups", NULL, eff->groups);
	out_string(o, OUT_JSON, "policy", NULL, most);
	out_string(o, OUT_JSON, "type", NULL, type);
	out_open_object(o, "policy_groups");
	for (size_t i = 0; i < NPOLICIES; i++) {
		out_uint(o, OUT_JSON, policy_name(shown_policies[i]), NULL, eff->count[i]);
		if (eff->count[i] && len < sizeof(counts))
			len += snprintf(counts + len, sizeof(counts) - len, "%s%s %zu",
					len ? ", " : "", policy_name(shown_policies[i]), eff->count[i]);
	}
	out_close_object(o);
	out_close_object(o);

	if (!eff->groups_dir) {
		out_kv(o, KEY_WIDTH, "policy", "none: no IOMMU groups (%s does not exist; boot with "
		       "intel_iommu=on or amd_iommu=on)", IOMMU_GROUPS_DIR);
		return;
	}
	if (!most) {
		out_kv(o, KEY_WIDTH, "policy",
		       "none: no IOMMU groups (no device is behind an enabled IOMMU)");
		return;
	}
	if (type)
		snprintf(with_type, sizeof(with_type), " (%s)", type);
	out_kv(o, KEY_WIDTH, "policy", "%s%s in %zu of %zu group%s", most, with_type,
	       eff->count[eff->most], eff->groups, plural(eff->groups));
	out_kv(o, KEY_WIDTH, "groups", "%s", counts);
}

/* What the kernel lets the DMA counters see (stats/uncounted_dma), in words. */
static void print_uncounted(struct out *o, const char *uncounted)
{
	out_string(o, OUT_JSON, "uncounted_dma", NULL, uncounted);
	if (!uncounted)
		return;
	if (!strcmp(uncounted, "dma-api"))
		out_kv(o, KEY_WIDTH, "dma counters", "IOMMU maps module-wide only: this kernel has no DMA-API tracepoints, so no per-device counts");
	else if (!strcmp(uncounted, "iova-link"))
		out_kv(o, KEY_WIDTH, "dma counters", "per device and group, except DMA mapped through the IOVA-link API (dma_iova_link(), used by NVMe), which this kernel does not trace");
	else if (!*uncounted)
		out_kv(o, KEY_WIDTH, "dma counters", "per device and group");
	else
		out_kv(o, KEY_WIDTH, "dma counters", "per device and group; not counted: %s",
		       uncounted);
}

static void print_module(struct out *o, const struct module_status *mod)
{
	const struct ic_dma_acct *acct = &mod->acct;
	const char *since;
	char when[48];

	out_text(o, "Module iommu_policy:\n");
	out_open_object(o, "module");
	out_bool(o, OUT_JSON, "loaded", NULL, mod->loaded);
	out_kv(o, KEY_WIDTH, "loaded", "%s", mod->loaded ? "yes" : "no");
	if (!mod->loaded)
		out_kv(o, KEY_WIDTH, "needed for", MODULE_FEATURES_HINT);
	out_string(o, OUT_JSON, "version", NULL, mod->version);
	if (mod->loaded)
		out_kv(o, KEY_WIDTH, "version", "%s", mod->version ? mod->version : "unknown");
	if (mod->features) {
		char *all = xstrdup("");

		out_open_array(o, "features");
		for (char **f = mod->features; *f; f++) {
			char *more = xasprintf("%s%s%s", all, *all ? " " : "", *f);

			out_string(o, OUT_JSON, NULL, NULL, *f);
			free(all);
			all = more;
		}
		out_close_array(o);
		out_kv(o, KEY_WIDTH, "features", "%s", *all ? all : "none");
		free(all);
	} else {
		out_null(o, "features");
		if (mod->loaded)
			out_kv(o, KEY_WIDTH, "features", "unknown");
	}
	print_uncounted(o, mod->uncounted_dma);
	since = dma_acct_since_iso(acct, when, sizeof(when));
	out_string(o, OUT_JSON, "dma_accounting", NULL, acct->known ? acct->state : NULL);
	out_string(o, OUT_JSON, "dma_accounting_since", NULL, since);
	out_string(o, OUT_JSON, "dma_accounting_since_epoch", NULL,
		   acct->known ? acct->since : NULL);
	if (acct->known && acct->enabled)
		out_kv(o, KEY_WIDTH, "dma accounting", "%s, since %s", acct->state,
		       since ? since : acct->since);
	else if (acct->known)
		out_kv(o, KEY_WIDTH, "dma accounting", "off: the DMA counters count only while wanted ('iommuctl watch' as root, or dma_accounting = yes in iommuctl.conf)");
	out_close_object(o);
}

static void print_status(const struct status *st, bool json)
{
	struct json j;
	struct out o;

	if (json) {
		json_init(&j, stdout);
		out_init_json(&o, &j);
		json_open_object(&j, NULL);
	} else {
		out_init_text(&o, stdout);
	}
	print_units(&o, st);
	print_boot(&o, &st->boot);
	print_effective(&o, &st->eff);
	print_module(&o, &st->mod);
	if (json) {
		json_close_object(&j);
		json_finish(&j);
	}
}

/* --- the command -------------------------------------------------------------------- */

int cmd_status(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "json", no_argument, NULL, 'J' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct status st = { 0 };
	struct ic_group_list list = { 0 };
	bool json = false;
	struct stat sb;
	char *sys;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "Jh", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'J':
			json = true;
			break;
		case 'h':
			cmd_status_usage();
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s help status'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind < argc) {
		warnx_("status: unexpected argument '%s' (see '%s help status')",
		       argv[optind], program_name);
		return EXIT_USAGE;
	}

	sys = sysfs_path("/sys");
	if (stat(sys, &sb) || !S_ISDIR(sb.st_mode)) {
		if (*sysfs_root())
			warnx_("status: %s is not a directory: --sysroot %s must hold a sysfs tree "
			       "(sys/, and proc/cmdline if the boot parameters are wanted)",
			       sys, sysfs_root());
		else
			warnx_("status: /sys is not a directory: sysfs is not mounted "
			       "(mount -t sysfs sysfs /sys)");
		free(sys);
		return EXIT_FAILURE;
	}
	free(sys);

	ret = load_units(&st);
	if (ret) {
		warnx_("status: cannot read %s%s: %s (run as a user who may read sysfs)",
		       sysfs_root(), IOMMU_CLASS_DIR, strerror(-ret));
		return EXIT_FAILURE;
	}
	ret = groups_load(&list);
	if (ret && ret != -ENOENT) {
		warnx_("status: cannot read %s%s: %s (run as a user who may read sysfs)",
		       sysfs_root(), IOMMU_GROUPS_DIR, strerror(-ret));
		status_free(&st);
		names_close();
		return EXIT_FAILURE;
	}
	st.eff.groups_dir = ret == 0;
	count_policies(&st.eff, &list);
	count_units(&st, &list);
	load_boot(&st.boot);
	load_module(&st.mod);

	print_status(&st, json);

	groups_free(&list);
	names_close();
	status_free(&st);
	return EXIT_SUCCESS;
}
