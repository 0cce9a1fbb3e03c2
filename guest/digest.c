// SPDX-License-Identifier: BSD-2-Clause
#include "digest.h"

#define FNV32_OFFSET_BASIS 0x811c9dc5u
#define FNV32_PRIME 0x01000193u
#define EVEN_BYTES 0x00ff00ff00ff00ffull
#define LANE_ONES 0x0001000100010001ull
/* Lanes of 16 bits cannot overflow within 128 words (see below); MP tables are <= 1 KiB. */
#define WORDS_PER_ROUND 128

static inline uint64_t word_at(const unsigned char *p)
{
	uint64_t w;

	__builtin_memcpy(&w, p, 8); /* one unaligned load */
	return w;
}

/*
 * The 8-bit sum of 8-byte words, with two additions a word: evens += w & EVEN_BYTES, and
 * total += w. The even bytes then sit in the low half of four 16-bit lanes of evens, and
 * total - evens is exactly the sum of the odd bytes, each in the high half of a lane: a
 * lane's carries spill into the next lane's unused low half (at most 255 of them in 128
 * words) and never reach the byte we read. Under half the instructions of the obvious
 * mask-and-shift, a fifth of a byte loop's: it matters when each instruction is emulated.
 */
static inline uint8_t word_sum(const unsigned char *p, size_t words)
{
	uint64_t evens = 0, total = 0;

	for (; words >= 4; words -= 4, p += 32) {
		uint64_t w0 = word_at(p), w1 = word_at(p + 8);
		uint64_t w2 = word_at(p + 16), w3 = word_at(p + 24);

		total += w0 + w1 + w2 + w3;
		evens += (w0 & EVEN_BYTES) + (w1 & EVEN_BYTES) + (w2 & EVEN_BYTES) +
			 (w3 & EVEN_BYTES);
	}
	for (; words; words--, p += 8) {
		uint64_t w = word_at(p);

		total += w;
		evens += w & EVEN_BYTES;
	}
	/* Keep each lane's byte sum modulo 256, then multiplying by LANE_ONES adds the four
	 * lanes into the top one (at most 4 * 255: nothing carries out of a lane). */
	uint64_t odds = total - evens;
	uint64_t even_lanes = evens & EVEN_BYTES, odd_lanes = (odds >> 8) & EVEN_BYTES;

	return (uint8_t)(((even_lanes * LANE_ONES) >> 48) + ((odd_lanes * LANE_ONES) >> 48));
}

uint8_t byte_sum(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t sum = 0;

	while (n >= 8) {
		size_t words = n / 8 < WORDS_PER_ROUND ? n / 8 : WORDS_PER_ROUND;

		sum += word_sum(p, words);
		p += words * 8;
		n -= words * 8;
	}
	while (n--)
		sum += *p++;
	return (uint8_t)sum;
}

uint32_t fnv1a32(const void *data, size_t n)
{
	const unsigned char *p = data;
	uint32_t hash = FNV32_OFFSET_BASIS;

	while (n--)
		hash = (hash ^ *p++) * FNV32_PRIME;
	return hash;
}
