#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# Every millivm thread runs under a seccomp filter (mode 2 in /proc) by default, and the
# switches to log or disable the filters work. The kill-on-forbidden-call behaviour itself
# is tested in tests/unit/test_sandbox.c.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

# A guest that spins for a while, so the threads can be inspected.
check_threads() { # expected seccomp mode, description, extra millivm options...
	local want=$1 what=$2
	shift 2
	"$MILLIVM" -k "$REFGUEST" -a "quiet spin=1500" -d "$TEST_TMP/disk" --rng "$@" \
		</dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
	local pid=$! modes="" names="" tries=0
	while [ "$tries" -lt 50 ]; do
		sleep 0.1
		tries=$((tries + 1))
		names=$(cat /proc/$pid/task/*/comm 2>/dev/null | sort | tr '\n' ' ')
		case $names in *vcpu0*) break ;; esac
	done
	sleep 0.3 # main() enters its role just after starting the vCPUs
	modes=$(grep -h '^Seccomp:' /proc/$pid/task/*/status 2>/dev/null | awk '{print $2}' | sort -u | tr '\n' ' ')
	wait $pid
	local rc=$?
	[ "$rc" -eq 0 ] && pass "$what: guest passes (exit 0)" || fail "$what: exit $rc: $(head -3 "$TEST_TMP/err")"
	[ "$modes" = "$want " ] && pass "$what: every thread ($names) has seccomp mode $want" ||
		fail "$what: seccomp modes '$modes' for threads '$names', expected only $want"
}

truncate -s 1M "$TEST_TMP/disk"
check_threads 2 "default (filters enforced)"
check_threads 2 "--seccomp-log" --seccomp-log
check_threads 0 "--no-seccomp" --no-seccomp
finish
