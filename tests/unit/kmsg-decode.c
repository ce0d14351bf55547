// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmsg-decode: run the kernel-log fault decoder (tool/kmsg.c) over text and
 * print one line per fault, for tests/unit/kmsg.test and for people checking a
 * log by hand.
 *
 *   kmsg-decode [--cursor SEQ] [FILE]...   (no FILE, or "-": standard input)
 *
 * --cursor SEQ reads the /dev/kmsg records as the recorder does from a saved
 * cursor (struct kmsg_cursor): records before SEQ are passed over, gaps in
 * the sequence are lost records, and a last line says so:
 *
 *   cursor next=426 skipped=2 lost=0
 *
 * Each input line is either a /dev/kmsg record ("PRI,SEQ,TS_USEC,FLAGS;TEXT",
 * with its " KEY=VALUE" lines following it) or a line of dmesg / syslog text.
 * Lines starting with '#' are comments (the test data's annotations).  The
 * output, one line per fault or rate-limit report, in a stable key=value form:
 *
 *   line=12 seq=812 ts=5140900 driver=intel device=0000:00:01.0 segment=assumed
 *   iommu=- source_id=- pasid=- access=read address=0xabc000 event="DMA Read"
 *   reason="PTE Read access is not set (fault reason 0x06)"
 *
 *   line=40 seq=- ts=9000000 driver=intel suppressed=26 function="dmar_fault"
 *
 * (each on one line).  "-" means the log did not say.  Exit status: 0; 1 when a
 * file could not be read or a record was malformed (reported on stderr, the
 * rest still decoded); 2 on bad usage.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kmsg.h"
#include "util.h"

struct input {
	const char *name;
	struct kmsg_state state;
	char *record;		/* the /dev/kmsg record being collected, or NULL */
	size_t record_len;
	unsigned long record_line;
	int status;
};

static struct kmsg_cursor cursor;
static unsigned long long resume;	/* where a restart after the last file would read again */
static bool use_cursor;

static void print_opt_dec(const char *key, bool has, unsigned long long v)
{
	if (has)
		printf(" %s=%llu", key, v);
	else
		printf(" %s=-", key);
}

static void print_opt_hex(const char *key, bool has, unsigned long long v)
{
	if (has)
		printf(" %s=0x%llx", key, v);
	else
		printf(" %s=-", key);
}

static void print_str(const char *key, const char *v)
{
	printf(" %s=%s", key, v[0] ? v : "-");
}

static void print_fault(unsigned long line, enum kmsg_result r, const struct kmsg_fault *f)
{
	printf("line=%lu", line);
	print_opt_dec("seq", f->has_seq, f->seq);
	print_opt_dec("ts", f->has_timestamp, f->timestamp_usec);
	printf(" driver=%s", kmsg_driver_name(f->driver));
	if (r == KMSG_SUPPRESSED) {
		printf(" suppressed=%llu function=\"%s\"\n", f->suppressed, f->reason);
		return;
	}
	print_str("device", f->device);
	printf(" segment=%s", !f->device[0] ? "-" : f->segment_assumed ? "assumed" : "given");
	print_str("iommu", f->iommu);
	print_opt_hex("source_id", f->has_source_id, f->source_id);
	print_opt_hex("pasid", f->has_pasid, f->pasid);
	printf(" access=%s", kmsg_access_name(f->access));
	print_opt_hex("address", f->has_address, f->address);
	printf(" event=\"%s\" reason=\"%s\"\n", f->event, f->reason);
}

/* Decode a record; print what it completes unless it is only replayed (@report false). */
static void decode(struct input *in, const struct kmsg_record *rec, unsigned long line,
		   bool report)
{
	struct kmsg_fault f;
	enum kmsg_result r = kmsg_decode(&in->state, rec, &f);

	if (r != KMSG_NOT_FAULT && report)
		print_fault(line, r, &f);
}

/* The collected /dev/kmsg record is complete: decode it. */
static void flush_record(struct input *in)
{
	struct kmsg_record rec;
	const char *why;

	if (!in->record)
		return;
	if (kmsg_parse_record(in->record, in->record_len, &rec, &why) == 0) {
		enum kmsg_step step = use_cursor ? kmsg_cursor_step(&cursor, rec.seq) :
					  KMSG_STEP_NEW;

		if (step != KMSG_STEP_SKIP)
			decode(in, &rec, in->record_line, step == KMSG_STEP_NEW);
	} else {
		warnx_("%s:%lu: record skipped: %s", in->name, in->record_line, why);
		in->status = 1;
	}
	free(in->record);
	in->record = NULL;
	in->record_len = 0;
}

/* "PRI,SEQ,TS_USEC,FLAGS;" at the start: three numbers, each followed by ','. */
static bool is_record_header(const char *line)
{
	for (int field = 0; field < 3; field++) {
		if (*line < '0' || *line > '9')
			return false;
		line += strspn(line, "0123456789");
		if (*line++ != ',')
			return false;
	}
	return strchr(line, ';') != NULL;
}

static void append_record(struct input *in, const char *line, size_t len)
{
	in->record = xrealloc(in->record, in->record_len + len + 1);
	memcpy(in->record + in->record_len, line, len);
	in->record_len += len;
	in->record[in->record_len] = '\0';
}

static void take_line(struct input *in, const char *line, size_t len, unsigned long lineno)
{
	struct kmsg_record rec;

	if (in->record && line[0] == ' ') {
		append_record(in, line, len);
		return;
	}
	flush_record(in);
	if (line[0] == '#')
		return;
	if (is_record_header(line)) {
		in->record_line = lineno;
		append_record(in, line, len);
		return;
	}
	kmsg_parse_line(line, len, &rec);
	decode(in, &rec, lineno, true);
}

static int decode_file(const char *name, FILE *fp)
{
	struct input in = { .name = name };
	char *line = NULL;
	size_t size = 0;
	ssize_t len;
	unsigned long lineno = 0;

	kmsg_state_init(&in.state);
	while ((len = getline(&line, &size, fp)) >= 0)
		take_line(&in, line, (size_t)len, ++lineno);
	flush_record(&in);
	resume = kmsg_cursor_resume(&cursor, &in.state);
	if (ferror(fp)) {
		warnx_("cannot read %s: %s", name, strerror(errno));
		in.status = 1;
	}
	free(line);
	return in.status;
}

int main(int argc, char **argv)
{
	int status = 0;

	program_name = "kmsg-decode";
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("Usage: kmsg-decode [--cursor SEQ[,REPLAY]] [FILE]...\n"
		       "Print the IOMMU faults in kernel log text (dmesg, syslog or /dev/kmsg records).\n");
		return 0;
	}
	if (argc > 2 && !strcmp(argv[1], "--cursor")) {
		char *end;

		errno = 0;
		cursor.next = strtoull(argv[2], &end, 10);
		if (*end == ',' && end[1])
			cursor.replay = strtoull(end + 1, &end, 10);
		else
			cursor.replay = cursor.next;
		if (errno || end == argv[2] || *end) {
			warnx_("--cursor '%s' is not a sequence number", argv[2]);
			return 2;
		}
		use_cursor = true;
		argv += 2;
		argc -= 2;
	}
	if (argc < 2) {
		status = decode_file("<stdin>", stdin);
		argc = 1;
	}
	for (int i = 1; i < argc; i++) {
		FILE *fp = strcmp(argv[i], "-") ? fopen(argv[i], "r") : stdin;

		if (!fp) {
			warnx_("cannot open %s: %s", argv[i], strerror(errno));
			status = 1;
			continue;
		}
		status |= decode_file(argv[i], fp);
		if (fp != stdin)
			fclose(fp);
	}
	if (use_cursor)
		printf("cursor next=%llu skipped=%llu lost=%llu\nresume %llu\n", cursor.next,
		       cursor.skipped, cursor.lost, resume);
	return status;
}
