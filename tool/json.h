/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small streaming JSON writer: objects, arrays, strings (escaped as RFC
 * 8259 requires), numbers, booleans and null, indented two spaces a level.
 */
#ifndef IOMMUCTL_JSON_H
#define IOMMUCTL_JSON_H

#include <stdbool.h>
#include <stdio.h>

struct json {
	FILE *out;
	int depth;
	bool first;		/* no member written yet at this depth */
	bool compact;		/* all on one line (NDJSON) */
};

void json_init(struct json *j, FILE *out);
/* The same on one line, members separated by ", " (for NDJSON). */
void json_init_compact(struct json *j, FILE *out);
/* key is NULL inside arrays and at the top level. */
void json_open_object(struct json *j, const char *key);
void json_close_object(struct json *j);
void json_open_array(struct json *j, const char *key);
void json_close_array(struct json *j);
void json_string(struct json *j, const char *key, const char *value);	/* NULL: null */
void json_uint(struct json *j, const char *key, unsigned long long value);
void json_double(struct json *j, const char *key, double value);	/* finite */
void json_bool(struct json *j, const char *key, bool value);
void json_null(struct json *j, const char *key);
/* Ends the document with a newline. */
void json_finish(struct json *j);

#endif
