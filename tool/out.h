/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One printer for both outputs, after iproute2's json_print: a printer of an
 * object calls out_string(o, OUT_ANY, "key", "  label: %s\n", value) once
 * per field, and the call writes the key in JSON mode or the formatted text
 * otherwise; OUT_JSON and OUT_TEXT write only in that mode.  Objects and
 * arrays exist in JSON only.  A NULL string is null in JSON and writes
 * nothing in text: the printer says what text shows instead (OUT_TEXT).
 */
#ifndef IOMMUCTL_OUT_H
#define IOMMUCTL_OUT_H

#include <stdbool.h>
#include <stdio.h>

#include "json.h"

enum out_mode { OUT_ANY, OUT_JSON, OUT_TEXT };

struct out {
	struct json *j;		/* JSON mode; NULL: text to f */
	FILE *f;
};

/* Text to @f, or JSON through @j (already initialised). */
void out_init_text(struct out *o, FILE *f);
void out_init_json(struct out *o, struct json *j);
static inline bool out_json(const struct out *o)
{
	return o->j != NULL;
}

void out_string(struct out *o, enum out_mode mode, const char *key, const char *fmt,
		const char *value);
void out_uint(struct out *o, enum out_mode mode, const char *key, const char *fmt,
	      unsigned long long value);
/* Text shows "yes" or "no". */
void out_bool(struct out *o, enum out_mode mode, const char *key, const char *fmt, bool value);
/* JSON null (text: nothing). */
void out_null(struct out *o, const char *key);
/* Text only. */
void out_text(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text only: "  LABEL:" padded to @width columns, then the formatted value and a newline. */
void out_kv(struct out *o, int width, const char *label, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* JSON only. */
void out_open_object(struct out *o, const char *key);
void out_close_object(struct out *o);
void out_open_array(struct out *o, const char *key);
void out_close_array(struct out *o);

#endif
