/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iommu_policy's counters, one line each: adding a counter is adding its
 * line here (and, for one the probes count per CPU, its struct ipol_pcpu
 * field and the probe that counts it, in stats.c).
 *
 * IPOL_COUNTER(NAME, name, scope, src)
 *   NAME   its netlink attribute, IOMMU_POLICY_A_COUNTERS_<NAME>, and its
 *          index in struct ipol_sum.count[], IPOL_C_<NAME>.  The attribute
 *          numbers are the uAPI's (netlink/iommu_policy.yaml): this order
 *          is not theirs.
 *   name   the file that shows it in the stats/ directories: "%llu\n",
 *          mode 0444.
 *   scope  DEV: a device's, so also its group's and the module's.
 *          DMA: as DEV, but counted from the DMA-API tracepoints, which 6.1
 *          lacks: shown only where they are (ipol_dma_per_device()).
 *          MODULE: the module's only (stats/ and stats-get).
 *   src    PCPU: the sum over CPUs of the struct ipol_pcpu field @name.
 *          CALC: computed where stats.c sums (ipol_fault_rec_sum(),
 *          ipol_pcpu_sum(), ipol_module_sum_raw()).
 *
 * Made from these lines: the indices of struct ipol_sum.count[], the table
 * ipol_counters[] (stats.c) that sums, resets, shows and hides them, the
 * counter files of stats/ and groups/<id>/stats/, and the counters of the
 * netlink counters nests, which put the counters of a scope in this order.
 * What is not a count (the last fault's time, device and address, the reset
 * time, DMA accounting) has its own format and condition each, and is
 * written out where it is shown.
 *
 * No include guard: each list of the counters defines IPOL_COUNTER(), then
 * includes this file, which undefines it.  A file of lines rather than a
 * macro taking a macro (as the kernel's kvm-x86-ops.h and lsm_hook_defs.h):
 * checkpatch.pl rejects such a list macro (COMPLEX_MACRO).
 */
#ifndef IPOL_COUNTER
#error "define IPOL_COUNTER() before including counter_defs.h"
#endif

IPOL_COUNTER(FAULTS,			faults,			DEV,	CALC)
IPOL_COUNTER(FAULTS_READ,		faults_read,		DEV,	CALC)
IPOL_COUNTER(FAULTS_WRITE,		faults_write,		DEV,	PCPU)
IPOL_COUNTER(FAULTS_UNATTRIBUTED,	faults_unattributed,	MODULE,	CALC)
IPOL_COUNTER(DMA_MAPS,			dma_maps,		DMA,	PCPU)
IPOL_COUNTER(DMA_UNMAPS,		dma_unmaps,		DMA,	PCPU)
IPOL_COUNTER(DMA_BYTES_MAPPED,		dma_bytes_mapped,	DMA,	PCPU)
IPOL_COUNTER(DMA_BYTES_UNMAPPED,	dma_bytes_unmapped,	DMA,	PCPU)
IPOL_COUNTER(IOMMU_MAPS,		iommu_maps,		MODULE,	PCPU)
IPOL_COUNTER(IOMMU_UNMAPS,		iommu_unmaps,		MODULE,	PCPU)
IPOL_COUNTER(IOMMU_BYTES_MAPPED,	iommu_bytes_mapped,	MODULE,	PCPU)
IPOL_COUNTER(IOMMU_BYTES_UNMAPPED,	iommu_bytes_unmapped,	MODULE,	PCPU)
IPOL_COUNTER(EVENTS_DROPPED,		events_dropped,		MODULE,	CALC)

#undef IPOL_COUNTER
