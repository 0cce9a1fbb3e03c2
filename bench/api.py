#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""API benchmark (not a test): how soon millivm's API socket answers after the process
starts, in wall and CPU time (Firecracker's specification: <= 8 CPU ms), and how long
PUT /actions InstanceStart takes to reach the guest's first instruction. Each run: spawn
`millivm --api-sock S --timeline-json T`, connect as soon as the socket exists, configure
the reference guest (quiet, 128 MiB) over HTTP and start it. Prints medians and p90s.

Measures, per run:
  socket_wall   spawn -> first successful connect(), seen by this client
  api_ready     main() -> listen(), millivm's own timeline
  startup_cpu   CPU used by the process up to listen() (CLOCK_PROCESS_CPUTIME_ID, reported
                as metrics' api_server.process_startup_time_cpu_us; includes exec and ld.so)
  sched_cpu     the same seen from outside: /proc/PID/task/*/schedstat at the first connect
  start_rtt     InstanceStart request -> 204 (the 204 is sent once the vCPUs run)
  start_entry   instance_start -> guest_entry, millivm's timeline (first KVM_RUN)
  start_exit    instance_start -> guest_exit (the reference guest's whole run)

usage: bench/api.py [-n RUNS]
"""
import argparse
import json
import os
import socket
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def sched_cpu_ms(pid):
    """On-CPU time of every thread of pid so far (ns resolution, from schedstat)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total / 1e6


def request(sock, method, path, body=None):
    data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    sock.sendall(head.encode() + b"\r\n" + data)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            raise RuntimeError(f"{method} {path}: connection closed")
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    while len(rest) < length:
        rest += sock.recv(65536)
    if status >= 300:
        raise RuntimeError(f"{method} {path}: {status} {rest.decode()}")
    return status, rest


def one_run(millivm, kernel, tmp):
    sock_path = os.path.join(tmp, "api.sock")
    tl_path = os.path.join(tmp, "tl.json")
    metrics_path = os.path.join(tmp, "metrics")
    for p in (sock_path, tl_path):
        if os.path.exists(p):
            os.unlink(p)
    open(metrics_path, "w").close()
    devnull = os.open(os.devnull, os.O_RDWR)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1),
               (os.POSIX_SPAWN_DUP2, devnull, 2)]
    argv = [millivm, "--api-sock", sock_path, "--timeline-json", tl_path]
    t0 = time.perf_counter()
    pid = os.posix_spawn(millivm, argv, os.environ, file_actions=actions)
    os.close(devnull)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    while True:  # spin: connect() fails until listen()
        try:
            s.connect(sock_path)
            break
        except (FileNotFoundError, ConnectionRefusedError):
            if time.perf_counter() - t0 > 5:
                raise RuntimeError("no API socket after 5 s")
    socket_wall = (time.perf_counter() - t0) * 1000
    sched = sched_cpu_ms(pid)
    s.settimeout(10)
    request(s, "PUT", "/metrics", {"metrics_path": metrics_path})
    request(s, "PUT", "/actions", {"action_type": "FlushMetrics"})
    with open(metrics_path) as f:
        m = json.loads(f.readline())["api_server"]
    request(s, "PUT", "/boot-source", {"kernel_image_path": kernel,
                                       "boot_args": "quiet expect_mem=128M"})
    request(s, "PUT", "/machine-config", {"vcpu_count": 1, "mem_size_mib": 128})
    t1 = time.perf_counter()
    request(s, "PUT", "/actions", {"action_type": "InstanceStart"})
    start_rtt = (time.perf_counter() - t1) * 1000
    s.close()
    _, status = os.waitpid(pid, 0)
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"millivm exited with {code}")
    with open(tl_path) as f:
        tl = json.load(f)
    return {
        "socket_wall": socket_wall,
        "api_ready": tl["api_ready"],
        "startup_cpu": m["process_startup_time_cpu_us"] / 1000,
        "sched_cpu": sched,
        "start_rtt": start_rtt,
        "start_entry": tl["guest_entry"] - tl["instance_start"],
        "start_exit": tl["guest_exit"] - tl["instance_start"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=30)
    args = ap.parse_args()
    if args.runs < 20:
        sys.exit("bench/api.py: use at least 20 runs for medians worth quoting")
    millivm = os.path.join(BUILD, "millivm")
    kernel = os.path.join(BUILD, "refguest.elf")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        one_run(millivm, kernel, tmp)  # warm-up: page cache, KVM module state
        for _ in range(args.runs):
            rows.append(one_run(millivm, kernel, tmp))
    print(f"API benchmark: {args.runs} runs, reference guest quiet, 128 MiB, 1 vCPU")
    print(f"{'':14}{'median ms':>10}{'p90 ms':>9}  what")
    what = {
        "socket_wall": "spawn -> first connect() (client's clock)",
        "api_ready": "main() -> listen() (millivm's timeline)",
        "startup_cpu": "CPU until listen() (process_startup_time_cpu_us)",
        "sched_cpu": "CPU at first connect() (/proc schedstat, all threads)",
        "start_rtt": "InstanceStart request -> 204",
        "start_entry": "InstanceStart -> guest entry (first KVM_RUN)",
        "start_exit": "InstanceStart -> guest exit",
    }
    for key, text in what.items():
        vals = [r[key] for r in rows]
        print(f"{key:14}{statistics.median(vals):10.3f}{percentile(vals, 90):9.3f}  {text}")
    cpu = statistics.median([r["startup_cpu"] for r in rows])
    print(f"Firecracker's specification: API ready within 8 CPU ms; millivm: {cpu:.2f} CPU ms "
          f"(median)")


if __name__ == "__main__":
    main()
