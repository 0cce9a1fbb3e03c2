#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The reference guest's virtio driver under QEMU's microvm machine, as a second opinion on the
# guest (millivm is not involved): block (read-write and read-only), entropy and console
# devices; QEMU's default legacy virtio-mmio is refused. The non-virtio checks are not asserted
# (QEMU's MP table and memory map differ from millivm's by design, see qemu-refguest.sh); the
# hostile mode is run and printed only (QEMU is laxer than millivm, guest/README.md).
. "$(dirname "$0")/../lib/common.sh"
QEMU=${QEMU:-qemu-system-x86_64}
command -v "$QEMU" >/dev/null 2>&1 || skip_all "$QEMU not installed"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
command -v python3 >/dev/null || skip_all "python3 needed to check the disk images"

run_qemu() { # command line, QEMU arguments...; sets $rc, $out
	local cmdline=$1
	shift
	out=$TEST_TMP/qemu.out
	timeout 60 "$QEMU" -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off \
		-enable-kvm -cpu host,-arch-capabilities,+invtsc \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -m 256M \
		-kernel "$REFGUEST" -append "$cmdline" "$@" </dev/null >"$out" 2>&1
	rc=$?
}
# expect_ok check description: the guest printed "ok <check>:"
expect_ok() {
	if grep -aq "^ok $1: " "$out"; then pass "$2"; else
		fail "$2: no \"ok $1\""; grep -a "^FAIL\|^ok virtio\|EXCEPTION" "$out" | sed 's/^/    /'
	fi
}

rw=$TEST_TMP/rw.img ro=$TEST_TMP/ro.img
truncate -s 1M "$rw"
head -c 65536 /dev/urandom >"$ro"
sha_ro=$(sha256sum <"$ro")
modern="-global virtio-mmio.force-legacy=false"

run_qemu "virtio_blk=rw,ro blk_sector=9 virtio_rng=64 virtio_console=QEMU-VIRTIO-CONSOLE-$$" $modern \
	-drive id=d0,file="$rw",format=raw,if=none -device virtio-blk-device,drive=d0,serial=QSER0 \
	-drive id=d1,file="$ro",format=raw,if=none,readonly=on -device virtio-blk-device,drive=d1 \
	-device virtio-rng-device \
	-device virtio-serial-device -chardev file,id=con,path="$TEST_TMP/console.out" \
	-device virtconsole,chardev=con
[ $((rc & 1)) -eq 1 ] && pass "guest ran under QEMU and exited through the debug port" ||
	fail "QEMU status $rc: no debug-port exit"
[ "$(grep -ac '^ok virtio-probe: ' "$out")" -eq 4 ] && pass "four devices probed (version 2)" ||
	fail "not four devices probed"
for c in blk-id blk-write blk-flush blk-read blk-ro blk-irq rng console; do
	expect_ok "$c" "QEMU: $c"
done
grep -aq '^ok blk-id: disk 0: serial "QSER0"' "$out" && pass "QEMU: GET_ID serial" || fail "QEMU: serial"
grep -qx "QEMU-VIRTIO-CONSOLE-$$" "$TEST_TMP/console.out" && pass "QEMU: console text arrived" ||
	fail "QEMU: console text missing"
python3 - "$rw" 9 <<'PY' && pass "QEMU: pattern in the image at sector 9" || fail "QEMU: pattern missing"
import sys
data = open(sys.argv[1], "rb").read()
first = int(sys.argv[2])
sys.exit(0 if all(data[s * 512:(s + 1) * 512] == (b"MILLIVM-PATTERN-%d\n" % s).ljust(512, b"\0")
                  for s in range(first, first + 8)) else 1)
PY
[ "$(sha256sum <"$ro")" = "$sha_ro" ] && pass "QEMU: read-only image unchanged" || fail "QEMU: read-only image changed"

# QEMU's default virtio-mmio is legacy (version 1): the guest must refuse it, naming why.
# (Not by exit status: under QEMU the memmap check, number 3, fails first.)
run_qemu "virtio_blk=rw" -drive id=d0,file="$rw",format=raw,if=none -device virtio-blk-device,drive=d0
grep -aq '^FAIL virtio-probe: .*legacy virtio-mmio (version 1)' "$out" &&
	pass "legacy virtio-mmio (version 1) refused by virtio-probe" ||
	fail "legacy virtio-mmio not refused"

run_qemu "hostile=all" $modern -drive id=d0,file="$rw",format=raw,if=none -device virtio-blk-device,drive=d0
grep -a "hostile" "$out" | grep -v '^ok cmdline' | sed 's/^/    QEMU: /'
expect_ok hostile-recover "QEMU: block device serves after a reset following each hostile case"

finish
