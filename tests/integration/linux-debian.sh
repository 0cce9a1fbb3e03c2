#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The slow tier: Debian's stock kernel (linux-image-amd64, fetched and unpacked into a cache
# outside the repository by tests/linux/fetch-debian-kernel.sh) boots through PVH from the ELF
# vmlinux extracted from its vmlinuz, with --acpi and two vCPUs. It must print
#  - our exact command line (millivm appends a virtio_mmio.device= token per device),
#  - the memory map it took from start_info, entry for entry the map design.md section 3
#    gives for -m 256M,
#  - its ACPI parse: the RSDP at 0xe0000, the MADT ("APIC" table), SMP configuration from the
#    MADT with both CPUs (of which it starts one: maxcpus=1) and the IOAPIC,
#  - the DSDT's LNRO0005 devices (virtio-mmio: the stock kernel finds them only through ACPI)
#    enumerated by its ACPI scan, one per millivm virtio device (debug messages of
#    drivers/acpi/scan.c and acpi_platform.c, enabled with dyndbg=).
# The VM is killed as soon as every line is there: the rest of the boot is bench material
# (bench/linux_boot.py). Where guest instructions are emulated (nested kvm_pvm) this takes
# about 5 minutes (293 s with another helper building a kernel); MILLIVM_LINUX_TIMEOUT
# (seconds, default 600) bounds it.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
slow_tier
BOOT_TIMEOUT=${MILLIVM_LINUX_TIMEOUT:-600} # a safety net: about 5 minutes on a busy nested host

fetch_cmd=tests/linux/fetch-debian-kernel.sh
kdir=$($fetch_cmd --print-dir 2>/dev/null) ||
	skip_all "apt knows no linux-image-amd64: cannot name Debian's kernel"
[ -f "$kdir/vmlinux" ] || skip_all "Debian's kernel is not fetched ($kdir): run $fetch_cmd"

# Host workarounds, harmless on hardware KVM (as in linux-small.sh): the emulator of nested
# kvm_pvm lacks XRSTOR, CLAC/STAC, POPCNT and LOCK CMPXCHG16B (SLUB uses it when CX16 is
# offered), and a hypercall (PV IPI, PV sched_yield) never completes there.
host_quirks="noxsave clearcpuid=smap,popcnt"
cpuid_disable="cx16,0x40000001:eax:11,0x40000001:eax:13"
# maxcpus=1: the MADT still lists both CPUs, but Linux leaves the second one down (bringing
# it up costs emulated minutes; the AP path is linux-small's). initcall_blacklist: the stock
# kernel checks all of its ~40000 ftrace records against kallsyms in one work item that holds
# the CPU without rescheduling, minutes of emulated code before the ACPI scan gets its turn.
slow_here="maxcpus=1 initcall_blacklist=ftrace_check_for_weak_functions"
append="console=ttyS0 earlyprintk=serial $host_quirks $slow_here panic=-1 loglevel=8"
append+=' dyndbg="file drivers/acpi/scan.c +p; file drivers/acpi/acpi_platform.c +p"'
cmdline="$append virtio_mmio.device=512@0xfeb00000:5 virtio_mmio.device=512@0xfeb00200:6"
truncate -s 1M "$TEST_TMP/disk"

# The memory map for -m 256M (design.md section 3), as Linux prints it.
expected_e820="BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
BIOS-e820: [mem 0x000000000009fc00-0x00000000000fffff] reserved
BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable"

# Each wanted line: an extended regular expression over Linux's message (after "[ time] ").
wanted=(
	"^Command line: "
	"^BIOS-e820: "
	"^ACPI: RSDP 0x00000000000E0000 "
	"^ACPI: APIC 0x[0-9A-F]+ "
	"^ACPI: Using ACPI \(MADT\) for SMP configuration information$"
	"^IOAPIC\[0\]: apic_id 2, version 17, address 0xfec00000, GSI 0-23$"
	"^smpboot: Allowing 2 CPUs, 0 hotplug CPUs$"
	"LNRO0005:00: created platform device LNRO0005:00$"
	"LNRO0005:01: created platform device LNRO0005:01$"
)

log=$TEST_TMP/boot.log
messages=$TEST_TMP/messages # Linux's messages without the timestamps
all_seen() {
	sed -n 's/^\[ *[0-9.]*\] //p' "$log" | tr -d '\r' >"$messages"
	for w in "${wanted[@]}"; do
		grep -qE -- "$w" "$messages" || return 1
	done
}

start=$SECONDS
"$MILLIVM" -k "$kdir/vmlinux" -m 256M -c 2 --acpi --rng -d "$TEST_TMP/disk" \
	--cpuid-disable "$cpuid_disable" -a "$append" </dev/null >"$log" 2>&1 &
vm=$!
outcome="timed out after $BOOT_TIMEOUT s"
while [ $((SECONDS - start)) -lt "$BOOT_TIMEOUT" ]; do
	if all_seen; then
		outcome="every line seen after $((SECONDS - start)) s"
		break
	fi
	if ! kill -0 "$vm" 2>/dev/null; then
		outcome="millivm ended after $((SECONDS - start)) s"
		break
	fi
	sleep 1
done
kill "$vm" 2>/dev/null
wait "$vm" 2>/dev/null
all_seen
echo "--- Debian $(basename "$kdir"): $outcome"

grep -qxF -- "Command line: $cmdline" "$messages" &&
	pass "Linux prints our exact command line, with the virtio-mmio tokens" ||
	fail "no 'Command line: $cmdline'; got: $(grep -m1 '^Command line' "$messages")"
got_e820=$(grep '^BIOS-e820: ' "$messages")
[ "$got_e820" = "$expected_e820" ] &&
	pass "Linux's memory map from start_info is the map for -m 256M ($(echo "$got_e820" | wc -l) entries)" ||
	{ fail "Linux's memory map differs from the one for -m 256M:"; echo "$got_e820" | sed 's/^/    got: /'; }
expect_message() { # pattern description
	local hit
	hit=$(grep -m1 -E -- "$1" "$messages")
	[ -n "$hit" ] && pass "$2: $hit" || fail "$2: no line matching /$1/"
}
expect_message "${wanted[2]}" "Linux finds the RSDP at 0xe0000"
expect_message "${wanted[3]}" "its ACPI parse lists the MADT"
expect_message "${wanted[4]}" "it takes the CPUs from the MADT"
expect_message "${wanted[5]}" "the MADT gives the IOAPIC"
expect_message "${wanted[6]}" "the MADT gives both CPUs"
expect_message "${wanted[7]}" "the ACPI scan finds the first LNRO0005 (virtio-rng)"
expect_message "${wanted[8]}" "the ACPI scan finds the second LNRO0005 (virtio-blk)"
if grep -q "KVM internal error" "$log"; then
	echo "note: the boot stopped at an emulation failure:"
	grep -A2 "KVM internal error" "$log" | sed 's/^/    /'
fi
if [ "$test_failures" -ne 0 ]; then
	echo "--- boot log (last 40 lines):"
	tail -40 "$log" | sed 's/^/    /'
fi
finish
