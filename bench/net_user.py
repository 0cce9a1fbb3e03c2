#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""UDP through user-mode networking: millivm --net user beside QEMU microvm -netdev user.

Both run the reference guest with net_udp_echo (it echoes datagrams sent to its port 7) behind a
libslirp UDP forward (hostfwd=udp::PORT-:7); a host client on 127.0.0.1:PORT measures the
round-trip latency of one datagram at a time (median, p90) and the echo throughput with a few
datagrams in flight. The contenders alternate round by round in one run, so host load hits
both alike; ratios are millivm / QEMU (latency: lower is better; throughput: higher is).
Both sides use the same libslirp (Debian's), so the ratio is the device, its transport and
the threads around slirp. Guest instructions are emulated on some hosts (nested PVM): then
both figures are dominated by the guest's own frame handling.

With --passt, a third contender: QEMU microvm on passt (Debian's `passt` package, a separate
process QEMU talks to over a Unix socket with -netdev stream) for the same forward, the
measured side of choosing libslirp for millivm (docs/net-user.md).

usage: bench/net_user.py [--rounds N] [--rtt N] [--count N] [--size BYTES] [--window N]
                         [--millivm PATH] [--guest PATH] [--no-qemu] [--passt]
"""
import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

GUEST_MEM = "64M"
ECHOES = 1000000  # the guest echoes until killed (or 30 s without a datagram)


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def millivm_argv(args, port):
    return [args.millivm, "-k", args.guest, "-m", GUEST_MEM,
            "--net", f"user,hostfwd=udp:127.0.0.1:{port}-:7",
            "-a", f"quiet net_udp_echo={ECHOES}"]


def qemu_argv(args, port, netdev=None):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    netdev = netdev or f"user,id=n0,hostfwd=udp:127.0.0.1:{port}-:7"
    # tests/integration/virtio-qemu.sh's machine: modern virtio-mmio, tokens on the command line.
    return [qemu, "-M", "microvm,x-option-roms=off,rtc=off,pit=off,pic=off,acpi=off",
            "-enable-kvm", "-cpu", "host,-arch-capabilities,+invtsc", "-m", GUEST_MEM,
            "-smp", "1", "-nodefaults", "-no-user-config", "-nographic", "-no-reboot",
            "-serial", "stdio", "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
            "-global", "virtio-mmio.force-legacy=false",
            "-netdev", netdev,
            "-device", "virtio-net-device,netdev=n0",
            "-kernel", args.guest, "-append", f"quiet net_udp_echo={ECHOES}"]


def passt_run(args, port):
    """(helper argv, QEMU argv): passt serves the guest the same addresses as slirp."""
    sock = os.path.join(tempfile.mkdtemp(prefix="millivm-passt-"), "passt.sock")
    os.chmod(os.path.dirname(sock), 0o777)  # passt started as root runs as nobody
    helper = ["passt", "-f", "-1", "-4", "-s", sock, "-a", "10.0.2.15", "-n", "24",
              "-g", "10.0.2.2", "-u", f"127.0.0.1/{port}:7", "-t", "none"]
    netdev = f"stream,id=n0,server=off,addr.type=unix,addr.path={sock}"
    return helper, qemu_argv(args, port, netdev), sock


def wait_for_guest(sock, port, vm):
    """Resend until the first echo: the guest is up and slirp knows its MAC."""
    deadline = time.monotonic() + 120
    sock.settimeout(0.2)
    while time.monotonic() < deadline:
        if vm.poll() is not None:
            sys.exit(f"bench/net_user.py: the VM exited {vm.returncode} before echoing:\n"
                     f"{vm.stdout.read().decode(errors='replace')}"
                     f"{vm.stderr.read().decode(errors='replace')}")
        sock.sendto(b"hello", ("127.0.0.1", port))
        try:
            if sock.recvfrom(65536)[0] == b"hello":
                return
        except socket.timeout:
            pass
    sys.exit("bench/net_user.py: no echo in 120 s")


def drain(sock):
    sock.settimeout(0.05)
    try:
        while True:
            sock.recvfrom(65536)
    except socket.timeout:
        pass


def measure(run, port, args):
    """(rtt_ns list, datagrams/s, bytes/s, lost) for one VM run: run = (helper, argv, sock)."""
    helper_argv, argv, helper_sock = run
    helper = None
    if helper_argv:
        helper = subprocess.Popen(helper_argv, stdin=subprocess.DEVNULL,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(500):
            if os.path.exists(helper_sock):
                break
            time.sleep(0.01)
    vm = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        wait_for_guest(sock, port, vm)
        drain(sock)
        dest = ("127.0.0.1", port)
        # Latency: one datagram at a time, each with its sequence number.
        rtts = []
        sock.settimeout(2)
        for i in range(args.rtt):
            msg = b"r%08d" % i
            t0 = time.perf_counter_ns()
            sock.sendto(msg, dest)
            try:
                while sock.recvfrom(65536)[0] != msg:
                    pass
            except socket.timeout:
                continue  # lost: not counted
            rtts.append(time.perf_counter_ns() - t0)
        # Throughput: `window` datagrams of `size` bytes in flight, refilled as echoes return.
        payload = b"x" * args.size
        sent = received = 0
        sock.settimeout(1)
        t0 = time.perf_counter_ns()
        while sent < min(args.window, args.count):
            sock.sendto(payload, dest)
            sent += 1
        lost = 0
        while received + lost < args.count:
            try:
                sock.recvfrom(65536)
                received += 1
            except socket.timeout:
                lost += sent - received - lost  # the window's stragglers: give up on them
            while sent < args.count and sent - received - lost < args.window:
                sock.sendto(payload, dest)
                sent += 1
        ns = time.perf_counter_ns() - t0
        return rtts, received * 1e9 / ns, received * args.size * 1e9 / ns, lost
    finally:
        vm.kill()
        vm.wait()
        if helper:
            helper.kill()
            helper.wait()
            shutil.rmtree(os.path.dirname(helper_sock), ignore_errors=True)
        sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    build = os.environ.get("BUILD", os.path.join(here, "..", "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--rtt", type=int, default=200, help="sequential round trips per round")
    ap.add_argument("--count", type=int, default=2000, help="datagrams in the throughput phase")
    ap.add_argument("--size", type=int, default=1024, help="payload bytes per datagram")
    ap.add_argument("--window", type=int, default=4, help="datagrams in flight")
    ap.add_argument("--millivm", default=os.path.join(build, "millivm"))
    ap.add_argument("--guest", default=os.path.join(build, "refguest.elf"))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--passt", action="store_true", help="also QEMU microvm on passt")
    args = ap.parse_args()

    contenders = {"millivm": lambda p: (None, millivm_argv(args, p), None)}
    if not args.no_qemu:
        if qemu_argv(args, 1):
            contenders["qemu-microvm"] = lambda p: (None, qemu_argv(args, p), None)
            if args.passt and shutil.which("passt"):
                contenders["qemu-passt"] = lambda p: passt_run(args, p)
            elif args.passt:
                print("passt not found: apt-get install passt", file=sys.stderr)
        else:
            print("qemu-system-x86_64 not found: apt-get install qemu-system-x86", file=sys.stderr)
    results = {name: {"rtt": [], "pps": [], "bps": [], "lost": 0} for name in contenders}
    for r in range(args.rounds):
        for name, make in contenders.items():
            port = free_udp_port()
            rtts, pps, bps, lost = measure(make(port), port, args)
            res = results[name]
            res["rtt"] += rtts
            res["pps"].append(pps)
            res["bps"].append(bps)
            res["lost"] += lost
            print(f"round {r + 1} {name}: rtt median {statistics.median(rtts) / 1000:.0f} us, "
                  f"{pps:.0f} datagrams/s, lost {lost}", file=sys.stderr)

    print(f"UDP echo through hostfwd=udp (libslirp), {args.rounds} rounds interleaved: "
          f"{args.rtt} round trips, then {args.count} x {args.size} B with {args.window} in flight")
    print(f"{'':14} {'rtt median us':>14} {'rtt p90 us':>11} {'datagrams/s':>12} "
          f"{'MB/s':>7} {'lost':>5}")
    summary = {}
    for name, res in results.items():
        rtt = sorted(res["rtt"])
        med = statistics.median(rtt) / 1000
        p90 = rtt[int(len(rtt) * 0.9)] / 1000
        pps = statistics.median(res["pps"])
        mbs = statistics.median(res["bps"]) / 1e6
        summary[name] = (med, pps)
        print(f"{name:14} {med:14.0f} {p90:11.0f} {pps:12.0f} {mbs:7.2f} {res['lost']:5}")
    if "qemu-microvm" in summary:
        m, q = summary["millivm"], summary["qemu-microvm"]
        print(f"ratio millivm/qemu: latency {m[0] / q[0]:.2f} (lower is better), "
              f"throughput {m[1] / q[1]:.2f} (higher is better)")
    if "qemu-passt" in summary:
        p, q = summary["qemu-passt"], summary["qemu-microvm"]
        print(f"ratio qemu-passt/qemu-slirp: latency {p[0] / q[0]:.2f}, "
              f"throughput {p[1] / q[1]:.2f}")


if __name__ == "__main__":
    main()
