#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A hostile guest (the reference guest's hostile= mode, guest/virtio_hostile.c) against
# virtio-blk: descriptors outside RAM, into the MMIO hole, a looping chain, a 4 GiB length,
# bad queue sizes, a notify before DRIVER_OK, a read past the end, a partial-sector write,
# looping and oversized indirect tables, an avail index jump, a head index out of range. millivm must survive (exit status 0 = the guest
# saw every bad request fail or NEEDS_RESET, never a crash, never 120), log one line per bad
# request on stderr, and the disk must serve a good request after a reset in the same run.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" --rng -a "exit=0"
grep -q "not in this build" "$err" && skip_all "millivm has no virtio devices yet"

disk=$TEST_TMP/disk.img other=$TEST_TMP/other.img
truncate -s 1M "$disk" "$other"

survived() { # description
	if [ "$rc" -eq 0 ]; then pass "$1: millivm survived, guest satisfied (exit 0)"
	elif [ "$rc" -gt 128 ]; then fail "$1: millivm died of signal $((rc - 128))"
	elif [ "$rc" -eq 120 ]; then fail "$1: millivm failed (exit 120)"
	else fail "$1: guest check $rc failed"; fi
	if [ "$rc" -ne 0 ]; then
		sed 's/^/    stdout: /' "$out" | grep -a 'hostile\|FAIL\|EXCEPTION'
		sed 's/^/    stderr: /' "$err" | head -20
	fi
}

# Each kind alone: the guest's line, and exactly one monitor line about it on stderr. A read
# past the end and a write of a partial sector are well-formed: IOERR, a log line optional.
for kind in oob mmio hole loop len4g qsize0 qsizemax notify pastend badsize indloop indbig \
	availjump badhead; do
	run_millivm -k "$REFGUEST" -d "$disk" -a "hostile=$kind"
	survived "hostile=$kind"
	expect_stdout "^ok hostile: $kind: " "hostile=$kind: guest reports what the device answered"
	expect_stdout '^ok hostile-recover: reset and re-initialised after each of 1 case' \
		"hostile=$kind: disk serves a good read after the reset"
	lines=$(grep -c 'virtio' "$err")
	case $kind in pastend | badsize)
		[ "$lines" -le 1 ] && pass "hostile=$kind: $lines line(s) logged" ||
			{ fail "hostile=$kind: $lines lines logged"; sed 's/^/    stderr: /' "$err"; }
		continue ;;
	esac
	[ "$lines" -eq 1 ] && pass "hostile=$kind: one line logged: $(head -c 160 "$err")" ||
		{ fail "hostile=$kind: $lines virtio lines on stderr, expected 1"; sed 's/^/    stderr: /' "$err"; }
done

# All in sequence, with a second disk and rng: the other devices keep working.
for engine in sync uring; do
	sha_other=$(sha256sum <"$other")
	run_millivm -k "$REFGUEST" -d "$disk,engine=$engine" -d "$other,ro,engine=$engine" --rng \
		-a "hostile=all virtio_rng=32"
	survived "hostile=all, $engine"
	n=$(grep -c '^ok hostile: ' "$out")
	[ "$n" -eq 14 ] && pass "hostile=all, $engine: 14 bad cases, each answered per spec" ||
		fail "hostile=all, $engine: $n of 14 cases answered per spec"
	expect_stdout '^ok hostile-recover: after oob on disk 0, before its reset: disk 1 still serves' \
		"hostile=all, $engine: the other disk serves while disk 0 needs a reset"
	expect_stdout '^ok hostile-recover: reset and re-initialised after each of 14 case' \
		"hostile=all, $engine: disk 0 serves a good read after every reset"
	expect_stdout '^ok rng: ' "hostile=all, $engine: rng works in the same VM"
	lines=$(grep -c 'virtio-blk0' "$err")
	# 12 malformed chains or set-ups, each logged; pastend and badsize may add a line each. The
	# monitor's log is rate-limited (a burst, then a line a second): lines it drops must still
	# be counted in a "(N virtio messages suppressed)" line, so that every bad request shows.
	suppressed=$(sed -n 's/.*(\([0-9]*\) virtio messages suppressed).*/\1/p' "$err" |
		awk '{ n += $1 } END { print n + 0 }')
	accounted=$((lines + suppressed))
	[ "$accounted" -ge 12 ] && [ "$accounted" -le 14 ] &&
		pass "hostile=all, $engine: $lines lines logged + $suppressed counted as suppressed, for 14 bad requests" ||
		{ fail "hostile=all, $engine: $lines virtio-blk0 lines + $suppressed suppressed on stderr, expected 12-14 in all"
		  sed 's/^/    stderr: /' "$err"; }
	grep -q 'virtio-blk1' "$err" && fail "hostile=all, $engine: disk 1 logged errors" ||
		pass "hostile=all, $engine: nothing logged against disk 1"
	[ "$(sha256sum <"$other")" = "$sha_other" ] && pass "hostile=all, $engine: read-only disk untouched" ||
		fail "hostile=all, $engine: read-only disk changed"
done

finish
