# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the shell tests (POSIX sh: also used inside the busybox guest).
#
#   check "what a user would notice" command [arg]...   ok if the command succeeds
#   ok "description" / not_ok "description" [diagnostic]...
#   skip "description" "reason"
#   done_testing                                        prints the plan, exits 1 on failure
#
# TAP_NUMBERS=no leaves test numbers out (the guest's lines are numbered by
# the host script that collects them).

tap_count=0
tap_failures=0

_tap_line() {
	tap_count=$((tap_count + 1))
	if [ "${TAP_NUMBERS:-yes}" = no ]; then
		echo "$1 - $2"
	else
		echo "$1 $tap_count - $2"
	fi
}

ok() {
	_tap_line ok "$1"
}

not_ok() {
	desc=$1
	shift
	tap_failures=$((tap_failures + 1))
	_tap_line "not ok" "$desc"
	for line in "$@"; do
		printf '%s\n' "$line" | sed 's/^/# /'
	done
}

skip() {
	_tap_line ok "$1 # SKIP $2"
}

# check DESC CMD...: run CMD, capturing its output for the diagnostics.
check() {
	desc=$1
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc" "command: $*" "$out"
	fi
}

done_testing() {
	echo "1..$tap_count"
	[ "$tap_failures" -eq 0 ]
}

# vm_unavailable DESC REASON: in CI a VM test that cannot run is a failure, never a skip.
vm_unavailable() {
	desc=$1
	reason=$2
	if [ -n "${CI:-}" ] || [ -n "${IOMMUCTL_REQUIRE_VM:-}" ]; then
		not_ok "$desc" "$reason"
	else
		skip "$desc" "$reason"
	fi
}

# need_debug_kernel [debug|debug-7]: for the debug kernels' tests
# (tests/vm/*-debug.test; debug is the 6.12 one, debug-7 the 7.x one).
# Building one takes about 50 minutes, so without a cached one the test is
# skipped, saying so, and never passes: unless IOMMUCTL_DEBUG_KERNEL=1
# (make check-debug), which builds it first.  Exits the test when there is
# none to run on.
need_debug_kernel() {
	local s=${1:-debug}
	s=${s#debug}
	s=${s#-}
	s=${s:-6.12}
	"$srcdir/tests/vm/debug-kernel" --series "$s" --check && return 0
	case ${IOMMUCTL_DEBUG_KERNEL:-0} in
	0|"")
		echo "1..0 # SKIP no cached $s debug kernel: run tests/vm/debug-kernel --series $s (about 50 minutes), or make check-debug"
		exit 0
		;;
	esac
	echo "# IOMMUCTL_DEBUG_KERNEL=$IOMMUCTL_DEBUG_KERNEL: building the $s debug kernel (about 50 minutes)"
	if ! _out=$("$srcdir/tests/vm/debug-kernel" --series "$s" 2>&1); then
		not_ok "the $s debug kernel builds (tests/vm/debug-kernel --series $s)" "$_out"
		done_testing
		exit
	fi
	echo "$_out" | sed 's/^/# /'
}
