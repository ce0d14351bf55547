/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What would hurt if a device lost its driver: checked before any command
 * unbinds one (set --rebind, quarantine --unbind, vfio), and before the
 * VFIO driver is taken from a group a program still has open.
 */
#ifndef IOMMUCTL_INUSE_H
#define IOMMUCTL_INUSE_H

/*
 * Why unbinding PCI device @dev would hurt, in one sentence naming what is
 * in use ("0000:00:1f.2 backs /dev/sda1, mounted on /"), or NULL:
 *   - a block device below it (a partition, or a device-mapper, MD or
 *     loop device stacked on it) that is mounted, used as swap or open;
 *   - a network interface below it that is not down;
 *   - the boot GPU, or a framebuffer below it (the console's);
 *   - any device node below it that a process holds open (a DRM card, a
 *     sound card, a VFIO device, ...), naming the process.
 * Under a recorded tree (--sysroot) only what the tree holds is checked.
 */
char *device_in_use(const char *dev);

/*
 * The processes that hold /dev/vfio/@group open ("qemu-system-x86 (pid
 * 812)", several joined with ", "), or NULL when none does.
 */
char *vfio_group_users(unsigned int group);

#endif
