#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# A second, independent client: Python's http.client over a Unix socket, the way SDKs talk
# to Firecracker (one keep-alive connection for the whole flow). It configures and boots
# the reference guest, pauses and resumes it, reads metrics from a named pipe (with no
# reader at first: nothing may block), and checks every response's framing.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

mkfifo "$TEST_TMP/metrics.fifo"
truncate -s 1M "$TEST_TMP/disk.img"
start_api --timeline-json "$TEST_TMP/tl.json" || finish
python3 - "$API_SOCK" "$REFGUEST" "$TEST_TMP/metrics.fifo" "$TEST_TMP/disk.img" <<'PY'
import http.client, json, os, socket, sys, time

SOCK, KERNEL, FIFO, DISK = sys.argv[1:5]
failures = 0

def ok(cond, what, detail=""):
    global failures
    print(("PASS: " if cond else "FAIL: ") + what + ("" if cond else " " + repr(detail)))
    sys.stdout.flush()
    failures += 0 if cond else 1

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(self.path)

conn = UnixHTTPConnection(SOCK)

def call(method, path, body=None):
    data = None if body is None else json.dumps(body)
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=data, headers=headers)
    r = conn.getresponse()
    raw = r.read()
    length = r.getheader("Content-Length")
    if r.status == 204:
        ok(length is None and raw == b"", "%s %s: 204 without a body" % (method, path))
    else:
        ok(length is not None and int(length) == len(raw) and
           r.getheader("Content-Type") == "application/json",
           "%s %s: Content-Length and Content-Type right" % (method, path))
    return r.status, (json.loads(raw) if raw else None)

st, info = call("GET", "/")
ok(st == 200 and info["state"] == "Not started" and set(info) == {"id", "state", "vmm_version", "app_name"},
   "GET / has InstanceInfo's required fields", info)
st, ver = call("GET", "/version")
ok(st == 200 and "firecracker_version" in ver, "GET /version", ver)

# Metrics to a FIFO nobody reads yet: the PUT and the flush must not block.
t0 = time.time()
st, _ = call("PUT", "/metrics", {"metrics_path": FIFO})
ok(st == 204, "PUT /metrics to a named pipe without a reader")
st, _ = call("PUT", "/actions", {"action_type": "FlushMetrics"})
ok(st == 204 and time.time() - t0 < 2, "FlushMetrics into the pipe does not block")

st, _ = call("PUT", "/boot-source", {"kernel_image_path": KERNEL,
                                     "boot_args": "quiet expect_mem=64M virtio_blk=rw spin=3000"})
ok(st == 204, "PUT /boot-source")
st, _ = call("PUT", "/machine-config", {"vcpu_count": 1, "mem_size_mib": 64})
ok(st == 204, "PUT /machine-config")
st, _ = call("PUT", "/drives/scratch", {"drive_id": "scratch", "path_on_host": DISK,
                                        "is_root_device": False, "is_read_only": False,
                                        "io_engine": "Sync", "cache_type": "Writeback"})
ok(st == 204, "PUT /drives/scratch (not the root device)")
st, cfg = call("GET", "/vm/config")
ok(st == 200 and cfg["machine-config"]["mem_size_mib"] == 64 and
   cfg["drives"][0]["drive_id"] == "scratch" and cfg["drives"][0]["io_engine"] == "Sync" and
   cfg["metrics"] == {"metrics_path": FIFO},
   "GET /vm/config reflects the PUTs", cfg)
st, err = call("PUT", "/drives/scratch", {"drive_id": "scratch", "path_on_host": DISK,
                                          "is_root_device": "no"})
ok(st == 400 and "must be true or false" in err["fault_message"], "a wrong type, same connection", err)

t0 = time.time()
st, _ = call("PUT", "/actions", {"action_type": "InstanceStart"})
ok(st == 204, "InstanceStart (%.1f ms round trip)" % ((time.time() - t0) * 1000))
time.sleep(0.2)
st, _ = call("PATCH", "/vm", {"state": "Paused"})
ok(st == 204, "PATCH /vm Paused")
st, info = call("GET", "/")
ok(info["state"] == "Paused", "state Paused", info)
time.sleep(0.3)
st, _ = call("PATCH", "/vm", {"state": "Resumed"})
ok(st == 204, "PATCH /vm Resumed")
st, info = call("GET", "/")
ok(info["state"] == "Running", "state Running", info)
st, _ = call("PUT", "/actions", {"action_type": "FlushMetrics"})
ok(st == 204, "FlushMetrics while running")

# Now read the pipe: the lines queued while nobody read are all there, whole.
fd = os.open(FIFO, os.O_RDONLY | os.O_NONBLOCK)
time.sleep(0.1)
data = b""
while True:
    try:
        chunk = os.read(fd, 65536)
    except BlockingIOError:
        break
    if not chunk:
        break
    data += chunk
os.close(fd)
lines = [json.loads(l) for l in data.decode().splitlines()]
ok(len(lines) == 2, "two metrics lines waited in the pipe", len(lines))
if len(lines) == 2:
    ok(lines[0]["put_api_requests"]["metrics_count"] == 1 and
       lines[1]["put_api_requests"]["boot_source_count"] == 1 and
       lines[1]["patch_api_requests"]["vm_count"] == 2 and
       lines[1]["latencies_us"]["pause_vm"] > 0 and lines[1]["vcpu"]["exit_io_out"] > 0,
       "metrics count this client's requests and the guest's exits", lines[1])
conn.close()
sys.exit(1 if failures else 0)
PY
[ $? -eq 0 ] || test_failures=$((test_failures + 1))
wait_api 30
expect_rc 0 "the guest wrote and read back its disk and passed"
python3 - "$TEST_TMP/tl.json" <<'PY' && pass "timeline: api_ready < instance_start < guest_entry" || fail "timeline: $(cat "$TEST_TMP/tl.json")"
import json, sys
t = json.load(open(sys.argv[1]))
assert 0 < t["api_ready"] < t["instance_start"] < t["kvm_ready"] < t["guest_entry"] < t["guest_exit"], t
PY
finish
