/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef IOMMUCTL_H
#define IOMMUCTL_H

#include <stdbool.h>
#include <stddef.h>

/* A subcommand: argv[0] is the command's name; returns the exit status. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	void (*usage)(void);
	const char *summary;
};

int cmd_list(int argc, char **argv);
void cmd_list_usage(void);
int cmd_stats(int argc, char **argv);
void cmd_stats_usage(void);
int cmd_set(int argc, char **argv);
void cmd_set_usage(void);
int cmd_apply(int argc, char **argv);
void cmd_apply_usage(void);
int cmd_check_config(int argc, char **argv);
void cmd_check_config_usage(void);

int cmd_monitor(int argc, char **argv);
void cmd_monitor_usage(void);
int cmd_record(int argc, char **argv);
void cmd_record_usage(void);
int cmd_history(int argc, char **argv);
void cmd_history_usage(void);
int cmd_watch(int argc, char **argv);
void cmd_watch_usage(void);
int cmd_show(int argc, char **argv);
void cmd_show_usage(void);
int cmd_status(int argc, char **argv);
void cmd_status_usage(void);
int cmd_claim(int argc, char **argv);
void cmd_claim_usage(void);
int cmd_quarantine(int argc, char **argv);
void cmd_quarantine_usage(void);
int cmd_release(int argc, char **argv);
void cmd_release_usage(void);
int cmd_vfio(int argc, char **argv);
void cmd_vfio_usage(void);

/* Handle an option every command takes (--sysroot); 1 if it was one. */
int common_option(int opt, const char *arg);
/* Above every command's own option values (which start at 256), so no short option is taken. */
#define OPT_SYSROOT 0x1000
#define COMMON_OPTIONS { "sysroot", required_argument, NULL, OPT_SYSROOT }

#endif
