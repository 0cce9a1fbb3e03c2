/* SPDX-License-Identifier: BSD-2-Clause */
#include "utf8.h"

static int is_continuation(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
	size_t len;
	uint32_t v;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xc2 && u[0] <= 0xdf) {
		len = 2;
		v = u[0] & 0x1f;
	} else if (u[0] >= 0xe0 && u[0] <= 0xef) {
		len = 3;
		v = u[0] & 0x0f;
		if (u[0] == 0xe0)
			lo = 0xa0; /* overlong */
		else if (u[0] == 0xed)
			hi = 0x9f; /* UTF-16 surrogates */
	} else if (u[0] >= 0xf0 && u[0] <= 0xf4) {
		len = 4;
		v = u[0] & 0x07;
		if (u[0] == 0xf0)
			lo = 0x90; /* overlong */
		else if (u[0] == 0xf4)
			hi = 0x8f; /* past U+10FFFF */
	} else {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	if (n < len || u[1] < lo || u[1] > hi) {
		*cp = UTF8_REPLACEMENT;
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		if (!is_continuation(u[i])) {
			*cp = UTF8_REPLACEMENT;
			return 1;
		}
		v = (v << 6) | (u[i] & 0x3f);
	}
	*cp = v;
	return len;
}

size_t utf8_char_count(const char *s, size_t n)
{
	size_t chars = 0;
	uint32_t cp;

	for (size_t i = 0; i < n; chars++)
		i += utf8_decode(s + i, n - i, &cp);
	return chars;
}

size_t utf8_prefix_bytes(const char *s, size_t n, size_t chars)
{
	size_t i = 0;
	uint32_t cp;

	while (i < n && chars-- > 0)
		i += utf8_decode(s + i, n - i, &cp);
	return i;
}
