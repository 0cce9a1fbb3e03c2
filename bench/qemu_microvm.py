# SPDX-License-Identifier: BSD-2-Clause
"""QEMU microvm as every benchmark runs the reference guest beside millivm (the flags of
tests/integration/qemu-refguest.sh and virtio-qemu.sh)."""


def microvm_argv(qemu, mem, kernel, append, devices=(), virtio=False, serial="stdio"):
    """-arch-capabilities: some KVMs (this nested one) refuse MSR 0x10a and QEMU aborts;
    +invtsc: QEMU offers the 0x40000010 timing leaf only with it. virtio: acpi=off, so that
    QEMU puts the virtio_mmio.device= tokens on the command line, and modern virtio-mmio
    (version 2) for the devices given."""
    machine = "microvm,x-option-roms=off,rtc=off,pit=off,pic=off" + (",acpi=off" if virtio else "")
    argv = [qemu, "-M", machine, "-enable-kvm", "-cpu", "host,-arch-capabilities,+invtsc",
            "-m", mem, "-smp", "1", "-nodefaults", "-no-user-config", "-nographic",
            "-no-reboot", "-serial", serial, "-device", "isa-debug-exit,iobase=0xf4,iosize=4"]
    if virtio:
        argv += ["-global", "virtio-mmio.force-legacy=false"]
    return argv + list(devices) + ["-kernel", kernel, "-append", append]
