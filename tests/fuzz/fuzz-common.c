// SPDX-License-Identifier: GPL-2.0-or-later
/* Helpers of the libFuzzer targets (fuzz-common.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-common.h"

/*
 * Standard error as the fuzzer started: libFuzzer's -close_fd_mask=2 later
 * points fd 2 at /dev/null (the tool's messages) and keeps its own output,
 * and the sanitizers', on a copy.  Our messages go where theirs go.
 */
static int err_fd = STDERR_FILENO;

__attribute__((constructor)) static void save_stderr(void)
{
	int fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);

	if (fd >= 0)
		err_fd = fd;
}

void fuzz_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(err_fd, fmt, ap);
	va_end(ap);
}

void fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	dprintf(err_fd, "fuzz: ");
	va_start(ap, fmt);
	vdprintf(err_fd, fmt, ap);
	va_end(ap);
	dprintf(err_fd, "\n");
	abort();
}

static char *scratch;
static pid_t scratch_owner;

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void fuzz_remove(const char *path)
{
	struct stat st;

	if (lstat(path, &st))
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void remove_scratch(void)
{
	/* Not in a child that libFuzzer forked (-fork, -jobs): the parent's directory. */
	if (scratch && getpid() == scratch_owner)
		fuzz_remove(scratch);
}

const char *fuzz_scratch_dir(const char *name)
{
	const char *base = getenv("IOMMUCTL_FUZZ_TMPDIR");
	char *dir;

	if (!base || !*base)
		base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&dir, "%s/iommuctl-fuzz-%s.XXXXXX", base, name) < 0 || !mkdtemp(dir))
		fuzz_fail("cannot make a scratch directory in %s: %s", base, strerror(errno));
	if (!scratch) {
		scratch = dir;
		scratch_owner = getpid();
		atexit(remove_scratch);
	}
	return dir;
}

void fuzz_mkdirs(const char *path)
{
	char *p = strdup(path);

	if (!p)
		abort();
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) && errno != EEXIST)
			fuzz_fail("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	free(p);
}

void fuzz_write_file(const char *path, const void *data, size_t size)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	const char *p = data;

	if (fd < 0)
		fuzz_fail("cannot write %s: %s", path, strerror(errno));
	while (size) {
		ssize_t n = write(fd, p, size);

		if (n <= 0)
			fuzz_fail("cannot write %s: %s", path, strerror(errno));
		p += n;
		size -= (size_t)n;
	}
	close(fd);
}
