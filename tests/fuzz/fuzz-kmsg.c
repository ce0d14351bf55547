// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer target: the kernel-log fault decoder (tool/kmsg.c).
 *
 * The input is a log as iommuctl meets it: lines of dmesg / syslog text and
 * /dev/kmsg records ("PRI,SEQ,TS_USEC,FLAGS;TEXT" then " KEY=VALUE" lines),
 * decoded in order with one struct kmsg_state, as `iommuctl stats --log` and
 * `monitor` do, so that SMMUv3's five-line events are collected across
 * records.  The whole input is also given to kmsg_parse_record() as one
 * read(2) of /dev/kmsg.  Every buffer handed to the parser is a heap copy of
 * exactly its length, without a terminating NUL, so that AddressSanitizer
 * sees any read past it.
 *
 * Beyond crashes, the decoder's contract is checked: every string it fills
 * is terminated within its array, a result other than a fault leaves the
 * fault zeroed, and a fault says which driver logged it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "kmsg.h"


static void check_string(const char *s, size_t size, const char *what)
{
	FUZZ_CHECK(memchr(s, '\0', size) != NULL, "%s is not terminated within its %zu bytes", what,
	      size);
}

static void check_record(const struct kmsg_record *rec)
{
	check_string(rec->text, sizeof(rec->text), "record text");
	check_string(rec->subsystem, sizeof(rec->subsystem), "record subsystem");
	check_string(rec->device, sizeof(rec->device), "record device");
	FUZZ_CHECK(rec->level >= -1 && rec->level <= 7, "level %d", rec->level);
	FUZZ_CHECK(rec->facility >= -1, "facility %d", rec->facility);
}

static void check_fault(enum kmsg_result r, const struct kmsg_fault *f)
{
	static const struct kmsg_fault zero;

	FUZZ_CHECK(r == KMSG_NOT_FAULT || r == KMSG_FAULT || r == KMSG_SUPPRESSED, "result %d", r);
	if (r == KMSG_NOT_FAULT) {
		FUZZ_CHECK(!memcmp(f, &zero, sizeof(zero)), "a line that is no fault left fields set");
		return;
	}
	check_string(f->device, sizeof(f->device), "fault device");
	check_string(f->iommu, sizeof(f->iommu), "fault iommu");
	check_string(f->event, sizeof(f->event), "fault event");
	check_string(f->reason, sizeof(f->reason), "fault reason");
	FUZZ_CHECK(f->driver != KMSG_DRIVER_NONE, "a fault of no driver (event \"%s\")", f->event);
	FUZZ_CHECK(f->access <= KMSG_ACCESS_WRITE, "access %d", f->access);
	/* What the names are used for: printing them; they must be known. */
	FUZZ_CHECK(strcmp(kmsg_driver_name(f->driver), "none") != 0, "driver %d", f->driver);
	(void)kmsg_access_name(f->access);
}

static void decode(struct kmsg_state *st, const struct kmsg_record *rec)
{
	struct kmsg_fault f;
	enum kmsg_result r;

	check_record(rec);
	memset(&f, 0xa5, sizeof(f));	/* the decoder must set or clear every byte it leaves */
	r = kmsg_decode(st, rec, &f);
	check_fault(r, &f);
}

/* Copy [p, p + len) to the heap, unterminated: a read past len is an ASan report. */
static char *exact_copy(const uint8_t *p, size_t len)
{
	char *copy = malloc(len ? len : 1);

	if (!copy)
		abort();
	memcpy(copy, p, len);
	return copy;
}

/* "PRI,SEQ,TS_USEC,FLAGS;" starts a /dev/kmsg record (as tests/unit/kmsg-decode sees it). */
static int is_record_start(const uint8_t *p, size_t len)
{
	size_t i = 0;

	for (int field = 0; field < 3; field++) {
		size_t digits = 0;

		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++, digits++;
		if (!digits || i >= len || p[i] != ',')
			return 0;
		i++;
	}
	return memchr(p + i, ';', len - i) != NULL;
}

static void parse_record(struct kmsg_state *st, const uint8_t *p, size_t len)
{
	struct kmsg_record rec;
	const char *why = NULL;
	char *copy = exact_copy(p, len);

	if (kmsg_parse_record(copy, len, &rec, &why) == 0)
		decode(st, &rec);
	else
		FUZZ_CHECK(why && *why, "a refused record without a reason");
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kmsg_state st;
	struct kmsg_record rec;
	const uint8_t *end = data + size, *line = data;
	const uint8_t *record = NULL;	/* the record being collected */
	size_t record_len = 0;
	const char *why;
	char *copy;

	/* The whole input as one read() of /dev/kmsg. */
	kmsg_state_init(&st);
	copy = exact_copy(data, size);
	if (kmsg_parse_record(copy, size, &rec, &why) == 0)
		decode(&st, &rec);
	free(copy);

	/* Line by line, records with their " KEY=VALUE" lines, one state throughout. */
	kmsg_state_init(&st);
	while (line < end) {
		const uint8_t *nl = memchr(line, '\n', (size_t)(end - line));
		size_t len = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (record && len && line[0] == ' ') {
			record_len = (size_t)(line + len - record);
		} else {
			if (record)
				parse_record(&st, record, record_len);
			record = NULL;
			if (is_record_start(line, len)) {
				record = line;
				record_len = len;
			} else {
				copy = exact_copy(line, len);
				kmsg_parse_line(copy, len, &rec);
				free(copy);
				decode(&st, &rec);
			}
		}
		line += len + (nl != NULL);
	}
	if (record)
		parse_record(&st, record, record_len);
	return 0;
}
