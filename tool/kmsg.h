/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_KMSG_H
#define IOMMUCTL_KMSG_H

/*
 * Decoding IOMMU faults from the kernel log.
 *
 * Intel VT-d, AMD-Vi, Arm SMMUv3 and virtio-iommu report most faults only by
 * logging them (AMD also calls report_iommu_fault(), but logs when no handler
 * takes the fault), so `iommuctl stats` and `iommuctl monitor` read them back
 * from /dev/kmsg (or from `dmesg` text) and attribute each to its device.
 * The formats are those of Debian's 6.1 and 6.12 kernels; tests/data/kmsg/README.md
 * lists the printk each one comes from.
 *
 * Everything here is pure: no I/O, no allocation, no global state.  The caller
 * reads records, keeps one struct kmsg_state per log it follows (SMMUv3 prints
 * one event over five lines), and calls kmsg_decode() on each record in order.
 *
 * Attribution:
 *  - Intel prints bus:device.function without the PCI segment
 *    ("Request device [00:01.0]"): the decoder reports segment 0000 and sets
 *    segment_assumed.  Only machines with several PCI segments (some large
 *    servers) can be wrong; the caller may check that the address exists.
 *  - AMD prints the device, with its segment, in the text (device=...) or
 *    prints the message through the device itself (pci_err(): the
 *    "pci 0000:00:01.0: " prefix and DEVICE=+pci:0000:00:01.0 in /dev/kmsg).
 *  - SMMUv3 and virtio-iommu log through the IOMMU's own device and name the
 *    requester only by number (StreamID, endpoint ID), which only the firmware
 *    tables map to a device: device is left empty, iommu names the IOMMU and
 *    source_id holds the number.
 *
 * Counting:
 *  - AMD calls report_iommu_fault() before it logs an IO_PAGE_FAULT through the
 *    device (the "pci 0000:00:01.0: AMD-Vi: ..." form, memory requests only):
 *    iommu_policy.ko has counted those already.  The form with device= in the
 *    text (a device the kernel does not know) and Intel, SMMUv3 and virtio
 *    faults reach the log only.
 *  - A KMSG_SUPPRESSED count is of messages, not faults: Intel's dmar_fault()
 *    shares its limit between the "DRHD: handling fault status" line and the
 *    fault lines, so its count is at most the faults lost.
 */

#include <stdbool.h>
#include <stddef.h>

/* Longest message text kept: the kernel keeps at most 1024 bytes of a message. */
#define KMSG_TEXT_MAX 1024
/* Device and IOMMU names: PCI addresses, "arm-smmu-v3.0.auto", "virtio0". */
#define KMSG_NAME_MAX 64
#define KMSG_EVENT_MAX 32
#define KMSG_REASON_MAX 160

enum kmsg_driver {
	KMSG_DRIVER_NONE,
	KMSG_DRIVER_INTEL,	/* "DMAR: " */
	KMSG_DRIVER_AMD,	/* "AMD-Vi: " */
	KMSG_DRIVER_SMMUV3,	/* "arm-smmu-v3 NAME: " */
	KMSG_DRIVER_VIRTIO,	/* "virtio_iommu NAME: " */
};

enum kmsg_access {
	KMSG_ACCESS_UNKNOWN,
	KMSG_ACCESS_READ,
	KMSG_ACCESS_WRITE,
};

enum kmsg_result {
	KMSG_NOT_FAULT = 0,	/* anything else: ignore it */
	KMSG_FAULT = 1,		/* *out holds one fault */
	KMSG_SUPPRESSED = 2,	/* the driver's rate limit dropped out->suppressed messages */
};

/* One kernel log message, from a /dev/kmsg record or a line of dmesg text. */
struct kmsg_record {
	char text[KMSG_TEXT_MAX];	/* the message, unescaped, without its newline */
	char subsystem[KMSG_NAME_MAX];	/* SUBSYSTEM= of /dev/kmsg: "pci", "iommu", ... or "" */
	char device[KMSG_NAME_MAX];	/* DEVICE= without "+subsystem:": "0000:00:01.0", or "" */
	unsigned long long seq;
	unsigned long long timestamp_usec;	/* since boot */
	int facility;			/* syslog facility, -1 when the line does not say */
	int level;			/* 0 (emerg) .. 7 (debug), -1 when the line does not say */
	bool has_seq;
	bool has_timestamp;
	bool truncated;			/* the text was longer than KMSG_TEXT_MAX - 1 */
};

/* One decoded fault.  Strings are "" when the log does not say. */
struct kmsg_fault {
	enum kmsg_driver driver;
	enum kmsg_access access;
	char device[KMSG_NAME_MAX];	/* faulting device: "0000:00:01.0" */
	char iommu[KMSG_NAME_MAX];	/* the IOMMU when the line names it: "ivhd0", "virtio0" */
	char event[KMSG_EVENT_MAX];	/* "DMA Read", "INTR-REMAP", "IO_PAGE_FAULT", "F_TRANSLATION", "page fault" */
	char reason[KMSG_REASON_MAX];	/* the driver's own words for it */
	unsigned long long address;	/* faulting IOVA (or guest physical address for RMP events) */
	unsigned long long seq;
	unsigned long long timestamp_usec;
	unsigned long long suppressed;	/* KMSG_SUPPRESSED: how many messages were dropped */
	unsigned int source_id;		/* SMMUv3 StreamID, virtio-iommu endpoint ID */
	unsigned int pasid;		/* PASID (Intel, AMD) or SubstreamID (SMMUv3) */
	bool has_address;
	bool has_seq;
	bool has_timestamp;
	bool has_source_id;
	bool has_pasid;
	bool segment_assumed;		/* the log gave no PCI segment: 0000 assumed */
};

/* SMMUv3 events being collected: one per SMMU logging at the same time. */
#define KMSG_SMMU_PENDING 4
#define KMSG_SMMU_DWORDS 4

struct kmsg_smmu_pending {
	char iommu[KMSG_NAME_MAX];
	unsigned long long dword[KMSG_SMMU_DWORDS];
	unsigned long long seq;
	unsigned long long timestamp_usec;
	unsigned long long age;		/* when it started, to reuse the oldest slot */
	unsigned int id;
	unsigned int ndwords;
	bool has_seq;
	bool has_timestamp;
	bool used;
};

struct kmsg_state {
	struct kmsg_smmu_pending smmu[KMSG_SMMU_PENDING];
	unsigned long long clock;
	/*
	 * Optional: the device behind an SMMUv3 StreamID, for a fault whose
	 * record names none (stream_id_device(); NULL in the parser's tests).
	 */
	bool (*attribute)(const char *iommu, unsigned int sid, char *dev, size_t size);
};

void kmsg_state_init(struct kmsg_state *st);

/*
 * Parse one /dev/kmsg record as read(2) returns it:
 * "PRI,SEQ,TS_USEC,FLAGS[,...];MESSAGE\n" then " KEY=VALUE\n" lines.  Returns 0,
 * or -1 with *why saying what is wrong with it (a static string).
 */
int kmsg_parse_record(const char *buf, size_t len, struct kmsg_record *rec, const char **why);

/*
 * Parse one line of kernel log text: dmesg ("[   12.345678] MESSAGE", also
 * with -r "<3>", -x "kern  :err   : ", -t, -T), or syslog / journalctl -k
 * ("Nov 21 13:07:01 host kernel: MESSAGE").  Never fails: an unrecognised
 * line is all message.
 */
void kmsg_parse_line(const char *line, size_t len, struct kmsg_record *rec);

/*
 * Decode one record.  Records must come in log order: an SMMUv3 event is
 * returned with its fifth line, carrying the seq and time of its first.
 * Messages not from the kernel (facility other than kern) are never faults.
 */
enum kmsg_result kmsg_decode(struct kmsg_state *st, const struct kmsg_record *rec,
			     struct kmsg_fault *out);

/*
 * The wall-clock time of boot, in nanoseconds: /dev/kmsg stamps records
 * with the monotonic clock since boot, and this plus a stamp is its time.
 */
long long kmsg_boot_realtime_ns(void);

/*
 * Open /dev/kmsg for reading without blocking; with @from_end only what is
 * logged from now on.  A file descriptor, or -errno (-EPERM/-EACCES: the
 * kernel log needs root or kernel.dmesg_restrict=0).
 */
int kmsg_open(bool from_end);

/*
 * Where a reader of /dev/kmsg is, by sequence number, for a reader that must
 * neither count a record twice nor miss one without saying so (the recorder,
 * which saves @next with what it recorded).
 */
struct kmsg_cursor {
	unsigned long long next;	/* the first record not yet seen (0 at boot) */
	/*
	 * From here to @next (when below it): records seen already that are
	 * read again, their faults not reported, to rebuild an SMMUv3 event
	 * whose first lines came before a restart and its last after.
	 */
	unsigned long long replay;
	unsigned long long skipped;	/* records before @next met again: seen already */
	unsigned long long lost;	/* records the ring overwrote before they were read */
};

/*
 * Decode every record @fd (kmsg_open()) has now and call @fn for each fault
 * or suppression report (KMSG_FAULT or KMSG_SUPPRESSED with *f).  Records
 * overwritten while reading are skipped; with a @cur (or NULL), counted in
 * cur->lost, and records before cur->next are passed over.
 */
void kmsg_drain(int fd, struct kmsg_state *st, struct kmsg_cursor *cur,
		void (*fn)(enum kmsg_result r, const struct kmsg_fault *f, void *arg), void *arg);

/* What to do with the record of sequence number @seq, at @cur. */
enum kmsg_step {
	KMSG_STEP_SKIP,		/* seen already (before cur->next): pass it over */
	KMSG_STEP_REPLAY,	/* seen already, but decode it again (cur->replay): report nothing */
	KMSG_STEP_NEW,		/* new: decode and report it (records skipped to it count as lost) */
};
enum kmsg_step kmsg_cursor_step(struct kmsg_cursor *cur, unsigned long long seq);

/*
 * Where a reader that stops now must start again: cur->next, or the first
 * record of an SMMUv3 event still being collected (its lines are read again,
 * and it is reported once, with its last line; cur->replay at the restart).
 */
unsigned long long kmsg_cursor_resume(const struct kmsg_cursor *cur, const struct kmsg_state *st);

const char *kmsg_driver_name(enum kmsg_driver driver);	/* "intel", "amd", "smmuv3", "virtio" */
const char *kmsg_access_name(enum kmsg_access access);	/* "read", "write", "unknown" */

#endif
