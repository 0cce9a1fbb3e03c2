/* SPDX-License-Identifier: BSD-2-Clause */
/* Strict UTF-8 decoding: trace names are bytes from a guest and may be anything. */
#ifndef MILLIVM_FLAME_UTF8_H
#define MILLIVM_FLAME_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_REPLACEMENT 0xfffdu

/*
 * Decodes the character at s[0..n) (n >= 1) into *cp and returns the bytes it took (>= 1).
 * Malformed input (overlong forms, surrogates, past U+10FFFF, cut-off sequences) decodes as
 * UTF8_REPLACEMENT taking one byte, so decoding always advances.
 */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);

/* Characters in s[0..n), malformed bytes counting one each. */
size_t utf8_char_count(const char *s, size_t n);

/* Bytes taken by the first `chars` characters of s[0..n) (all n if it has fewer). */
size_t utf8_prefix_bytes(const char *s, size_t n, size_t chars);

#endif
