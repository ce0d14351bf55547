/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Running the iommuctl CLI inside a libFuzzer target, many times in one
 * process: tool/iommuctl.c is compiled for the fuzzers with -Dmain=iommuctl_main.
 */
#ifndef IOMMUCTL_FUZZ_CLI_H
#define IOMMUCTL_FUZZ_CLI_H

#include <stdbool.h>
#include <stddef.h>

int iommuctl_main(int argc, char **argv);

/*
 * Run iommuctl_main(argc, argv) (argv[argc] must be NULL) as if it were a
 * process of its own: getopt starts afresh, the signal mask and the handlers
 * a command may set (claim, watch, set) are restored afterwards, stdout's
 * error flag is cleared.  Standard output goes to a memory file.  With json
 * 1 the output must be valid JSON (a stream of values, for NDJSON), with -1
 * when it starts like JSON ('{' or '['; for a tree whose strings cannot
 * start a table with either), else the run aborts showing the output.
 * Returns the exit status; *out and *len (if not NULL) get the output, valid
 * until the next run.
 */
int fuzz_cli_run(int argc, char **argv, int json, const char **out, size_t *len);

/*
 * Abort unless s[0..len) is a stream of JSON values (RFC 8259, strings in
 * valid UTF-8), separated by white space.
 */
void fuzz_json_check(const char *s, size_t len);

#endif
