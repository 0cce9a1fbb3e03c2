#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The slow tier: a small Linux (tests/linux/small.config, built by tests/linux/build-kernel.sh
# into a cache outside the repository) judges millivm's boot paths and devices by its own
# boot log. Skipped when the kernel is not built.
#  1. vmlinux through PVH with -c 2: Linux finds its 2 CPUs and the IOAPIC in the MP table
#     (acpi=off), brings up the second CPU, probes virtio-blk ("[vda]"), binds virtio-rng,
#     binds virtio-net on --net user and its in-kernel DHCP client (ip=dhcp) gets 10.0.2.15
#     from libslirp with the MAC we gave, binds its vsock transport to virtio-vsock, and
#     mounts the ext2 root on /dev/vda.
#  2. bzImage through the 64-bit boot protocol, one vCPU, --console virtio: Linux's log
#     arrives on hvc0 (virtio-console; Linux drops what it printed before the device was
#     probed), it probes vda, mounts the root and runs the init our command line names.
# There is no init on the disk: Linux panics after the root mount and panic=-1 resets the
# VM, which ends millivm with 0; a bounded timeout ends it otherwise. Where guest instructions
# are emulated (nested kvm_pvm) a boot takes about two minutes; each line is stamped with its
# arrival time, and the boot logs are printed at the end.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
slow_tier
BOOT_TIMEOUT=${MILLIVM_LINUX_TIMEOUT:-200} # seconds per boot

build_cmd="tests/linux/build-kernel.sh"
kdir=$(tests/linux/build-kernel.sh --print-dir 2>/dev/null) ||
	skip_all "linux-source-6.1 is not installed: build the small kernel with $build_cmd (as root)"
[ -f "$kdir/vmlinux" ] && [ -f "$kdir/bzImage" ] ||
	skip_all "the small kernel is not built ($kdir): run $build_cmd (3-4 minutes on 2 idle cores)"
command -v mke2fs >/dev/null || skip_all "no mke2fs (e2fsprogs) for the root file system"

disk=$TEST_TMP/root.ext2
mkdir -p "$TEST_TMP/rootfs/dev" # devtmpfs is mounted there; no init: userspace cannot run here
mke2fs -q -t ext2 -d "$TEST_TMP/rootfs" -F "$disk" 1024 || { fail "mke2fs"; finish; }

# Host workarounds, harmless on hardware KVM:
#  - noxsave, clearcpuid: nested kvm_pvm cannot emulate XRSTOR, CLAC/STAC or POPCNT, and
#    CPUID masking alone does not hide them from Linux (design.md section 10);
#  - no PV IPIs or PV sched_yield: they are hypercalls, and a hypercall never completes on
#    kvm_pvm (the vCPU re-executes the VMCALL forever);
#  - int3 (Linux's self-test) is delivered by millivm's --emulate-soft-int fallback (default).
host_quirks="noxsave clearcpuid=smap,popcnt"
no_hypercalls="0x40000001:eax:11,0x40000001:eax:13"
cmdline="$host_quirks acpi=off root=/dev/vda init=/bin/nonexistent panic=-1"
# Linux names each device it binds (a debug message: loglevel=8 shows it)
cmdline+=' loglevel=8 dyndbg="func driver_bound +p"'

# boot NAME KERNEL MILLIVM-OPTIONS... -- APPEND: log lines stamped with seconds since launch.
boot() {
	local name=$1 kernel=$2
	shift 2
	local opts=() append
	while [ "$1" != "--" ]; do opts+=("$1"); shift; done
	append=$2
	log=$TEST_TMP/$name.log
	local start=${EPOCHREALTIME/./}
	timeout "$BOOT_TIMEOUT" "$MILLIVM" -k "$kernel" -m 256M --rng -d "$disk" \
		--cpuid-disable "$no_hypercalls" "${opts[@]}" -a "$append" </dev/null 2>&1 |
		while IFS= read -r line; do
			elapsed_cs=$(((${EPOCHREALTIME/./} - start) / 10000))
			printf '%5d.%02d %s\n' $((elapsed_cs / 100)) $((elapsed_cs % 100)) "${line%$'\r'}"
		done >"$log"
	rc=${PIPESTATUS[0]}
	echo "--- $name: exit $rc after $(((${EPOCHREALTIME/./} - start) / 1000000)) s"
	logs+=("$log")
}
logs=()

# expect_line NAME PATTERN DESCRIPTION: PASS with the second the line arrived
expect_line() {
	local hit
	hit=$(grep -m1 -E -- "$2" "$log")
	if [ -n "$hit" ]; then
		pass "$1: $3 (at ${hit%% \[*} s)"
	else
		fail "$1: $3: no line matching /$2/"
	fi
}

report_end() { # what Linux printed last, when the boot did not get through
	echo "    last lines of $1:"
	tail -8 "$log" | sed 's/^/    /'
}

# 1. PVH, two vCPUs, serial console
mac=02:00:00:4c:4e:58
boot pvh "$kdir/vmlinux" -c 2 --net "user,mac=$mac" --vsock "cid=42,uds=$TEST_TMP/vsock.sock" -- \
	"console=ttyS0 $cmdline ip=dhcp"
expect_line pvh "Command line: console=ttyS0 .*root=/dev/vda.*virtio_mmio.device=512@0xfeb00000:5" \
	"Linux prints our command line with the virtio-mmio tokens"
expect_line pvh "Intel MultiProcessor Specification v1.4" "MP table found (acpi=off)"
expect_line pvh "Processor #1$" "the MP table lists the second CPU"
expect_line pvh "IOAPIC\[0\]: apic_id 2, version 17, address 0xfec00000, GSI 0-23" \
	"the MP table gives the IOAPIC"
expect_line pvh "smp: Brought up 1 node, 2 CPUs" "the second CPU came up (INIT/SIPI)"
expect_line pvh "smpboot: Total of 2 processors activated" "2 processors activated"
expect_line pvh "virtio_blk virtio0: \[vda\]" "virtio-blk probed as vda"
expect_line pvh "driver: 'virtio_rng': driver_bound: bound to device 'virtio[0-9]+'" \
	"virtio-rng bound to its driver"
expect_line pvh "driver: 'virtio_net': driver_bound: bound to device 'virtio[0-9]+'" \
	"virtio-net bound to Linux's driver"
expect_line pvh "IP-Config: Got DHCP answer from 10\.0\.2\.2, my address is 10\.0\.2\.15" \
	"Linux's DHCP client got its address through virtio-net and --net user"
expect_line pvh "device=eth0, hwaddr=$mac, ipaddr=10\.0\.2\.15" "eth0 has the MAC we gave"
expect_line pvh "driver: 'vmw_vsock_virtio_transport': driver_bound: bound to device 'virtio[0-9]+'" \
	"virtio-vsock bound to Linux's vsock transport"
expect_line pvh "VFS: Mounted root \(ext2 filesystem\)" "the ext2 root on /dev/vda is mounted"
expect_line pvh "Kernel panic - not syncing: Requested init /bin/nonexistent failed" \
	"Linux runs the init our command line names (none on the disk: panic)"
[ "$rc" -eq 0 ] && pass "pvh: panic=-1 resets the VM: millivm exits 0" ||
	{ fail "pvh: millivm exit status $rc, expected 0 (reset after the panic)"; report_end pvh; }

# 2. bzImage, one vCPU, the console on virtio-console (COM1 output is discarded)
boot bzimage "$kdir/bzImage" --console virtio -- "console=hvc0 $cmdline"
expect_line bzimage "^ *[0-9.]+ \[ *[0-9.]+\] " "virtio-console found: Linux's log arrives on hvc0"
expect_line bzimage "virtio_blk virtio0: \[vda\]" "virtio-blk probed as vda"
expect_line bzimage "VFS: Mounted root \(ext2 filesystem\)" "the ext2 root on /dev/vda is mounted"
expect_line bzimage "Requested init /bin/nonexistent failed" \
	"Linux runs the init named on the command line it found in the zero page"
[ "$rc" -eq 0 ] && pass "bzimage: panic=-1 resets the VM: millivm exits 0" ||
	{ fail "bzimage: millivm exit status $rc, expected 0 (reset after the panic)"; report_end bzimage; }

for l in "${logs[@]}"; do
	grep -q "delivers software interrupts" "$l" &&
		echo "note: $(basename "$l" .log): KVM could not run Linux's int3 self-test; millivm delivered it"
	echo "--- $(basename "$l" .log) boot log (seconds since launch, then Linux's own stamp):"
	sed 's/^/    /' "$l"
done
finish
