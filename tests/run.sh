#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Runs every test and prints one summary line: "N passed, N failed, N skipped".
#  - unit tests: build/tests/unit/test_* (cmocka; each test case counts)
#  - integration tests: tests/integration/*.sh; each prints PASS:/FAIL:/SKIP: lines and exits
#    0 (ok), 77 (skipped, reason printed) or anything else (failed).
# Usage: tests/run.sh [unit|integration] [name-filter]
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD MILLIVM=${MILLIVM:-$BUILD/millivm}
which_tests=${1:-all}
filter=${2:-}
passed=0 failed=0 skipped=0
failures=()
log_dir=$BUILD/test-logs
mkdir -p "$log_dir"

count_lines() { grep -c "^$1" "$2" || true; }

run_unit() {
	local bin=$1 name log
	name=$(basename "$bin")
	log=$log_dir/$name.log
	"$bin" >"$log" 2>&1
	local rc=$? p f sk
	# cmocka: "[  PASSED  ] N test(s)." and "[  FAILED  ] N test(s), listed below:"
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	sk=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	p=${p:-0} f=${f:-0} sk=${sk:-0}
	skipped=$((skipped + sk))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)) failed=$((failed + f))
	if [ "$f" -ne 0 ]; then
		failures+=("$name (see $log)")
		echo "FAIL unit $name: $f failed"
		grep -E '^\[  (ERROR|FAILED) \]|^\[  FAILED  \]' "$log" | head -20
	else
		echo "ok   unit $name: $p passed"
	fi
}

run_integration() {
	local script=$1 name log rc p f s
	name=$(basename "$script" .sh)
	log=$log_dir/$name.log
	timeout 600 bash "$script" >"$log" 2>&1
	rc=$?
	p=$(count_lines "PASS:" "$log") f=$(count_lines "FAIL:" "$log") s=$(count_lines "SKIP:" "$log")
	if [ "$rc" -eq 77 ]; then
		s=$((s > 0 ? s : 1))
		echo "skip $name: $(grep -m1 '^SKIP:' "$log" | cut -c7-)"
	elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		echo "FAIL $name: exit status $rc"
		tail -5 "$log"
	elif [ "$f" -ne 0 ]; then
		echo "FAIL $name: $f failed"
		grep '^FAIL:' "$log" | head -10
	else
		if [ "$s" -gt 0 ]; then echo "ok   $name: $p passed, $s skipped"; else echo "ok   $name: $p passed"; fi
	fi
	[ "$f" -ne 0 ] && failures+=("$name (see $log)")
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ "$which_tests" = all ] || [ "$which_tests" = unit ]; then
	for bin in "$BUILD"/tests/unit/test_*; do
		[ -x "$bin" ] || continue
		case $bin in *"$filter"*) run_unit "$bin" ;; esac
	done
fi
if [ "$which_tests" = all ] || [ "$which_tests" = integration ]; then
	for script in tests/integration/*.sh; do
		[ -e "$script" ] || continue
		case $script in *"$filter"*) run_integration "$script" ;; esac
	done
fi

if [ "${#failures[@]}" -gt 0 ]; then
	echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
