/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_mmio_token.h"

#include <stdio.h>
#include <string.h>

#include "core/parse.h"

#define TOKEN_PREFIX "virtio_mmio.device"

int virtio_mmio_format_token(char *buf, size_t cap, const struct virtio_mmio_token *tok)
{
	char id[16] = "";
	if (tok->has_id)
		snprintf(id, sizeof(id), ":%u", tok->id);
	int n = snprintf(buf, cap, TOKEN_PREFIX "=%llu@0x%llx:%u%s", (unsigned long long)tok->size,
			 (unsigned long long)tok->base, tok->irq, id);
	if (n < 0 || (size_t)n >= cap) {
		if (cap)
			buf[0] = '\0';
		return -1;
	}
	return n;
}

/* 99 for anything that is not a digit in any base we take, so 'd < base' rejects it */
static int digit_value(char c)
{
	int d = parse_hex_digit((unsigned char)c);
	return d < 0 ? 99 : d;
}

/* An unsigned number in base 'base', or auto-detected when base is 0. Advances *p. */
static int parse_number(const char **p, unsigned base, uint64_t *out, const char *what,
			struct error *err)
{
	const char *s = *p;
	if (base == 0) {
		base = 10;
		if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && digit_value(s[2]) < 16) {
			base = 16;
			s += 2;
		} else if (s[0] == '0') {
			base = 8;
		}
	}
	if (digit_value(*s) >= (int)base)
		return error_set(err, "%s: expected a number at '%s'", what, *p);
	uint64_t v = 0;
	for (int d; (d = digit_value(*s)) < (int)base; s++) {
		if (v > (UINT64_MAX - (uint64_t)d) / base)
			return error_set(err, "%s: number too large", what);
		v = v * base + (uint64_t)d;
	}
	*out = v;
	*p = s;
	return 0;
}

static int apply_suffix(const char **p, uint64_t *v, struct error *err)
{
	static const char suffixes[] = "KMGT";
	char c = (char)(**p & ~0x20); /* upper case; 0 for both NUL and space */
	const char *hit = c ? strchr(suffixes, c) : NULL;
	if (!hit)
		return 0;
	unsigned shift = 10 * (unsigned)(hit - suffixes + 1);
	if (*v > (UINT64_MAX >> shift))
		return error_set(err, "size: too large");
	*v <<= shift;
	(*p)++;
	return 0;
}

/* "virtio_mmio.device=" or "virtio_mmio.device_<digits>=", or nothing. */
static const char *skip_prefix(const char *s)
{
	size_t n = strlen(TOKEN_PREFIX);
	if (strncmp(s, TOKEN_PREFIX, n) != 0)
		return s;
	const char *q = s + n;
	if (*q == '_') {
		q++;
		if (*q < '0' || *q > '9')
			return s;
		while (*q >= '0' && *q <= '9')
			q++;
	}
	return *q == '=' ? q + 1 : s;
}

static int expect(const char **p, char c, const char *what, struct error *err)
{
	if (**p != c)
		return error_set(err, "expected '%c' before the %s at '%s'", c, what, *p);
	(*p)++;
	return 0;
}

int virtio_mmio_parse_token(const char *text, struct virtio_mmio_token *tok, struct error *err)
{
	const char *p = skip_prefix(text);
	uint64_t irq, id = 0;
	memset(tok, 0, sizeof(*tok));
	if (parse_number(&p, 0, &tok->size, "size", err) < 0 || apply_suffix(&p, &tok->size, err) < 0 ||
	    expect(&p, '@', "base", err) < 0 || parse_number(&p, 0, &tok->base, "base", err) < 0 ||
	    expect(&p, ':', "irq", err) < 0 || parse_number(&p, 10, &irq, "irq", err) < 0)
		return -1;
	if (*p == ':') {
		p++;
		if (parse_number(&p, 10, &id, "id", err) < 0)
			return -1;
		tok->has_id = true;
	}
	if (*p)
		return error_set(err, "unexpected '%s' after the token", p);
	if (tok->size == 0)
		return error_set(err, "size is zero");
	if (tok->base + tok->size < tok->base)
		return error_set(err, "base 0x%llx + size 0x%llx wraps around",
				 (unsigned long long)tok->base, (unsigned long long)tok->size);
	if (irq == 0 || irq > 0xffffffffu)
		return error_set(err, "irq %llu out of range", (unsigned long long)irq);
	if (id > 0x7fffffffu)
		return error_set(err, "id %llu out of range", (unsigned long long)id);
	tok->irq = (unsigned)irq;
	tok->id = (unsigned)id;
	return 0;
}
