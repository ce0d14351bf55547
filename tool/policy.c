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
