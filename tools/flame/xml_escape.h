/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Escaping for XML text and attribute values. Besides & < > " ', it replaces what XML 1.0
 * cannot carry at all, even as a character reference (control characters, U+FFFE/U+FFFF,
 * malformed UTF-8), by U+FFFD: one bad byte in a trace must not make the whole SVG
 * unreadable for a browser.
 */
#ifndef MILLIVM_FLAME_XML_ESCAPE_H
#define MILLIVM_FLAME_XML_ESCAPE_H

#include <stddef.h>

/*
 * Escapes s[0..n) into dst[cap], like snprintf: dst is always NUL-terminated when cap > 0,
 * output that does not fit is cut at a character boundary, and the return value is the
 * length the full escape needs.
 */
size_t xml_escape(char *dst, size_t cap, const char *s, size_t n);

#endif
