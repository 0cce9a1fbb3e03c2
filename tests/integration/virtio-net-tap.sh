#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# virtio-net on a tap device: in a network namespace made here, the reference guest ARPs for
# and pings the host end of the tap, and echoes UDP datagrams a host client sends to port 7;
# a raw AF_PACKET capture on the tap sees frames both ways with the configured MAC. Again
# with net_csum_offload: the echoes leave the tap CHECKSUM_PARTIAL (the capture's auxdata says
# TP_STATUS_CSUMNOTREADY, the UDP checksum field holds the pseudo-header sum) and the host's
# socket still gets them. Then the guest (offload too) under QEMU microvm as a second opinion
# on its driver, a generated MAC (stable across runs and per --id, locally administered), and
# bad input: a missing tap, a busy one, bad MACs, unknown keys, too many interfaces.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
[ "$(id -u)" -eq 0 ] || skip_all "needs root (network namespace and tap device)"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
command -v ip >/dev/null || skip_all "iproute2 (ip) not installed"
command -v python3 >/dev/null || skip_all "python3 needed for the host side"

ns=millivm-net-$$
ip netns add "$ns" || skip_all "cannot create a network namespace"
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT
in_ns() { ip netns exec "$ns" "$@"; }
in_ns ip link set lo up
in_ns ip tuntap add dev mtap0 mode tap
in_ns ip addr add 10.77.0.1/24 dev mtap0
in_ns ip link set mtap0 up
mac=02:00:00:aa:bb:cc

export PYTHONPATH=$(cd "$(dirname "$0")/../lib" && pwd) # udp_echo.py
# host.py: capture on the tap, run millivm, send 3 datagrams to 10.77.0.2:7, check echoes.
cat >"$TEST_TMP/host.py" <<'PY'
import socket, struct, sys, time
import udp_echo  # tests/lib, on PYTHONPATH
mac_text, out_path, err_path = sys.argv[1], sys.argv[2], sys.argv[3]
mac = bytes(int(x, 16) for x in mac_text.split(":"))
cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
cap.setsockopt(263, 8, 1)  # SOL_PACKET, PACKET_AUXDATA: the skb's checksum state per frame
cap.bind(("mtap0", 0))
cap.setblocking(False)
vm = udp_echo.start_vm(sys.argv[4:], out_path, err_path)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.bind(("10.77.0.1", 0))
udp.settimeout(2)
messages = [b"millivm-echo-%d-%s" % (i, b"x" * (40 + i)) for i in range(3)]
echoed = udp_echo.echo_all(vm, udp, ("10.77.0.2", 7), messages, 30)
print("echoes %d" % echoed)
rc = udp_echo.wait_vm(vm)
print("rc %d" % rc)
def fold(s):
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return s
from_guest = to_guest = echo_frames = partial = pseudo_only = 0
while True:
    try:
        f, anc, _, _ = cap.recvmsg(65536, socket.CMSG_SPACE(20))
    except BlockingIOError:
        break
    status = 0
    for level, kind, data in anc:
        if level == 263 and kind == 8:  # struct tpacket_auxdata: tp_status first
            status = struct.unpack_from("I", data)[0]
    if f[6:12] == mac:
        from_guest += 1
        # IPv4, UDP, source port 7: an echo, with our MAC as its source
        if f[12:14] == b"\x08\x00" and f[23] == 17 and f[34:36] == b"\x00\x07":
            echo_frames += 1
            partial += bool(status & 8)  # TP_STATUS_CSUMNOTREADY: CHECKSUM_PARTIAL
            # what Linux leaves there for CHECKSUM_PARTIAL: addresses + protocol + length
            ph = fold(sum(struct.unpack(">4H", f[26:34])) + 17 + struct.unpack(">H", f[38:40])[0])
            pseudo_only += struct.unpack(">H", f[40:42])[0] == ph
    if f[0:6] == mac:
        to_guest += 1
print("frames from-guest %d to-guest %d echo %d" % (from_guest, to_guest, echo_frames))
print("echo-csum partial %d pseudo-only %d" % (partial, pseudo_only))
PY

summary=$TEST_TMP/summary
out=$TEST_TMP/stdout err=$TEST_TMP/stderr
in_ns python3 "$TEST_TMP/host.py" "$mac" "$out" "$err" timeout 150 "$MILLIVM" -k "$REFGUEST" \
	--net "tap=mtap0,mac=$mac" \
	-a "net_ip=10.77.0.2 net_gw=10.77.0.1 expect_mac=$mac net_udp_echo=3" >"$summary"
rc=$(sed -n 's/^rc //p' "$summary")
rc=${rc:-255}
expect_rc 0 "reference guest passes on the tap"
expect_stdout "^ok net-mac: MAC $mac as expected" "guest reads the configured MAC"
expect_stdout '^ok net-arp: 10\.77\.0\.1 is at ' "guest's ARP for the host end answered"
expect_stdout '^ok net-ping: echo reply from 10\.77\.0\.1' "guest's ping answered"
expect_stdout '^ok net-udp-echo: [0-9]+ datagrams echoed' "guest echoed the datagrams"
grep -q '^echoes 3$' "$summary" && pass "host got its 3 datagrams back from 10.77.0.2:7" ||
	fail "host echoes: $(grep echoes "$summary")"
read -r _ _ from _ to _ echo < <(grep '^frames' "$summary") || true
[ "${from:-0}" -ge 5 ] && [ "${echo:-0}" -ge 3 ] &&
	pass "capture: $from frames with source $mac, $echo of them UDP echoes" ||
	fail "capture: from-guest ${from:-?} echo ${echo:-?} ($(cat "$summary"))"
[ "${to:-0}" -ge 5 ] && pass "capture: $to frames to $mac" || fail "capture: to-guest ${to:-?}"
grep -q '^echo-csum partial 0 pseudo-only 0$' "$summary" &&
	pass "without net_csum_offload no echo leaves the tap with a partial checksum" ||
	fail "without net_csum_offload: $(grep echo-csum "$summary")"

# Checksum offload: VIRTIO_NET_F_CSUM negotiated, the echoes sent with NEEDS_CSUM.
in_ns python3 "$TEST_TMP/host.py" "$mac" "$out" "$err" timeout 150 "$MILLIVM" -k "$REFGUEST" \
	--net "tap=mtap0,mac=$mac" \
	-a "net_ip=10.77.0.2 net_gw=10.77.0.1 net_udp_echo=3 net_csum_offload" >"$summary"
rc=$(sed -n 's/^rc //p' "$summary")
rc=${rc:-255}
expect_rc 0 "reference guest passes on the tap with net_csum_offload"
expect_stdout '^ok net-udp-echo: 3 datagrams echoed, UDP checksums offloaded' \
	"guest echoed 3 datagrams leaving their UDP checksums to the device"
expect_stdout '^ok net-csum-offload: VIRTIO_NET_F_CSUM negotiated, 3 echoes sent with NEEDS_CSUM' \
	"guest negotiated VIRTIO_NET_F_CSUM and the device took the NEEDS_CSUM echoes"
grep -q '^echoes 3$' "$summary" && pass "host socket got the 3 offloaded echoes intact" ||
	fail "offloaded echoes: $(grep echoes "$summary")"
read -r _ _ partial _ pseudo < <(grep '^echo-csum' "$summary") || true
read -r _ _ _ _ _ _ echo < <(grep '^frames' "$summary") || true
[ "${echo:-0}" -ge 3 ] && [ "${partial:-0}" -eq "$echo" ] &&
	pass "capture: all $echo echo frames TP_STATUS_CSUMNOTREADY (CHECKSUM_PARTIAL from the tap)" ||
	fail "capture: ${partial:-?} of ${echo:-?} echo frames CSUMNOTREADY ($(cat "$summary"))"
[ "${echo:-0}" -ge 3 ] && [ "${pseudo:-0}" -eq "$echo" ] &&
	pass "capture: their UDP checksum fields hold the pseudo-header sum only" ||
	fail "capture: ${pseudo:-?} of ${echo:-?} echo frames with the pseudo-header sum"

# A second opinion on the guest's driver: QEMU microvm's virtio-net-device on the same tap,
# with the offloaded echoes too.
if command -v qemu-system-x86_64 >/dev/null; then
	out=$TEST_TMP/qemu.out
	in_ns python3 "$TEST_TMP/host.py" 02:00:00:aa:bb:dd "$out" "$TEST_TMP/qemu.err" \
		timeout 120 qemu-system-x86_64 -M microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off \
		-enable-kvm -cpu host,-arch-capabilities,+invtsc -nodefaults -no-user-config \
		-nographic -no-reboot -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=4 -m 256M \
		-global virtio-mmio.force-legacy=false \
		-netdev tap,id=n0,ifname=mtap0,script=no,downscript=no \
		-device "virtio-net-device,netdev=n0,mac=02:00:00:aa:bb:dd" -kernel "$REFGUEST" \
		-append "net_ip=10.77.0.2 net_gw=10.77.0.1 expect_mac=02:00:00:aa:bb:dd net_udp_echo=3 net_csum_offload" \
		>"$summary"
	rc=$(sed -n 's/^rc //p' "$summary")
	# Only the network checks count: QEMU's MP table and memory map differ from millivm's by
	# design, so the guest's exit status is not 0 there (see virtio-qemu.sh).
	grep -aq '^ok net-mac: MAC 02:00:00:aa:bb:dd as expected' "$out" &&
		grep -aq '^ok net-arp: 10.77.0.1 is at' "$out" &&
		grep -aq '^ok net-ping: echo reply from 10.77.0.1' "$out" &&
		pass "the guest's driver also works on QEMU microvm's virtio-net-device" ||
		fail "under QEMU (exit $rc): $(grep -a '^FAIL\|^ok net\|^ok virtio' "$out" | tr '\n' ' ')"
	read -r _ _ partial _ pseudo < <(grep '^echo-csum' "$summary") || true
	grep -aq '^ok net-csum-offload: VIRTIO_NET_F_CSUM negotiated, 3 echoes' "$out" &&
		grep -q '^echoes 3$' "$summary" && [ "${partial:-0}" -ge 3 ] &&
		pass "QEMU's device takes the guest's NEEDS_CSUM echoes the same way (${partial} partial)" ||
		fail "offload under QEMU: $(grep -a 'csum\|udp-echo' "$out" | tr '\n' ' ') $(cat "$summary")"
else
	echo "SKIP: qemu-system-x86_64 not installed: no second opinion on the guest's driver"
fi

# Generated MACs: locally administered unicast, the same on every run, following --id.
generated_mac() { # millivm options...
	run_millivm_ns -k "$REFGUEST" "$@" -a "net_ip=10.77.0.2 net_gw=10.77.0.1"
	sed -n 's/^ok net-mac: MAC \([0-9a-f:]*\).*/\1/p' "$out"
}
run_millivm_ns() {
	out=$TEST_TMP/stdout err=$TEST_TMP/stderr
	in_ns timeout 60 "$MILLIVM" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}
m1=$(generated_mac --net tap=mtap0)
m2=$(generated_mac --net tap=mtap0)
m3=$(generated_mac --id vm-a --net tap=mtap0)
m4=$(generated_mac --id vm-a --net tap=mtap0)
m5=$(generated_mac --id vm-b --net tap=mtap0)
[ -n "$m1" ] && [ "$m1" = "$m2" ] && pass "generated MAC $m1 is stable across runs" ||
	fail "generated MAC: '$m1' then '$m2'"
first=$((0x${m1%%:*}))
[ -n "$m1" ] && [ $((first & 3)) -eq 2 ] && pass "generated MAC is locally administered unicast" ||
	fail "generated MAC $m1: first byte 0x${m1%%:*}"
[ -n "$m3" ] && [ "$m3" = "$m4" ] && [ "$m3" != "$m5" ] && [ "$m3" != "$m1" ] &&
	pass "with --id: $m3 stable, another id gives $m5" ||
	fail "--id MACs: vm-a '$m3' '$m4', vm-b '$m5', none '$m1'"

# Bad input: one line naming the input, exit 1.
expect_error() { # pattern description
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -qE -- "$1" "$err"; then
		pass "$2"
	else
		fail "$2: exit $rc, stderr: $(head -3 "$err")"
	fi
}
run_millivm_ns -k "$REFGUEST" --net tap=nosuch0
expect_error "tap 'nosuch0': no such interface" "missing tap: one line naming it"
in_ns python3 -c '
import fcntl, os, struct, sys, time
fd = os.open("/dev/net/tun", os.O_RDWR)
fcntl.ioctl(fd, 0x400454ca, struct.pack("16sH22x", b"mtap0", 0x0002 | 0x1000))
sys.stdout.write("held\n"); sys.stdout.flush(); time.sleep(30)' >"$TEST_TMP/hold" &
holder=$!
for _ in $(seq 50); do grep -q held "$TEST_TMP/hold" && break; sleep 0.1; done
run_millivm_ns -k "$REFGUEST" --net tap=mtap0
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
expect_error "tap 'mtap0': busy" "tap held by another process: one line saying busy"
run_millivm -k "$REFGUEST" --net tap=mtap0,mac=03:00:00:00:00:01
expect_error "MAC '03:00:00:00:00:01': multicast" "multicast MAC refused"
run_millivm -k "$REFGUEST" --net tap=mtap0,mac=02:00:00:00:0g:01
expect_error "MAC '02:00:00:00:0g:01': use six hex bytes" "bad hex MAC refused"
run_millivm -k "$REFGUEST" --net tap=mtap0,mac=02:00:00:00:00
expect_error "MAC '02:00:00:00:00': use six hex bytes" "short MAC refused"
run_millivm -k "$REFGUEST" --net tap=mtap0,speed=10
expect_error "unknown option 'speed=10'" "unknown key refused"
run_millivm -k "$REFGUEST" --net bridge=br0
expect_error "--net 'bridge=br0': use tap=NAME" "unknown backend refused"
run_millivm -k "$REFGUEST" --net tap=a --net tap=b --net tap=c --net tap=d --net tap=e
expect_error "more than 4 interfaces" "a fifth interface refused"
finish
