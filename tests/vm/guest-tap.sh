#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the module's VM tests: boot the guest on one kernel series,
# run a script of tests/vm/guest/ in it, number its TAP lines and add the
# verdicts only the host can give (the guest finished; its kernel log is clean).
# Usage: guest-tap.sh 6.1|6.12|7|debug SCRIPT [--race] [tests/vm/run options...]
# (--arch arm64 among the options: the kernel series is an arm64 one.)
set -u
srcdir=${IOMMUCTL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/lib.sh"

series=$1
script=$2
shift 2
# --race: a race or stress test.  Its guest CPUs share one host thread like
# every other guest's: with one thread each (--mttcg), QEMU now and then stops
# delivering one CPU's timer interrupts when the host is busy, and the guest
# hangs (tests/vm/README.md, "Busy hosts").  IOMMUCTL_MTTCG=1 asks for
# --mttcg anyway, to measure it again (tests/vm/stress-busy).
if [ "${1:-}" = --race ]; then
	shift
	[ "${IOMMUCTL_MTTCG:-0}" = 1 ] && set -- --mttcg "$@"
fi
label="$series${*:+ ($*)}"
# The architecture, for the checks below that run without the other options.
arch_opt=()
prev=
for a in "$@"; do
	[ "$prev" = --arch ] && arch_opt=(--arch "$a")
	prev=$a
done

# No such kernel installed: the test cannot run here (a failure in CI).  The
# kernel is there but the module does not build: a failure everywhere.
if ! why=$("$srcdir/tests/vm/run" "${arch_opt[@]}" --kernel "$series" --print-kernel 2>&1); then
	vm_unavailable "$script on Debian $label" "$why"
	done_testing
	exit
fi
if ! why=$("$srcdir/tests/vm/run" "${arch_opt[@]}" --kernel "$series" --check 2>&1); then
	not_ok "$script on Debian $label: the module and tests are built" "$why"
	done_testing
	exit
fi

# The guest scripts drive the module with helpers make check builds
# (check_PROGRAMS); without them every check would fail for a reason that
# has nothing to do with the module.
builddir=${IOMMUCTL_BUILDDIR:-$srcdir}
missing=
for h in tests/vm/ipol-test tests/vm/edu-dma tests/vm/vfio-open tests/vm/ipol-fuzz; do
	[ -x "$builddir/$h" ] || missing="$missing $h"
done
if [ -n "$missing" ]; then
	not_ok "$script on Debian $label: the guest's helpers are built" \
		"not built in $builddir:$missing; run 'make check' (or 'make -j2 check TESTS=' to build them only)"
	done_testing
	exit
fi

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
status=0
"$srcdir/tests/vm/run" --kernel "$series" "$@" -- sh "tests/vm/guest/$script" >"$out" 2>"$err" || status=$?

while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$out"

if grep -qx '# guest checks complete' "$out"; then
	ok "$label: the guest ran every check of $script"
else
	# The harness's whole complaint, with the failed guest's whole console
	# (under the kernel-report verdict below when there is one).
	if [ $status -eq 126 ]; then
		not_ok "$label: the guest ran every check of $script" "harness status $status (the console is under the next result)"
	else
		not_ok "$label: the guest ran every check of $script" "harness status $status" "$(cat "$err")"
	fi
fi
if [ $status -eq 126 ]; then
	# The first complaint goes into the result line itself: CI summaries
	# show result lines, not the diagnostics under them.
	first=$(sed -n '/reported a problem:$/{n;s/^ *//;p;q}' "$err" | cut -c 1-160)
	not_ok "$label: the guest kernel logged no WARNING, BUG, Oops or lockdep report (it logged: $first)" "$(cat "$err")"
else
	ok "$label: the guest kernel logged no WARNING, BUG, Oops or lockdep report"
fi
done_testing
