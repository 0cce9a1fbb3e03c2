#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# millivm-flame from the command line: the summary of each fixture, damaged input (garbage,
# unbalanced, over-long lines, random bytes, too deep, too many threads), a large trace under
# a memory cap, and the one-line errors and exit codes for bad options and unreadable files.
#
# Exit 0 all passed, 1 something failed.
# FLAME_BIN: the tool (default: build/millivm-flame, built if missing).

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
FIX="$ROOT/tests/fixtures/tslog"
case ${BUILD:=build} in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
FLAME_BIN=${FLAME_BIN:-$BUILD/millivm-flame}
failures=0

pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if [ ! -x "$FLAME_BIN" ]; then
	make -s -C "$ROOT" -f tools/flame/flame.mk BUILD="$BUILD" flame >/dev/null ||
		{ echo "FAIL: cannot build millivm-flame"; exit 1; }
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
OUT="$WORK/out" ERR="$WORK/err"

# run ARGS...: the tool with stdout and stderr captured; sets $rc.
run() {
	"$FLAME_BIN" "$@" >"$OUT" 2>"$ERR"
	rc=$?
}

# has FILE TEXT WHAT: FILE contains the fixed string TEXT.
has() {
	if grep -qF -- "$2" "$1"; then pass "$3"; else fail "$3 (no '$2' in $(basename "$1"))"; fi
}

# exits WANT WHAT: the last run exited WANT (no signal, which would be > 128).
exits() {
	if [ "$rc" -eq "$1" ]; then pass "$2 exits $1"; else fail "$2 exits $rc, want $1"; fi
}

# one_error WHAT: the last run failed with exactly one line on stderr.
one_error() {
	if [ "$(wc -l <"$ERR")" -eq 1 ] && [ ! -s "$OUT" ]; then
		pass "$1: one-line error: $(cat "$ERR")"
	else
		fail "$1: want one line on stderr and nothing on stdout, got $(wc -l <"$ERR") lines"
	fi
}

# --- the fixtures -------------------------------------------------------------------------

run --timeline "$FIX/millivm-timeline.json" --summary 3 "$FIX/millivm.tslog"
exits 0 "millivm fixture"
has "$OUT" "longest 3 of 10 spans" "millivm: summary header"
has "$OUT" "    1        9.250        0.000  0x0                 guest_main" "millivm: longest span"
has "$OUT" "    2        3.000        6.100  0x0                 rootfs_mount" "millivm: second span"
if [ -s "$ERR" ]; then fail "millivm: a clean trace should be quiet: $(head -n 1 "$ERR")"; else pass "millivm: quiet"; fi

run --tsc-khz 2400000 --summary 2 "$FIX/netbsd.tslog"
exits 0 "netbsd fixture"
has "$OUT" "    1       29.100        0.000  0x1                 main" "netbsd: sysctl prefix read, main first"
has "$OUT" "    2       15.000        5.000  0x1                 configure" "netbsd: configure"

run --tsc-khz 2593906 --summary 5 "$FIX/freebsd.tslog"
exits 0 "freebsd fixture"
has "$OUT" "    1       21.900       22.100  0xffffffff8298c740  mi_startup (unfinished)" \
	"freebsd: mi_startup never returns"
has "$OUT" "    3       18.000        0.100  0x0                 elf64_loadfile(/boot/kernel/kernel)" \
	"freebsd: loader record with argument"
has "$ERR" "2 unfinished" "freebsd: unfinished spans reported"

run --tsc-khz 1000 --summary 10 -o "$WORK/garbage.svg" "$FIX/garbage.tslog"
exits 0 "garbage fixture"
has "$ERR" "garbage.tslog:1: skipped, bad thread id" "garbage: line 1 reported"
has "$ERR" "garbage.tslog:11: skipped, bad record kind" "garbage: line 11 reported"
has "$ERR" "10 garbage lines in all (first 5 shown)" "garbage: total"
has "$ERR" "10 garbage lines, 2 unmatched EXITs, 2 frames unwound, 1 unfinished" "garbage: anomalies"
has "$OUT" "longest 7 of 7 spans" "garbage: spans still built"
has "$OUT" "probe<\"&'>(a&b)" "garbage: names printed as they are"
has "$WORK/garbage.svg" "probe&lt;&quot;&amp;&apos;&gt;(a&amp;b): 0.200 ms" "garbage: names escaped in the SVG"

# Standard input in, SVG on standard output.
"$FLAME_BIN" --tsc-khz 2400000 -o - - <"$FIX/netbsd.tslog" >"$OUT" 2>"$ERR"
rc=$?
exits 0 "stdin to stdout"
if head -c 5 "$OUT" | grep -q '<?xml' && tail -n 1 "$OUT" | grep -q '</svg>'; then
	pass "stdin to stdout: a whole SVG"
else
	fail "stdin to stdout: not an SVG"
fi

# --- damaged and hostile input ------------------------------------------------------------

head -c 30000000 /dev/zero | tr '\0' 'x' >"$WORK/one-long-line"
run --tsc-khz 1 --summary 1 "$WORK/one-long-line"
exits 0 "30 MB without a newline"
has "$ERR" "skipped, line longer than 2048 bytes" "30 MB line: reported as garbage"

head -c 2000000 /dev/urandom >"$WORK/random"
run --tsc-khz 1 --summary 3 -o "$WORK/random.svg" "$WORK/random"
if [ "$rc" -eq 0 ]; then
	pass "2 MB of random bytes"
else
	cp "$WORK/random" /tmp/flame-random-input.bin
	fail "random bytes: exit $rc (input kept in /tmp/flame-random-input.bin)"
fi

awk 'BEGIN { for (i = 0; i < 1000; i++) printf "0 %d ENTER f%d\n", i, i;
	     for (i = 999; i >= 0; i--) printf "0 %d EXIT f%d\n", 2000 - i, i }' >"$WORK/deep"
run --tsc-khz 1 --summary 1 "$WORK/deep"
exits 0 "1000 nested frames"
has "$ERR" "1488 dropped (nested too deep)" "deep: frames past 256 dropped and counted"
has "$OUT" "longest 1 of 256 spans" "deep: 256 frames kept"

awk 'BEGIN { for (i = 0; i < 2000; i++) printf "0x%x %d ENTER t\n0x%x %d EXIT t\n", i * 64, i, i * 64, i + 1 }' >"$WORK/threads"
run --tsc-khz 1 --summary 1 "$WORK/threads"
exits 0 "2000 threads"
has "$ERR" "1952 dropped (too many threads)" "threads: past 1024 dropped and counted"

# 1.6 million records, interleaved over 4 CPUs, with some garbage, in 64 MiB of address space.
awk 'BEGIN { t = 1000; for (i = 0; i < 400000; i++) { c = i % 4;
	printf "%x %d ENTER level_a\n", c, t++;
	printf "%x %d ENTER level_b_%d\n", c, t++, i % 13;
	printf "%x %d EXIT level_b_%d\n", c, t++, i % 13;
	if (i % 1000 == 0) printf "not a record %d\n", i;
	printf "%x %d EXIT level_a\n", c, t++ } }' >"$WORK/big"
# A sanitizer build reserves terabytes of address space and cannot run capped: no cap then.
if (ulimit -v 65536 && exec "$FLAME_BIN" --help) >/dev/null 2>&1; then
	cap=65536 what="under a 64 MiB limit"
else
	cap="" what="(uncapped: this build cannot run under ulimit -v)"
fi
( [ -z "$cap" ] || ulimit -v "$cap"
  exec "$FLAME_BIN" --tsc-khz 1000 --summary 3 -o "$WORK/big.svg" "$WORK/big") >"$OUT" 2>"$ERR"
rc=$?
exits 0 "1.6 M records $what"
has "$OUT" "longest 3 of 800000 spans" "big: every span counted"
has "$ERR" "400 garbage lines" "big: garbage counted"
spans=$(grep -c '<rect class="span"' "$WORK/big.svg")
if [ "$spans" -eq 20000 ]; then pass "big: the chart keeps 20000 spans"; else fail "big: $spans spans in the chart"; fi

# --- errors -------------------------------------------------------------------------------

run
exits 2 "no arguments"
one_error "no arguments"

run --tsc-khz fast --summary 1 "$FIX/netbsd.tslog"
exits 2 "--tsc-khz fast"
one_error "--tsc-khz fast"

run --summary 1 "$FIX/netbsd.tslog"
exits 2 "no TSC frequency"
one_error "no TSC frequency"

run --tsc-khz 1 --summary 1 --colour "$FIX/netbsd.tslog"
exits 2 "unknown option"
one_error "unknown option"

run --tsc-khz 1 --summary 1 "$WORK/does-not-exist"
exits 1 "missing trace"
one_error "missing trace"
has "$ERR" "cannot read" "missing trace: says why"

run --tsc-khz 1 --summary 1 "$WORK"
exits 1 "a directory as trace"
one_error "a directory as trace"

run --timeline "$WORK/does-not-exist.json" --summary 1 "$FIX/netbsd.tslog"
exits 1 "missing timeline"
one_error "missing timeline"

printf '{"version": 1, "guest_entry_us": 1450}\n' >"$WORK/no-khz.json"
run --timeline "$WORK/no-khz.json" --summary 1 "$FIX/netbsd.tslog"
exits 1 "timeline without tsc_khz"
one_error "timeline without tsc_khz"

run --tsc-khz 1 -o "$WORK/no/such/dir/x.svg" "$FIX/netbsd.tslog"
exits 1 "unwritable output"
one_error "unwritable output"

if [ -w /dev/full ]; then
	run --tsc-khz 1 -o /dev/full "$FIX/netbsd.tslog"
	exits 1 "full disk"
	one_error "full disk"
fi

run --help
exits 0 "--help"
has "$OUT" "usage: millivm-flame" "--help prints the usage"

[ "$failures" -eq 0 ] || exit 1
exit 0
