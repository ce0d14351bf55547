// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "policy.h"
#include "util.h"
#include "iommu_policy_names.h"

enum iommu_policy_type policy_from_kernel_type(const char *type)
{
	return iommu_policy_from_kernel_type(type);
}

const char *policy_name(enum iommu_policy_type policy)
{
	return iommu_policy_name(policy);
}

int policy_from_name(const char *name)
{
	return iommu_policy_from_name(name);
}

const char *policy_kernel_type(enum iommu_policy_type policy)
{
	if ((unsigned int)policy >= IOMMU_POLICY_COUNT)
		policy = IOMMU_POLICY_UNKNOWN;
	return iommu_policy_names[policy].kernel_type;
}

const char *owner_name(unsigned int owner)
{
	return iommu_policy_owner_name((enum iommu_policy_owner)owner);
}

int policy_from_request(const char *s)
{
	int p = policy_from_name(s);

	if (p == IOMMU_POLICY_IDENTITY || p == IOMMU_POLICY_STRICT || p == IOMMU_POLICY_LAZY ||
	    p == IOMMU_POLICY_AUTO)
		return p;
	/* The kernel's own words: its type file's, and iommu.passthrough's. */
	if (!strcmp(s, "DMA"))
		return IOMMU_POLICY_STRICT;
	if (!strcmp(s, "DMA-FQ"))
		return IOMMU_POLICY_LAZY;
	if (!strcmp(s, "passthrough"))
		return IOMMU_POLICY_IDENTITY;
	return -1;
}
