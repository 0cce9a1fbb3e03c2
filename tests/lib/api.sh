# SPDX-License-Identifier: BSD-2-Clause
# Helpers for the API tests (tests/integration/api-*.sh): sourced after common.sh.
# millivm runs in the background on a socket in $TEST_TMP; requests go through curl.

API_SOCK=$TEST_TMP/api.sock
MV_PID=
mv_out=$TEST_TMP/mv.stdout
mv_err=$TEST_TMP/mv.stderr

require_curl() {
	command -v curl >/dev/null || skip_all "curl is not installed (apt-get install curl)"
}

# Start millivm with the API socket (plus any arguments) and wait for the socket.
start_api() {
	rm -f "$API_SOCK"
	"$MILLIVM" --api-sock "$API_SOCK" "$@" </dev/null >"$mv_out" 2>"$mv_err" &
	MV_PID=$!
	for _ in $(seq 500); do
		[ -S "$API_SOCK" ] && return 0
		kill -0 "$MV_PID" 2>/dev/null || break
		sleep 0.01
	done
	fail "millivm did not create its API socket"
	sed 's/^/    stderr: /' "$mv_err" | head -5
	return 1
}

# Wait for the background millivm to end (at most $1 seconds); sets $rc.
wait_api() {
	local limit=${1:-30}
	for _ in $(seq $((limit * 100))); do
		kill -0 "$MV_PID" 2>/dev/null || break
		sleep 0.01
	done
	if kill -0 "$MV_PID" 2>/dev/null; then
		kill -9 "$MV_PID" 2>/dev/null
		fail "millivm still running after ${limit}s: killed"
	fi
	wait "$MV_PID" 2>/dev/null
	rc=$?
	MV_PID=
	out=$mv_out err=$mv_err # for expect_rc and expect_stdout
}

# Never leave a millivm behind (on top of common.sh's clean-up of $TEST_TMP).
trap '[ -n "$MV_PID" ] && kill -9 "$MV_PID" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

# api METHOD PATH [BODY]: sets $code (HTTP status) and $body (response body).
api() {
	local method=$1 path=$2 data=${3-}
	local args=(-s -S --max-time 10 --unix-socket "$API_SOCK" -X "$method"
		-o "$TEST_TMP/resp" -w '%{http_code}')
	[ $# -ge 3 ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	code=$(curl "${args[@]}" "http://localhost$path" 2>"$TEST_TMP/curl.err")
	body=$(cat "$TEST_TMP/resp" 2>/dev/null)
}

# expect METHOD PATH BODY|- STATUS DESCRIPTION [REGEX the body must match]
expect() {
	local method=$1 path=$2 data=$3 want=$4 what=$5 pattern=${6-}
	if [ "$data" = - ]; then api "$method" "$path"; else api "$method" "$path" "$data"; fi
	if [ "$code" != "$want" ]; then
		fail "$what: $method $path answered $code, expected $want: $body"
	elif [ -n "$pattern" ] && ! grep -qE -- "$pattern" <<<"$body"; then
		fail "$what: $method $path body lacks /$pattern/: $body"
	else
		pass "$what ($method $path -> $code)"
	fi
}

# A 400 must carry Firecracker's error object.
expect_fault() { # METHOD PATH BODY|- DESCRIPTION REGEX
	expect "$1" "$2" "$3" 400 "$4" "^\\{\"fault_message\":\".*$5"
}

# CPU time (clock ticks) the process has used so far.
cpu_ticks() {
	awk '{print $14 + $15}' "/proc/$1/stat"
}
