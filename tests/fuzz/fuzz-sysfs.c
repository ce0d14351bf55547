// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: reading sysfs (tool/sysfs.c, tool/groups.c) from a tree
 * the input describes, and optionally one read-only command over it.
 *
 * The tree is a small sysroot like the recorded ones: two IOMMU groups with
 * up to two PCI devices each, the iommu_policy module's directory, IOMMU
 * units in /sys/class/iommu and /proc/cmdline.  Every file, link target and
 * name has a default (a q35 guest's); each input line "KEY VALUE" changes
 * one, "!KEY" removes the file (or leaves the group, device or module out):
 *
 *   module | iommu0 | iommu1 | version | features | cmdline | stats.COUNTER
 *   gN | gN.type | gN.reserved_regions | gN.module | gN.owner | gN.mandatory
 *   gN.last_error | gN.policy | gN.stats.COUNTER                 (N: 0, 1)
 *   gN.dM | gN.dM.uevent | gN.dM.vendor | gN.dM.device | gN.dM.class
 *   gN.dM.subsystem_vendor | gN.dM.subsystem_device | gN.dM.removable
 *   gN.dM.driver@ | gN.dM.iommu@ | iommu0@ | iommu1@             (M: 0, 1)
 *   cmd ARGS       run iommuctl --sysroot TREE ARGS after loading: list,
 *                  show, stats or status (apply and set with --dry-run)
 *
 * gN, gN.dM and iommuN are names (of the group's directory, the device, the
 * IOMMU unit); KEY@ is a symlink's target; VALUE takes C escapes (\n, \t,
 * \\, \xHH).  A NUL ends a value; a '/' in a name becomes '_'.
 *
 * One directory serves every input: the tree of the last input is kept in
 * memory and only what differs is written, renamed or removed.
 *
 * Beyond crashes, leaks and UB, groups_load()'s results are checked (sorted,
 * every device found again by its name), and the
 * output of a JSON command must be valid JSON (fuzz-cli.c).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-cli.h"
#include "fuzz-common.h"
#include "groups.h"
#include "names.h"
#include "sysfs.h"

/* --- the slots ------------------------------------------------------------------------ */

enum kind { FILE_SLOT, LINK_SLOT, NAME_SLOT, FLAG_SLOT };

struct slot {
	char key[40];
	enum kind kind;
	char *value;
	size_t len;
	bool absent;
};

static const char *const counters[] = {
	"faults", "faults_read", "faults_write", "faults_unattributed", "dma_maps", "dma_unmaps",
	"dma_bytes_mapped", "dma_bytes_unmapped", "last_fault_time", "last_fault_device",
	"last_fault_iova",
};

/* Defaults: the edu device alone in group 1, the ICH9 functions in group 3 (DMA). */
static const struct {
	const char *key;
	enum kind kind;
	const char *value;
} defaults[] = {
	{ "module", FLAG_SLOT, "1" },
	{ "version", FILE_SLOT, "0.1.0\n" },
	{ "features", FILE_SLOT, "claim quarantine set-policy multi-device-change dma-per-device\n" },
	{ "cmdline", FILE_SLOT, "console=ttyS0 intel_iommu=on iommu.strict=0\n" },
	{ "iommu0", NAME_SLOT, "dmar0" },
	{ "iommu0@", LINK_SLOT, "../../devices/virtual/iommu/dmar0" },
	{ "iommu1", NAME_SLOT, "" },
	{ "iommu1@", LINK_SLOT, "../../devices/virtual/iommu/dmar1" },
	{ "g0", NAME_SLOT, "1" },
	{ "g0.type", FILE_SLOT, "DMA-FQ\n" },
	{ "g0.reserved_regions", FILE_SLOT, "0x00000000fee00000 0x00000000feefffff msi\n" },
	{ "g0.module", FLAG_SLOT, "1" },
	{ "g0.owner", FILE_SLOT, "quarantined pid=212 comm=ipol-test since=1763730421\n" },
	{ "g0.mandatory", FILE_SLOT, "none\n" },
	{ "g0.last_error", FILE_SLOT, "none\n" },
	{ "g0.policy", FILE_SLOT, "lazy\n" },
	{ "g0.d0", NAME_SLOT, "0000:00:01.0" },
	{ "g0.d0.uevent", FILE_SLOT,
	  "PCI_CLASS=FF00\nPCI_ID=1234:11E8\nPCI_SUBSYS_ID=1AF4:1100\nPCI_SLOT_NAME=0000:00:01.0\n"
	  "MODALIAS=pci:v00001234d000011E8sv00001AF4sd00001100bcFFsc00i00\n" },
	{ "g0.d0.iommu@", LINK_SLOT, "../../virtual/iommu/dmar0" },
	{ "g0.d0.removable", FILE_SLOT, "fixed\n" },
	{ "g0.d1", NAME_SLOT, "" },
	{ "g1", NAME_SLOT, "3" },
	{ "g1.type", FILE_SLOT, "DMA\n" },
	{ "g1.module", FLAG_SLOT, "1" },
	{ "g1.owner", FILE_SLOT, "dma-api lpc_ich,ahci\n" },
	{ "g1.mandatory", FILE_SLOT, "none\n" },
	{ "g1.last_error", FILE_SLOT, "not permitted: 0000:00:1f.2 is bound to ahci (unbind it first)\n" },
	{ "g1.policy", FILE_SLOT, "strict\n" },
	{ "g1.d0", NAME_SLOT, "0000:00:1f.0" },
	{ "g1.d0.vendor", FILE_SLOT, "0x8086\n" },
	{ "g1.d0.device", FILE_SLOT, "0x2918\n" },
	{ "g1.d0.class", FILE_SLOT, "0x060100\n" },
	{ "g1.d0.subsystem_vendor", FILE_SLOT, "0x1af4\n" },
	{ "g1.d0.subsystem_device", FILE_SLOT, "0x1100\n" },
	{ "g1.d0.driver@", LINK_SLOT, "../../../bus/pci/drivers/lpc_ich" },
	{ "g1.d0.iommu@", LINK_SLOT, "../../virtual/iommu/dmar0" },
	{ "g1.d1", NAME_SLOT, "0000:00:1f.2" },
	{ "g1.d1.uevent", FILE_SLOT,
	  "DRIVER=ahci\nPCI_CLASS=10601\nPCI_ID=8086:2922\nPCI_SUBSYS_ID=1AF4:1100\n"
	  "PCI_SLOT_NAME=0000:00:1f.2\n" },
	{ "g1.d1.driver@", LINK_SLOT, "../../../bus/pci/drivers/ahci" },
	{ "g1.d1.iommu@", LINK_SLOT, "../../virtual/iommu/dmar0" },
	{ "g1.d1.removable", FILE_SLOT, "removable\n" },
};

#define MAX_SLOTS 160
static struct slot slots[MAX_SLOTS];
static size_t nslots;

static void add_slot(const char *key, enum kind kind, const char *value)
{
	struct slot *s = &slots[nslots++];

	if (nslots > MAX_SLOTS)
		abort();
	snprintf(s->key, sizeof(s->key), "%s", key);
	s->kind = kind;
	s->value = strdup(value ? value : "");
	s->len = strlen(s->value);
	s->absent = value == NULL;
}

static struct slot *find_slot(const char *key, size_t len)
{
	for (size_t i = 0; i < nslots; i++)
		if (strlen(slots[i].key) == len && !memcmp(slots[i].key, key, len))
			return &slots[i];
	return NULL;
}

/* Every slot, with its default (NULL: absent unless the input gives it). */
static void init_slots(void)
{
	char key[40];

	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		add_slot(defaults[i].key, defaults[i].kind, defaults[i].value);
	for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
		snprintf(key, sizeof(key), "stats.%s", counters[c]);
		add_slot(key, FILE_SLOT, c < 8 ? "42\n" : NULL);
		for (int g = 0; g < 2; g++) {
			snprintf(key, sizeof(key), "g%d.stats.%s", g, counters[c]);
			add_slot(key, FILE_SLOT, c < 3 ? "7\n" : NULL);
		}
	}
	/* The files a device may have that the defaults leave out. */
	for (int g = 0; g < 2; g++) {
		static const char *const dev_files[] = {
			"uevent", "vendor", "device", "class", "subsystem_vendor", "subsystem_device",
			"removable", "driver@", "iommu@",
		};
		static const char *const grp_files[] = {
			"type", "reserved_regions", "owner", "mandatory", "last_error", "policy",
		};

		for (size_t f = 0; f < sizeof(grp_files) / sizeof(grp_files[0]); f++) {
			snprintf(key, sizeof(key), "g%d.%s", g, grp_files[f]);
			if (!find_slot(key, strlen(key)))
				add_slot(key, FILE_SLOT, NULL);
		}
		for (int d = 0; d < 2; d++) {
			for (size_t f = 0; f < sizeof(dev_files) / sizeof(dev_files[0]); f++) {
				snprintf(key, sizeof(key), "g%d.d%d.%s", g, d, dev_files[f]);
				if (!find_slot(key, strlen(key)))
					add_slot(key, strchr(dev_files[f], '@') ? LINK_SLOT : FILE_SLOT,
						 NULL);
			}
		}
	}
}

static struct slot defaults_copy[MAX_SLOTS];

static void reset_slots(void)
{
	for (size_t i = 0; i < nslots; i++) {
		free(slots[i].value);
		slots[i] = defaults_copy[i];
		slots[i].value = malloc(defaults_copy[i].len + 1);
		if (!slots[i].value)
			abort();
		memcpy(slots[i].value, defaults_copy[i].value, defaults_copy[i].len + 1);
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* VALUE with its escapes undone, into the slot; a NUL ends it. */
static void set_value(struct slot *s, const char *v, size_t len)
{
	size_t n = 0;

	free(s->value);
	s->value = malloc(len + 1);
	if (!s->value)
		abort();
	for (size_t i = 0; i < len; i++) {
		char c = v[i];

		if (c == '\\' && i + 1 < len) {
			char e = v[++i];

			if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == 'x' && i + 2 < len && hexval(v[i + 1]) >= 0 && hexval(v[i + 2]) >= 0) {
				c = (char)(hexval(v[i + 1]) << 4 | hexval(v[i + 2]));
				i += 2;
			} else {
				c = e;
			}
		}
		if (!c)
			break;
		s->value[n++] = c;
	}
	s->value[n] = '\0';
	s->len = n;
	s->absent = false;
}

static const char *value(const char *key)
{
	struct slot *s = find_slot(key, strlen(key));

	return s && !s->absent ? s->value : NULL;
}

/* --- the tree in memory ------------------------------------------------------------------ */

enum ekind { E_DIR, E_FILE, E_LINK };

struct entry {
	char *path;		/* relative to the root */
	enum ekind kind;
	char *data;
	size_t len;
	size_t seq;		/* the order given: of one path, the last wins */
};

struct tree {
	struct entry *e;
	size_t n, cap;
};

static const char *root;
static struct tree current;	/* what is on disk */

static void tree_add(struct tree *t, const char *path, enum ekind kind, const char *data, size_t len)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 128;
		t->e = realloc(t->e, t->cap * sizeof(*t->e));
		if (!t->e)
			abort();
	}
	t->e[t->n].path = strdup(path);
	t->e[t->n].kind = kind;
	t->e[t->n].data = malloc(len + 1);
	if (!t->e[t->n].path || !t->e[t->n].data)
		abort();
	memcpy(t->e[t->n].data, data, len);
	t->e[t->n].data[len] = '\0';
	t->e[t->n].len = len;
	t->e[t->n].seq = t->n;
	t->n++;
}

/* A path and the directories above it. */
static void tree_add_path(struct tree *t, const char *path, enum ekind kind, const char *data,
			  size_t len)
{
	char *p = strdup(path);

	if (!p)
		abort();
	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		tree_add(t, p, E_DIR, "", 0);
		*s = '/';
	}
	free(p);
	tree_add(t, path, kind, data, len);
}

static void tree_free(struct tree *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->e[i].path);
		free(t->e[i].data);
	}
	free(t->e);
	memset(t, 0, sizeof(*t));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->path, y->path);

	return c ? c : (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/* Sorted by path, each path once (the last given wins). */
static void tree_sort(struct tree *t)
{
	size_t out = 0;

	qsort(t->e, t->n, sizeof(*t->e), entry_cmp);
	for (size_t i = 0; i < t->n; i++) {
		if (i + 1 < t->n && !strcmp(t->e[i].path, t->e[i + 1].path)) {
			/* A directory and something else of one path: keep the directory. */
			if (t->e[i].kind == E_DIR) {
				free(t->e[i + 1].path);
				free(t->e[i + 1].data);
				t->e[i + 1] = t->e[i];
			} else {
				free(t->e[i].path);
				free(t->e[i].data);
			}
			continue;
		}
		t->e[out++] = t->e[i];
	}
	t->n = out;
}

static const struct entry *tree_find(const struct tree *t, const char *path)
{
	struct entry key = { .path = (char *)path };
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(key.path, t->e[mid].path);

		if (!c)
			return &t->e[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* A name slot as a single path component; NULL when absent or empty. */
static const char *name_of(const char *key, char *buf, size_t size)
{
	const char *v = value(key);

	if (!v || !*v)
		return NULL;
	snprintf(buf, size, "%s%s", !strcmp(v, ".") || !strcmp(v, "..") ? "x" : "", v);
	for (char *p = buf; *p; p++)
		if (*p == '/')
			*p = '_';
	return buf;
}

static void add_file(struct tree *t, const char *path, const char *key)
{
	struct slot *s = find_slot(key, strlen(key));

	/* A link needs a target: an empty one is no link. */
	if (s && !s->absent && (s->kind != LINK_SLOT || s->len))
		tree_add_path(t, path, s->kind == LINK_SLOT ? E_LINK : E_FILE, s->value, s->len);
}

static bool flag(const char *key)
{
	const char *v = value(key);

	return v && strcmp(v, "0") != 0;
}

static void build(struct tree *t)
{
	static const char *const dev_files[] = {
		"uevent", "vendor", "device", "class", "subsystem_vendor", "subsystem_device", "removable",
	};
	char path[1024], key[64], gname[256], dname[256], iname[256];
	bool module = flag("module");

	tree_add_path(t, "sys/kernel/iommu_groups", E_DIR, "", 0);
	tree_add_path(t, "sys/bus/pci/devices", E_DIR, "", 0);
	add_file(t, "proc/cmdline", "cmdline");
	for (int i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "iommu%d", i);
		if (!name_of(key, iname, sizeof(iname)))
			continue;
		snprintf(path, sizeof(path), "sys/class/iommu/%s", iname);
		snprintf(key, sizeof(key), "iommu%d@", i);
		add_file(t, path, key);
	}
	if (module) {
		tree_add_path(t, "sys/kernel/iommu_policy/groups", E_DIR, "", 0);
		add_file(t, "sys/kernel/iommu_policy/version", "version");
		add_file(t, "sys/kernel/iommu_policy/features", "features");
		for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
			snprintf(path, sizeof(path), "sys/kernel/iommu_policy/stats/%s", counters[c]);
			snprintf(key, sizeof(key), "stats.%s", counters[c]);
			add_file(t, path, key);
		}
	}
	for (int g = 0; g < 2; g++) {
		static const char *const mod_files[] = { "owner", "mandatory", "last_error", "policy" };

		snprintf(key, sizeof(key), "g%d", g);
		if (!name_of(key, gname, sizeof(gname)))
			continue;
		snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/devices", gname);
		tree_add_path(t, path, E_DIR, "", 0);
		snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/type", gname);
		snprintf(key, sizeof(key), "g%d.type", g);
		add_file(t, path, key);
		snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/reserved_regions", gname);
		snprintf(key, sizeof(key), "g%d.reserved_regions", g);
		add_file(t, path, key);
		snprintf(key, sizeof(key), "g%d.module", g);
		if (module && flag(key)) {
			for (size_t f = 0; f < sizeof(mod_files) / sizeof(mod_files[0]); f++) {
				snprintf(path, sizeof(path), "sys/kernel/iommu_policy/groups/%s/%s", gname,
					 mod_files[f]);
				snprintf(key, sizeof(key), "g%d.%s", g, mod_files[f]);
				add_file(t, path, key);
			}
			for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
				snprintf(path, sizeof(path), "sys/kernel/iommu_policy/groups/%s/stats/%s",
					 gname, counters[c]);
				snprintf(key, sizeof(key), "g%d.stats.%s", g, counters[c]);
				add_file(t, path, key);
			}
		}
		for (int d = 0; d < 2; d++) {
			char target[512];

			snprintf(key, sizeof(key), "g%d.d%d", g, d);
			if (!name_of(key, dname, sizeof(dname)))
				continue;
			/* As in sysfs: the group's entry and the bus's are links to the device. */
			snprintf(path, sizeof(path), "sys/kernel/iommu_groups/%s/devices/%s", gname, dname);
			snprintf(target, sizeof(target), "../../../../devices/pci0000:00/%s", dname);
			tree_add_path(t, path, E_LINK, target, strlen(target));
			snprintf(path, sizeof(path), "sys/bus/pci/devices/%s", dname);
			snprintf(target, sizeof(target), "../../../devices/pci0000:00/%s", dname);
			tree_add_path(t, path, E_LINK, target, strlen(target));
			snprintf(path, sizeof(path), "sys/devices/pci0000:00/%s", dname);
			tree_add_path(t, path, E_DIR, "", 0);
			for (size_t f = 0; f < sizeof(dev_files) / sizeof(dev_files[0]); f++) {
				snprintf(path, sizeof(path), "sys/devices/pci0000:00/%s/%s", dname, dev_files[f]);
				snprintf(key, sizeof(key), "g%d.d%d.%s", g, d, dev_files[f]);
				add_file(t, path, key);
			}
			snprintf(path, sizeof(path), "sys/devices/pci0000:00/%s/driver", dname);
			snprintf(key, sizeof(key), "g%d.d%d.driver@", g, d);
			add_file(t, path, key);
			snprintf(path, sizeof(path), "sys/devices/pci0000:00/%s/iommu", dname);
			snprintf(key, sizeof(key), "g%d.d%d.iommu@", g, d);
			add_file(t, path, key);
		}
	}
	tree_sort(t);
}

/* --- on disk ------------------------------------------------------------------------------ */

static bool same(const struct entry *a, const struct entry *b)
{
	return a && b && a->kind == b->kind && a->len == b->len && !memcmp(a->data, b->data, a->len);
}

static bool create(const struct entry *e)
{
	char path[2048];

	snprintf(path, sizeof(path), "%s/%s", root, e->path);
	switch (e->kind) {
	case E_DIR:
		return mkdir(path, 0755) == 0 || errno == EEXIST;
	case E_FILE:
		fuzz_write_file(path, e->data, e->len);
		return true;
	case E_LINK:
		unlink(path);
		return symlink(e->data, path) == 0;
	}
	return false;
}

/* Make the disk hold want, from what current says is there; false if that failed. */
static bool apply(const struct tree *want)
{
	char path[2048];

	/* Deepest first: what goes, or changes kind. */
	for (size_t i = current.n; i-- > 0;) {
		const struct entry *e = &current.e[i], *w = tree_find(want, e->path);

		if (w && (w->kind == e->kind || (w->kind != E_DIR && e->kind != E_DIR)))
			continue;
		snprintf(path, sizeof(path), "%s/%s", root, e->path);
		fuzz_remove(path);
	}
	for (size_t i = 0; i < want->n; i++) {
		const struct entry *w = &want->e[i], *e = tree_find(&current, w->path);

		if (same(w, e))
			continue;
		if (e && e->kind != w->kind) {
			snprintf(path, sizeof(path), "%s/%s", root, w->path);
			fuzz_remove(path);
		}
		if (!create(w))
			return false;
	}
	return true;
}

static void write_tree(struct tree *want)
{
	if (!apply(want)) {
		/* Start over: an empty root, everything written. */
		char *p;

		fuzz_remove(root);
		if (mkdir(root, 0755))
			fuzz_fail("mkdir %s: %s", root, strerror(errno));
		tree_free(&current);
		for (size_t i = 0; i < want->n; i++) {
			if (!create(&want->e[i])) {
				if (asprintf(&p, "%s/%s", root, want->e[i].path) < 0)
					abort();
				fuzz_fail("cannot create %s: %s", p, strerror(errno));
			}
		}
	}
	tree_free(&current);
	current = *want;
	memset(want, 0, sizeof(*want));
}

/* --- the checks ------------------------------------------------------------------------------ */

/* A word list and show print (an empty type file gives an empty policy: so be it). */
static void check_word(const char *s, const char *what)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
}

static void check_groups(struct ic_group_list *list)
{
	for (size_t i = 0; i < list->count; i++) {
		struct ic_group *grp = &list->groups[i];
		bool inferred;

		if (i)
			FUZZ_CHECK(list->groups[i - 1].id <= grp->id, "groups out of order: %u before %u",
				   list->groups[i - 1].id, grp->id);
		FUZZ_CHECK(grp->id <= 0x7fffffff, "group id %u", grp->id);
		FUZZ_CHECK(grp->kernel_type || grp->ndevices, "group %u: neither a type nor devices",
			   grp->id);
		FUZZ_CHECK(groups_find(list, grp->id) && groups_find(list, grp->id)->id == grp->id,
			   "group %u not found by its id", grp->id);
		FUZZ_CHECK(!grp->module || grp->mod.owner, "group %u: mirrored without an owner", grp->id);
		check_word(group_owner(grp, &inferred), "the owner");
		FUZZ_CHECK(inferred == !(grp->module && grp->mod.owner), "group %u: owner inferred %d",
			   grp->id, inferred);
		check_word(group_policy_word(grp), "the policy");
		for (size_t d = 0; d < grp->ndevices; d++) {
			const struct ic_device *dev = &grp->devices[d], *found = NULL;
			struct ic_group *g;

			FUZZ_CHECK(dev->name && *dev->name, "group %u: a device without a name", grp->id);
			FUZZ_CHECK(!dev->driver || *dev->driver, "device %s: an empty driver", dev->name);
			/* The first of that name ("00:1f.2" is also "0000:00:1f.2"'s). */
			g = groups_find_device(list, dev->name, &found);
			FUZZ_CHECK(g && found, "device %s not found by its name", dev->name);
			FUZZ_CHECK(group_device(grp, dev->name), "device %s not in its group", dev->name);
		}
	}
}

/* "cmd ARGS": a read-only command over the tree; its JSON, if asked for, must parse. */
static void run_command(const char *args)
{
	static const char *const commands[] = { "list", "show", "stats", "status", "set", "apply" };
	char *copy = strdup(args), *argv[40], *save = NULL;
	int argc = 0, json = 0;
	bool known = false, help = false;

	if (!copy)
		abort();
	argv[argc++] = "iommuctl";
	argv[argc++] = "--sysroot";
	argv[argc++] = (char *)root;
	for (char *a = strtok_r(copy, " ", &save); a && argc < 36; a = strtok_r(NULL, " ", &save)) {
		size_t len = strcspn(a, "=");

		/* Paths and another sysroot are the argv target's business. */
		if (strchr(a, '/') || (len >= 3 && !strncmp(a, "--sysroot", len) && len <= 9))
			goto out;
		if (argc == 3) {
			for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
				known |= !strcmp(a, commands[i]);
			if (!known)
				goto out;
		}
		argv[argc++] = a;
		if (argc == 4 && (!strcmp(a, "set") || !strcmp(a, "apply")))
			argv[argc++] = "--dry-run";
		if (!strcmp(a, "-J") || !strcmp(a, "--json") || !strcmp(a, "--format=json") ||
		    (!strcmp(a, "json") && !strcmp(argv[argc - 2], "--format")))
			json = 1;
		/* Help is text, whatever else is asked for. */
		if (!strncmp(a, "--h", 3) || (a[0] == '-' && a[1] != '-' && strchr(a, 'h')))
			help = true;
	}
	if (!known)
		goto out;
	argv[argc] = NULL;
	{
		const char *out;
		size_t len;
		fuzz_cli_run(argc, argv, 0, &out, &len);
		/* Errors go to stderr: whatever is on stdout is JSON. */
		if (json && !help && len)
			fuzz_json_check(out, len);
	}
out:
	free(copy);
}

/* --- the target ------------------------------------------------------------------------------ */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	root = fuzz_scratch_dir("sysfs");
	init_slots();
	memcpy(defaults_copy, slots, sizeof(slots));
	for (size_t i = 0; i < nslots; i++) {
		defaults_copy[i].value = strdup(slots[i].value);
		if (!defaults_copy[i].value)
			abort();
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *cmd = NULL;
	size_t cmd_len = 0;
	struct ic_group_list list;
	struct tree want = { 0 };
	char *cmd_copy = NULL;
	int ret;

	reset_slots();
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *sp;
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
		bool remove = len && p[0] == '!';
		struct slot *s;

		sp = memchr(p, ' ', len);
		if (!remove && sp && (size_t)(sp - p) == 3 && !memcmp(p, "cmd", 3)) {
			cmd = sp + 1;
			cmd_len = len - 4;
		} else if (remove) {
			s = find_slot(p + 1, len - 1);
			if (s)
				s->absent = true;
		} else {
			s = find_slot(p, sp ? (size_t)(sp - p) : len);
			if (s)
				set_value(s, sp ? sp + 1 : p + len, sp ? len - (size_t)(sp + 1 - p) : 0);
		}
		p += len + 1;
	}

	build(&want);
	write_tree(&want);

	sysfs_set_root(root);
	ret = groups_load(&list);
	FUZZ_CHECK(ret == 0, "groups_load() failed: %s", strerror(-ret));
	FUZZ_CHECK(list.module == flag("module"), "module %d", list.module);
	check_groups(&list);
	groups_free(&list);
	names_close();
	sysfs_set_root(NULL);

	if (cmd) {
		cmd_copy = strndup(cmd, cmd_len);
		if (!cmd_copy)
			abort();
		run_command(cmd_copy);
		free(cmd_copy);
	}
	return 0;
}
