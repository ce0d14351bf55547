# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that run inside the guest (busybox sh).

KGROUPS=/sys/kernel/iommu_groups
MROOT=/sys/kernel/iommu_policy
MGROUPS=$MROOT/groups
kver=$(uname -r)

# The guest's multi-device group, as "BDF=driver" words: the q35's ICH9
# functions (no ACS between them), or on arm64's virt the two functions of a
# virtio-rng device (tests/vm/run).  MULTI_DEVS: their addresses; MULTI_LAST
# the one the hot-plug checks remove.
case ${IOMMUCTL_VM_ARCH:-amd64} in
arm64) MULTI="0000:00:04.0=virtio-pci 0000:00:04.1=virtio-pci" MULTI_NAME=virtio-rng ;;
*) MULTI="0000:00:1f.0=lpc_ich 0000:00:1f.2=ahci 0000:00:1f.3=i801_smbus" MULTI_NAME=ICH9 ;;
esac
MULTI_DEVS=$(for w in $MULTI; do printf '%s ' "${w%%=*}"; done)
MULTI_DEVS=${MULTI_DEVS% }
MULTI_N=$(echo $MULTI_DEVS | wc -w)
# Its drivers in order, as an extended regular expression ("lpc_ich.*ahci.*i801_smbus").
MULTI_DRIVERS_RE=$(for w in $MULTI; do printf '%s.*' "${w#*=}"; done)
MULTI_DRIVERS_RE=${MULTI_DRIVERS_RE%.\*}
MULTI_FIRST=${MULTI_DEVS%% *}
MULTI_LAST=${MULTI_DEVS##* }

# The kernel's type string in our vocabulary.
policy_of_type() {
	case $1 in
	DMA) echo strict ;;
	DMA-FQ) echo lazy ;;
	*) echo "$1" ;;
	esac
}

# Bound driver of a device directory, or "-".
driver_of() {
	if [ -e "$1/driver" ]; then
		basename "$(readlink "$1/driver")"
	else
		echo -
	fi
}

# First PCI device with this vendor and device id.
find_pci() {
	for d in /sys/bus/pci/devices/*; do
		if [ "$(cat $d/vendor)" = "$1" ] && [ "$(cat $d/device)" = "$2" ]; then
			basename $d
			return 0
		fi
	done
	return 1
}

# The IOMMU group of a PCI device; fails (printing nothing) when the device or
# its group is gone.
group_of() {
	_g=$(readlink /sys/bus/pci/devices/$1/iommu_group 2>/dev/null) && basename "$_g"
}

# probe_once BDF: on a device tree system (arm64) a PCI device joins its
# IOMMU group when a driver first probes it, and keeps it when the driver
# lets go.  A device with no driver of its own (edu) gets its group as on
# amd64: pci-stub probes it once and lets go.  Fails when it has no group then.
probe_once() {
	[ -e /sys/bus/pci/devices/$1/iommu_group ] && return 0
	echo pci-stub >/sys/bus/pci/devices/$1/driver_override &&
		echo $1 >/sys/bus/pci/drivers_probe &&
		echo $1 >/sys/bus/pci/drivers/pci-stub/unbind &&
		echo >/sys/bus/pci/devices/$1/driver_override &&
		[ -e /sys/bus/pci/devices/$1/iommu_group ]
}

# rescan_pci: a PCI rescan; on arm64 the edu device it brings back is then
# probed once (probe_once), as at boot.
rescan_pci() {
	echo 1 >/sys/bus/pci/rescan
	[ "$IOMMUCTL_VM_ARCH" = arm64 ] || return 0
	_e=$(find_pci 0x1234 0x11e8) && probe_once $_e
}

# wait_for SECONDS CMD...: poll until CMD succeeds.
wait_for() {
	limit=$(($1 * 10))
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -ge "$limit" ] && return 1
		usleep 100000
	done
}

unbind() {
	[ -e /sys/bus/pci/devices/$1/driver ] && echo "$1" >/sys/bus/pci/devices/$1/driver/unbind
}

bind() { # bind BDF DRIVER
	echo "$1" >/sys/bus/pci/drivers/$2/bind
}

# pick WORD...: one of them at random.
pick() {
	shift $((RANDOM % $#))
	echo "$1"
}

# The timed runs' bookkeeping (stress-checks, sriov-checks), in the directory
# $S: stop at $S/stop; count NAME and n NAME for iteration counts; pause
# [MS]: up to MS milliseconds (default 50).
stopped() { [ -e $S/stop ]; }
count() { echo x >>$S/n.$1; }
n() {
	if [ -f $S/n.$1 ]; then wc -l <$S/n.$1; else echo 0; fi
}
pause() { usleep $((RANDOM % ${1:-50} * 1000)); }

# Do the module's groups, their devices and policies equal the kernel's?
mirror_consistent() {
	[ "$(ls $MGROUPS | sort -n)" = "$(ls $KGROUPS | sort -n)" ] || return 1
	for _g in $(ls $MGROUPS); do
		[ "$(ls $MGROUPS/$_g/devices | sort)" = "$(ls $KGROUPS/$_g/devices | sort)" ] || return 1
		[ "$(cat $MGROUPS/$_g/policy)" = "$(policy_of_type "$(cat $KGROUPS/$_g/type)")" ] || return 1
	done
}

# Lines the module logged so far about a group.
log_lines() {
	dmesg | grep -c "iommu_policy: group $1: "
}

# The kernel changes only singleton groups before 6.4 (see kmod/compat.h).
case $kver in
[0-5].* | 6.[0-3].* | 6.[0-3]) singleton_only=yes ;;
*) singleton_only=no ;;
esac
