#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The boot timeline (--timeline, --timeline-json) and the guest's tslog trace (--trace-out),
# end to end into millivm-flame.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" -a "expect_mem=256M quiet" --timeline \
	--timeline-json "$TEST_TMP/tl.json" --trace-out "$TEST_TMP/trace.tslog"
expect_rc 0 "reference guest with timeline and trace"
for ev in process_start args_parsed kvm_ready kernel_loaded guest_entry first_console_byte \
	boot_timer guest_exit; do
	grep -qE "^  $ev +[0-9]+\.[0-9]{3}$" "$err" && pass "--timeline shows $ev" ||
		fail "--timeline lacks a time for $ev"
done
python3 - "$TEST_TMP/tl.json" <<'PY' && pass "timeline JSON is valid, complete and ordered" || fail "timeline JSON check"
import json, sys
tl = json.load(open(sys.argv[1]))
order = ["process_start", "args_parsed", "kvm_ready", "kernel_loaded", "guest_entry",
         "first_console_byte", "guest_exit"]
times = [tl[k] for k in order]
assert all(isinstance(t, (int, float)) for t in times), times
assert times == sorted(times), times
assert tl["boot_timer"] is not None and tl["guest_entry"] <= tl["boot_timer"] <= tl["guest_exit"]
assert tl["tsc_khz"] > 0 and tl["guest_resident_kib"] > 0
PY

# The trace: tslog text, balanced ENTER/EXIT, monotonic TSC stamps.
if [ -s "$TEST_TMP/trace.tslog" ]; then pass "--trace-out wrote $(wc -l <"$TEST_TMP/trace.tslog") records"
else fail "--trace-out wrote nothing"; fi
bad=$(grep -cvE '^0x[0-9a-f]+ [0-9]+ (ENTER|EXIT|EVENT|THREAD) [!-~]+$' "$TEST_TMP/trace.tslog")
[ "$bad" -eq 0 ] && pass "every trace line is tslog text" || fail "$bad malformed trace lines"
python3 - "$TEST_TMP/trace.tslog" <<'PY' && pass "ENTER/EXIT balanced, TSC monotonic" || fail "trace balance/monotonic"
import sys
stack, last = [], 0
for line in open(sys.argv[1]):
    thread, tsc, kind, name = line.split()[:4]
    tsc = int(tsc)
    assert tsc >= last, line
    last = tsc
    if kind == "ENTER":
        stack.append(name)
    elif kind == "EXIT":
        assert stack and stack.pop() == name, line
assert not stack, stack
PY

# Into the flame tool, with the TSC frequency from the timeline JSON.
FLAME=$BUILD/millivm-flame
if [ -x "$FLAME" ]; then
	"$FLAME" --timeline "$TEST_TMP/tl.json" --summary 3 -o "$TEST_TMP/boot.svg" \
		"$TEST_TMP/trace.tslog" >"$TEST_TMP/summary" 2>"$TEST_TMP/flame.err"
	frc=$?
	[ "$frc" -eq 0 ] && grep -q "<svg" "$TEST_TMP/boot.svg" && pass "millivm-flame draws the guest trace" ||
		fail "millivm-flame exit $frc: $(head -3 "$TEST_TMP/flame.err")"
	[ "$(grep -c . "$TEST_TMP/summary")" -ge 3 ] && pass "summary lists the longest spans" ||
		fail "summary: $(cat "$TEST_TMP/summary")"
else
	fail "no $FLAME (run make)"
fi

# A guest that hands over a bad trace buffer does not stop the VM.
finish
