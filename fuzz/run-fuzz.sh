#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Runs the libFuzzer targets built by fuzz/fuzz.mk, one after the other, and prints one line
# per target (PASS: or FAIL:) and then "N passed, N failed" as the last line.
#
#   fuzz/run-fuzz.sh MODE SECONDS TARGET:MAX_LEN...
#     MODE fuzz     fuzz each target for SECONDS
#     MODE ci       the same (CI passes 30)
#     MODE regress  replay fuzz/corpus/T and fuzz/regressions/T once, no fuzzing
#     MODE merge    add to fuzz/corpus/T the inputs of $BUILD/fuzz/corpus-T that reach new
#                   coverage (libFuzzer -merge=1): the one mode that writes to the repository
#
# The working corpus is $BUILD/fuzz/corpus-T (the seeds are copied in first; new inputs are
# written there only), crash inputs go to $BUILD/fuzz/artifacts/T/, the full libFuzzer output
# to $BUILD/fuzz/logs/T.log. Extra libFuzzer flags: FUZZ_FLAGS="-jobs=2 -workers=2".
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mode=$1 seconds=$2
shift 2
dir=$BUILD/fuzz
passed=0 failed=0

for spec in "$@"; do
	t=${spec%%:*} max_len=${spec#*:}
	bin=$dir/fuzz_$t
	log=$dir/logs/$t.log
	work=$dir/corpus-$t
	artifacts=$dir/artifacts/$t/
	mkdir -p "$dir/logs" "$work" "$artifacts"
	dirs=""
	[ -d "fuzz/corpus/$t" ] && dirs="fuzz/corpus/$t"
	[ -d "fuzz/regressions/$t" ] && dirs="$dirs fuzz/regressions/$t"
	dict=""
	[ -f "fuzz/dict/$t.dict" ] && dict="-dict=fuzz/dict/$t.dict"
	if [ ! -x "$bin" ]; then
		echo "FAIL: $t: $bin was not built"
		failed=$((failed + 1))
		continue
	fi
	if [ "$mode" = merge ]; then
		mkdir -p "fuzz/corpus/$t"
		"$bin" -merge=1 -max_len="$max_len" "fuzz/corpus/$t" "$work" >"$log" 2>&1
	elif [ "$mode" = regress ]; then
		# -runs=0: execute every input of the given corpora once, then stop.
		# shellcheck disable=SC2086
		"$bin" -runs=0 -max_len="$max_len" -artifact_prefix="$artifacts" $dirs >"$log" 2>&1
	else
		if [ -d "fuzz/corpus/$t" ]; then
			cp -n "fuzz/corpus/$t"/* "$work"/ 2>/dev/null
		fi
		# New inputs go to the first directory only: the repository's stay untouched.
		# shellcheck disable=SC2086
		"$bin" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 \
			-rss_limit_mb=2560 -print_final_stats=1 -artifact_prefix="$artifacts" \
			$dict ${FUZZ_FLAGS:-} "$work" $dirs >"$log" 2>&1
	fi
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	final=$(grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" | tail -1)
	cov=$(echo "$final" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$final" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
	corp=$(echo "$final" | sed -n 's/.*corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p')
	if [ "$rc" -eq 0 ]; then
		echo "PASS: $t: ${execs:-?} executions, cov: ${cov:-?} ft: ${ft:-?}, corpus ${corp:-?}"
		passed=$((passed + 1))
	else
		what=$(grep -m1 -E '^SUMMARY: |ERROR: libFuzzer: ' "$log" | cut -c1-160)
		unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
		echo "FAIL: $t: ${what:-exit status $rc}${unit:+ (input: $unit)}; log $log"
		failed=$((failed + 1))
	fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
