// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the iommuctl command line, every command, against a
 * fixed recorded tree.
 *
 * The input is the arguments, one per line (a last newline ends the last
 * one), after "iommuctl --sysroot TREE":
 * TREE is tests/data/sysroot/q35-intel-6.12-module.tar unpacked once (with
 * the module's files, a quarantined group, faults), with
 * tests/data/config/good.conf as its /etc/iommuctl.conf and two drop-ins.
 * The commands run in a scratch directory holding a.conf (a good
 * configuration), b.conf (one with syntax errors) and log.txt (a captured
 * kernel log), for --config and --log.
 *
 * Nothing may change the system or the tree, and nothing may take long:
 *  - an argument with a '/' is not run (no path outside the scratch
 *    directory: `stats -o` writes where it is told), nor one that is
 *    --sysroot or an abbreviation of it (the tree would no longer be ours);
 *  - with --sysroot, set and apply change nothing without --dry-run, claim,
 *    quarantine and release find no /dev/iommu_policy in the tree, monitor
 *    refuses to run: they are fuzzed as they are;
 *  - watch runs with --iter=1 --delay=0.1 put first, and only with options
 *    that cannot change those (--batch, --json, --sort, --no-log, --help),
 *    so one run takes a tenth of a second.
 * Every directory of the tree is watched with inotify: any change made to it
 * aborts the run, naming the file and the command line.  Output of -J and
 * friends must be valid JSON (fuzz-cli.c); LeakSanitizer and UBSan watch the
 * rest.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-cli.h"
#include "fuzz-common.h"
#include "sysfs.h"

#ifndef FUZZ_DATADIR
#define FUZZ_DATADIR "tests/data"
#endif

#define MAX_ARGS 32
#define MAX_ARG_LEN 512

static char *tree, *cwd;
static int inotify_fd = -1, cwd_wd = -1, back_fd = -1;
static char **dirs;	/* the watched directories, by watch descriptor */
static size_t ndirs;

/* The files of the scratch directory, restored after a command replaced one (stats -o a.conf). */
static const struct {
	const char *name, *source;
} cwd_files[] = {
	{ "a.conf", "config/good.conf" },
	{ "b.conf", "config/syntax.conf" },
	{ "log.txt", "kmsg/captured-qemu-intel-6.12.dmesg.txt" },
};

static const char *datadir(void)
{
	const char *d = getenv("IOMMUCTL_FUZZ_DATA");

	return d && *d ? d : FUZZ_DATADIR;
}

static void copy_file(const char *from, const char *to)
{
	FILE *f = fopen(from, "re");
	char *buf = NULL;
	size_t n;

	if (!f)
		fuzz_fail("cannot read %s: %s (set IOMMUCTL_FUZZ_DATA to the source tree's tests/data)",
			  from, strerror(errno));
	buf = malloc(1 << 20);
	if (!buf)
		abort();
	n = fread(buf, 1, 1 << 20, f);
	fclose(f);
	fuzz_write_file(to, buf, n);
	free(buf);
}

static bool is_cwd_file(const char *name)
{
	for (size_t i = 0; i < sizeof(cwd_files) / sizeof(cwd_files[0]); i++)
		if (!strcmp(name, cwd_files[i].name))
			return true;
	return false;
}

/* The scratch directory as it was: what a command wrote there goes, ours are written again. */
static void restore_cwd_files(void)
{
	char **names;
	size_t count;
	char *path;

	names = sysfs_list_dir(cwd, &count);
	for (size_t i = 0; names && i < count; i++) {
		if (is_cwd_file(names[i]))
			continue;
		if (asprintf(&path, "%s/%s", cwd, names[i]) < 0)
			abort();
		fuzz_remove(path);
		free(path);
	}
	sysfs_free_list(names);
	for (size_t i = 0; i < sizeof(cwd_files) / sizeof(cwd_files[0]); i++) {
		char *src;

		if (asprintf(&src, "%s/%s", datadir(), cwd_files[i].source) < 0 ||
		    asprintf(&path, "%s/%s", cwd, cwd_files[i].name) < 0)
			abort();
		fuzz_remove(path);	/* a command may have made it a directory */
		copy_file(src, path);
		free(src);
		free(path);
	}
}

static int watch_dir(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	int wd;

	(void)st;
	(void)ftw;
	if (flag != FTW_D)
		return 0;
	wd = inotify_add_watch(inotify_fd, path,
			       IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE |
			       IN_DELETE_SELF | IN_MOVE_SELF | IN_MOVED_FROM | IN_MOVED_TO);
	if (wd < 0)
		fuzz_fail("inotify_add_watch %s: %s", path, strerror(errno));
	if ((size_t)wd >= ndirs) {
		dirs = realloc(dirs, ((size_t)wd + 1) * sizeof(*dirs));
		if (!dirs)
			abort();
		memset(dirs + ndirs, 0, ((size_t)wd + 1 - ndirs) * sizeof(*dirs));
		ndirs = (size_t)wd + 1;
	}
	dirs[wd] = strdup(path);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const dropins[] = { "10-strict.conf", "20-identity.conf" };
	const char *scratch = fuzz_scratch_dir("argv");
	char *cmd, *path, *src;
	struct stat st;

	(void)argc;
	(void)argv;
	if (asprintf(&tree, "%s/tree", scratch) < 0 || asprintf(&cwd, "%s/cwd", scratch) < 0 ||
	    asprintf(&cmd, "mkdir -p '%s' && tar -C '%s' -xf '%s/sysroot/q35-intel-6.12-module.tar'",
		     tree, tree, datadir()) < 0)
		abort();
	if (system(cmd) != 0)
		fuzz_fail("cannot unpack the recorded tree: %s", cmd);
	free(cmd);
	/* Its configuration: the good file and the drop-ins tests/unit/config.test uses. */
	if (asprintf(&path, "%s/etc/iommuctl.conf.d/x", tree) < 0)
		abort();
	fuzz_mkdirs(path);
	free(path);
	if (asprintf(&src, "%s/config/good.conf", datadir()) < 0 ||
	    asprintf(&path, "%s/etc/iommuctl.conf", tree) < 0)
		abort();
	copy_file(src, path);
	free(src);
	free(path);
	for (size_t i = 0; i < sizeof(dropins) / sizeof(dropins[0]); i++) {
		if (asprintf(&src, "%s/config/dropins/etc/iommuctl.conf.d/%s", datadir(), dropins[i]) < 0 ||
		    asprintf(&path, "%s/etc/iommuctl.conf.d/%s", tree, dropins[i]) < 0)
			abort();
		copy_file(src, path);
		free(src);
		free(path);
	}
	/* claim would wait for a signal if it could open the device. */
	if (asprintf(&path, "%s/dev/iommu_policy", tree) < 0)
		abort();
	if (lstat(path, &st) == 0)
		fuzz_fail("%s exists: claim would hold the group until a signal", path);
	free(path);

	inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (inotify_fd < 0)
		fuzz_fail("inotify_init1: %s", strerror(errno));
	nftw(tree, watch_dir, 16, FTW_PHYS);
	if (mkdir(cwd, 0755))
		fuzz_fail("mkdir %s: %s", cwd, strerror(errno));
	restore_cwd_files();
	cwd_wd = inotify_add_watch(inotify_fd, cwd, IN_CREATE | IN_DELETE | IN_MODIFY | IN_MOVED_TO |
				   IN_MOVED_FROM | IN_ATTRIB | IN_CLOSE_WRITE);
	if (cwd_wd < 0)
		fuzz_fail("inotify_add_watch %s: %s", cwd, strerror(errno));
	back_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (back_fd < 0)
		fuzz_fail("cannot open the working directory: %s", strerror(errno));
	return 0;
}

/* Is arg --sysroot, or an abbreviation getopt_long would take for it ("--sys=x")? */
static bool is_sysroot_option(const char *arg)
{
	size_t len = strcspn(arg, "=");

	return len >= 3 && !strncmp(arg, "--sysroot", len) && len <= strlen("--sysroot");
}

/* An option of watch that cannot make it run longer (see the top of the file). */
static bool watch_option_ok(const char *arg)
{
	static const char *const allowed[] = { "batch", "json", "sort", "no-log", "help" };
	static const char *const forbidden[] = { "delay", "iter", "sysroot" };
	size_t len;

	if (arg[0] != '-' || !arg[1])
		return true;			/* an argument, or "-" */
	if (arg[1] != '-') {			/* a cluster of short options */
		for (const char *c = arg + 1; *c; c++) {
			if (*c == 's')
				return true;	/* the rest is the sort key */
			if (!strchr("bJh", *c))
				return false;
		}
		return true;
	}
	if (!arg[2])
		return true;			/* "--": the rest are arguments */
	len = strcspn(arg + 2, "=");
	for (size_t i = 0; i < sizeof(forbidden) / sizeof(forbidden[0]); i++)
		if (!strncmp(arg + 2, forbidden[i], len))
			return false;
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (!strncmp(arg + 2, allowed[i], len) && len <= strlen(allowed[i]))
			return true;
	return false;				/* unknown: getopt refuses it anyway */
}

/* The command main() would run: the first argument that is not an option. */
static int command_index(char **args, int n)
{
	for (int i = 0; i < n; i++) {
		if (!strcmp(args[i], "--"))
			return i + 1 < n ? i + 1 : -1;
		if (args[i][0] != '-' || !args[i][1])
			return i;
	}
	return -1;
}

static void check_tree_unchanged(char **argv, int argc)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool cwd_changed = false;
	ssize_t len;

	while ((len = read(inotify_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + len;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;

			p += sizeof(*ev) + ev->len;
			if (ev->wd == cwd_wd) {
				cwd_changed = true;
				continue;
			}
			fuzz_msg("fuzz: the command line");
			for (int i = 0; i < argc; i++)
				fuzz_msg(" '%s'", argv[i]);
			fuzz_msg("\n");
			fuzz_fail("changed the recorded tree: %s/%s (inotify mask 0x%x)",
				  (size_t)ev->wd < ndirs && dirs[ev->wd] ? dirs[ev->wd] : "?",
				  ev->len ? ev->name : "", ev->mask);
		}
	}
	if (cwd_changed) {
		restore_cwd_files();
		/* Our own changes, just made: nothing else ran meanwhile. */
		while (read(inotify_fd, buf, sizeof(buf)) > 0)
			;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *argv[MAX_ARGS + 8], *args[MAX_ARGS], *copy, *line;
	int argc = 0, n = 0, cmd;

	if (size > MAX_ARGS * (MAX_ARG_LEN + 1))
		return -1;
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (size && copy[size - 1] == '\n')	/* a seed file's last newline ends no argument */
		size--;
	copy[size] = '\0';
	if (memchr(copy, '\0', size)) {		/* an argument cannot hold a NUL */
		free(copy);
		return -1;
	}
	for (line = copy; size && line <= copy + size;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (n == MAX_ARGS || strlen(line) > MAX_ARG_LEN || strchr(line, '/') ||
		    is_sysroot_option(line)) {
			free(copy);
			return -1;
		}
		args[n++] = line;
		if (!nl)
			break;
		line = nl + 1;
	}

	argv[argc++] = "iommuctl";
	argv[argc++] = "--sysroot";
	argv[argc++] = tree;
	cmd = command_index(args, n);
	for (int i = 0; i < n; i++) {
		argv[argc++] = args[i];
		if (i == cmd && !strcmp(args[i], "watch")) {
			for (int j = i + 1; j < n; j++) {
				if (!watch_option_ok(args[j])) {
					free(copy);
					return -1;
				}
			}
			argv[argc++] = "--iter=1";
			argv[argc++] = "--delay=0.1";
		}
	}
	argv[argc] = NULL;

	if (chdir(cwd))
		fuzz_fail("chdir %s: %s", cwd, strerror(errno));
	fuzz_cli_run(argc, argv, -1, NULL, NULL);
	if (fchdir(back_fd))
		fuzz_fail("cannot return to the working directory: %s", strerror(errno));
	check_tree_unchanged(argv, argc);
	free(copy);
	return 0;
}
