#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# ACPI tables (--acpi) judged by third-party tools: millivm dumps the tables it built for a VM
# with 4 vCPUs and 3 virtio devices (--acpi-dump), ACPICA's disassembler (iasl -d, Debian
# acpica-tools) must decode each without an error or warning, its DSDT disassembly must compile
# back (iasl -oa) to the same AML, and acpiexec must load the namespace and evaluate the
# devices' _CRS. Then the reference guest checks the tables from inside (acpi check), powers
# off and resets through the FADT's registers, and still passes without --acpi.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
command -v iasl >/dev/null || skip_all "iasl not installed (Debian package acpica-tools)"

dump=$TEST_TMP/acpi
mkdir -p "$dump"
truncate -s 1M "$TEST_TMP/disk0" "$TEST_TMP/disk1"
run_millivm -k "$REFGUEST" -c 4 --acpi-dump "$dump" -d "$TEST_TMP/disk0" -d "$TEST_TMP/disk1,ro" \
	--rng -a "expect_cpus=4 expect_acpi"
expect_rc 0 "reference guest with --acpi-dump, 4 vCPUs, 3 devices passes"
expect_stdout "^ok acpi: RSDP at 0xe0000" "guest finds the RSDP through start_info and checks the tables"
for t in rsdp xsdt facp apic dsdt; do
	[ -s "$dump/$t.dat" ] && pass "--acpi-dump wrote $t.dat" || fail "--acpi-dump: no $t.dat"
done

# The RSDP: iasl 20200925 does not take a bare RSDP from a file, so check it here.
python3 - "$dump/rsdp.dat" "$dump/xsdt.dat" <<'EOF' && pass "RSDP: signature, both checksums, revision 2, XSDT below 1 MiB" || fail "RSDP"
import struct, sys
r = open(sys.argv[1], "rb").read()
assert len(r) == 36 and r[:8] == b"RSD PTR ", r[:8]
assert sum(r[:20]) % 256 == 0 and sum(r) % 256 == 0, "checksum"
sig, cks, oem, rev, rsdt, length, xsdt = struct.unpack_from("<8sB6sBIIQ", r)
assert rev == 2 and length == 36, (rev, length)
assert 0xe0000 <= xsdt < 0x100000 and xsdt % 8 == 0, hex(xsdt)
assert open(sys.argv[2], "rb").read()[:4] == b"XSDT"
EOF

# iasl -d: every table decodes, nothing flagged (checksums, lengths, unknown fields).
cd "$dump" || exit 1
for t in xsdt facp apic dsdt; do
	iasl -d "$t.dat" >"$t.iasl" 2>&1
	irc=$?
	flagged=$(grep -ihE '\b(warning|error|incorrect|invalid|unknown)' "$t.iasl" "$t.dsl" 2>/dev/null)
	if [ "$irc" -eq 0 ] && [ -s "$t.dsl" ] && [ -z "$flagged" ]; then
		pass "iasl -d $t.dat: decoded, no errors or warnings"
	else
		fail "iasl -d $t.dat: exit $irc"; sed 's/^/    /' <<<"$flagged" | head -10
	fi
done

expect_in() { # file pattern count description
	local n
	n=$(grep -cE -- "$2" "$1")
	[ "$n" -eq "$3" ] && pass "$4" || fail "$4: $n lines match /$2/ in $1, expected $3"
}
expect_in dsdt.dsl 'Name \(_HID, "LNRO0005"\)' 3 "DSDT: one LNRO0005 device per virtio-mmio device"
for i in 0 1 2; do
	base=$(printf '0xFEB%05X' $((i * 0x200)))
	expect_in dsdt.dsl "^ +$base, +// Address Base" 1 "DSDT: device $i's window at $base"
	expect_in dsdt.dsl "^ +0x0000000$((5 + i)),\$" 1 "DSDT: device $i's interrupt $((5 + i))"
done
expect_in dsdt.dsl 'Interrupt \(ResourceConsumer, Level, ActiveHigh, Exclusive' 3 \
	"DSDT: virtio interrupts level-triggered, active high"
expect_in dsdt.dsl 'Memory32Fixed \(ReadWrite,' 3 "DSDT: virtio windows read-write"
expect_in dsdt.dsl 'EisaId \("PNP0501"\)' 1 "DSDT: COM1"
expect_in dsdt.dsl 'EisaId \("PNP0303"\)' 1 "DSDT: the i8042"
expect_in dsdt.dsl 'Name \(\\_S5, Package' 1 "DSDT: \\_S5 for power-off"
expect_in apic.dsl 'Subtable Type : 00 \[Processor Local APIC\]' 4 "MADT: 4 local APICs"
expect_in apic.dsl 'Processor Enabled : 1' 4 "MADT: all enabled"
expect_in apic.dsl 'I/O Apic ID : 04' 1 "MADT: IOAPIC id = vCPU count"
expect_in apic.dsl 'Address : FEC00000' 1 "MADT: IOAPIC at 0xfec00000"
expect_in apic.dsl 'Subtable Type : 02 \[Interrupt Source Override\]' 4 \
	"MADT: overrides for IRQ 0 and the 3 virtio IRQs"
expect_in apic.dsl 'Subtable Type : 04 \[Local APIC NMI\]' 1 "MADT: NMI on LINT1"
expect_in facp.dsl 'Hardware Reduced \(V5\) : 1' 1 "FADT: hardware-reduced"
expect_in facp.dsl 'Reset Register Supported \(V2\) : 1' 1 "FADT: reset register"
expect_in facp.dsl 'Address : 0000000000000600' 1 "FADT: sleep control at port 0x600"
expect_in xsdt.dsl 'ACPI Table Address' 2 "XSDT: FADT and MADT"

# The disassembly compiles back (no optimizations) to exactly our AML.
cp dsdt.dsl roundtrip.dsl
if iasl -oa roundtrip.dsl >roundtrip.log 2>&1 && cmp -s <(tail -c +37 roundtrip.aml) <(tail -c +37 dsdt.dat); then
	pass "iasl -oa compiles the DSDT disassembly back to the same AML"
else
	fail "DSDT round trip through iasl differs"; tail -5 roundtrip.log
fi

# acpiexec (same package): load the tables, build the namespace, evaluate the devices.
if command -v acpiexec >/dev/null; then
	acpiexec -b 'evaluate \_SB.VR00._CRS; evaluate \_SB.VR02._CRS; evaluate \_S5; evaluate \_SB.COM1._CRS' \
		facp.dat apic.dat dsdt.dat >acpiexec.log 2>&1
	arc=$?
	if [ "$arc" -eq 0 ] && ! grep -qiE '\b(error|warning|exception|failed)|AE_' acpiexec.log &&
		[ "$(grep -c 'returned object' acpiexec.log)" -eq 4 ]; then
		pass "acpiexec loads the namespace and evaluates _CRS and \\_S5"
	else
		fail "acpiexec: exit $arc"; grep -iE 'error|warning|exception|failed|AE_' acpiexec.log | head -5
	fi
else
	echo "SKIP: acpiexec not installed"
fi
cd - >/dev/null || exit 1

# Power-off and reset the way an ACPI kernel does: the FADT's registers end the VM with 0.
for how in poweroff reset; do
	run_millivm -k "$REFGUEST" --acpi -a "expect_acpi acpi_off=$how"
	expect_rc 0 "acpi_off=$how ends the VM with status 0"
	if grep -q "^millivm-refguest:" "$out"; then fail "acpi_off=$how: the guest reached its verdict"
	else pass "acpi_off=$how: the VM ended at the register write"; fi
done

# Without --acpi: no tables, rsdp_paddr 0, the guest skips the check and passes.
run_millivm -k "$REFGUEST" -c 2 -a "expect_cpus=2"
expect_rc 0 "without --acpi the reference guest passes"
expect_stdout "rsdp 0x0$" "start_info's rsdp_paddr is 0 without --acpi"
expect_stdout "^skip acpi:" "the guest skips the acpi check"
run_millivm -k "$REFGUEST" -a "expect_acpi quiet"
expect_rc 30 "expect_acpi without --acpi fails check 30"
"$MILLIVM" --help | grep -q -- "--acpi " && pass "--help mentions --acpi" || fail "--help lacks --acpi"

finish
