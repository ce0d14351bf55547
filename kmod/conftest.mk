# SPDX-License-Identifier: GPL-2.0
#
# Compile tests of kernel interfaces, included by kmod/Kbuild and
# tests/kmod/Kbuild: each test of kmod/conftest.c is compiled with the
# kernel's own compiler and flags, and $(obj)/ipol_config.h gets
# "#define IPOL_HAVE_<TEST> 1" for each that compiles.  if_changed runs them
# again when the command line changes (another kernel's headers, another
# compiler) or conftest.c does.  Needs IOMMU_POLICY_TOP.

ipol-conftests := DEVICE_DRIVER_OVERRIDE DMA_MAP_PAGE_TP DMA_MAP_PHYS_TP \
	DMA_MAP_RESOURCE_TP DMA_MAP_SG_TP DMA_IOVA_LINK SYSTEM_DFL_WQ TIMER_CONTAINER_OF \
	VFIO_DETACH_IOAS VFIO_REGION_INFO_CAPS
ipol-conftest-src := $(IOMMU_POLICY_TOP)/kmod/conftest.c

ipol-conftest-cc = $(CC) $(KBUILD_CPPFLAGS) $(LINUXINCLUDE) $(KBUILD_CFLAGS) \
	$(KBUILD_CFLAGS_MODULE) -DMODULE -DKBUILD_MODNAME='"ipol_conftest"' \
	-Werror -fsyntax-only $(ipol-conftest-src)

# SANITY always compiles: if it does not, the tests cannot tell anything
# (wrong flags, a broken compiler) and the build stops with its error.
quiet_cmd_ipol_conftest = CONFTEST $@
      cmd_ipol_conftest = \
	$(ipol-conftest-cc) -DIPOL_CONFTEST_SANITY || { \
		echo "kmod/conftest.c: the compile tests cannot run (the compiler's error is above)" >&2; \
		exit 1; }; \
	{ \
	echo '/* Made by kmod/conftest.mk from kmod/conftest.c for $(KERNELRELEASE); do not edit. */'; \
	for t in $(ipol-conftests); do \
		if $(ipol-conftest-cc) -DIPOL_CONFTEST_$$t >/dev/null 2>&1; then \
			echo "\#define IPOL_HAVE_$$t 1"; \
		else \
			echo "/* IPOL_HAVE_$$t: not in this kernel */"; \
		fi; \
	done; } >$@.tmp && mv $@.tmp $@

targets += ipol_config.h
clean-files += ipol_config.h
$(obj)/ipol_config.h: $(ipol-conftest-src) $(IOMMU_POLICY_TOP)/kmod/conftest.mk FORCE
	$(call if_changed,ipol_conftest)
