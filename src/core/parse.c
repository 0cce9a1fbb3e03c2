/* SPDX-License-Identifier: BSD-2-Clause */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int suffix_shift(const char *s, unsigned *shift)
{
	static const struct {
		const char *text;
		unsigned shift;
	} suffixes[] = {
		{ "", 20 },   { "b", 0 },    { "k", 10 },   { "kib", 10 }, { "kb", 10 },
		{ "m", 20 },  { "mib", 20 }, { "mb", 20 },  { "g", 30 },   { "gib", 30 },
		{ "gb", 30 }, { "t", 40 },   { "tib", 40 }, { "tb", 40 },
	};
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (strcasecmp(s, suffixes[i].text) == 0) {
			*shift = suffixes[i].shift;
			return 0;
		}
	}
	return -1;
}

int parse_mem_size(const char *text, uint64_t *bytes, struct error *err)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return error_set(err, "'%s' is not a size (e.g. 256M, 4G)", text ? text : "");
	char *end;
	errno = 0;
	unsigned long long n = strtoull(text, &end, 10);
	unsigned shift;
	if (errno == ERANGE)
		return error_set(err, "size '%s' is too large", text);
	if (suffix_shift(end, &shift) < 0)
		return error_set(err, "'%s' is not a size: unknown suffix '%s' (use K, M, G or T)",
				 text, end);
	if (shift && n > (UINT64_MAX >> shift))
		return error_set(err, "size '%s' is too large", text);
	*bytes = (uint64_t)n << shift;
	return 0;
}

int parse_uint_range(const char *text, unsigned long min, unsigned long max,
		     unsigned long *out, struct error *err)
{
	if (!text || !isdigit((unsigned char)text[0]))
		return error_set(err, "'%s' is not a number", text ? text : "");
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (errno || *end)
		return error_set(err, "'%s' is not a number", text);
	if (v < min || v > max)
		return error_set(err, "%lu is out of range [%lu, %lu]", v, min, max);
	*out = v;
	return 0;
}

int parse_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
