// SPDX-License-Identifier: GPL-2.0-or-later
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sysfs.h"
#include "util.h"

static char *root_dir;

void sysfs_set_root(const char *root)
{
	size_t len;

	free(root_dir);
	root_dir = NULL;
	if (!root || !*root)
		return;
	root_dir = xstrdup(root);
	/* "/x/" and "/x" are the same root; paths below start with "/". */
	len = strlen(root_dir);
	while (len > 1 && root_dir[len - 1] == '/')
		root_dir[--len] = '\0';
	if (!strcmp(root_dir, "/"))
		root_dir[0] = '\0';
}

const char *sysfs_root(void)
{
	return root_dir ? root_dir : "";
}

char *sysfs_path(const char *fmt, ...)
{
	va_list ap;
	char *rel, *full;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&rel, fmt, ap);
	va_end(ap);
	if (n < 0) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	full = xasprintf("%s%s", sysfs_root(), rel);
	free(rel);
	return full;
}

int sysfs_write_str(const char *path, const char *value)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, value, strlen(value)) < 0)
		err = -errno;
	close(fd);
	return err;
}

int sysfs_read_str(const char *path, char *buf, size_t size)
{
	return sysfs_read_str_at(AT_FDCWD, path, buf, size);
}

int sysfs_read_str_at(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t len;
	int fd, err;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (len < 0)
		return -err;
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	return 0;
}

int sysfs_link_basename(const char *path, char *buf, size_t size)
{
	return sysfs_link_basename_at(AT_FDCWD, path, buf, size);
}

int sysfs_link_basename_at(int dirfd, const char *name, char *buf, size_t size)
{
	char target[4096];
	const char *base;
	ssize_t len;

	len = readlinkat(dirfd, name, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (!*base)	/* "../drivers/": names nothing (never an empty name) */
		return -EINVAL;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

static int natural_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* Names to list, growing; NULL-terminated when done. */
struct name_list {
	char **names;
	size_t n, cap;
};

static void name_list_add(struct name_list *l, const char *name)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return;
	if (l->n + 1 >= l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		l->names = xrealloc(l->names, l->cap * sizeof(*l->names));
	}
	l->names[l->n++] = xstrdup(name);
}

static char **name_list_finish(struct name_list *l, size_t *count)
{
	if (!l->names)
		l->names = xcalloc(1, sizeof(*l->names));
	l->names[l->n] = NULL;
	qsort(l->names, l->n, sizeof(*l->names), natural_cmp);
	if (count)
		*count = l->n;
	return l->names;
}

char **sysfs_list_dir(const char *path, size_t *count)
{
	struct name_list l = { 0 };
	struct dirent *de;
	DIR *dir;

	dir = opendir(path);
	if (!dir)
		return NULL;
	while ((de = readdir(dir)))
		name_list_add(&l, de->d_name);
	closedir(dir);
	return name_list_finish(&l, count);
}

char **sysfs_list_dir_at(int dirfd, const char *name, int *fd, size_t *count)
{
	/* getdents64() straight into a buffer: no DIR, no fstat() or fcntl(). */
	union {
		struct dirent64 de;
		char bytes[16384];
	} buf;
	struct name_list l = { 0 };
	ssize_t len;

	*fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return NULL;
	/* As readdir() does: an error ends the list, deleted entries are skipped. */
	while ((len = getdents64(*fd, buf.bytes, sizeof(buf.bytes))) > 0) {
		for (ssize_t off = 0; off < len;) {
			const struct dirent64 *de = (const struct dirent64 *)(buf.bytes + off);

			if (de->d_ino)
				name_list_add(&l, de->d_name);
			off += de->d_reclen;
		}
	}
	return name_list_finish(&l, count);
}

void sysfs_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
