#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Protocol-level checks of millivm's gdb stub, below what gdb itself exercises: garbage,
bad checksums, acknowledgements, the size limit, binary writes, debug-register exhaustion,
interrupts. Talks to a millivm started with --gdb unix:SOCKET --gdb-wait on the spin guest
(tests/fixtures/gdb/spin-guest.S) and prints PASS:/FAIL: lines; exit status 0 or 1.

usage: gdb_rsp_check.py SOCKET ELFCLASS(32|64) SPIN_LOOP_ADDR SPIN_RELEASE_ADDR
"""
import socket
import sys
import time
import xml.etree.ElementTree as ET

failures = 0


def check(ok, what, detail=""):
    global failures
    if ok:
        print(f"PASS: {what}")
    else:
        failures += 1
        print(f"FAIL: {what}" + (f": {detail}" if detail else ""))


def checksum(payload):
    return sum(payload) & 0xFF


def frame(payload):
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    return b"$" + payload + b"#%02x" % checksum(payload)


def escape(data):
    out = bytearray()
    for b in data:
        if b in b"#$}*":
            out += bytes([0x7D, b ^ 0x20])
        else:
            out.append(b)
    return bytes(out)


def expand_rle(body):
    out = bytearray()
    i = 0
    while i < len(body):
        if body[i] == ord("*"):
            out += bytes([out[-1]]) * (body[i + 1] - 29)
            i += 2
        else:
            out.append(body[i])
            i += 1
    return bytes(out)


def unescape(data):
    out = bytearray()
    i = 0
    while i < len(data):
        if data[i] == 0x7D:
            out.append(data[i + 1] ^ 0x20)
            i += 2
        else:
            out.append(data[i])
            i += 1
    return bytes(out)


class Client:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(10)
        self.sock.connect(path)
        self.buf = b""
        self.ack = True

    def send_raw(self, data):
        self.sock.sendall(data)

    def read_byte(self):
        while not self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError("connection closed")
            self.buf += chunk
        b, self.buf = self.buf[:1], self.buf[1:]
        return b

    def read_packet(self):
        """The next packet's decoded (run-length expanded) body; acks it in ack mode."""
        while self.read_byte() != b"$":
            pass
        body = b""
        while True:
            b = self.read_byte()
            if b == b"#":
                break
            body += b
        cs = self.read_byte() + self.read_byte()
        if int(cs, 16) != checksum(body):
            raise ValueError(f"bad checksum from stub on {body!r}")
        if self.ack:
            self.send_raw(b"+")
        return expand_rle(body)

    def read_ack(self):
        return self.read_byte()

    def command(self, payload):
        self.send_raw(frame(payload))
        if self.ack:
            a = self.read_ack()
            if a != b"+":
                raise ValueError(f"expected '+', got {a!r}")
        return self.read_packet()


def main():
    path, elfclass, spin_loop, spin_release = sys.argv[1], sys.argv[2], int(sys.argv[3], 0), int(
        sys.argv[4], 0
    )
    c = Client(path)

    # Garbage and acks before the first packet are ignored; a bad checksum is NAKed.
    c.send_raw(b"++--garbage\r\n")
    c.send_raw(b"$qC#00")
    check(c.read_ack() == b"-", "bad checksum answered with '-'")
    c.send_raw(b"$qC#zz")
    check(c.read_ack() == b"-", "non-hex checksum answered with '-'")
    r = c.command("qC")
    check(r == b"QC1", "stub in sync after bad packets (qC)", r)

    r = c.command("qSupported:multiprocess+;swbreak+;hwbreak+;xmlRegisters=i386").decode()
    feats = dict(f.split("=", 1) if "=" in f else (f[:-1], f[-1]) for f in r.split(";"))
    packet_size = int(feats.get("PacketSize", "0"), 16)
    check(packet_size >= 4096, f"qSupported announces PacketSize ({packet_size})", r)
    check(feats.get("qXfer:features:read") == "+", "qSupported announces target.xml", r)
    check(feats.get("QStartNoAckMode") == "+", "qSupported announces no-ack mode", r)
    check(feats.get("multiprocess") is None, "multiprocess is not claimed", r)

    check(c.command("vMustReplyEmpty") == b"", "vMustReplyEmpty gets an empty reply")
    check(c.command("qNoSuchThing:1") == b"", "unknown query gets an empty reply")
    check(c.command("\x01\x02weird") == b"", "unknown packet letter gets an empty reply")
    check(c.command("?").startswith(b"T05thread:1;"), "'?' reports the --gdb-wait stop")

    # Too long for the announced size: NAKed, nothing executed, still in sync.
    c.send_raw(frame(b"m" + b"0" * (packet_size + 10)))
    check(c.read_ack() == b"-", "packet over PacketSize answered with '-'")
    check(c.command("qC") == b"QC1", "in sync after an oversized packet")

    # The target description in small pieces, escapes undone, is the full XML.
    xml = b""
    while True:
        r = c.command("qXfer:features:read:target.xml:%x,40" % len(xml))
        xml += unescape(r[1:])
        if r[:1] == b"l":
            break
        if r[:1] != b"m" or len(xml) > 100000:
            check(False, "qXfer chunk", r[:40])
            break
    root = ET.fromstring(xml)
    arch = root.findtext("architecture")
    want = "i386" if elfclass == "32" else "i386:x86-64"
    check(arch == want, f"target.xml architecture follows ELF{elfclass}", arch)
    regs = [r for f in root.iter("feature") for r in f.iter("reg")]
    names = [r.get("name") for r in regs]
    for n in ("cs", "ss", "ds", "es", "fs", "gs", "cr0", "cr2", "cr3", "cr4", "efer"):
        check(n in names, f"target.xml has {n}")
    if elfclass == "64":
        check("fs_base" in names and "gs_base" in names, "target.xml has fs_base and gs_base")
    size = sum(int(r.get("bitsize")) // 8 for r in regs)
    r = c.command("qXfer:features:read:other.xml:0,40")
    check(r.startswith(b"E"), "unknown annex is an error", r)

    g = c.command("g")
    check(len(g) == 2 * size, f"'g' reply is exactly the described {size} bytes", len(g))
    check(c.command("p%x" % len(regs)).startswith(b"E"), "p of a register beyond the description")
    pc_index = names.index("eip" if elfclass == "32" else "rip")
    pc = int.from_bytes(bytes.fromhex(c.command("p%x" % pc_index).decode()), "little")
    check(pc > 0, f"p reads the pc (0x{pc:x})")

    check(c.command("qfThreadInfo") == b"m1", "one thread per vCPU")
    check(c.command("qsThreadInfo") == b"l", "thread list ends")
    check(c.command("Hg1") == b"OK", "Hg1 accepted")
    check(c.command("Hg2").startswith(b"E"), "Hg of a thread that does not exist refused")
    check(c.command("T1") == b"OK" and c.command("T2").startswith(b"E"), "thread liveness")
    check(c.command("vCont?") == b"vCont;c;C;s;S", "vCont actions listed")

    # Memory: binary X write with every byte that needs escaping, read back with m.
    data = bytes([0x23, 0x24, 0x7D, 0x2A, 0x00, 0x03, 0xFF, 0x41])
    scratch = spin_release + 0x100
    r = c.command(b"X%x,%x:" % (scratch, len(data)) + escape(data))
    check(r == b"OK", "X writes binary data with escapes", r)
    r = c.command("m%x,%x" % (scratch, len(data)))
    check(r == data.hex().encode(), "m reads back what X wrote", r)
    check(c.command("X%x,0:" % scratch) == b"OK", "empty X (gdb's probe) accepted")
    r = c.command("M%x,2:abcd" % scratch)
    check(r == b"OK" and c.command("m%x,2" % scratch) == b"abcd", "M writes hex data")
    check(c.command("M%x,2:abc" % scratch).startswith(b"E"), "M with short data refused")
    check(c.command("m20000000,4").startswith(b"E"), "m beyond guest RAM (512 MiB of 256) is an error")
    check(c.command("mfee00000,4").startswith(b"E"), "m in the MMIO hole is an error")
    check(c.command("m1,zz").startswith(b"E"), "malformed m refused")

    # Four debug registers: the fifth hardware breakpoint is refused, removal frees one.
    oks = [c.command("Z1,%x,1" % (0x200000 + i)) for i in range(5)]
    check(oks[:4] == [b"OK"] * 4 and oks[4].startswith(b"E"), "fifth Z1 refused", oks)
    check(c.command("z1,200003,1") == b"OK", "z1 removes")
    check(c.command("z1,200003,1").startswith(b"E"), "z1 of a removed breakpoint is an error")
    check(c.command("Z3,%x,4" % spin_release) == b"", "Z3 (read watchpoint) unsupported on x86")
    for i in range(3):
        c.command("z1,%x,1" % (0x200000 + i))

    # Legacy single-step: one instruction, then a stop reply.
    r = c.command("s")
    pc2 = int.from_bytes(bytes.fromhex(c.command("p%x" % pc_index).decode()), "little")
    check(r.startswith(b"T05thread:1;") and pc2 != pc, f"s steps (pc 0x{pc:x} -> 0x{pc2:x})", r)

    # A hardware breakpoint in the loop: continue stops there, reported as hwbreak.
    check(c.command("Z1,%x,1" % spin_loop) == b"OK", "Z1 in the spin loop")
    r = c.command("vCont;c")
    pc3 = int.from_bytes(bytes.fromhex(c.command("p%x" % pc_index).decode()), "little")
    check(b"hwbreak" in r and pc3 == spin_loop, "vCont;c stops at the Z1 with hwbreak", r)
    check(c.command("z1,%x,1" % spin_loop) == b"OK", "z1 in the spin loop")

    # No-ack mode from here on: no more '+' from the stub.
    check(c.command("QStartNoAckMode") == b"OK", "QStartNoAckMode")
    c.ack = False
    c.send_raw(b"+")  # gdb acks the OK
    c.send_raw(frame("qC"))
    r = c.read_packet()
    check(r == b"QC1", "no-ack mode: reply without '+'", r)

    # Running: a 0x03 byte stops it with SIGINT.
    c.send_raw(frame("vCont;c"))
    time.sleep(0.3)
    c.send_raw(b"\x03")
    r = c.read_packet()
    check(r.startswith(b"T02thread:1;"), "0x03 interrupts a running guest (T02)", r)

    # Let the guest finish: release the spin loop, exit status 9, reported as W09.
    c.send_raw(frame("M%x,2:0109" % spin_release))
    check(c.read_packet() == b"OK", "release the spin loop")
    c.send_raw(frame("c"))
    r = c.read_packet()
    check(r == b"W09", "guest exit reported as W09", r)
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (OSError, EOFError, ValueError) as e:
        print(f"FAIL: protocol session aborted: {e}")
        sys.exit(1)
