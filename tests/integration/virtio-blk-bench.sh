#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The reference guest's block benchmark mode (guest/README.md, blk_bench=) works: a tiny run
# under millivm with both engines prints one well-formed "blk-bench" line per phase with
# positive figures, passes check 29 and leaves the device usable for the rw checks after it;
# bad parameters and impossible runs fail with the right status. No timing assertions: the
# figures are whatever this host gives. Under QEMU microvm too when it is installed (the
# benchmark skips the boot checks, so the guest passes there as well).
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" --rng -a "exit=0"
grep -q "not in this build" "$err" && skip_all "millivm has no virtio devices yet"

TINY="blk_bench=seqread:1M,seqwrite:1M,rand4k:64,rand4kwrite:64 blk_bench_depth=4 blk_bench_block=64K"

# check_phase FILE PHASE BYTES REQUESTS LABEL: the phase's line is there, with these byte and
# request counts and positive ns, MiB/s and IOPS.
check_phase() {
	local line
	line=$(grep -a "^blk-bench $2 " "$1")
	if [ -z "$line" ]; then
		fail "$5: no \"blk-bench $2\" line"
		sed 's/^/    stdout: /' "$1" | tail -10
		return
	fi
	if echo "$line" | awk -v bytes="$3" -v requests="$4" '{
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
		exit !(v["bytes"] == bytes && v["requests"] == requests && v["ns"] > 0 &&
		       v["MiB/s"] + 0 > 0 && v["IOPS"] > 0 && v["notifies"] > 0)
	}'; then
		pass "$5: $2 line well-formed, figures positive"
	else
		fail "$5: $2 line wrong: $line"
	fi
}

for engine in sync uring; do
	img=$TEST_TMP/bench-$engine.img
	rm -f "$img"
	truncate -s 4M "$img"
	run_millivm -k "$REFGUEST" -m 128M -d "$img,engine=$engine" -a "$TINY virtio_blk=rw blk_sector=100"
	expect_rc 0 "$engine: benchmark then the rw checks, guest passes"
	expect_stdout '^blk-bench disk=0 sectors=8192 queue=[0-9]+ depth=4 block=65536 tsc_khz=[1-9][0-9]* \(cpuid\) completions=polled$' \
		"$engine: header line names the disk, queue, depth, block and TSC source"
	check_phase "$out" seqread 1048576 16 "$engine"
	check_phase "$out" seqwrite 1048576 16 "$engine"
	check_phase "$out" rand4k 262144 64 "$engine"
	check_phase "$out" rand4kwrite 262144 64 "$engine"
	expect_stdout '^ok blk-bench: disk 0: 4 phase\(s\), every request OK' "$engine: check blk-bench passes"
	expect_stdout '^ok blk-read: disk 0: 8 sectors read back' \
		"$engine: device back on its normal queue after the benchmark"
	expect_stdout '^ok blk-irq: ' "$engine: interrupts work again after the polled benchmark"
	grep -q '^ok memmap\|^ok mp-' "$out" && fail "$engine: boot checks ran despite blk_bench=" ||
		pass "$engine: blk_bench= skips the boot checks (same guest path as under QEMU)"
done

# quiet: the benchmark lines still come, then the verdict; tsc_khz= overrides CPUID.
truncate -s 1M "$TEST_TMP/q.img"
run_millivm -k "$REFGUEST" -d "$TEST_TMP/q.img" -a "quiet blk_bench=rand4k:16 tsc_khz=1000000"
expect_rc 0 "quiet benchmark passes"
expect_stdout '^blk-bench disk=0 .* tsc_khz=1000000 \(tsc_khz=\) ' "tsc_khz= is the TSC frequency used"
check_phase "$out" rand4k 65536 16 "quiet"
[ "$(grep -c . "$out")" -eq 3 ] && pass "quiet: header, one phase line, the verdict" ||
	fail "quiet: $(grep -c . "$out") lines, expected 3"

# Bad parameters are the cmdline check's (2); impossible runs fail blk-bench (29).
run_millivm -k "$REFGUEST" -d "$TEST_TMP/q.img" -a "quiet blk_bench=seqread:1M,sideways:4"
expect_rc 2 "unknown phase: cmdline check fails"
run_millivm -k "$REFGUEST" -d "$TEST_TMP/q.img" -a "quiet blk_bench=seqread:1000 blk_bench_depth=99"
expect_rc 2 "size not whole sectors, depth above 32: cmdline check fails"
run_millivm -k "$REFGUEST" --rng -a "blk_bench=rand4k:8"
expect_rc 29 "no block device: blk-bench fails"
expect_stdout '^FAIL blk-bench: blk_bench= needs a block device' "... and says why"
run_millivm -k "$REFGUEST" -m 16M -d "$TEST_TMP/q.img" -a "blk_bench=rand4k:8 blk_bench_depth=32 blk_bench_block=1M"
expect_rc 29 "buffers beyond RAM: blk-bench fails"
expect_stdout '^FAIL blk-bench: buffers \[0x400000, 0x2400000\) are not RAM' "... and names the range"

QEMU=${QEMU:-qemu-system-x86_64}
if command -v "$QEMU" >/dev/null 2>&1; then
	img=$TEST_TMP/qemu.img
	truncate -s 4M "$img"
	out=$TEST_TMP/qemu.out err=$TEST_TMP/qemu.err
	timeout 60 "$QEMU" -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off \
		-enable-kvm -cpu host,-arch-capabilities,+invtsc -nodefaults -no-user-config \
		-nographic -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 \
		-global virtio-mmio.force-legacy=false -m 128M -kernel "$REFGUEST" -append "$TINY" \
		-drive id=d0,file="$img",format=raw,if=none -device virtio-blk-device,drive=d0 \
		</dev/null >"$out" 2>"$err"
	rc=$?
	tr -d '\r' <"$out" >"$out.lf" && mv "$out.lf" "$out"
	[ "$rc" -eq 1 ] && pass "QEMU: guest passes (status 0, QEMU's 1)" ||
		{ fail "QEMU: status $rc, expected 1"; sed 's/^/    /' "$out" "$err" | tail -10; }
	check_phase "$out" seqread 1048576 16 "QEMU"
	check_phase "$out" rand4kwrite 262144 64 "QEMU"
else
	echo "SKIP: $QEMU not installed: the QEMU run"
fi

finish
