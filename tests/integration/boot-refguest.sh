#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Boots the reference guest: it checks start_info, the memory map for -m, the initrd, CPUID,
# pvclock and the MP table, and reports through the debug-exit port.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

for mem in 64M 256M 3G 4G 8G; do
	run_millivm -k "$REFGUEST" -m "$mem" -a "expect_mem=$mem"
	expect_rc 0 "reference guest passes all checks with -m $mem"
	expect_stdout "^millivm-refguest: PASS" "verdict line with -m $mem"
done
grep -q "^ok memmap" "$out" && pass "guest checked the memory map" || fail "no memmap check in output"

run_millivm -k "$REFGUEST32" -m 256M -a "expect_mem=256M quiet"
expect_rc 0 "ELF32 image of the reference guest boots and passes"
lines=$(grep -c . "$out")
[ "$lines" -eq 1 ] && pass "quiet mode prints only the verdict" || fail "quiet mode printed $lines lines"

# Initrd handed over as PVH module 0, contents checked by the guest with FNV-1a.
head -c 3000 /dev/urandom >"$TEST_TMP/initrd"
fnv=$(python3 -c 'import sys
h = 0x811c9dc5
for b in open(sys.argv[1], "rb").read():
    h = ((h ^ b) * 0x01000193) & 0xffffffff
print("0x%08x" % h)' "$TEST_TMP/initrd")
run_millivm -k "$REFGUEST" -m 128M -i "$TEST_TMP/initrd" \
	-a "expect_mem=128M expect_initrd_size=3000 expect_initrd_fnv=$fnv"
expect_rc 0 "initrd of 3000 bytes reaches the guest intact"
expect_stdout "^ok initrd" "guest reports the initrd check"
# The same check must fail when the content differs: the guest really compares.
python3 -c 'import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1500); b = f.read(1); f.seek(1500); f.write(bytes([b[0] ^ 0x01]))' "$TEST_TMP/initrd"
run_millivm -k "$REFGUEST" -m 128M -i "$TEST_TMP/initrd" \
	-a "expect_mem=128M expect_initrd_size=3000 expect_initrd_fnv=$fnv quiet"
[ "$rc" -ne 0 ] && pass "a changed initrd byte is detected (exit $rc)" ||
	fail "guest accepted a corrupted initrd"

# --console none: the guest runs, nothing reaches stdout.
run_millivm -k "$REFGUEST" --console none -a "expect_mem=256M"
expect_rc 0 "--console none runs the guest"
[ ! -s "$out" ] && pass "--console none prints nothing" || fail "--console none printed: $(head -2 "$out")"

# The guest's status is millivm's status.
for status in 0 3 42 255; do
	run_millivm -k "$REFGUEST" -a "exit=$status"
	expect_rc "$status" "guest exit status $status reaches the shell"
done

# A wrong expectation fails with a status naming the check (not 0, not a crash).
run_millivm -k "$REFGUEST" -m 256M -a "expect_mem=128M quiet"
if [ "$rc" -ne 0 ] && [ "$rc" -lt 100 ]; then pass "wrong memory size is caught by the guest (exit $rc)"
else fail "wrong memory size: exit $rc"; fi
expect_stdout "FAIL memmap" "the failed check is named"

# The MP table lists every vCPU (the guest checks ids, one BSP, the IOAPIC id = N).
for cpus in 2 4 254; do
	run_millivm -k "$REFGUEST" -c "$cpus" -a "quiet expect_mem=256M expect_cpus=$cpus"
	expect_rc 0 "MP table with $cpus vCPUs passes the guest's checks"
done

# CPUID masks reach the guest (-c 1 so the MP table check stays as it is).
run_millivm -k "$REFGUEST" -a "expect_mem=256M" --cpuid-disable kvmclock
[ "$rc" -ne 0 ] && grep -q "FAIL cpuid-features" "$out" &&
	pass "--cpuid-disable kvmclock hides the feature from the guest" ||
	fail "--cpuid-disable kvmclock: exit $rc, $(grep cpuid-features "$out")"

finish
