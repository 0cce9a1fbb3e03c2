/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the virtio-mmio command-line token (src/devices/virtio_mmio_token.c),
 * `virtio_mmio.device=<size>[K|M|G|T]@<base>:<irq>[:<id>]`.
 *
 *  - the input as text (an exact-size NUL-terminated copy) through the parser; a token it
 *    accepts must obey the documented limits and survive format -> parse unchanged;
 *  - the input's first 25 bytes as a token structure through the formatter, into exact-size
 *    buffers of 0, 1, half, exactly and one more than the token's length: it never writes
 *    past cap, fails with an empty string when the token does not fit, and what it writes
 *    for a valid token parses back to the same token.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "devices/virtio_mmio_token.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define TOKEN_MAX 128 /* "virtio_mmio.device=" + 3 * 20 digits + separators, with room */

static bool same(const struct virtio_mmio_token *a, const struct virtio_mmio_token *b)
{
	return a->size == b->size && a->base == b->base && a->irq == b->irq &&
	       a->has_id == b->has_id && (!a->has_id || a->id == b->id);
}

static bool valid(const struct virtio_mmio_token *t)
{
	return t->size != 0 && t->base + t->size >= t->base && t->irq != 0 &&
	       (!t->has_id || t->id <= 0x7fffffffu);
}

/* format at caps around the length: exact-size heap buffers, so a write past cap is an ASan report. */
static void check_format(const struct virtio_mmio_token *t)
{
	char full[TOKEN_MAX];
	int n = virtio_mmio_format_token(full, sizeof(full), t);
	if (n < 0 || (size_t)n != strlen(full))
		abort();
	const size_t caps[] = { 0, 1, (size_t)n / 2, (size_t)n, (size_t)n + 1 };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		size_t cap = caps[i];
		char *buf = malloc(cap ? cap : 1);
		if (!buf)
			abort();
		int m = virtio_mmio_format_token(buf, cap, t);
		if ((size_t)n < cap) {
			if (m != n || memcmp(buf, full, (size_t)n + 1) != 0)
				abort();
		} else if (m != -1 || (cap > 0 && buf[0] != '\0')) {
			abort();
		}
		free(buf);
	}
	if (valid(t)) {
		struct virtio_mmio_token back;
		struct error err;
		if (virtio_mmio_parse_token(full, &back, &err) != 0 || !same(t, &back))
			abort(); /* the guest would read a different device than we announced */
		/* And without the prefix, and with a numbered one (FreeBSD's device_N=). */
		const char *bare = strchr(full, '=') + 1;
		if (virtio_mmio_parse_token(bare, &back, &err) != 0 || !same(t, &back))
			abort();
		char numbered[TOKEN_MAX + 8];
		snprintf(numbered, sizeof(numbered), "virtio_mmio.device_3=%s", bare);
		if (virtio_mmio_parse_token(numbered, &back, &err) != 0 || !same(t, &back))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	struct virtio_mmio_token tok;
	struct error err;
	err.msg[0] = '\0';
	if (virtio_mmio_parse_token(text, &tok, &err) == 0) {
		if (!valid(&tok) || tok.irq == 0)
			abort();
		check_format(&tok);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	free(text);

	if (size >= 25) {
		struct virtio_mmio_token t;
		memcpy(&t.size, data, 8);
		memcpy(&t.base, data + 8, 8);
		memcpy(&t.irq, data + 16, 4);
		memcpy(&t.id, data + 20, 4);
		t.has_id = data[24] & 1;
		check_format(&t);
	}
	return 0;
}
