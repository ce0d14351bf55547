/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Vendor and device names of PCI devices, from the udev hardware database
 * (hwdb.bin, built from pci.ids by systemd-hwdb) through libudev.
 */
#ifndef IOMMUCTL_NAMES_H
#define IOMMUCTL_NAMES_H

#include "groups.h"

/*
 * Fill dev->vendor_name and dev->model_name from its PCI ids; leaves them
 * NULL when the database does not know the device or cannot be opened.
 */
void names_lookup(struct ic_device *dev);

/* Release the database and the cached names (at exit; lookups may open it again). */
void names_close(void);

#endif
