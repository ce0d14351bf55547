/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The output layer's printers of objects: JSON keys of a group and of
 * counters, the same in every command (keys in iommuctl(8)).  Tables are
 * table.h's; the fault figure's keys are faults.h's.
 */
#ifndef IOMMUCTL_PRINT_H
#define IOMMUCTL_PRINT_H

#include <stdbool.h>

struct json;
struct ic_group;
struct ic_counters;
struct log_stats;

/*
 * A group's keys, into an open object: id, policy, type, owner,
 * owner_source, mandatory, the fault figure, faults_read, faults_write and
 * devices.
 */
void print_group_json(struct json *j, const struct ic_group *grp, const struct log_stats *ls);
/*
 * Counters into an open JSON object, one key per counter of the table (null
 * where unread, with @nulls; else left out), then last_fault_time (ISO 8601),
 * _time_epoch, _device and _iova (null until a fault).
 */
void print_counters_json(struct json *j, const struct ic_counters *c, bool module_wide, bool nulls);

#endif
