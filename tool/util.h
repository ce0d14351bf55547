/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_UTIL_H
#define IOMMUCTL_UTIL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Exit statuses (see iommuctl(8)). */
#define EXIT_USAGE 2
#define EXIT_NEEDS_MODULE 3	/* the iommu_policy module is not loaded */
#define EXIT_NOT_PERMITTED 4	/* root (a capability) is needed */

extern const char *program_name;

/* @clock (CLOCK_REALTIME, CLOCK_MONOTONIC, ...) now, in nanoseconds. */
long long clock_ns(clockid_t clock);

/* /proc/sys/kernel/random/boot_id without its newline; -1 (errno) on failure. */
int read_boot_id(char *buf, size_t size);

/*
 * Tell systemd (Type=notify) about the service: "READY=1", "STATUS=...";
 * nothing when not started by it ($NOTIFY_SOCKET unset).
 */
void service_notify(const char *state);

/* "iommuctl: <message>" on stderr. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Allocation that cannot fail: on exhaustion, report and exit. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Capabilities (linux/capability.h) checked before a change, not after half of it. */
#define CAP_SYS_RAWIO_MASK (1ULL << 17)
#define CAP_SYS_ADMIN_MASK (1ULL << 21)
/* Every capability of the mask, from one read of /proc/self/status. */
bool have_capabilities(unsigned long long caps);
/*
 * "CMD: WHAT needs root (CAP_SYS_ADMIN[ and CAP_SYS_RAWIO]); run it as root"
 * on stderr; returns EXIT_NOT_PERMITTED.
 */
int needs_root(const char *cmd, const char *what, bool rawio);

/*
 * ISO 8601 local time with the offset, "2026-11-13T08:02:11.482311+01:00"
 * (@digits of the second's fraction, 0 for none): every time iommuctl
 * prints for people.  Returns @buf.
 */
char *format_time_iso(char *buf, size_t size, time_t sec, long nsec, int digits);
/*
 * The same of an epoch as the module's files give it ("1795278414" or
 * "1795278414.485085323"; microseconds at most); false if @epoch is not one.
 */
bool format_epoch_iso(const char *epoch, char *buf, size_t size);
/*
 * "1795278414" or "1795278414.485085323" (digits: of the fraction given, 9 at
 * most); false past EPOCH_SEC_MAX, the last second whose time in nanoseconds
 * fits in a long long (the year 2262).
 */
#define EPOCH_SEC_MAX (LLONG_MAX / 1000000000LL - 1)
bool parse_epoch(const char *epoch, long long *sec, long *nsec, int *digits);
/* Numbers from the command line, checked one way: digits only, above 0. */
bool parse_positive(const char *s, unsigned long long *value);
/* "256M", "1G", "65536": bytes (K, M, G are powers of 1024); 0 on a bad size. */
unsigned long long parse_size(const char *s);
/* Seconds from @min to @max ("0.5", "2"). */
bool parse_seconds(const char *s, double min, double max, double *value);
/*
 * A point in time as journalctl takes it (systemd.time(7)), in nanoseconds
 * since the epoch: "2026-12-01", "2026-12-01 10:00[:00]" (or with 'T'), local
 * time; "now", "today", "yesterday", "tomorrow"; "-2h", "+5min", "3 days ago";
 * "@1796611835".  Units: s, sec, m, min, h, hour, d, day, w, week (and
 * plurals).  False if @s is none of these.
 */
bool parse_when(const char *s, long long now_ns, long long *ns);
/* 1536 -> "1.5 KiB", 512 -> "512 B": binary multiples with their unit.  Returns @buf. */
char *format_bytes(char *buf, size_t size, unsigned long long v);

#endif
