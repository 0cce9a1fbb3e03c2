/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * GDB remote protocol framing (gdb_packet.c) and argument parsing (gdb_hex.c): checksums,
 * acknowledgements, the interrupt byte, '}' escapes, '*' run-length encoding both ways, the
 * size limit, and garbage. The expected frames are built here with an independent checksum.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/parse.h"
#include "debug/gdb_hex.h"
#include "debug/gdb_packet.h"

/* ------------------------------------------------------------------------ helpers */

/* "$payload#cs" with the checksum computed here, not by the code under test. */
static size_t make_frame(const void *payload, size_t len, char *out)
{
	const uint8_t *p = payload;
	unsigned sum = 0;
	out[0] = '$';
	memcpy(out + 1, p, len);
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	sprintf(out + 1 + len, "#%02x", sum & 0xff);
	return len + 4;
}

struct feed_result {
	enum gdb_rx_event last; /* the last event other than NONE */
	unsigned packets, bad, acks, naks, interrupts;
};

static struct feed_result feed(struct gdb_rx *rx, const void *data, size_t len)
{
	struct feed_result r = { GDB_RX_NONE, 0, 0, 0, 0, 0 };
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		enum gdb_rx_event e = gdb_rx_feed(rx, p[i]);
		switch (e) {
		case GDB_RX_NONE:
			continue;
		case GDB_RX_PACKET:
			r.packets++;
			break;
		case GDB_RX_BAD_PACKET:
			r.bad++;
			break;
		case GDB_RX_ACK:
			r.acks++;
			break;
		case GDB_RX_NAK:
			r.naks++;
			break;
		case GDB_RX_INTERRUPT:
			r.interrupts++;
			break;
		}
		r.last = e;
	}
	return r;
}

static struct feed_result feed_str(struct gdb_rx *rx, const char *s)
{
	return feed(rx, s, strlen(s));
}

/* Frame payload (raw, as a peer would send it) and feed it: one packet expected. */
static void expect_packet(const void *raw, size_t raw_len, const void *decoded, size_t len)
{
	static char frame[GDB_FRAME_MAX + 16];
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	size_t n = make_frame(raw, raw_len, frame);
	struct feed_result r = feed(&rx, frame, n);
	assert_int_equal(r.packets, 1);
	assert_int_equal(r.bad, 0);
	assert_int_equal(rx.len, len);
	assert_memory_equal(rx.data, decoded, len);
	assert_int_equal(rx.data[len], 0);
}

static void expect_bad(const char *raw)
{
	char frame[512];
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	size_t n = make_frame(raw, strlen(raw), frame);
	struct feed_result r = feed(&rx, frame, n);
	assert_int_equal(r.packets, 0);
	assert_int_equal(r.bad, 1);
}

/* ------------------------------------------------------------------------ receiving */

static void test_rx_simple(void **state)
{
	(void)state;
	expect_packet("qSupported", 10, "qSupported", 10);
	expect_packet("", 0, "", 0);
	expect_packet("g", 1, "g", 1);
}

static void test_rx_known_frame(void **state)
{
	(void)state;
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	struct feed_result r = feed_str(&rx, "$OK#9a");
	assert_int_equal(r.last, GDB_RX_PACKET);
	assert_string_equal((char *)rx.data, "OK");
	r = feed_str(&rx, "$OK#9A"); /* upper-case checksum digits are fine */
	assert_int_equal(r.last, GDB_RX_PACKET);
}

static void test_rx_bad_checksum(void **state)
{
	(void)state;
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	assert_int_equal(feed_str(&rx, "$OK#9b").last, GDB_RX_BAD_PACKET);
	assert_int_equal(feed_str(&rx, "$OK#zz").last, GDB_RX_BAD_PACKET);
	assert_int_equal(feed_str(&rx, "$OK#9").last, GDB_RX_NONE); /* still waiting */
	assert_int_equal(feed_str(&rx, "g").last, GDB_RX_BAD_PACKET);
	/* The receiver is back in sync for the next packet. */
	assert_int_equal(feed_str(&rx, "$OK#9a").last, GDB_RX_PACKET);
}

static void test_rx_acks_and_interrupt(void **state)
{
	(void)state;
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	struct feed_result r = feed_str(&rx, "+-\x03 junk\r\n+");
	assert_int_equal(r.acks, 2);
	assert_int_equal(r.naks, 1);
	assert_int_equal(r.interrupts, 1);
	assert_int_equal(r.packets, 0);
	/* Inside a packet 0x03, '+' and '-' are payload. */
	expect_packet("a\x03+-b", 5, "a\x03+-b", 5);
}

static void test_rx_escapes(void **state)
{
	(void)state;
	/* '}' then byte ^ 0x20: '#', '$', '}', '*' and, harmlessly, any other byte. */
	expect_packet("X}\x03}\x04}]}\x0a", 9, "X#$}*", 5);
	expect_packet("}\x20}\x21", 4, "\x00\x01", 2);
	/* A '*' right after '}' is the escaped byte, not a repeat. */
	expect_packet("a}*", 3, "a\x0a", 2);
}

static void test_rx_escape_at_end_is_bad(void **state)
{
	(void)state;
	expect_bad("abc}");
}

static void test_rx_run_length(void **state)
{
	(void)state;
	expect_packet("0* ", 3, "0000", 4);      /* ' ' = 32: 3 more */
	expect_packet("x*!y", 4, "xxxxxy", 6);   /* '!' = 33: 4 more */
}

static void test_rx_run_length_long(void **state)
{
	(void)state;
	char want[98];
	memset(want, 'a', sizeof(want));
	expect_packet("a*~", 3, want, 98); /* '~' = 126: 97 more */
	/* A repeat of an escaped byte repeats the raw byte (gdb expands before unescaping). */
	expect_packet("}]* ", 4, "}]]]", 4);
}

static void test_rx_run_length_bad(void **state)
{
	(void)state;
	expect_bad("*  ");     /* nothing to repeat */
	expect_bad("a*\x1d");  /* count byte 29: zero copies is not a count */
	expect_bad("a*\x7f");  /* not printable */
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	assert_int_equal(feed_str(&rx, "$a*#00").last, GDB_RX_BAD_PACKET); /* no count */
}

static void test_rx_dollar_restarts(void **state)
{
	(void)state;
	char frame[64];
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	feed_str(&rx, "$abc");
	size_t n = make_frame("def", 3, frame);
	struct feed_result r = feed(&rx, frame, n);
	assert_int_equal(r.packets, 1);
	assert_string_equal((char *)rx.data, "def");
}

static void test_rx_size_limit(void **state)
{
	(void)state;
	static char payload[GDB_PACKET_MAX + 1];
	memset(payload, 'm', sizeof(payload));
	expect_packet(payload, GDB_PACKET_MAX, payload, GDB_PACKET_MAX);

	static char frame[GDB_FRAME_MAX + 16];
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	size_t n = make_frame(payload, GDB_PACKET_MAX + 1, frame);
	struct feed_result r = feed(&rx, frame, n);
	assert_int_equal(r.packets, 0);
	assert_int_equal(r.bad, 1);
	assert_true(rx.len <= GDB_PACKET_MAX);

	/* Run-length expansion cannot overflow either. */
	gdb_rx_init(&rx);
	feed_str(&rx, "$");
	for (int i = 0; i < 1000; i++)
		feed_str(&rx, "a*~");
	assert_true(rx.len <= GDB_PACKET_MAX);
	assert_int_equal(feed_str(&rx, "#00").last, GDB_RX_BAD_PACKET);
}

/* Deterministic pseudo-random bytes: the same garbage on every run. */
static uint32_t next_random(uint32_t *seed)
{
	*seed = *seed * 1664525u + 1013904223u;
	return *seed >> 8;
}

static void test_rx_garbage(void **state)
{
	(void)state;
	static const uint8_t alphabet[] = "$#}*+-\x03" "0123456789abcdefAF g";
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	uint32_t seed = 12345;
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < 5000; i++) {
			uint32_t r = next_random(&seed);
			uint8_t byte = (r & 1) ? (uint8_t)(r >> 1)
					       : alphabet[(r >> 1) % (sizeof(alphabet) - 1)];
			enum gdb_rx_event e = gdb_rx_feed(&rx, byte);
			assert_true(rx.len <= GDB_PACKET_MAX);
			if (e == GDB_RX_PACKET)
				assert_int_equal(rx.data[rx.len], 0);
		}
		/* Whatever came before, a new '$' starts a packet that is received intact. */
		char frame[32];
		size_t n = make_frame("qC", 2, frame);
		struct feed_result res = feed(&rx, frame, n);
		assert_int_equal(res.last, GDB_RX_PACKET);
		assert_string_equal((char *)rx.data, "qC");
	}
}

/* ------------------------------------------------------------------------ sending */

static void test_frame_simple(void **state)
{
	(void)state;
	uint8_t out[32];
	size_t n = gdb_frame((const uint8_t *)"OK", 2, out, sizeof(out));
	assert_int_equal(n, 6);
	assert_memory_equal(out, "$OK#9a", 6);
	n = gdb_frame((const uint8_t *)"", 0, out, sizeof(out));
	assert_memory_equal(out, "$#00", n);
}

static void test_frame_too_small(void **state)
{
	(void)state;
	uint8_t out[8];
	assert_int_equal(gdb_frame((const uint8_t *)"OK", 2, out, 5), 0);
	assert_int_equal(gdb_frame((const uint8_t *)"OK", 2, out, 6), 6);
	assert_int_equal(gdb_frame((const uint8_t *)"OK", 2, out, 3), 0);
}

/* Frame with run-length encoding, check the encoding's rules, decode, compare. */
static void round_trip(const uint8_t *payload, size_t len)
{
	static uint8_t out[GDB_FRAME_MAX];
	size_t n = gdb_frame(payload, len, out, sizeof(out));
	assert_true(n >= 4);
	assert_int_equal(out[0], '$');
	assert_int_equal(out[n - 3], '#');
	for (size_t i = 1; i < n - 3; i++) {
		assert_true(out[i] != '$' && out[i] != '#');
		if (out[i] == '*') { /* count: printable, never '}' */
			assert_true(out[i + 1] >= 32 && out[i + 1] <= 126 && out[i + 1] != '}');
			i++;
		}
	}
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	struct feed_result r = feed(&rx, out, n);
	assert_int_equal(r.packets, 1);
	assert_int_equal(rx.len, len);
	assert_memory_equal(rx.data, payload, len);
}

static void test_frame_run_length(void **state)
{
	(void)state;
	static uint8_t payload[2 * 300 + 1];
	for (size_t run = 1; run <= 300; run++) {
		memset(payload, '0', run);
		payload[run] = '1';
		memset(payload + run + 1, 'f', run);
		round_trip(payload, 2 * run + 1);
	}
	uint8_t out[64];
	memset(payload, '0', 8);
	size_t n = gdb_frame(payload, 8, out, sizeof(out));
	assert_true(n < 8 + 4); /* really compressed */
}

static void test_frame_round_trip_random(void **state)
{
	(void)state;
	static uint8_t payload[2000];
	uint32_t seed = 99;
	for (int round = 0; round < 300; round++) {
		size_t len = next_random(&seed) % sizeof(payload);
		for (size_t i = 0; i < len; i++) /* hex-like text with runs, no framing bytes */
			payload[i] = (next_random(&seed) % 4) ? '0' : "0123456789abcdefx"[i % 17];
		round_trip(payload, len);
	}
}

static void test_escape_binary(void **state)
{
	(void)state;
	uint8_t all[256], escaped[512], payload[600];
	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	size_t consumed;
	size_t n = gdb_escape_binary(all, 256, escaped, sizeof(escaped), &consumed);
	assert_int_equal(consumed, 256);
	assert_int_equal(n, 256 + 4); /* '#', '$', '*', '}' take two bytes */
	/* After framing and receiving, the bytes are back. */
	payload[0] = 'm';
	memcpy(payload + 1, escaped, n);
	static uint8_t frame[GDB_FRAME_MAX];
	size_t f = gdb_frame(payload, n + 1, frame, sizeof(frame));
	struct gdb_rx rx;
	gdb_rx_init(&rx);
	assert_int_equal(feed(&rx, frame, f).packets, 1);
	assert_int_equal(rx.len, 257);
	assert_memory_equal(rx.data + 1, all, 256);
}

static void test_escape_binary_stops_when_full(void **state)
{
	(void)state;
	uint8_t out[8];
	size_t consumed;
	/* "abc#": the escape of '#' needs 2 bytes and only 1 is left. */
	size_t n = gdb_escape_binary((const uint8_t *)"abc#d", 5, out, 4, &consumed);
	assert_int_equal(n, 3);
	assert_int_equal(consumed, 3);
	n = gdb_escape_binary((const uint8_t *)"abc#d", 5, out, 5, &consumed);
	assert_int_equal(n, 5);
	assert_int_equal(consumed, 4);
	assert_memory_equal(out, "abc}\x03", 5);
}

/* ------------------------------------------------------------------------ arguments */

static void test_hex_encode_decode(void **state)
{
	(void)state;
	char text[8];
	uint8_t bytes[4];
	gdb_hex_encode((const uint8_t *)"\x00\x7f\xab\xff", 4, text);
	assert_memory_equal(text, "007fabff", 8);
	assert_true(gdb_hex_decode("007FabfF", 4, bytes));
	assert_memory_equal(bytes, "\x00\x7f\xab\xff", 4);
	assert_false(gdb_hex_decode("0g", 1, bytes));
	assert_false(gdb_hex_decode("\x00" "0", 1, bytes));
	assert_int_equal(parse_hex_digit('G'), -1);
	assert_int_equal(parse_hex_digit('a'), 10);
}

static void test_take_hex(void **state)
{
	(void)state;
	uint64_t v;
	struct gdb_cursor c = gdb_cursor("ffffffffffffffff,1:", 19);
	assert_true(gdb_take_hex(&c, &v));
	assert_true(v == UINT64_MAX);
	assert_true(gdb_take_char(&c, ','));
	assert_true(gdb_take_hex(&c, &v));
	assert_int_equal(v, 1);
	assert_false(gdb_take_char(&c, ','));
	assert_true(gdb_take_char(&c, ':'));
	assert_true(gdb_at_end(&c));
	assert_false(gdb_take_hex(&c, &v)); /* nothing left */

	c = gdb_cursor("10000000000000000", 17); /* 17 digits: refused, cursor kept */
	assert_false(gdb_take_hex(&c, &v));
	assert_int_equal(gdb_cursor_left(&c), 17);
	c = gdb_cursor(",5", 2);
	assert_false(gdb_take_hex(&c, &v));
	/* The cursor's end is the limit even when more text follows in memory. */
	c = gdb_cursor("12345", 2);
	assert_true(gdb_take_hex(&c, &v));
	assert_int_equal(v, 0x12);
}

static void test_thread_ids(void **state)
{
	(void)state;
	long tid;
	struct gdb_cursor c = gdb_cursor("-1", 2);
	assert_true(gdb_take_thread_id(&c, &tid));
	assert_int_equal(tid, GDB_THREAD_ALL);
	c = gdb_cursor("0", 1);
	assert_true(gdb_take_thread_id(&c, &tid));
	assert_int_equal(tid, GDB_THREAD_ANY);
	c = gdb_cursor("1f", 2);
	assert_true(gdb_take_thread_id(&c, &tid));
	assert_int_equal(tid, 0x1f);
	c = gdb_cursor("80000000", 8);
	assert_false(gdb_take_thread_id(&c, &tid));
	c = gdb_cursor("-2", 2);
	assert_false(gdb_take_thread_id(&c, &tid));
	c = gdb_cursor("p1.1", 4); /* multiprocess ids are not announced, so not accepted */
	assert_false(gdb_take_thread_id(&c, &tid));
}

static void test_take_prefix(void **state)
{
	(void)state;
	struct gdb_cursor c = gdb_cursor("qSupported:xmlRegisters=i386", 28);
	assert_false(gdb_take_prefix(&c, "qSupportedX"));
	assert_true(gdb_take_prefix(&c, "qSupported"));
	assert_true(gdb_take_char(&c, ':'));
	c = gdb_cursor("qC", 2);
	assert_false(gdb_take_prefix(&c, "qCRC"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rx_simple),
		cmocka_unit_test(test_rx_known_frame),
		cmocka_unit_test(test_rx_bad_checksum),
		cmocka_unit_test(test_rx_acks_and_interrupt),
		cmocka_unit_test(test_rx_escapes),
		cmocka_unit_test(test_rx_escape_at_end_is_bad),
		cmocka_unit_test(test_rx_run_length),
		cmocka_unit_test(test_rx_run_length_long),
		cmocka_unit_test(test_rx_run_length_bad),
		cmocka_unit_test(test_rx_dollar_restarts),
		cmocka_unit_test(test_rx_size_limit),
		cmocka_unit_test(test_rx_garbage),
		cmocka_unit_test(test_frame_simple),
		cmocka_unit_test(test_frame_too_small),
		cmocka_unit_test(test_frame_run_length),
		cmocka_unit_test(test_frame_round_trip_random),
		cmocka_unit_test(test_escape_binary),
		cmocka_unit_test(test_escape_binary_stops_when_full),
		cmocka_unit_test(test_hex_encode_decode),
		cmocka_unit_test(test_take_hex),
		cmocka_unit_test(test_thread_ids),
		cmocka_unit_test(test_take_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
