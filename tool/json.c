// SPDX-License-Identifier: GPL-2.0-or-later
#include "json.h"

void json_init(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->first = true;
	j->compact = false;
}

void json_init_compact(struct json *j, FILE *out)
{
	json_init(j, out);
	j->compact = true;
}

static void indent(struct json *j)
{
	if (j->compact)
		return;
	fputc('\n', j->out);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->out);
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		case '\r': fputs("\\r", out); break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

/* Separator, indentation and key before a value. */
static void begin_value(struct json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first)
			fputs(j->compact ? ", " : ",", j->out);
		indent(j);
	}
	j->first = false;
	if (key) {
		put_string(j->out, key);
		fputs(": ", j->out);
	}
}

static void json_open(struct json *j, const char *key, char c)
{
	begin_value(j, key);
	fputc(c, j->out);
	j->depth++;
	j->first = true;
}

static void json_close(struct json *j, char c)
{
	bool empty = j->first;

	j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->out);
	j->first = false;
}

void json_open_object(struct json *j, const char *key)
{
	json_open(j, key, '{');
}

void json_close_object(struct json *j)
{
	json_close(j, '}');
}

void json_open_array(struct json *j, const char *key)
{
	json_open(j, key, '[');
}

void json_close_array(struct json *j)
{
	json_close(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	begin_value(j, key);
	if (value)
		put_string(j->out, value);
	else
		fputs("null", j->out);
}

void json_uint(struct json *j, const char *key, unsigned long long value)
{
	begin_value(j, key);
	fprintf(j->out, "%llu", value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	begin_value(j, key);
	fputs(value ? "true" : "false", j->out);
}

void json_null(struct json *j, const char *key)
{
	begin_value(j, key);
	fputs("null", j->out);
}

void json_finish(struct json *j)
{
	fputc('\n', j->out);
}
