#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""vsock benchmark (not a test): round-trip latency (median and p90 of many small echoes) and
echo throughput between a host process and the reference guest's vsock_listen echo, under
millivm (Firecracker's hybrid socket: CONNECT on a Unix socket) beside QEMU microvm with
vhost-vsock (AF_VSOCK from the host), launches interleaved round-robin. The guest's
instructions are emulated on this host, so both columns measure mostly the guest; the ratio
is what to read.

QEMU's vsock needs the host kernel's vhost-vsock (/dev/vhost-vsock); without it the QEMU column
is reported as unavailable, with the reason, rather than made up.

usage: bench/vsock.py [-n ROUNDS] [--pings N] [--size KIB] [--no-qemu]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
from qemu_microvm import microvm_argv  # bench/, beside this script
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
PORT = 1234
CID = 42


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def connect_hybrid(path):
    """Firecracker's protocol: CONNECT <port>, wait for OK (retry while the guest boots)."""
    deadline = time.time() + 60
    while time.time() < deadline:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(30)
        try:
            s.connect(path)
            s.sendall(b"CONNECT %d\n" % PORT)
            line = b""
            while not line.endswith(b"\n"):
                c = s.recv(1)
                if not c:
                    break
                line += c
            if line.startswith(b"OK "):
                return s
        except OSError:
            pass
        s.close()
        time.sleep(0.1)
    raise RuntimeError("no OK from the guest on " + path)


def connect_vsock(cid):
    deadline = time.time() + 60
    while time.time() < deadline:
        s = socket.socket(socket.AF_VSOCK, socket.SOCK_STREAM)
        s.settimeout(30)
        try:
            s.connect((cid, PORT))
            return s
        except OSError:
            s.close()
            time.sleep(0.1)
    raise RuntimeError("no vsock connection to cid %d" % cid)


def recv_exact(s, n):
    got = b""
    while len(got) < n:
        b = s.recv(n - len(got))
        if not b:
            raise RuntimeError("connection closed")
        got += b
    return got


def measure(s, pings, size_kib):
    """(round-trip seconds list, MiB/s of echo) on a connected socket; then half-close."""
    msg = b"x" * 16
    rtts = []
    for _ in range(pings):
        t = time.perf_counter()
        s.sendall(msg)
        recv_exact(s, len(msg))
        rtts.append(time.perf_counter() - t)
    data = os.urandom(size_kib * 1024)
    got = bytearray()

    def reader():
        while len(got) < len(data):
            b = s.recv(65536)
            if not b:
                break
            got.extend(b)
    t = time.perf_counter()
    th = threading.Thread(target=reader)
    th.start()
    s.sendall(data)
    th.join(120)
    elapsed = time.perf_counter() - t
    if bytes(got) != data:
        raise RuntimeError("echo mismatch: %d of %d bytes" % (len(got), len(data)))
    s.shutdown(socket.SHUT_WR)
    while s.recv(4096):
        pass
    s.close()
    return rtts, len(data) / elapsed / (1 << 20)


def qemu_argv(kernel, append):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None, "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"
    if not os.path.exists("/dev/vhost-vsock"):
        return None, ("no /dev/vhost-vsock on this host: QEMU's vsock device is vhost-vsock "
                      "(the kernel's vhost_vsock module), so there is nothing to compare with")
    # virtio: the guest finds the device through the command-line token, as under millivm
    return microvm_argv(qemu, "256M", kernel, append, virtio=True, serial="null",
                        devices=["-device", "vhost-vsock-device,guest-cid=%d" % CID]), None


def run_once(name, argv, connect, pings, size_kib):
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    try:
        s = connect()
        return measure(s, pings, size_kib)
    finally:
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=3, help="VM launches per contender")
    ap.add_argument("--pings", type=int, default=200, help="16-byte echoes per launch")
    ap.add_argument("--size", type=int, default=1024, help="KiB echoed for throughput")
    ap.add_argument("--no-qemu", action="store_true")
    args = ap.parse_args()
    guest = os.path.join(BUILD, "refguest.elf")
    millivm = os.path.join(BUILD, "millivm")
    append = "quiet vsock_listen=%d" % PORT
    tmp = tempfile.mkdtemp(prefix="millivm-vsock-bench.")
    uds = os.path.join(tmp, "v.sock")
    contenders = {
        "millivm": ([millivm, "-k", guest, "--vsock", "cid=%d,uds=%s" % (CID, uds), "-a", append],
                    lambda: connect_hybrid(uds)),
    }
    if not args.no_qemu:
        q, why = qemu_argv(guest, append)
        if q:
            contenders["qemu-microvm"] = (q, lambda: connect_vsock(CID))
        else:
            print("qemu-microvm: unavailable: " + why)
    rtts = {k: [] for k in contenders}
    tput = {k: [] for k in contenders}
    for _ in range(args.n):
        for name, (argv, connect) in contenders.items():
            r, mbs = run_once(name, argv, connect, args.pings, args.size)
            rtts[name] += r
            tput[name].append(mbs)
    print(f"vsock echo through the reference guest: {args.n} launch(es), {args.pings} "
          f"16-byte round trips and {args.size} KiB echoed per launch")
    print(f"{'':14} {'rtt median':>11} {'rtt p90':>9} {'echo MiB/s (median)':>20}")
    for name in contenders:
        print(f"{name:14} {statistics.median(rtts[name]) * 1e6:9.0f}us "
              f"{percentile(rtts[name], 90) * 1e6:7.0f}us {statistics.median(tput[name]):20.2f}")
    if "qemu-microvm" in contenders:
        m, q = "millivm", "qemu-microvm"
        print(f"qemu-microvm / millivm: rtt {statistics.median(rtts[q]) / statistics.median(rtts[m]):.2f}x, "
              f"throughput {statistics.median(tput[m]) / statistics.median(tput[q]):.2f}x")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
