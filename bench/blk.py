#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""virtio-blk benchmark (not a test): sequential read and write throughput and the 4 KiB
random-read request rate measured from the reference guest (blk_bench=, guest/README.md)
under millivm (sync and io_uring engines) and under QEMU microvm with virtio-blk-device, next
to dd on the host for the same image file, interleaved round-robin in one run so that load
changes hit every contender alike. Prints medians, p90s and the ratios.

Same cache semantics everywhere: millivm reads and writes the image through the host page
cache (preadv/pwritev or io_uring on a file opened without O_DIRECT), so QEMU runs with its
default cache=writeback (aio=threads) and dd without iflag/oflag=direct; the page cache is
never dropped (one warm-up run of each contender first) and nothing is flushed: the guest
sends no FLUSH and dd gets no conv=fdatasync. dd has no random mode: its 4 KiB row reads
sequentially, one read(2) per 4 KiB, the host's floor for a page-cache request.

usage: bench/blk.py [-n ROUNDS] [--size 256M] [--rand 4096] [--block 128K] [--depth 16]
                    [--dir DIR] [--millivm PATH] [--no-qemu]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
from qemu_microvm import microvm_argv  # bench/, beside this script
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
PHASES = ("seqread", "seqwrite", "rand4k")
GUEST_MEM = "256M"


def size_arg(text):
    m = re.fullmatch(r"(\d+)([KMG]?)", text.strip(), re.I)
    if not m:
        raise argparse.ArgumentTypeError(f"bad size {text!r}")
    return int(m.group(1)) << {"": 0, "K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def make_image(path, size):
    """A fully allocated image (non-zero data in every block: no holes, no shared zero pages)."""
    chunk = os.urandom(1 << 20)
    with open(path, "wb") as f:
        for _ in range(size >> 20):
            f.write(chunk)
        f.write(chunk[: size & ((1 << 20) - 1)])
        f.flush()
        os.fsync(f.fileno())


def guest_cmdline(args):
    return (f"quiet blk_bench=seqread:{args.size},seqwrite:{args.size},rand4k:{args.rand} "
            f"blk_bench_depth={args.depth} blk_bench_block={args.block}")


def millivm_argv(args, image, engine):
    return [args.millivm, "-k", args.guest, "-m", GUEST_MEM, "-d", f"{image},engine={engine}",
            "-a", guest_cmdline(args)]


def qemu_argv(args, image):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    # cache=writeback,aio=threads are QEMU's defaults, spelled out: the page cache, as millivm.
    return microvm_argv(qemu, GUEST_MEM, args.guest, guest_cmdline(args), virtio=True, devices=[
        "-drive", f"id=d0,file={image},format=raw,if=none,cache=writeback,aio=threads",
        "-device", "virtio-blk-device,drive=d0"])


LINE = re.compile(r"^blk-bench (\w+) (.*)$")


def run_guest(argv, ok_status):
    """{phase: {"bytes", "ns", "requests"}} from one guest run."""
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=300)
    out = p.stdout.decode(errors="replace").replace("\r", "")
    phases = {}
    for line in out.splitlines():
        m = LINE.match(line)
        if m and m.group(1) in PHASES:
            fields = dict(kv.split("=", 1) for kv in m.group(2).split())
            phases[m.group(1)] = {k: int(fields[k]) for k in ("bytes", "ns", "requests")}
    if p.returncode != ok_status or set(phases) != set(PHASES):
        sys.exit(f"bench/blk.py: {argv[0]} exited {p.returncode}, phases {sorted(phases)}:\n"
                 f"{out}{p.stderr.decode(errors='replace')}")
    return phases


DD_COPIED = re.compile(rb"^(\d+) bytes .* copied, ([0-9.e+-]+) s", re.M)


def dd(argv):
    """(bytes, ns) as dd reports them (its own clock: process start-up excluded)."""
    p = subprocess.run(["dd"] + argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, env=dict(os.environ, LC_ALL="C"))
    m = DD_COPIED.search(p.stderr)
    if p.returncode or not m:
        sys.exit(f"bench/blk.py: dd {' '.join(argv)} failed:\n{p.stderr.decode()}")
    return int(m.group(1)), int(float(m.group(2)) * 1e9)


def run_dd(args, image):
    block_count = (args.size + args.block - 1) // args.block
    phases = {}
    for name, argv, requests in (
            ("seqread", [f"if={image}", "of=/dev/null", f"bs={args.block}",
                         f"count={block_count}"], block_count),
            ("seqwrite", ["if=/dev/zero", f"of={image}", f"bs={args.block}",
                          f"count={block_count}", "conv=notrunc"], block_count),
            ("rand4k", [f"if={image}", "of=/dev/null", "bs=4096", f"count={args.rand}"],
             args.rand)):
        nbytes, ns = dd(argv)
        phases[name] = {"bytes": nbytes, "ns": ns, "requests": requests}
    return phases


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--rounds", type=int, default=7)
    ap.add_argument("--size", type=size_arg, default=256 << 20,
                    help="image size and bytes per sequential phase (default 256M)")
    ap.add_argument("--rand", type=int, default=4096, help="4 KiB random reads (default 4096)")
    ap.add_argument("--block", type=size_arg, default=128 << 10,
                    help="sequential request size, guest and dd (default 128K)")
    ap.add_argument("--depth", type=int, default=16, help="guest requests in flight (1-32)")
    ap.add_argument("--dir", default=BUILD,
                    help="where the temporary image goes (default: the build directory, a "
                         "disk file system; avoid tmpfs)")
    ap.add_argument("--millivm", default=os.path.join(BUILD, "millivm"))
    ap.add_argument("--guest", default=os.path.join(BUILD, "refguest.elf"))
    ap.add_argument("--no-qemu", action="store_true")
    args = ap.parse_args()
    if args.rounds < 5:
        sys.exit("bench/blk.py: use at least 5 rounds for medians worth quoting")
    if args.size % args.block or args.block % 512:
        sys.exit("bench/blk.py: --size must be a multiple of --block, --block of 512")

    os.makedirs(args.dir, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="blk-bench.", dir=args.dir)
    try:
        image = os.path.join(tmp, "disk.img")
        make_image(image, args.size)
        contenders = {
            "millivm-sync": lambda: run_guest(millivm_argv(args, image, "sync"), 0),
            "millivm-uring": lambda: run_guest(millivm_argv(args, image, "uring"), 0),
        }
        q = None if args.no_qemu else qemu_argv(args, image)
        if q:  # isa-debug-exit: guest status 0 comes out as 1
            contenders["qemu-microvm"] = lambda: run_guest(q, 1)
        elif not args.no_qemu:
            print("qemu-system-x86_64 not found: apt-get install qemu-system-x86",
                  file=sys.stderr)
        contenders["host-dd"] = lambda: run_dd(args, image)

        with open("/proc/loadavg") as f:
            load_before = f.read().split()[:3]
        for run in contenders.values():  # warm-up: page cache, KVM and QEMU start-up state
            run()
        names = list(contenders)
        results = {name: [] for name in names}
        for r in range(args.rounds):  # round-robin, starting one further each round
            for name in names[r % len(names):] + names[:r % len(names)]:
                results[name].append(contenders[name]())
        with open("/proc/loadavg") as f:
            load_after = f.read().split()[:3]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"virtio-blk benchmark: {args.rounds} rounds, interleaved; image {args.size >> 20} MiB "
          f"(fully allocated, in {args.dir}); sequential {args.block >> 10} KiB requests, guest "
          f"depth {args.depth}; rand4k = {args.rand} x 4 KiB random reads (dd: sequential)")
    print(f"host page cache warm, not dropped; no flush; QEMU cache=writeback,aio=threads; "
          f"load average {' '.join(load_before)} before, {' '.join(load_after)} after; "
          f"{os.cpu_count()} CPUs")
    print(f"guest command line: {guest_cmdline(args)}")
    medians = {}
    for phase in PHASES:
        print(f"\n{phase}:")
        print(f"  {'':15}{'median MiB/s':>13}{'median IOPS':>12}{'median ms':>10}{'p90 ms':>9}")
        for name in names:
            rows = [res[phase] for res in results[name]]
            mibs = [r["bytes"] / (r["ns"] / 1e9) / (1 << 20) for r in rows]
            iops = [r["requests"] / (r["ns"] / 1e9) for r in rows]
            ms = [r["ns"] / 1e6 for r in rows]
            medians[(name, phase)] = statistics.median(mibs)
            print(f"  {name:15}{statistics.median(mibs):13.1f}{statistics.median(iops):12.0f}"
                  f"{statistics.median(ms):10.2f}{percentile(ms, 90):9.2f}")
    print("\nratios of median throughput (> 1: millivm faster):")
    for engine in ("millivm-sync", "millivm-uring"):
        for other in ("qemu-microvm", "host-dd"):
            if other in names:
                text = "  ".join(f"{phase} {medians[(engine, phase)] / medians[(other, phase)]:.2f}"
                                 for phase in PHASES)
                print(f"  {engine + ' / ' + other + ':':31}{text}")


if __name__ == "__main__":
    main()
