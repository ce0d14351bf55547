/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the test-only modules in tests/kmod (never installed).
 */
#ifndef IOMMU_POLICY_TEST_H
#define IOMMU_POLICY_TEST_H

#include <linux/pci.h>

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
