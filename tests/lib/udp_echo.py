# SPDX-License-Identifier: BSD-2-Clause
"""The host side of the reference guest's UDP echo (net_udp_echo=N): start millivm, send
each datagram until its echo comes back from the guest's address, then wait for the VM."""
import socket
import subprocess


def start_vm(cmd, out_path, err_path):
    return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(out_path, "w"),
                            stderr=open(err_path, "w"))


def echo_all(vm, udp, dest, messages, attempts):
    """Send each message to dest, resending (the guest may still be booting) up to attempts
    times until an identical datagram comes back from dest; returns how many came back."""
    echoed = 0
    for msg in messages:
        for _ in range(attempts):
            if vm.poll() is not None:
                break
            udp.sendto(msg, dest)
            try:
                data, peer = udp.recvfrom(2048)
                while data != msg:  # a late echo of an earlier resend
                    data, peer = udp.recvfrom(2048)
            except socket.timeout:
                continue
            if peer == dest:
                echoed += 1
            break
    return echoed


def wait_vm(vm, timeout=120):
    try:
        return vm.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        vm.kill()
        return vm.wait()
