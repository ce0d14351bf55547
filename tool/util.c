// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

const char *program_name = "iommuctl";

long long clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int read_boot_id(char *buf, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");
	bool ok = f && fgets(buf, (int)size, f);
	int e = errno;

	if (f)
		fclose(f);
	if (!ok) {
		errno = f ? EIO : e;
		return -1;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

/* sd_notify(3)'s protocol: one datagram to $NOTIFY_SOCKET ('@': abstract). */
void service_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len;
	int fd;

	if (!path || (path[0] != '/' && path[0] != '@') || strlen(path) >= sizeof(sa.sun_path))
		return;
	len = strlen(path);
	memcpy(sa.sun_path, path, len);
	if (sa.sun_path[0] == '@')
		sa.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
		warnx_("cannot notify systemd (%s): %s", path, strerror(errno));
	close(fd);
}

unsigned long long parse_size(const char *s)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *s == '-')
		return 0;
	switch (*end) {
	case 'G':
		v <<= 10;
		/* fall through */
	case 'M':
		v <<= 10;
		/* fall through */
	case 'K':
		v <<= 10;
		end++;
		break;
	}
	return *end ? 0 : v;
}

void warnx_(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void *check_alloc(void *p)
{
	if (!p) {
		warnx_("out of memory");
		exit(EXIT_FAILURE);
	}
	return p;
}

void *xmalloc(size_t size)
{
	return check_alloc(malloc(size ? size : 1));
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check_alloc(calloc(nmemb ? nmemb : 1, size ? size : 1));
}

void *xrealloc(void *ptr, size_t size)
{
	return check_alloc(realloc(ptr, size ? size : 1));
}

char *xstrdup(const char *s)
{
	return check_alloc(strdup(s));
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return check_alloc(n < 0 ? NULL : s);
}

/*
 * Whether this process has every capability of the mask @caps in its
 * effective set, from
 * /proc/self/status (CapEff, a hex mask): what the kernel checks, so a root
 * shell without CAP_SYS_ADMIN (a container) is told the truth too.  When the
 * file cannot be read, yes: the kernel then gives its own answer.
 */
bool have_capabilities(unsigned long long caps)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[256];
	bool ret = true;

	if (!f)
		return true;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long mask;

		if (sscanf(line, "CapEff: %llx", &mask) == 1) {
			ret = (mask & caps) == caps;
			break;
		}
	}
	fclose(f);
	return ret;
}

int needs_root(const char *cmd, const char *what, bool rawio)
{
	warnx_("%s: %s needs root (CAP_SYS_ADMIN%s); run it as root, e.g. with sudo", cmd, what,
	       rawio ? " and CAP_SYS_RAWIO" : "");
	return EXIT_NOT_PERMITTED;
}

char *format_time_iso(char *buf, size_t size, time_t sec, long nsec, int digits)
{
	struct tm tm;
	char frac[16] = "", zone[8];
	size_t n;

	if (!localtime_r(&sec, &tm)) {
		snprintf(buf, size, "%lld", (long long)sec);
		return buf;
	}
	if (digits > 0) {
		long div = 1;

		for (int i = digits; i < 9; i++)
			div *= 10;
		snprintf(frac, sizeof(frac), ".%0*ld", digits, nsec / div);
	}
	n = strftime(buf, size, "%Y-%m-%dT%H:%M:%S", &tm);
	/* "+0100" as RFC 3339's "+01:00" (journalctl -o short-iso's form). */
	strftime(zone, sizeof(zone), "%z", &tm);
	snprintf(buf + n, size - n, "%s%.3s:%s", frac, zone, zone + 3);
	return buf;
}

bool parse_epoch(const char *epoch, long long *sec, long *nsec, int *digits)
{
	unsigned long long s, frac = 0;
	int n = 0, d = 0;

	if (sscanf(epoch, "%llu%n", &s, &n) != 1 || epoch[0] < '0' || epoch[0] > '9')
		return false;
	if (epoch[n] == '.') {
		for (n++; epoch[n] >= '0' && epoch[n] <= '9'; n++, d++)
			if (d < 9)
				frac = frac * 10 + (unsigned long long)(epoch[n] - '0');
		if (!d)
			return false;
	}
	/*
	 * Up to the year 2262, so that the time in nanoseconds fits in 64 bits
	 * (a last_fault_time of 17063730421 overflowed epoch_ns(): fuzz-sysfs).
	 */
	if (epoch[n] || s > EPOCH_SEC_MAX)
		return false;
	for (int i = d; i < 9; i++)
		frac *= 10;
	*sec = (long long)s;
	*nsec = (long)frac;
	if (digits)
		*digits = d < 9 ? d : 9;
	return true;
}

bool format_epoch_iso(const char *epoch, char *buf, size_t size)
{
	long long sec;
	long nsec;
	int digits;

	if (!parse_epoch(epoch, &sec, &nsec, &digits))
		return false;
	format_time_iso(buf, size, (time_t)sec, nsec, digits > 6 ? 6 : digits);
	return true;
}

char *format_bytes(char *buf, size_t size, unsigned long long v)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double d = (double)v;
	size_t u = 0;

	while (d >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		d /= 1024;
		u++;
	}
	if (!u)
		snprintf(buf, size, "%llu B", v);
	else
		snprintf(buf, size, d < 10 ? "%.1f %s" : "%.0f %s", d, units[u]);
	return buf;
}

bool parse_positive(const char *s, unsigned long long *value)
{
	char *end;

	/* strtoull() takes "-1" (as a huge number) and leading blanks: not here. */
	if (!s || *s < '0' || *s > '9')
		return false;
	errno = 0;
	*value = strtoull(s, &end, 10);
	return !errno && !*end && *value;
}

bool parse_seconds(const char *s, double min, double max, double *value)
{
	char *end;

	if (!s || !*s)
		return false;
	errno = 0;
	*value = strtod(s, &end);
	return !errno && end != s && !*end && isfinite(*value) && *value >= min && *value <= max;
}

/* "3h", "5 min", "2days": seconds, or -1. */
static long long span_seconds(const char *s)
{
	static const struct { const char *unit; long long sec; } units[] = {
		{ "s", 1 }, { "sec", 1 }, { "secs", 1 }, { "second", 1 }, { "seconds", 1 },
		{ "m", 60 }, { "min", 60 }, { "mins", 60 }, { "minute", 60 }, { "minutes", 60 },
		{ "h", 3600 }, { "hr", 3600 }, { "hour", 3600 }, { "hours", 3600 },
		{ "d", 86400 }, { "day", 86400 }, { "days", 86400 },
		{ "w", 604800 }, { "week", 604800 }, { "weeks", 604800 },
	};
	unsigned long long n;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || n > 100ULL * 365 * 86400)
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < ARRAY_SIZE(units); i++)
		if (!strcmp(end, units[i].unit))
			return (long long)n * units[i].sec;
	return -1;
}

/* Midnight (local) of the day @days after the one @now_ns is in. */
static long long local_midnight(long long now_ns, int days)
{
	time_t t = (time_t)(now_ns / 1000000000LL);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (long long)mktime(&tm) * 1000000000LL;
}

bool parse_when(const char *s, long long now_ns, long long *ns)
{
	struct tm tm = { .tm_isdst = -1 };
	long long span;
	char buf[64], *p;
	const char *end;

	if (!strcmp(s, "now")) {
		*ns = now_ns;
		return true;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday") || !strcmp(s, "tomorrow")) {
		*ns = local_midnight(now_ns, !strcmp(s, "today") ? 0 : !strcmp(s, "yesterday") ? -1 : 1);
		return true;
	}
	if (*s == '@') {
		long long sec;
		long nsec;
		int digits;

		if (!parse_epoch(s + 1, &sec, &nsec, &digits))
			return false;
		*ns = sec * 1000000000LL + nsec;
		return true;
	}
	if (*s == '-' || *s == '+') {
		span = span_seconds(s + 1);
		if (span < 0)
			return false;
		*ns = now_ns + (*s == '-' ? -span : span) * 1000000000LL;
		return true;
	}
	if (strlen(s) < sizeof(buf) && (p = strstr(strcpy(buf, s), " ago")) && !p[4]) {
		*p = '\0';
		span = span_seconds(buf);
		if (span < 0)
			return false;
		*ns = now_ns - span * 1000000000LL;
		return true;
	}
	/* YYYY-MM-DD, then [ T]HH:MM[:SS] */
	end = strptime(s, "%Y-%m-%d", &tm);
	if (!end)
		return false;
	if (*end == ' ' || *end == 'T') {
		const char *t = strptime(end + 1, "%H:%M:%S", &tm);

		if (!t)
			t = strptime(end + 1, "%H:%M", &tm);
		end = t;
	}
	if (!end || *end)
		return false;
	*ns = (long long)mktime(&tm) * 1000000000LL;
	return true;
}
