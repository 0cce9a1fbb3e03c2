/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_hex.h"

#include <string.h>

#include "core/parse.h"

#define MAX_HEX_DIGITS 16
#define MAX_THREAD_ID 0x7fffffffL

char gdb_hex_char(unsigned nibble)
{
	return "0123456789abcdef"[nibble & 0xf];
}

void gdb_hex_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++) {
		out[2 * i] = gdb_hex_char(in[i] >> 4);
		out[2 * i + 1] = gdb_hex_char(in[i] & 0xf);
	}
}

bool gdb_hex_decode(const char *in, size_t len, uint8_t *out)
{
	for (size_t i = 0; i < len; i++) {
		int hi = parse_hex_digit((unsigned char)in[2 * i]);
		int lo = parse_hex_digit((unsigned char)in[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool gdb_take_char(struct gdb_cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

bool gdb_take_prefix(struct gdb_cursor *c, const char *s)
{
	size_t n = strlen(s);
	if (gdb_cursor_left(c) < n || memcmp(c->p, s, n) != 0)
		return false;
	c->p += n;
	return true;
}

bool gdb_take_hex(struct gdb_cursor *c, uint64_t *value)
{
	uint64_t v = 0;
	const char *p = c->p;
	int digits = 0;
	for (; p < c->end; p++, digits++) {
		int d = parse_hex_digit((unsigned char)*p);
		if (d < 0)
			break;
		if (digits == MAX_HEX_DIGITS)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	if (digits == 0)
		return false;
	c->p = p;
	*value = v;
	return true;
}

bool gdb_take_thread_id(struct gdb_cursor *c, long *tid)
{
	if (gdb_take_prefix(c, "-1")) {
		*tid = GDB_THREAD_ALL;
		return true;
	}
	uint64_t v;
	struct gdb_cursor save = *c;
	if (!gdb_take_hex(c, &v) || v > MAX_THREAD_ID) {
		*c = save;
		return false;
	}
	*tid = (long)v;
	return true;
}
