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

int sysfs_read_str(const char *path, char *buf, size_t size)
{
	ssize_t len;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
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
	char target[4096];
	const char *base;
	ssize_t len;

	len = readlink(path, target, sizeof(target) - 1);
	if (len < 0)
		return -errno;
	target[len] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= size)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

static int natural_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

char **sysfs_list_dir(const char *path, size_t *count)
{
	size_t n = 0, cap = 16;
	struct dirent *de;
	char **list;
	DIR *dir;

	dir = opendir(path);
	if (!dir)
		return NULL;
	list = xcalloc(cap, sizeof(*list));
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n + 1 >= cap) {
			cap *= 2;
			list = xrealloc(list, cap * sizeof(*list));
		}
		list[n++] = xstrdup(de->d_name);
	}
	closedir(dir);
	list[n] = NULL;
	qsort(list, n, sizeof(*list), natural_cmp);
	if (count)
		*count = n;
	return list;
}

void sysfs_free_list(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}
