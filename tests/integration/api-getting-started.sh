#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Firecracker's getting-started guide, its curl commands as printed there, against millivm
# booting the reference guest: the classic sequence (-i, Accept/Content-Type headers,
# machine-config note) and the current one (logger, --data without headers, rootfs,
# network interface on a tap0 made in a network namespace, InstanceStart). Only the file
# names and the kernel's boot arguments differ: the reference guest is the kernel, and it is
# told what to expect.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
require_curl
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
REFGUEST_ABS=$(realpath "$REFGUEST")

# The guide runs both shells in the directory holding the kernel and the rootfs.
WORK=$TEST_TMP/guide
mkdir -p "$WORK"
ln -s "$REFGUEST_ABS" "$WORK/hello-vmlinux.bin"
ln -s "$REFGUEST_ABS" "$WORK/vmlinux-6.1.refguest"
truncate -s 1M "$WORK/hello-rootfs.ext4"
MILLIVM_ABS=$(realpath "$MILLIVM")

# start_guide SOCKET: millivm in $WORK, as "./firecracker --api-sock SOCKET" (inside the
# network namespace holding the guide's tap0, once there is one: IN_NS).
IN_NS=()
start_guide() {
	rm -f "$1"
	(cd "$WORK" && exec "${IN_NS[@]}" "$MILLIVM_ABS" --api-sock "$1" </dev/null >"$mv_out" 2>"$mv_err") &
	MV_PID=$!
	for _ in $(seq 500); do [ -S "$1" ] && return 0; sleep 0.01; done
	fail "no API socket at $1"
	return 1
}

# ---------------------------------------------------------------------------------------
# The classic guide (docs/getting-started.md, "Running Firecracker", with the 2 vCPU /
# 1024 MiB machine-config note). Responses printed with -i; we check the status lines.
# ---------------------------------------------------------------------------------------
SOCK=$TEST_TMP/firecracker.socket
start_guide "$SOCK" || finish
cd "$WORK" || exit 1
{
curl --unix-socket $SOCK -i \
    -X PUT 'http://localhost/boot-source'   \
    -H 'Accept: application/json'           \
    -H 'Content-Type: application/json'     \
    -d '{
        "kernel_image_path": "./hello-vmlinux.bin",
        "boot_args": "console=ttyS0 reboot=k panic=1 pci=off quiet expect_mem=1024M expect_cpus=2"
    }'

curl --unix-socket $SOCK -i \
    -X PUT 'http://localhost/drives/rootfs' \
    -H 'Accept: application/json'           \
    -H 'Content-Type: application/json'     \
    -d '{
        "drive_id": "rootfs",
        "path_on_host": "./hello-rootfs.ext4",
        "is_root_device": true,
        "is_read_only": false
    }'

curl --unix-socket $SOCK -i  \
    -X PUT 'http://localhost/machine-config' \
    -H 'Accept: application/json'            \
    -H 'Content-Type: application/json'      \
    -d '{
        "vcpu_count": 2,
        "mem_size_mib": 1024
    }'

curl --unix-socket $SOCK -i \
    -X PUT 'http://localhost/actions'       \
    -H  'Accept: application/json'          \
    -H  'Content-Type: application/json'    \
    -d '{
        "action_type": "InstanceStart"
     }'
} >"$TEST_TMP/classic.out" 2>&1
cd - >/dev/null || exit 1
statuses=$(grep -c '^HTTP/1.1 204 No Content' "$TEST_TMP/classic.out")
[ "$statuses" -eq 4 ] && pass "classic guide: the 4 curl calls answer 204 No Content" ||
	fail "classic guide: $statuses of 4 answered 204: $(grep '^HTTP\|fault' "$TEST_TMP/classic.out")"
wait_api 30
expect_rc 0 "classic guide: the guest booted (2 vCPUs, 1024 MiB, rootfs) and passed its checks"

# ---------------------------------------------------------------------------------------
# The current guide: logger first, then --data without headers (curl sends
# application/x-www-form-urlencoded; Firecracker does not look at it either).
# ---------------------------------------------------------------------------------------
# Its network interface is the tap "tap0": made in a network namespace of our own.
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
	echo "SKIP: current guide: its tap0 needs root, /dev/net/tun and iproute2"
	finish
fi
ns=millivm-guide-$$
ip netns add "$ns" || { echo "SKIP: current guide: cannot create a network namespace"; finish; }
trap '[ -n "$MV_PID" ] && kill -9 "$MV_PID" 2>/dev/null; ip netns del "$ns"; rm -rf "$TEST_TMP"' EXIT
ip netns exec "$ns" ip tuntap add dev tap0 mode tap
IN_NS=(ip netns exec "$ns")
API_SOCKET="$TEST_TMP/fc.socket"
start_guide "$API_SOCKET" || finish
cd "$WORK" || exit 1
{
LOGFILE="./firecracker.log"

# Create log file
touch $LOGFILE

# Set log file
curl -X PUT --unix-socket "${API_SOCKET}" \
    --data "{
        \"log_path\": \"${LOGFILE}\",
        \"level\": \"Debug\",
        \"show_level\": true,
        \"show_log_origin\": true
    }" \
    "http://localhost/logger"

KERNEL="./$(ls vmlinux* | tail -1)"
KERNEL_BOOT_ARGS="console=ttyS0 reboot=k panic=1 pci=off quiet expect_mem=128M"

ARCH=$(uname -m)

if [ ${ARCH} = "aarch64" ]; then
    KERNEL_BOOT_ARGS="keep_bootcon ${KERNEL_BOOT_ARGS}"
fi

# Set boot source
curl -X PUT --unix-socket "${API_SOCKET}" \
    --data "{
        \"kernel_image_path\": \"${KERNEL}\",
        \"boot_args\": \"${KERNEL_BOOT_ARGS}\"
    }" \
    "http://localhost/boot-source"

ROOTFS="./$(ls *.ext4 | tail -1)"

# Set rootfs
curl -X PUT --unix-socket "${API_SOCKET}" \
    --data "{
        \"drive_id\": \"rootfs\",
        \"path_on_host\": \"${ROOTFS}\",
        \"is_root_device\": true,
        \"is_read_only\": false
    }" \
    "http://localhost/drives/rootfs"

# The IP address of a guest is derived from its MAC address with
# `fcnet-setup.sh`, this has been pre-configured in the guest rootfs. It is
# important that `TAP_IP` and `FC_MAC` match this.
FC_MAC="06:00:AC:10:00:02"
TAP_DEV="tap0"

# Set network interface
curl -X PUT --unix-socket "${API_SOCKET}" \
    --data "{
        \"iface_id\": \"net1\",
        \"guest_mac\": \"$FC_MAC\",
        \"host_dev_name\": \"$TAP_DEV\"
    }" \
    "http://localhost/network-interfaces/net1"

# API requests are handled asynchronously, it is important the configuration is
# set, before `InstanceStart`.
sleep 0.015s

# Start microVM
curl -X PUT --unix-socket "${API_SOCKET}" \
    --data "{
        \"action_type\": \"InstanceStart\"
    }" \
    "http://localhost/actions"
} >"$TEST_TMP/current.out" 2>&1
cd - >/dev/null || exit 1
wait_api 30
expect_rc 0 "current guide: the guest booted from the curl sequence and passed its checks"
# Success is an empty 204: nothing is printed, the network interface included.
if [ "$(grep -c fault_message "$TEST_TMP/current.out")" -eq 0 ]; then
	pass "current guide: every call succeeded, the network interface on tap0 included"
else
	fail "current guide output: $(cat "$TEST_TMP/current.out")"
fi
grep -q ':Debug:src/api/api_routes.c:[0-9]*\] The API server received a PUT request on "/actions"' \
	"$WORK/firecracker.log" && pass "current guide: the Debug log went to ./firecracker.log" ||
	fail "log: $(head -3 "$WORK/firecracker.log")"
finish
