/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The policy vocabulary, one table for the module and iommuctl: each
 * policy's name and the kernel's type string for the same default domain
 * type.  Not part of the uAPI: include it, after <linux/iommu_policy.h>,
 * strcmp() and ARRAY_SIZE() (<linux/string.h> and <linux/kernel.h>, or
 * <string.h> and tool/util.h), from one .c file of each program.
 */
#ifndef IOMMU_POLICY_NAMES_H
#define IOMMU_POLICY_NAMES_H

static const struct iommu_policy_name {
	const char *name;		/* what our sysfs files and the CLI show */
	const char *kernel_type;	/* /sys/kernel/iommu_groups/<id>/type */
} iommu_policy_names[] = {
	[IOMMU_POLICY_UNKNOWN]		= { "unknown",	 "unknown" },
	[IOMMU_POLICY_IDENTITY]		= { "identity",	 "identity" },
	[IOMMU_POLICY_STRICT]		= { "strict",	 "DMA" },
	[IOMMU_POLICY_LAZY]		= { "lazy",	 "DMA-FQ" },
	[IOMMU_POLICY_AUTO]		= { "auto",	 "auto" },
	[IOMMU_POLICY_BLOCKED]		= { "blocked",	 "blocked" },
	[IOMMU_POLICY_UNMANAGED]	= { "unmanaged", "unmanaged" },
};

#define IOMMU_POLICY_COUNT ARRAY_SIZE(iommu_policy_names)

/* "identity", "strict", ...; "unknown" for a value outside the table. */
static inline const char *iommu_policy_name(enum iommu_policy_type policy)
{
	if ((unsigned int)policy >= IOMMU_POLICY_COUNT)
		policy = IOMMU_POLICY_UNKNOWN;
	return iommu_policy_names[policy].name;
}

/* The policy a kernel type string stands for; IOMMU_POLICY_UNKNOWN if none. */
static inline enum iommu_policy_type
iommu_policy_from_kernel_type(const char *type)
{
	unsigned int i;

	for (i = 0; i < IOMMU_POLICY_COUNT; i++)
		if (!strcmp(type, iommu_policy_names[i].kernel_type))
			return (enum iommu_policy_type)i;
	return IOMMU_POLICY_UNKNOWN;
}

/* Who owns a group's DMA, as groups/<id>/owner names it. */
static const char *const iommu_policy_owner_names[] = {
	[IOMMU_POLICY_OWNER_NONE]		= "none",
	[IOMMU_POLICY_OWNER_DMA_API]		= "dma-api",
	[IOMMU_POLICY_OWNER_DRIVER_MANAGED]	= "driver-managed",
	[IOMMU_POLICY_OWNER_CLAIMED]		= "claimed",
	[IOMMU_POLICY_OWNER_QUARANTINED]	= "quarantined",
	[IOMMU_POLICY_OWNER_CLAIMED_EXTERNAL]	= "claimed-external",
};

/* "none", "dma-api", ...; "unknown" for a value outside the table. */
static inline const char *iommu_policy_owner_name(enum iommu_policy_owner owner)
{
	if ((unsigned int)owner >= ARRAY_SIZE(iommu_policy_owner_names))
		return "unknown";
	return iommu_policy_owner_names[owner];
}

/* The policy with this name ("strict", ...), or -1. */
static inline int iommu_policy_from_name(const char *name)
{
	unsigned int i;

	for (i = 0; i < IOMMU_POLICY_COUNT; i++)
		if (!strcmp(name, iommu_policy_names[i].name))
			return (int)i;
	return -1;
}

#endif /* IOMMU_POLICY_NAMES_H */
