#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# virtio-blk driven by the reference guest (guest/README.md, virtio_blk=...): the guest's
# pattern lands in the image at the sector it was told, a flushed write survives kill -9 of
# millivm, a read-only image is left untouched and its writes fail with IOERR, GET_ID returns
# the serial given with -d ...,serial=ID; with both I/O engines.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
command -v python3 >/dev/null || skip_all "python3 needed to check the disk images"

# A monitor without virtio devices refuses -d: nothing to test then.
run_millivm -k "$REFGUEST" --rng -a "exit=0"
grep -q "not in this build" "$err" && skip_all "millivm has no virtio devices yet"

# check_pattern IMAGE FIRST: sectors FIRST..FIRST+7 hold "MILLIVM-PATTERN-<sector>\n" and
# zeros (what guest/virtio_blk.c writes), and every other sector of the image is still zero.
check_pattern() {
	python3 - "$1" "$2" <<'PY'
import sys
img, first = sys.argv[1], int(sys.argv[2])
data = open(img, "rb").read()
for s in range(len(data) // 512):
    got = data[s * 512:(s + 1) * 512]
    want = (b"MILLIVM-PATTERN-%d\n" % s).ljust(512, b"\0") if first <= s < first + 8 else bytes(512)
    if got != want:
        print("    sector %d: %r..." % (s, got[:32]))
        sys.exit(1)
PY
}

new_image() { # path size
	rm -f "$1"
	truncate -s "$2" "$1"
}

for engine in sync uring; do
	img=$TEST_TMP/disk-$engine.img
	new_image "$img" 1M
	run_millivm -k "$REFGUEST" -m 128M -d "$img,serial=SER-$engine-42,engine=$engine" \
		-a "expect_mem=128M virtio_blk=rw blk_sector=37"
	expect_rc 0 "$engine: reference guest passes with one read-write disk"
	expect_stdout '^ok blk-write: disk 0: 8 sectors of MILLIVM-PATTERN at sector 37' \
		"$engine: guest wrote the pattern"
	expect_stdout '^ok blk-flush: disk 0: flushed' "$engine: guest flushed"
	expect_stdout '^ok blk-read: disk 0: 8 sectors read back, same as written' \
		"$engine: guest read the pattern back"
	expect_stdout '^ok blk-irq: ' "$engine: every request completed by an interrupt"
	expect_stdout "^ok blk-id: disk 0: serial \"SER-$engine-42\"" "$engine: GET_ID returns the serial"
	check_pattern "$img" 37 && pass "$engine: pattern found in the image at sectors 37-44, rest zero" ||
		fail "$engine: image does not hold the guest's pattern at sector 37 only"
done

# kill -9 right after the guest saw its FLUSH complete (blk_hold: the guest then halts).
for engine in sync uring; do
	img=$TEST_TMP/kill-$engine.img
	new_image "$img" 4M
	out=$TEST_TMP/kill.out err=$TEST_TMP/kill.err
	"$MILLIVM" -k "$REFGUEST" -d "$img,engine=$engine" -a "virtio_blk=rw blk_sector=1000 blk_hold" \
		</dev/null >"$out" 2>"$err" &
	pid=$!
	for _ in $(seq 1 600); do
		grep -q '^ok blk-flush: disk 0: flushed' "$out" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if grep -q '^ok blk-flush: disk 0: flushed' "$out"; then
		kill -9 "$pid"
		{ wait "$pid"; } 2>/dev/null # no "Killed" notice from the shell
		rc=$?
		[ "$rc" -eq 137 ] && pass "$engine: millivm killed with SIGKILL right after the flush" ||
			fail "$engine: millivm ended with status $rc before the kill"
		check_pattern "$img" 1000 && pass "$engine: flushed write survives kill -9" ||
			fail "$engine: flushed write lost after kill -9"
	else
		kill -9 "$pid" 2>/dev/null
		{ wait "$pid"; } 2>/dev/null
		fail "$engine: guest never reported the flush"
		sed 's/^/    stdout: /' "$out" | tail -5
		sed 's/^/    stderr: /' "$err" | tail -5
	fi
done

# Two disks: read-write and read-only (default serial on the first, ours on the second).
rw=$TEST_TMP/rw.img ro=$TEST_TMP/ro.img
new_image "$rw" 2M
head -c 1048576 /dev/urandom >"$ro"
before=$(sha256sum <"$ro")
run_millivm -k "$REFGUEST" -d "$rw" -d "$ro,ro,serial=READONLY-7" -a "virtio_blk=rw,ro blk_sector=2040"
expect_rc 0 "two disks, one read-only: guest passes"
expect_stdout '^ok blk-ro: disk 1: F_RO offered, read OK, write -> IOERR' \
	"read-only disk: VIRTIO_BLK_F_RO offered, a write fails with IOERR"
expect_stdout '^ok blk-id: disk 1: serial "READONLY-7"' "read-only disk: serial via GET_ID"
expect_stdout '^ok blk-id: disk 0: serial "[^"]+"' "disk without serial=: GET_ID still answers"
[ "$(sha256sum <"$ro")" = "$before" ] && pass "read-only image unchanged (sha256)" ||
	fail "read-only image was modified"
check_pattern "$rw" 2040 && pass "read-write disk of the pair holds the pattern at its last 8 sectors" ||
	fail "read-write disk of the pair lacks the pattern"

# The guest's check really fails when the disk is too small for the pattern (no false PASS).
small=$TEST_TMP/small.img
new_image "$small" 2K
run_millivm -k "$REFGUEST" -d "$small" -a "virtio_blk=rw quiet"
[ "$rc" -eq 20 ] && pass "8 sectors do not fit a 2 KiB disk: blk-write fails (exit 20)" ||
	fail "2 KiB disk: exit $rc, expected 20 (blk-write)"

finish
