#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# virtio-net on user-mode networking (--net user, libslirp): needs no privileges, and when run
# as root it proves that by running millivm as nobody (group kvm for /dev/kvm only). The
# reference guest, with its default address 10.0.2.15 and gateway 10.0.2.2, gets its ARP and
# ping answered by slirp's gateway and echoes the datagrams a host client sends to a UDP
# forward on 127.0.0.1; with net_csum_offload it finds no VIRTIO_NET_F_CSUM (libslirp takes
# no offloads) and computes the UDP checksums slirp verifies; then the same on another
# network (net=), and bad input: bad options
# and a forward to a host port already in use, each one clear line and a non-zero exit; as
# root also --uid/--gid, which drops privileges after the backend thread started.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
command -v python3 >/dev/null || skip_all "python3 needed for the host side"
trap 'rm -rf "$TEST_TMP"' EXIT

# As root: millivm runs as nobody, with the kvm group for /dev/kvm and no capabilities.
unpriv=()
vm_bin=$MILLIVM guest=$REFGUEST
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null && getent group kvm >/dev/null; then
	chmod 755 "$TEST_TMP"
	cp "$MILLIVM" "$REFGUEST" "$TEST_TMP/"
	vm_bin=$TEST_TMP/$(basename "$MILLIVM") guest=$TEST_TMP/$(basename "$REFGUEST")
	unpriv=(setpriv --reuid=65534 --regid="$(getent group kvm | cut -d: -f3)" --clear-groups
		--inh-caps=-all)
fi
if "${unpriv[@]}" "$vm_bin" --version >/dev/null 2>&1; then :; else
	fail "cannot run millivm as ${unpriv[*]:-this user}"
	finish
fi
who="as $([ ${#unpriv[@]} -gt 0 ] && echo nobody || id -un)"

free_port() { # udp|tcp
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM if sys.argv[1] == 'udp' else socket.SOCK_STREAM)
s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])" "$1"
}

export PYTHONPATH=$(cd "$(dirname "$0")/../lib" && pwd) # udp_echo.py
# host.py PORT OUT ERR CMD...: run the VM, send 3 datagrams to 127.0.0.1:PORT, count echoes.
cat >"$TEST_TMP/host.py" <<'PY'
import socket, sys
import udp_echo  # tests/lib, on PYTHONPATH
port, out_path, err_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
vm = udp_echo.start_vm(sys.argv[4:], out_path, err_path)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp.settimeout(1)
messages = [b"millivm-user-%d-%s" % (i, b"y" * (100 * i)) for i in range(3)]
echoed = udp_echo.echo_all(vm, udp, ("127.0.0.1", port), messages, 60)
print("echoes %d" % echoed)
print("rc %d" % udp_echo.wait_vm(vm))
PY

out=$TEST_TMP/stdout err=$TEST_TMP/stderr summary=$TEST_TMP/summary
port=$(free_port udp)
python3 "$TEST_TMP/host.py" "$port" "$out" "$err" "${unpriv[@]}" timeout 150 "$vm_bin" \
	-k "$guest" --net "user,hostfwd=udp::$port-:7" -a "net_udp_echo=3" >"$summary"
rc=$(sed -n 's/^rc //p' "$summary")
rc=${rc:-255}
expect_rc 0 "reference guest passes on --net user ($who)"
expect_stdout '^ok net-arp: 10\.0\.2\.2 is at ' "slirp's gateway answers the guest's ARP"
expect_stdout '^ok net-ping: echo reply from 10\.0\.2\.2' "slirp's gateway answers the guest's ping"
expect_stdout '^ok net-udp-echo: 3 datagrams echoed' "guest echoed 3 datagrams on port 7"
grep -q '^echoes 3$' "$summary" && pass "host client got 3 echoes through hostfwd=udp::$port-:7" ||
	fail "host echoes: $(grep echoes "$summary") (stderr: $(head -3 "$err"))"
[ ! -s "$err" ] && pass "nothing on stderr" || fail "stderr: $(head -3 "$err")"

# net_csum_offload without CSUM offered: the guest computes full UDP checksums, which slirp
# checks (a wrong one is dropped, and the host would get no echo).
port=$(free_port udp)
python3 "$TEST_TMP/host.py" "$port" "$out" "$err" "${unpriv[@]}" timeout 150 "$vm_bin" \
	-k "$guest" --net "user,hostfwd=udp::$port-:7" -a "net_udp_echo=3 net_csum_offload" \
	>"$summary"
rc=$(sed -n 's/^rc //p' "$summary")
rc=${rc:-255}
expect_rc 0 "reference guest passes on --net user with net_csum_offload"
expect_stdout '^skip net-csum-offload: VIRTIO_NET_F_CSUM not offered: 3 echoes with UDP checksums computed' \
	"no CSUM offered by --net user: the guest says it computes the checksums"
expect_stdout '^ok net-udp-echo: 3 datagrams echoed, UDP checksums computed' \
	"guest echoed 3 datagrams with computed UDP checksums"
grep -q '^echoes 3$' "$summary" && pass "host client got the 3 checksummed echoes through slirp" ||
	fail "checksummed echoes: $(grep echoes "$summary") (stderr: $(head -3 "$err"))"

# Another network, QEMU's net= syntax: the gateway follows (.2), the guest is told its address.
run_user() {
	out=$TEST_TMP/stdout err=$TEST_TMP/stderr
	"${unpriv[@]}" timeout 60 "$vm_bin" -k "$guest" "$@" </dev/null >"$out" 2>"$err"
	rc=$?
}
run_user --net user,net=192.168.76.0/24 -a "net_ip=192.168.76.15 net_gw=192.168.76.2"
expect_rc 0 "guest passes on net=192.168.76.0/24"
expect_stdout '^ok net-ping: echo reply from 192\.168\.76\.2' "gateway 192.168.76.2 answers ping"

# The device's MAC given with the backend's options (QEMU puts it on -device, Firecracker in
# guest_mac): the guest reads it from the config space and the gateway still answers.
run_user --net user,mac=02:00:00:12:34:56 -a "expect_mac=02:00:00:12:34:56"
expect_rc 0 "guest passes with user,mac=02:00:00:12:34:56"
expect_stdout '^ok net-mac: MAC 02:00:00:12:34:56 as expected' "the guest reads the MAC given to --net user"
expect_stdout '^ok net-ping: echo reply from 10\.0\.2\.2' "gateway answers ping from that MAC"

# Started as root with --uid/--gid: the backend thread runs before the drop and must follow
# glibc's id changes (and the jail's setuid(0) check) under its seccomp role.
if [ "$(id -u)" -eq 0 ] && getent group kvm >/dev/null; then
	out=$TEST_TMP/stdout err=$TEST_TMP/stderr
	timeout 60 "$MILLIVM" --uid 65534 --gid "$(getent group kvm | cut -d: -f3)" -k "$REFGUEST" \
		--net user -a "net_gw=10.0.2.2" </dev/null >"$out" 2>"$err"
	rc=$?
	expect_rc 0 "--net user with --uid/--gid (dropped after the backend started)"
	expect_stdout '^ok net-ping: echo reply from 10\.0\.2\.2' "gateway answers ping after the drop"
fi

# Bad input: one line naming the token and the reason, non-zero exit, before the guest runs.
bad() { # description expected-pattern --net-value
	run_user --net "$3"
	if [ "$rc" -ne 0 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -qE "$2" "$err" &&
		! grep -q '^ok ' "$out"; then
		pass "$1: $(cat "$err")"
	else
		fail "$1: rc $rc, stderr '$(head -3 "$err")'"
	fi
}
bad "bad host port" "'hostfwd=tcp::22x-:22': host port '22x'" "user,hostfwd=tcp::22x-:22"
bad "bad guest port" "guest port '99999'" "user,hostfwd=udp::5353-:99999"
bad "bad protocol" "protocol 'icmp'" "user,hostfwd=icmp::1-:1"
bad "malformed forward" "'hostfwd=tcp::2222:22': expected" "user,hostfwd=tcp::2222:22"
bad "unknown option" "unknown option 'bogus'" "user,bogus=1"
bad "bad net" "'net=10.0.2.0/33'" "user,net=10.0.2.0/33"
bad "gateway outside net" "'host=10.1.0.2': not inside" "user,host=10.1.0.2"

# A forward to a host port another program holds: tcp (a listener) and udp (a bound socket).
busy_out=$TEST_TMP/busy
python3 - "$busy_out" "$vm_bin" "$guest" "${unpriv[@]}" >"$TEST_TMP/busy.summary" <<'PY'
import socket, subprocess, sys
out, vm_bin, guest, unpriv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
t = socket.socket(); t.bind(("0.0.0.0", 0)); t.listen()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
for proto, sock, spec in (("tcp", t, "hostfwd=tcp::%d-:22"), ("udp", u, "hostfwd=udp:127.0.0.1:%d-:53")):
    port = sock.getsockname()[1]
    r = subprocess.run(unpriv + ["timeout", "60", vm_bin, "-k", guest, "--net", "user," + spec % port],
                       stdin=subprocess.DEVNULL, capture_output=True, text=True)
    print("%s %d %d %s" % (proto, port, r.returncode, r.stderr.strip().replace("\n", "|")))
PY
while read -r proto port prc msg; do
	if [ "$prc" -ne 0 ] && [[ "$msg" == *"hostfwd $proto "*":$port: cannot listen there: Address already in use" ]] &&
		[[ "$msg" != *"|"* ]]; then
		pass "$proto forward to busy port $port refused: $msg"
	else
		fail "$proto forward to busy port $port: rc $prc, '$msg'"
	fi
done <"$TEST_TMP/busy.summary"
[ "$(wc -l <"$TEST_TMP/busy.summary")" -eq 2 ] || fail "busy-port runs: $(cat "$TEST_TMP/busy.summary")"
finish
