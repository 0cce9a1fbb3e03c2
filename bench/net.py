#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""virtio-net benchmark (not a test): UDP round-trip latency (median of many 64-byte echoes,
one at a time) and echo throughput (1400-byte datagrams, a window of them in flight, bounded
by the guest's receive ring) between the host and the reference guest's UDP echo on port 7
(net_udp_echo=, guest/README.md), under millivm and under QEMU microvm with
virtio-net-device on the same backend, interleaved round-robin in one run. Prints medians
and the ratios.

Backends (BACKENDS below): "tap" (a tap in a network namespace made here; needs root),
"user" (user-mode networking through libslirp: millivm --net user, QEMU -netdev user, the
host sending to a hostfwd=udp forward on 127.0.0.1) and "passt" (QEMU only: QEMU microvm on a
passt process, Debian's `passt`, for the same forward; the measured side of choosing libslirp,
docs/net-user.md). A backend is a recipe: the millivm and QEMU arguments, the guest's
addresses, and where the host sends its datagrams.

The whole script runs inside the namespace (it re-executes itself with ip netns exec).

usage: bench/net.py [-n ROUNDS] [--echoes 300] [--datagrams 3000] [--window 6]
                    [--backend tap|user|passt] [--millivm PATH] [--no-qemu]
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
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
GUEST_MEM = "256M"
MAC = "02:00:00:aa:bb:cc"
TAP = "mnetb0"
FWD_PORT = 5555  # the user-mode forward, on 127.0.0.1 inside the benchmark's namespace
PASST_SOCK = os.path.join(tempfile.gettempdir(), f"millivm-netbench-passt-{os.getpid()}.sock")

# name -> recipe. millivm/qemu: extra arguments; guest: its command-line words; target: where
# the host sends; setup(ns): run as root outside the namespace before the run (None: nothing).
BACKENDS = {
    "tap": {
        "millivm": ["--net", f"tap={TAP},mac={MAC}"],
        "qemu": ["-netdev", f"tap,id=n0,ifname={TAP},script=no,downscript=no",
                 "-device", f"virtio-net-device,netdev=n0,mac={MAC}"],
        "guest": "net_ip=10.77.0.2 net_gw=10.77.0.1",
        "target": ("10.77.0.2", 7),
        "bind": ("10.77.0.1", 0),
    },
    "user": {
        "millivm": ["--net", f"user,hostfwd=udp:127.0.0.1:{FWD_PORT}-:7"],
        "qemu": ["-netdev", f"user,id=n0,hostfwd=udp:127.0.0.1:{FWD_PORT}-:7",
                 "-device", "virtio-net-device,netdev=n0"],
        "guest": "",  # slirp's defaults: 10.0.2.15, gateway 10.0.2.2
        "target": ("127.0.0.1", FWD_PORT),
        "bind": ("127.0.0.1", 0),
    },
    "passt": {  # QEMU only; passt runs as nobody when started as root
        "millivm": None,
        "helper": ["passt", "-f", "-1", "-4", "-s", PASST_SOCK, "-a", "10.0.2.15", "-n", "24",
                   "-g", "10.0.2.2", "-u", f"127.0.0.1/{FWD_PORT}:7", "-t", "none"],
        "qemu": ["-netdev", f"stream,id=n0,server=off,addr.type=unix,addr.path={PASST_SOCK}",
                 "-device", "virtio-net-device,netdev=n0"],
        "guest": "",
        "target": ("127.0.0.1", FWD_PORT),
        "bind": ("127.0.0.1", 0),
    },
}


def setup_namespace(ns):
    for cmd in (["ip", "netns", "add", ns],
                ["ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"],
                ["ip", "netns", "exec", ns, "ip", "tuntap", "add", "dev", TAP, "mode", "tap"],
                ["ip", "netns", "exec", ns, "ip", "addr", "add", "10.77.0.1/24", "dev", TAP],
                ["ip", "netns", "exec", ns, "ip", "link", "set", TAP, "up"],
                # passt starts only with a routable interface to copy its setup from
                ["ip", "netns", "exec", ns, "ip", "route", "add", "default", "dev", TAP]):
        subprocess.run(cmd, check=True)


def guest_cmdline(backend, count):
    return f"quiet {BACKENDS[backend]['guest']} net_udp_echo={count}"


def millivm_argv(args, backend, count):
    return ([args.millivm, "-k", args.guest, "-m", GUEST_MEM] + BACKENDS[backend]["millivm"] +
            ["-a", guest_cmdline(backend, count)])


def qemu_argv(args, backend, count):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    return microvm_argv(qemu, GUEST_MEM, args.guest, guest_cmdline(backend, count), virtio=True,
                        devices=BACKENDS[backend]["qemu"])


def wait_ready(sock, target, proc, limit=120.0):
    """Probe until the guest echoes (it boots, ARPs, pings its gateway meanwhile)."""
    end = time.monotonic() + limit
    sock.settimeout(0.2)
    while time.monotonic() < end:
        if proc.poll() is not None:
            sys.exit(f"bench/net.py: the VM exited ({proc.returncode}) before echoing:\n"
                     f"{proc.stdout.read().decode(errors='replace')}")
        sock.sendto(b"probe", target)
        try:
            while sock.recv(2048) != b"probe":
                pass
            return
        except socket.timeout:
            continue
    sys.exit("bench/net.py: no echo from the guest in 120 s")


def drain(sock):
    sock.settimeout(0.3)
    try:
        while True:
            sock.recv(65536)
    except socket.timeout:
        pass


def latency(sock, target, count):
    """Median round trip in microseconds of count 64-byte echoes, one at a time."""
    rtts = []
    sock.settimeout(1.0)
    for i in range(count):
        msg = b"%08d" % i + b"l" * 56
        t0 = time.perf_counter_ns()
        sock.sendto(msg, target)
        try:
            while sock.recv(2048) != msg:
                pass
        except socket.timeout:
            continue  # lost: not a sample
        rtts.append((time.perf_counter_ns() - t0) / 1e3)
    return statistics.median(rtts), len(rtts)


def throughput(sock, target, count, window):
    """(datagrams/s, MiB/s, lost) echoing count 1400-byte datagrams, window in flight."""
    payload = b"t" * 1400
    sent = received = lost = 0
    sock.settimeout(0.5)
    t0 = time.perf_counter()
    while received + lost < count:
        while sent < count and sent - received - lost < window:
            sock.sendto(payload, target)
            sent += 1
        try:
            if len(sock.recv(2048)) == len(payload):
                received += 1
        except socket.timeout:
            lost += sent - received - lost  # the window is gone: go on with a new one
    elapsed = time.perf_counter() - t0
    return received / elapsed, received * len(payload) / elapsed / (1 << 20), lost


def run_one(argv, args, backend):
    total = 1 + args.echoes + args.datagrams + 1000  # probes and losses: the guest goes on
    b = BACKENDS[backend]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind(b["bind"])
    helper = None
    if b.get("helper") and argv == qemu_argv:
        helper = subprocess.Popen(b["helper"], stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):  # its socket appears once it is ready
            if os.path.exists(PASST_SOCK):
                break
            time.sleep(0.01)
    proc = subprocess.Popen(argv(args, backend, total), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_ready(sock, b["target"], proc)
        drain(sock)
        rtt, samples = latency(sock, b["target"], args.echoes)
        drain(sock)
        dps, mibs, lost = throughput(sock, b["target"], args.datagrams, args.window)
    finally:
        proc.kill()
        proc.wait()
        if helper:
            helper.kill()
            helper.wait()
            if os.path.exists(PASST_SOCK):
                os.unlink(PASST_SOCK)
        sock.close()
    return {"rtt_us": rtt, "samples": samples, "dps": dps, "mibs": mibs, "lost": lost}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--rounds", type=int, default=5)
    ap.add_argument("--echoes", type=int, default=300, help="64-byte echoes per latency run")
    ap.add_argument("--datagrams", type=int, default=3000,
                    help="1400-byte datagrams per throughput run")
    ap.add_argument("--window", type=int, default=6,
                    help="datagrams in flight (the guest posts 8 receive buffers)")
    ap.add_argument("--backend", action="append", choices=sorted(BACKENDS),
                    help="backends to measure (repeatable; default: all)")
    ap.add_argument("--millivm", default=os.path.join(BUILD, "millivm"))
    ap.add_argument("--guest", default=os.path.join(BUILD, "refguest.elf"))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--inside", help=argparse.SUPPRESS)  # the namespace we were re-run in
    args = ap.parse_args()
    if args.rounds < 3:
        sys.exit("bench/net.py: use at least 3 rounds for medians worth quoting")
    args.millivm, args.guest = os.path.abspath(args.millivm), os.path.abspath(args.guest)

    if not args.inside:
        if os.geteuid() != 0:
            sys.exit("bench/net.py: needs root (a network namespace and a tap device)")
        ns = f"millivm-netbench-{os.getpid()}"
        setup_namespace(ns)
        try:
            argv = ["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__),
                    "--inside", ns] + sys.argv[1:]
            sys.exit(subprocess.run(argv).returncode)
        finally:
            subprocess.run(["ip", "netns", "del", ns])

    backends = args.backend or sorted(BACKENDS)
    contenders = {}
    for backend in backends:
        if BACKENDS[backend]["millivm"] is not None:
            contenders[f"millivm/{backend}"] = (millivm_argv, backend)
        if args.no_qemu:
            continue
        if "helper" in BACKENDS[backend] and not shutil.which(BACKENDS[backend]["helper"][0]):
            print(f"{BACKENDS[backend]['helper'][0]} not found: apt-get install "
                  f"{BACKENDS[backend]['helper'][0]}", file=sys.stderr)
            continue
        if not shutil.which("qemu-system-x86_64"):
            print("qemu-system-x86_64 not found: apt-get install qemu-system-x86",
                  file=sys.stderr)
            continue
        contenders[f"qemu-microvm/{backend}"] = (qemu_argv, backend)

    with open("/proc/loadavg") as f:
        load_before = f.read().split()[:3]
    names = list(contenders)
    results = {name: [] for name in names}
    for r in range(args.rounds):  # round-robin, starting one further each round
        for name in names[r % len(names):] + names[:r % len(names)]:
            argv, backend = contenders[name]
            results[name].append(run_one(argv, args, backend))
    with open("/proc/loadavg") as f:
        load_after = f.read().split()[:3]

    print(f"virtio-net benchmark: {args.rounds} rounds, interleaved; latency = median of "
          f"{args.echoes} x 64-byte UDP echoes one at a time; throughput = {args.datagrams} x "
          f"1400-byte datagrams, {args.window} in flight")
    print(f"load average {' '.join(load_before)} before, {' '.join(load_after)} after; "
          f"{os.cpu_count()} CPUs; guest: {args.guest}")
    print(f"\n  {'':22}{'RTT us':>9}{'datagrams/s':>13}{'MiB/s':>8}{'lost':>6}")
    medians = {}
    for name in names:
        rows = results[name]
        m = {k: statistics.median(row[k] for row in rows) for k in ("rtt_us", "dps", "mibs")}
        medians[name] = m
        print(f"  {name:22}{m['rtt_us']:9.0f}{m['dps']:13.0f}{m['mibs']:8.2f}"
              f"{sum(row['lost'] for row in rows):6d}")
    print("\nratios (millivm / QEMU; RTT < 1 and throughput > 1: millivm better):")
    for backend in backends:
        a, b = medians.get(f"millivm/{backend}"), medians.get(f"qemu-microvm/{backend}")
        if a and b:
            print(f"  {backend:8} RTT {a['rtt_us'] / b['rtt_us']:.2f}  "
                  f"datagrams/s {a['dps'] / b['dps']:.2f}  MiB/s {a['mibs'] / b['mibs']:.2f}")
    a, b = medians.get("qemu-microvm/passt"), medians.get("qemu-microvm/user")
    if a and b:
        print(f"  QEMU on passt / QEMU on libslirp: RTT {a['rtt_us'] / b['rtt_us']:.2f}  "
              f"datagrams/s {a['dps'] / b['dps']:.2f}")


if __name__ == "__main__":
    main()
