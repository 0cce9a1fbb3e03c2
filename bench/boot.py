#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Boot benchmark (not a test): launch-to-exit wall time and peak RSS of the reference guest
under millivm, beside QEMU microvm running the same guest and the bare-KVM floor
(../shared/bench/kvm-floor), all measured in one run, interleaved round-robin so that load
changes hit every contender alike. Prints medians, p90s and ratios.

usage: bench/boot.py [-n RUNS] [--mem 256M] [--no-qemu]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
from qemu_microvm import microvm_argv  # bench/, beside this script
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))
FLOOR_SRC = os.path.join(ROOT, "..", "shared", "bench", "kvm-floor")


def build_spawn():
    out = os.path.join(BUILD, "bench", "spawn")
    src = os.path.join(ROOT, "bench", "spawn.c")
    if not os.path.exists(out) or os.path.getmtime(out) < os.path.getmtime(src):
        os.makedirs(os.path.dirname(out), exist_ok=True)
        subprocess.run(["cc", "-O2", "-static", "-o", out, src], check=True)
    return out


SPAWN = None


def launch(argv):
    """Run argv with stdio on /dev/null through bench/spawn; (wall s, exit status, peak KiB)."""
    with open(os.devnull, "r+b") as devnull:
        out = subprocess.run([SPAWN] + argv, stdin=devnull, stdout=subprocess.PIPE,
                             stderr=devnull, check=True).stdout.split()
    return int(out[0]) / 1e9, int(out[1]), int(out[2])


def percentile(values, p):
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def build_floor():
    out = os.path.join(BUILD, "bench", "kvm-floor")
    if not os.path.exists(os.path.join(out, "kvm-floor")):
        subprocess.run(["make", "-s", "-C", FLOOR_SRC, "OUT=" + out], check=True)
    return [os.path.join(out, "kvm-floor"), os.path.join(out, "floor-guest.bin")]


def qemu_argv(kernel, mem, append):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    return microvm_argv(qemu, mem, kernel, append)


def millivm_timeline(argv, runs):
    """Median of each timeline mark over a few extra runs with --timeline-json."""
    marks = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "tl.json")
        for _ in range(runs):
            launch(argv + ["--timeline-json", path])
            with open(path) as f:
                for key, value in json.load(f).items():
                    if isinstance(value, (int, float)):
                        marks.setdefault(key, []).append(value)
    return {k: statistics.median(v) for k, v in marks.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=30)
    ap.add_argument("--mem", default="256M")
    ap.add_argument("--no-qemu", action="store_true")
    args = ap.parse_args()
    if args.runs < 20:
        sys.exit("bench/boot.py: use at least 20 runs for medians worth quoting")
    global SPAWN
    SPAWN = build_spawn()

    guest = os.path.join(BUILD, "refguest.elf")
    append = "quiet expect_mem=" + args.mem
    millivm = [os.path.join(BUILD, "millivm"), "-k", guest, "-m", args.mem, "-a", append]
    contenders = {"kvm-floor": build_floor(), "millivm": millivm}
    if not args.no_qemu:
        q = qemu_argv(guest, args.mem, append)
        if q:
            contenders["qemu-microvm"] = q
        else:
            print("qemu-system-x86_64 not found: apt-get install qemu-system-x86", file=sys.stderr)

    results = {name: [] for name in contenders}
    for name, argv in contenders.items():  # one warm-up each: page cache, KVM module state
        launch(argv)
    for _ in range(args.runs):
        for name, argv in contenders.items():
            results[name].append(launch(argv))

    print(f"boot benchmark: reference guest, -m {args.mem}, {args.runs} runs each, "
          f"interleaved; wall = launch to exit")
    print(f"{'':14}{'median ms':>10}{'p90 ms':>9}{'peak RSS':>11}  exit statuses")
    for name, rows in results.items():
        walls = [r[0] * 1000 for r in rows]
        rss = max(r[2] for r in rows)
        codes = sorted({r[1] for r in rows})
        print(f"{name:14}{statistics.median(walls):10.2f}{percentile(walls, 90):9.2f}"
              f"{rss / 1024:9.1f} MiB  {codes}")
    med = {n: statistics.median([r[0] for r in rows]) for n, rows in results.items()}
    print(f"millivm / kvm-floor = {med['millivm'] / med['kvm-floor']:.2f}x")
    if "qemu-microvm" in med:
        print(f"qemu-microvm / millivm = {med['qemu-microvm'] / med['millivm']:.1f}x "
              f"(QEMU's exit status is (guest status << 1) | 1)")

    tl = millivm_timeline(millivm, 9)
    rss = statistics.median([r[2] for r in results["millivm"]])
    print("millivm timeline (median of 9 runs with --timeline-json, ms since main()):")
    for key in ("args_parsed", "kvm_ready", "kernel_loaded", "guest_entry",
                "first_console_byte", "boot_timer", "guest_exit"):
        if key in tl:
            print(f"  {key:20}{tl[key]:8.3f}")
    touched = tl.get("guest_resident_kib", 0)
    print(f"millivm peak RSS {rss / 1024:.2f} MiB, guest pages touched {touched / 1024:.2f} MiB, "
          f"monitor's own {(rss - touched) / 1024:.2f} MiB")


if __name__ == "__main__":
    main()
