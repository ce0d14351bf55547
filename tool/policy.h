/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy vocabulary: identity, strict, lazy, auto, and the kernel's type
 * strings (identity, DMA, DMA-FQ, auto, blocked, unmanaged) they map to.
 */
#ifndef IOMMUCTL_POLICY_H
#define IOMMUCTL_POLICY_H

#include <linux/iommu_policy.h>

/* Policy of a kernel type string; IOMMU_POLICY_UNKNOWN if not known. */
enum iommu_policy_type policy_from_kernel_type(const char *type);

/* "identity", "strict", ...; "unknown" for anything else. */
const char *policy_name(enum iommu_policy_type policy);

/* "none", "dma-api", ...: the owner values of the module. */
const char *owner_name(unsigned int owner);

/* The policy named so ("strict", ...), or -1. */
int policy_from_name(const char *name);

/* The kernel's type string for a policy: "DMA" for strict, ... */
const char *policy_kernel_type(enum iommu_policy_type policy);

/*
 * The policy a user asks for: identity (also "passthrough", the kernel's
 * word), strict, lazy, auto, or the kernel's DMA and DMA-FQ; or -1.
 */
int policy_from_request(const char *word);
/* The words policy_from_request() takes, for messages. */
#define POLICY_REQUEST_WORDS "identity, strict, lazy or auto; passthrough means identity"

#endif
