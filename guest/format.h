/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A small printf: %s %c %d %u %x with l/ll modifiers, an optional 0 flag and width, %%.
 * Output goes to an emit function in runs, so a literal stretch costs one call.
 */
#ifndef REFGUEST_FORMAT_H
#define REFGUEST_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_emit_fn)(const char *text, size_t length);

void format_v(format_emit_fn emit, const char *fmt, va_list args);
void format_to(format_emit_fn emit, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
