// SPDX-License-Identifier: GPL-2.0-or-later
/* One printer for text and JSON (out.h). */
#include <stdarg.h>

#include "out.h"

void out_init_text(struct out *o, FILE *f)
{
	o->j = NULL;
	o->f = f;
}

void out_init_json(struct out *o, struct json *j)
{
	o->j = j;
	o->f = j->out;
}

static bool wants(const struct out *o, enum out_mode mode)
{
	return mode == OUT_ANY || (mode == OUT_JSON) == out_json(o);
}

/*
 * fmt comes from the printers, never from data; a value is always an
 * argument.  Checked where the format is a literal (the printers' calls).
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
void out_string(struct out *o, enum out_mode mode, const char *key, const char *fmt,
		const char *value)
{
	if (!wants(o, mode))
		return;
	if (out_json(o))
		json_string(o->j, key, value);
	else if (value && fmt)
		fprintf(o->f, fmt, value);
}

void out_uint(struct out *o, enum out_mode mode, const char *key, const char *fmt,
	      unsigned long long value)
{
	if (!wants(o, mode))
		return;
	if (out_json(o))
		json_uint(o->j, key, value);
	else if (fmt)
		fprintf(o->f, fmt, value);
}
#pragma GCC diagnostic pop

void out_bool(struct out *o, enum out_mode mode, const char *key, const char *fmt, bool value)
{
	if (out_json(o) && wants(o, mode))
		json_bool(o->j, key, value);
	else
		out_string(o, mode, key, fmt, value ? "yes" : "no");
}

void out_null(struct out *o, const char *key)
{
	if (out_json(o))
		json_null(o->j, key);
}

void out_text(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (out_json(o))
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}

void out_kv(struct out *o, int width, const char *label, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (out_json(o))
		return;
	n = fprintf(o->f, "  %s:", label);
	fprintf(o->f, "%*s", n < width ? width - n : 1, "");
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
	fputc('\n', o->f);
}

void out_open_object(struct out *o, const char *key)
{
	if (out_json(o))
		json_open_object(o->j, key);
}

void out_close_object(struct out *o)
{
	if (out_json(o))
		json_close_object(o->j);
}

void out_open_array(struct out *o, const char *key)
{
	if (out_json(o))
		json_open_array(o->j, key);
}

void out_close_array(struct out *o)
{
	if (out_json(o))
		json_close_array(o->j);
}
