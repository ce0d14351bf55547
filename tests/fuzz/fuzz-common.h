/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the libFuzzer targets of tests/fuzz/ share: a scratch directory that
 * lives as long as the fuzzer (in /dev/shm when there is one: files are
 * rewritten on every input), writing files in it, and stopping on a broken
 * contract with a message libFuzzer keeps with the reproducer.
 */
#ifndef IOMMUCTL_FUZZ_COMMON_H
#define IOMMUCTL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Print "fuzz: <message>" where libFuzzer reports (stderr, even with
 * -close_fd_mask) and abort: a crash libFuzzer reports with the input.
 */
void fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* Print where fuzz_fail() does, without stopping. */
void fuzz_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#define FUZZ_CHECK(cond, ...)                                      \
	do {                                                       \
		if (!(cond))                                       \
			fuzz_fail("contract broken: " #cond ": " __VA_ARGS__); \
	} while (0)

/*
 * A new directory for this process, removed (with what is in it) at exit:
 * "<dir>/iommuctl-fuzz-NAME.XXXXXX" in $IOMMUCTL_FUZZ_TMPDIR, or /dev/shm,
 * $TMPDIR or /tmp.  (A crash leaves it: tests/fuzz/run.test gives each run
 * a directory of its own and removes it.)
 */
const char *fuzz_scratch_dir(const char *name);

/* Make the directories of path (not its last component), like mkdir -p. */
void fuzz_mkdirs(const char *path);
/* Write data to path whole (created 0644, truncated); aborts on failure. */
void fuzz_write_file(const char *path, const void *data, size_t size);
/* Remove path and, if it is a directory, everything under it; no error if absent. */
void fuzz_remove(const char *path);

#endif
