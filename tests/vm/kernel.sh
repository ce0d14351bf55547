# SPDX-License-Identifier: GPL-2.0
#
# tests/vm/kernel.sh: sourced by tests/vm/run, tests/kmod-lint.test,
# tests/dkms.test, tests/vm/get-kernel and tests/vm/debug-kernel.  Which
# kernel a series or version names, where its image, modules and Kbuild tree
# are, how to make a kernel's build root and run make (or dkms) in it.  Needs
# srcdir (the source tree's top).

# Newest installed Debian kernel of a series: 6.1 is named 6.1.0-N-amd64,
# 6.12 is 6.12.N+debNN-amd64.  Only the generic flavour (not rt or cloud).
find_kernel() {
	local series=$1 v
	for v in /boot/vmlinuz-"$series".*-amd64 /boot/vmlinuz-"$series"-*-amd64; do
		[ -e "$v" ] || continue
		v=${v#/boot/vmlinuz-}
		case $v in *-rt-amd64|*-cloud-amd64) continue ;; esac
		[ "$series" = 6.1 ] && case $v in 6.1[0-9]*) continue ;; esac
		echo "$v"
	done | sort -V | tail -n 1
}

# What to install for a series, found in Debian's package lists.
suggest_install() {
	local series=$1 pat img
	case $series in
	6.1) pat='^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' ;;
	6.12) pat='^linux-image-6\.12\.[0-9]+\+deb12-amd64-unsigned$' ;;
	*) return ;;
	esac
	img=$(apt-cache pkgnames linux-image- 2>/dev/null | grep -E "$pat" | sort -V | tail -n 1)
	if [ -n "$img" ]; then
		local ver=${img#linux-image-}
		ver=${ver%-unsigned}
		echo "apt-get install $img linux-headers-$ver"
	else
		echo "apt-get update, then install the newest linux-image-$series*-amd64-unsigned and its linux-headers"
	fi
}

# resolve_kernel SERIES|VERSION|debug|debug-7 [ARCH]: set kver, vmlinuz, modroot (the
# directory lib/modules/KVER is in; empty for the host's /lib/modules),
# kbuild (the Kbuild tree, as make sees it) and buildroot (empty: make runs on
# the host).  On failure return 1, with kernel_error saying why and what to do.
#
# A Debian 12 kernel's image, modules and headers are in the usual places;
# the debug kernel's are in its cache directory (tests/vm/debug-kernel):
# bzImage, modules/lib/modules/VERSION and the build tree linux/; a kernel
# Debian 12 cannot install (7.x) is in the cache tests/vm/get-kernel fills,
# with a build root of its own suite (its gcc) where its modules are built.
# An arm64 kernel (ARCH arm64) is always one get-kernel fetched, with headers
# its modules are cross-built against.
resolve_kernel() {
	local series=$1 arch=${2:-amd64} kdir= k val
	kver= vmlinuz= modroot= kbuild= buildroot= kernel_error=
	case $arch:$series in
	arm64:debug)
		kernel_error="there is no arm64 debug kernel (tests/vm/debug-kernel builds an amd64 one)"
		return 1
		;;
	arm64:*)
		kdir=$("$srcdir/tests/vm/get-kernel" --arch arm64 --print-dir "$series" 2>/dev/null) || {
			kernel_error="no arm64 Debian kernel '$series' fetched (${IOMMUCTL_CACHE:-/var/cache/iommuctl-tests}/kernel-*-arm64): fetch one with 'tests/vm/get-kernel --arch arm64 $series' as root (tests/setup fetches the newest 6.12)"
			return 1
		}
		read_kernel_env "$kdir"
		;;
	*:6.1|*:6.12)
		kver=$(find_kernel "$series")
		[ -n "$kver" ] || { kernel_error="no Debian $series kernel in /boot; run 'tests/setup' as root, or: $(suggest_install "$series")"; return 1; }
		;;
	*:debug|*:debug-*)
		# debug is the 6.12 one, debug-7 the 7.x one.  Says why when there
		# is none (and how long building one takes).
		k=${series#debug}
		k=${k#-}
		kdir=$("$srcdir/tests/vm/debug-kernel" --series "${k:-6.12}" --print-dir 2>&1) ||
			{ kernel_error=${kdir#tests/vm/debug-kernel: }; return 1; }
		if [ -f "$kdir/kernel.env" ]; then
			read_kernel_env "$kdir"
		else	# built by the first recipe, before kernel.env
			kver=$(cat "$kdir/release")
			modroot=$kdir/modules
			vmlinuz=$kdir/bzImage
			kbuild=$kdir/linux
		fi
		;;
	*)
		if [ -e "/boot/vmlinuz-$series" ]; then
			kver=$series
		else
			kdir=$("$srcdir/tests/vm/get-kernel" --print-dir "$series" 2>/dev/null) || {
				kernel_error="no Debian kernel '$series' installed (/boot/vmlinuz-$series) or fetched (${IOMMUCTL_CACHE:-/var/cache/iommuctl-tests}/kernel-*): fetch one with 'tests/vm/get-kernel $series' as root (tests/setup fetches the newest 7.x), or install one: apt-get install linux-image-VERSION-unsigned linux-headers-VERSION.  A kernel is 6.1, 6.12, debug, a series (7, 7.3) or an exact version"
				return 1
			}
			read_kernel_env "$kdir"
		fi
		;;
	esac
	if [ -n "$modroot" ]; then
		[ -f "$modroot/lib/modules/$kver/modules.dep" ] ||
			{ kernel_error="no modules for $kver in $modroot; remove $kdir and prepare it again (tests/setup)"; return 1; }
		[ -f "$buildroot$kbuild/Makefile" ] ||
			{ kernel_error="no build tree for $kver ($buildroot$kbuild); remove $kdir and prepare it again (tests/setup)"; return 1; }
	else
		vmlinuz=/boot/vmlinuz-$kver
		[ -f "/lib/modules/$kver/modules.dep" ] ||
			{ kernel_error="no modules for $kver in /lib/modules/$kver; reinstall linux-image-$kver-unsigned"; return 1; }
		kbuild=/lib/modules/$kver/build
		[ -f "$kbuild/Makefile" ] ||
			{ kernel_error="no kernel headers for $kver ($kbuild); apt-get install linux-headers-$kver"; return 1; }
	fi
	return 0
}

# read_kernel_env DIR: the variables of a kernel get-kernel fetched.
read_kernel_env() {
	local k val
	while IFS='=' read -r k val; do
		case $k in
		kver|vmlinuz|modroot|buildroot|kbuild) printf -v "$k" '%s' "$val" ;;
		esac
	done <"$1/kernel.env"
}

# in_buildroot DIR... -- COMMAND...: run COMMAND in the resolved kernel's
# build root, chrooted, in a mount namespace of its own where the source tree
# and each DIR appear at their host paths (so symlinks to the sources resolve)
# and /proc is mounted (objtool reads it); the namespace, and its mounts, end
# with COMMAND, and the mount points it made in the root are removed again.
# The environment passes through, with the root's own PATH.  Not a sub-make
# of whatever ran us (make -j check): its jobserver is not ours, and make
# would warn about it.
in_buildroot() {
	local dirs=("$srcdir") made=() d p top status
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		dirs+=("$1")
		shift
	done
	shift
	for d in "${dirs[@]}"; do
		p=$d top=
		while [ ! -e "$buildroot$p" ]; do
			top=$p
			p=$(dirname "$p")
		done
		[ -n "$top" ] && made+=("$buildroot$top")
	done
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL unshare --mount --propagation private \
		sh -ec 'r=$1 n=$2; shift 2
			mount -t proc proc "$r/proc"
			while [ "$n" -gt 0 ]; do
				mkdir -p "$r$1"
				mount --bind "$1" "$r$1"
				shift; n=$((n - 1))
			done
			exec chroot "$r" env PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"' \
		sh "$buildroot" "${#dirs[@]}" "${dirs[@]}" "$@"
	status=$?
	# Empty directories only: the mounts ended with the namespace.
	for d in "${made[@]}"; do
		find "$d" -depth -type d -empty -delete 2>/dev/null || true
	done
	return $status
}

# suites_of SUITE: the suites a build root of SUITE is made from: its base
# suite, then SUITE itself when SUITE adds to it (trixie-backports gives
# "trixie trixie-backports").
suites_of() {
	local base=${1%-backports}
	base=${base%-updates}
	base=${base%-security}
	if [ "$base" = "$1" ]; then echo "$base"; else echo "$base $1"; fi
}

# make_build_root ROOT ARCH "SUITES" "PACKAGES" LOG: a minimal Debian root
# file system in ROOT (made again from nothing) by mmdebstrap, from SUITES
# (suites_of) of the caller's $mirror, signed by $keyring, with PACKAGES and their
# dependencies, without documentation, man pages and locales; mmdebstrap's
# output is appended to LOG.  On failure the log's tail goes to stderr and
# the status is 1.  As root (mmdebstrap --mode=root).
make_build_root() {
	local root=$1 arch=$2 suites=$3 pkgs=$4 log=$5 s srcs=()
	for s in $suites; do
		srcs+=("deb [signed-by=$keyring] $mirror $s main")
	done
	rm -rf "$root"
	mkdir -p "$(dirname "$root")"
	if ! mmdebstrap --variant=minbase --mode=root --format=directory --arch="$arch" \
		--include="${pkgs// /,}" \
		--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
		--dpkgopt='path-exclude=/usr/share/locale/*' \
		"${suites%% *}" "$root" "${srcs[@]}" >>"$log" 2>&1; then
		tail -n 20 "$log" >&2
		return 1
	fi
}

# kbuild_make DIR MAKE-ARGS...: make in the resolved kernel's Kbuild tree,
# for the out-of-tree directory DIR (M=DIR is added); in the kernel's build
# root when it has one (in_buildroot).
kbuild_make() {
	local dir=$1
	shift
	if [ -z "$buildroot" ]; then
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$kbuild" M="$dir" "$@"
		return
	fi
	in_buildroot "$dir" -- make -C "$kbuild" M="$dir" "$@"
}
