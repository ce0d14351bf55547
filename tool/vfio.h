/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Handing a whole IOMMU group to a VFIO driver and back, for 'iommuctl vfio'
 * and for 'iommuctl apply' (passthrough rules of iommuctl.conf(5)); each
 * returns an exit status after saying on stderr what went wrong ("CMD: ...").
 */
#ifndef IOMMUCTL_VFIO_H
#define IOMMUCTL_VFIO_H

#include <stdbool.h>

struct ic_config;
struct ic_group;
struct ic_group_list;

/* Whether every device of @grp but its bridges is bound to @driver. */
bool vfio_handed_over(const struct ic_group *grp, const char *driver);
/*
 * Hand every device of @grp (bridges and devices already there aside) to
 * @driver, loading it first: the transaction of change.h, then a check that
 * the group is ready for passthrough.  With @dry_run, the plan.
 */
int vfio_hand_over(const char *cmd, struct ic_group_list *list, struct ic_group *grp,
		   const char *driver, bool dry_run, bool force);
/*
 * Load every VFIO driver a passthrough rule of @cfg names (modprobe), for
 * the units: their ExecStartPre=+ may load modules, iommuctl apply itself
 * may not (ProtectKernelModules=).
 */
int vfio_load_drivers(const char *cmd, const struct ic_config *cfg);
/* Give every device of @grp its driver back (group_hand_back()). */
int vfio_release(const char *cmd, struct ic_group *grp, bool dry_run);
/*
 * Write /etc/iommuctl.conf.d/70-vfio-DEVICE.conf: a rule per device of @grp,
 * passthrough = @driver, so that apply and the udev rule hand the group over
 * at boot and on hot-plug; checked by loading the configuration with it.
 */
int vfio_persist(const char *cmd, const struct ic_group *grp, const char *driver, bool dry_run);
/* Remove the drop-ins vfio_persist() wrote for @grp; say which other rules still hand it over. */
int vfio_unpersist(const char *cmd, const struct ic_group *grp, bool dry_run);

#endif
