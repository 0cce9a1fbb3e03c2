/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hex digits and the small grammar of GDB packet arguments ("addr,len:data", "Z1,addr,kind",
 * thread ids), parsed with a bounded cursor: payloads may hold NUL bytes (binary 'X' data),
 * so nothing here relies on NUL termination.
 */
#ifndef MILLIVM_DEBUG_GDB_HEX_H
#define MILLIVM_DEBUG_GDB_HEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 0-15 for [0-9a-fA-F], -1 otherwise. */

/* Lower-case digit for 0-15. */
char gdb_hex_char(unsigned nibble);

/* Writes 2 * len digits (no NUL). */
void gdb_hex_encode(const uint8_t *in, size_t len, char *out);

/* Decodes exactly 2 * len digits; false (out partly written) on a non-hex digit. */
bool gdb_hex_decode(const char *in, size_t len, uint8_t *out);

struct gdb_cursor {
	const char *p;
	const char *end;
};

static inline struct gdb_cursor gdb_cursor(const void *data, size_t len)
{
	return (struct gdb_cursor){ (const char *)data, (const char *)data + len };
}

static inline size_t gdb_cursor_left(const struct gdb_cursor *c)
{
	return (size_t)(c->end - c->p);
}

/* Consume ch if it is next. */
bool gdb_take_char(struct gdb_cursor *c, char ch);

/* Consume the literal prefix s if the input starts with it. */
bool gdb_take_prefix(struct gdb_cursor *c, const char *s);

/* Consume 1 to 16 hex digits (leading zeros beyond that are refused: no silent overflow). */
bool gdb_take_hex(struct gdb_cursor *c, uint64_t *value);

/* A thread id: "-1" (all threads), "0" (any thread) or a positive hex number. */
#define GDB_THREAD_ALL (-1L)
#define GDB_THREAD_ANY 0L
bool gdb_take_thread_id(struct gdb_cursor *c, long *tid);

/* True when the whole input has been consumed. */
static inline bool gdb_at_end(const struct gdb_cursor *c)
{
	return c->p == c->end;
}

#endif
