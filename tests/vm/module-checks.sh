#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host side of the module's VM tests: boot the guest on one kernel series,
# run tests/vm/guest/module-checks in it, number its TAP lines and add the
# verdicts only the host can give (the guest finished; its kernel log is clean).
# Usage: module-checks.sh 6.1|6.12 [--iommu amd]
set -u
srcdir=${IOMMUCTL_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$srcdir/tests/lib.sh"

series=$1
shift

if ! why=$("$srcdir/tests/vm/run" --kernel "$series" --check 2>&1); then
	vm_unavailable "module tests on Debian $series" "$why"
	done_testing
	exit
fi

out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
status=0
"$srcdir/tests/vm/run" --kernel "$series" "$@" -- sh tests/vm/guest/module-checks >"$out" 2>"$err" || status=$?

while IFS= read -r line; do
	case $line in
	"ok - "*) ok "${line#ok - }" ;;
	"not ok - "*) not_ok "${line#not ok - }" ;;
	"#"*) echo "$line" ;;
	esac
done <"$out"

if grep -qx '# guest checks complete' "$out"; then
	ok "$series: the guest ran every check"
else
	not_ok "$series: the guest ran every check" "harness status $status" "$(tail -n 40 "$err")"
fi
if [ $status -eq 126 ]; then
	not_ok "$series: the guest kernel logged no WARNING, BUG, Oops or lockdep report" "$(cat "$err")"
else
	ok "$series: the guest kernel logged no WARNING, BUG, Oops or lockdep report"
fi
done_testing
