#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# int3 and int n in protected and long mode (tests/fixtures/softint/softint-guest.S): the
# guest's handlers must run, see the right return address and return. Hosts whose KVM cannot
# emulate these instructions (this workplace's kvm_pvm) need millivm's fallback, on by
# default; with --no-emulate-soft-int the same guest ends with the register dump (exit 120).
# On hosts whose KVM runs them itself the guest passes either way: the test says which.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
FIXTURES=tests/fixtures/softint
ALL_HANDLERS=95 # 0x40 | 5 bits: PM int3, PM int 0x80, LM int3, LM int 0x80, LM prefixed int 0x81

command -v as >/dev/null && command -v ld >/dev/null ||
	skip_all "no as/ld to build $FIXTURES/softint-guest.S"
guest=$TEST_TMP/softint.elf
if ! as --64 -o "$TEST_TMP/softint.o" "$FIXTURES/softint-guest.S" ||
	! ld -m elf_x86_64 -T "$FIXTURES/softint-guest.ld" -o "$guest" "$TEST_TMP/softint.o"; then
	fail "cannot build $FIXTURES/softint-guest.S"
	finish
fi

handlers_seen() { # the bits of an exit status that is not ALL_HANDLERS
	local bits=$(($1 & 0x1f)) names=()
	[ $((bits & 1)) -ne 0 ] && names+=("PM int3")
	[ $((bits & 2)) -ne 0 ] && names+=("PM int 0x80")
	[ $((bits & 4)) -ne 0 ] && names+=("LM int3")
	[ $((bits & 8)) -ne 0 ] && names+=("LM int 0x80")
	[ $((bits & 16)) -ne 0 ] && names+=("LM prefixed int 0x81")
	echo "${names[*]:-none}"
}

# Without the fallback: either this KVM emulates them (the guest passes) or it stops with
# the crash dump on the first int3.
run_millivm --no-emulate-soft-int -k "$guest"
if [ "$rc" -eq "$ALL_HANDLERS" ]; then
	host_emulates=true
	pass "this host's KVM runs int3 and int n itself: all five handlers ran (exit $rc)"
	grep -q "delivers software interrupts" "$err" &&
		fail "--no-emulate-soft-int still delivered an interrupt"
elif [ "$rc" -eq 120 ]; then
	host_emulates=false
	pass "this host's KVM cannot emulate int3: --no-emulate-soft-int stops with the crash status"
	grep -q "KVM internal error: suberror 1 (emulation failure)" "$err" &&
		pass "the reason is KVM's emulation failure" ||
		fail "no emulation failure named: $(head -1 "$err")"
	grep -q "Code=.*<cc>" "$err" && pass "the register dump shows the int3 at RIP" ||
		fail "register dump lacks <cc> at RIP"
	grep -q "delivers software interrupts" "$err" &&
		fail "the fallback notice was printed with --no-emulate-soft-int"
else
	host_emulates=unknown
	fail "without the fallback: exit $rc (expected $ALL_HANDLERS or 120); handlers: $(handlers_seen "$rc")"
	sed 's/^/    stderr: /' "$err" | head -5
fi

# The default: the fallback delivers them when KVM cannot, with one notice.
run_millivm -k "$guest"
expect_rc "$ALL_HANDLERS" "default: all five handlers ran and returned to the next instruction"
[ "$rc" -ne "$ALL_HANDLERS" ] && echo "    handlers that ran: $(handlers_seen "$rc")"
notices=$(grep -c "delivers software interrupts" "$err")
if [ "$host_emulates" = false ]; then
	[ "$notices" -eq 1 ] && pass "one notice for five delivered interrupts" ||
		fail "$notices fallback notices, expected 1"
	grep -q "KVM cannot emulate int3 at RIP 0x100047" "$err" &&
		pass "the notice names the instruction and its RIP" || fail "notice: $(cat "$err")"
	echo "host: KVM cannot emulate int3/int n here; millivm's fallback delivered them"
elif [ "$host_emulates" = true ]; then
	[ "$notices" -eq 0 ] && pass "no notice: the fallback was not needed" ||
		fail "fallback notice on a host whose KVM emulates int3"
	echo "host: KVM emulates int3/int n itself; the fallback was not exercised"
fi

# --emulate-soft-int: the same, without the notice.
run_millivm --emulate-soft-int -k "$guest"
expect_rc "$ALL_HANDLERS" "--emulate-soft-int: all five handlers ran"
grep -q "delivers software interrupts" "$err" && fail "--emulate-soft-int printed the notice" ||
	pass "--emulate-soft-int is quiet"
finish
