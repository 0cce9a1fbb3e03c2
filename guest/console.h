/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * COM1, polled: enough to print check results under millivm and QEMU alike. Output is
 * gathered into a line buffer so that a line costs one status poll per FIFO load.
 */
#ifndef REFGUEST_CONSOLE_H
#define REFGUEST_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>

void console_init(void);

/* Appends to the line buffer (written out when full or at console_flush). */
void console_append(const char *text, size_t length);
void console_flush(void);

/* Writes out now, past the line buffer (which must be empty). */
void console_write(const char *text, size_t length);

/* Appends and flushes. */
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
