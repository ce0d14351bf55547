/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading sysfs, optionally under a recorded tree (--sysroot) for tests.
 */
#ifndef IOMMUCTL_SYSFS_H
#define IOMMUCTL_SYSFS_H

#include <stddef.h>

/* Set the root all sysfs paths are resolved under ("" or NULL: the real one). */
void sysfs_set_root(const char *root);
const char *sysfs_root(void);

/* "<root><path>", to be freed by the caller. */
char *sysfs_path(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Read a one-line attribute without its trailing newline into buf.
 * Returns 0, or -errno (the file's open or read error).
 */
int sysfs_read_str(const char *path, char *buf, size_t size);
/* The same of name relative to the directory dirfd (or AT_FDCWD). */
int sysfs_read_str_at(int dirfd, const char *name, char *buf, size_t size);

/* Write @value to a sysfs file (one write); 0 or -errno. */
int sysfs_write_str(const char *path, const char *value);

/* Base name of a symlink's target, e.g. the driver of a device; -errno on error. */
int sysfs_link_basename(const char *path, char *buf, size_t size);
int sysfs_link_basename_at(int dirfd, const char *name, char *buf, size_t size);

/*
 * Entries of a directory (no "." or ".."), sorted the way a person expects
 * ("2" before "10"); NULL-terminated, free with sysfs_free_list().  Returns
 * NULL and sets errno when the directory cannot be read.
 */
char **sysfs_list_dir(const char *path, size_t *count);
/*
 * The same of name relative to dirfd, opened into *fd (left open for the
 * caller to read its entries relative to it, and close; -1 on failure).
 */
char **sysfs_list_dir_at(int dirfd, const char *name, int *fd, size_t *count);
void sysfs_free_list(char **list);

#endif
