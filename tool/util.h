/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_UTIL_H
#define IOMMUCTL_UTIL_H

#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses (see iommuctl(8)). */
#define EXIT_USAGE 2
#define EXIT_NEEDS_MODULE 3	/* the iommu_policy module is not loaded */
#define EXIT_NOT_PERMITTED 4	/* root (a capability) is needed */

extern const char *program_name;

/* "iommuctl: <message>" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail: on exhaustion, report and exit. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
