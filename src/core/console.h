/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host side of the guest console: stdin in raw mode when it is a terminal (restored on
 * every exit path, signals included), and a thread feeding what is typed to the guest.
 * Ctrl-A x quits, Ctrl-A Ctrl-A sends a Ctrl-A (as in QEMU).
 */
#ifndef MILLIVM_CONSOLE_H
#define MILLIVM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/vm.h"

typedef void (*console_input_fn)(void *opaque, const uint8_t *buf, size_t len);

/* Put the terminal in raw mode if stdin is one; installs the restoring handlers. */
void console_terminal_setup(void);

/* Restore the terminal (idempotent, async-signal-safe). */
void console_terminal_restore(void);

/* Start the stdin reader; input goes to fn. Nothing happens if stdin is closed or /dev/null. */
int console_input_start(struct vm *vm, console_input_fn fn, void *opaque);

#endif
