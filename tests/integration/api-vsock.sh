#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Firecracker's vsock through the front ends: PUT /vsock before boot (bad bodies refused with
# a fault naming the key), GET /vm/config shows it, the guest reads its CID and echoes a host
# connection made with CONNECT; the config file's "vsock" section does the same.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
require_curl
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
S=$TEST_TMP/v.sock

start_api || finish
expect_fault PUT /vsock '{"guest_cid": 2, "uds_path": "/tmp/x"}' "guest_cid 2 refused" "guest_cid"
expect_fault PUT /vsock '{"guest_cid": 4294967295, "uds_path": "/tmp/x"}' "guest_cid 2^32-1 refused" "guest_cid"
expect_fault PUT /vsock '{"guest_cid": 3}' "uds_path required" "missing required key 'uds_path'"
expect_fault PUT /vsock '{"guest_cid": "3", "uds_path": "/tmp/x"}' "guest_cid as a string" "guest_cid"
expect_fault PUT /vsock '{"guest_cid": 3, "uds_path": "/tmp/x", "port": 1}' "unknown key" "unknown key 'port'"
expect PUT /vsock "{\"vsock_id\": \"vsock0\", \"guest_cid\": 5, \"uds_path\": \"$S\"}" 204 "PUT /vsock"
expect GET /vm/config - 200 "vm/config shows the vsock" \
	"\"vsock\":\\{\"guest_cid\":5,\"uds_path\":\"$S\",\"vsock_id\":\"vsock0\"\\}"
expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"expect_cid=5 vsock_listen=1234\"}" 204 "boot source"
expect PUT /actions '{"action_type": "InstanceStart"}' 204 "InstanceStart"
expect PUT /vsock "{\"guest_cid\": 6, \"uds_path\": \"$S\"}" 400 "PUT /vsock after boot refused"
python3 - "$S" <<'PY' && pass "host CONNECT 1234: OK and an echo" || fail "host side of the echo"
import socket, sys, time
deadline = time.time() + 60
while True:
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(60)
    try:
        s.connect(sys.argv[1])
        s.sendall(b"CONNECT 1234\n")
        line = s.recv(32)
    except OSError:
        line = b""
    if line.startswith(b"OK ") or time.time() > deadline:
        break
    s.close()
    time.sleep(0.2)
assert line.startswith(b"OK "), line
s.sendall(b"ping\n")
s.shutdown(socket.SHUT_WR)
got = b""
while True:
    b = s.recv(100)
    if not b:
        break
    got += b
assert got == b"ping\n", got
PY
wait_api 60
expect_rc 0 "guest passes"
expect_stdout '^ok vsock-cid: guest_cid 5' "guest reads the CID from PUT /vsock"
expect_stdout '^ok vsock-echo: 5 bytes echoed' "guest echoed the host's bytes"

# The config file's "vsock" section.
cat >"$TEST_TMP/vm.json" <<JSON
{
  "boot-source": { "kernel_image_path": "$REFGUEST", "boot_args": "expect_cid=7" },
  "vsock": { "guest_cid": 7, "uds_path": "$TEST_TMP/w.sock" }
}
JSON
run_millivm --config-file "$TEST_TMP/vm.json" --no-api
expect_rc 0 "config file with a vsock section boots"
expect_stdout '^ok vsock-cid: guest_cid 7' "guest reads the CID from the config file"
[ -S "$TEST_TMP/w.sock" ] && pass "the config file's uds_path is a socket" || fail "no socket at uds_path"
sed -i 's/"guest_cid": 7/"guest_cid": 1/' "$TEST_TMP/vm.json"
run_millivm --config-file "$TEST_TMP/vm.json" --no-api
if [ "$rc" -eq 1 ] && grep -q "vsock.*guest_cid" "$err"; then pass "config file guest_cid 1 refused: $(cat "$err")"
else fail "guest_cid 1 in the config file: exit $rc: $(cat "$err")"; fi

finish
