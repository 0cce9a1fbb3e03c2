#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Firecracker's network interfaces through the API and the config file: PUT
# /network-interfaces/{iface_id} before boot (validation, rate limiters null or refused,
# GET /vm/config exporting them), PATCH after boot refused (no rate limiters); then, as root
# with a tap in a network namespace made here, the guest boots with the interface and its
# MAC, from the API and from a config file, and a missing tap is one clear error.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
require_curl
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

# --- before boot: validation, needs no tap ------------------------------------------------
start_api --id net_vm || finish
expect GET / - 200 "instance info shows --id" '^\{"id":"net_vm",'
net='{"iface_id": "eth0", "host_dev_name": "mtap0", "guest_mac": "02:00:00:aa:bb:cc"}'
expect PUT /network-interfaces/eth0 "$net" 204 "network interface"
expect PUT /network-interfaces/eth0 "$net" 204 "the same interface again (update)"
expect PUT /network-interfaces/eth1 \
	'{"iface_id": "eth1", "host_dev_name": "mtap1", "rx_rate_limiter": null, "tx_rate_limiter": null}' \
	204 "null rate limiters and no guest_mac are accepted"
expect GET /vm/config - 200 "vm/config exports the interfaces" \
	'"network-interfaces":\[\{"iface_id":"eth0","host_dev_name":"mtap0","guest_mac":"02:00:00:aa:bb:cc","rx_rate_limiter":null,"tx_rate_limiter":null\},\{"iface_id":"eth1","host_dev_name":"mtap1","guest_mac":null'
expect_fault PUT /network-interfaces/eth2 \
	'{"iface_id": "eth2", "host_dev_name": "t2", "rx_rate_limiter": {"bandwidth": {"size": 1000, "refill_time": 100}}}' \
	"an rx rate limiter" "'rx_rate_limiter' is not supported by millivm \\(no rate limiters\\)"
expect_fault PUT /network-interfaces/eth2 \
	'{"iface_id": "eth2", "host_dev_name": "t2", "tx_rate_limiter": {"ops": {"size": 1, "refill_time": 100}}}' \
	"a tx rate limiter" "'tx_rate_limiter' is not supported"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth2", "host_dev_name": "t2", "guest_mac": "01:00:00:00:00:01"}' \
	"a multicast guest_mac" "'guest_mac': MAC '01:00:00:00:00:01': multicast"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth2", "host_dev_name": "t2", "guest_mac": "zz"}' \
	"a malformed guest_mac" "use six hex bytes"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth3", "host_dev_name": "t2"}' \
	"iface_id differs from the path" "differs from the path's"
expect_fault PUT /network-interfaces/bad-id '{}' "invalid iface id in the path" "Invalid iface id"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth2"}' "no host_dev_name" \
	"missing required key 'host_dev_name'"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth2", "host_dev_name": "t2", "mtu": 9000}' \
	"unknown key" "unknown key 'mtu'"
expect_fault PUT /network-interfaces/eth2 '{"iface_id": "eth2", "host_dev_name": "mtap0"}' \
	"a tap used twice" "host_dev_name 'mtap0' is already used by 'eth0'"
expect PUT /network-interfaces/eth2 '{"iface_id": "eth2", "host_dev_name": "t2"}' 204 "third interface"
expect PUT /network-interfaces/eth3 '{"iface_id": "eth3", "host_dev_name": "t3"}' 204 "fourth interface"
expect_fault PUT /network-interfaces/eth4 '{"iface_id": "eth4", "host_dev_name": "t4"}' \
	"a fifth interface" "at most 4 network interfaces"
expect_fault PATCH /network-interfaces/eth0 '{"iface_id": "eth0"}' "PATCH before boot" \
	"not supported before starting"
expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"quiet\"}" 204 \
	"boot-source"
# Without the taps, InstanceStart names the missing one.
expect_fault PUT /actions '{"action_type": "InstanceStart"}' "InstanceStart without the tap" \
	"tap 'mtap0': no such interface"
kill -9 "$MV_PID" 2>/dev/null
wait "$MV_PID" 2>/dev/null
MV_PID=

# --- with a tap: boot, PATCH refused after boot, config file -------------------------------
if [ "$(id -u)" -ne 0 ] || [ ! -c /dev/net/tun ] || ! command -v ip >/dev/null; then
	echo "SKIP: booting with a tap needs root, /dev/net/tun and iproute2"
	finish
fi
ns=millivm-apinet-$$
ip netns add "$ns" || { echo "SKIP: cannot create a network namespace"; finish; }
trap '[ -n "$MV_PID" ] && kill -9 "$MV_PID" 2>/dev/null; ip netns del "$ns"; rm -rf "$TEST_TMP"' EXIT
ip netns exec "$ns" ip tuntap add dev mtap0 mode tap
ip netns exec "$ns" ip addr add 10.77.0.1/24 dev mtap0
ip netns exec "$ns" ip link set mtap0 up
MILLIVM_PLAIN=$MILLIVM
printf '#!/bin/sh\nexec ip netns exec %s %s "$@"\n' "$ns" "$(realpath "$MILLIVM_PLAIN")" >"$TEST_TMP/in-ns"
chmod +x "$TEST_TMP/in-ns"
MILLIVM=$TEST_TMP/in-ns
start_api || finish
guest_args="quiet net_ip=10.77.0.2 net_gw=10.77.0.1 expect_mac=02:00:00:aa:bb:cc spin=3000"
expect PUT /network-interfaces/eth0 "$net" 204 "interface on the namespace's tap"
expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"$guest_args\"}" \
	204 "boot-source with the network checks"
expect PUT /actions '{"action_type": "InstanceStart"}' 204 "InstanceStart with a tap"
expect_fault PATCH /network-interfaces/eth0 \
	'{"iface_id": "eth0", "rx_rate_limiter": {"bandwidth": {"size": 1, "refill_time": 1}}}' \
	"PATCH after boot" "PATCH only updates rate limiters, which millivm does not support"
wait_api 90
expect_rc 0 "guest booted through the API passed its network checks (MAC, ARP, ping)"

cat >"$TEST_TMP/vm.json" <<EOF
{
  "boot-source": {"kernel_image_path": "$REFGUEST",
                  "boot_args": "net_ip=10.77.0.2 net_gw=10.77.0.1 expect_mac=06:00:ac:10:00:02"},
  "network-interfaces": [{"iface_id": "net1", "host_dev_name": "mtap0",
                          "guest_mac": "06:00:AC:10:00:02", "rx_rate_limiter": null}]
}
EOF
out=$TEST_TMP/stdout err=$TEST_TMP/stderr
ip netns exec "$ns" timeout 60 "$MILLIVM_PLAIN" --config-file "$TEST_TMP/vm.json" --no-api \
	</dev/null >"$out" 2>"$err"
rc=$?
expect_rc 0 "config file with network-interfaces: guest passes"
expect_stdout '^ok net-mac: MAC 06:00:ac:10:00:02 as expected' "config file: guest_mac reaches the guest"
expect_stdout '^ok net-ping: ' "config file: the guest pings the tap's host end"
sed -i 's/"mtap0"/"nosuch0"/' "$TEST_TMP/vm.json"
ip netns exec "$ns" timeout 60 "$MILLIVM_PLAIN" --config-file "$TEST_TMP/vm.json" --no-api \
	</dev/null >"$out" 2>"$err"
rc=$?
[ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -q "tap 'nosuch0': no such interface" "$err" &&
	pass "config file with a missing tap: $(cat "$err")" || fail "missing tap: exit $rc, $(cat "$err")"
finish
