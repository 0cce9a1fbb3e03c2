/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GDB remote serial protocol framing, with no I/O: "$payload#cs" packets, the '+'/'-'
 * acknowledgements, the 0x03 interrupt byte, '}' escapes and '*' run-length encoding. The
 * receiver is a byte-at-a-time state machine with a fixed buffer: any byte sequence is
 * handled without reading or writing out of bounds, so it can be fuzzed.
 */
#ifndef MILLIVM_DEBUG_GDB_PACKET_H
#define MILLIVM_DEBUG_GDB_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest payload in either direction; announced to gdb as PacketSize. */
#define GDB_PACKET_MAX 16384
/* A framed packet: '$', payload, '#', two checksum digits. */
#define GDB_FRAME_MAX (GDB_PACKET_MAX + 4)

#define GDB_INTERRUPT_BYTE 0x03

enum gdb_rx_event {
	GDB_RX_NONE,       /* nothing complete yet */
	GDB_RX_PACKET,     /* data[0..len) holds a checked, decoded payload (NUL after it) */
	GDB_RX_BAD_PACKET, /* wrong or malformed checksum, bad repeat count, too long: NAK it */
	GDB_RX_ACK,        /* '+' between packets */
	GDB_RX_NAK,        /* '-' between packets: the peer wants the last packet again */
	GDB_RX_INTERRUPT,  /* 0x03 between packets: stop the target */
};

enum gdb_rx_state {
	GDB_RX_IDLE,
	GDB_RX_PAYLOAD,
	GDB_RX_REPEAT, /* after '*': the next byte is a repeat count */
	GDB_RX_CHECKSUM_HIGH,
	GDB_RX_CHECKSUM_LOW,
};

struct gdb_rx {
	enum gdb_rx_state state;
	uint8_t sum;       /* modulo-256 sum of the raw payload bytes */
	uint8_t check;     /* high nibble of the received checksum */
	bool escaped;      /* the previous raw byte was '}' */
	bool have_last;    /* last_raw is valid, so '*' has something to repeat */
	uint8_t last_raw;  /* last raw payload byte (after repeats), the one '*' repeats */
	bool broken;       /* too long or bad repeat: reported at the checksum */
	size_t len;
	uint8_t data[GDB_PACKET_MAX + 1];
};

void gdb_rx_init(struct gdb_rx *rx);

/* Feed one received byte; after GDB_RX_PACKET the payload stays valid until the next call. */
enum gdb_rx_event gdb_rx_feed(struct gdb_rx *rx, uint8_t byte);

/*
 * Frame a payload as "$...#cs" into out, run-length encoding runs of 4 or more equal bytes
 * (gdb always accepts that in replies). Returns the framed length, or 0 if it does not fit.
 * The payload must already be escaped where binary (see gdb_escape_binary).
 */
size_t gdb_frame(const uint8_t *payload, size_t len, uint8_t *out, size_t cap);

/*
 * Escape binary data for a reply ('#', '$', '}' and '*' become '}' then byte ^ 0x20). Stops
 * before the first input byte whose encoding would not fit in cap; *consumed tells how many
 * input bytes were encoded. Returns the number of bytes written.
 */
size_t gdb_escape_binary(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
			 size_t *consumed);

#endif
