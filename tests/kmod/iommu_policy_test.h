/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the test-only modules in tests/kmod (never installed).
 */
#ifndef IOMMU_POLICY_TEST_H
#define IOMMU_POLICY_TEST_H

#include <linux/pci.h>
#include <linux/timer.h>

/* Interfaces, by kmod/conftest.mk's compile tests (as for the module). */
#include "ipol_config.h"

/*
 * The DMA-API tracepoint of single-range maps: dma_map_page on 6.12,
 * dma_map_phys on 7.x (see kmod/conftest.c); none on 6.1.
 */
#if defined(IPOL_HAVE_DMA_MAP_PHYS_TP)
#define TEST_DMA_MAP_TP "dma_map_phys"
#define TEST_DMA_UNMAP_TP "dma_unmap_phys"
#define test_check_dma_map_tp check_trace_callback_type_dma_map_phys
#define test_check_dma_unmap_tp check_trace_callback_type_dma_unmap_phys
#elif defined(IPOL_HAVE_DMA_MAP_PAGE_TP)
#define TEST_DMA_MAP_TP "dma_map_page"
#define TEST_DMA_UNMAP_TP "dma_unmap_page"
#define test_check_dma_map_tp check_trace_callback_type_dma_map_page
#define test_check_dma_unmap_tp check_trace_callback_type_dma_unmap_page
#endif

/* Timers: 7.x has only the new names, 6.1 only the old ones. */
#ifdef IPOL_HAVE_TIMER_CONTAINER_OF
#define test_timer_container_of timer_container_of
#define test_timer_delete_sync timer_delete_sync
#else
#define test_timer_container_of from_timer
#define test_timer_delete_sync del_timer_sync
#endif

/* The PCI device at "DDDD:BB:DD.F", with a reference, or NULL. */
static inline struct pci_dev *iommu_policy_test_get_pci(const char *bdf)
{
	unsigned int domain, bus, slot, func;

	if (!bdf || sscanf(bdf, "%x:%x:%x.%x", &domain, &bus, &slot, &func) != 4) {
		pr_err("%s: bdf=DDDD:BB:DD.F is required\n", KBUILD_MODNAME);
		return NULL;
	}
	return pci_get_domain_bus_and_slot(domain, bus, PCI_DEVFN(slot, func));
}

#endif /* IOMMU_POLICY_TEST_H */
