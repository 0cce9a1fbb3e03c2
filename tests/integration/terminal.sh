#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# On a terminal, millivm puts stdin in raw mode while the guest runs and restores it on every
# way out: the guest's own exit, Ctrl-A x, and a signal. Driven through a pseudo-terminal.
. "$(dirname "$0")/../lib/common.sh"
require_kvm
[ -f "$REFGUEST" ] || { fail "no reference guest at $REFGUEST (run make)"; finish; }

python3 - "$MILLIVM" "$REFGUEST" <<'PY'
import os, pty, select, signal, sys, termios, time

millivm, guest = sys.argv[1], sys.argv[2]

def report(ok, what):
    print(("PASS: " if ok else "FAIL: ") + what)

def run(how):
    """Start millivm on a fresh pty with a spinning guest; end it the given way."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(millivm, [millivm, "-k", guest, "-a", "quiet spin=4000"])
    before = termios.tcgetattr(fd)
    time.sleep(0.8)  # the guest is spinning now
    during = termios.tcgetattr(fd)
    if how == "ctrl-a x":
        os.write(fd, b"\x01x")
    elif how == "SIGTERM":
        os.kill(pid, signal.SIGTERM)
    deadline = time.time() + 15
    status = None
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                os.read(fd, 4096)
            except OSError:
                pass
        done, st = os.waitpid(pid, os.WNOHANG)
        if done:
            status = st
            break
    if status is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    after = termios.tcgetattr(fd)
    os.close(fd)
    return before, during, after, status

ICANON, ECHO, ISIG = termios.ICANON, termios.ECHO, termios.ISIG
for how in ("guest exit", "ctrl-a x", "SIGTERM"):
    before, during, after, status = run(how)
    lflag_before, lflag_during = before[3], during[3]
    report(lflag_before & ICANON and lflag_before & ECHO, f"{how}: the pty starts canonical with echo")
    report(not (lflag_during & (ICANON | ECHO | ISIG)), f"{how}: raw while the guest runs")
    report(after == before, f"{how}: terminal settings restored afterwards")
    if how == "guest exit":
        report(status is not None and os.waitstatus_to_exitcode(status) == 0, f"{how}: exit 0")
    elif how == "ctrl-a x":
        report(status is not None and os.waitstatus_to_exitcode(status) == 0,
               f"{how}: Ctrl-A x quits with 0 (status {status})")
    else:
        report(status is not None and os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM,
               f"{how}: ended by the signal after restoring (status {status})")
PY
[ $? -eq 0 ] || fail "the pty driver itself failed"
finish
