#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# --config-file: Firecracker's JSON boots the reference guest with --no-api (disks in the
# right order, read-only where asked, entropy, logger and metrics files), each bad fixture
# is one line naming the key, and with --api-sock the VM starts at once while the API
# serves it.
. "$(dirname "$0")/../lib/common.sh"
. "$(dirname "$0")/../lib/api.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }
FIX=tests/fixtures/api

truncate -s 1M "$TEST_TMP/root.img" "$TEST_TMP/data.img"
: >"$TEST_TMP/log"
: >"$TEST_TMP/metrics"
# fixture [sed expression...] -> $TEST_TMP/vm.json with the placeholders filled in
fixture() {
	local name=$1
	shift
	sed -e "s|@KERNEL@|$REFGUEST|g; s|@DISK1@|$TEST_TMP/root.img|g; s|@DISK2@|$TEST_TMP/data.img|g" \
		-e "s|@LOG@|$TEST_TMP/log|g; s|@METRICS@|$TEST_TMP/metrics|g" "$@" \
		"$FIX/$name" >"$TEST_TMP/vm.json"
}

# --- the full fixture: the guest checks what it was given ------------------------------
fixture vm-full.json -e 's|quiet expect_mem=128M|expect_mem=128M expect_cpus=2 virtio_blk=rw,ro virtio_rng=16|'
run_millivm --config-file "$TEST_TMP/vm.json" --no-api
expect_rc 0 "vm-full.json boots the reference guest (2 vCPUs, 128 MiB, 2 disks, entropy)"
expect_stdout '^ok blk-id: disk 0: serial "rootfs"' "the root drive is the first disk, its id the serial"
expect_stdout '^ok blk-ro: disk 1' "the data drive is read-only, as is_read_only says"
expect_stdout '^ok rng: 16 bytes' "\"entropy\": {} gives a virtio-rng device"
expect_stdout 'root=/dev/vda rw' "root=/dev/vda rw is appended for the root device"
grep -q '\[anonymous-instance:[^]]*:Info:src/api/frontend.c:[0-9]*\] Running millivm' "$TEST_TMP/log" &&
	pass "logger: level and origin shown, as configured" || fail "logger file: $(head -3 "$TEST_TMP/log")"
python3 - "$TEST_TMP/metrics" <<'PY' && pass "metrics: a JSON line with vCPU exits and boot times" || fail "metrics file"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) >= 1, lines
m = json.loads(lines[-1])
assert m["vcpu"]["exit_io_out"] > 0 and m["vcpu"]["exit_mmio_write"] > 0, m["vcpu"]
assert m["boot"]["guest_entry_us"] > m["boot"]["instance_start_us"] > 0, m["boot"]
assert m["boot"]["boot_timer_us"] > m["boot"]["guest_entry_us"], m["boot"]
assert isinstance(m["utc_timestamp_ms"], int)
PY

fixture vm-minimal.json
run_millivm --config-file "$TEST_TMP/vm.json" --no-api
expect_rc 0 "vm-minimal.json: Firecracker's defaults (1 vCPU, 128 MiB) pass expect_mem=128M"

# --- refusals: exit 1, one line naming the problem -------------------------------------
check_refusal() { # fixture-or-file words description
	run_millivm --config-file "$1" --no-api
	if [ "$rc" -eq 1 ] && [ "$(wc -l <"$err")" -eq 1 ] && grep -qF -- "$2" "$err"; then
		pass "$3: $(cat "$err")"
	else
		fail "$3: exit $rc, stderr: $(cat "$err")"
	fi
}
for case in "bad-unknown-section.json:unknown section 'mmds'" \
	"bad-unknown-key.json:machine-config: unknown key 'vcpus'" \
	"bad-wrong-type.json:'mem_size_mib' must be an integer, not a string" \
	"bad-network.json:network-interfaces[0]: 'rx_rate_limiter' is not supported" \
	"bad-two-roots.json:is already the root device" \
	"bad-syntax.json:invalid JSON at line 4" \
	"bad-duplicate-key.json:duplicate object key"; do
	fixture "${case%%:*}"
	check_refusal "$TEST_TMP/vm.json" "${case#*:}" "${case%%:*}"
done
fixture vm-full.json -e "s|$TEST_TMP/log|$TEST_TMP/no-such-log|"
check_refusal "$TEST_TMP/vm.json" "log_path '$TEST_TMP/no-such-log': no such file" \
	"a missing log file is an error, not created (as Firecracker)"
[ ! -e "$TEST_TMP/no-such-log" ] && pass "the log file was not created" || fail "log file created"
fixture vm-full.json -e "s|$TEST_TMP/data.img|$TEST_TMP/missing.img|"
check_refusal "$TEST_TMP/vm.json" "'$TEST_TMP/missing.img' cannot be opened" "a missing drive file"
check_refusal "$TEST_TMP/none.json" "--config-file $TEST_TMP/none.json: No such file" "a missing config file"

# --- option combinations ---------------------------------------------------------------
fixture vm-minimal.json
run_millivm --config-file "$TEST_TMP/vm.json" -k "$REFGUEST"
expect_rc 1 "-k with --config-file is refused"
grep -q -- "-k/--kernel cannot be combined with --config-file" "$err" && pass "the message names -k" ||
	fail "message: $(cat "$err")"
run_millivm --config-file "$TEST_TMP/vm.json" -m 512M
grep -q -- "-m/--memory cannot be combined" "$err" && pass "-m with --config-file is refused" ||
	fail "-m: $(cat "$err")"
run_millivm --no-api
expect_rc 1 "--no-api alone"
grep -q -- "--no-api needs --config-file" "$err" && pass "--no-api needs --config-file" || fail "$(cat "$err")"
run_millivm --no-api --api-sock "$TEST_TMP/x.sock" --config-file "$TEST_TMP/vm.json"
grep -q "exclude each other" "$err" && pass "--no-api with --api-sock is refused" || fail "$(cat "$err")"
run_millivm --config-file "$TEST_TMP/vm.json" --no-api --timeline-json "$TEST_TMP/tl.json"
expect_rc 0 "monitor options (--timeline-json) combine with --config-file"
python3 -c 'import json,sys; t=json.load(open(sys.argv[1])); assert t["instance_start"] is not None and t["api_ready"] is None' \
	"$TEST_TMP/tl.json" && pass "timeline: instance_start marked, no api_ready without a socket" ||
	fail "timeline: $(cat "$TEST_TMP/tl.json")"

# --- config file and API together: the VM starts at once -------------------------------
if command -v curl >/dev/null; then
	fixture vm-minimal.json -e 's|quiet expect_mem=128M|quiet expect_mem=128M spin=1500|'
	start_api --config-file "$TEST_TMP/vm.json"
	for _ in $(seq 200); do api GET /; grep -q Running <<<"$body" && break; sleep 0.01; done
	grep -q '"state":"Running"' <<<"$body" && pass "with --config-file the VM runs without InstanceStart" ||
		fail "state: $body"
	expect_fault PUT /actions '{"action_type": "InstanceStart"}' "InstanceStart after a config-file start" \
		"not supported after starting"
	expect GET /vm/config - 200 "GET /vm/config shows the file's boot source" \
		"\"kernel_image_path\":\"$REFGUEST\""
	wait_api 30
	expect_rc 0 "the guest ends normally"
else
	echo "SKIP: curl missing: config file + API part"
fi
finish
