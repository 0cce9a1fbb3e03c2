#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
#
# Boots the reference guest under QEMU's microvm machine with KVM, as a second opinion on the
# guest itself (millivm is not involved). Prints what each run did; fails only if the guest
# does not boot, does not exit through the debug-exit port, or an exit-path test misbehaves.
# The check verdicts themselves are printed, not asserted: QEMU's boot structures differ from
# millivm's (its firmware's MP table has an entry count of 0, its memory map is unsorted), so
# some checks fail there by design.
#
# Usage: tests/integration/qemu-refguest.sh [build-dir]     (default: build)
# Needs: qemu-system-x86_64, /dev/kvm, and $BUILD/refguest.elf (make -f guest/guest.mk).
set -u

BUILD=${1:-${BUILD:-build}}
QEMU=${QEMU:-qemu-system-x86_64}

skip() {
	echo "SKIP: qemu-refguest: $*"
	exit 77
}

command -v "$QEMU" >/dev/null 2>&1 || skip "$QEMU not installed"
[ -r /dev/kvm ] && [ -w /dev/kvm ] || skip "/dev/kvm not usable"
[ -f "$BUILD/refguest.elf" ] || { echo "FAIL: qemu-refguest: $BUILD/refguest.elf missing (make -f guest/guest.mk BUILD=$BUILD)"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0

# -cpu host: the KVM leaves; -arch-capabilities: this host's KVM refuses MSR 0x10a;
# +invtsc: QEMU offers CPUID 0x40000010 (TSC and APIC frequencies) only with it.
# -no-reboot: a triple fault ends QEMU instead of rebooting the guest for ever.
run_qemu() { # kernel, command line, [extra QEMU arguments...]; output in $tmp/out
	kernel=$1 cmdline=$2
	shift 2
	timeout 60 "$QEMU" -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off \
		-enable-kvm -cpu host,-arch-capabilities,+invtsc \
		-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
		-device isa-debug-exit,iobase=0xf4,iosize=4 -m 256M \
		-kernel "$kernel" -append "$cmdline" "$@" >"$tmp/out" 2>&1
}

# QEMU's isa-debug-exit turns a guest byte V into exit status (V << 1) | 1.
expect_status() { # description, guest status expected, QEMU's status
	if [ "$3" -eq $((($2 << 1) | 1)) ]; then
		echo "PASS: $1 (guest status $2)"
	else
		echo "FAIL: $1: QEMU status $3, expected guest status $2 ($((($2 << 1) | 1)))"
		sed 's/^/     | /' "$tmp/out"
		failures=$((failures + 1))
	fi
}

# The guest's own status: 0 for PASS, else the first failed check (guest/README.md).
report_verdict() { # description, QEMU's status
	verdict=$(grep -a 'millivm-refguest:' "$tmp/out" | tail -n 1)
	if [ -z "$verdict" ] || [ $(($2 & 1)) -ne 1 ]; then
		echo "FAIL: $1: no verdict (QEMU status $2)"
		sed 's/^/     | /' "$tmp/out"
		failures=$((failures + 1))
		return
	fi
	echo "PASS: $1 booted and gave a verdict: $verdict, guest status $(($2 >> 1))"
}

echo "== verbose run, ELF64"
# A fixed initrd whose FNV-1a (computed once, elsewhere) the guest must reproduce.
i=0
: >"$tmp/initrd"
while [ $i -lt 100 ]; do
	printf 'millivm reference guest initrd %03d\n' $i >>"$tmp/initrd"
	i=$((i + 1))
done
run_qemu "$BUILD/refguest.elf" "expect_mem=256M expect_initrd_size=3500 expect_initrd_fnv=0x55c642d3" \
	-initrd "$tmp/initrd"
status=$?
sed 's/^/     | /' "$tmp/out"
report_verdict "verbose ELF64" "$status"
grep -aq '^ok initrd: .*FNV-1a matches' "$tmp/out" || {
	echo "FAIL: initrd: size or FNV-1a not confirmed under QEMU"
	failures=$((failures + 1))
}

echo "== quiet runs"
for kernel in refguest.elf refguest32.elf; do
	run_qemu "$BUILD/$kernel" "quiet expect_mem=256M"
	status=$?
	sed 's/^/     | /' "$tmp/out"
	report_verdict "quiet $kernel" "$status"
	if [ "$(grep -ac . "$tmp/out")" -ne 1 ]; then
		echo "FAIL: quiet $kernel: more than the verdict line"
		failures=$((failures + 1))
	fi
done

echo "== exit paths"
run_qemu "$BUILD/refguest.elf" "exit=42"
expect_status "exit=42" 42 $?
run_qemu "$BUILD/refguest.elf" "fault=ud"
status=$?
expect_status "fault=ud" 99 "$status"
grep -aq '^EXCEPTION 6 rip=' "$tmp/out" || {
	echo "FAIL: fault=ud: no \"EXCEPTION 6\" line"
	failures=$((failures + 1))
}
run_qemu "$BUILD/refguest.elf" "fault=triple"
status=$?
# QEMU with -no-reboot ends with status 0 on a triple fault (no debug-exit write happened).
if [ "$status" -eq 0 ] && ! grep -aq 'millivm-refguest:' "$tmp/out"; then
	echo "PASS: fault=triple (QEMU shut down, status 0)"
else
	echo "FAIL: fault=triple: QEMU status $status"
	sed 's/^/     | /' "$tmp/out"
	failures=$((failures + 1))
fi

if [ "$failures" -ne 0 ]; then
	echo "qemu-refguest: $failures problem(s)"
	exit 1
fi
echo "qemu-refguest: all runs behaved"
