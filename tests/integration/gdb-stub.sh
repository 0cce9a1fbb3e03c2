#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# The gdb stub (--gdb, --gdb-wait) with Debian's gdb in batch mode, on both ELF classes:
#  - the reference guest: stopped at its PVH entry with EBX = start_info, hbreak, break,
#    stepi, control registers, watchpoints, continue to exit status 0; no "'g' packet reply
#    is too long" with the 32-bit ELF;
#  - a spin guest (tests/fixtures/gdb/spin-guest.S): Ctrl-C, memory writes, detach and
#    re-attach, kill, TCP;
#  - tests/lib/gdb_rsp_check.py: the protocol below gdb (garbage, acks, limits, escapes).
. "$(dirname "$0")/../lib/common.sh"
require_kvm
command -v gdb >/dev/null || skip_all "no gdb (apt-get install gdb)"
[ -f "$REFGUEST" ] && [ -f "$REFGUEST32" ] || { fail "no reference guests (make refguest)"; finish; }

FIXTURES=$(dirname "$0")/../fixtures/gdb
VM_PID=

# Start millivm in the background with a gdb socket; waits until it listens. On failure the
# reason is in $start_error (the caller decides whether that is a test failure).
start_vm() { # name kernel gdb-address millivm-args...
	local name=$1 kernel=$2 address=$3
	shift 3
	vm_out=$TEST_TMP/$name.vm.out vm_err=$TEST_TMP/$name.vm.err
	timeout 60 "$MILLIVM" -k "$kernel" --gdb "$address" --gdb-wait "$@" </dev/null \
		>"$vm_out" 2>"$vm_err" &
	VM_PID=$!
	for _ in $(seq 100); do
		grep -q "waiting for gdb" "$vm_err" 2>/dev/null && return 0
		kill -0 "$VM_PID" 2>/dev/null || break
		sleep 0.05
	done
	kill "$VM_PID" 2>/dev/null
	wait "$VM_PID" 2>/dev/null
	VM_PID=
	start_error=$(head -5 "$vm_err")
	return 1
}

# Returns false, so `start_vm ... || start_failed` skips the scenario.
start_failed() {
	fail "millivm did not start listening: ${start_error:-no message}"
	return 1
}

# Wait for the background millivm; sets $vm_rc.
wait_vm() {
	wait "$VM_PID"
	vm_rc=$?
	VM_PID=
}

# gdb in batch mode on a command file; output in $gdb_out.
run_gdb() { # name elf commands...
	local name=$1 elf=$2
	shift 2
	gdb_out=$TEST_TMP/$name.gdb.out
	printf '%s\n' "$@" >"$TEST_TMP/$name.gdb"
	timeout 60 gdb -nx -batch -x "$TEST_TMP/$name.gdb" "$elf" </dev/null >"$gdb_out" 2>&1
}

expect_gdb() { # pattern description
	if grep -qE -- "$1" "$gdb_out"; then pass "$2"; else
		fail "$2: gdb output lacks /$1/"
		sed 's/^/    gdb: /' "$gdb_out" | tail -25
	fi
}

expect_no_gdb() { # pattern description
	if grep -qE -- "$1" "$gdb_out"; then
		fail "$2: gdb printed /$1/"
		grep -E -- "$1" "$gdb_out" | sed 's/^/    gdb: /' | head -5
	else pass "$2"; fi
}

expect_vm_rc() { # status description
	if [ "$vm_rc" -eq "$1" ]; then pass "$2 (exit $vm_rc)"; else
		fail "$2: millivm exit $vm_rc, expected $1"
		sed 's/^/    stderr: /' "$vm_err" | tail -10
	fi
}

cleanup_vm() {
	[ -n "$VM_PID" ] && kill "$VM_PID" 2>/dev/null && wait "$VM_PID" 2>/dev/null
	VM_PID=
}
trap 'cleanup_vm; rm -rf "$TEST_TMP"' EXIT

sym() { # elf symbol -> 0x address, as gdb prints it (no leading zeros)
	nm "$1" | awk -v s="$2" '$3 == s { sub(/^0+/, "", $1); print "0x" $1; exit }'
}

# ---------------------------------------------------------------- the reference guest
for class in 64 32; do
	elf=$REFGUEST
	arch=i386:x86-64
	if [ "$class" = 32 ]; then elf=$REFGUEST32 arch=i386; fi
	sock=$TEST_TMP/ref$class.sock
	start_vm "ref$class" "$elf" "unix:$sock" -a "exit=0" || { start_failed; continue; }
	run_gdb "ref$class" "$elf" \
		"target remote $sock" \
		"show architecture" \
		"info symbol \$pc" \
		"printf \"start_info=%#x\\n\", \$ebx" \
		"info registers cs ss ds cr0 cr3 cr4 efer" \
		"hbreak pvh_entry32" \
		"hbreak long_mode_entry" \
		"continue" \
		"printf \"after=%#x\\n\", \$ebx" \
		"info registers cr0 efer" \
		"stepi" \
		"info symbol \$pc" \
		"delete" \
		"break refguest_main" \
		"continue" \
		"delete" \
		"continue"
	wait_vm
	expect_no_gdb "packet reply is too long" "ELF$class: gdb accepts the register layout"
	expect_gdb "currently \"$arch\"" "ELF$class: target description is $arch"
	expect_gdb "^pvh_entry32 in section" "ELF$class: --gdb-wait stops at the PVH entry"
	expect_gdb "^start_info=0x6000" "ELF$class: EBX holds the start_info address"
	expect_gdb "^cr0 +0x11 +\[ PE ET \]" "ELF$class: CR0 shown with its flags at entry"
	expect_gdb "^efer +0x0 " "ELF$class: EFER shown (0 at entry)"
	expect_gdb "^ds +0x10 " "ELF$class: segment registers shown"
	expect_gdb "Hardware assisted breakpoint 1 at $(sym "$elf" pvh_entry32)" \
		"ELF$class: hbreak on the PVH entry symbol"
	expect_gdb "Breakpoint 2, 0x0*$(sym "$elf" long_mode_entry | sed 's/^0x//') in long_mode_entry" \
		"ELF$class: continue stops at the hardware breakpoint"
	expect_gdb "^after=0x6000" "ELF$class: EBX still start_info at the breakpoint"
	expect_gdb "^cr0 +0x80000011 +\[ PE ET PG \]" "ELF$class: CR0.PG on in long mode"
	expect_gdb "^efer +0x500 +\[ LME LMA \]" "ELF$class: EFER.LMA on in long mode"
	expect_gdb "^long_mode_entry \+ 5 in section" "ELF$class: stepi executes one instruction"
	expect_gdb "Breakpoint 3, 0x[0-9a-f]+ in refguest_main" "ELF$class: break (Z0) stops"
	expect_gdb "exited normally" "ELF$class: gdb sees the guest exit"
	expect_vm_rc 0 "ELF$class: millivm exits with the guest's status"
done

# x86-64 description while the CPU is still in 32-bit mode: 64-bit registers, upper halves 0.
sock=$TEST_TMP/regs.sock
if start_vm regs "$REFGUEST" "unix:$sock" -a "exit=0" || start_failed; then
	run_gdb regs "$REFGUEST" "target remote $sock" "info registers" "kill"
	wait_vm
	expect_gdb "^rbx +0x6000 " "x86-64 view of 32-bit entry: rbx = start_info"
	expect_gdb "^rip +0x[0-9a-f]+ +0x[0-9a-f]+ <pvh_entry32>" "x86-64 view: rip at the entry"
	expect_gdb "^fs_base +0x0 " "x86-64 view: fs_base shown"
	expect_gdb "^cr4 +0x0 " "info registers lists the control registers"
	expect_vm_rc 0 "kill ends millivm with status 0"
fi

# ---------------------------------------------------------------- watchpoints
# Hardware watchpoints need a KVM that reports data breakpoints; the stub probes and says so.
# Where it cannot, gdb's own (single-stepping) watchpoints work through the stub instead.
watch_commands=("watch *(unsigned int *)&boot_start_info" "continue" "delete" "continue")
sock=$TEST_TMP/watch.sock
if start_vm watch "$REFGUEST" "unix:$sock" -a "exit=0" || start_failed; then
	if grep -q "does not report data breakpoints" "$vm_err"; then
		echo "SKIP: hardware watchpoints: this host's KVM does not report data breakpoints"
		run_gdb watch "$REFGUEST" "target remote $sock" "${watch_commands[@]}"
		wait_vm
		expect_gdb "Could not insert hardware watchpoint" \
			"no data breakpoints here: gdb's hardware watch is refused, not faked"
		expect_vm_rc 0 "the guest runs on after gdb gave up"
		start_vm swwatch "$REFGUEST" "unix:$sock" -a "exit=0" || start_failed &&
			run_gdb watch "$REFGUEST" "target remote $sock" \
				"set can-use-hw-watchpoints 0" "${watch_commands[@]}"
	else
		run_gdb watch "$REFGUEST" "target remote $sock" "${watch_commands[@]}"
		expect_gdb "Hardware watchpoint 1" "hardware watchpoint set"
	fi
	if [ -n "$VM_PID" ]; then
		wait_vm
		expect_gdb "New value = 24576" "watchpoint stops when EBX is stored to boot_start_info"
		expect_gdb "exited normally" "the guest runs on to its exit after the watchpoint"
		expect_vm_rc 0 "exit status after the watchpoint"
	fi
fi

# ---------------------------------------------------------------- the spin guest
if ! command -v as >/dev/null || ! command -v ld >/dev/null; then
	echo "SKIP: spin guest tests: no as/ld to build tests/fixtures/gdb/spin-guest.S"
	finish
fi
for class in 32 64; do
	emul=elf_x86_64
	[ "$class" = 32 ] && emul=elf_i386
	spin=$TEST_TMP/spin$class.elf
	as --"$class" -g -o "$TEST_TMP/spin$class.o" "$FIXTURES/spin-guest.S" &&
		ld -m "$emul" -T "$FIXTURES/spin-guest.ld" -o "$spin" "$TEST_TMP/spin$class.o" ||
		{ fail "cannot build the ELF$class spin guest"; continue; }

	# Ctrl-C: gdb forwards SIGINT as 0x03; then memory writes release the loop.
	sock=$TEST_TMP/spin$class.sock
	if start_vm "int$class" "$spin" "unix:$sock" || start_failed; then
		printf '%s\n' "target remote $sock" "continue" "printf \"ecx=%d\\n\", \$ecx" \
			"set var \$ecx = 1234" "printf \"ecx now %d\\n\", \$ecx" \
			"set var *(char *)&spin_status = 3" "set var *(char *)&spin_release = 1" \
			"continue" >"$TEST_TMP/int$class.gdb"
		gdb_out=$TEST_TMP/int$class.gdb.out
		# --foreground: timeout passes our SIGINT on once (else gdb gets it twice and gives
		# up on the target).
		timeout --foreground 60 gdb -nx -batch -x "$TEST_TMP/int$class.gdb" "$spin" \
			</dev/null >"$gdb_out" 2>&1 &
		gdb_pid=$!
		sleep 1.5
		kill -INT "$gdb_pid"
		wait "$gdb_pid"
		wait_vm
		expect_gdb "received signal SIGINT" "ELF$class: Ctrl-C stops the running guest"
		expect_gdb "^ecx=[1-9][0-9]*" "ELF$class: the guest ran before the interrupt"
		expect_gdb "^ecx now 1234" "ELF$class: register write (P) takes effect"
		expect_gdb "exited with code 03" "ELF$class: memory writes release it, exit 3 seen"
		expect_vm_rc 3 "ELF$class: millivm exits with the released status"
	fi
done

spin=$TEST_TMP/spin64.elf
# Detach: the VM runs on; a second gdb attaches to the running VM and stops it.
sock=$TEST_TMP/detach.sock
if start_vm detach "$spin" "unix:$sock" || start_failed; then
	run_gdb detach1 "$spin" "target remote $sock" "detach"
	expect_gdb "Remote target\) detached|Detaching from" "detach accepted"
	sleep 0.5
	kill -0 "$VM_PID" 2>/dev/null && pass "the VM runs on after detach" ||
		fail "millivm ended after detach"
	run_gdb detach2 "$spin" "target remote $sock" "printf \"ecx=%d\\n\", \$ecx" \
		"set var *(char *)&spin_status = 5" "set var *(char *)&spin_release = 1" "continue"
	wait_vm
	expect_gdb "^ecx=[1-9][0-9]*" "a second gdb attaches to the running VM and stops it"
	expect_gdb "exited with code 05" "second session drives the guest to exit"
	expect_vm_rc 5 "exit status after detach and re-attach"
fi

# One debugger at a time: a second connection is closed at once, the first carries on.
sock=$TEST_TMP/second.sock
if start_vm second "$spin" "unix:$sock" || start_failed; then
	run_gdb first "$spin" "target remote $sock" "shell sleep 2" \
		"set var *(char *)&spin_release = 1" "continue" &
	first_pid=$!
	sleep 0.7
	run_gdb second "$spin" "target remote $sock" "info registers eip"
	expect_gdb "Target disconnected|Connection reset|Connection closed|Broken pipe" \
		"a second gdb is turned away while one is connected"
	wait "$first_pid"
	gdb_out=$TEST_TMP/first.gdb.out
	expect_gdb "exited normally" "the first gdb carries on undisturbed"
	wait_vm
	grep -q "refused a second debugger connection" "$vm_err" &&
		pass "millivm says why it closed the second connection" ||
		fail "no message about the refused second connection"
fi

# TCP, default host, "target remote :PORT".
for attempt in 1 2 3; do
	port=$((20000 + RANDOM % 40000))
	if start_vm tcp "$spin" "tcp:$port"; then break; fi
	grep -q "in use" "$vm_err" || break
done
[ -n "$VM_PID" ] || start_failed
if [ -n "$VM_PID" ]; then
	run_gdb tcp "$spin" "target remote 127.0.0.1:$port" "set var *(char *)&spin_release = 1" \
		"continue"
	wait_vm
	expect_gdb "exited normally" "gdb over TCP (tcp:PORT on 127.0.0.1)"
	expect_vm_rc 0 "TCP session ends with the guest's status"
fi

# The protocol below gdb.
if command -v python3 >/dev/null; then
	for class in 32 64; do
		spin=$TEST_TMP/spin$class.elf
		sock=$TEST_TMP/rsp$class.sock
		[ -f "$spin" ] || continue
		start_vm "rsp$class" "$spin" "unix:$sock" || { start_failed; continue; }
		python3 "$(dirname "$0")/../lib/gdb_rsp_check.py" "$sock" "$class" \
			"$(sym "$spin" spin_loop)" "$(sym "$spin" spin_release)" |
			sed "s/^\(PASS\|FAIL\): /\1: ELF$class protocol: /"
		[ "${PIPESTATUS[0]}" -eq 0 ] || fail "ELF$class protocol checks"
		wait_vm
		expect_vm_rc 9 "ELF$class protocol session ends with the guest's exit"
	done
else
	echo "SKIP: protocol checks: no python3"
fi

finish
