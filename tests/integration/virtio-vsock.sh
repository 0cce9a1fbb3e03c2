#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# virtio-vsock with Firecracker's hybrid Unix sockets, driven by the reference guest and
# tests/lib/vsock_host.py: host-initiated CONNECT/OK and a 100 KiB echo through the credit
# window, half-close, RST for a port nobody listens on, a guest-initiated connection to
# PATH_P, a host peer that stops reading, hostile packets, and bad --vsock values.
. "$(dirname "$0")/../lib/common.sh"
HOST_PY=$(dirname "$0")/../lib/vsock_host.py

[ -x "$MILLIVM" ] || { fail "no monitor at $MILLIVM (run make)"; finish; }
command -v python3 >/dev/null || skip_all "no python3"

# expect_refusal DESCRIPTION PATTERN -- millivm arguments...: one line, exit 1
expect_refusal() {
	local what=$1 pattern=$2
	shift 3
	run_millivm "$@"
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -qE -- "^millivm: .*$pattern" "$err"; then
		pass "$what: $(cat "$err")"
	else
		fail "$what: exit $rc, stderr:"; sed 's/^/    stderr: /' "$err" | head -5
	fi
}

S=$TEST_TMP/v.sock
expect_refusal "cid 2 (the host's)" "--vsock cid: 2 is out of range" -- -k "$REFGUEST" --vsock cid=2,uds=$S
expect_refusal "cid 2^32-1" "out of range" -- -k "$REFGUEST" --vsock cid=4294967295,uds=$S
expect_refusal "cid not a number" "--vsock cid: 'x' is not a number" -- -k "$REFGUEST" --vsock cid=x,uds=$S
expect_refusal "no uds" "--vsock: needs cid=N and uds=PATH" -- -k "$REFGUEST" --vsock cid=3
expect_refusal "unknown option" "--vsock: unknown option 'port=1'" -- -k "$REFGUEST" --vsock cid=3,uds=$S,port=1

require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
expect_refusal "uds in a missing directory" "cannot bind: No such file or directory" -- \
	-k "$REFGUEST" --vsock cid=3,uds=$TEST_TMP/missing/v.sock -a exit=0
touch "$TEST_TMP/plain"
expect_refusal "uds path is a regular file" "exists and is not a socket" -- \
	-k "$REFGUEST" --vsock cid=3,uds=$TEST_TMP/plain -a exit=0
python3 -c "import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])" "$TEST_TMP/stale"
run_millivm -k "$REFGUEST" --vsock cid=3,uds=$TEST_TMP/stale -a "expect_cid=3"
expect_rc 0 "a stale socket file is replaced; guest reads guest_cid 3"

# run_with_host NAME HOST_ARGS... -- GUEST_CMDLINE: millivm beside vsock_host.py
run_with_host() {
	local name=$1; shift
	local host_args=()
	while [ "$1" != -- ]; do host_args+=("$1"); shift; done
	shift
	rm -f "$S" "$S"_*
	python3 "$HOST_PY" "$S" "${host_args[@]}" >"$TEST_TMP/host-$name" 2>&1 &
	local host_pid=$!
	while ! grep -q ready "$TEST_TMP/host-$name" 2>/dev/null; do sleep 0.05; done
	out=$TEST_TMP/stdout err=$TEST_TMP/stderr
	timeout 120 "$MILLIVM" -k "$REFGUEST" --vsock cid=42,uds=$S -a "$1" </dev/null >"$out" 2>"$err"
	rc=$?
	sleep 0.5
	kill "$host_pid" 2>/dev/null; wait "$host_pid" 2>/dev/null
	grep -E '^(PASS|FAIL): ' "$TEST_TMP/host-$name" | while read -r line; do echo "$line"; done
	test_failures=$((test_failures + $(grep -c '^FAIL: ' "$TEST_TMP/host-$name")))
	if grep -qE 'Traceback' "$TEST_TMP/host-$name"; then
		fail "$name: host script crashed"; sed 's/^/    host: /' "$TEST_TMP/host-$name" | tail -5
	fi
}

run_with_host echo echo 1234 --hello 4000 -- "expect_cid=42 vsock_listen=1234 vsock_connect=4000"
expect_rc 0 "guest: listen, echo, connect"
expect_stdout '^ok vsock-cid: guest_cid 42' "guest reads guest_cid 42"
expect_stdout '^ok vsock-accept: port 1234 from host port [0-9]+ ' "guest accepted the host's CONNECT"
expect_stdout '^ok vsock-echo: 102400 bytes echoed, host shut down' "guest echoed 100 KiB and saw the half-close"
expect_stdout '^ok vsock-connect: host port 4000 answered "hello guest"' "guest-initiated connection to PATH_4000"
expect_stdout '^millivm-refguest: PASS' "guest verdict PASS"

# Nobody at PATH_4000: the guest's connection is refused (RST), the VM goes on.
run_with_host refused none 0 -- "vsock_connect=4000"
expect_rc 38 "guest connection to a port with no host listener is refused (vsock-connect fails)"
if grep -q 'refused the connection (RST)' "$out"; then pass "refusal is an RST"
else fail "no RST for the refused connection"; sed 's/^/    stdout: /' "$out" | tail -5; fi

# A host peer that sends 1 MiB and never reads: the guest gives up on it, its other
# connection still works and the VM exits.
run_with_host stall stall 1234 --hello 4000 -- "vsock_listen=1234 vsock_connect=4000"
expect_rc 0 "VM finishes with a host peer that stopped reading"
expect_stdout '^skip vsock-echo: host stopped reading' "guest saw no credit from the stalled peer"
expect_stdout '^ok vsock-connect: host port 4000 answered' "another connection works beside the stalled one"

# Hostile packets; the credit overrun goes to PATH_4001, a listener that never reads.
# The host's CONNECT may arrive during the hostile cases: it is refused or times out, and the
# retry reaches the guest's echo afterwards.
run_with_host hostile plain-echo 1234 --hello 4000 --sink 4001 -- \
	"hostile=vsockop,vsocktype,vsocklen,vsockshort,vsockunknown,vsockcredit vsock_listen=1234 vsock_connect=4000"
expect_rc 0 "VM survives hostile vsock packets"
for kind in vsockop vsocktype vsocklen vsockshort vsockunknown vsockcredit; do
	expect_stdout "^ok vsock-hostile: $kind: rejected" "$kind rejected, device still answers"
done
expect_stdout '^ok vsock-echo: 102400 bytes echoed' "an echo after the hostile packets"
expect_stdout '^ok vsock-connect: host port 4000 answered' "a good connection after the hostile ones"
if grep -q 'credit overrun' "$err"; then pass "monitor logs the credit overrun"
else fail "no credit overrun line on stderr"; fi

finish
