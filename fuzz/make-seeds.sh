#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# Regenerates the seed corpora in fuzz/corpus/ (the generated files are committed; run this
# again after changing it). Needs python3. Each seed is small and valid, or nearly so: the
# fuzzer mutates from there.
set -eu
cd "$(dirname "$0")/.."
python3 - <<'EOF'
import os, struct, shutil

def put(target, name, data):
    d = os.path.join("fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

# ------------------------------------------------------------------ pvh_elf: PVH kernels
XEN_ELFNOTE_PHYS32_ENTRY = 18
PT_LOAD, PT_NOTE = 1, 4
CODE = bytes([0xfa, 0xf4, 0xeb, 0xfd])  # cli; hlt; jmp .-1

def align_up(v, a):
    return (v + a - 1) // a * a

def note(desc, align, name=b"Xen\0", typ=XEN_ELFNOTE_PHYS32_ENTRY):
    # gABI / binutils layout: descriptor at align_up(12 + namesz, align) from the note.
    hdr = struct.pack("<III", len(name), len(desc), typ) + name
    hdr += b"\0" * (align_up(len(hdr), align) - len(hdr))
    body = hdr + desc
    return body + b"\0" * (align_up(len(body), align) - len(body))

def elf(elf64, segments, entry=0x100000):
    """segments: (type, paddr, data, memsz, align); the data follows the headers."""
    ehsize, phentsize = (64, 56) if elf64 else (52, 32)
    phoff = ehsize
    off = align_up(phoff + phentsize * len(segments), 16)
    phdrs, blob = b"", b""
    for typ, paddr, data, memsz, align in segments:
        off = align_up(off, 16)
        blob += b"\0" * (off - (ehsize + phentsize * len(segments) + len(blob)))
        if elf64:
            phdrs += struct.pack("<IIQQQQQQ", typ, 7 if typ == PT_LOAD else 4, off, paddr,
                                 paddr, len(data), memsz, align)
        else:
            phdrs += struct.pack("<IIIIIIII", typ, off, paddr, paddr, len(data), memsz,
                                 7 if typ == PT_LOAD else 4, align)
        blob += data
        off += len(data)
    ident = b"\x7fELF" + bytes([2 if elf64 else 1, 1, 1, 0]) + b"\0" * 8
    if elf64:
        eh = ident + struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, entry, phoff, 0, 0, ehsize,
                                 phentsize, len(segments), 64, 0, 0)
    else:
        eh = ident + struct.pack("<HHIIIIIHHHHHH", 2, 3, 1, entry, phoff, 0, 0, ehsize,
                                 phentsize, len(segments), 40, 0, 0)
    return eh + phdrs + blob

MiB, GiB = 1 << 20, 1 << 30
e4 = struct.pack("<I", 0x100000)
e8 = struct.pack("<Q", 0x100000)
put("pvh_elf", "elf32-note4", elf(False, [
    (PT_NOTE, 0, note(e4, 4), 0, 4),
    (PT_LOAD, 0x100000, CODE, 0x2000, 0x1000)]))
put("pvh_elf", "elf64-note8", elf(True, [
    (PT_NOTE, 0, note(e8, 4), 0, 4),
    (PT_LOAD, 0x100000, CODE, 0x1000, 0x1000)]))
put("pvh_elf", "elf64-note8-align8", elf(True, [
    (PT_NOTE, 0, note(e8, 8), 0, 8),
    (PT_LOAD, 0x100000, CODE, 0x1000, 0x1000)]))
put("pvh_elf", "elf32-two-loads", elf(False, [
    (PT_LOAD, 0x100000, CODE, 0x1000, 0x1000),
    (PT_NOTE, 0, note(b"\x00\x00\x20\x00", 4), 0, 4),   # entry 0x200000
    (PT_LOAD, 0x200000, CODE * 4, 0x3000, 0x1000)]))
put("pvh_elf", "elf64-high-ram", elf(True, [
    (PT_NOTE, 0, note(b"\x04\x00\x00\x00", 4, b"GNU\0", 3) + note(e8, 4), 0, 4),   # a foreign note first
    (PT_LOAD, 0x100000, CODE, 0x1000, 0x1000),
    (PT_LOAD, 4 * GiB + MiB, CODE, 0x10000, 0x1000)]))

# ------------------------------------------------------------ options: NUL-separated argv
def args(*a):
    return b"\0".join(x.encode() for x in a)

put("options", "minimal", args("-k", "vmlinux"))
put("options", "memory", args("-k", "vmlinux", "-m", "256M", "-c", "4", "-a", "console=ttyS0 quiet"))
put("options", "long", args("--kernel=vmlinux", "--memory", "4G", "--cpus=2", "--initrd", "initrd.img",
                            "--append=root=/dev/vda"))
put("options", "cpuid", args("-k", "k", "--cpuid-disable", "xsave,smap,0x7.0:ebx:20,0x80000001:EDX:27",
                             "--cpuid-disable=kvmclock"))
put("options", "drives", args("-k", "k", "-d", "disk.img,ro,serial=abc", "--drive=b.img,rw", "--rng",
                              "--console", "virtio"))
put("options", "gdb", args("-k", "k", "--gdb", "tcp:localhost:1234", "--gdb-wait"))
put("options", "gdb-unix", args("--gdb=unix:/tmp/gdb.sock", "-kvmlinux", "--console=none"))
put("options", "timeline", args("--timeline", "--timeline-json", "t.json", "--trace-out", "t.log",
                                "-k", "k", "-m", "65536K"))
put("options", "help", args("-h"))
put("options", "bad", args("-k", "k", "-m", "1T", "-c", "0", "stray"))
put("options", "values", args("512MiB", "0x7.1:EDX:31", "3"))

# ------------------------------------------ guest_trace: 8-byte gpa, then the guest's RAM
MAGIC, VERSION = 0x474c5354, 1

def record(tsc, kind, thread, name):
    return struct.pack("<QII", tsc, kind, thread) + name.ljust(40, b"\0")[:40]

def trace(gpa, prefix, records, capacity=None):
    cap = len(records) if capacity is None else capacity
    head = struct.pack("<IIII", MAGIC, VERSION, len(records), cap)
    return struct.pack("<Q", gpa) + prefix + head + b"".join(records)

recs = [record(1000, 4, 0, b"cpu0"), record(1100, 1, 0, b"guest_main"),
        record(1200, 3, 0, b"first_console_byte"), record(1300, 2, 0, b"guest_main")]
put("guest_trace", "basic", trace(0, b"", recs))
put("guest_trace", "offset", trace(64, b"\xaa" * 64, recs, capacity=16))
put("guest_trace", "empty", trace(0, b"", []))
put("guest_trace", "odd-names", trace(0, b"", [
    record(1, 1, 1, b"with space\ttab"), record(2, 9, 1, b"unknown kind"),
    record(3, 2, 0xffffffff, b"x" * 40), record(4, 3, 2, b""),
    record(2**64 - 1, 4, 3, "caf\u00e9\x1b[31m".encode())]))

# ------------------------------------------------------------------- tslog: the fixtures
os.makedirs(os.path.join("fuzz", "corpus", "tslog"), exist_ok=True)
for name in ("millivm.tslog", "netbsd.tslog", "freebsd.tslog", "garbage.tslog",
             "millivm-timeline.json"):
    shutil.copyfile(os.path.join("tests", "fixtures", "tslog", name),
                    os.path.join("fuzz", "corpus", "tslog", name))
put("tslog", "nested-unbalanced", b"".join(l + b"\n" for l in [
    b"0x1 10 THREAD swi4: clock", b"0x1 10 ENTER a arg1", b"0x1 11 ENTER b", b"0x1 12 ENTER c",
    b"0x1 13 EXIT a arg1", b"0x1 14 EXIT nothing", b"0x2 9 EXIT b", b"0x2 15 EVENT tick 5",
    b"debug.tslog: 0x3 16 ENTER \xe2\x82\xac\xf0\x9f\x94\xa5 \x01\x7f",
    b"0x3 2 EXIT \xe2\x82\xac\xf0\x9f\x94\xa5", b"", b"\t ", b"0x4 17 ENTER open\r"]))
# ------------------------------- virtqueue: 24-byte setup header, then the guest's RAM
VRING_DESC_F_NEXT, VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT = 1, 2, 4

def desc(addr, length, flags=0, nxt=0):
    return struct.pack("<QIHH", addr, length, flags, nxt)

def vq_seed(size_log2, flags, descs, avail_ring, extra, used_event=0, io_seed=0x1234):
    n = 1 << size_log2
    desc_gpa, avail_gpa, used_gpa = 0, 16 * n, align_up(16 * n + 6 + 2 * n, 4)
    head = struct.pack("<BBHHHQII", size_log2, flags, 0, 0, io_seed, desc_gpa, avail_gpa,
                       used_gpa)
    ram = bytearray(512)
    table = b"".join(descs)
    ram[desc_gpa:desc_gpa + len(table)] = table
    avail = struct.pack("<HH", 0, len(avail_ring)) + b"".join(
        struct.pack("<H", h) for h in avail_ring)
    avail = avail.ljust(4 + 2 * n, b"\0") + struct.pack("<H", used_event)
    ram[avail_gpa:avail_gpa + len(avail)] = avail
    for at, blob in extra:
        ram[at:at + len(blob)] = blob
    return head + bytes(ram)

# a request: 16 readable bytes then 32 writable, as virtio-blk sends them
put("virtqueue", "chain", vq_seed(2, 0, [
    desc(256, 16, VRING_DESC_F_NEXT, 1), desc(272, 32, VRING_DESC_F_WRITE)], [0], []))
# two chains, the second through an indirect table; EVENT_IDX and INDIRECT negotiated
put("virtqueue", "indirect-event-idx", vq_seed(3, 3, [
    desc(256, 8, VRING_DESC_F_NEXT, 1), desc(264, 8, VRING_DESC_F_WRITE),
    desc(320, 32, VRING_DESC_F_INDIRECT)], [0, 2],
    [(320, desc(384, 24) + desc(408, 40, VRING_DESC_F_WRITE))], used_event=1))
# broken: a loop
put("virtqueue", "loop", vq_seed(1, 0, [
    desc(256, 8, VRING_DESC_F_NEXT, 1), desc(264, 8, VRING_DESC_F_NEXT, 0)], [0], []))

# --------------------------------------------------- virtio_token: command-line tokens
for i, tok in enumerate([b"virtio_mmio.device=512@0xfeb00000:5",
                         b"virtio_mmio.device_0=4K@0xfeb00200:6:1",
                         b"512@0xfeb00400:7",
                         b"0x200@0377:12:0",
                         b"1T@0:1",
                         b"virtio_mmio.device=18446744073709551615@0:4294967295:2147483647"]):
    put("virtio_token", "token%d" % i, tok)
# ------------------------------------------------ http: what a client sends the API socket
def http(*requests):
    return b"".join(requests)

body = b'{"kernel_image_path": "vmlinux", "boot_args": "console=ttyS0"}'
put("http", "put-boot-source", http(
    b"PUT /boot-source HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body))
put("http", "get-pipelined", http(
    b"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n",
    b"GET /machine-config?x=1 HTTP/1.1\r\nConnection: close\r\n\r\n"))
put("http", "patch-expect", http(
    b"\r\nPATCH /drives/rootfs HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}"))
put("http", "http10-keepalive", http(
    b"PUT http://localhost/actions HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 35\r\n\r\n"
    b'{"action_type": "InstanceStart"}\r\n\r\n'))
put("http", "chunked", http(
    b"PUT /vm HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"))
# ------------------------------- vsock_conn: setup (table size, CID), then guest/host events
# (see the header of fuzz/fuzz_vsock_conn.c for the encoding)
VS_REQUEST, VS_RESPONSE, VS_RST, VS_SHUTDOWN, VS_RW, VS_CREDIT_UPDATE, VS_CREDIT_REQUEST = 1, 2, 3, 4, 5, 6, 7

def vs_shaped(op, ports=0, mode=0, length=0, slack=0, flags=0, buf_alloc=65536, fwd=0):
    return struct.pack("<BBBBHBBII", 1, op, ports, mode, length, slack, flags, buf_alloc, fwd)

def vs_raw(src_cid, dst_cid, src_port, dst_port, length, typ, op, flags, buf_alloc, fwd, avail):
    return bytes([0]) + struct.pack("<QQIIIHHIII", src_cid, dst_cid, src_port, dst_port, length,
                                    typ, op, flags, buf_alloc, fwd) + struct.pack("<I", avail)

LIVE = 0x10  # shaped: use the ports of a live connection
put("vsock_conn", "guest-connect-data", bytes([2, 0]) + vs_shaped(VS_REQUEST) + bytes([2, 0])
    + vs_shaped(VS_RW, LIVE, 1, 100) + bytes([4, 0]) + struct.pack("<I", 100)
    + vs_shaped(VS_CREDIT_REQUEST, LIVE, 1) + vs_shaped(VS_SHUTDOWN, LIVE, 1, 0, 0, 3)
    + vs_shaped(VS_RST, LIVE))
put("vsock_conn", "host-connect-send", bytes([1, 0, 5, 1]) + vs_shaped(VS_RESPONSE, LIVE, 1)
    + bytes([3, 0]) + struct.pack("<I", 70000) + vs_shaped(VS_CREDIT_UPDATE, LIVE, 1)
    + bytes([6, 1, 0, 6, 0, 0]))
put("vsock_conn", "raw-request", bytes([0, 0]) + vs_raw(3, 2, 1024, 5000, 0, 1, VS_REQUEST, 0,
                                                        262144, 0, 0)
    + vs_raw(3, 2, 1024, 5000, 4096, 1, VS_RW, 0, 262144, 0, 4096)
    + vs_raw(3, 2, 1024, 5000, 0, 1, VS_RST, 0, 0, 0, 0))
put("vsock_conn", "full-table", bytes([0, 0]) + vs_shaped(VS_REQUEST, 0) + vs_shaped(VS_REQUEST, 4)
    + bytes([5, 2, 7, 0]))
put("vsock_conn", "overrun", bytes([0, 0]) + vs_shaped(VS_REQUEST) + bytes([2, 0])
    + b"".join(vs_shaped(VS_RW, LIVE, 1, 65535) for _ in range(5)))

# ------------------------------------------- net_user_opts: the text after `--net user,`
for i, text in enumerate([b"",
                          b"hostfwd=tcp::2222-:22",
                          b"net=192.168.76.0/24,host=192.168.76.1,dns=192.168.76.53,dhcpstart=192.168.76.100",
                          b"net=10.9.0.0/255.255.0.0,restrict=on,hostfwd=udp:127.0.0.1:5353-10.9.0.15:53",
                          b"hostfwd=:0.0.0.0:8080-10.0.2.20:80,hostfwd=tcp::1-:65535,restrict=off,mac=52:54:00:12:34:56",
                          b"net=172.16.0.0/30,dhcpstart=172.16.0.1"]):
    put("net_user_opts", "opts%d" % i, text)
EOF
echo "seeds written to fuzz/corpus/"
