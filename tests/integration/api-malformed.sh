#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Malformed and hostile API clients, from raw Python sockets (a client independent of
# curl): truncated, oversized, chunked, length-less, pipelined, byte-at-a-time and stalled
# requests, bad JSON, wrong types, unknown fields, wrong methods, too many connections, a
# client that never reads. After each, the server must still answer, and at the end the
# guest must boot and finish while a stalled client holds a connection.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

start_api || finish
python3 - "$API_SOCK" "$REFGUEST" <<'PY'
import json, socket, sys, time

SOCK, KERNEL = sys.argv[1], sys.argv[2]
failures = 0

def ok(cond, what, detail=""):
    global failures
    if cond:
        print("PASS: " + what)
    else:
        failures += 1
        print("FAIL: %s %s" % (what, detail))
    sys.stdout.flush()

class Conn:
    """A client connection that keeps what it read past one response."""
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(10)
        self.s.connect(SOCK)
        self.buf = b""

    def _fill(self):
        chunk = self.s.recv(65536)
        self.buf += chunk
        return bool(chunk)

    def response(self):
        """(status, headers, body) of the next response; None if closed before one."""
        while b"\r\n\r\n" not in self.buf:
            if not self._fill():
                return None
        head, rest = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        n = int(headers.get("content-length", "0"))
        self.buf = rest
        while len(self.buf) < n:
            if not self._fill():
                break
        body, self.buf = self.buf[:n], self.buf[n:]
        return status, headers, body

    def __getattr__(self, name):
        return getattr(self.s, name)

def connect():
    return Conn()

def read_response(c):
    return c.response()

def exchange(raw, close_write=False):
    s = connect()
    s.sendall(raw)
    if close_write:
        s.shutdown(socket.SHUT_WR)
    r = read_response(s)
    s.close()
    return r

def fault(r):
    try:
        return json.loads(r[2])["fault_message"]
    except Exception:
        return None

def req(method, path, body=None, extra=""):
    b = b"" if body is None else body.encode()
    head = "%s %s HTTP/1.1\r\nHost: localhost\r\n%s" % (method, path, extra)
    if body is not None:
        head += "Content-Length: %d\r\n" % len(b)
    return head.encode() + b"\r\n" + b

def alive(what):
    r = exchange(req("GET", "/"))
    ok(r is not None and r[0] == 200, "server still answers after " + what)

def expect_status(raw, status, words, what, close_write=False):
    r = exchange(raw, close_write)
    got = r[0] if r else None
    msg = fault(r) if r else None
    ok(got == status and (words is None or (msg and words in msg)),
       "%s -> %s" % (what, got), "(wanted %d with '%s', got %r %r)" % (status, words, got, msg))
    return r

# --- framing ------------------------------------------------------------------------------
expect_status(b"GET / HTTP/1.1\r\nHost: x\r\n", 400, "truncated request",
              "truncated head, then the client shuts its side", close_write=True)
expect_status(req("PUT", "/machine-config")[:-2] + b"Content-Length: 40\r\n\r\n{\"vcpu_count\"", 400,
              "truncated request", "truncated body", close_write=True)
expect_status(b"GET / HTTP/1.1\r\n" + b"X-Big: " + b"a" * 9000 + b"\r\n\r\n", 431, "8192",
              "a 9 KB head")
expect_status(b"PUT /machine-config HTTP/1.1\r\nContent-Length: 100000\r\n\r\n", 413, "limit",
              "a 100 KB Content-Length, refused before the body is sent")
big = json.dumps({"kernel_image_path": KERNEL, "boot_args": "a" * 60000})
expect_status(req("PUT", "/boot-source", big), 413, None, "a 60 KB body")
expect_status(b"PUT /actions HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
              b"1f\r\n{\"action_type\": \"FlushMetrics\"}\r\n0\r\n\r\n", 501, "Content-Length",
              "a chunked body")
expect_status(b"GET / HTTP/1.1\nHost: x\n\n", 400, "bare LF", "LF-only line ends")
expect_status(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "header name", "space before a colon")
expect_status(b"GET / HTTP/2.0\r\n\r\n", 505, "not supported", "HTTP/2.0")
expect_status(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 40, 400, None,
              "a TLS ClientHello")
hdrs = "".join("X-H%d: v\r\n" % i for i in range(40))
expect_status(req("GET", "/", extra=hdrs), 431, "header fields", "40 headers")
expect_status(req("GET", "/", extra="Expect: 200-ok\r\n"), 417, "100-continue", "an unknown Expect")
alive("the framing errors")

# No Content-Length: the request has no body; the would-be body is the next "request".
s = connect()
s.sendall(b"PUT /actions HTTP/1.1\r\nHost: x\r\n\r\n{\"action_type\": \"FlushMetrics\"}\r\n\r\n")
r1 = read_response(s)
r2 = read_response(s)
s.close()
ok(r1 and r1[0] == 400 and "Empty PUT request" in (fault(r1) or ""),
   "no Content-Length: the PUT has no body -> 400 Empty PUT request", r1)
ok(r2 and r2[0] == 400, "the stray body is then a malformed request -> 400", r2)

# --- content ------------------------------------------------------------------------------
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": 1, "), 400, "invalid JSON",
              "bad JSON")
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": \"1\", \"mem_size_mib\": 128}"),
              400, "must be an integer, not a string", "a string for an integer")
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 128, "
                  "\"vcpu_count\": 2}"), 400, "duplicate", "a duplicate key")
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 128, "
                  "\"hugepages\": \"None\"}"), 400, "unknown key 'hugepages'", "an unknown field")
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": 1e400, \"mem_size_mib\": 128}"),
              400, None, "an out-of-range number")
expect_status(req("PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 128}\x00"),
              400, "invalid JSON", "a NUL after the JSON")
expect_status(req("PUT", "/boot-source", "\"just a string\""), 400, "invalid JSON",
              "a JSON string body")
expect_status(req("DELETE", "/machine-config"), 400, "Invalid request method", "DELETE")
expect_status(req("HEAD", "/"), 400, "Invalid request method", "HEAD")
expect_status(req("OPTIONS", "/"), 400, "Invalid request method", "OPTIONS")
expect_status(req("put", "/machine-config", "{}"), 400, "Invalid request method",
              "a lower-case method")
expect_status(req("GET", "/machine-config/"), 400, "Invalid request method and/or path",
              "a trailing slash")
expect_status(req("GET", "/" + "a" * 2000), 414, None, "a 2000-byte path")
r = exchange(req("GET", "http://localhost/machine-config"))
ok(r and r[0] == 200, "an absolute-form target is served")
r = exchange(req("GET", "/machine-config?x=1"))
ok(r and r[0] == 200, "a query string is ignored")
alive("the content errors")

# --- connection handling ------------------------------------------------------------------
# Pipelining: three requests in one write, answered in order on one connection.
s = connect()
s.sendall(req("GET", "/version") + req("PATCH", "/machine-config", "{\"vcpu_count\": 1}") +
          req("GET", "/machine-config"))
got = []
for _ in range(3):
    r = read_response(s)
    got.append(r[0] if r else None)
s.close()
ok(got == [200, 204, 200], "three pipelined requests answered in order", got)

# Byte at a time, within the timeout.
s = connect()
for b in req("GET", "/machine-config"):
    s.send(bytes([b]))
    time.sleep(0.001)
r = read_response(s)
s.close()
ok(r and r[0] == 200, "a request sent one byte at a time")

# Keep-alive: many requests on one connection; HTTP/1.0 closes after one.
s = connect()
codes = []
for _ in range(50):
    s.sendall(req("GET", "/"))
    r = read_response(s)
    codes.append(r[0] if r else None)
s.close()
ok(codes == [200] * 50, "50 requests on one keep-alive connection")
s = connect()
s.sendall(b"GET / HTTP/1.0\r\n\r\n")
r = read_response(s)
ok(r and r[0] == 200 and r[1].get("connection") == "close" and not s._fill(),
   "HTTP/1.0: answered, then closed")
s.close()

# Expect: 100-continue gets the interim response before the body is sent.
s = connect()
body = b"{\"vcpu_count\": 1, \"mem_size_mib\": 128}"
s.sendall(b"PUT /machine-config HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: %d\r\n\r\n" % len(body))
while b"\r\n\r\n" not in s.buf:
    s._fill()
interim, s.buf = s.buf, b""
s.sendall(body)
r = read_response(s)
s.close()
ok(interim.startswith(b"HTTP/1.1 100 Continue\r\n\r\n") and r and r[0] == 204,
   "Expect: 100-continue", (interim, r))

# A stalled client gets 408 after the timeout and does not block others meanwhile.
stalled = connect()
stalled.sendall(b"PUT /machine-config HTTP/1.1\r\nContent-Length: 50\r\n\r\n{\"vcpu")
t0 = time.time()
r = exchange(req("GET", "/"))
ok(r and r[0] == 200 and time.time() - t0 < 1, "another client is served while one stalls")
stalled.settimeout(15)
r = read_response(stalled)
waited = time.time() - t0
ok(r and r[0] == 408 and 4 <= waited <= 10, "the stalled request gets 408 after ~5 s",
   (r and r[0], waited))
stalled.close()

# More clients than slots: idle ones are evicted, the new one is served.
idle = [connect() for _ in range(12)]
time.sleep(0.2)
r = exchange(req("GET", "/"))
ok(r and r[0] == 200, "a 13th client is served while 12 idle ones are connected")
for c in idle:
    c.close()

# A client that never reads its responses: the server stops reading it, then drops it.
hog = connect()
hog.settimeout(2)
sent = 0
try:
    for _ in range(20000):
        hog.send(req("GET", "/vm/config"))
        sent += 1
except (socket.timeout, BlockingIOError, BrokenPipeError, ConnectionResetError):
    pass
r = exchange(req("GET", "/"))
ok(r and r[0] == 200, "a client that never reads does not stall the server (%d requests queued)" % sent)
hog.close()

# Garbage at full speed on several connections.
import random
random.seed(7)
for i in range(30):
    s = connect()
    try:
        s.sendall(bytes(random.getrandbits(8) for _ in range(random.randint(1, 3000))))
        s.shutdown(socket.SHUT_WR)
        s.recv(4096)
    except OSError:
        pass
    s.close()
alive("30 connections of random bytes")

# --- finally the guest boots, with a stalled client still connected ------------------------
stalled = connect()
stalled.sendall(b"PUT /actions HTTP/1.1\r\nContent-Length: 500\r\n\r\n{")
boot = json.dumps({"kernel_image_path": KERNEL, "boot_args": "quiet expect_mem=128M"})
r = exchange(req("PUT", "/boot-source", boot))
ok(r and r[0] == 204, "boot-source")
r = exchange(req("PUT", "/machine-config", "{\"vcpu_count\": 1, \"mem_size_mib\": 128}"))
ok(r and r[0] == 204, "machine-config")
r = exchange(req("PUT", "/actions", "{\"action_type\": \"InstanceStart\"}"))
ok(r and r[0] == 204, "InstanceStart while a stalled client holds a connection")
sys.exit(1 if failures else 0)
PY
[ $? -eq 0 ] || test_failures=$((test_failures + 1))
wait_api 30
expect_rc 0 "the guest ran and ended normally"
grep -q "^millivm-refguest: PASS" "$mv_out" && pass "guest verdict" || fail "stdout: $(cat "$mv_out")"
finish
