// SPDX-License-Identifier: GPL-2.0-or-later
/* Running the iommuctl CLI in a libFuzzer target (fuzz-cli.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-cli.h"
#include "fuzz-common.h"

/* --- JSON --------------------------------------------------------------------------- */

struct json_in {
	const unsigned char *s, *p, *end;
};

static void json_fail(const struct json_in *in, const char *what) __attribute__((noreturn));
static void json_fail(const struct json_in *in, const char *what)
{
	size_t off = (size_t)(in->p - in->s), from = off > 60 ? off - 60 : 0;

	fuzz_msg("fuzz: the output is not valid JSON: %s at byte %zu; around it:\n", what, off);
	for (size_t i = from; i < off + 20 && in->s + i < in->end; i++) {
		unsigned char c = in->s[i];

		if (i == off)
			fuzz_msg("<HERE>");
		if (c >= 0x20 && c < 0x7f && c != '\\')
			fuzz_msg("%c", c);
		else
			fuzz_msg("\\x%02x", c);
	}
	fuzz_msg("\n");
	fuzz_fail("invalid JSON output");
}

static void json_ws(struct json_in *in)
{
	while (in->p < in->end && (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r'))
		in->p++;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* One UTF-8 sequence starting with a byte >= 0x80 (RFC 3629: no overlongs, no surrogates). */
static void json_utf8(struct json_in *in)
{
	unsigned char c = *in->p;
	unsigned int cp, n;

	if (c >= 0xc2 && c <= 0xdf)
		n = 1, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 2, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 3, cp = c & 0x07;
	else
		json_fail(in, "a byte that starts no UTF-8 sequence");
	if ((size_t)(in->end - in->p) <= n)
		json_fail(in, "a UTF-8 sequence cut short");
	for (unsigned int i = 1; i <= n; i++) {
		if ((in->p[i] & 0xc0) != 0x80)
			json_fail(in, "a UTF-8 sequence cut short");
		cp = cp << 6 | (in->p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		json_fail(in, "an overlong or out-of-range UTF-8 sequence");
	in->p += n + 1;
}

static void json_string_in(struct json_in *in)
{
	in->p++;	/* '"' */
	for (;;) {
		if (in->p >= in->end)
			json_fail(in, "a string without its closing quote");
		if (*in->p == '"') {
			in->p++;
			return;
		}
		if (*in->p < 0x20)
			json_fail(in, "a control character in a string");
		if (*in->p >= 0x80) {
			json_utf8(in);
			continue;
		}
		if (*in->p != '\\') {
			in->p++;
			continue;
		}
		in->p++;
		if (in->p >= in->end)
			json_fail(in, "an escape cut short");
		if (strchr("\"\\/bfnrt", *in->p) && *in->p) {
			in->p++;
		} else if (*in->p == 'u') {
			if (in->end - in->p < 5 || !is_hex(in->p[1]) || !is_hex(in->p[2]) ||
			    !is_hex(in->p[3]) || !is_hex(in->p[4]))
				json_fail(in, "a \\u escape without four hex digits");
			in->p += 5;
		} else {
			json_fail(in, "an unknown escape");
		}
	}
}

static bool json_digits(struct json_in *in)
{
	const unsigned char *start = in->p;

	while (in->p < in->end && *in->p >= '0' && *in->p <= '9')
		in->p++;
	return in->p > start;
}

static void json_number(struct json_in *in)
{
	if (*in->p == '-')
		in->p++;
	if (in->p < in->end && *in->p == '0')
		in->p++;
	else if (!json_digits(in))
		json_fail(in, "a number without digits");
	if (in->p < in->end && *in->p == '.') {
		in->p++;
		if (!json_digits(in))
			json_fail(in, "a fraction without digits");
	}
	if (in->p < in->end && (*in->p == 'e' || *in->p == 'E')) {
		in->p++;
		if (in->p < in->end && (*in->p == '+' || *in->p == '-'))
			in->p++;
		if (!json_digits(in))
			json_fail(in, "an exponent without digits");
	}
}

static void json_value(struct json_in *in, int depth)
{
	static const char *const words[] = { "true", "false", "null" };

	if (depth > 256)
		json_fail(in, "nested too deep");
	json_ws(in);
	if (in->p >= in->end)
		json_fail(in, "a value is missing");
	switch (*in->p) {
	case '{':
	case '[': {
		unsigned char close = *in->p == '{' ? '}' : ']';
		bool object = close == '}';

		in->p++;
		json_ws(in);
		if (in->p < in->end && *in->p == close) {
			in->p++;
			return;
		}
		for (;;) {
			if (object) {
				json_ws(in);
				if (in->p >= in->end || *in->p != '"')
					json_fail(in, "an object key that is not a string");
				json_string_in(in);
				json_ws(in);
				if (in->p >= in->end || *in->p != ':')
					json_fail(in, "no ':' after an object key");
				in->p++;
			}
			json_value(in, depth + 1);
			json_ws(in);
			if (in->p < in->end && *in->p == ',') {
				in->p++;
				continue;
			}
			if (in->p < in->end && *in->p == close) {
				in->p++;
				return;
			}
			json_fail(in, object ? "no ',' or '}' in an object" : "no ',' or ']' in an array");
		}
	}
	case '"':
		json_string_in(in);
		return;
	default:
		if (*in->p == '-' || (*in->p >= '0' && *in->p <= '9')) {
			json_number(in);
			return;
		}
		for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
			size_t n = strlen(words[i]);

			if ((size_t)(in->end - in->p) >= n && !memcmp(in->p, words[i], n)) {
				in->p += n;
				return;
			}
		}
		json_fail(in, "not a JSON value");
	}
}

void fuzz_json_check(const char *s, size_t len)
{
	struct json_in in = {
		.s = (const unsigned char *)s,
		.p = (const unsigned char *)s,
		.end = (const unsigned char *)s + len,
	};

	for (;;) {
		json_ws(&in);
		if (in.p >= in.end)
			return;
		json_value(&in, 0);
	}
}

/* --- running the CLI ------------------------------------------------------------------ */

/* Signals a command sets a handler for (claim, watch, set, monitor) or blocks. */
static const int saved_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGTSTP, SIGPIPE, SIGCONT };

static int out_fd = -1;
static char *out_buf;
static size_t out_cap;

int fuzz_cli_run(int argc, char **argv, int json, const char **out, size_t *len)
{
	struct sigaction old[sizeof(saved_signals) / sizeof(saved_signals[0])];
	sigset_t mask;
	struct stat st;
	int stdout_fd, status;
	size_t n = 0;

	if (out_fd < 0) {
		out_fd = memfd_create("iommuctl-fuzz-stdout", MFD_CLOEXEC);
		if (out_fd < 0)
			fuzz_fail("memfd_create: %s", strerror(errno));
	}
	if (ftruncate(out_fd, 0) || lseek(out_fd, 0, SEEK_SET))
		fuzz_fail("cannot reset the output file: %s", strerror(errno));
	sigprocmask(SIG_SETMASK, NULL, &mask);
	for (size_t i = 0; i < sizeof(saved_signals) / sizeof(saved_signals[0]); i++)
		sigaction(saved_signals[i], NULL, &old[i]);

	fflush(stdout);
	stdout_fd = dup(STDOUT_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	optind = 0;	/* glibc: start getopt afresh */
	opterr = 1;
	status = iommuctl_main(argc, argv);
	fflush(stdout);
	clearerr(stdout);
	dup2(stdout_fd, STDOUT_FILENO);
	close(stdout_fd);

	sigprocmask(SIG_SETMASK, &mask, NULL);
	for (size_t i = 0; i < sizeof(saved_signals) / sizeof(saved_signals[0]); i++)
		sigaction(saved_signals[i], &old[i], NULL);

	if (fstat(out_fd, &st) == 0 && st.st_size > 0) {
		n = (size_t)st.st_size;
		if (n > out_cap) {
			out_cap = n;
			out_buf = realloc(out_buf, out_cap);
			if (!out_buf)
				abort();
		}
		if (pread(out_fd, out_buf, n, 0) != (ssize_t)n)
			fuzz_fail("cannot read the output back");
		/* Past any blank start: a JSON document, or NDJSON objects. */
		for (size_t i = 0; json < 0 && i < n; i++) {
			if (out_buf[i] == ' ' || out_buf[i] == '\n' || out_buf[i] == '\t')
				continue;
			json = out_buf[i] == '{' || out_buf[i] == '[';
		}
		if (json > 0)
			fuzz_json_check(out_buf, n);
	}
	if (out)
		*out = out_buf;
	if (len)
		*len = n;
	return status;
}
