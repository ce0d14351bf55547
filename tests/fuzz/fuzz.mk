# SPDX-License-Identifier: GPL-2.0-or-later
#
# Builds the libFuzzer targets of tests/fuzz/ with clang (GNU make; run by
# `make fuzz`, which passes the variables below from configure).  The tool's
# sources are compiled once more, instrumented, into one archive every target
# links; tool/iommuctl.c with its main() renamed iommuctl_main().  Objects
# and targets go to $(O): fuzz-out/ of the build tree, outside tests/ (which
# tests/vm/run copies into every guest while fuzzers write their corpora).
#
#   make -f tests/fuzz/fuzz.mk srcdir=DIR builddir=DIR FUZZ_CC=clang \
#        FUZZ_LIB_CFLAGS='...' FUZZ_LIBS='...' [WARN_CFLAGS='... -Werror']

srcdir ?= .
builddir ?= .
FUZZ_CC ?= clang
O ?= $(builddir)/fuzz-out
# The harnesses are built with -Werror when the tool is (configure --enable-werror).
FUZZ_WERROR ?= $(findstring -Werror,$(WARN_CFLAGS))

TARGETS = fuzz-config fuzz-kmsg fuzz-sysfs fuzz-argv
TOOL_SOURCES = $(wildcard $(srcdir)/tool/*.c)
TOOL_OBJECTS = $(patsubst $(srcdir)/tool/%.c,$(O)/obj/tool-%.o,$(TOOL_SOURCES))

SANITIZE = -fsanitize=address,undefined -fno-sanitize-recover=undefined
# The tool's code as the normal build has it (C11, its warnings but no
# -Werror: clang warns where gcc does not), the harnesses with -Werror.
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer $(SANITIZE) -fsanitize=fuzzer-no-link \
	-Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-include $(builddir)/config.h -I$(srcdir)/include/uapi -I$(srcdir)/include \
	-I$(srcdir)/tool -I$(srcdir)/tests/fuzz $(FUZZ_LIB_CFLAGS) \
	-DFUZZ_DATADIR='"$(abspath $(srcdir))/tests/data"' -MMD -MP

all: $(addprefix $(O)/,$(TARGETS))

$(O)/obj/tool-iommuctl.o: EXTRA = -Dmain=iommuctl_main -Wno-missing-prototypes
$(O)/obj/tool-%.o: $(srcdir)/tool/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(EXTRA) -c $< -o $@

$(O)/obj/%.o: $(srcdir)/tests/fuzz/%.c
	@mkdir -p $(@D)
	@echo "  FUZZCC   $@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WERROR) -c $< -o $@

$(O)/obj/libtool-fuzz.a: $(TOOL_OBJECTS)
	@rm -f $@
	@ar rcs $@ $^

# Each target: its harness, the helpers it uses, the tool.
LINK = @echo "  FUZZLD   $@"; $(FUZZ_CC) $(SANITIZE) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LIBS)
$(O)/fuzz-config: $(O)/obj/fuzz-config.o $(O)/obj/fuzz-common.o $(O)/obj/libtool-fuzz.a
	$(LINK)
$(O)/fuzz-kmsg: $(O)/obj/fuzz-kmsg.o $(O)/obj/fuzz-common.o $(O)/obj/libtool-fuzz.a
	$(LINK)
$(O)/fuzz-sysfs: $(O)/obj/fuzz-sysfs.o $(O)/obj/fuzz-common.o $(O)/obj/fuzz-cli.o $(O)/obj/libtool-fuzz.a
	$(LINK)
$(O)/fuzz-argv: $(O)/obj/fuzz-argv.o $(O)/obj/fuzz-common.o $(O)/obj/fuzz-cli.o $(O)/obj/libtool-fuzz.a
	$(LINK)

-include $(wildcard $(O)/obj/*.d)

.PHONY: all
