// SPDX-License-Identifier: BSD-2-Clause
/* The virtio checks' command-line parameters (guest/README.md lists them). */
#include "virtio_options.h"

#include <stddef.h>

#include "strings.h"

static bool at_word_end(const char *p)
{
	return (unsigned char)*p <= ' ';
}

static bool number_word(const char *value, bool size_suffix, uint64_t *out)
{
	return parse_u64(&value, size_suffix, out) && at_word_end(value);
}

/* Compares a word part (up to ',' or the word's end) with a literal. */
static bool part_is(const char *p, const char *literal, size_t length)
{
	return skip_prefix_n(p, literal, length) &&
	       (p[length] == ',' || at_word_end(p + length));
}
#define PART_IS(p, literal) part_is((p), (literal), sizeof(literal) - 1)

/* virtio_blk=MODE[,MODE...]: rw, ro, id or none, one per block device in order. */
static bool parse_blk_modes(const char *p, struct virtio_options *vo)
{
	for (;;) {
		enum blk_mode mode;

		if (PART_IS(p, "rw"))
			mode = BLK_MODE_RW;
		else if (PART_IS(p, "ro"))
			mode = BLK_MODE_RO;
		else if (PART_IS(p, "id"))
			mode = BLK_MODE_ID;
		else if (PART_IS(p, "none"))
			mode = BLK_MODE_NONE;
		else
			return false;
		if (vo->nblk_modes == VIRTIO_MAX_DEVICES)
			return false;
		vo->blk_modes[vo->nblk_modes++] = mode;
		while (*p != ',' && !at_word_end(p))
			p++;
		if (*p != ',')
			return true;
		p++;
	}
}

static const struct {
	const char *name;
	unsigned length;
	enum hostile_kind kind;
} hostile_names[] = {
	{ "oob", 3, HOSTILE_OOB },
	{ "mmio", 4, HOSTILE_MMIO },
	{ "hole", 4, HOSTILE_HOLE },
	{ "loop", 4, HOSTILE_LOOP },
	{ "len4g", 5, HOSTILE_LEN4G },
	{ "qsize0", 6, HOSTILE_QSIZE0 },
	{ "qsizemax", 8, HOSTILE_QSIZE_BIG },
	{ "notify", 6, HOSTILE_EARLY_NOTIFY },
	{ "pastend", 7, HOSTILE_PAST_END },
	{ "badsize", 7, HOSTILE_BAD_SIZE },
	{ "indloop", 7, HOSTILE_INDIRECT_LOOP },
	{ "indbig", 6, HOSTILE_INDIRECT_BIG },
	{ "availjump", 9, HOSTILE_AVAIL_JUMP },
	{ "badhead", 7, HOSTILE_BAD_HEAD },
	{ "vsockop", 7, HOSTILE_VSOCK_OP },
	{ "vsocktype", 9, HOSTILE_VSOCK_TYPE },
	{ "vsocklen", 8, HOSTILE_VSOCK_LEN },
	{ "vsockshort", 10, HOSTILE_VSOCK_SHORT },
	{ "vsockunknown", 12, HOSTILE_VSOCK_UNKNOWN },
	{ "vsockcredit", 11, HOSTILE_VSOCK_CREDIT },
};

/* hostile=all or hostile=KIND[,KIND...] */
static bool parse_hostile(const char *p, struct virtio_options *vo)
{
	if (PART_IS(p, "all") && at_word_end(p + 3)) {
		vo->hostile = HOSTILE_BLK_MASK;
		return true;
	}
	for (;;) {
		unsigned i;

		for (i = 0; i < sizeof(hostile_names) / sizeof(hostile_names[0]); i++)
			if (part_is(p, hostile_names[i].name, hostile_names[i].length))
				break;
		if (i == sizeof(hostile_names) / sizeof(hostile_names[0]))
			return false;
		vo->hostile |= 1u << hostile_names[i].kind;
		p += hostile_names[i].length;
		if (*p != ',')
			return true;
		p++;
	}
}

/* A.B.C.D, ending the word. */
static bool parse_ipv4(const char *p, uint32_t *out)
{
	uint32_t ip = 0;
	for (int i = 0; i < 4; i++) {
		uint64_t n;
		if (!parse_u64(&p, false, &n) || n > 255 || (i < 3 && *p++ != '.'))
			return false;
		ip = ip << 8 | (uint32_t)n;
	}
	*out = ip;
	return at_word_end(p);
}

static bool parse_mac(const char *p, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++, p += 3) {
		int hi = hex_digit_value(p[0]), lo = hi < 0 ? -1 : hex_digit_value(p[1]);
		if (lo < 0 || (i < 5 && p[2] != ':'))
			return false;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return at_word_end(p - 1);
}

static bool net_option_word(const char *word, struct virtio_options *vo)
{
	const char *value;

	vo->net_asked = true;
	if ((value = skip_prefix(word, "net_ip=")))
		return (vo->net_ip_set = parse_ipv4(value, &vo->net_ip));
	if ((value = skip_prefix(word, "net_gw=")))
		return (vo->net_gw_set = parse_ipv4(value, &vo->net_gw));
	if ((value = skip_prefix(word, "net_udp_echo=")))
		return number_word(value, false, &vo->net_udp_echo);
	if (skip_prefix(word, "net_csum_offload") && at_word_end(word + 16))
		return (vo->net_csum_offload = true);
	if ((value = skip_prefix(word, "expect_mac=")))
		return (vo->has_expect_mac = parse_mac(value, vo->expect_mac));
	vo->net_asked = false; /* not ours */
	return true;
}

bool virtio_option_token(const char *value, struct virtio_options *vo)
{
	if (vo->ntokens == VIRTIO_MAX_DEVICES) {
		vo->too_many_tokens = true;
		return true; /* the device is not probed; virtio-probe says so */
	}
	vo->tokens[vo->ntokens++] = value;
	return true;
}

bool virtio_option_word(const char *word, struct virtio_options *vo)
{
	const char *value;
	uint64_t n;

	if ((value = skip_prefix(word, "virtio_blk=")))
		return parse_blk_modes(value, vo);
	if ((value = skip_prefix(word, "virtio_rng=")))
		return number_word(value, true, &vo->rng_bytes) && vo->rng_bytes &&
		       vo->rng_bytes <= 4096;
	if ((value = skip_prefix(word, "virtio_console="))) {
		const char *end = value;

		while (!at_word_end(end))
			end++;
		vo->console_text = value;
		vo->console_length = (unsigned)(end - value);
		return vo->console_length > 0 && vo->console_length <= 200;
	}
	if ((value = skip_prefix(word, "blk_sector=")))
		return number_word(value, false, &vo->blk_sector);
	if (skip_prefix(word, "blk_hold") && at_word_end(word + 8)) {
		vo->blk_hold = true;
		return true;
	}
	if (skip_prefix(word, "blk_reread") && at_word_end(word + 10)) {
		vo->blk_reread = true;
		return true;
	}
	if ((value = skip_prefix(word, "vsock_listen=")))
		return number_word(value, false, &n) && n <= UINT32_MAX &&
		       (vo->vsock_listen = (uint32_t)n);
	if ((value = skip_prefix(word, "vsock_connect=")))
		return number_word(value, false, &n) && n <= UINT32_MAX &&
		       (vo->vsock_connect = (uint32_t)n);
	if (word[0] == 'n' || word[0] == 'e')
		return net_option_word(word, vo);
	if ((value = skip_prefix(word, "hostile=")))
		return parse_hostile(value, vo);
	return blk_bench_option(word, &vo->bench); /* true if not ours either */
}
