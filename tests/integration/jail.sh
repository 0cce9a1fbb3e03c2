#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# millivm as an unprivileged user (read/write on /dev/kvm and its files only), and started as
# root with --uid/--gid/--chroot: it opens what it needs, then runs the guest jailed with no
# capabilities.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ "$(id -u)" -eq 0 ] || skip_all "needs root to create the unprivileged setup"
command -v setpriv >/dev/null || skip_all "setpriv missing (apt-get install util-linux)"
command -v setfacl >/dev/null || skip_all "setfacl missing (apt-get install acl)"
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

NOBODY=65534
chmod 755 "$TEST_TMP"
cp "$REFGUEST" "$TEST_TMP/kernel"
cp "$MILLIVM" "$TEST_TMP/millivm"
truncate -s 1M "$TEST_TMP/disk"
chown $NOBODY:$NOBODY "$TEST_TMP/disk"
chmod 644 "$TEST_TMP/kernel"
mkdir "$TEST_TMP/jail"

# Unprivileged: an ACL gives the user /dev/kvm, nothing else changes.
setfacl -m u:$NOBODY:rw /dev/kvm
trap 'setfacl -x u:$NOBODY /dev/kvm; rm -rf "$TEST_TMP"' EXIT
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups --inh-caps=-all \
	"$TEST_TMP/millivm" -k "$TEST_TMP/kernel" -d "$TEST_TMP/disk" \
	-a "quiet expect_mem=256M virtio_blk=rw" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err"
rc=$?
[ "$rc" -eq 0 ] && pass "unprivileged user boots the reference guest with a disk" ||
	fail "unprivileged run: exit $rc: $(head -3 "$TEST_TMP/err")"
grep -q "MILLIVM-PATTERN" "$TEST_TMP/disk" && pass "unprivileged run wrote the guest's pattern to the disk" ||
	fail "no pattern on the disk after the unprivileged run"
setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$TEST_TMP/millivm" -k "$TEST_TMP/kernel" \
	--uid 1000 --gid 1000 </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "need millivm to be started as root" "$TEST_TMP/err" &&
	pass "--uid as an unprivileged user is refused clearly" || fail "--uid unprivileged: exit $rc $(cat "$TEST_TMP/err")"

# Jailed: started as root, inspected while the guest spins. (In ASan builds LeakSanitizer
# reads /proc at exit, which the empty jail does not have: leak checks off for this run.)
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 "$TEST_TMP/millivm" --uid $NOBODY --gid $NOBODY --chroot "$TEST_TMP/jail" -k "$TEST_TMP/kernel" \
	-d "$TEST_TMP/disk" --rng -a "quiet spin=1500" </dev/null >"$TEST_TMP/out" 2>"$TEST_TMP/err" &
pid=$!
for _ in $(seq 50); do
	sleep 0.1
	grep -qs vcpu0 /proc/$pid/task/*/comm && break
done
sleep 0.3
uids=$(grep -h '^Uid:' /proc/$pid/task/*/status | sort -u)
gids=$(grep -h '^Gid:' /proc/$pid/task/*/status | sort -u)
caps=$(grep -hE '^Cap(Eff|Prm|Inh|Amb):' /proc/$pid/task/*/status | awk '{print $2}' | sort -u)
bnd=$(awk '/^CapBnd:/ {print $2}' /proc/$pid/status)
groups=$(awk '/^Groups:/ {print $2}' /proc/$pid/status)
root=$(readlink /proc/$pid/root)
wait $pid
rc=$?
[ "$rc" -eq 0 ] && pass "jailed guest passes (exit 0)" || fail "jailed run: exit $rc: $(head -3 "$TEST_TMP/err")"
[ "$(echo "$uids" | wc -l)" -eq 1 ] && echo "$uids" | grep -qE "^Uid:\s+$NOBODY\s+$NOBODY\s+$NOBODY\s+$NOBODY$" &&
	pass "every thread runs as uid $NOBODY (real, effective, saved, fs)" || fail "uids: $uids"
echo "$gids" | grep -qE "^Gid:\s+$NOBODY\s+$NOBODY\s+$NOBODY\s+$NOBODY$" &&
	pass "every thread runs as gid $NOBODY" || fail "gids: $gids"
[ "$caps" = "0000000000000000" ] && pass "no capabilities left in any thread" || fail "caps: $caps"
[ "$bnd" = "0000000000000000" ] && pass "bounding set empty" || fail "CapBnd $bnd"
[ -z "$groups" ] && pass "no supplementary groups" || fail "groups: $groups"
[ "$root" = "$TEST_TMP/jail" ] && pass "root directory is the jail" || fail "root is $root"

# Bad jail options.
run_millivm -k "$REFGUEST" --chroot "$TEST_TMP/jail"
[ "$rc" -eq 1 ] && grep -q "needs --uid and --gid" "$err" && pass "--chroot alone refused" || fail "--chroot alone: $rc $(cat "$err")"
run_millivm -k "$REFGUEST" --uid 5
[ "$rc" -eq 1 ] && grep -q "go together" "$err" && pass "--uid without --gid refused" || fail "--uid alone: $rc"
run_millivm -k "$REFGUEST" --uid $NOBODY --gid $NOBODY --chroot "$TEST_TMP/none"
[ "$rc" -eq 1 ] && grep -q "chroot .*No such file" "$err" && pass "missing jail directory refused" || fail "missing jail dir: $rc $(cat "$err")"
finish
