// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * edu-dma: make QEMU's edu device (PCI 1234:11e8) do one DMA, from userspace,
 * so that the VM tests can make the IOMMU fault on an address nobody mapped.
 *
 *   edu-dma BDF [ADDRESS] [read|write] [COUNT]
 *
 * read: the device reads COUNT bytes of RAM at ADDRESS (an IOVA) into its
 * buffer; write: it writes its buffer there.  No driver is involved: BAR0 is
 * mapped through sysfs and memory decoding and bus mastering are switched on
 * in the config space (and back off afterwards: without firmware, as on
 * arm64's virt machine booted straight into the kernel, nobody enabled the
 * BAR, and it reads as all ones).  The registers are those of QEMU's
 * docs/specs/edu.rst: 0x80 source, 0x88 destination, 0x90 count, 0x98 command
 * (bit 0 start and busy, bit 1 direction, 1: from the device to RAM); the
 * device's own buffer is at 0x40000 and holds 4096 bytes.
 *
 * The device clamps RAM addresses to its 28-bit DMA mask, and QEMU releases
 * whose edu_check_range() still calls hw_error() abort the whole guest when
 * the transfer leaves the device's buffer: both are refused here before
 * anything is started.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_START	0x1
#define EDU_CMD_TO_RAM	0x2
#define EDU_BUFFER	0x40000
#define EDU_BUFFER_SIZE	4096
/*
 * QEMU 7.2's edu_check_range() refuses a transfer that ends exactly at the
 * buffer's end (it calls hw_error(), killing the guest, for 4096 bytes), so
 * one byte less is the most that is safe everywhere.
 */
#define EDU_MAX_COUNT	(EDU_BUFFER_SIZE - 1)
#define EDU_DMA_MASK	((1ULL << 28) - 1)
#define EDU_MAP_SIZE	4096

#define PCI_COMMAND		4
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define EDU_COMMAND_BITS	(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)

/* QEMU runs the transfer from a 100 ms timer; under TCG that can take a while. */
#define DMA_TIMEOUT_MS	20000

static const char *prog = "edu-dma";

struct request {
	const char *bdf;
	uint64_t address;
	uint64_t count;
	int to_ram;
};

static void usage(void)
{
	fprintf(stderr,
		"Usage: %s BDF [ADDRESS] [read|write] [COUNT]\n"
		"Make QEMU's edu device at BDF (e.g. 0000:00:01.0) DMA COUNT bytes (1-%d, default 8)\n"
		"from (read, the default) or to (write) the bus address ADDRESS (default 0xabc000,\n"
		"below 0x%llx).  Its IOMMU group must be translated (type DMA) for a fault.\n",
		prog, EDU_MAX_COUNT, EDU_DMA_MASK + 1);
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

static int parse_number(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct request *req)
{
	int i = 2;

	req->bdf = argv[1];
	req->address = 0xabc000;
	req->count = 8;
	req->to_ram = 0;
	if (i < argc && strcmp(argv[i], "read") && strcmp(argv[i], "write") &&
	    parse_number(argv[i++], &req->address) < 0)
		return fail("bad ADDRESS '%s': give a number such as 0xabc000", argv[i - 1]);
	if (i < argc && (!strcmp(argv[i], "read") || !strcmp(argv[i], "write")))
		req->to_ram = !strcmp(argv[i++], "write");
	if (i < argc && parse_number(argv[i++], &req->count) < 0)
		return fail("bad COUNT '%s': give a number of bytes from 1 to %d",
			    argv[i - 1], EDU_MAX_COUNT);
	if (i < argc)
		return fail("unexpected argument '%s' (usage: %s BDF [ADDRESS] [read|write] [COUNT])",
			    argv[i], prog);
	if (req->count < 1 || req->count > EDU_MAX_COUNT)
		return fail("COUNT %" PRIu64 " is out of range: give 1 to %d bytes (the edu buffer "
			    "holds %d, and QEMU 7.2 aborts the guest on a transfer of all of it)",
			    req->count, EDU_MAX_COUNT, EDU_BUFFER_SIZE);
	if (req->address > EDU_DMA_MASK || req->address + req->count - 1 > EDU_DMA_MASK)
		return fail("ADDRESS 0x%" PRIx64 " + %" PRIu64 " bytes is beyond the edu device's "
			    "28-bit DMA mask (it would clamp it): use an address below 0x%llx",
			    req->address, req->count, EDU_DMA_MASK + 1);
	return 0;
}

/* /sys/bus/pci/devices/BDF/NAME */
static void sysfs_path(char *buf, size_t size, const char *bdf, const char *name)
{
	snprintf(buf, size, "/sys/bus/pci/devices/%s/%s", bdf, name);
}

static int read_id(const char *bdf, const char *name, unsigned long *v)
{
	char path[256], text[32];
	FILE *f;

	sysfs_path(path, sizeof(path), bdf, name);
	f = fopen(path, "r");
	if (!f)
		return fail("cannot open %s: %s (is %s a PCI device? ls /sys/bus/pci/devices)",
			    path, strerror(errno), bdf);
	if (!fgets(text, sizeof(text), f)) {
		fclose(f);
		return fail("cannot read %s: it is empty", path);
	}
	fclose(f);
	*v = strtoul(text, NULL, 0);
	return 0;
}

static int check_edu(const char *bdf)
{
	unsigned long vendor, device;

	if (read_id(bdf, "vendor", &vendor) || read_id(bdf, "device", &device))
		return 1;
	if (vendor != 0x1234 || device != 0x11e8)
		return fail("%s is %04lx:%04lx, not QEMU's edu device (1234:11e8): pass the edu "
			    "device's address (grep -l 0x11e8 /sys/bus/pci/devices/*/device)",
			    bdf, vendor, device);
	return 0;
}

/* Set or clear the command register's bits; *old gets it as it was. */
static int set_command(const char *bdf, uint16_t bits, int on, uint16_t *old)
{
	char path[256];
	unsigned char b[2];
	uint16_t cmd;
	int fd;

	sysfs_path(path, sizeof(path), bdf, "config");
	fd = open(path, O_RDWR);
	if (fd < 0)
		return fail("cannot open %s: %s (run as root)", path, strerror(errno));
	if (pread(fd, b, 2, PCI_COMMAND) != 2) {
		close(fd);
		return fail("cannot read the command register from %s: %s", path, strerror(errno));
	}
	*old = (uint16_t)(b[0] | b[1] << 8);
	cmd = on ? *old | bits : *old & ~bits;
	b[0] = cmd & 0xff;
	b[1] = cmd >> 8;
	if (pwrite(fd, b, 2, PCI_COMMAND) != 2) {
		close(fd);
		return fail("cannot write the command register to %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

static volatile uint64_t *reg64(volatile unsigned char *bar, unsigned int off)
{
	return (volatile uint64_t *)(bar + off);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Start the transfer and wait for the device to clear its start bit. */
static int run_dma(volatile unsigned char *bar, const struct request *req)
{
	uint32_t id = *(volatile uint32_t *)(bar + EDU_ID);
	long long deadline;

	if ((id & 0xff) != 0xed)
		return fail("%s: identification register reads 0x%08x, not 0x......ed: "
			    "the BAR is not an edu device's", req->bdf, id);
	if (*reg64(bar, EDU_DMA_CMD) & EDU_CMD_START)
		return fail("%s: a DMA is already running: wait for it, then try again", req->bdf);
	*reg64(bar, EDU_DMA_SRC) = req->to_ram ? EDU_BUFFER : req->address;
	*reg64(bar, EDU_DMA_DST) = req->to_ram ? req->address : EDU_BUFFER;
	*reg64(bar, EDU_DMA_COUNT) = req->count;
	*reg64(bar, EDU_DMA_CMD) = EDU_CMD_START | (req->to_ram ? EDU_CMD_TO_RAM : 0);
	deadline = now_ms() + DMA_TIMEOUT_MS;
	while (*reg64(bar, EDU_DMA_CMD) & EDU_CMD_START) {
		if (now_ms() > deadline)
			return fail("%s: the DMA did not complete within %d ms (is QEMU's edu "
				    "device stuck?)", req->bdf, DMA_TIMEOUT_MS);
		usleep(10000);
	}
	return 0;
}

static int map_and_run(const struct request *req)
{
	char path[256];
	void *bar;
	int fd, ret;

	sysfs_path(path, sizeof(path), req->bdf, "resource0");
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return fail("cannot open %s: %s (run as root)", path, strerror(errno));
	bar = mmap(NULL, EDU_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (bar == MAP_FAILED)
		return fail("cannot map %s: %s (is BAR0 assigned? see lspci -v)", path, strerror(errno));
	ret = run_dma(bar, req);
	munmap(bar, EDU_MAP_SIZE);
	return ret;
}

int main(int argc, char **argv)
{
	struct request req;
	uint16_t old, ignored;
	int ret;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	if (parse_args(argc, argv, &req))
		return 2;
	if (check_edu(req.bdf))
		return 1;
	if (set_command(req.bdf, EDU_COMMAND_BITS, 1, &old))
		return 1;
	ret = map_and_run(&req);
	/*
	 * Leave the bits as they were, so that the device cannot DMA behind the
	 * tests' back.
	 */
	if ((old & EDU_COMMAND_BITS) != EDU_COMMAND_BITS &&
	    set_command(req.bdf, EDU_COMMAND_BITS & ~old, 0, &ignored))
		ret = 1;
	if (!ret)
		printf("%s: %s: DMA %s of %" PRIu64 " bytes %s 0x%" PRIx64 " completed\n",
		       prog, req.bdf, req.to_ram ? "write" : "read", req.count,
		       req.to_ram ? "to" : "from", req.address);
	return ret;
}
