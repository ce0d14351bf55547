// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The record's database (recdb.h): schema, migrations, writes and retention.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "groups.h"
#include "recdb.h"
#include "util.h"

/* Statements run() prepared, kept for the next call with the same SQL (its address). */
#define RECDB_STMT_CACHE 16

struct recdb {
	sqlite3 *db;
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} stmt[RECDB_STMT_CACHE];
	char *path;
	char boot_id[40];	/* "" until recdb_set_boot() */
	bool write;
};

/*
 * migrations[v] takes a database from user_version v to v + 1; the newest
 * schema is what they build in turn from an empty file.  Never change one
 * that has been released: add the next.
 */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE boots ("
	"  boot_id TEXT PRIMARY KEY,"
	"  started_ns INTEGER NOT NULL,"
	"  kernel TEXT);"
	"CREATE TABLE faults ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ns INTEGER NOT NULL,"
	"  boot_id TEXT NOT NULL,"
	"  source TEXT NOT NULL,"
	"  device TEXT,"
	"  grp INTEGER,"
	"  driver TEXT,"
	"  iommu TEXT,"
	"  access TEXT,"
	"  event TEXT,"
	"  reason TEXT,"
	"  address INTEGER,"		/* the 64 bits of the IOVA, as a signed integer */
	"  kmsg_seq INTEGER);"
	"CREATE INDEX faults_time ON faults (time_ns);"
	"CREATE INDEX faults_device ON faults (device, time_ns);"
	"CREATE TABLE changes ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ns INTEGER NOT NULL,"
	"  boot_id TEXT NOT NULL,"
	"  source TEXT NOT NULL,"	/* 'module', 'udev', 'recorder' */
	"  kind TEXT NOT NULL,"
	"  grp INTEGER,"
	"  device TEXT,"
	"  old_value TEXT,"
	"  new_value TEXT,"
	"  pid INTEGER,"
	"  comm TEXT,"
	"  detail TEXT);"
	"CREATE INDEX changes_time ON changes (time_ns);"
	"CREATE TABLE lost ("
	"  id INTEGER PRIMARY KEY,"
	"  time_ns INTEGER NOT NULL,"
	"  boot_id TEXT NOT NULL,"
	"  what TEXT NOT NULL,"
	"  count INTEGER NOT NULL);"
	/* kind: 'fault:module', 'fault:kernel-log' (key: the device, '' if none), 'lost' (key: what),
	 * 'state' (key: a value the recorder keeps, e.g. the module's drop counter as last seen) */
	"CREATE TABLE totals ("
	"  boot_id TEXT NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  key TEXT NOT NULL,"
	"  count INTEGER NOT NULL,"
	"  PRIMARY KEY (boot_id, kind, key)) WITHOUT ROWID;"
	"CREATE TABLE cursor ("
	"  boot_id TEXT PRIMARY KEY,"
	"  kmsg_next INTEGER NOT NULL);"
	"CREATE TABLE topology ("
	"  boot_id TEXT NOT NULL,"
	"  device TEXT NOT NULL,"
	"  grp INTEGER NOT NULL,"
	"  ids TEXT,"
	"  PRIMARY KEY (boot_id, device)) WITHOUT ROWID;",
	/* 1 -> 2: where to read the kernel log again (an SMMUv3 event cut by a restart). */
	"ALTER TABLE cursor ADD COLUMN kmsg_resume INTEGER;",
};

_Static_assert(ARRAY_SIZE(migrations) == RECDB_SCHEMA, "one migration per schema version");

static void set_err(char *err, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
}

const char *recdb_error(struct recdb *db)
{
	return sqlite3_errmsg(db->db);
}

const char *recdb_source_name(enum recdb_source source)
{
	return source == RECDB_SOURCE_MODULE ? "module" : "kernel-log";
}

/* One integer from a query without parameters; -1 with SQLite's code in *rc. */
static long long query_int(sqlite3 *db, const char *sql, int *rc)
{
	sqlite3_stmt *st;
	long long v = -1;

	*rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	if (*rc != SQLITE_OK)
		return -1;
	*rc = sqlite3_step(st);
	if (*rc == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*rc = SQLITE_OK;
	}
	sqlite3_finalize(st);
	return v;
}

static bool is_corrupt(int rc)
{
	return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* PRAGMA quick_check: "ok", or the first problem in @why. */
static int quick_check(sqlite3 *db, char *why, size_t size)
{
	sqlite3_stmt *st;
	int rc;

	rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		snprintf(why, size, "%s", sqlite3_errmsg(db));
		return -1;
	}
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		snprintf(why, size, "%s", sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return -1;
	}
	snprintf(why, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	/* "*** in database main ***\nPage 4: ...": one line for a message. */
	for (char *p = why; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return strcmp(why, "ok") ? -1 : 0;
}

static int migrate(struct recdb *r, long long from, char *err, size_t errsize)
{
	char *msg = NULL;
	char sql[64];

	if (sqlite3_exec(r->db, "BEGIN IMMEDIATE", NULL, NULL, &msg) != SQLITE_OK)
		goto fail;
	for (long long v = from; v < RECDB_SCHEMA; v++)
		if (sqlite3_exec(r->db, migrations[v], NULL, NULL, &msg) != SQLITE_OK)
			goto fail_rollback;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", RECDB_SCHEMA);
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		goto fail_rollback;
	snprintf(sql, sizeof(sql), "PRAGMA application_id = %d", RECDB_APPLICATION_ID);
	if (sqlite3_exec(r->db, sql, NULL, NULL, &msg) != SQLITE_OK)
		goto fail_rollback;
	if (sqlite3_exec(r->db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK)
		goto fail_rollback;
	return 0;

fail_rollback:
	sqlite3_exec(r->db, "ROLLBACK", NULL, NULL, NULL);
fail:
	if (from)
		set_err(err, errsize, "%s: cannot update the record from schema %lld to %d: %s; "
			"it is left as it was", r->path, from, RECDB_SCHEMA,
			msg ? msg : sqlite3_errmsg(r->db));
	else
		set_err(err, errsize, "%s: cannot create the record: %s", r->path,
			msg ? msg : sqlite3_errmsg(r->db));
	sqlite3_free(msg);
	return -1;
}

/* Is this our database, in a schema we know?  Migrates an older one when writing. */
static int check_schema(struct recdb *r, char *err, size_t errsize)
{
	long long app, version, tables;
	char why[256];
	int rc;

	app = query_int(r->db, "PRAGMA application_id", &rc);
	if (rc == SQLITE_OK)
		version = query_int(r->db, "PRAGMA user_version", &rc);
	if (rc == SQLITE_OK)
		tables = query_int(r->db, "SELECT count(*) FROM sqlite_schema", &rc);
	if (rc != SQLITE_OK) {
		if (is_corrupt(rc))
			set_err(err, errsize, "%s: not an iommuctl record, or a damaged one (%s); "
				"move it aside and the recorder starts a new one", r->path,
				sqlite3_errstr(rc));
		else
			set_err(err, errsize, "%s: cannot read the record: %s", r->path,
				sqlite3_errmsg(r->db));
		return -1;
	}
	if ((app || tables) && app != RECDB_APPLICATION_ID) {
		set_err(err, errsize, "%s: an SQLite database, but not an iommuctl record "
			"(application_id 0x%llx, %lld tables); point iommuctl at its own record or move "
			"this file aside", r->path, (unsigned long long)app, tables);
		return -1;
	}
	if (version > RECDB_SCHEMA) {
		set_err(err, errsize, "%s: written by a newer iommuctl (schema %lld; this one "
			"knows %d); upgrade iommuctl (the record is left as it is)", r->path, version,
			RECDB_SCHEMA);
		return -1;
	}
	if (r->write && quick_check(r->db, why, sizeof(why))) {
		set_err(err, errsize, "%s: the record is damaged (%s); move it aside (keep it "
			"for 'sqlite3 %s .recover') and the recorder starts a new one", r->path, why,
			r->path);
		return -1;
	}
	if (version < RECDB_SCHEMA && !tables && !r->write) {
		set_err(err, errsize, "%s: an empty record: has iommuctl-recorder.service ever run?",
			r->path);
		return -1;
	}
	if (version < RECDB_SCHEMA) {
		if (!r->write) {
			set_err(err, errsize, "%s: an older record (schema %lld); start "
				"iommuctl-recorder.service once to update it to %d", r->path, version,
				RECDB_SCHEMA);
			return -1;
		}
		/*
		 * A new file: pages freed by retention are given back to the
		 * file system (recdb_prune()); SQLite takes this only before
		 * the first table.
		 */
		if (!tables)
			sqlite3_exec(r->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL);
		return migrate(r, version, err, errsize);
	}
	return 0;
}

int recdb_open(const char *path, bool write, struct recdb **out, char *err, size_t errsize)
{
	struct recdb *r;
	int flags, rc;
	char *msg = NULL;

	*out = NULL;
	if (!write && access(path, F_OK)) {
		int e = errno;

		if (e == ENOENT)
			set_err(err, errsize, "%s: no record yet: start iommuctl-recorder.service "
				"(systemctl enable --now iommuctl-recorder.service)", path);
		else
			set_err(err, errsize, "%s: %s%s", path, strerror(e),
				e == EACCES ? " (the record is root's: run it as root)" : "");
		return -1;
	}
	r = xcalloc(1, sizeof(*r));
	r->path = xstrdup(path);
	r->write = write;
	flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	rc = sqlite3_open_v2(path, &r->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		set_err(err, errsize, "%s: cannot open the record: %s%s", path,
			r->db ? sqlite3_errmsg(r->db) : sqlite3_errstr(rc),
			rc == SQLITE_CANTOPEN && !write ? " (run it as root?)" : "");
		goto fail;
	}
	sqlite3_extended_result_codes(r->db, 0);
	/* The recorder writes while history reads: wait for each other a while. */
	sqlite3_busy_timeout(r->db, 5000);
	if (check_schema(r, err, errsize))
		goto fail;
	if (write) {
		/*
		 * WAL: readers never block the writer; FULL: a commit is on disk
		 * before the recorder goes on (a power loss keeps every batch it
		 * committed, and the cursor with it).
		 */
		rc = sqlite3_exec(r->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL",
				  NULL, NULL, &msg);
		if (rc != SQLITE_OK) {
			set_err(err, errsize, "%s: cannot set the record's journal mode: %s", path,
				msg ? msg : sqlite3_errmsg(r->db));
			sqlite3_free(msg);
			goto fail;
		}
		chmod(path, 0600);
	}
	*out = r;
	return 0;
fail:
	recdb_close(r);
	return -1;
}

/* The pid in a lock file; 0 if none. */
static long lock_pid(int fd)
{
	char buf[24] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);

	return n > 0 ? strtol(buf, NULL, 10) : 0;
}

int recdb_lock(const char *path, char *err, size_t errsize)
{
	char *lock = xasprintf("%s.lock", path), pid[24];
	int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0) {
		set_err(err, errsize, "%s: cannot open: %s", lock, strerror(errno));
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		long holder = lock_pid(fd);

		if (errno == EWOULDBLOCK)
			set_err(err, errsize, "%s is being recorded by another iommuctl record "
				"(pid %ld); stop it first (systemctl stop iommuctl-recorder.service), "
				"or record elsewhere with --database", path, holder);
		else
			set_err(err, errsize, "%s: cannot lock: %s", lock, strerror(errno));
		close(fd);
		goto fail;
	}
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	/* The pid is for messages only: a failure to write it changes nothing. */
	if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, strlen(pid), 0) != (ssize_t)strlen(pid))
		warnx_("%s: cannot write the pid: %s", lock, strerror(errno));
	free(lock);
	return fd;
fail:
	free(lock);
	return -1;
}

int recdb_recorder(const char *path, long *pid, char *err, size_t errsize)
{
	char *lock = xasprintf("%s.lock", path);
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW), ret = 0;

	*pid = 0;
	if (fd < 0) {
		ret = errno == ENOENT ? 0 : -1;
		if (ret)
			set_err(err, errsize, "%s: %s", lock, strerror(errno));
	} else if (flock(fd, LOCK_SH | LOCK_NB)) {
		ret = errno == EWOULDBLOCK ? 1 : -1;
		if (ret == 1)
			*pid = lock_pid(fd);
		else
			set_err(err, errsize, "%s: cannot lock: %s", lock, strerror(errno));
	}
	if (fd >= 0)
		close(fd);	/* and with it the shared lock */
	free(lock);
	return ret;
}

void recdb_close(struct recdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < RECDB_STMT_CACHE && db->stmt[i].sql; i++)
		sqlite3_finalize(db->stmt[i].st);
	sqlite3_close(db->db);
	free(db->path);
	free(db);
}

static int exec(struct recdb *db, const char *sql)
{
	return sqlite3_exec(db->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : -1;
}

int recdb_begin(struct recdb *db)
{
	return exec(db, "BEGIN IMMEDIATE");
}

int recdb_commit(struct recdb *db)
{
	return exec(db, "COMMIT");
}

void recdb_rollback(struct recdb *db)
{
	if (!sqlite3_get_autocommit(db->db))
		exec(db, "ROLLBACK");
}

/*
 * Bind @fmt's parameters in turn and step once: 'i' a long long, 'I' a long
 * long that is NULL when negative, 's' a string that is NULL when NULL, 'u'
 * an unsigned long long stored as its 64 bits, 'U' an int (has it) and an
 * unsigned long long (NULL when it has not).
 */
/*
 * A statement of @sql (a string literal: its address is its key), prepared
 * once; reset for reuse.  The recorder runs the same few for every event:
 * preparing each again cost more than the insert itself.  NULL on failure.
 */
static sqlite3_stmt *prepared(struct recdb *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < RECDB_STMT_CACHE && db->stmt[i].sql; i++)
		if (db->stmt[i].sql == sql) {
			sqlite3_reset(db->stmt[i].st);
			sqlite3_clear_bindings(db->stmt[i].st);
			return db->stmt[i].st;
		}
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	if (i < RECDB_STMT_CACHE) {
		db->stmt[i].sql = sql;
		db->stmt[i].st = st;
	}
	return st;
}

/* Done with a statement of prepared(): reset if cached (its locks go), else finalized. */
static void unprepare(struct recdb *db, sqlite3_stmt *st)
{
	for (size_t i = 0; i < RECDB_STMT_CACHE && db->stmt[i].sql; i++)
		if (db->stmt[i].st == st) {
			sqlite3_reset(st);
			return;
		}
	sqlite3_finalize(st);
}

/* Bind @fmt's values (see run()), step once, and let @st go (unprepare()). */
static int vrun(struct recdb *db, sqlite3_stmt *st, const char *fmt, va_list ap)
{
	int rc, i = 1;

	for (const char *p = fmt; *p; p++, i++) {
		long long v;
		const char *s;

		switch (*p) {
		case 'i':
			sqlite3_bind_int64(st, i, va_arg(ap, long long));
			break;
		case 'I':
			v = va_arg(ap, long long);
			if (v < 0)
				sqlite3_bind_null(st, i);
			else
				sqlite3_bind_int64(st, i, v);
			break;
		case 'u':
			sqlite3_bind_int64(st, i, (sqlite3_int64)va_arg(ap, unsigned long long));
			break;
		case 'U': {
			int has = va_arg(ap, int);
			unsigned long long u = va_arg(ap, unsigned long long);

			if (has)
				sqlite3_bind_int64(st, i, (sqlite3_int64)u);
			else
				sqlite3_bind_null(st, i);
			break;
		}
		case 's':
			s = va_arg(ap, const char *);
			if (s)
				sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
			else
				sqlite3_bind_null(st, i);
			break;
		}
	}
	rc = sqlite3_step(st);
	unprepare(db, st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/*
 * Run @sql, a string literal (its statement is kept: prepared()), with
 * values by @fmt: i (long long), I (long long, NULL if negative),
 * u (unsigned long long), U (int has, unsigned long long: NULL unless has),
 * s (string, NULL as NULL).  0, or -1 (recdb_error()).
 */
static int run(struct recdb *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st = prepared(db, sql);
	va_list ap;
	int ret;

	if (!st)
		return -1;
	va_start(ap, fmt);
	ret = vrun(db, st, fmt, ap);
	va_end(ap);
	return ret;
}

/* The same of SQL made at run time (prepared each time: its address is no key). */
static int run_made(struct recdb *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int ret;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, fmt);
	ret = vrun(db, st, fmt, ap);
	va_end(ap);
	return ret;
}

int recdb_set_boot(struct recdb *db, const char *boot_id, long long started_ns,
		   const char *kernel)
{
	snprintf(db->boot_id, sizeof(db->boot_id), "%s", boot_id);
	return run(db, "INSERT OR IGNORE INTO boots (boot_id, started_ns, kernel) VALUES (?, ?, ?)",
		   "sis", boot_id, started_ns, kernel);
}

/* One integer of a query with the boot as ?1; @none when there is no row or it is NULL. */
static int boot_int(struct recdb *db, const char *sql, long long none, long long *out)
{
	sqlite3_stmt *st;
	int rc;

	*out = none;
	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int recdb_use_boot(struct recdb *db, const char *boot_id, bool *recorded)
{
	long long n;

	snprintf(db->boot_id, sizeof(db->boot_id), "%s", boot_id);
	if (boot_int(db, "SELECT count(*) FROM boots WHERE boot_id = ?1", 0, &n))
		return -1;
	*recorded = n > 0;
	return 0;
}

int recdb_get_cursor(struct recdb *db, unsigned long long *next_seq,
		     unsigned long long *resume_seq)
{
	sqlite3_stmt *st;
	int rc;

	*next_seq = *resume_seq = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT kmsg_next, coalesce(kmsg_resume, kmsg_next) "
			       "FROM cursor WHERE boot_id = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*next_seq = (unsigned long long)sqlite3_column_int64(st, 0);
		*resume_seq = (unsigned long long)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

int recdb_set_cursor(struct recdb *db, unsigned long long next_seq,
		     unsigned long long resume_seq)
{
	return run(db, "INSERT INTO cursor (boot_id, kmsg_next, kmsg_resume) VALUES (?, ?, ?) "
		   "ON CONFLICT (boot_id) DO UPDATE SET kmsg_next = excluded.kmsg_next, "
		   "kmsg_resume = excluded.kmsg_resume",
		   "suu", db->boot_id, next_seq, resume_seq);
}

static int add_total(struct recdb *db, const char *kind, const char *key,
		     unsigned long long count)
{
	return run(db, "INSERT INTO totals (boot_id, kind, key, count) VALUES (?, ?, ?, ?) "
		   "ON CONFLICT (boot_id, kind, key) DO UPDATE SET count = count + excluded.count",
		   "sssu", db->boot_id, kind, key, count);
}

static const char *fault_kind(enum recdb_source source)
{
	return source == RECDB_SOURCE_MODULE ? "fault:module" : "fault:kernel-log";
}

int recdb_add_fault(struct recdb *db, const struct recdb_fault *f)
{
	if (run(db, "INSERT INTO faults (time_ns, boot_id, source, device, grp, driver, iommu, "
		"access, event, reason, address, kmsg_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		"isssIsssssUU", f->time_ns, db->boot_id, recdb_source_name(f->source), f->device,
		f->group, f->driver, f->iommu, f->access, f->event, f->reason,
		(int)f->has_address, f->address, (int)f->has_kmsg_seq, f->kmsg_seq))
		return -1;
	return add_total(db, fault_kind(f->source), f->device ? f->device : "", 1);
}

int recdb_add_change(struct recdb *db, const struct recdb_change *c)
{
	return run(db, "INSERT INTO changes (time_ns, boot_id, source, kind, grp, device, "
		   "old_value, new_value, pid, comm, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		   "isssIsssIss", c->time_ns, db->boot_id, c->source, c->kind, c->group,
		   c->device, c->before, c->after, c->pid, c->comm, c->detail);
}

int recdb_add_lost(struct recdb *db, long long time_ns, const char *what,
		   unsigned long long count)
{
	if (!count)
		return 0;
	if (run(db, "INSERT INTO lost (time_ns, boot_id, what, count) VALUES (?, ?, ?, ?)",
		"issu", time_ns, db->boot_id, what, count))
		return -1;
	return add_total(db, "lost", what, count);
}

/* This boot's total of @kind and @key (0 when there is none: *has false, if asked). */
static int get_total_has(struct recdb *db, const char *kind, const char *key,
			 unsigned long long *total, bool *has)
{
	sqlite3_stmt *st;
	int rc;

	*total = 0;
	if (sqlite3_prepare_v2(db->db, "SELECT count FROM totals WHERE boot_id = ? AND kind = ? "
			       "AND key = ?", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*total = (unsigned long long)sqlite3_column_int64(st, 0);
	if (has)
		*has = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
}

static int get_total(struct recdb *db, const char *kind, const char *key,
		     unsigned long long *total)
{
	return get_total_has(db, kind, key, total, NULL);
}

int recdb_fault_total(struct recdb *db, const char *device, enum recdb_source source,
		      unsigned long long *total)
{
	return get_total(db, fault_kind(source), device ? device : "", total);
}

int recdb_get_state(struct recdb *db, const char *key, unsigned long long *value, bool *has)
{
	return get_total_has(db, "state", key, value, has);
}

int recdb_set_state(struct recdb *db, const char *key, unsigned long long value)
{
	return run(db, "INSERT INTO totals (boot_id, kind, key, count) VALUES (?, 'state', ?, ?) "
		   "ON CONFLICT (boot_id, kind, key) DO UPDATE SET count = excluded.count",
		   "ssu", db->boot_id, key, value);
}

int recdb_lost_total(struct recdb *db, const char *what, unsigned long long *total)
{
	return get_total(db, "lost", what, total);
}

int recdb_log_totals(struct recdb *db,
		     void (*fn)(const struct recdb_log_total *t, void *arg), void *arg)
{
	/* The newest fault of each: through faults_device (device, time_ns). */
	static const char sql[] =
		"SELECT t.key, t.count, f.time_ns, f.access, f.address FROM totals t "
		"LEFT JOIN faults f ON f.id = (SELECT g.id FROM faults g WHERE "
		"g.device IS nullif(t.key, '') AND g.boot_id = t.boot_id AND "
		"g.source = 'kernel-log' ORDER BY g.time_ns DESC, g.id DESC LIMIT 1) "
		"WHERE t.boot_id = ?1 AND t.kind = 'fault:kernel-log' ORDER BY t.key";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(st, 0);
		struct recdb_log_total t = {
			.device = key && key[0] ? key : NULL,
			.faults = (unsigned long long)sqlite3_column_int64(st, 1),
			.last_ns = sqlite3_column_int64(st, 2),
			.access = (const char *)sqlite3_column_text(st, 3),
			.address = (unsigned long long)sqlite3_column_int64(st, 4),
			.has_address = sqlite3_column_type(st, 4) != SQLITE_NULL,
		};

		fn(&t, arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int recdb_lost_totals(struct recdb *db,
		      void (*fn)(const char *what, unsigned long long count, void *arg), void *arg)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->db, "SELECT key, count FROM totals WHERE boot_id = ?1 AND "
			       "kind = 'lost' ORDER BY key", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		fn((const char *)sqlite3_column_text(st, 0),
		   (unsigned long long)sqlite3_column_int64(st, 1), arg);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int recdb_last_event_ns(struct recdb *db, long long *ns)
{
	/* Each through its time index, newest first. */
	return boot_int(db, "SELECT max(t) FROM ("
			"SELECT (SELECT time_ns FROM faults WHERE boot_id = ?1 "
			"ORDER BY time_ns DESC LIMIT 1) AS t UNION ALL "
			"SELECT (SELECT time_ns FROM changes WHERE boot_id = ?1 "
			"ORDER BY time_ns DESC LIMIT 1) UNION ALL "
			"SELECT (SELECT time_ns FROM lost WHERE boot_id = ?1 "
			"ORDER BY time_ns DESC LIMIT 1))", 0, ns);
}

int recdb_has_topology(struct recdb *db, bool *has)
{
	long long n;
	int ret = boot_int(db, "SELECT EXISTS (SELECT 1 FROM topology WHERE boot_id = ?1)", 0, &n);

	*has = n > 0;
	return ret;
}

int recdb_topology_changes(struct recdb *db, unsigned long long *count)
{
	long long n;
	int ret = boot_int(db, "SELECT count(*) FROM changes WHERE boot_id = ?1 AND "
			   "kind = 'topology'", 0, &n);

	*count = (unsigned long long)n;
	return ret;
}

int recdb_previous_topology(struct recdb *db, struct recdb_topo **prev, size_t *nprev)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int rc;

	*prev = NULL;
	*nprev = 0;
	/* The newest other boot that recorded a topology. */
	if (sqlite3_prepare_v2(db->db, "SELECT t.device, t.grp, t.ids FROM topology t WHERE "
			       "t.boot_id = (SELECT b.boot_id FROM boots b WHERE b.boot_id != ?1 AND "
			       "EXISTS (SELECT 1 FROM topology u WHERE u.boot_id = b.boot_id) "
			       "ORDER BY b.started_ns DESC LIMIT 1) ORDER BY t.device",
			       -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, db->boot_id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct recdb_topo *t;
		const unsigned char *ids = sqlite3_column_text(st, 2);

		if (*nprev == cap) {
			cap = cap ? 2 * cap : 64;
			*prev = xrealloc(*prev, cap * sizeof(**prev));
		}
		t = &(*prev)[(*nprev)++];
		snprintf(t->device, sizeof(t->device), "%s", sqlite3_column_text(st, 0));
		t->group = sqlite3_column_int64(st, 1);
		snprintf(t->ids, sizeof(t->ids), "%s", ids ? (const char *)ids : "");
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	free(*prev);
	*prev = NULL;
	*nprev = 0;
	return -1;
}

int recdb_set_topology(struct recdb *db, const struct recdb_topo *topo, size_t n,
		       struct recdb_topo **prev, size_t *nprev)
{
	if (recdb_previous_topology(db, prev, nprev))
		return -1;
	/* This boot's, whole: recorded again, it replaces what the boot had. */
	if (run(db, "DELETE FROM topology WHERE boot_id = ?", "s", db->boot_id))
		goto fail;
	for (size_t i = 0; i < n; i++)
		if (run(db, "INSERT INTO topology (boot_id, device, grp, ids) VALUES (?, ?, ?, ?)",
			"ssis", db->boot_id, topo[i].device, topo[i].group, topo[i].ids))
			goto fail;
	return 0;
fail:
	free(*prev);
	*prev = NULL;
	*nprev = 0;
	return -1;
}

struct recdb_topo *recdb_topology_of(const struct ic_group_list *list, size_t *n)
{
	struct recdb_topo *topo = NULL;

	*n = 0;
	for (size_t g = 0; g < list->count; g++) {
		const struct ic_group *grp = &list->groups[g];

		for (size_t d = 0; d < grp->ndevices; d++) {
			struct recdb_topo *t;

			topo = xrealloc(topo, (*n + 1) * sizeof(*topo));
			t = &topo[(*n)++];
			snprintf(t->device, sizeof(t->device), "%s", grp->devices[d].name);
			t->group = grp->id;
			if (grp->devices[d].pci)
				snprintf(t->ids, sizeof(t->ids), "%04x:%04x", grp->devices[d].vendor,
					 grp->devices[d].device);
			else
				t->ids[0] = '\0';
		}
	}
	return topo;
}

static const struct recdb_topo *topo_find(const struct recdb_topo *t, size_t n, const char *dev)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(t[i].device, dev))
			return &t[i];
	return NULL;
}

/* "a, b, c": @list with @dev added. */
static char *list_add(char *list, const char *dev)
{
	char *l = xasprintf("%s%s%s", list ? list : "", list ? ", " : "", dev);

	free(list);
	return l;
}

void recdb_topology_diff(const struct recdb_topo *now, size_t n,
			 const struct recdb_topo *prev, size_t nprev,
			 void (*fn)(const struct recdb_topo *dev, long long prev_group,
				    const char *msg, void *arg), void *arg)
{
	for (size_t i = 0; i < n; i++) {
		const struct recdb_topo *p = topo_find(prev, nprev, now[i].device);
		char *joined = NULL, *left = NULL, *msg;

		if (!p)
			continue;	/* new: its group-mates report it */
		for (size_t j = 0; j < n; j++) {
			const struct recdb_topo *q = topo_find(prev, nprev, now[j].device);

			if (j != i && now[j].group == now[i].group && (!q || q->group != p->group))
				joined = list_add(joined, now[j].device);
			else if (j != i && now[j].group != now[i].group && q && q->group == p->group)
				left = list_add(left, now[j].device);
		}
		if (!joined && !left)
			continue;
		if (joined && p->group != now[i].group)
			msg = xasprintf("%s joined group %lld with %s since the last boot (it was "
					"in group %lld)%s%s", now[i].device, now[i].group, joined,
					p->group, left ? "; it no longer shares one with " : "",
					left ? left : "");
		else if (joined)
			msg = xasprintf("%s joined group %lld with %s since the last boot%s%s",
					now[i].device, now[i].group, joined,
					left ? "; it no longer shares one with " : "", left ? left : "");
		else
			msg = xasprintf("%s no longer shares an IOMMU group with %s since the last "
					"boot (group %lld, was %lld)", now[i].device, left,
					now[i].group, p->group);
		fn(&now[i], p->group, msg, arg);
		free(joined);
		free(left);
		free(msg);
	}
}

/* Bytes the record's pages hold (its free pages not counted). */
static long long used_bytes(struct recdb *db)
{
	long long pages, free_pages, size;
	int rc;

	pages = query_int(db->db, "PRAGMA page_count", &rc);
	if (rc == SQLITE_OK)
		free_pages = query_int(db->db, "PRAGMA freelist_count", &rc);
	if (rc == SQLITE_OK)
		size = query_int(db->db, "PRAGMA page_size", &rc);
	return rc == SQLITE_OK ? (pages - free_pages) * size : -1;
}

int recdb_prune(struct recdb *db, long long before_ns, unsigned long long max_bytes,
		unsigned long long *deleted)
{
	static const char *const tables[] = { "faults", "changes", "lost" };
	char sql[160];
	long long used;

	*deleted = 0;
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE time_ns < ?", tables[i]);
		if (run_made(db, sql, "i", before_ns))
			return -1;
		*deleted += sqlite3_changes(db->db);
	}
	/*
	 * Boots past retention go with their topology and totals, but not this
	 * one, nor the newest before it: the next boot compares its topology
	 * with that one's however long the machine was off.
	 */
	if (run(db, "CREATE TEMP TABLE IF NOT EXISTS expired (boot_id TEXT PRIMARY KEY)", "") ||
	    run(db, "DELETE FROM temp.expired", "") ||
	    run(db, "INSERT INTO temp.expired SELECT boot_id FROM boots WHERE started_ns < ?1 "
		"AND boot_id != ?2 AND boot_id != (SELECT boot_id FROM boots WHERE boot_id != ?2 "
		"ORDER BY started_ns DESC LIMIT 1)", "is", before_ns, db->boot_id) ||
	    run(db, "DELETE FROM topology WHERE boot_id IN temp.expired", "") ||
	    run(db, "DELETE FROM totals WHERE boot_id IN temp.expired", "") ||
	    run(db, "DELETE FROM boots WHERE boot_id IN temp.expired", "") ||
	    run(db, "DELETE FROM cursor WHERE boot_id != ?", "s", db->boot_id))
		return -1;
	/* Then the oldest rows, a thousand at a time, until the pages fit. */
	while (max_bytes && (used = used_bytes(db)) > (long long)max_bytes) {
		unsigned long long n = 0;

		if (used < 0)
			return -1;
		for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
			snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id IN (SELECT id FROM %s "
				 "ORDER BY time_ns LIMIT 1000)", tables[i], tables[i]);
			if (run_made(db, sql, ""))
				return -1;
			n += sqlite3_changes(db->db);
		}
		if (!n)
			break;	/* nothing left to delete: totals and topology only */
		*deleted += n;
	}
	/*
	 * The file shrinks to what is used (at the next WAL checkpoint); the
	 * pragma frees a page per step: exec steps it to the end.
	 */
	return exec(db, "PRAGMA incremental_vacuum");
}

/* --- queries ------------------------------------------------------------------------ */

static const char *col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static long long col_int_or(sqlite3_stmt *st, int i, long long none)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? none : sqlite3_column_int64(st, i);
}

/* The filter's window, device and group: ?1 since, ?2 until, ?3 device, ?4 group. */
#define FILTER_WHERE "time_ns >= ?1 AND time_ns < ?2 AND (?3 IS NULL OR device = ?3) " \
		     "AND (?4 IS NULL OR grp = ?4)"

static void bind_filter(sqlite3_stmt *st, const struct recdb_filter *f)
{
	sqlite3_bind_int64(st, 1, f->since_ns);
	sqlite3_bind_int64(st, 2, f->until_ns);
	if (f->device)
		sqlite3_bind_text(st, 3, f->device, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	if (f->group >= 0)
		sqlite3_bind_int64(st, 4, f->group);
	else
		sqlite3_bind_null(st, 4);
}

int recdb_query(struct recdb *db, const struct recdb_filter *f,
		void (*fn)(const struct recdb_row *row, void *arg), void *arg)
{
	/*
	 * One ordered stream of the three tables, in the same 19 columns: type,
	 * time, id, boot, source, kind, device, group, driver, iommu, access,
	 * reason, address, before, after, pid, comm, detail, count.
	 */
	static const char sql[] =
		"SELECT 1, time_ns, id, boot_id, source, event, device, grp, driver, iommu, "
		"access, reason, address, NULL, NULL, NULL, NULL, NULL, NULL "
		"FROM faults WHERE (?5 & 1) AND " FILTER_WHERE " "
		"UNION ALL "
		"SELECT CASE kind WHEN 'topology' THEN 4 ELSE 2 END, time_ns, id, boot_id, source, "
		"kind, device, grp, NULL, NULL, NULL, NULL, NULL, old_value, new_value, pid, comm, "
		"detail, NULL FROM changes WHERE (?5 & CASE kind WHEN 'topology' THEN 4 ELSE 2 END) "
		"AND " FILTER_WHERE " "
		"UNION ALL "
		"SELECT 8, time_ns, id, boot_id, NULL, what, NULL, NULL, NULL, NULL, NULL, NULL, "
		"NULL, NULL, NULL, NULL, NULL, NULL, count FROM lost WHERE (?5 & 8) AND "
		"?3 IS NULL AND ?4 IS NULL AND time_ns >= ?1 AND time_ns < ?2 "
		"ORDER BY 2, 1, 3";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_filter(st, f);
	sqlite3_bind_int(st, 5, (int)f->types);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct recdb_row row = {
			.type = (enum recdb_type)sqlite3_column_int(st, 0),
			.time_ns = sqlite3_column_int64(st, 1),
			.boot_id = col_text(st, 3),
			.source = col_text(st, 4),
			.kind = col_text(st, 5),
			.device = col_text(st, 6),
			.group = col_int_or(st, 7, -1),
			.driver = col_text(st, 8),
			.iommu = col_text(st, 9),
			.access = col_text(st, 10),
			.reason = col_text(st, 11),
			.has_address = sqlite3_column_type(st, 12) != SQLITE_NULL,
			.address = (unsigned long long)sqlite3_column_int64(st, 12),
			.before = col_text(st, 13),
			.after = col_text(st, 14),
			.pid = col_int_or(st, 15, -1),
			.comm = col_text(st, 16),
			.detail = col_text(st, 17),
			.count = (unsigned long long)sqlite3_column_int64(st, 18),
		};

		fn(&row, arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int recdb_summarize(struct recdb *db, const struct recdb_filter *f,
		    void (*fn)(const struct recdb_summary *s, void *arg), void *arg)
{
	/* The group: that of the device's newest fault from the source in the window. */
	static const char sql[] =
		"SELECT device, source, count(*), min(time_ns), max(time_ns), "
		"(SELECT g.grp FROM faults g WHERE g.device IS f.device AND g.source = f.source "
		"AND g.time_ns >= ?1 AND g.time_ns < ?2 ORDER BY g.time_ns DESC LIMIT 1) "
		"FROM faults f WHERE " FILTER_WHERE " "
		"GROUP BY device, source ORDER BY device IS NULL, device, source";
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	bind_filter(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct recdb_summary sum = {
			.device = col_text(st, 0),
			.source = col_text(st, 1),
			.faults = (unsigned long long)sqlite3_column_int64(st, 2),
			.first_ns = sqlite3_column_int64(st, 3),
			.last_ns = sqlite3_column_int64(st, 4),
			.group = col_int_or(st, 5, -1),
		};

		fn(&sum, arg);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}
