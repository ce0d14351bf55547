// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vfio-open: use an IOMMU group the way a VMM does, through VFIO's group and
 * container interface, so that the VM tests can tell whether 'iommuctl vfio'
 * really handed a group over.
 *
 *   vfio-open GROUP DEVICE... [--edu-dma] [--hold]
 *
 * Opens /dev/vfio/vfio and /dev/vfio/GROUP, asks whether the group is viable,
 * attaches it to a type1 container, maps 1 MiB of memory for DMA and opens
 * each DEVICE's fd (its regions and interrupts).  With --edu-dma the first
 * DEVICE is QEMU's edu device: its DMA engine copies a pattern from the
 * mapped memory into the device's buffer, read back through the mapped BAR,
 * which only works when the IOMMU translates the device's DMA through the
 * container's mapping.  With --hold it prints "holding" and keeps everything
 * open until a signal.  Prints one line per step; exit 0 when every step
 * worked, 1 at the first that did not (saying which and why).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/vfio.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define IOVA		0x100000ULL
#define MAP_SIZE	(1 << 20)
#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_COUNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_BUFFER	0x40000
#define EDU_LEN		256

static int fail(const char *what)
{
	printf("FAIL %s: %s\n", what, strerror(errno));
	return 1;
}

/* One DMA of the edu device (its registers at @r64), @dir 2: to RAM; 0 when it finished. */
static int edu_copy(volatile uint64_t *r64, uint64_t src, uint64_t dst, uint64_t dir)
{
	r64[EDU_DMA_SRC / 8] = src;
	r64[EDU_DMA_DST / 8] = dst;
	r64[EDU_DMA_COUNT / 8] = EDU_LEN;
	r64[EDU_DMA_CMD / 8] = 1 | dir;
	for (int i = 0; i < 2000 && (r64[EDU_DMA_CMD / 8] & 1); i++)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	if (r64[EDU_DMA_CMD / 8] & 1) {
		printf("FAIL edu: the DMA from %#llx to %#llx did not finish in 2 s\n",
		       (unsigned long long)src, (unsigned long long)dst);
		return 1;
	}
	return 0;
}

static int edu_dma(int dev, unsigned char *mem)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };
	volatile uint64_t *r64;
	volatile uint32_t *r32;
	uint16_t cmd;
	void *map;

	if (ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &bar) ||
	    ioctl(dev, VFIO_DEVICE_GET_REGION_INFO, &cfg))
		return fail("edu: VFIO_DEVICE_GET_REGION_INFO");
	map = mmap(NULL, bar.size, PROT_READ | PROT_WRITE, MAP_SHARED, dev, (off_t)bar.offset);
	if (map == MAP_FAILED)
		return fail("edu: mmap BAR0");
	r32 = map;
	r64 = map;
	/* Memory decoding and bus mastering on, in the config space VFIO emulates. */
	if (pread(dev, &cmd, 2, (off_t)cfg.offset + 4) != 2)
		return fail("edu: read the command register");
	cmd |= 0x6;
	if (pwrite(dev, &cmd, 2, (off_t)cfg.offset + 4) != 2)
		return fail("edu: write the command register");
	if ((r32[EDU_ID / 4] & 0xff) != 0xed) {
		printf("FAIL edu: BAR0 reads %#x as its id, not 0x..ed\n", r32[EDU_ID / 4]);
		return 1;
	}
	for (int i = 0; i < EDU_LEN; i++)
		mem[i] = (unsigned char)(i * 7 + 3);
	/* RAM -> the device's buffer, then the buffer -> RAM 4 KiB further on. */
	if (edu_copy(r64, IOVA, EDU_BUFFER, 0) || edu_copy(r64, EDU_BUFFER, IOVA + 4096, 2))
		return 1;
	for (int i = 0; i < EDU_LEN; i++) {
		unsigned char got = ((volatile unsigned char *)mem)[4096 + i];

		if (got != (unsigned char)(i * 7 + 3)) {
			printf("FAIL edu: byte %d copied back is %#x, not %#x\n", i, got,
			       (unsigned char)(i * 7 + 3));
			return 1;
		}
	}
	printf("edu: %d bytes DMAed from IOVA %#llx into the device and back to %#llx through the container's mapping\n",
	       EDU_LEN, IOVA, IOVA + 4096);
	munmap(map, bar.size);
	return 0;
}

int main(int argc, char **argv)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	struct vfio_iommu_type1_dma_map dma = { .argsz = sizeof(dma) };
	int container, group, type, first_dev = -1, ndev = 0;
	int edu = 0, hold = 0;
	unsigned char *mem;
	char path[64];

	if (argc < 3) {
		fprintf(stderr, "usage: vfio-open GROUP DEVICE... [--edu-dma] [--hold]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--edu-dma"))
			edu = 1;
		else if (!strcmp(argv[i], "--hold"))
			hold = 1;
	}
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container < 0)
		return fail("open /dev/vfio/vfio");
	if (ioctl(container, VFIO_GET_API_VERSION) != VFIO_API_VERSION) {
		printf("FAIL VFIO API version %d\n", ioctl(container, VFIO_GET_API_VERSION));
		return 1;
	}
	type = ioctl(container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) == 1 ?
	       VFIO_TYPE1v2_IOMMU : VFIO_TYPE1_IOMMU;
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0) {
		printf("FAIL open %s: %s\n", path, strerror(errno));
		return 1;
	}
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status))
		return fail("VFIO_GROUP_GET_STATUS");
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		printf("FAIL group %s is not viable (a device of it is bound to a DMA-API driver)\n",
		       argv[1]);
		return 1;
	}
	printf("group %s: viable\n", argv[1]);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, type))
		return fail("VFIO_SET_IOMMU");
	mem = mmap(NULL, MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memset(mem, 0, MAP_SIZE);
	dma.vaddr = (uintptr_t)mem;
	dma.size = MAP_SIZE;
	dma.iova = IOVA;
	dma.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(container, VFIO_IOMMU_MAP_DMA, &dma))
		return fail("VFIO_IOMMU_MAP_DMA");
	printf("container: type1%s, 1 MiB mapped at IOVA %#llx\n",
	       type == VFIO_TYPE1v2_IOMMU ? "v2" : "", IOVA);
	for (int i = 2; i < argc; i++) {
		struct vfio_device_info info = { .argsz = sizeof(info) };
		int dev;

		if (argv[i][0] == '-')
			continue;
		dev = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, argv[i]);
		if (dev < 0) {
			printf("FAIL VFIO_GROUP_GET_DEVICE_FD %s: %s\n", argv[i], strerror(errno));
			return 1;
		}
		if (ioctl(dev, VFIO_DEVICE_GET_INFO, &info))
			return fail("VFIO_DEVICE_GET_INFO");
		printf("device %s: %u regions, %u interrupt types%s\n", argv[i], info.num_regions,
		       info.num_irqs, info.flags & VFIO_DEVICE_FLAGS_PCI ? ", PCI" : "");
		if (first_dev < 0)
			first_dev = dev;
		ndev++;
	}
	if (edu && first_dev >= 0 && edu_dma(first_dev, mem))
		return 1;
	printf("ok: group %s, %d device%s\n", argv[1], ndev, ndev == 1 ? "" : "s");
	fflush(stdout);
	if (hold) {
		sigset_t set;
		int sig;

		sigemptyset(&set);
		sigaddset(&set, SIGTERM);
		sigaddset(&set, SIGINT);
		sigprocmask(SIG_BLOCK, &set, NULL);
		printf("holding\n");
		fflush(stdout);
		sigwait(&set, &sig);
	}
	return 0;
}
