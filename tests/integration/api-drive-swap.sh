#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# PATCH /drives/{id} with a new path_on_host while the guest runs (Firecracker's drive swap),
# and the block metrics. The reference guest writes, flushes and reads back its first disk and
# reads its second, read-only one (virtio_blk=rw,ro), spins, then reads sector 0 of the first
# disk again (blk_reread); during the spin the host swaps both images. What the host checks:
# the answers, the locks (flock -n), GET /vm/config, the block metrics against what the guest
# did, and the guest's late read, which must show the new image's first bytes and capacity.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
require_curl
command -v flock >/dev/null || skip_all "flock(1) is not installed (util-linux)"
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

OLD=$TEST_TMP/old.img        # the root disk at boot (1 MiB)
NEW=$TEST_TMP/new.img        # what it becomes (2 MiB, a text in sector 0)
BUSY=$TEST_TMP/busy.img      # locked by someone else
RO_OLD=$TEST_TMP/ro-old.img  # the read-only disk at boot
RO_NEW=$TEST_TMP/ro-new.img
METRICS=$TEST_TMP/fc.metrics

locked() { ! flock -n "$@" true; } # locked [-s] FILE: someone holds a conflicting lock

# Every PASS/FAIL line says which engine it is about.
tag=
pass() { echo "PASS: $tag$*"; }
fail() { echo "FAIL: $tag$*"; test_failures=$((test_failures + 1)); }

# The whole scenario with one io_engine (Sync: I/O on the vCPU; Async: io_uring).
swap_scenario() {
	local engine=$1
	tag="[$engine] "
	rm -f "$OLD" "$NEW" "$BUSY" "$RO_OLD" "$RO_NEW"
	truncate -s 1M "$OLD" "$BUSY" "$RO_OLD" "$RO_NEW"
	printf 'MILLIVM-SWAPPED-IMAGE\n' >"$NEW"
	truncate -s 2M "$NEW"
	: >"$METRICS"

	start_api || return
	expect PUT /boot-source "{\"kernel_image_path\": \"$REFGUEST\", \"boot_args\": \"virtio_blk=rw,ro spin=4000 blk_reread\"}" \
		204 "boot-source: disk checks, a 4 s spin, then disk 0 read again"
	expect PUT /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$OLD\", \"is_root_device\": true, \"is_read_only\": false, \"io_engine\": \"$engine\"}" \
		204 "root drive (vda)"
	expect PUT /drives/data "{\"drive_id\": \"data\", \"path_on_host\": \"$RO_OLD\", \"is_root_device\": false, \"is_read_only\": true, \"io_engine\": \"$engine\"}" \
		204 "read-only drive (vdb)"
	expect PUT /metrics "{\"metrics_path\": \"$METRICS\"}" 204 "metrics"
	expect PUT /actions '{"action_type": "InstanceStart"}' 204 "InstanceStart"

	# The disk checks are done once blk-irq is reported; the spin follows.
	for _ in $(seq 1000); do
		grep -q 'blk-irq' "$mv_out" && break
		kill -0 "$MV_PID" 2>/dev/null || break
		sleep 0.01
	done
	grep -q '^ok blk-read' "$mv_out" && pass "the guest wrote, flushed and read back its disk" ||
		fail "no blk-read line: $(cat "$mv_out")"
	expect PUT /actions '{"action_type": "FlushMetrics"}' 204 "FlushMetrics after the disk checks"

	locked "$OLD" && pass "the running image is locked (exclusive)" || fail "$OLD is not locked"
	locked "$RO_OLD" && ! locked -s "$RO_OLD" && pass "the read-only image has a shared lock" ||
		fail "$RO_OLD: not share-locked"

	# --- refused swaps change nothing -------------------------------------------------
	expect_fault PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$TEST_TMP/missing.img\"}" \
		"a new image that does not exist" "drive 'rootfs': path_on_host: .*missing.img: cannot be opened read-write: No such file"
	exec {busy_fd}<"$BUSY"
	flock -n "$busy_fd"
	expect_fault PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$BUSY\"}" \
		"a new image locked by another process" "in use by another process"
	exec {busy_fd}<&-
	expect_fault PATCH /drives/rootfs '{"drive_id": "rootfs", "path_on_host": "/dev/null"}' \
		"a character device" "/dev/null: not a regular file or block device"
	locked "$OLD" && pass "after the refusals the old image is still in use" || fail "$OLD was let go"
	! locked "$BUSY" && pass "the refused image was not kept" || fail "$BUSY still locked"
	expect GET /vm/config - 200 "vm/config still shows the old image" "\"path_on_host\":\"$OLD\""

	# --- the swap -----------------------------------------------------------------------
	expect PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$NEW\"}" 204 \
		"swap the root disk's image while the guest runs"
	! locked "$OLD" && pass "the old image's lock is released" || fail "$OLD still locked"
	locked "$NEW" && pass "the new image is locked" || fail "$NEW is not locked"
	expect GET /vm/config - 200 "vm/config shows the new image" "\"drive_id\":\"rootfs\"[^}]*\"path_on_host\":\"$NEW\""

	# A swap while paused: nothing needs the vCPUs.
	expect PATCH /vm '{"state": "Paused"}' 204 "pause"
	expect PATCH /drives/data "{\"drive_id\": \"data\", \"path_on_host\": \"$RO_NEW\"}" 204 \
		"swap the read-only disk's image while paused"
	expect PATCH /vm '{"state": "Resumed"}' 204 "resume"
	locked "$RO_NEW" && ! locked -s "$RO_NEW" && pass "the read-only disk's new image: a shared lock (opened read-only)" ||
		fail "$RO_NEW: not share-locked"
	! locked "$RO_OLD" && pass "the read-only disk's old image is free" || fail "$RO_OLD still locked"
	expect PATCH /drives/rootfs "{\"drive_id\": \"rootfs\", \"path_on_host\": \"$NEW\"}" 204 \
		"the same image again (a resize notice)"
	locked "$NEW" && pass "the same image again: still locked" || fail "$NEW lost its lock"

	wait_api 30
	expect_rc 0 "the guest passes its checks and exits 0"
	expect_stdout 'disk 0 read again: 4096 sectors, sector 0 starts "MILLIVM-SWAPPED-IMAGE\.' \
		"the guest's late read sees the new image: its capacity and its first bytes"
	expect_stdout '^millivm-refguest: PASS' "verdict line"
	head -c 17 "$OLD" | grep -q '^MILLIVM-PATTERN-0' && pass "the guest's writes went to the old image" ||
		fail "old image: $(head -c 32 "$OLD" | od -c | head -2)"
	head -c 21 "$NEW" | grep -q '^MILLIVM-SWAPPED-IMAGE' && pass "the new image was only read" ||
		fail "new image: $(head -c 32 "$NEW" | od -c | head -2)"
	! locked "$NEW" && pass "no lock left after exit" || fail "$NEW still locked after exit"

	# The guest: rw on vda = GET_ID, one 8-sector write, a flush, one 8-sector read; ro on vdb =
	# GET_ID, a 1-sector read, a write refused; blk_reread = one more 1-sector read on vda.
	python3 - "$METRICS" <<-'PY' && pass "block metrics: ops, bytes, refusals and swaps as the guest and the API did them" || fail "metrics: $(tail -c 1500 "$METRICS")"
	import json, sys
	lines = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
	assert len(lines) >= 2, len(lines)
	def total(sec):
	    keys = lines[-1][sec].keys()
	    return {k: sum(l[sec][k] for l in lines) for k in keys}
	root, data, block = total("block_rootfs"), total("block_data"), total("block")
	want_root = dict(write_count=1, write_bytes=4096, flush_count=1, read_count=2,
	                 read_bytes=4096 + 512, invalid_reqs_count=0, execute_fails=0,
	                 update_count=2, update_fails=3)
	want_data = dict(write_count=0, write_bytes=0, read_count=1, read_bytes=512,
	                 invalid_reqs_count=1, execute_fails=0, update_count=1, update_fails=0)
	for got, want, name in ((root, want_root, "rootfs"), (data, want_data, "data")):
	    for k, v in want.items():
	        assert got[k] == v, (name, k, got[k], v)
	assert root["queue_event_count"] >= 5, root   # a notify per request (and any spurious one)
	for k in block:
	    assert block[k] == root[k] + data[k], (k, block[k], root[k], data[k])
	# The first line (after the disk checks, before the swaps): the guest's I/O, no swap yet.
	first = next(l for l in lines if l["block_rootfs"]["write_count"])
	assert first["block_rootfs"]["update_count"] == 0 and first["block_rootfs"]["read_count"] == 1
	assert sum(l["patch_api_requests"]["drive_count"] for l in lines) == 6
	assert sum(l["patch_api_requests"]["drive_fails"] for l in lines) == 3
	PY
}

swap_scenario Sync
swap_scenario Async
finish
