#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The Firecracker REST API through curl: every endpoint before and after InstanceStart,
# every error status with its fault_message, the endpoints millivm does not implement, the
# logger and metrics files, SendCtrlAltDel, and pause/resume of a running guest (the
# vCPUs must stop using CPU while paused and the guest must finish after the resume).
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
require_curl
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

DISK=$TEST_TMP/root.img
LOG=$TEST_TMP/fc.log
METRICS=$TEST_TMP/fc.metrics
truncate -s 1M "$DISK"
: >"$LOG"
: >"$METRICS"

start_api || finish

# --- before boot: the GETs and the defaults --------------------------------------------
expect GET / - 200 "instance info before boot" \
	'^\{"id":"anonymous-instance","state":"Not started","vmm_version":"[0-9.]+","app_name":"millivm"\}$'
expect GET /version - 200 "version" '^\{"firecracker_version":"[0-9.]+"\}$'
expect GET /machine-config - 200 "machine-config defaults are Firecracker's" \
	'"vcpu_count":1,"mem_size_mib":128,"smt":false,"track_dirty_pages":false'
expect GET /vm/config - 200 "vm/config before any PUT" '"drives":\[\],"boot-source":null'

# --- boot-source ------------------------------------------------------------------------
expect_fault PUT /boot-source '{}' "boot-source without a kernel" "missing required key 'kernel_image_path'"
expect_fault PUT /boot-source '{"kernel_image_path": "/nonexistent/vmlinux"}' \
	"a kernel that does not exist is refused at PUT time" "cannot be opened: No such file"
expect_fault PUT /boot-source '{"kernel_image_path": 42}' "wrong type" "must be a string, not an integer"
expect_fault PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"bootargs\": \"x\"}" \
	"unknown field" "unknown key 'bootargs'"
expect_fault PUT /boot-source '{"kernel_image_path": "/k",' "bad JSON" "invalid JSON at line 1"
expect_fault PUT /boot-source '["kernel_image_path"]' "an array body" "must be an object, not an array"
expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"quiet\"}" 204 \
	"boot-source"
# Replaced by the next PUT (the whole object: boot_args comes from this one).
expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"quiet expect_mem=256M expect_cpus=2 virtio_blk=rw spin=5000\"}" \
	204 "boot-source again (replaces)"

# --- machine-config ---------------------------------------------------------------------
expect PUT /machine-config '{"vcpu_count": 2, "mem_size_mib": 512}' 204 "machine-config PUT"
expect PATCH /machine-config '{"mem_size_mib": 256}' 204 "machine-config PATCH"
expect GET /machine-config - 200 "PATCH kept vcpu_count" '"vcpu_count":2,"mem_size_mib":256'
expect_fault PUT /machine-config '{"vcpu_count": 2}' "PUT needs mem_size_mib" "missing required key 'mem_size_mib'"
expect_fault PUT /machine-config '{"vcpu_count": 0, "mem_size_mib": 128}' "vcpu_count 0" "'vcpu_count' is 0"
expect_fault PATCH /machine-config '{"vcpu_count": "2"}' "vcpu_count as a string" "must be an integer, not a string"
expect_fault PATCH /machine-config '{"smt": true}' "smt" "'smt' true is not supported"
expect_fault PATCH /machine-config '{"cpu_template": "T2"}' "CPU template" "'cpu_template' is \\\\\"T2\\\\\""
expect GET /machine-config - 200 "failed updates changed nothing" '"vcpu_count":2,"mem_size_mib":256'

# --- drives -----------------------------------------------------------------------------
root_drive="{\"drive_id\": \"rootfs\", \"path_on_host\": \"$DISK\", \"is_root_device\": true, \"is_read_only\": false}"
expect PUT /drives/rootfs "$root_drive" 204 "root drive"
expect PUT /drives/rootfs "$root_drive" 204 "the same drive again (update)"
expect_fault PUT /drives/other "$root_drive" "drive_id differs from the path" "differs from the path's"
expect_fault PUT /drives/bad-id '{}' "invalid drive id in the path" "Invalid drive id"
expect_fault PUT /drives/d2 "{\"drive_id\": \"d2\", \"path_on_host\": \"$TEST_TMP/none.img\", \"is_root_device\": false}" \
	"a missing drive file" "cannot be opened read-write"
expect_fault PUT /drives/d2 "{\"drive_id\": \"d2\", \"path_on_host\": \"$DISK\", \"is_root_device\": true}" \
	"a second root device" "already the root device"
expect_fault PUT /drives/d2 "{\"drive_id\": \"d2\", \"path_on_host\": \"$DISK\", \"is_root_device\": false, \"rate_limiter\": {\"ops\": {\"size\": 1, \"refill_time\": 100}}}" \
	"rate limiters" "'rate_limiter' is not supported"
expect_fault PATCH /drives/rootfs '{"drive_id": "rootfs"}' "PATCH /drives before boot" \
	"not supported before starting"

# --- entropy, logger, metrics -----------------------------------------------------------
expect PUT /entropy '{}' 204 "entropy"
expect_fault PUT /entropy '{"rate_limiter": {}}' "entropy with a rate limiter" "not supported"
expect_fault PUT /logger "{\"log_path\": \"$TEST_TMP/nolog\"}" "a log file that does not exist" \
	"no such file"
[ ! -e "$TEST_TMP/nolog" ] && pass "the missing log file was not created" || fail "log file created"
expect_fault PUT /logger "{\"log_path\": \"$LOG\", \"level\": \"Loud\"}" "bad log level" "'level' is"
expect PUT /logger "{\"log_path\": \"$LOG\", \"level\": \"Debug\", \"show_level\": true, \"show_log_origin\": true}" \
	204 "logger"
expect_fault PUT /actions '{"action_type": "FlushMetrics"}' "FlushMetrics before PUT /metrics" "not configured"
expect PUT /metrics "{\"metrics_path\": \"$METRICS\"}" 204 "metrics"
expect_fault PUT /metrics "{\"metrics_path\": \"$METRICS\"}" "metrics a second time" "already configured"
expect PUT /actions '{"action_type": "FlushMetrics"}' 204 "FlushMetrics before boot"

# --- actions and state changes that need a running VM -----------------------------------
expect_fault PUT /actions '{"action_type": "SendCtrlAltDel"}' "SendCtrlAltDel before boot" "not supported before starting"
expect_fault PATCH /vm '{"state": "Paused"}' "pause before boot" "not supported before starting"
expect_fault PUT /actions '{"action_type": "Reboot"}' "unknown action" "must be one of InstanceStart, SendCtrlAltDel, FlushMetrics"
expect_fault PUT /actions '{"action": "InstanceStart"}' "unknown key in actions" "unknown key 'action'"
expect_fault PUT /actions '{"action_type": 1}' "action_type as a number" "must be a string"

# --- what millivm does not implement, and what does not exist ---------------------------
for p in /balloon /balloon/statistics /mmds /mmds/config \
	/snapshot/create /snapshot/load /cpu-config /serial /pmem/p0 /hotplug/memory; do
	expect_fault PUT "$p" '{}' "not implemented: $p" "is not supported by millivm"
done
expect_fault GET /balloon - "GET of an unimplemented resource" "is not supported by millivm"
expect_fault GET /nope - "unknown path" "Invalid request method and/or path: GET /nope"
expect_fault GET /actions - "GET on a PUT-only path" "Invalid request method and/or path: GET /actions"
expect_fault POST /actions '{"action_type": "InstanceStart"}' "POST" "Invalid request method and/or path: POST /actions"
expect_fault DELETE /drives/rootfs - "DELETE" "Invalid request method and/or path: DELETE"
expect_fault PUT /actions - "PUT without a body" "Empty PUT request"
expect_fault PATCH /vm - "PATCH without a body" "Empty PATCH request"
code=$(curl -s -o "$TEST_TMP/resp" -w '%{http_code}' --unix-socket "$API_SOCK" -X GET \
	--data '{}' http://localhost/machine-config)
[ "$code" = 400 ] && grep -q "GET request cannot have a body" "$TEST_TMP/resp" &&
	pass "GET with a body is refused" || fail "GET with a body: $code $(cat "$TEST_TMP/resp")"

expect GET /vm/config - 200 "vm/config shows everything configured" \
	"\"drive_id\":\"rootfs\".*\"boot-source\":\\{\"kernel_image_path\":\"$REFGUEST\".*\"machine-config\":\\{\"vcpu_count\":2,\"mem_size_mib\":256.*\"entropy\":\\{"

# --- InstanceStart ----------------------------------------------------------------------
expect PUT /actions '{"action_type": "InstanceStart"}' 204 "InstanceStart"
expect GET / - 200 "instance runs" '"state":"Running"'
expect_fault PUT /actions '{"action_type": "InstanceStart"}' "a second InstanceStart" "not supported after starting"
expect_fault PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\"}" "boot-source after boot" "not supported after starting"
expect_fault PUT /machine-config '{"vcpu_count": 1, "mem_size_mib": 128}' "machine-config after boot" "not supported after starting"
expect_fault PATCH /machine-config '{"vcpu_count": 1}' "machine-config PATCH after boot" "not supported after starting"
expect_fault PUT /drives/rootfs "$root_drive" "drives after boot" "not supported after starting"
expect_fault PUT /entropy '{}' "entropy after boot" "not supported after starting"
expect_fault PUT /logger "{\"log_path\": \"$LOG\"}" "logger after boot" "not supported after starting"
expect_fault PUT /metrics "{\"metrics_path\": \"$METRICS\"}" "metrics after boot" "not supported after starting"
expect GET /machine-config - 200 "GET /machine-config after boot" '"vcpu_count":2'
expect PATCH /drives/rootfs '{"drive_id": "rootfs"}' 204 "PATCH /drives with nothing to change"
expect PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$DISK\"}" 204 \
	"path_on_host after boot: the image is reopened (api-drive-swap.sh swaps it)"
expect_fault PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$TEST_TMP/none.img\"}" \
	"a new backing file that does not exist" "cannot be opened read-write: No such file"
expect_fault PATCH /drives/nope '{"drive_id": "nope"}' "PATCH of an unknown drive" "drive 'nope' does not exist"
expect PUT /actions '{"action_type": "SendCtrlAltDel"}' 204 "SendCtrlAltDel (queued for the i8042)"

# --- pause and resume while the guest spins ---------------------------------------------
sleep 0.3 # the guest is in its spin=5000 loop by now
expect PATCH /vm '{"state": "Paused"}' 204 "pause a running guest"
expect GET / - 200 "instance info says Paused" '"state":"Paused"'
t0=$(cpu_ticks "$MV_PID")
sleep 1
t1=$(cpu_ticks "$MV_PID")
[ $((t1 - t0)) -le 3 ] && pass "paused: $((t1 - t0)) CPU ticks in 1 s (the vCPUs are parked)" ||
	fail "paused but $((t1 - t0)) CPU ticks in 1 s"
grep -q "millivm-refguest" "$mv_out" && fail "the guest finished while paused" ||
	pass "the guest did not finish while paused"
expect PATCH /vm '{"state": "Paused"}' 204 "pausing again is harmless"
expect_fault PATCH /vm '{"state": "Stopped"}' "an unknown state" "must be one of Paused, Resumed"
expect_fault PATCH /vm '{"state": "Paused", "now": true}' "an unknown key in /vm" "unknown key 'now'"
expect PATCH /vm '{"state": "Resumed"}' 204 "resume"
expect GET / - 200 "instance info says Running" '"state":"Running"'
t0=$(cpu_ticks "$MV_PID")
sleep 1
t1=$(cpu_ticks "$MV_PID")
# A busy host may give the vCPU only part of a CPU: 10% is already far from the 0 above.
[ $((t1 - t0)) -ge 10 ] && pass "resumed: the guest spins again ($((t1 - t0)) ticks in 1 s)" ||
	fail "resumed but only $((t1 - t0)) CPU ticks in 1 s"
expect PATCH /vm '{"state": "Resumed"}' 204 "resuming a running VM is harmless"
expect PUT /actions '{"action_type": "FlushMetrics"}' 204 "FlushMetrics while running"

wait_api 30
expect_rc 0 "the guest passes its checks (2 vCPUs, 256 MiB, the API's disk) and exits 0"
grep -q '^millivm-refguest: PASS' "$mv_out" && pass "verdict line" || fail "stdout: $(cat "$mv_out")"
[ ! -e "$API_SOCK" ] && pass "the socket is removed at exit" || fail "socket left behind"

python3 - "$METRICS" <<'PY' && pass "metrics: JSON lines; requests, failures, exits, pause latency" || fail "metrics: $(tail -c 600 "$METRICS")"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert len(lines) >= 3, len(lines)   # before boot, while running, at exit
total = lambda sec, key: sum(l[sec][key] for l in lines)
assert total("put_api_requests", "boot_source_count") >= 7
assert total("put_api_requests", "boot_source_fails") >= 5
assert total("put_api_requests", "drive_fails") >= 4
assert total("patch_api_requests", "vm_count") >= 4
assert total("get_api_requests", "instance_info_count") >= 3
assert total("vcpu", "exit_io_out") > 0
assert max(l["latencies_us"]["pause_vm"] for l in lines) > 0
# the guest's virtio_blk=rw: one 8-sector write, a flush, one 8-sector read back
# (the drive's own section appears once the device exists; "block", the sum, is always there)
disk = {k: sum(l.get("block_rootfs", {}).get(k, 0) for l in lines) for k in lines[-1]["block"]}
assert (disk["write_count"], disk["write_bytes"], disk["flush_count"]) == (1, 4096, 1), disk
assert (disk["read_count"], disk["read_bytes"]) == (1, 4096), disk
assert (disk["invalid_reqs_count"], disk["execute_fails"]) == (0, 0), disk
assert (disk["update_count"], disk["update_fails"]) == (1, 1), disk
assert total("block", "write_bytes") == 4096
# counters are deltas since the previous line, as Firecracker's
assert lines[-1]["put_api_requests"]["boot_source_count"] == 0
b = lines[-1]["boot"]
assert b["api_ready_us"] > 0 and b["instance_start_us"] > b["api_ready_us"]
assert b["guest_entry_us"] > b["instance_start_us"]
PY
grep -qE '\[anonymous-instance:fc_api:Debug:src/api/api_routes\.c:[0-9]+\] The API server received a PUT request on "/actions"' "$LOG" &&
	pass "logger: Debug lines with level and origin" || fail "log: $(head -3 "$LOG")"
grep -q ':Warning:.*API request failed: .*already configured' "$LOG" && pass "logger: failed requests at Warning" ||
	fail "no warning lines in the log"
grep -q 'The microVM was paused' "$LOG" && pass "logger: pause recorded" || fail "no pause line"

# --- a start that fails after the hand-over: 400 with the loader's reason, then exit 1 ---
echo "not an ELF file" >"$TEST_TMP/bogus-kernel"
start_api || finish
expect PUT /boot-source "{\"kernel_image_path\": \"$TEST_TMP/bogus-kernel\"}" 204 "a readable file that is no kernel"
expect_fault PUT /actions '{"action_type": "InstanceStart"}' "InstanceStart of a non-ELF kernel" "bogus-kernel"
wait_api 10
expect_rc 1 "millivm ends with status 1 after a failed start"
[ ! -e "$API_SOCK" ] && pass "the socket is removed after a failed start" || fail "socket left behind"
finish
