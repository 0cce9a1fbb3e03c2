# SPDX-License-Identifier: BSD-2-Clause
# Helpers for integration tests: sourced, not run. Each check prints one PASS:/FAIL: line.
set -u
BUILD=${BUILD:-build}
MILLIVM=${MILLIVM:-$BUILD/millivm}
REFGUEST=${REFGUEST:-$BUILD/refguest.elf}
REFGUEST32=${REFGUEST32:-$BUILD/refguest32.elf}
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/millivm-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT
test_failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; test_failures=$((test_failures + 1)); }
skip_all() { echo "SKIP: $*"; exit 77; }

# The slow tier (Linux kernels booting for minutes where guest code is emulated) runs in
# `make check`; `make check-asan` sets MILLIVM_SKIP_SLOW=1 rather than boot them again.
slow_tier() {
	[ "${MILLIVM_SKIP_SLOW:-0}" = 1 ] &&
		skip_all "slow tier (Linux boots) not repeated here: MILLIVM_SKIP_SLOW=1 (make check runs it)"
	return 0
}

# Tests that boot a guest need a usable /dev/kvm.
require_kvm() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip_all "no read/write access to /dev/kvm"
}

# Run millivm with a time limit; sets $rc, $out (stdout file), $err (stderr file).
run_millivm() {
	out=$TEST_TMP/stdout err=$TEST_TMP/stderr
	timeout 60 "$MILLIVM" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}

expect_rc() { # expected description
	if [ "$rc" -eq "$1" ]; then pass "$2 (exit $rc)"; else
		fail "$2: exit status $rc, expected $1"; sed 's/^/    stderr: /' "$err" | head -20
		sed 's/^/    stdout: /' "$out" | tail -20
	fi
}

expect_stdout() { # pattern description
	if grep -qE -- "$1" "$out"; then pass "$2"; else
		fail "$2: stdout lacks /$1/"; sed 's/^/    stdout: /' "$out" | tail -20
	fi
}

finish() {
	[ "$test_failures" -eq 0 ]
	exit $?
}
