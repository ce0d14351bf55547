# SPDX-License-Identifier: GPL-2.0
# Helpers for the scripts that run inside the guest (busybox sh).

KGROUPS=/sys/kernel/iommu_groups
MROOT=/sys/kernel/iommu_policy
MGROUPS=$MROOT/groups
kver=$(uname -r)

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

# Lines the module logged so far about a group.
log_lines() {
	dmesg | grep -c "iommu_policy: group $1: "
}

# The kernel changes only singleton groups before 6.4 (see kmod/compat.h).
case $kver in
[0-5].* | 6.[0-3].* | 6.[0-3]) singleton_only=yes ;;
*) singleton_only=no ;;
esac
