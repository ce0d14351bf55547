// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading /etc/iommuctl.conf and its drop-ins (iommuctl.conf(5)).
 *
 * The files are INI in iniparser 4.1's dialect (continuation lines, '#' and
 * ';' comments, quoted values, section and key names stripped and lower
 * case), but they are read here alone, line by line: iniparser keeps no line
 * numbers, prints its own syntax errors, keeps the last of two equal keys
 * silently and merges two sections of one name, so every error it cannot
 * report would need a second reading of the file that must agree with it.
 * One reading keeps every line a section, key and value came from.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "config.h"
#include "iommuctl.h"
#include "policy.h"
#include "sysfs.h"
#include "util.h"

/* The longest line iommuctl.conf(5) allows (blanks around it not counted). */
#define MAX_LINE 1000

/*
 * An error of a file: "FILE:LINE: message" (LINE 0: "FILE: message").  The
 * errors of a file are found in several passes; they are kept and printed
 * in the order of their lines by flush_errors().
 */
struct pending_error {
	unsigned int line;
	size_t seq;		/* of one line, the order found */
	char *text;
};
static struct pending_error *pending;
static size_t npending;

static void config_error(struct ic_config *cfg, const char *file, unsigned int line,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void config_error(struct ic_config *cfg, const char *file, unsigned int line,
			 const char *fmt, ...)
{
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	pending = xrealloc(pending, (npending + 1) * sizeof(*pending));
	pending[npending].line = line;
	pending[npending].seq = npending;
	if (line)
		pending[npending].text = xasprintf("%s:%u: %s", file, line, msg ? msg : fmt);
	else
		pending[npending].text = xasprintf("%s: %s", file, msg ? msg : fmt);
	npending++;
	free(msg);
	cfg->errors++;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending_error *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* config_load_quiet(): errors counted, not printed. */
static bool quiet;

static void flush_errors(void)
{
	if (npending)	/* qsort(NULL, 0, ...) is undefined */
		qsort(pending, npending, sizeof(*pending), pending_cmp);
	for (size_t i = 0; i < npending; i++) {
		if (!quiet)
			fprintf(stderr, "%s\n", pending[i].text);
		free(pending[i].text);
	}
	free(pending);
	pending = NULL;
	npending = 0;
}

/* --- the scan ------------------------------------------------------------------------ */

/* One section or key line of a file. */
struct entry {
	char *section;		/* lower case, stripped */
	char *key;		/* lower case, stripped; NULL for the section's own line */
	char *value;		/* unquoted, or stripped up to a comment; NULL with no key */
	unsigned int line;	/* first line (a value may continue on the next) */
	bool bad;		/* a section line with a syntax error: its keys go unchecked */
};

struct scan {
	struct entry *entries;
	size_t n, cap;
	bool syntax_errors;
};

static void scan_add(struct scan *s, const char *section, const char *key, const char *value,
		     unsigned int line)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 32;
		s->entries = xrealloc(s->entries, s->cap * sizeof(*s->entries));
	}
	s->entries[s->n].section = xstrdup(section);
	s->entries[s->n].key = key ? xstrdup(key) : NULL;
	s->entries[s->n].value = value ? xstrdup(value) : NULL;
	s->entries[s->n].line = line;
	s->entries[s->n].bad = false;
	s->n++;
}

static void scan_free(struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->entries[i].section);
		free(s->entries[i].key);
		free(s->entries[i].value);
	}
	free(s->entries);
}

/* Strip blanks at both ends in place; returns s. */
static char *strip(char *s)
{
	size_t len;

	while (isspace((unsigned char)*s))
		s++;
	len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	return s;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* A copy of a line, as short as a message can quote it (the line is cut up later). */
static const char *quote_line(const char *line, char *buf, size_t size)
{
	if (strlen(line) < size)
		snprintf(buf, size, "%s", line);
	else
		snprintf(buf, size, "%.*s...", (int)size - 4, line);
	return buf;
}

/* A section line with a syntax error: the keys below it belong to no section we know. */
static void scan_bad_section(struct scan *s, char *section, unsigned int lineno)
{
	section[0] = '\0';
	scan_add(s, section, NULL, NULL, lineno);
	s->entries[s->n - 1].bad = true;
	s->syntax_errors = true;
}

/*
 * The value after a key's '=', blanks before it skipped, into *value, in
 * place: a quoted one up to its closing quote, blanks kept; an unquoted one
 * up to a comment, stripped (iniparser 4.1 reads both so).  Returns NULL, or
 * what is wrong with a quote iniparser read without a word: not closed (it
 * took the rest of the line) or followed by more than a comment (dropped).
 */
static const char *scan_value(char *v, char **value)
{
	char quote = *v, *end;

	if (quote != '"' && quote != '\'') {
		v[strcspn(v, "#;")] = '\0';
		*value = strip(v);
		return NULL;
	}
	end = strchr(v + 1, quote);
	if (!end)
		return "has no closing quote (close it, or remove the opening one)";
	*end = '\0';
	*value = v + 1;
	end = strip(end + 1);
	if (*end && *end != '#' && *end != ';')
		return "goes on after its closing quote (start a comment after it with # or ;)";
	return NULL;
}

/*
 * One logical line (continuations joined) at @lineno; adds to @s or reports.
 * @nul: the line of a NUL byte in it, or 0.
 */
static void scan_line(struct ic_config *cfg, struct scan *s, const char *file,
		      unsigned int lineno, char *text, char *section, unsigned int nul)
{
	char qbuf[64], *line = strip(text), *eq, *close, *value;
	const char *q = quote_line(line, qbuf, sizeof(qbuf)), *why;

	if (nul) {
		/* Whatever follows it is out of sight of every string function. */
		config_error(cfg, file, nul,
			     "syntax error: a NUL byte in the line (a configuration file is text: remove it)");
		if (*line == '[')
			scan_bad_section(s, section, lineno);
		s->syntax_errors = true;
		return;
	}
	if (!*line || *line == '#' || *line == ';')
		return;
	if (strlen(line) > MAX_LINE) {
		config_error(cfg, file, lineno,
			     "syntax error: the line is longer than %d characters (shorten it)",
			     MAX_LINE);
		s->syntax_errors = true;
		return;
	}
	if (*line == '[') {
		close = strchr(line, ']');
		if (!close) {
			config_error(cfg, file, lineno,
				     "syntax error: '%s' has no closing ']' (write [defaults] or [rule NAME] on a line of its own)",
				     q);
		} else if (close[1]) {
			config_error(cfg, file, lineno,
				     "syntax error: text after ']' in '%s' (put a comment on a line of its own, starting with #)",
				     q);
		} else {
			*close = '\0';
			line = strip(line + 1);
			if (!*line) {
				config_error(cfg, file, lineno,
					     "syntax error: '[]' names no section (use [defaults] or [rule NAME])");
			} else {
				lower(line);
				snprintf(section, MAX_LINE + 1, "%s", line);
				scan_add(s, section, NULL, NULL, lineno);
				return;
			}
		}
		/* Say nothing of the keys below it. */
		scan_bad_section(s, section, lineno);
		return;
	}
	eq = strchr(line, '=');
	if (!eq) {
		config_error(cfg, file, lineno,
			     "syntax error: '%s' is not a [section], a key = value or a # comment (correct the line or remove it)",
			     q);
		s->syntax_errors = true;
		return;
	}
	*eq = '\0';
	line = strip(line);
	if (!*line) {
		config_error(cfg, file, lineno,
			     "syntax error: no key before '=' (write key = value)");
		s->syntax_errors = true;
		return;
	}
	why = scan_value(strip(eq + 1), &value);
	if (why) {
		config_error(cfg, file, lineno, "syntax error: the value in '%s' %s", q, why);
		s->syntax_errors = true;
		return;
	}
	lower(line);
	scan_add(s, section, line, value, lineno);
}

/*
 * Read a file as iniparser 4.1 reads it: a line ending in '\' (blanks after
 * it not counted) continues on the next, '#' and ';' start comment lines.
 * Returns 0, or -errno when the file cannot be read.
 */
static int scan_file(struct ic_config *cfg, struct scan *s, const char *file)
{
	FILE *f = fopen(file, "re");
	char *buf = NULL, *logical = NULL;
	char section[MAX_LINE + 1] = "";
	size_t bufsize = 0, llen = 0;
	unsigned int lineno = 0, first = 0, nul = 0;
	ssize_t n;

	if (!f)
		return -errno;
	while ((n = getline(&buf, &bufsize, f)) >= 0) {
		lineno++;
		if (!nul && memchr(buf, '\0', (size_t)n))
			nul = lineno;
		if (!logical) {
			first = lineno;
			llen = 0;
		}
		/*
		 * All of it: blanks before the text count toward no limit, and a
		 * physical line is in memory whole anyway.
		 */
		logical = xrealloc(logical, llen + (size_t)n + 1);
		memcpy(logical + llen, buf, (size_t)n);
		llen += (size_t)n;
		logical[llen] = '\0';
		/*
		 * The blanks at the end of all that is joined go, not only the
		 * line's: as in iniparser, a line ending in "\\" or "\ \" then
		 * continues past a blank line too.
		 */
		while (llen && isspace((unsigned char)logical[llen - 1]))
			logical[--llen] = '\0';
		if (llen && logical[llen - 1] == '\\') {
			logical[--llen] = '\0';
			continue;
		}
		scan_line(cfg, s, file, first, logical, section, nul);
		free(logical);
		logical = NULL;
		nul = 0;
	}
	if (logical) {
		char *rest = strip(logical);

		if (nul) {
			scan_line(cfg, s, file, first, logical, section, nul);
		} else if (*rest && *rest != '#' && *rest != ';') {
			/* iniparser 4.1 dropped it without a word: a line lost in editing? */
			config_error(cfg, file, first,
				     "syntax error: the file ends in a continued line (remove the '\\' at its end)");
			s->syntax_errors = true;
		}
	}
	free(logical);
	free(buf);
	fclose(f);
	return 0;
}

/* --- values ------------------------------------------------------------------------------- */

static int parse_yes_no(const char *s)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

/* "n" hexadecimal digits exactly, into *value. */
static bool parse_hex(const char *s, size_t n, unsigned int *value)
{
	*value = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return false;
		*value = *value * 16 + (unsigned int)(isdigit((unsigned char)s[i]) ?
				s[i] - '0' : tolower((unsigned char)s[i]) - 'a' + 10);
	}
	return true;
}

/* "VVVV:DDDD" or "VVVV:*". */
static bool parse_pci_id(const char *s, struct ic_pci_id *id)
{
	if (strlen(s) < 6 || s[4] != ':' || !parse_hex(s, 4, &id->vendor))
		return false;
	id->any_device = !strcmp(s + 5, "*");
	return id->any_device || (strlen(s) == 9 && parse_hex(s + 5, 4, &id->device));
}

/* "0x01", "0x0108", "0x010802" (the 0x optional): a prefix of the 24-bit class. */
static bool parse_class(const char *s, unsigned int *class, unsigned int *digits)
{
	size_t len;

	if (!strncasecmp(s, "0x", 2))
		s += 2;
	len = strlen(s);
	if (len != 2 && len != 4 && len != 6)
		return false;
	*digits = (unsigned int)len;
	return parse_hex(s, len, class);
}

static bool is_glob_char(char c)
{
	return c == '*' || c == '?' || c == '[' || c == ']' || c == '!' || c == '-';
}

/*
 * A PCI address, "DDDD:BB:DD.F" or "BB:DD.F" (domain 0000), or a glob(7)
 * pattern of one; into *pattern, lower case, with the domain.
 */
static bool parse_address(const char *s, char **pattern, bool *glob)
{
	unsigned int colons = 0, dots = 0, bus, dev, fn;
	char *p;

	*glob = false;
	for (const char *c = s; *c; c++) {
		if (*c == ':')
			colons++;
		else if (*c == '.')
			dots++;
		else if (is_glob_char(*c))
			*glob = true;
		else if (!isxdigit((unsigned char)*c))
			return false;
	}
	if ((colons != 1 && colons != 2) || dots != 1 || strrchr(s, ':') > strchr(s, '.'))
		return false;
	p = colons == 1 ? xasprintf("0000:%s", s) : xstrdup(s);
	lower(p);
	if (!*glob) {
		/* Exactly DDDD:BB:DD.F with a device and function that exist. */
		if (!is_pci_address(p) || !parse_hex(p + 5, 2, &bus) ||
		    !parse_hex(p + 8, 2, &dev) || !parse_hex(p + 11, 1, &fn) || dev > 0x1f || fn > 7) {
			free(p);
			return false;
		}
	}
	*pattern = p;
	return true;
}

static bool parse_driver(const char *s)
{
	size_t len = strlen(s);

	if (!len || len > 63)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-' && *s != '.')
			return false;
	return true;
}

static bool parse_policy_key(const char *value, struct ic_rule *r)
{
	r->policy = policy_from_request(value);
	return r->policy >= 0;
}

static bool parse_rebind_key(const char *value, struct ic_rule *r)
{
	r->rebind = parse_yes_no(value);
	return r->rebind >= 0;
}

/* passthrough = DRIVER (vfio-pci, a variant), yes (vfio-pci) or no ("": explicitly none). */
static bool parse_passthrough_key(const char *value, struct ic_rule *r)
{
	int yes = parse_yes_no(value);

	free(r->passthrough);
	r->passthrough = NULL;
	if (yes >= 0) {
		r->passthrough = xstrdup(yes ? "vfio-pci" : "");
		return true;
	}
	if (!parse_driver(value) || !strstr(value, "vfio"))
		return false;
	r->passthrough = xstrdup(value);
	return true;
}

static bool parse_dma_accounting_key(const char *value, struct ic_rule *r)
{
	r->dma_accounting = parse_yes_no(value);
	return r->dma_accounting >= 0;
}

static bool parse_retention_key(const char *value, struct ic_rule *r)
{
	unsigned long long days;

	if (!strcmp(value, "0")) {
		r->record_retention = 0;
		return true;
	}
	if (!parse_positive(value, &days) || days > 36500)
		return false;
	r->record_retention = (long long)days;
	return true;
}

static bool parse_max_size_key(const char *value, struct ic_rule *r)
{
	r->record_max_size = parse_size(value);
	return r->record_max_size >= 65536;
}

static bool parse_topology_key(const char *value, struct ic_rule *r)
{
	r->topology_refuse = !strcmp(value, "refuse") ? 1 : !strcmp(value, "report") ? 0 : -1;
	return r->topology_refuse >= 0;
}

static bool parse_untrusted_key(const char *value, struct ic_rule *r)
{
	int yn = parse_yes_no(value);

	r->untrusted = yn == 1;
	return yn >= 0;
}

static bool parse_removable_key(const char *value, struct ic_rule *r)
{
	int yn = parse_yes_no(value);

	r->removable = yn == 1;
	return yn >= 0;
}

static bool parse_address_key(const char *value, struct ic_rule *r)
{
	return parse_address(value, &r->address, &r->address_glob);
}

static bool parse_id_key(const char *value, struct ic_rule *r)
{
	return parse_pci_id(value, &r->id);
}

static bool parse_subsystem_key(const char *value, struct ic_rule *r)
{
	return parse_pci_id(value, &r->subsystem);
}

static bool parse_class_key(const char *value, struct ic_rule *r)
{
	return parse_class(value, &r->class, &r->class_digits);
}

static bool parse_driver_key(const char *value, struct ic_rule *r)
{
	if (!parse_driver(value))
		return false;
	r->driver = xstrdup(value);
	return true;
}

#define PCI_ID_USAGE \
	"is not a vendor:device id (use 4+4 hexadecimal digits as lspci -n shows them, " \
	"e.g. 8086:10fb, or 8086:* for any device of the vendor)"
#define YES_NO_USAGE "is neither yes nor no (use yes or no; true, on, 1 and false, off, 0 work too)"

/* Every key iommuctl.conf(5) documents, in its order. */
static const struct config_key {
	const char *name;
	unsigned int match;	/* MATCH_* of a match key; 0 for policy and rebind */
	bool in_defaults;	/* [defaults] takes it too */
	bool defaults_only;	/* only [defaults] takes it */
	bool (*parse)(const char *value, struct ic_rule *rule);
	const char *bad;	/* what a bad value is, and what to write */
} config_keys[] = {
	{ "address", MATCH_ADDRESS, false, false, parse_address_key,
	  "is not a PCI address (use DDDD:BB:DD.F as in /sys/bus/pci/devices, e.g. 0000:03:00.0; "
	  "* ? [...] match several)" },
	{ "id", MATCH_ID, false, false, parse_id_key, PCI_ID_USAGE },
	{ "subsystem", MATCH_SUBSYSTEM, false, false, parse_subsystem_key, PCI_ID_USAGE },
	{ "class", MATCH_CLASS, false, false, parse_class_key,
	  "is not a PCI class (use 2, 4 or 6 hexadecimal digits: 0x01 a class, 0x0108 a subclass, "
	  "0x010802 a programming interface)" },
	{ "driver", MATCH_DRIVER, false, false, parse_driver_key,
	  "is not a driver name (use a name from /sys/bus/pci/drivers, e.g. ixgbe)" },
	{ "untrusted", MATCH_UNTRUSTED, false, false, parse_untrusted_key, YES_NO_USAGE },
	{ "removable", MATCH_REMOVABLE, false, false, parse_removable_key, YES_NO_USAGE },
	{ "policy", 0, true, false, parse_policy_key,
	  "is not a policy (use " POLICY_REQUEST_WORDS ")" },
	{ "rebind", 0, true, false, parse_rebind_key, YES_NO_USAGE },
	{ "passthrough", 0, false, false, parse_passthrough_key,
	  "is not a VFIO driver (use vfio-pci, or yes for it, a vendor's VFIO variant driver such "
	  "as mlx5_vfio_pci, or no)" },
	{ "dma_accounting", 0, true, true, parse_dma_accounting_key, YES_NO_USAGE },
	{ "topology_change", 0, true, true, parse_topology_key,
	  "is neither report nor refuse (report: apply says which devices share their group "
	  "with other devices than at the last boot; refuse: it also leaves their groups as "
	  "they are)" },
	{ "record_retention", 0, true, true, parse_retention_key,
	  "is not a number of days (use 1 to 36500, or 0 to keep everything)" },
	{ "record_max_size", 0, true, true, parse_max_size_key,
	  "is not a size of 64K or more (use bytes, or K, M, G: e.g. 256M)" },
};

static const struct config_key *find_key(const char *name, bool defaults)
{
	for (size_t i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (!strcmp(config_keys[i].name, name) &&
		    (defaults ? config_keys[i].in_defaults : !config_keys[i].defaults_only))
			return &config_keys[i];
	return NULL;
}

/* Which keys key_list() names. */
enum key_set { KEYS_RULE, KEYS_DEFAULTS, KEYS_MATCH };

static bool in_set(const struct config_key *k, enum key_set set)
{
	if (set == KEYS_RULE)
		return !k->defaults_only;
	return set == KEYS_DEFAULTS ? k->in_defaults : k->match != 0;
}

/* "address, id, ... or rebind": the keys of a set, for messages. */
static const char *key_list(enum key_set set, char *buf, size_t size)
{
	size_t n = 0, last = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (in_set(&config_keys[i], set))
			last = i;
	for (size_t i = 0; i < ARRAY_SIZE(config_keys); i++)
		if (in_set(&config_keys[i], set))
			snprintf(buf + strlen(buf), size - strlen(buf), "%s%s",
				 !n++ ? "" : i == last ? " or " : ", ", config_keys[i].name);
	return buf;
}

/* A key's value into the rule (the defaults fill one too); false after an error. */
static bool set_value(struct ic_config *cfg, const char *file, const struct entry *e,
		      struct ic_rule *rule, bool defaults)
{
	const struct config_key *k = find_key(e->key, defaults);

	if (!k)
		return false;	/* reported by check_structure() */
	if (!k->parse(e->value, rule)) {
		config_error(cfg, file, e->line, "key '%s': '%s' %s", e->key, e->value, k->bad);
		return false;
	}
	rule->match |= k->match;
	return true;
}

/* --- sections --------------------------------------------------------------------------- */

enum section_kind { SEC_UNKNOWN, SEC_DEFAULTS, SEC_RULE };

static enum section_kind section_kind(const char *name, const char **rule_name)
{
	if (!strcmp(name, "defaults"))
		return SEC_DEFAULTS;
	if (!strncmp(name, "rule", 4) && (!name[4] || isspace((unsigned char)name[4]))) {
		*rule_name = name + 4;
		while (isspace((unsigned char)**rule_name))
			(*rule_name)++;
		return SEC_RULE;
	}
	return SEC_UNKNOWN;
}

/*
 * The structure of a scanned file: every section known, every key known in
 * it and given once.  Marks an entry's section invalid (section NULL) where
 * its values are not to be read.
 */
static void check_structure(struct ic_config *cfg, const char *file, struct scan *s)
{
	const struct entry *sec = NULL;
	bool sec_ok = false, defaults;
	char keys[256];

	for (size_t i = 0; i < s->n; i++) {
		struct entry *e = &s->entries[i];
		const char *rule_name = NULL;

		if (!e->key) {
			enum section_kind kind = section_kind(e->section, &rule_name);

			sec = e;
			sec_ok = false;
			if (e->bad)
				continue;	/* reported as a syntax error */
			if (kind == SEC_UNKNOWN) {
				config_error(cfg, file, e->line,
					     "section '%s': unknown section (use [defaults], or [rule %s] for a rule)",
					     e->section, e->section);
				continue;
			}
			if (kind == SEC_RULE && !*rule_name) {
				config_error(cfg, file, e->line,
					     "section 'rule': a rule needs a name (use [rule NAME])");
				continue;
			}
			if (kind == SEC_RULE && strchr(rule_name, ':')) {
				config_error(cfg, file, e->line,
					     "section '%s': a rule's name cannot contain ':' (iniparser separates "
					     "sections from keys with it; rename the rule)", e->section);
				continue;
			}
			sec_ok = true;
			for (size_t j = 0; j < i; j++)
				if (!s->entries[j].key && !s->entries[j].bad &&
				    !strcmp(s->entries[j].section, e->section)) {
					config_error(cfg, file, e->line,
						     "section '%s': given twice in this file (first at line %u; %s)",
						     e->section, s->entries[j].line,
						     kind == SEC_RULE ? "give each rule its own name" :
						     "merge them into one");
					sec_ok = false;
					break;
				}
			continue;
		}
		if (!sec) {
			config_error(cfg, file, e->line,
				     "key '%s': outside any section (put it under [defaults] or a [rule NAME])",
				     e->key);
			free(e->section);
			e->section = NULL;
			continue;
		}
		if (!sec_ok) {
			/* Its section was reported already. */
			free(e->section);
			e->section = NULL;
			continue;
		}
		defaults = !strcmp(sec->section, "defaults");
		if (!find_key(e->key, defaults)) {
			if (!defaults && find_key(e->key, true))
				config_error(cfg, file, e->line,
					     "key '%s': a machine-wide setting, not a rule's (move it to [defaults])",
					     e->key);
			else
				config_error(cfg, file, e->line, "key '%s': unknown key in [%s] (use %s%s)",
					     e->key, sec->section,
					     key_list(defaults ? KEYS_DEFAULTS : KEYS_RULE, keys, sizeof(keys)),
					     defaults ? "; match keys belong in a [rule NAME]" : "");
			free(e->section);
			e->section = NULL;
			continue;
		}
		for (const struct entry *d = sec + 1; d < e; d++)
			if (d->key && !strcmp(d->key, e->key)) {
				config_error(cfg, file, e->line,
					     "key '%s': given twice in [%s] (first at line %u; keep one)",
					     e->key, sec->section, d->line);
				free(e->section);
				e->section = NULL;
				break;
			}
	}
}

static void rule_free(struct ic_rule *r)
{
	free(r->name);
	free(r->address);
	free(r->driver);
	free(r->passthrough);
}

/* Make the rules and defaults of a well-formed file from its values. */
static void read_values(struct ic_config *cfg, const char *file, struct scan *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *sec = &s->entries[i];
		const char *rule_name = NULL;
		struct ic_rule rule = { .policy = -1, .rebind = -1, .dma_accounting = -1,
					.record_retention = -1, .topology_refuse = -1 };
		unsigned int dma_line = 0, topology_line = 0;
		enum section_kind kind;
		unsigned int policy_line = 0;
		char keys[256];
		size_t j;
		bool ok = true;

		if (sec->key)
			continue;
		kind = section_kind(sec->section, &rule_name);
		/* A section the structure check refused has its keys marked; skip it. */
		for (j = i + 1; j < s->n && s->entries[j].key; j++) {
			const struct entry *e = &s->entries[j];

			if (!e->section) {
				ok = false;
				continue;
			}
			if (kind != SEC_RULE && kind != SEC_DEFAULTS)
				continue;
			ok &= set_value(cfg, file, e, &rule, kind == SEC_DEFAULTS);
			if (!strcmp(e->key, "policy"))
				policy_line = e->line;
			if (!strcmp(e->key, "dma_accounting"))
				dma_line = e->line;
			if (!strcmp(e->key, "topology_change"))
				topology_line = e->line;
		}
		if (kind == SEC_DEFAULTS) {
			/* Key by key over an earlier file's. */
			if (rule.policy >= 0) {
				cfg->default_policy = rule.policy;
				cfg->default_file = file;
				cfg->default_line = policy_line;
			}
			if (rule.rebind >= 0)
				cfg->default_rebind = rule.rebind;
			if (rule.dma_accounting >= 0) {
				cfg->dma_accounting = rule.dma_accounting;
				cfg->dma_accounting_file = file;
				cfg->dma_accounting_line = dma_line;
			}
			if (rule.record_retention >= 0)
				cfg->record_retention = rule.record_retention;
			if (rule.record_max_size)
				cfg->record_max_size = rule.record_max_size;
			if (rule.topology_refuse >= 0) {
				cfg->topology_refuse = rule.topology_refuse;
				cfg->topology_file = file;
				cfg->topology_line = topology_line;
			}
		}
		if (kind != SEC_RULE || !*rule_name || strchr(rule_name, ':')) {
			rule_free(&rule);
			continue;
		}
		for (size_t k = 0; k < i; k++)
			if (!s->entries[k].key && !strcmp(s->entries[k].section, sec->section))
				ok = false;	/* a second section of this name: reported */
		if (ok && rule.policy < 0 && !rule.passthrough) {
			config_error(cfg, file, sec->line,
				     "section '%s': the rule has no policy (add policy = identity, strict, "
				     "lazy or auto, or passthrough = vfio-pci)", sec->section);
			ok = false;
		}
		if (ok && !rule.match) {
			config_error(cfg, file, sec->line,
				     "section '%s': the rule matches no device (add %s; [defaults] gives "
				     "the policy of every device no rule matches)", sec->section,
				     key_list(KEYS_MATCH, keys, sizeof(keys)));
			ok = false;
		}
		if (!ok) {
			rule_free(&rule);
			continue;
		}
		rule.name = xstrdup(rule_name);
		rule.file = file;
		rule.line = sec->line;
		cfg->rules = xrealloc(cfg->rules, (cfg->nrules + 1) * sizeof(*cfg->rules));
		cfg->rules[cfg->nrules++] = rule;
	}
}

static void load_file(struct ic_config *cfg, const char *file, bool must_exist)
{
	struct scan s = { 0 };
	const char *name;
	int ret;

	ret = scan_file(cfg, &s, file);
	if (ret) {
		if (ret != -ENOENT || must_exist)
			config_error(cfg, file, 0, "cannot read it: %s (%s)", strerror(-ret),
				     ret == -ENOENT ? "give an existing file" : "check its permissions");
		flush_errors();
		scan_free(&s);
		return;
	}
	cfg->files = xrealloc(cfg->files, (cfg->nfiles + 1) * sizeof(*cfg->files));
	cfg->files[cfg->nfiles++] = xstrdup(file);
	name = cfg->files[cfg->nfiles - 1];
	check_structure(cfg, name, &s);
	if (s.syntax_errors) {
		/*
		 * Its values wait: a key may belong to a section whose line is
		 * broken, a value may be the rest of a broken line, and errors
		 * that follow from the syntax error would only hide it.
		 */
		flush_errors();
		if (!quiet)
			fprintf(stderr, "%s: the values are checked once the syntax errors are fixed\n",
				name);
		scan_free(&s);
		return;
	}
	read_values(cfg, name, &s);
	flush_errors();
	scan_free(&s);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The drop-ins: *.conf files of the directory, in lexical (C locale) order. */
static void load_dropins(struct ic_config *cfg)
{
	char *dir = sysfs_path(CONFIG_DROPIN_DIR);
	size_t count = 0;
	char **names = sysfs_list_dir(dir, &count);

	if (!names) {
		if (errno != ENOENT) {
			config_error(cfg, dir, 0, "cannot read the directory: %s (check its permissions)",
				     strerror(errno));
			flush_errors();
		}
		free(dir);
		return;
	}
	qsort(names, count, sizeof(*names), name_cmp);
	for (size_t i = 0; i < count; i++) {
		size_t len = strlen(names[i]);
		struct stat st;
		char *path;
		size_t n;

		if (names[i][0] == '.' || len < 6 || strcmp(names[i] + len - 5, ".conf"))
			continue;
		path = xasprintf("%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
			free(path);
			continue;
		}
		n = cfg->nfiles;
		load_file(cfg, path, true);
		cfg->ndropins += cfg->nfiles - n;
		free(path);
	}
	sysfs_free_list(names);
	free(dir);
}

/* Is @file the default file (under the sysroot)? */
static bool is_default_file(const char *file, const char *dflt)
{
	struct stat a, b;

	if (!strcmp(file, dflt))
		return true;
	return stat(file, &a) == 0 && stat(dflt, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

void config_load(struct ic_config *cfg, const char *file)
{
	char *dflt = sysfs_path(CONFIG_FILE);
	bool dropins = !file || is_default_file(file, dflt);

	memset(cfg, 0, sizeof(*cfg));
	cfg->default_policy = -1;
	cfg->dma_accounting = -1;
	cfg->record_retention = -1;
	load_file(cfg, file ? file : dflt, file != NULL);
	if (dropins)
		load_dropins(cfg);
	free(dflt);
}

void config_load_quiet(struct ic_config *cfg)
{
	quiet = true;
	config_load(cfg, NULL);
	quiet = false;
}

void config_free(struct ic_config *cfg)
{
	for (size_t i = 0; i < cfg->nrules; i++)
		rule_free(&cfg->rules[i]);
	free(cfg->rules);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	memset(cfg, 0, sizeof(*cfg));
}

/* --- matching ---------------------------------------------------------------------------- */

static bool id_matches(const struct ic_pci_id *id, unsigned int vendor, unsigned int device)
{
	return id->vendor == vendor && (id->any_device || id->device == device);
}

static bool rule_matches(const struct ic_rule *r, const struct ic_match *m)
{
	const struct ic_device *d = m->dev;

	if ((r->match & MATCH_ADDRESS) && fnmatch(r->address, d->name, 0))
		return false;
	if ((r->match & MATCH_ID) && !(d->pci && id_matches(&r->id, d->vendor, d->device)))
		return false;
	if ((r->match & MATCH_SUBSYSTEM) &&
	    !(d->pci && id_matches(&r->subsystem, d->subvendor, d->subdevice)))
		return false;
	if ((r->match & MATCH_CLASS) &&
	    !(d->pci && d->class >> (4 * (6 - r->class_digits)) == r->class))
		return false;
	if ((r->match & MATCH_DRIVER) && !(d->driver && !strcmp(d->driver, r->driver)))
		return false;
	if ((r->match & MATCH_UNTRUSTED) && m->untrusted != r->untrusted)
		return false;
	if ((r->match & MATCH_REMOVABLE) && m->removable != r->removable)
		return false;
	return true;
}

/*
 * Between rules of the same keys, the narrower values: an exact address
 * over a pattern, a device id over VVVV:*, a longer class prefix.
 */
static unsigned int rule_precision(const struct ic_rule *r)
{
	unsigned int p = 0;

	if ((r->match & MATCH_ADDRESS) && !r->address_glob)
		p++;
	if ((r->match & MATCH_ID) && !r->id.any_device)
		p++;
	if ((r->match & MATCH_SUBSYSTEM) && !r->subsystem.any_device)
		p++;
	if (r->match & MATCH_CLASS)
		p += r->class_digits / 2 - 1;
	return p;
}

const struct ic_rule *config_match(const struct ic_config *cfg, const struct ic_match *m)
{
	const struct ic_rule *best = NULL;

	for (size_t i = 0; i < cfg->nrules; i++) {
		const struct ic_rule *r = &cfg->rules[i];

		if (!rule_matches(r, m))
			continue;
		/* ">=": of equals, the later rule wins. */
		if (!best || r->match > best->match ||
		    (r->match == best->match && rule_precision(r) >= rule_precision(best)))
			best = r;
	}
	return best;
}

int config_rule_policy(const struct ic_config *cfg, const struct ic_rule *rule)
{
	return rule ? rule->policy : cfg->default_policy;
}

bool config_rule_rebind(const struct ic_config *cfg, const struct ic_rule *rule)
{
	return rule && rule->rebind >= 0 ? rule->rebind : cfg->default_rebind;
}

/* --- decisions (apply, stats) ------------------------------------------------------ */


static bool device_removable(const struct ic_group *grp, const struct ic_device *dev)
{
	char *path = sysfs_path(IOMMU_GROUPS_DIR "/%u/devices/%s/removable", grp->id, dev->name);
	char value[32];
	bool yes = sysfs_read_str(path, value, sizeof(value)) == 0 && !strcmp(value, "removable");

	free(path);
	return yes;
}

/* Where a device's policy comes from, for messages: "[rule nic] (FILE:LINE)". */
void config_describe_source(const struct ic_config *cfg, const struct ic_decision *d,
			    char *buf, size_t size)
{
	if (d->rule)
		snprintf(buf, size, "[rule %s] (%s:%u)", d->rule->name, d->rule->file, d->rule->line);
	else if (d->policy >= 0)
		snprintf(buf, size, "[defaults] (%s:%u)", cfg->default_file, cfg->default_line);
	else
		snprintf(buf, size, "no rule");
}

void config_decide_devices(const struct ic_config *cfg, const struct ic_group *grp,
			   struct ic_decision *d)
{
	/* The module tells which groups hold an untrusted device, not which device. */
	bool mandatory_strict = grp->module && grp->mod.mandatory &&
				!strcmp(grp->mod.mandatory, "strict");

	for (size_t i = 0; i < grp->ndevices; i++) {
		struct ic_match m = { .dev = &grp->devices[i] };

		m.removable = device_removable(grp, m.dev);
		m.untrusted = m.removable || mandatory_strict;
		d[i].dev = m.dev;
		d[i].removable = m.removable;
		d[i].untrusted = m.untrusted;
		d[i].rule = config_match(cfg, &m);
		d[i].policy = config_rule_policy(cfg, d[i].rule);
		d[i].rebind = config_rule_rebind(cfg, d[i].rule);
		d[i].passthrough = d[i].rule && d[i].rule->passthrough &&
				   d[i].rule->passthrough[0] ? d[i].rule->passthrough : NULL;
	}
}

const char *config_group_passthrough(const struct ic_group *grp, const struct ic_decision *d)
{
	for (size_t i = 0; i < grp->ndevices; i++)
		if (d[i].passthrough)
			return d[i].passthrough;
	return NULL;
}

static bool explicit_policy(int p)
{
	return p == IOMMU_POLICY_IDENTITY || p == IOMMU_POLICY_STRICT || p == IOMMU_POLICY_LAZY;
}

/*
 * The group's policy from its devices': the first of identity, strict, lazy
 * (auto and no rule take no part), warning when they differ (if @warn);
 * strict when a device is untrusted.  -1 when no device asks for one.
 */
int config_group_policy(const struct ic_config *cfg, const struct ic_group *grp,
			const struct ic_decision *d, bool warn)
{
	char list[1024] = "", src[512];
	int policy = -1;
	bool conflict = false;

	for (size_t i = 0; i < grp->ndevices; i++) {
		if (!explicit_policy(d[i].policy))
			continue;
		if (policy >= 0 && d[i].policy != policy)
			conflict = true;
		if (policy < 0 || d[i].policy < policy)
			policy = d[i].policy;
	}
	if (conflict && warn) {
		for (size_t i = 0; i < grp->ndevices; i++) {
			if (!explicit_policy(d[i].policy))
				continue;
			config_describe_source(cfg, &d[i], src, sizeof(src));
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s %s from %s",
				 list[0] ? ", " : "", d[i].dev->name, policy_name(d[i].policy), src);
		}
		warnx_("apply: group %u: its devices' rules disagree: %s; the group gets %s "
		       "(the first of identity, strict, lazy; give them one policy to silence this)",
		       grp->id, list, policy_name(policy));
	}
	if (policy != IOMMU_POLICY_IDENTITY && policy != IOMMU_POLICY_LAZY)
		return policy;
	for (size_t i = 0; i < grp->ndevices; i++)
		if (d[i].removable) {
			if (warn)
				warnx_("apply: group %u: %s is untrusted (removable, behind an "
				       "external-facing port): strict, not %s (an untrusted device's "
				       "group stays strict)", grp->id, d[i].dev->name,
				       policy_name(policy));
			return IOMMU_POLICY_STRICT;
		}
	if (grp->ndevices && d[0].untrusted) {
		if (warn)
			warnx_("apply: group %u holds an untrusted device (the iommu_policy module "
			       "keeps it strict): strict, not %s (an untrusted device's group stays "
			       "strict)", grp->id, policy_name(policy));
		return IOMMU_POLICY_STRICT;
	}
	return policy;
}
