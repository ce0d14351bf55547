// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tests/unit/recdb-test DIR: the record's database (tool/recdb.c) in a
 * scratch directory, as unnumbered TAP lines (tests/unit/recdb.test numbers
 * them and runs this under valgrind): creation, the cursor, totals and rollback,
 * retention by age and by size, topology against the previous boot, a
 * writer killed mid-batch, and the files it must refuse without touching
 * them (not a database, another application's, a newer schema, damaged).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "recdb.h"
#include "util.h"


static int failures;
static const char *dir;

static void check(bool good, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(bool good, const char *fmt, ...)
{
	va_list ap;

	printf("%s - ", good ? "ok" : "not ok");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!good)
		failures++;
}

static char *path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static void remove_db(const char *path)
{
	char *p;

	unlink(path);
	p = xasprintf("%s-wal", path);
	unlink(p);
	free(p);
	p = xasprintf("%s-shm", path);
	unlink(p);
	free(p);
}

/* The file's bytes, to show a refused file was left as it was. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	do {
		cap += 65536;
		buf = xrealloc(buf, cap);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	fclose(f);
	return buf;
}

static struct recdb *open_or_say(const char *path, bool write)
{
	struct recdb *db;
	char err[512];

	if (recdb_open(path, write, &db, err, sizeof(err))) {
		printf("# %s\n", err);
		return NULL;
	}
	return db;
}

static int fault(struct recdb *db, long long t, enum recdb_source src, const char *dev)
{
	struct recdb_fault f = {
		.time_ns = t, .source = src, .device = dev, .group = 3, .driver = "intel",
		.access = "read", .event = "DMA Read", .reason = "PTE Read access is not set",
		.address = 0xfffff000ffff0000ULL, .has_address = true,
		.kmsg_seq = (unsigned long long)t, .has_kmsg_seq = src == RECDB_SOURCE_LOG,
	};

	return recdb_add_fault(db, &f);
}

static unsigned long long total(struct recdb *db, const char *dev, enum recdb_source src)
{
	unsigned long long n = ~0ULL;

	if (recdb_fault_total(db, dev, src, &n))
		return ~0ULL;
	return n;
}

static void test_create_and_cursor(void)
{
	char *path = path_of("events.db");
	unsigned long long seq = 1, resume = 1;
	struct recdb *db;
	struct stat sb;
	sqlite3 *raw;
	sqlite3_stmt *st;
	char mode[16] = "";
	bool ok;

	db = open_or_say(path, true);
	check(db != NULL, "a new record is created");
	if (!db)
		return;
	ok = !stat(path, &sb);
	check(ok && (sb.st_mode & 0777) == 0600, "it is root's alone (mode %o)", sb.st_mode & 0777);
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	ok = !recdb_get_cursor(db, &seq, &resume);
	check(ok && seq == 0 && resume == 0, "no kernel-log cursor yet (%llu)", seq);
	recdb_begin(db);
	recdb_set_cursor(db, 42, 40);
	check(!recdb_commit(db), "the cursor is committed");
	recdb_close(db);

	sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL);
	sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(mode, sizeof(mode), "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(raw);
	check(!strcmp(mode, "wal"), "the record is in WAL mode (%s)", mode);

	db = open_or_say(path, false);
	check(db != NULL, "it opens read-only");
	if (!db)
		return;
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	ok = !recdb_get_cursor(db, &seq, &resume);
	check(ok && seq == 42 && resume == 40,
	      "the cursor and where to read again survive a reopen (%llu, %llu)", seq, resume);
	recdb_close(db);
	free(path);
}

/* A record of schema 1 (no kmsg_resume) is migrated to 2 when opened to write. */
static void test_migration(void)
{
	char *path = path_of("schema1.db");
	unsigned long long seq = 0, resume = 0;
	struct recdb *db = open_or_say(path, true);
	sqlite3 *raw;
	long long version = -1;
	sqlite3_stmt *st;

	if (!db) {
		check(false, "a record to migrate");
		return;
	}
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_close(db);
	sqlite3_open_v2(path, &raw, SQLITE_OPEN_READWRITE, NULL);
	sqlite3_exec(raw, "ALTER TABLE cursor DROP COLUMN kmsg_resume; "
		     "INSERT INTO cursor (boot_id, kmsg_next) VALUES ('boot-a', 77); "
		     "PRAGMA user_version = 1", NULL, NULL, NULL);
	sqlite3_close(raw);
	db = open_or_say(path, true);
	check(db != NULL, "a schema 1 record opens to write");
	if (!db)
		return;
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	check(!recdb_get_cursor(db, &seq, &resume) && seq == 77 && resume == 77,
	      "... migrated, its cursor kept, read again from there (%llu, %llu)", seq, resume);
	recdb_close(db);
	sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL);
	if (sqlite3_prepare_v2(raw, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	check(version == RECDB_SCHEMA, "... to schema %d (%lld)", RECDB_SCHEMA, version);
	free(path);
}

static void test_totals(void)
{
	char *path = path_of("totals.db");
	unsigned long long lost = 0, deleted = 0, seq = 1, resume = 1;
	struct recdb *db = open_or_say(path, true);

	if (!db) {
		check(false, "a record for totals");
		return;
	}
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_begin(db);
	for (int i = 0; i < 5; i++)
		fault(db, 2000 + i, RECDB_SOURCE_LOG, "0000:00:02.0");
	fault(db, 3000, RECDB_SOURCE_MODULE, "0000:00:02.0");
	fault(db, 3001, RECDB_SOURCE_LOG, NULL);
	recdb_add_lost(db, 3002, "kmsg-overwritten", 7);
	check(!recdb_commit(db), "a batch of faults is committed");
	check(total(db, "0000:00:02.0", RECDB_SOURCE_LOG) == 5 &&
	      total(db, "0000:00:02.0", RECDB_SOURCE_MODULE) == 1 &&
	      total(db, NULL, RECDB_SOURCE_LOG) == 1,
	      "totals by device and source (log %llu, module %llu, unattributed %llu)",
	      total(db, "0000:00:02.0", RECDB_SOURCE_LOG),
	      total(db, "0000:00:02.0", RECDB_SOURCE_MODULE), total(db, NULL, RECDB_SOURCE_LOG));
	recdb_lost_total(db, "kmsg-overwritten", &lost);
	check(lost == 7, "lost events are totalled (%llu)", lost);

	recdb_begin(db);
	fault(db, 4000, RECDB_SOURCE_LOG, "0000:00:02.0");
	recdb_set_cursor(db, 99, 99);
	recdb_rollback(db);
	recdb_get_cursor(db, &seq, &resume);
	check(total(db, "0000:00:02.0", RECDB_SOURCE_LOG) == 5 && seq == 0,
	      "a rolled-back batch leaves totals and the cursor as they were (cursor %llu)", seq);

	recdb_begin(db);
	recdb_prune(db, 2003, 0, &deleted);
	recdb_commit(db);
	check(deleted == 3 && total(db, "0000:00:02.0", RECDB_SOURCE_LOG) == 5,
	      "retention by age deletes rows (%llu) but not this boot's totals", deleted);
	recdb_close(db);
	free(path);
}

static void test_size_bound(void)
{
	char *path = path_of("size.db");
	unsigned long long deleted = 0, n;
	struct recdb *db = open_or_say(path, true);
	char reason[200];
	struct stat before, after;
	sqlite3_int64 rows = -1;
	sqlite3 *raw;
	sqlite3_stmt *st;

	if (!db) {
		check(false, "a record for the size bound");
		return;
	}
	memset(reason, 'x', sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = 0;
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_begin(db);
	for (int i = 0; i < 20000; i++) {
		struct recdb_fault f = {
			.time_ns = 5000 + i, .source = RECDB_SOURCE_LOG, .device = "0000:00:03.0",
			.group = -1, .reason = reason,
		};
		recdb_add_fault(db, &f);
	}
	recdb_commit(db);
	stat(path, &before);
	recdb_begin(db);
	recdb_prune(db, 0, 512 * 1024, &deleted);
	recdb_commit(db);
	n = total(db, "0000:00:03.0", RECDB_SOURCE_LOG);
	recdb_close(db);

	sqlite3_open_v2(path, &raw, SQLITE_OPEN_READONLY, NULL);
	sqlite3_prepare_v2(raw, "SELECT count(*), min(time_ns) FROM faults", -1, &st, NULL);
	if (sqlite3_step(st) == SQLITE_ROW)
		rows = sqlite3_column_int64(st, 0);
	check(rows > 0 && rows < 20000 && sqlite3_column_int64(st, 1) == 5000 + 20000 - rows,
	      "a size bound (512 KiB) deletes the oldest rows (%llu deleted, %lld kept)", deleted,
	      (long long)rows);
	sqlite3_finalize(st);
	sqlite3_close(raw);
	check(n == 20000, "and keeps the totals (%llu)", n);
	/* Free pages are reused, not returned: the file grows no more. */
	db = open_or_say(path, true);
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	for (int round = 0; db && round < 3; round++) {
		recdb_begin(db);
		for (int i = 0; i < 5000; i++) {
			struct recdb_fault f = {
				.time_ns = 30000 + round * 5000 + i, .source = RECDB_SOURCE_LOG,
				.device = "0000:00:03.0", .group = -1, .reason = reason,
			};
			recdb_add_fault(db, &f);
		}
		recdb_prune(db, 0, 512 * 1024, &deleted);
		recdb_commit(db);
	}
	recdb_close(db);
	stat(path, &after);
	check(after.st_size <= 512 * 1024 && after.st_size < before.st_size,
	      "the file shrinks to the bound and stays there (%lld bytes, was %lld before the "
	      "first prune)", (long long)after.st_size, (long long)before.st_size);
	free(path);
}

static void test_topology(void)
{
	char *path = path_of("topo.db");
	struct recdb_topo a[] = {
		{ "0000:00:01.0", 1, "1234:11e8" }, { "0000:00:02.0", 2, "1af4:1005" },
	};
	struct recdb_topo b[] = {
		{ "0000:00:01.0", 1, "1234:11e8" }, { "0000:00:02.0", 1, "1af4:1005" },
	};
	struct recdb_topo *prev;
	size_t nprev;
	unsigned long long deleted;
	struct recdb *db = open_or_say(path, true);
	bool ok;

	if (!db) {
		check(false, "a record for topology");
		return;
	}
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	check(!recdb_set_topology(db, a, 2, &prev, &nprev) && !prev && !nprev,
	      "the first boot has no previous topology");
	recdb_close(db);
	db = open_or_say(path, true);
	recdb_set_boot(db, "boot-b", 2000, "6.12.0");
	ok = !recdb_set_topology(db, b, 2, &prev, &nprev);
	check(ok && nprev == 2 && !strcmp(prev[1].device, "0000:00:02.0") && prev[1].group == 2,
	      "the next boot gets the previous one's (0000:00:02.0 was in group %lld)",
	      nprev == 2 ? prev[1].group : -1);
	free(prev);
	/* Long off: retention spares the last boot before this one. */
	recdb_set_boot(db, "boot-c", 900000, "6.12.0");
	recdb_begin(db);
	recdb_prune(db, 500000, 0, &deleted);
	recdb_commit(db);
	check(!recdb_set_topology(db, a, 2, &prev, &nprev) && nprev == 2 && prev[1].group == 1,
	      "retention keeps the boot before this one for the comparison");
	free(prev);
	recdb_close(db);
	free(path);
}

/*
 * A writer killed in the middle of a batch: the record has every batch before
 * it.  The writer is this program again (--write-and-die), exec'd so that it
 * runs outside valgrind: a process killed by SIGKILL cannot free anything.
 */
static void write_and_die(const char *path)
{
	struct recdb *db = open_or_say(path, true);

	if (!db)
		_exit(1);
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_begin(db);
	for (int i = 0; i < 1000; i++)
		fault(db, i, RECDB_SOURCE_LOG, "0000:00:04.0");
	recdb_set_cursor(db, 1000, 1000);
	recdb_commit(db);
	recdb_begin(db);
	for (int i = 1000; i < 1500; i++)
		fault(db, i, RECDB_SOURCE_LOG, "0000:00:04.0");
	recdb_set_cursor(db, 1500, 1500);
	raise(SIGKILL);
	_exit(1);
}

static void test_killed_writer(const char *self)
{
	char *path = path_of("killed.db");
	unsigned long long seq = 0, resume = 0;
	struct recdb *db;
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (!pid) {
		execl(self, self, "--write-and-die", path, (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	check(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the writer was killed mid-batch");
	db = open_or_say(path, true);
	check(db != NULL, "the record opens after it (and passes its check)");
	if (!db)
		return;
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_get_cursor(db, &seq, &resume);
	check(total(db, "0000:00:04.0", RECDB_SOURCE_LOG) == 1000 && seq == 1000,
	      "it holds the committed batch and its cursor, none of the killed one (%llu, cursor %llu)",
	      total(db, "0000:00:04.0", RECDB_SOURCE_LOG), seq);
	recdb_close(db);
	free(path);
}

/* @path must be refused (write and read) with @words in the message, and left as it was. */
static void refused(const char *path, const char *what, const char *words)
{
	size_t len0, len1;
	char *before = slurp(path, &len0), *after;
	char err[512] = "";
	struct recdb *db = NULL;
	bool said;

	recdb_open(path, true, &db, err, sizeof(err));
	said = !db && strstr(err, words) && strstr(err, path);
	recdb_close(db);
	after = slurp(path, &len1);
	check(said && len0 == len1 && !memcmp(before, after, len0),
	      "%s is refused and left as it was: %s", what, err);
	free(after);
	db = NULL;
	err[0] = 0;
	recdb_open(path, false, &db, err, sizeof(err));
	check(!db && strstr(err, words), "read-only too: %s", err);
	recdb_close(db);
	free(before);
}

static void test_refusals(void)
{
	char *path = path_of("refuse.db");
	char err[512] = "";
	struct recdb *db = NULL;
	sqlite3 *raw;
	int fd;

	recdb_open(path, false, &db, err, sizeof(err));
	check(!db && strstr(err, "no record yet") && strstr(err, "iommuctl-recorder.service"),
	      "reading a record that does not exist says how to start one: %s", err);

	fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0600);
	for (int i = 0; i < 512; i++)
		dprintf(fd, "not a database, line %d\n", i);
	close(fd);
	refused(path, "a text file", "not an iommuctl record");
	remove_db(path);

	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "CREATE TABLE photos (id INTEGER)", NULL, NULL, NULL);
	sqlite3_close(raw);
	refused(path, "another application's database", "not an iommuctl record");
	remove_db(path);

	db = open_or_say(path, true);
	recdb_close(db);
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "PRAGMA journal_mode = DELETE; PRAGMA user_version = 99", NULL, NULL,
		     NULL);
	sqlite3_close(raw);
	refused(path, "a newer schema", "newer iommuctl");
	remove_db(path);

	/* Damaged: a table's page overwritten (the header stays valid). */
	db = open_or_say(path, true);
	recdb_set_boot(db, "boot-a", 1000, "6.12.0");
	recdb_begin(db);
	for (int i = 0; i < 2000; i++)
		fault(db, i, RECDB_SOURCE_LOG, "0000:00:05.0");
	recdb_commit(db);
	recdb_close(db);
	sqlite3_open(path, &raw);
	sqlite3_exec(raw, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
	sqlite3_close(raw);
	fd = open(path, O_WRONLY);
	for (off_t off = 4096 * 3; off < 4096 * 6; off += 64)
		pwrite(fd, "garbage garbage garbage garbage garbage garbage garbage garbage!", 64,
		       off);
	close(fd);
	db = NULL;
	recdb_open(path, true, &db, err, sizeof(err));
	check(!db && strstr(err, "damaged") && strstr(err, "move it aside"),
	      "a damaged record is refused: %s", err);
	recdb_close(db);
	free(path);
}

/*
 * --topology PATH BOOT DEVICE=GROUP...: the record of a boot BOOT (started
 * an hour ago) whose topology was that, for tests/unit/config.test (apply
 * against the last boot).
 */
static int topology(const char *path, const char *boot, int n, char **devices)
{
	struct recdb *db = open_or_say(path, true);
	struct recdb_topo *topo = calloc((size_t)n, sizeof(*topo)), *prev;
	size_t nprev;
	int ret;

	if (!db || !topo)
		return 1;
	for (int i = 0; i < n; i++) {
		char *eq = strchr(devices[i], '=');

		if (!eq)
			return 2;
		snprintf(topo[i].device, sizeof(topo[i].device), "%.*s", (int)(eq - devices[i]),
			 devices[i]);
		topo[i].group = atoll(eq + 1);
	}
	ret = recdb_set_boot(db, boot, (time(NULL) - 3600) * 1000000000LL, "6.12.0") ||
	      recdb_set_topology(db, topo, (size_t)n, &prev, &nprev);
	free(prev);
	free(topo);
	recdb_close(db);
	return ret;
}

/*
 * --fill PATH BASE: a record of two boots for tests/unit/history.test, its
 * times in seconds before BASE (an epoch), each at least 50 s from the
 * bounds the test asks for (now - 1h, - 90 min, - 25 min), so that the
 * seconds between making it and reading it do not matter:
 *   boot-a (2 days before): a module fault on 0000:00:01.0 (group 1), a
 *   policy change of group 1 by iommuctl (pid 123);
 *   boot-b (50 min before): 0000:00:02.0 joined group 1, three logged
 *   faults on it (30 to 26:40 min before), a module fault on 0000:00:01.0
 *   (24:10), 5 kernel-log records lost (23:20), nvme bound to 0000:00:03.0
 *   (group 3; 21:40).
 */
static int fill(const char *path, long long base)
{
	struct recdb *db = open_or_say(path, true);
	long long s = 1000000000LL;
	struct recdb_change policy = {
		.time_ns = (base - 2 * 86400 + 120) * s, .source = "module", .kind = "policy",
		.group = 1, .before = "strict", .after = "lazy", .pid = 123, .comm = "iommuctl",
	};
	struct recdb_change moved = {
		.time_ns = (base - 2999) * s, .source = "recorder", .kind = "topology", .group = 1,
		.device = "0000:00:02.0", .before = "2", .after = "1", .pid = -1,
		.detail = "0000:00:02.0 joined group 1 with 0000:00:01.0 since the last boot "
			  "(it was in group 2)",
	};
	struct recdb_change bound = {
		.time_ns = (base - 1300) * s, .source = "udev", .kind = "driver-bound", .group = 3,
		.device = "0000:00:03.0", .after = "nvme", .pid = -1,
	};
	struct recdb_fault mod = {
		.time_ns = (base - 2 * 86400 + 60) * s, .source = RECDB_SOURCE_MODULE,
		.device = "0000:00:01.0", .group = 1, .access = "write", .address = 0x1000,
		.has_address = true,
	};
	int ret = 0;

	if (!db)
		return 1;
	ret |= recdb_set_boot(db, "boot-a", (base - 2 * 86400) * s, "6.12.0");
	ret |= recdb_begin(db);
	ret |= recdb_add_fault(db, &mod);
	ret |= recdb_add_change(db, &policy);
	ret |= recdb_commit(db);
	ret |= recdb_set_boot(db, "boot-b", (base - 3000) * s, "6.12.0");
	ret |= recdb_begin(db);
	ret |= recdb_add_change(db, &moved);
	for (int i = 0; i < 3; i++) {
		struct recdb_fault f = {
			.time_ns = (base - 1800 + i * 100) * s, .source = RECDB_SOURCE_LOG,
			.device = "0000:00:02.0", .group = 1, .driver = "intel", .access = "read",
			.event = "DMA Read", .reason = "PTE Read access is not set",
			.address = 0xabc000, .has_address = true, .kmsg_seq = 10 + i,
			.has_kmsg_seq = true,
		};

		ret |= recdb_add_fault(db, &f);
	}
	mod.time_ns = (base - 1450) * s;
	ret |= recdb_add_fault(db, &mod);
	ret |= recdb_add_lost(db, (base - 1400) * s, "kmsg-overwritten", 5);
	ret |= recdb_add_change(db, &bound);
	ret |= recdb_commit(db);
	if (ret)
		printf("# %s\n", recdb_error(db));
	recdb_close(db);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--fill"))
		return fill(argv[2], atoll(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "--topology"))
		return topology(argv[2], argv[3], argc - 4, argv + 4);
	if (argc == 3 && !strcmp(argv[1], "--write-and-die"))
		write_and_die(argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: %s SCRATCH-DIR\n", argv[0]);
		return 2;
	}
	dir = argv[1];
	test_create_and_cursor();
	test_migration();
	test_totals();
	test_size_bound();
	test_topology();
	test_killed_writer(argv[0]);
	test_refusals();
	return failures ? 1 : 0;
}
