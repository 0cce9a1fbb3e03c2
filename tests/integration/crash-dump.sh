#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# When the guest dies (triple fault) millivm prints a decoded register dump and exits 120.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" -a "fault=triple"
expect_rc 120 "triple fault ends the VM with the crash status"
for field in "triple fault" "RIP=" "RFL=" "CS =" "CR0=" "CR3=" "CR4=" "EFER=" "GDT=" "IDT=" "Code="; do
	grep -qF -- "$field" "$err" && pass "dump shows $field" || fail "dump lacks '$field'"
done
grep -q "Mode: long 64-bit" "$err" && pass "dump decodes long mode" || fail "mode not decoded"
grep -qE "Code=.*<[0-9a-f]{2}>" "$err" && pass "code bytes around RIP are marked" ||
	fail "no <..> marker in code bytes"

run_millivm -k "$REFGUEST" -a "fault=ud"
expect_rc 99 "an exception inside the guest is reported by the guest itself"
expect_stdout "EXCEPTION 6" "the guest names #UD"
finish
