// SPDX-License-Identifier: BSD-2-Clause
#include "strings.h"

/* One string instruction each: short to emulate, and a C loop here could be turned back into
 * a call to the function itself by the optimiser. */
void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t string_length(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

const char *skip_prefix_n(const char *text, const char *prefix, size_t length)
{
	for (; length >= 8; length -= 8, text += 8, prefix += 8) {
		uint64_t a, b;

		__builtin_memcpy(&a, text, 8);
		__builtin_memcpy(&b, prefix, 8);
		if (a != b)
			return NULL;
	}
	for (; length; length--)
		if (*text++ != *prefix++)
			return NULL;
	return text;
}

int hex_digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool parse_u64(const char **text, bool allow_size_suffix, uint64_t *value)
{
	const char *p = *text;
	unsigned base = 10;
	uint64_t v = 0;
	int shift = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	}
	const char *digits = p;
	for (int d; (d = hex_digit_value(*p)) >= 0 && d < (int)base; p++)
		if (__builtin_mul_overflow(v, base, &v) || __builtin_add_overflow(v, d, &v))
			return false;
	if (p == digits)
		return false;
	if (allow_size_suffix) {
		switch (*p) {
		case 'K': case 'k': shift = 10; break;
		case 'M': case 'm': shift = 20; break;
		case 'G': case 'g': shift = 30; break;
		}
		if (shift) {
			if (v > (UINT64_MAX >> shift))
				return false;
			v <<= shift;
			p++;
		}
	}
	*value = v;
	*text = p;
	return true;
}
