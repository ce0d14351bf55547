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
