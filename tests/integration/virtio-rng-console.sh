#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# virtio-rng and virtio-console driven by the reference guest: entropy bytes that are not all
# alike; text sent through virtio-console port 0 reaches millivm's stdout (--console virtio,
# where COM1 output is discarded).
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

run_millivm -k "$REFGUEST" --rng -a "exit=0"
grep -q "not in this build" "$err" && skip_all "millivm has no virtio devices yet"

run_millivm -k "$REFGUEST" --rng -a "expect_mem=256M virtio_rng=4096"
expect_rc 0 "guest reads 4096 entropy bytes"
expect_stdout '^ok rng: 4096 bytes in [0-9]+ request' "rng check reported"

# The guest's own checks go to COM1, discarded here: its exit status says whether they passed.
text=MILLIVM-VIRTIO-CONSOLE-$$
run_millivm -k "$REFGUEST" --rng --console virtio -a "virtio_console=$text virtio_rng=16"
expect_rc 0 "guest passes with virtio-console and rng"
if grep -qx -- "$text" "$out"; then pass "virtio-console output reaches stdout"
else fail "stdout lacks the line $text"; sed 's/^/    stdout: /' "$out" | head -5; fi
if grep -q 'millivm-refguest:' "$out"; then fail "COM1 output reached stdout with --console virtio"
else pass "COM1 output discarded with --console virtio"; fi

# Without the device the guest's check must fail (exit 26: console), not pass silently.
run_millivm -k "$REFGUEST" --rng -a "virtio_console=x quiet"
expect_rc 26 "virtio_console= without a console device fails the console check"

finish
