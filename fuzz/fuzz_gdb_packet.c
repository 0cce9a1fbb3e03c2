/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the gdb stub's packet layer (src/debug/gdb_packet.c, gdb_hex.c) on bytes
 * as a debugger (or anyone who can reach the socket) might send them.
 *
 *  1. The input through gdb_rx_feed() byte by byte: every decoded packet stays within
 *     GDB_PACKET_MAX and is NUL-terminated.
 *  2. Each packet's payload is escaped, framed (with run-length encoding) and fed to a second
 *     receiver: it must come back exactly (the stub's replies round-trip through gdb's rules).
 *  3. The argument grammar on each payload: "addr,len:" and thread ids, bounded by the cursor.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "debug/gdb_hex.h"
#include "debug/gdb_packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gdb_rx rx, echo;
static uint8_t escaped[2 * GDB_PACKET_MAX];
static uint8_t framed[2 * GDB_FRAME_MAX];

static void round_trip(const uint8_t *payload, size_t len)
{
	size_t consumed;
	size_t n = gdb_escape_binary(payload, len, escaped, sizeof(escaped), &consumed);
	if (consumed != len)
		abort(); /* twice the size always fits */
	size_t f = gdb_frame(escaped, n, framed, sizeof(framed));
	if (f == 0)
		abort();
	gdb_rx_init(&echo);
	int packets = 0;
	for (size_t i = 0; i < f; i++) {
		if (gdb_rx_feed(&echo, framed[i]) == GDB_RX_PACKET)
			packets++;
	}
	/* The limit is on the decoded size, which is len again: always one packet, unchanged. */
	if (packets != 1 || echo.len != len || memcmp(echo.data, payload, len) != 0)
		abort();
}

static void parse_arguments(const uint8_t *payload, size_t len)
{
	struct gdb_cursor c = gdb_cursor(payload, len);
	uint64_t v;
	long tid;
	if (len)
		c.p++; /* the packet letter */
	while (!gdb_at_end(&c)) {
		const char *before = c.p;
		if (!gdb_take_hex(&c, &v) && !gdb_take_thread_id(&c, &tid) &&
		    !gdb_take_char(&c, ',') && !gdb_take_char(&c, ':') && !gdb_take_char(&c, ';'))
			c.p++;
		if (c.p <= before || c.p > c.end)
			abort(); /* progress, within bounds */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gdb_rx_init(&rx);
	for (size_t i = 0; i < size; i++) {
		enum gdb_rx_event e = gdb_rx_feed(&rx, data[i]);
		if (rx.len > GDB_PACKET_MAX)
			abort();
		if (e != GDB_RX_PACKET)
			continue;
		if (rx.data[rx.len] != 0)
			abort();
		round_trip(rx.data, rx.len);
		parse_arguments(rx.data, rx.len);
	}
	return 0;
}
