/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ipol-test: what its two files share. */
#ifndef IPOL_TEST_H
#define IPOL_TEST_H

/* "EBUSY", ...: the errno's name. */
const char *errname(int err);
/* A policy's name ("strict", ...), or a number to test bad values. */
int parse_policy(const char *s);
/* ipol-test nl ...: 2 on bad usage. */
int cmd_nl(int argc, char **argv);

#endif
