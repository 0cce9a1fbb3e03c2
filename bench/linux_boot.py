#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""How far does each Linux get (not a test): boots the small kernel (tests/linux/build-kernel.sh:
PVH vmlinux and bzImage) and Debian's stock kernel (tests/linux/fetch-debian-kernel.sh: the PVH
vmlinux extracted from vmlinuz, and vmlinuz itself) under millivm and under QEMU microvm, same
kernel and same command line, and records the seconds from launch to each milestone of the boot
log. A run ends at a terminal milestone (panic, emulation failure, the monitor exiting) or at
its bound. One run per cell: these boots take minutes where guest code is emulated.

usage: bench/linux_boot.py [--bound S] [--only small|debian] [--no-qemu] [--log-dir DIR]
"""
import argparse
import os
import re
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BUILD", os.path.join(ROOT, "build"))

# Host workarounds, harmless on hardware KVM (tests/integration/linux-small.sh explains them).
HOST_QUIRKS = "noxsave clearcpuid=smap,popcnt"
MILLIVM_CPUID_DISABLE = "cx16,0x40000001:eax:11,0x40000001:eax:13"
QEMU_CPU = "host,-arch-capabilities,+invtsc,-cx16,kvm-pv-ipi=off,kvm-pv-sched-yield=off"
COMMON_APPEND = ("console=ttyS0 earlyprintk=serial " + HOST_QUIRKS +
                 " panic=-1 loglevel=8 root=/dev/vda init=/bin/nonexistent")

# (column, regular expression over a line of the console output), in boot order.
MILESTONES = [
    ("first line", r"Linux version "),
    ("cmdline", r"Command line: "),
    ("int3/alt", r"Freeing SMP alternatives memory|millivm: .*cannot emulate int3"),
    ("ACPI", r"ACPI: Interpreter enabled|created platform device LNRO0005"),
    ("virtio", r"virtio_blk virtio\d+: \[vda\]"),
    ("root", r"VFS: Mounted root|VFS: Cannot open root device|Unable to mount root"),
    ("panic", r"Kernel panic - not syncing"),
]
TERMINAL = [
    ("emulation failure", r"KVM internal error|emulation failure"),
    ("panic", r"Kernel panic - not syncing"),
]


def small_kernel_dir():
    try:
        return subprocess.run([os.path.join(ROOT, "tests/linux/build-kernel.sh"), "--print-dir"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except subprocess.CalledProcessError:
        return None


def debian_kernel_dir():
    try:
        return subprocess.run([os.path.join(ROOT, "tests/linux/fetch-debian-kernel.sh"),
                               "--print-dir"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except subprocess.CalledProcessError:
        return None


def millivm_argv(kernel, append, disk, acpi):
    argv = [os.path.join(BUILD, "millivm"), "-k", kernel, "-m", "256M", "--rng", "-d", disk,
            "--cpuid-disable", MILLIVM_CPUID_DISABLE, "-a", append]
    return argv + (["--acpi"] if acpi else [])


def qemu_argv(kernel, append, disk, acpi):
    qemu = shutil.which("qemu-system-x86_64")
    if not qemu:
        return None
    # acpi=on: QEMU describes its virtio-mmio devices in the DSDT; acpi=off: it appends
    # virtio_mmio.device= tokens to the command line, as millivm does without --acpi.
    machine = "microvm,rtc=off,pit=off,pic=off,acpi=" + ("on" if acpi else "off")
    return [qemu, "-M", machine, "-enable-kvm", "-cpu", QEMU_CPU, "-m", "256M", "-smp", "1",
            "-nodefaults", "-no-user-config", "-nographic", "-no-reboot", "-serial", "stdio",
            "-device", "virtio-rng-device",
            "-drive", "id=root,file=%s,format=raw,if=none" % disk,
            "-device", "virtio-blk-device,drive=root",
            "-kernel", kernel, "-append", append]


def run(argv, bound, log_path):
    """Seconds from launch to each milestone, how the run ended, and when."""
    seen = {}
    start = time.monotonic()
    ending = None
    with open(log_path, "w") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        pending = b""
        while ending is None:
            left = bound - (time.monotonic() - start)
            if left <= 0:
                ending = "bound"
                break
            if not sel.select(timeout=min(left, 1.0)):
                continue
            chunk = os.read(proc.stdout.fileno(), 65536)
            now = time.monotonic() - start
            if not chunk:
                proc.wait()
                ending = "exit %d" % proc.returncode
                break
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for raw in lines:
                line = raw.decode("utf-8", "replace").rstrip("\r")
                log.write("%8.2f %s\n" % (now, line))
                for name, pattern in MILESTONES:
                    if name not in seen and re.search(pattern, line):
                        seen[name] = now
                for name, pattern in TERMINAL:
                    if ending is None and re.search(pattern, line):
                        ending = name
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return seen, ending, time.monotonic() - start


def make_root_disk(path):
    """An ext2 image with an empty /dev: the kernels mount it, and there is no init."""
    rootfs = path + ".d"
    os.makedirs(os.path.join(rootfs, "dev"), exist_ok=True)
    subprocess.run(["mke2fs", "-q", "-t", "ext2", "-d", rootfs, "-F", path, "1024"], check=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bound", type=float, default=120.0,
                    help="seconds per run of the small kernel, twice that for Debian's "
                    "(default 120: QEMU's runs end early, and the eight fit in ~15 minutes)")
    ap.add_argument("--only", choices=["small", "debian"])
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--log-dir", help="keep each run's console log here")
    args = ap.parse_args()

    kernels = []  # (name, path, extra command line, millivm --acpi / QEMU acpi=on, bound)
    small = small_kernel_dir()
    if args.only in (None, "small"):
        if small and os.path.exists(os.path.join(small, "vmlinux")):
            for name, image in (("small PVH", "vmlinux"), ("small bzImage", "bzImage")):
                kernels.append((name, os.path.join(small, image), " acpi=off", False,
                                args.bound))
        else:
            print("small kernel not built (tests/linux/build-kernel.sh): skipped")
    debian = debian_kernel_dir()
    if args.only in (None, "debian"):
        if debian and os.path.exists(os.path.join(debian, "vmlinux")):
            # the stock kernel's virtio-mmio is a module: the ACPI scan is as far as it sees.
            # initcall_blacklist: its ftrace self-check holds the CPU for minutes where code
            # is emulated (tests/integration/linux-debian.sh)
            dyndbg = (' dyndbg="file drivers/acpi/acpi_platform.c +p"'
                      " initcall_blacklist=ftrace_check_for_weak_functions")
            for name, image in (("Debian PVH", "vmlinux"), ("Debian bzImage", "vmlinuz")):
                kernels.append((name, os.path.join(debian, image), dyndbg, True,
                                2 * args.bound))
        else:
            print("Debian kernel not fetched (tests/linux/fetch-debian-kernel.sh): skipped")
    if not kernels:
        sys.exit("no kernel to boot")

    tmp = tempfile.mkdtemp(prefix="linux-boot.")
    log_dir = args.log_dir or tmp
    os.makedirs(log_dir, exist_ok=True)
    disk = os.path.join(tmp, "root.ext2")
    make_root_disk(disk)
    rows = []
    for name, kernel, extra, acpi, bound in kernels:
        append = COMMON_APPEND + extra
        monitors = [("millivm", millivm_argv(kernel, append, disk, acpi))]
        if not args.no_qemu:
            q = qemu_argv(kernel, append, disk, acpi)
            if q:
                monitors.append(("QEMU", q))
        for monitor, argv in monitors:
            log = os.path.join(log_dir, "%s-%s.log" % (name.replace(" ", "-"), monitor))
            seen, ending, elapsed = run(argv, bound, log)
            rows.append((name, monitor, seen, ending, elapsed))
            print("%-15s %-8s %-18s after %.0f s (log %s)" % (name, monitor, ending, elapsed, log),
                  file=sys.stderr, flush=True)

    print("Seconds from launch to each milestone (- : not reached); one run each, bound %.0f s"
          " (Debian: %.0f s)" % (args.bound, 2 * args.bound))
    head = ["kernel", "monitor"] + [m for m, _ in MILESTONES] + ["ended by"]
    widths = [15, 8] + [max(9, len(m)) for m, _ in MILESTONES] + [24]
    print(" ".join(h.ljust(w) for h, w in zip(head, widths)))
    for name, monitor, seen, ending, elapsed in rows:
        cells = [name, monitor] + ["%.1f" % seen[m] if m in seen else "-" for m, _ in MILESTONES]
        cells.append("%s at %.0f s" % (ending, elapsed))
        print(" ".join(c.ljust(w) for c, w in zip(cells, widths)))
    if not args.log_dir:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
