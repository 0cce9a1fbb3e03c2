#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The host side of tests/integration/virtio-vsock.sh: Firecracker's hybrid vsock protocol
through millivm's Unix socket. Prints PASS:/FAIL: lines; started before millivm, it waits for
the socket to appear.

  vsock_host.py PATH echo PORT      bad CONNECT lines (closed, no OK), CONNECT to PORT, then to PORT+1 where nobody listens (reset,
                                    no OK); 100 KiB both ways on PORT, half-close, EOF
  vsock_host.py PATH plain-echo PORT  the same without the bad lines
  vsock_host.py PATH stall PORT     CONNECT to PORT, send 1 MiB, never read
  --hello P (repeatable)            listen on PATH_P: read a line, answer "hello guest\\n"
  --sink P (repeatable)             listen on PATH_P: accept, never read
"""
import os
import socket
import sys
import threading
import time

TIMEOUT = 90


def say(ok, text):
    print(("PASS: " if ok else "FAIL: ") + text, flush=True)


def read_line(s, limit=64):
    line = b""
    while not line.endswith(b"\n") and len(line) < limit:
        c = s.recv(1)
        if not c:
            break
        line += c
    return line


def hello_listener(path, port):
    lsock = socket.socket(socket.AF_UNIX)
    lsock.bind("%s_%d" % (path, port))
    lsock.listen(4)

    def run():
        c, _ = lsock.accept()
        c.settimeout(TIMEOUT)
        line = read_line(c)
        say(line.startswith(b"hello from cid "),
            "guest-initiated connection reached %s_%d: %r" % (path, port, line))
        c.sendall(b"hello guest\n")
        rest = c.recv(100)
        say(rest == b"", "guest closed its connection to port %d (EOF)" % port)
    threading.Thread(target=run, daemon=True).start()


def sink_listener(path, port):
    lsock = socket.socket(socket.AF_UNIX)
    lsock.bind("%s_%d" % (path, port))
    lsock.listen(4)
    keep = []

    def run():
        while True:
            c, _ = lsock.accept()
            keep.append(c)  # never read
    threading.Thread(target=run, daemon=True).start()


def connect(path, port):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(TIMEOUT)
    try:
        s.connect(path)
        s.sendall(b"CONNECT %d\n" % port)
        return s, read_line(s)
    except (ConnectionRefusedError, ConnectionResetError):
        return s, b""  # not listening yet (bind comes before listen), or closed at once


def connect_when_listening(path, port):
    """The guest needs a moment to boot: until then its RST ends our attempts."""
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        s, line = connect(path, port)
        if line:
            return s, line
        s.close()
        time.sleep(0.2)
    return None, b""


def closed_without_ok(path, send, what):
    for _ in range(100):  # the socket file appears at bind(), connections work at listen()
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(TIMEOUT)
        try:
            s.connect(path)
            break
        except ConnectionRefusedError:
            s.close()
            time.sleep(0.05)
    try:
        if send:
            s.sendall(send)
        got = s.recv(64)
    except ConnectionResetError:
        got = b""  # closed with our bytes unread: a reset, still no OK
    except OSError as e:
        got = repr(e).encode()
    say(got == b"", "%s: closed by millivm, no OK (%r)" % (what, got))
    s.close()


def bad_lines(path):
    closed_without_ok(path, b"HELLO 1234\n", "a line that is not CONNECT")
    closed_without_ok(path, b"CONNECT 99999999999\n", "a port beyond 32 bits")
    closed_without_ok(path, b"CONNECT " + b"1" * 40, "a line longer than 32 bytes")
    closed_without_ok(path, b"CONNECT 12", "a line never finished (time limit)")


def echo(path, port, with_bad_lines=True):
    if with_bad_lines:
        bad_lines(path)
    s, line = connect_when_listening(path, port)
    ok = line.startswith(b"OK ") and line.endswith(b"\n") and line[3:-1].isdigit()
    say(ok, "CONNECT %d answered %r" % (port, line))
    if not ok:
        return
    # The guest is up and listening on port only: another port is reset (no OK).
    other, line = connect(path, port + 1)
    say(line == b"", "CONNECT to a port the guest does not listen on: closed, no OK (%r)" % line)
    other.close()
    data = os.urandom(100 * 1024)
    got = bytearray()

    def reader():
        while True:
            b = s.recv(65536)
            if not b:
                break
            got.extend(b)
    t = threading.Thread(target=reader)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)  # half-close: the guest finishes its echo, then closes
    t.join(TIMEOUT)
    say(not t.is_alive(), "host reads EOF after its half-close")
    say(bytes(got) == data, "100 KiB echoed intact (%d bytes back)" % len(got))


def stall(path, port):
    s, line = connect_when_listening(path, port)
    say(line.startswith(b"OK "), "CONNECT %d answered %r" % (port, line))

    def writer():
        try:
            s.sendall(os.urandom(1024 * 1024))
        except OSError:
            pass
    threading.Thread(target=writer, daemon=True).start()


def main():
    path, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    args = sys.argv[4:]
    while args:
        kind, p = args[0], int(args[1])
        (hello_listener if kind == "--hello" else sink_listener)(path, p)
        args = args[2:]
    print("ready", flush=True)
    deadline = time.time() + TIMEOUT
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.05)
    if mode == "echo":
        echo(path, port)
    elif mode == "plain-echo":
        echo(path, port, with_bad_lines=False)
    elif mode == "stall":
        stall(path, port)
    time.sleep(float(os.environ.get("VSOCK_HOST_LINGER", "0")))
    # Listener threads finish on their own; wait for millivm (the caller kills us after).
    while True:
        time.sleep(1)


main()
