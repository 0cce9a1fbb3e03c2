/* SPDX-License-Identifier: BSD-2-Clause */
/* The little string and number handling the guest needs (there is no libc). */
#ifndef REFGUEST_STRINGS_H
#define REFGUEST_STRINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The compiler may emit calls to these three; they are the usual C functions. */
void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* Length of a NUL-terminated string, or max if there is no NUL in the first max bytes. */
size_t string_length(const char *s, size_t max);

/*
 * If text starts with the string literal prefix, returns the rest of text, otherwise NULL.
 * Compares 8 bytes at a time, so it may read up to 7 bytes past text's NUL (a NUL before
 * the end of the prefix still mismatches): fine for the command line in guest RAM.
 */
#define skip_prefix(text, prefix) skip_prefix_n((text), (prefix), sizeof(prefix) - 1)
const char *skip_prefix_n(const char *text, const char *prefix, size_t length);

/* 0-15 for a hexadecimal digit (either case), else -1. */
int hex_digit_value(char c);

/*
 * Parses an unsigned number at *text: decimal, or hexadecimal after "0x". With
 * allow_size_suffix, a K, M or G suffix multiplies by 2^10, 2^20 or 2^30. Advances *text past
 * what it read. False if there is no digit or the value overflows 64 bits.
 */
bool parse_u64(const char **text, bool allow_size_suffix, uint64_t *value);

#endif
