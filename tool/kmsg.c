// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Decoding IOMMU faults from the kernel log (see kmsg.h).  Every format
 * matched here is one the kernel prints; tests/data/kmsg/README.md names the
 * printk behind each, in Debian's 6.1 and 6.12 sources.  The matching is
 * strict: a line is a fault only when it is exactly such a message, so that
 * nothing else in the log (and no other driver's similar words) is counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kmsg.h"
#include "util.h"

/* --- text helpers ------------------------------------------------------------ */

/* s past prefix, or NULL when s does not start with it (or is NULL). */
static const char *skip(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return s && strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex digits (no "0x") at *p into *v, advancing *p; false if none or too many. */
static bool parse_hex(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;
	int d;

	if (!s || hex_value(*s) < 0)
		return false;
	for (; (d = hex_value(*s)) >= 0; s++) {
		if (x >> 60)
			return false;
		x = x << 4 | (unsigned long long)d;
	}
	*v = x;
	*p = s;
	return true;
}

/* "0x" and hex digits, as printk's "0x%llx" prints them. */
static bool parse_0x(const char **p, unsigned long long *v)
{
	const char *s = skip(*p, "0x");

	if (!s || !parse_hex(&s, v))
		return false;
	*p = s;
	return true;
}

/* Decimal digits at *p into *v, advancing *p; false if none or too many. */
static bool parse_dec(const char **p, unsigned long long *v)
{
	const char *s = *p;
	unsigned long long x = 0;

	if (!s || *s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (x > (ULLONG_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	*p = s;
	return true;
}

/* Copy len bytes of src into dst (size bytes), cut to fit and terminated. */
static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
	if (len >= size)
		len = size - 1;
	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void copy_str(char *dst, size_t size, const char *src)
{
	copy_text(dst, size, src, strlen(src));
}

/*
 * A PCI address at *p: "SSSS:BB:DD.F" or, as Intel (and AMD before 5.19)
 * print it, "BB:DD.F".  Written to dst as "SSSS:BB:DD.F"; *assumed is set when
 * the segment was missing and 0000 taken.
 */
static bool parse_pci(const char **p, char *dst, size_t size, bool *assumed)
{
	const char *s = *p;
	unsigned long long a, b, c = 0, fn;
	bool segment;

	if (!parse_hex(&s, &a) || *s++ != ':' || !parse_hex(&s, &b))
		return false;
	segment = *s == ':';
	if (segment) {
		s++;
		if (!parse_hex(&s, &c))
			return false;
	}
	if (*s++ != '.' || *s < '0' || *s > '7')
		return false;
	fn = (unsigned long long)(*s++ - '0');
	if (!segment) {
		c = b;
		b = a;
		a = 0;
	}
	if (a > 0xffff || b > 0xff || c > 0x1f)
		return false;
	snprintf(dst, size, "%04llx:%02llx:%02llx.%llx", a, b, c, fn);
	*assumed = !segment;
	*p = s;
	return true;
}

/* --- /dev/kmsg records --------------------------------------------------------- */

static void record_init(struct kmsg_record *rec)
{
	memset(rec, 0, sizeof(*rec));
	rec->facility = -1;
	rec->level = -1;
}

/* /dev/kmsg escapes bytes < 0x20, >= 0x7f and '\' as "\xHH" (msg_add_ext_text()). */
static void unescape(const char *s, const char *end, char *dst, size_t size, bool *truncated)
{
	size_t n = 0;

	while (s < end) {
		char c = *s++;

		if (c == '\\' && end - s >= 3 && s[0] == 'x' &&
		    hex_value(s[1]) >= 0 && hex_value(s[2]) >= 0) {
			c = (char)(hex_value(s[1]) << 4 | hex_value(s[2]));
			s += 3;
		}
		if (n + 1 >= size) {
			*truncated = true;
			break;
		}
		dst[n++] = c;
	}
	dst[n] = '\0';
}

/* One number of the header and the ',' after it; *why says what is wrong. */
static bool parse_header_field(const char **p, unsigned long long max, unsigned long long *v,
			       const char **why)
{
	const char *s = *p;

	if (!parse_dec(&s, v) || *v > max) {
		*why = **p >= '0' && **p <= '9' ?
		       "a number in its header is too large: the record is corrupt, skip it" :
		       "its header is not \"PRI,SEQ,TS_USEC,FLAGS;\": not a /dev/kmsg record "
		       "(decode dmesg or syslog text as plain lines)";
		return false;
	}
	if (*s != ',') {
		*why = "its header is not \"PRI,SEQ,TS_USEC,FLAGS;\": not a /dev/kmsg record "
		       "(decode dmesg or syslog text as plain lines)";
		return false;
	}
	*p = s + 1;
	return true;
}

/* "PRI,SEQ,TS_USEC,FLAGS[,more]" (info_print_ext_header()). */
static int parse_header(const char *p, struct kmsg_record *rec, const char **why)
{
	unsigned long long pri, seq, ts;

	if (!parse_header_field(&p, INT_MAX, &pri, why) ||
	    !parse_header_field(&p, ULLONG_MAX, &seq, why) ||
	    !parse_header_field(&p, ULLONG_MAX, &ts, why))
		return -1;
	rec->facility = (int)(pri >> 3);
	rec->level = (int)(pri & 7);
	rec->seq = seq;
	rec->timestamp_usec = ts;
	rec->has_seq = rec->has_timestamp = true;
	return 0;
}

/* DEVICE= names a device "+subsystem:name"; block, char and net devices are kept as is. */
static void set_device(struct kmsg_record *rec)
{
	const char *colon;

	if (rec->device[0] != '+')
		return;
	colon = strchr(rec->device, ':');
	if (colon)
		memmove(rec->device, colon + 1, strlen(colon + 1) + 1);
}

/* One " KEY=VALUE" line after the message: only SUBSYSTEM and DEVICE matter. */
static void parse_dict_line(const char *p, const char *end, struct kmsg_record *rec)
{
	const char *eq = memchr(p, '=', (size_t)(end - p));
	bool cut = false;

	if (!eq)
		return;
	if (eq - p == 9 && memcmp(p, "SUBSYSTEM", 9) == 0) {
		unescape(eq + 1, end, rec->subsystem, sizeof(rec->subsystem), &cut);
	} else if (eq - p == 6 && memcmp(p, "DEVICE", 6) == 0) {
		unescape(eq + 1, end, rec->device, sizeof(rec->device), &cut);
		set_device(rec);
	}
}

int kmsg_parse_record(const char *buf, size_t len, struct kmsg_record *rec, const char **why)
{
	const char *end = buf + len, *semi, *p, *nl;

	record_init(rec);
	semi = memchr(buf, ';', len);
	if (!semi) {
		*why = "no ';' ends its header: not a /dev/kmsg record "
		       "(decode dmesg or syslog text as plain lines)";
		return -1;
	}
	/* The header's fields end at the ',' before FLAGS, well before the ';'. */
	if (parse_header(buf, rec, why) < 0)
		return -1;
	p = semi + 1;
	nl = memchr(p, '\n', (size_t)(end - p));
	if (!nl)
		nl = end;
	unescape(p, nl, rec->text, sizeof(rec->text), &rec->truncated);
	for (p = nl + (nl < end); p < end; p = nl + (nl < end)) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if (*p != ' ') {
			*why = "a line after the message is not a \" KEY=VALUE\" line: "
			       "pass one record (one read() of /dev/kmsg) at a time";
			return -1;
		}
		parse_dict_line(p + 1, nl, rec);
	}
	return 0;
}

/* --- dmesg and syslog lines ---------------------------------------------------- */

/* "<PRI>" of dmesg -r. */
static const char *parse_syslog_pri(const char *p, struct kmsg_record *rec)
{
	const char *s = skip(p, "<");
	unsigned long long pri;

	if (!parse_dec(&s, &pri) || *s != '>' || pri > INT_MAX)
		return p;
	rec->facility = (int)(pri >> 3);
	rec->level = (int)(pri & 7);
	return s + 1;
}

/* Index of the word at *p (followed by spaces, then ':') in names, advancing *p past the ':'. */
static int parse_name_column(const char **p, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = skip(*p, names[i]);

		if (!s)
			continue;
		while (*s == ' ')
			s++;
		if (*s == ':') {
			*p = s + 1;
			return (int)i;
		}
	}
	return -1;
}

/* "kern  :err   : " of dmesg -x (--decode). */
static const char *parse_decoded_pri(const char *p, struct kmsg_record *rec)
{
	static const char *const facilities[] = {
		"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
		"uucp", "cron", "authpriv", "ftp", "res0", "res1", "res2", "res3",
		"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
	};
	static const char *const levels[] = {
		"emerg", "alert", "crit", "err", "warn", "notice", "info", "debug",
	};
	const char *s = p;
	int facility = parse_name_column(&s, facilities, ARRAY_SIZE(facilities));
	int level = facility < 0 ? -1 : parse_name_column(&s, levels, ARRAY_SIZE(levels));

	if (level < 0 || *s != ' ')
		return p;
	rec->facility = facility;
	rec->level = level;
	return s + 1;
}

/* Does s match the template?  'a': a letter, 'd': a digit, '_': a digit or a space. */
static bool matches(const char *s, const char *template)
{
	for (; *template; s++, template++) {
		bool letter = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z');
		bool digit = *s >= '0' && *s <= '9';

		if ((*template == 'a' && !letter) || (*template == 'd' && !digit) ||
		    (*template == '_' && !digit && *s != ' ') ||
		    (*template != 'a' && *template != 'd' && *template != '_' && *s != *template))
			return false;
	}
	return true;
}

/* "[   12.345678] " (seconds since boot) or dmesg -T's "[Fri Nov 21 13:07:01 2025] ". */
static const char *parse_timestamp(const char *p, struct kmsg_record *rec)
{
	const char *s = skip(p, "[");
	unsigned long long sec, frac;
	const char *digits;

	if (s && matches(s, "aaa aaa _d dd:dd:dd dddd] "))
		return s + 26;
	while (s && *s == ' ')
		s++;
	if (!parse_dec(&s, &sec) || *s++ != '.')
		return p;
	digits = s;
	if (!parse_dec(&s, &frac) || *s != ']' || s - digits > 9)
		return p;
	/* Six digits are microseconds; other precisions are scaled to them. */
	for (ptrdiff_t n = s - digits; n < 6; n++)
		frac *= 10;
	for (ptrdiff_t n = s - digits; n > 6; n--)
		frac /= 10;
	rec->timestamp_usec = sec * 1000000 + frac;
	rec->has_timestamp = true;
	return s[1] == ' ' ? s + 2 : s + 1;
}

/*
 * "Nov 21 13:07:01 host kernel: " of syslog and journalctl -k: the kernel's
 * facility.  The tag must follow the host name: another program's message
 * saying "kernel: " is not the kernel's.
 */
static const char *parse_syslog_host(const char *p, struct kmsg_record *rec)
{
	const char *s = p + 16;

	if (!matches(p, "aaa _d dd:dd:dd "))
		return p;
	s += strcspn(s, " ");
	if (s == p + 16 || !(s = skip(s, " kernel: ")))
		return p;
	rec->facility = 0;
	return s;
}

void kmsg_parse_line(const char *line, size_t len, struct kmsg_record *rec)
{
	char buf[KMSG_TEXT_MAX + 64];
	const char *p;

	record_init(rec);
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	copy_text(buf, sizeof(buf), line, len);
	rec->truncated = len >= sizeof(buf);
	p = parse_syslog_host(buf, rec);
	p = parse_syslog_pri(p, rec);
	p = parse_decoded_pri(p, rec);
	p = parse_timestamp(p, rec);
	rec->truncated |= strlen(p) >= sizeof(rec->text);
	copy_str(rec->text, sizeof(rec->text), p);
}

/* --- what every driver's message shares ----------------------------------------- */

/*
 * dev_printk() starts a message with "DRIVER NAME: " (__dev_printk()); pr_*()
 * with pr_fmt's "DMAR: " or "AMD-Vi: ", one word ending in ':'.
 */
struct prefix {
	char driver[KMSG_NAME_MAX];	/* "pci", "iommu", "arm-smmu-v3", "virtio_iommu" or "" */
	char name[KMSG_NAME_MAX];	/* the device that printed: DEVICE= or the prefix's name */
	const char *body;		/* the message after the prefix */
};

static void split_prefix(const struct kmsg_record *rec, struct prefix *px)
{
	const char *text = rec->text, *sp = strchr(text, ' '), *colon;

	px->driver[0] = px->name[0] = '\0';
	px->body = text;
	if (sp && sp > text && sp[-1] != ':') {
		colon = strstr(sp + 1, ": ");
		if (colon && colon > sp + 1 && !memchr(sp + 1, ' ', (size_t)(colon - sp - 1))) {
			copy_text(px->driver, sizeof(px->driver), text, (size_t)(sp - text));
			copy_text(px->name, sizeof(px->name), sp + 1, (size_t)(colon - sp - 1));
			px->body = colon + 2;
		}
	}
	/* DEVICE= is the kernel's own record of who printed: it wins. */
	if (rec->device[0])
		copy_str(px->name, sizeof(px->name), rec->device);
}

static void set_event(struct kmsg_fault *f, enum kmsg_driver driver, const char *event)
{
	f->driver = driver;
	copy_str(f->event, sizeof(f->event), event);
}

/* --- Intel VT-d: dmar_fault_do_one() ------------------------------------------------ */

/* " Request device [BB:DD.F] " */
static const char *intel_device(const char *p, struct kmsg_fault *f)
{
	p = skip(p, " Request device [");
	if (!p || !parse_pci(&p, f->device, sizeof(f->device), &f->segment_assumed))
		return NULL;
	return skip(p, "] ");
}

/* "[fault reason 0xNN] TEXT" to the end; detail goes after the code ("" or ", index 0x1a"). */
static bool intel_reason(const char *p, const char *detail, struct kmsg_fault *f)
{
	unsigned long long code;

	p = skip(p, " [fault reason ");
	if (!p || !parse_0x(&p, &code) || !(p = skip(p, "] ")))
		return false;
	snprintf(f->reason, sizeof(f->reason), "%s (fault reason 0x%02llx%s)", p, code, detail);
	return true;
}

/* "[INTR-REMAP] Request device [BB:DD.F] fault index 0xN [fault reason 0xNN] TEXT" */
static enum kmsg_result intel_intr_remap(const char *p, struct kmsg_fault *f)
{
	unsigned long long index;
	char detail[32];

	set_event(f, KMSG_DRIVER_INTEL, "INTR-REMAP");
	p = skip(intel_device(p, f), "fault index ");
	if (!p || !parse_0x(&p, &index))
		return KMSG_NOT_FAULT;
	snprintf(detail, sizeof(detail), ", index 0x%llx", index);
	return intel_reason(p, detail, f) ? KMSG_FAULT : KMSG_NOT_FAULT;
}

/* "[DMA Read NO_PASID] ..." or "[DMA Write PASID 0x1] ...": the access and PASID. */
static const char *intel_dma_kind(const char *p, struct kmsg_fault *f)
{
	const char *q;
	unsigned long long pasid;

	if ((q = skip(p, "DMA Read "))) {
		set_event(f, KMSG_DRIVER_INTEL, "DMA Read");
		f->access = KMSG_ACCESS_READ;
	} else if ((q = skip(p, "DMA Write "))) {
		set_event(f, KMSG_DRIVER_INTEL, "DMA Write");
		f->access = KMSG_ACCESS_WRITE;
	} else {
		return NULL;
	}
	if ((p = skip(q, "NO_PASID]")))
		return p;
	q = skip(q, "PASID ");
	if (!q || !parse_0x(&q, &pasid) || pasid > UINT_MAX || *q != ']')
		return NULL;
	f->pasid = (unsigned int)pasid;
	f->has_pasid = true;
	return q + 1;
}

static enum kmsg_result decode_intel(struct kmsg_state *st, const struct kmsg_record *rec,
				     const struct prefix *px, struct kmsg_fault *f)
{
	const char *p = skip(px->body, "DMAR: [");
	const char *q;

	(void)st;	/* one line, no state, nothing from the record but its text */
	(void)rec;
	if (!p)
		return KMSG_NOT_FAULT;
	if ((q = skip(p, "INTR-REMAP]")))
		return intel_intr_remap(q, f);
	p = skip(intel_device(intel_dma_kind(p, f), f), "fault addr ");
	if (!p || !parse_0x(&p, &f->address))
		return KMSG_NOT_FAULT;
	f->has_address = true;
	return intel_reason(p, "", f) ? KMSG_FAULT : KMSG_NOT_FAULT;
}

/* --- AMD-Vi: iommu_print_event(), amd_iommu_report_page_fault() ----------------------- */

/* Events about one device's request; command and unknown events name no device. */
static bool amd_device_event(const char *name, size_t len)
{
	static const char *const events[] = {
		"IO_PAGE_FAULT", "ILLEGAL_DEV_TABLE_ENTRY", "DEV_TAB_HARDWARE_ERROR",
		"PAGE_TAB_HARDWARE_ERROR", "IOTLB_INV_TIMEOUT", "INVALID_DEVICE_REQUEST",
		"INVALID_PPR_REQUEST", "RMP_PAGE_FAULT", "RMP_HW_ERROR",
	};

	for (size_t i = 0; i < ARRAY_SIZE(events); i++)
		if (strlen(events[i]) == len && memcmp(events[i], name, len) == 0)
			return true;
	return false;
}

static void append_reason(struct kmsg_fault *f, const char *s, size_t len)
{
	size_t n = strlen(f->reason);

	if (n && n + 1 < sizeof(f->reason))
		f->reason[n++] = ' ';
	copy_text(f->reason + n, sizeof(f->reason) - n, s, len);
}

/* One "key=value" of an event: device, address and PASID are kept apart, the rest is the reason. */
static bool amd_field(const char *key, size_t klen, const char *val, size_t vlen,
		      struct kmsg_fault *f)
{
	const char *v = val;
	unsigned long long x;
	bool assumed;

	if (klen == 6 && memcmp(key, "device", 6) == 0) {
		if (!parse_pci(&v, f->device, sizeof(f->device), &assumed))
			return false;
		f->segment_assumed = assumed;
	} else if ((klen == 7 && memcmp(key, "address", 7) == 0) ||
		   (klen == 3 && (memcmp(key, "gpa", 3) == 0 || memcmp(key, "spa", 3) == 0))) {
		if (!parse_0x(&v, &f->address))
			return false;
		f->has_address = true;
	} else if (klen == 5 && memcmp(key, "pasid", 5) == 0) {
		if (!parse_0x(&v, &x) || x > UINT_MAX)
			return false;
		f->pasid = (unsigned int)x;
		f->has_pasid = true;
	} else {
		append_reason(f, key, (size_t)(val + vlen - key));
		return true;
	}
	return v == val + vlen;
}

/* "key=value key=value]" (RMP events separate them with ", "); *flags gets flags=. */
static bool amd_fields(const char *p, struct kmsg_fault *f, unsigned long long *flags)
{
	while (*p != ']') {
		const char *key, *eq, *val;
		size_t vlen;

		if (*p == ',')
			p++;
		if (*p != ' ')
			return false;
		key = p + 1;
		eq = key + strcspn(key, "= ,]");
		if (*eq != '=')
			return false;
		val = eq + 1;
		vlen = strcspn(val, " ,]");
		if (!vlen || !amd_field(key, (size_t)(eq - key), val, vlen, f))
			return false;
		if (eq - key == 5 && memcmp(key, "flags", 5) == 0 && !parse_0x(&val, flags))
			return false;
		p = eq + 1 + vlen;
	}
	return p[1] == '\0';
}

/* The device the event is about: named in the text, or the device that printed it. */
static void amd_attribute(const struct kmsg_record *rec, const struct prefix *px, struct kmsg_fault *f)
{
	bool printer_is_iommu = strcmp(px->driver, "iommu") == 0 ||
				strcmp(rec->subsystem, "iommu") == 0;

	if (printer_is_iommu)
		copy_str(f->iommu, sizeof(f->iommu), px->name);
	else if (!f->device[0])
		copy_str(f->device, sizeof(f->device), px->name);
}

/* "  device=SSSS:BB:DD.F domain=0xNNNN", after "Event logged [Device not attached to domain properly]". */
static enum kmsg_result amd_not_attached(const char *p, struct kmsg_fault *f)
{
	set_event(f, KMSG_DRIVER_AMD, "IO_PAGE_FAULT");
	if (!parse_pci(&p, f->device, sizeof(f->device), &f->segment_assumed) ||
	    !skip(p, " domain=0x"))
		return KMSG_NOT_FAULT;
	snprintf(f->reason, sizeof(f->reason), "device not attached to domain properly,%s", p);
	return KMSG_FAULT;
}

static enum kmsg_result decode_amd(struct kmsg_state *st, const struct kmsg_record *rec,
				   const struct prefix *px, struct kmsg_fault *f)
{
	const char *p = skip(px->body, "AMD-Vi: ");
	const char *q;
	unsigned long long flags = 0;
	size_t len;

	(void)st;	/* every AMD message is one line */
	if ((q = skip(p, "  device=")))
		return amd_not_attached(q, f);
	p = skip(p, "Event logged [");
	if (!p)
		return KMSG_NOT_FAULT;
	len = strcspn(p, " ]");
	if (!amd_device_event(p, len) || p[len] != ' ')
		return KMSG_NOT_FAULT;
	f->driver = KMSG_DRIVER_AMD;
	copy_text(f->event, sizeof(f->event), p, len);
	if (!amd_fields(p + len, f, &flags))
		return KMSG_NOT_FAULT;
	/*
	 * As the kernel reads an IO_PAGE_FAULT (amd_iommu_types.h): EVENT_FLAG_I,
	 * 0x008, marks an interrupt request rather than a memory access (no
	 * report_iommu_fault() for it); otherwise EVENT_FLAG_RW, 0x020, a write.
	 */
	if (strcmp(f->event, "IO_PAGE_FAULT") == 0) {
		if (flags & 0x008)
			append_reason(f, "(interrupt request)", 19);
		else
			f->access = flags & 0x020 ? KMSG_ACCESS_WRITE : KMSG_ACCESS_READ;
	}
	amd_attribute(rec, px, f);
	return KMSG_FAULT;
}

/* --- Arm SMMUv3: arm_smmu_evtq_thread() ---------------------------------------------- */

/*
 * The event record (Arm SMMUv3 architecture, "Event queue record formats"):
 * dword 0: [7:0] event ID, [11] SSV, [31:12] SubstreamID, [63:32] StreamID;
 * dword 1: [31] Stall, [35] RnW (1: read), [39] S2 (stage 2);
 * dword 2: the input address, for the translation faults 0x10-0x13 (the ones
 * arm_smmu_handle_evt() itself reads it for).
 */
struct smmu_event_name {
	unsigned int id;
	const char *name;
	const char *what;
};

static const struct smmu_event_name smmu_events[] = {
	{ 0x01, "F_UUT", "unsupported upstream transaction" },
	{ 0x02, "C_BAD_STREAMID", "StreamID out of range or not configured" },
	{ 0x03, "F_STE_FETCH", "fetching the stream table entry failed" },
	{ 0x04, "C_BAD_STE", "invalid stream table entry" },
	{ 0x05, "F_BAD_ATS_TREQ", "ATS translation request not allowed" },
	{ 0x06, "F_STREAM_DISABLED", "stream disabled by its stream table entry" },
	{ 0x07, "F_TRANSL_FORBIDDEN", "translated transaction not allowed" },
	{ 0x08, "C_BAD_SUBSTREAMID", "SubstreamID out of range or not configured" },
	{ 0x09, "F_CD_FETCH", "fetching the context descriptor failed" },
	{ 0x0a, "C_BAD_CD", "invalid context descriptor" },
	{ 0x0b, "F_WALK_EABT", "external abort during the page table walk" },
	{ 0x10, "F_TRANSLATION", "translation fault: address not mapped" },
	{ 0x11, "F_ADDR_SIZE", "address size fault" },
	{ 0x12, "F_ACCESS", "access flag fault" },
	{ 0x13, "F_PERMISSION", "permission fault" },
	{ 0x20, "F_TLB_CONFLICT", "TLB conflict" },
	{ 0x21, "F_CFG_CONFLICT", "configuration cache conflict" },
	{ 0x24, "E_PAGE_REQUEST", "page request hint" },
	{ 0x25, "F_VMS_FETCH", "fetching the VMS failed" },
};

static void smmu_name(unsigned int id, struct kmsg_fault *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(smmu_events); i++) {
		if (smmu_events[i].id == id) {
			set_event(f, KMSG_DRIVER_SMMUV3, smmu_events[i].name);
			copy_str(f->reason, sizeof(f->reason), smmu_events[i].what);
			return;
		}
	}
	snprintf(f->event, sizeof(f->event), "event 0x%02x", id);
	f->driver = KMSG_DRIVER_SMMUV3;
	copy_str(f->reason, sizeof(f->reason), "event unknown to iommuctl");
}

static void smmu_fill(const struct kmsg_smmu_pending *ev, struct kmsg_fault *f)
{
	const unsigned long long *dw = ev->dword;
	bool translation = ev->id >= 0x10 && ev->id <= 0x13;

	smmu_name(ev->id, f);
	copy_str(f->iommu, sizeof(f->iommu), ev->iommu);
	f->source_id = (unsigned int)(dw[0] >> 32);
	f->has_source_id = true;
	if (dw[0] & (1ULL << 11)) {
		f->pasid = (unsigned int)(dw[0] >> 12 & 0xfffff);
		f->has_pasid = true;
	}
	if (translation) {
		f->address = dw[2];
		f->has_address = true;
		f->access = dw[1] & (1ULL << 35) ? KMSG_ACCESS_READ : KMSG_ACCESS_WRITE;
		if (dw[1] & (1ULL << 39))
			append_reason(f, "(stage 2)", 9);
	}
	if (dw[1] & (1ULL << 31))
		append_reason(f, "(stalled)", 9);
	f->seq = ev->seq;
	f->has_seq = ev->has_seq;
	f->timestamp_usec = ev->timestamp_usec;
	f->has_timestamp = ev->has_timestamp;
}

/* The slot collecting iommu's event, a free one or (lines were lost) the oldest. */
static struct kmsg_smmu_pending *smmu_slot(struct kmsg_state *st, const char *iommu, bool create)
{
	struct kmsg_smmu_pending *oldest = &st->smmu[0];

	for (size_t i = 0; i < KMSG_SMMU_PENDING; i++)
		if (st->smmu[i].used && strcmp(st->smmu[i].iommu, iommu) == 0)
			return &st->smmu[i];
	if (!create)
		return NULL;
	for (size_t i = 0; i < KMSG_SMMU_PENDING; i++) {
		if (!st->smmu[i].used)
			return &st->smmu[i];
		if (st->smmu[i].age < oldest->age)
			oldest = &st->smmu[i];
	}
	return oldest;
}

/* "event 0xNN received:": the first of five lines. */
static void smmu_start(struct kmsg_state *st, const struct kmsg_record *rec,
		       const struct prefix *px, unsigned int id)
{
	struct kmsg_smmu_pending *ev = smmu_slot(st, px->name, true);

	memset(ev, 0, sizeof(*ev));
	copy_str(ev->iommu, sizeof(ev->iommu), px->name);
	ev->id = id;
	ev->used = true;
	ev->age = ++st->clock;
	ev->seq = rec->seq;
	ev->has_seq = rec->has_seq;
	ev->timestamp_usec = rec->timestamp_usec;
	ev->has_timestamp = rec->has_timestamp;
}

/* "\t0x%016llx": one dword; the fourth completes the event. */
static enum kmsg_result smmu_dword(struct kmsg_state *st, const struct prefix *px,
				   const char *p, struct kmsg_fault *f)
{
	struct kmsg_smmu_pending *ev = smmu_slot(st, px->name, false);
	const char *start;
	unsigned long long v;

	while (*p == '\t' || *p == ' ')
		p++;
	start = p = skip(p, "0x");
	if (!ev || !parse_hex(&p, &v) || *p || p - start != 16)
		return KMSG_NOT_FAULT;
	ev->dword[ev->ndwords++] = v;
	if (ev->ndwords < KMSG_SMMU_DWORDS)
		return KMSG_NOT_FAULT;
	smmu_fill(ev, f);
	ev->used = false;
	return KMSG_FAULT;
}

static enum kmsg_result decode_smmu(struct kmsg_state *st, const struct kmsg_record *rec,
				    const struct prefix *px, struct kmsg_fault *f)
{
	const char *p = skip(px->body, "event 0x");
	unsigned long long id;

	if (strcmp(px->driver, "arm-smmu-v3") != 0 || !px->name[0])
		return KMSG_NOT_FAULT;
	if (!p)
		return smmu_dword(st, px, px->body, f);
	if (parse_hex(&p, &id) && id <= 0xff && strcmp(p, " received:") == 0)
		smmu_start(st, rec, px, (unsigned int)id);
	return KMSG_NOT_FAULT;
}

/* --- virtio-iommu: viommu_fault_handler() --------------------------------------------- */

/* "[RWX]" of the fault's flags; an empty pair of brackets is possible. */
static bool virtio_flags(const char *p, struct kmsg_fault *f)
{
	size_t n = strspn(p, "RWX");
	bool r = memchr(p, 'R', n) != NULL, w = memchr(p, 'W', n) != NULL;

	if (strcmp(p + n, "]") != 0)
		return false;
	if (r != w)
		f->access = r ? KMSG_ACCESS_READ : KMSG_ACCESS_WRITE;
	append_reason(f, p - 1, n + 2);
	return true;
}

static enum kmsg_result decode_virtio(struct kmsg_state *st, const struct kmsg_record *rec,
				      const struct prefix *px, struct kmsg_fault *f)
{
	static const char *const kinds[][2] = {
		{ "domain", "endpoint not attached to a domain" },
		{ "page", "address not mapped or access not allowed" },
		{ "unknown", "unknown reason" },
	};
	const char *p = NULL;
	unsigned long long ep;

	(void)st;	/* one line, and DEVICE= is already in px->name */
	(void)rec;
	if (strcmp(px->driver, "virtio_iommu") != 0)
		return KMSG_NOT_FAULT;
	for (size_t i = 0; i < ARRAY_SIZE(kinds) && !p; i++) {
		p = skip(skip(px->body, kinds[i][0]), " fault from EP ");
		if (p) {
			snprintf(f->event, sizeof(f->event), "%s fault", kinds[i][0]);
			copy_str(f->reason, sizeof(f->reason), kinds[i][1]);
		}
	}
	if (!parse_dec(&p, &ep) || ep > UINT_MAX)
		return KMSG_NOT_FAULT;
	f->driver = KMSG_DRIVER_VIRTIO;
	f->source_id = (unsigned int)ep;
	f->has_source_id = true;
	copy_str(f->iommu, sizeof(f->iommu), px->name);
	if (!*p)
		return KMSG_FAULT;
	/* "%#llx" prints 0 as "0", without "0x". */
	p = skip(p, " at ");
	if (p && p[0] == '0' && p[1] == ' ')
		p++;
	else if (!p || !parse_0x(&p, &f->address))
		return KMSG_NOT_FAULT;
	f->has_address = true;
	p = skip(p, " [");
	return p && virtio_flags(p, f) ? KMSG_FAULT : KMSG_NOT_FAULT;
}

/* --- rate limits: ___ratelimit()'s "FUNC: N callbacks suppressed" -------------------- */

static enum kmsg_result decode_suppressed(struct kmsg_state *st, const struct kmsg_record *rec,
					  const struct prefix *px, struct kmsg_fault *f)
{
	static const struct {
		const char *function;
		enum kmsg_driver driver;
	} limits[] = {
		{ "dmar_fault", KMSG_DRIVER_INTEL },
		{ "amd_iommu_report_page_fault", KMSG_DRIVER_AMD },
		{ "amd_iommu_report_rmp_fault", KMSG_DRIVER_AMD },
		{ "amd_iommu_report_rmp_hw_error", KMSG_DRIVER_AMD },
		{ "arm_smmu_evtq_thread", KMSG_DRIVER_SMMUV3 },
		{ "viommu_fault_handler", KMSG_DRIVER_VIRTIO },
	};

	(void)st;	/* one line, printed without a device */
	(void)rec;
	for (size_t i = 0; i < ARRAY_SIZE(limits); i++) {
		const char *p = skip(skip(px->body, limits[i].function), ": ");

		if (!parse_dec(&p, &f->suppressed) || strcmp(p, " callbacks suppressed") != 0)
			continue;
		f->driver = limits[i].driver;
		copy_str(f->event, sizeof(f->event), "suppressed");
		copy_str(f->reason, sizeof(f->reason), limits[i].function);
		return KMSG_SUPPRESSED;
	}
	return KMSG_NOT_FAULT;
}

/* --- the entry points ----------------------------------------------------------------- */

void kmsg_state_init(struct kmsg_state *st)
{
	memset(st, 0, sizeof(*st));
}

/* Every decoder starts from a clean fault holding only the record's seq and time. */
static void start_fault(const struct kmsg_record *rec, struct kmsg_fault *out)
{
	memset(out, 0, sizeof(*out));
	out->seq = rec->seq;
	out->has_seq = rec->has_seq;
	out->timestamp_usec = rec->timestamp_usec;
	out->has_timestamp = rec->has_timestamp;
}

typedef enum kmsg_result decoder_fn(struct kmsg_state *st, const struct kmsg_record *rec,
				    const struct prefix *px, struct kmsg_fault *f);

enum kmsg_result kmsg_decode(struct kmsg_state *st, const struct kmsg_record *rec,
			     struct kmsg_fault *out)
{
	static decoder_fn *const decoders[] = {
		decode_intel, decode_amd, decode_smmu, decode_virtio, decode_suppressed,
	};
	struct prefix px;

	/* Userspace can write to /dev/kmsg (facility user and up): never a fault. */
	if (rec->facility <= 0) {
		split_prefix(rec, &px);
		for (size_t i = 0; i < ARRAY_SIZE(decoders); i++) {
			enum kmsg_result r;

			start_fault(rec, out);
			r = decoders[i](st, rec, &px, out);
			if (r == KMSG_NOT_FAULT)
				continue;
			if (st->attribute && out->driver == KMSG_DRIVER_SMMUV3 &&
			    out->has_source_id && !out->device[0])
				st->attribute(out->iommu, out->source_id, out->device,
					      sizeof(out->device));
			return r;
		}
	}
	/* A half-matched line may have filled fields: leave nothing behind. */
	memset(out, 0, sizeof(*out));
	return KMSG_NOT_FAULT;
}

const char *kmsg_driver_name(enum kmsg_driver driver)
{
	switch (driver) {
	case KMSG_DRIVER_INTEL:
		return "intel";
	case KMSG_DRIVER_AMD:
		return "amd";
	case KMSG_DRIVER_SMMUV3:
		return "smmuv3";
	case KMSG_DRIVER_VIRTIO:
		return "virtio";
	case KMSG_DRIVER_NONE:
		break;
	}
	return "none";
}

long long kmsg_boot_realtime_ns(void)
{
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
}

int kmsg_open(bool from_end)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (from_end)
		lseek(fd, 0, SEEK_END);
	return fd;
}

enum kmsg_step kmsg_cursor_step(struct kmsg_cursor *cur, unsigned long long seq)
{
	if (seq < cur->next) {
		if (seq >= cur->replay && cur->replay < cur->next)
			return KMSG_STEP_REPLAY;
		cur->skipped++;
		return KMSG_STEP_SKIP;
	}
	cur->lost += seq - cur->next;
	cur->next = seq + 1;
	return KMSG_STEP_NEW;
}

unsigned long long kmsg_cursor_resume(const struct kmsg_cursor *cur, const struct kmsg_state *st)
{
	unsigned long long resume = cur->next;

	for (size_t i = 0; i < KMSG_SMMU_PENDING; i++)
		if (st->smmu[i].used && st->smmu[i].has_seq && st->smmu[i].seq < resume)
			resume = st->smmu[i].seq;
	return resume;
}

void kmsg_drain(int fd, struct kmsg_state *st, struct kmsg_cursor *cur,
		void (*fn)(enum kmsg_result r, const struct kmsg_fault *f, void *arg), void *arg)
{
	struct kmsg_record rec;
	struct kmsg_fault f;
	char buf[8192];
	const char *why;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		enum kmsg_result r;
		enum kmsg_step step;

		if (n < 0 && (errno == EPIPE || errno == EINTR))	/* EPIPE: overwritten */
			continue;
		if (n <= 0)
			return;
		if (kmsg_parse_record(buf, (size_t)n, &rec, &why))
			continue;
		/* EPIPE above moved the reader past what was overwritten: the gap counts. */
		step = cur ? kmsg_cursor_step(cur, rec.seq) : KMSG_STEP_NEW;
		if (step == KMSG_STEP_SKIP)
			continue;
		r = kmsg_decode(st, &rec, &f);
		if (r != KMSG_NOT_FAULT && step == KMSG_STEP_NEW)
			fn(r, &f, arg);
	}
}

const char *kmsg_access_name(enum kmsg_access access)
{
	switch (access) {
	case KMSG_ACCESS_READ:
		return "read";
	case KMSG_ACCESS_WRITE:
		return "write";
	case KMSG_ACCESS_UNKNOWN:
		break;
	}
	return "unknown";
}
