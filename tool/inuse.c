// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * What would hurt if a device lost its driver (inuse.h).
 *
 * Everything a PCI device provides appears below it in /sys/devices, and
 * each class entry (/sys/class/block/sda, /sys/class/net/eth0,
 * /sys/class/drm/card0) links there: so "below the device" is a pattern
 * in the link.  The device numbers of those entries (their dev files) are
 * then looked for where the system uses them: the mount table, the swap
 * table and every process's open files.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "inuse.h"
#include "sysfs.h"
#include "util.h"

/* A device node: its number, and whether it is a block device. */
struct node {
	dev_t rdev;
	bool block;
	char name[64];		/* under /dev: "sda1", "dri/card0" (DEVNAME) */
};

struct nodes {
	struct node *v;
	size_t n;
};

static bool nodes_has(const struct nodes *s, dev_t rdev, bool block)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].rdev == rdev && s->v[i].block == block)
			return true;
	return false;
}

static const struct node *nodes_find(const struct nodes *s, dev_t rdev, bool block)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].rdev == rdev && s->v[i].block == block)
			return &s->v[i];
	return NULL;
}

/* The node's name under /dev from the entry's uevent (DEVNAME=dri/card0); @buf unchanged without. */
static void devname(const char *path, char *buf, size_t size)
{
	char *file = xasprintf("%s/uevent", path), line[256];
	FILE *f = fopen(file, "re");

	free(file);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "DEVNAME=", 8)) {
			line[strcspn(line, "\n")] = '\0';
			if (strlen(line + 8) < size)
				memcpy(buf, line + 8, strlen(line + 8) + 1);
			break;
		}
	fclose(f);
}

/* Add the node of class entry @path (its dev file, "8:1"); false if it has none. */
static bool nodes_add(struct nodes *s, const char *path, const char *name, bool block)
{
	char *file = xasprintf("%s/dev", path), buf[32];
	unsigned int maj, min;
	dev_t rdev;

	if (sysfs_read_str(file, buf, sizeof(buf)) || sscanf(buf, "%u:%u", &maj, &min) != 2) {
		free(file);
		return false;
	}
	free(file);
	rdev = makedev(maj, min);
	if (nodes_has(s, rdev, block))
		return true;
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n].rdev = rdev;
	s->v[s->n].block = block;
	snprintf(s->v[s->n].name, sizeof(s->v[s->n].name), "%s", name);
	devname(path, s->v[s->n].name, sizeof(s->v[s->n].name));
	s->n++;
	return true;
}

/*
 * Does a class entry (/sys/class/net/eth0) sit below PCI device @dev?  Its
 * link is its path in /sys/devices, which names every device above it.
 */
static bool below_device(const char *class_path, const char *dev)
{
	char target[4096], pattern[32];
	ssize_t n = readlink(class_path, target, sizeof(target) - 1);

	if (n < 0)
		return false;
	target[n] = '\0';
	snprintf(pattern, sizeof(pattern), "/%s/", dev);
	return strstr(target, pattern) != NULL;
}

/* Block devices stacked on @name (its holders: dm-0 on sda2, md0 on sdb), recursively. */
static void add_holders(struct nodes *s, const char *name, int depth)
{
	char *dir = sysfs_path("/sys/class/block/%s/holders", name);
	char **holders = sysfs_list_dir(dir, NULL);

	free(dir);
	for (char **h = holders; holders && *h; h++) {
		char *path = sysfs_path("/sys/class/block/%s", *h);
		size_t before = s->n;

		nodes_add(s, path, *h, true);
		free(path);
		if (s->n > before && depth < 8)
			add_holders(s, *h, depth + 1);
	}
	sysfs_free_list(holders);
}

/* Every device node below @dev, with the block devices stacked on them. */
static void collect_nodes(struct nodes *s, const char *dev)
{
	char *classes = sysfs_path("/sys/class");
	char **cls = sysfs_list_dir(classes, NULL);

	for (char **c = cls; cls && *c; c++) {
		char *dir = xasprintf("%s/%s", classes, *c);
		char **names = sysfs_list_dir(dir, NULL);
		bool block = !strcmp(*c, "block");

		for (char **p = names; names && *p; p++) {
			char *path = xasprintf("%s/%s", dir, *p);

			if (below_device(path, dev) && nodes_add(s, path, *p, block) && block)
				add_holders(s, *p, 0);
			free(path);
		}
		sysfs_free_list(names);
		free(dir);
	}
	sysfs_free_list(cls);
	free(classes);
}

/* A block node's name as people know it: "/dev/sda1", "/dev/dm-0". */
static char *block_name(const struct node *n)
{
	return xasprintf("/dev/%s", n->name);
}

/* A mount of one of the block nodes (/proc/self/mountinfo: "maj:min" and the source). */
static char *mounted(const struct nodes *s, const char *dev)
{
	char *path = sysfs_path("/proc/self/mountinfo");
	FILE *f = fopen(path, "re");
	char line[4096];
	char *why = NULL;

	free(path);
	if (!f)
		return NULL;
	while (!why && fgets(line, sizeof(line), f)) {
		unsigned int maj, min;
		char mnt[2048], source[1024] = "";
		const struct node *n;
		char *sep;
		struct stat st;

		if (sscanf(line, "%*u %*u %u:%u %*s %2047s", &maj, &min, mnt) != 3)
			continue;
		sep = strstr(line, " - ");
		if (sep)
			sscanf(sep + 3, "%*s %1023s", source);
		n = nodes_find(s, makedev(maj, min), true);
		/* btrfs and others report an anonymous number: the source names the disk. */
		if (!n && source[0] == '/' && !sysfs_root()[0] && stat(source, &st) == 0 &&
		    S_ISBLK(st.st_mode))
			n = nodes_find(s, st.st_rdev, true);
		if (n) {
			char *name = block_name(n);

			why = xasprintf("%s backs %s, mounted on %s", dev, name, mnt);
			free(name);
		}
	}
	fclose(f);
	return why;
}

/* Swap on one of the block nodes (/proc/swaps names the partition). */
static char *swapped(const struct nodes *s, const char *dev)
{
	char *path = sysfs_path("/proc/swaps");
	FILE *f = fopen(path, "re");
	char line[1024], file[1024];
	char *why = NULL;

	free(path);
	if (!f)
		return NULL;
	while (!why && fgets(line, sizeof(line), f)) {
		struct stat st;
		const struct node *n;

		if (sscanf(line, "%1023s", file) != 1 || file[0] != '/' || sysfs_root()[0] ||
		    stat(file, &st))
			continue;
		n = nodes_find(s, S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev, true);
		if (n) {
			char *name = block_name(n);

			why = xasprintf("%s backs %s, which holds swap (%s)", dev, name, file);
			free(name);
		}
	}
	fclose(f);
	return why;
}

/* A network interface below @dev that is not down. */
static char *net_up(const char *dev)
{
	char *dir = sysfs_path("/sys/class/net");
	char **names = sysfs_list_dir(dir, NULL);
	char *why = NULL;

	for (char **p = names; names && *p && !why; p++) {
		char *cls = xasprintf("%s/%s", dir, *p);
		char *oper = xasprintf("%s/operstate", cls);
		char state[32];

		if (below_device(cls, dev) && sysfs_read_str(oper, state, sizeof(state)) == 0 &&
		    strcmp(state, "down"))
			why = xasprintf("%s backs network interface %s, which is %s", dev, *p, state);
		free(oper);
		free(cls);
	}
	sysfs_free_list(names);
	free(dir);
	return why;
}

/* The boot GPU, or a framebuffer below @dev: where the console is. */
static char *console(const char *dev, const struct nodes *s)
{
	char *path = sysfs_path("/sys/bus/pci/devices/%s/boot_vga", dev);
	char buf[8];
	bool boot = sysfs_read_str(path, buf, sizeof(buf)) == 0 && !strcmp(buf, "1");

	free(path);
	if (boot)
		return xasprintf("%s is the boot GPU (boot_vga): the firmware's console, and likely the kernel's, are on it",
				 dev);
	for (size_t i = 0; i < s->n; i++)
		if (!s->v[i].block && !strncmp(s->v[i].name, "fb", 2) &&
		    isdigit((unsigned char)s->v[i].name[2]))
			return xasprintf("%s drives framebuffer /dev/%s, which the console may use",
					 dev, s->v[i].name);
	return NULL;
}

/*
 * The processes holding one of @s's nodes open, "comm (pid N)" joined with
 * ", " (three at most, then "and others"); *node names the first node
 * found.  NULL when none does (or under a recorded tree: it has no
 * processes).
 */
static char *holders(const struct nodes *s, const struct node **node)
{
	DIR *proc;
	struct dirent *de;
	char *who = NULL;
	int found = 0;

	*node = NULL;
	if (sysfs_root()[0] || !s->n)
		return NULL;
	proc = opendir("/proc");
	if (!proc)
		return NULL;
	while ((de = readdir(proc))) {
		char *fddir, comm[64] = "?";
		char **fds;
		bool holds = false;
		long pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = strtol(de->d_name, NULL, 10);
		if (pid == (long)getpid())
			continue;
		fddir = xasprintf("/proc/%ld/fd", pid);
		fds = sysfs_list_dir(fddir, NULL);	/* EACCES, or gone: not ours to see */
		for (char **fd = fds; fds && *fd && !holds; fd++) {
			char *link = xasprintf("%s/%s", fddir, *fd);
			struct stat st;

			if (stat(link, &st) == 0 && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) {
				const struct node *n = nodes_find(s, st.st_rdev, S_ISBLK(st.st_mode));

				if (n) {
					holds = true;
					if (!*node)
						*node = n;
				}
			}
			free(link);
		}
		sysfs_free_list(fds);
		free(fddir);
		if (!holds)
			continue;
		fddir = xasprintf("/proc/%ld/comm", pid);
		sysfs_read_str(fddir, comm, sizeof(comm));
		free(fddir);
		if (found < 3) {
			char *next = xasprintf("%s%s%s (pid %ld)", who ? who : "", who ? ", " : "",
					       comm, pid);

			free(who);
			who = next;
		} else if (found == 3) {
			char *next = xasprintf("%s and others", who);

			free(who);
			who = next;
		}
		found++;
	}
	closedir(proc);
	return who;
}

char *device_in_use(const char *dev)
{
	struct nodes s = { 0 };
	const struct node *n;
	char *why, *who;

	collect_nodes(&s, dev);
	why = mounted(&s, dev);
	if (!why)
		why = swapped(&s, dev);
	if (!why)
		why = net_up(dev);
	if (!why)
		why = console(dev, &s);
	if (!why) {
		who = holders(&s, &n);
		if (who)
			why = xasprintf("%s: /dev/%s is open in %s", dev, n->name, who);
		free(who);
	}
	free(s.v);
	return why;
}

char *vfio_group_users(unsigned int group)
{
	struct nodes s = { 0 };
	const struct node *n;
	char *path = sysfs_path("/sys/class/vfio/%u", group), *who;

	nodes_add(&s, path, "", false);
	free(path);
	who = holders(&s, &n);
	free(s.v);
	return who;
}
