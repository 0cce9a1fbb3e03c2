#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# SMP: the reference guest starts the application processors the MP table lists (INIT,
# STARTUP, STARTUP through KVM's in-kernel local APIC; guest/smp.c) and each reports its
# APIC id. With -c N every id 1..N-1 must report exactly once (the BSP is 0), the smp-aps
# check must pass, and the BSP's write to the debug-exit port must end the whole VM while the
# APs sit halted. With -c 1 there is nothing to start: the check is skipped.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" -c 1 -m 64M -a "expect_cpus=1"
expect_rc 0 "-c 1: the guest passes"
expect_stdout "^skip smp-aps: one processor" "-c 1: smp-aps is skipped (no APs)"

for cpus in 2 4 8; do
	run_millivm -k "$REFGUEST" -c "$cpus" -m 64M -a "expect_cpus=$cpus"
	# the VM ends at the BSP's exit write with APs halted: a hang would be timeout's 124
	expect_rc 0 "-c $cpus: the guest passes and the VM ends while the APs are halted"
	expect_stdout "^ok smp-aps: $((cpus - 1)) APs reported in" "-c $cpus: smp-aps passes"
	ids=$(sed -n 's/^smp: AP [0-9]* is APIC id \([0-9]*\)$/\1/p' "$out" | sort -n | tr '\n' ' ')
	want=$(seq 1 $((cpus - 1)) | tr '\n' ' ')
	[ "$ids" = "$want" ] && pass "-c $cpus: APs reported APIC ids $want each once" ||
		fail "-c $cpus: APs reported APIC ids '$ids', expected '$want'"
done

# The check compares with what the guest is told: a wrong count must fail it.
run_millivm -k "$REFGUEST" -c 2 -m 64M -a "expect_cpus=3"
[ "$rc" -ne 0 ] && grep -q "^FAIL smp-aps: the MP table lists 2 processors" "$out" &&
	pass "-c 2 with expect_cpus=3: smp-aps fails (exit $rc)" ||
	fail "-c 2 with expect_cpus=3: exit $rc, smp-aps line: $(grep smp-aps "$out")"

# A second opinion: the same guest starts QEMU microvm's APs (QEMU's own MP table; other
# checks fail there for known layout differences, see qemu-refguest.sh).
QEMU=${QEMU:-qemu-system-x86_64}
if command -v "$QEMU" >/dev/null; then
	timeout 60 "$QEMU" -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off \
		-enable-kvm -cpu host,-arch-capabilities,+invtsc -smp 2 \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -m 256M \
		-kernel "$REFGUEST" -append "expect_cpus=2" </dev/null >"$TEST_TMP/qemu.out" 2>&1
	rc=$?
	grep -q "^ok smp-aps: 1 APs reported in" "$TEST_TMP/qemu.out" && [ "$rc" -ne 124 ] &&
		pass "QEMU microvm -smp 2: smp-aps passes and QEMU ends (status $rc)" ||
		fail "QEMU microvm -smp 2: status $rc, $(grep -E 'smp-aps|EXCEPTION' "$TEST_TMP/qemu.out")"
else
	echo "SKIP: QEMU microvm -smp 2 (no $QEMU)"
fi
finish
