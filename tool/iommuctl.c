// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * iommuctl: list and control the DMA-API policy of IOMMU groups.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommuctl.h"
#include "sysfs.h"
#include "util.h"

static int cmd_help(int argc, char **argv);
static void cmd_help_usage(void);

static const struct command commands[] = {
	{ "list", cmd_list, cmd_list_usage,
	  "list IOMMU groups with their policy, owner, faults and devices" },
	{ "show", cmd_show, cmd_show_usage,
	  "show everything about one group" },
	{ "claim", cmd_claim, cmd_claim_usage,
	  "own a group exclusively until interrupted (module)" },
	{ "quarantine", cmd_quarantine, cmd_quarantine_usage,
	  "keep drivers and DMA off a group until released (module)" },
	{ "release", cmd_release, cmd_release_usage, "end a quarantine (module)" },
	{ "vfio", cmd_vfio, cmd_vfio_usage,
	  "hand a group to vfio-pci for a VM and back; can it be passed through?" },
	{ "stats", cmd_stats, cmd_stats_usage,
	  "fault and DMA counters, also from the kernel log; Prometheus format" },
	{ "set", cmd_set, cmd_set_usage,
	  "change a group's policy, with --rebind for bound drivers" },
	{ "apply", cmd_apply, cmd_apply_usage,
	  "give every group the policy iommuctl.conf asks for" },
	{ "check-config", cmd_check_config, cmd_check_config_usage,
	  "check iommuctl.conf and its drop-ins, change nothing" },
	{ "status", cmd_status, cmd_status_usage,
	  "show the IOMMU hardware, boot defaults and the module" },
	{ "monitor", cmd_monitor, cmd_monitor_usage,
	  "print faults, group changes and device events as they happen" },
	{ "watch", cmd_watch, cmd_watch_usage,
	  "live per-group fault and DMA rates, like irqtop" },
	{ "record", cmd_record, cmd_record_usage,
	  "keep a record of faults, changes and topology (the recorder service)" },
	{ "history", cmd_history, cmd_history_usage,
	  "show what the recorder kept: faults, changes, topology" },
	{ "help", cmd_help, cmd_help_usage, "show help for iommuctl or a command" },
};

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: %s [--sysroot DIR] COMMAND [OPTIONS]\n"
		"\n"
		"List and control the DMA-API policy of IOMMU groups.\n"
		"\n"
		"Commands:\n", program_name);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(out,
		"\n"
		"Options:\n"
		"      --sysroot DIR  read sysfs under DIR instead of /\n"
		"  -h, --help         show this help\n"
		"  -V, --version      show the version\n"
		"\n"
		"'%s help COMMAND' shows a command's options; see iommuctl(8).\n",
		program_name);
}

static void cmd_help_usage(void)
{
	printf("Usage: %s help [COMMAND]\n", program_name);
}

static int cmd_help(int argc, char **argv)
{
	const struct command *cmd;

	if (argc < 2) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	cmd = find_command(argv[1]);
	if (!cmd) {
		warnx_("unknown command '%s' (see '%s help')", argv[1], program_name);
		return EXIT_USAGE;
	}
	cmd->usage();
	return EXIT_SUCCESS;
}

int common_option(int opt, const char *arg)
{
	switch (opt) {
	case OPT_SYSROOT:
		sysfs_set_root(arg);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const struct command *cmd;
	int opt, ret;

	/* "+": options after the command name belong to the command. */
	while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
		if (common_option(opt, optarg))
			continue;
		switch (opt) {
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("%s %s\n", program_name, PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			fprintf(stderr, "Try '%s --help'.\n", program_name);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	cmd = find_command(argv[optind]);
	if (!cmd) {
		warnx_("unknown command '%s' (see '%s help')", argv[optind],
		       program_name);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;	/* reset getopt for the command (glibc: 0 re-initialises) */
	ret = cmd->run(argc, argv);
	sysfs_set_root(NULL);
	if (fflush(stdout) || ferror(stdout)) {
		warnx_("write error on standard output");
		return EXIT_FAILURE;
	}
	return ret;
}
