/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_packet.h"

#include <string.h>

#include "core/parse.h"
#include "debug/gdb_hex.h"

#define ESCAPE_BYTE '}'
#define ESCAPE_XOR 0x20
#define REPEAT_BYTE '*'
/* A repeat count byte c means c - 29 more copies; gdb's counts are printable (up to '~'). */
#define REPEAT_BIAS 29
#define REPEAT_MIN_BYTE (REPEAT_BIAS + 1)
#define REPEAT_MAX_BYTE '~'

void gdb_rx_init(struct gdb_rx *rx)
{
	memset(rx, 0, sizeof(*rx));
	rx->state = GDB_RX_IDLE;
}

static void start_packet(struct gdb_rx *rx)
{
	rx->state = GDB_RX_PAYLOAD;
	rx->sum = 0;
	rx->escaped = false;
	rx->have_last = false;
	rx->broken = false;
	rx->len = 0;
}

/* One raw payload byte (neither '*' nor a repeat count): undo the escape, then keep it. */
static void store_raw(struct gdb_rx *rx, uint8_t raw)
{
	rx->last_raw = raw;
	rx->have_last = true;
	uint8_t byte = raw;
	if (rx->escaped) {
		byte = raw ^ ESCAPE_XOR;
		rx->escaped = false;
	} else if (raw == ESCAPE_BYTE) {
		rx->escaped = true;
		return;
	}
	if (rx->len >= GDB_PACKET_MAX) {
		rx->broken = true;
		return;
	}
	rx->data[rx->len++] = byte;
}

static enum gdb_rx_event feed_idle(struct gdb_rx *rx, uint8_t byte)
{
	switch (byte) {
	case '$':
		start_packet(rx);
		return GDB_RX_NONE;
	case '+':
		return GDB_RX_ACK;
	case '-':
		return GDB_RX_NAK;
	case GDB_INTERRUPT_BYTE:
		return GDB_RX_INTERRUPT;
	default:
		return GDB_RX_NONE; /* line noise between packets */
	}
}

static void feed_payload(struct gdb_rx *rx, uint8_t byte)
{
	if (byte == '#') {
		if (rx->escaped) /* a packet cannot end inside an escape */
			rx->broken = true;
		rx->state = GDB_RX_CHECKSUM_HIGH;
		return;
	}
	rx->sum += byte;
	if (byte == REPEAT_BYTE && !rx->escaped) {
		rx->state = GDB_RX_REPEAT;
		return;
	}
	store_raw(rx, byte);
}

static void feed_repeat(struct gdb_rx *rx, uint8_t byte)
{
	if (byte == '#') {
		rx->broken = true;
		rx->state = GDB_RX_CHECKSUM_HIGH;
		return;
	}
	rx->sum += byte;
	rx->state = GDB_RX_PAYLOAD;
	if (!rx->have_last || byte < REPEAT_MIN_BYTE || byte > REPEAT_MAX_BYTE) {
		rx->broken = true;
		return;
	}
	uint8_t raw = rx->last_raw;
	for (unsigned n = byte - REPEAT_BIAS; n > 0 && !rx->broken; n--)
		store_raw(rx, raw);
}

static enum gdb_rx_event feed_checksum(struct gdb_rx *rx, uint8_t byte)
{
	int digit = parse_hex_digit(byte);
	if (rx->state == GDB_RX_CHECKSUM_HIGH) {
		if (digit < 0) {
			rx->state = GDB_RX_IDLE;
			return GDB_RX_BAD_PACKET;
		}
		rx->check = (uint8_t)(digit << 4);
		rx->state = GDB_RX_CHECKSUM_LOW;
		return GDB_RX_NONE;
	}
	rx->state = GDB_RX_IDLE;
	if (digit < 0 || rx->broken || (uint8_t)(rx->check | digit) != rx->sum)
		return GDB_RX_BAD_PACKET;
	rx->data[rx->len] = 0;
	return GDB_RX_PACKET;
}

enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte)
{
	/* '$' never occurs inside a packet (binary data escapes it): a new one starts here. */
	if (byte == '$' && rx->state != GDB_RX_IDLE) {
		start_packet(rx);
		return GDB_RX_NONE;
	}
	switch (rx->state) {
	case GDB_RX_IDLE:
		return feed_idle(rx, byte);
	case GDB_RX_PAYLOAD:
		feed_payload(rx, byte);
		return GDB_RX_NONE;
	case GDB_RX_REPEAT:
		feed_repeat(rx, byte);
		return GDB_RX_NONE;
	case GDB_RX_CHECKSUM_HIGH:
	case GDB_RX_CHECKSUM_LOW:
		return feed_checksum(rx, byte);
	}
	rx->state = GDB_RX_IDLE;
	return GDB_RX_NONE;
}

/* Copies after the first one to encode for a run of run equal bytes; 0: send them plainly. */
static size_t repeat_count(size_t run)
{
	size_t extra = run - 1;
	if (extra > REPEAT_MAX_BYTE - REPEAT_BIAS)
		extra = REPEAT_MAX_BYTE - REPEAT_BIAS;
	/* Counts 6 and 7 would be sent as '#' and '$'; 96 as '}'. Use one fewer. */
	if (extra == '#' - REPEAT_BIAS || extra == '$' - REPEAT_BIAS)
		extra = '#' - REPEAT_BIAS - 1;
	if (extra == ESCAPE_BYTE - REPEAT_BIAS)
		extra--;
	return extra >= 3 ? extra : 0; /* "x*N" is 3 bytes: shorter only from 4 copies on */
}

size_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0;
	uint8_t sum = 0;
	if (cap < 4)
		return 0;
	out[o++] = '$';
	for (size_t i = 0; i < len;) {
		uint8_t c = payload[i];
		size_t run = 1;
		while (i + run < len && payload[i + run] == c && run <= REPEAT_MAX_BYTE)
			run++;
		size_t extra = repeat_count(run);
		size_t need = extra ? 3 : 1;
		if (o + need + 3 > cap)
			return 0;
		out[o++] = c;
		sum += c;
		if (extra) {
			uint8_t count = (uint8_t)(extra + REPEAT_BIAS);
			out[o++] = REPEAT_BYTE;
			out[o++] = count;
			sum += REPEAT_BYTE + count;
		}
		i += 1 + extra;
	}
	out[o++] = '#';
	out[o++] = (uint8_t)gdb_hex_char(sum >> 4);
	out[o++] = (uint8_t)gdb_hex_char(sum & 0xf);
	return o;
}

static bool needs_escape(uint8_t byte)
{
	return byte == '#' || byte == '$' || byte == ESCAPE_BYTE || byte == REPEAT_BYTE;
}

size_t gdb_escape_binary(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			 size_t *consumed)
{
	size_t o = 0, i = 0;
	for (; i < len; i++) {
		bool esc = needs_escape(in[i]);
		if (o + (esc ? 2 : 1) > cap)
			break;
		if (esc) {
			out[o++] = ESCAPE_BYTE;
			out[o++] = in[i] ^ ESCAPE_XOR;
		} else {
			out[o++] = in[i];
		}
	}
	*consumed = i;
	return o;
}
