// SPDX-License-Identifier: BSD-2-Clause
#include "format.h"

#include <stdbool.h>
#include <stdint.h>

#include "strings.h"

/* Formats value into the end of buf (22 bytes hold any 64-bit decimal), returns the start. */
static char *format_number(char *end, uint64_t value, unsigned base, bool negative,
			   unsigned width, char pad)
{
	static const char digits[] = "0123456789abcdef";
	char *p = end;
	unsigned count = 0;

	do {
		*--p = digits[value % base];
		value /= base;
		count++;
	} while (value);
	while (count < width && count < 20) {
		*--p = pad;
		count++;
	}
	if (negative)
		*--p = '-';
	return p;
}

void format_v(format_emit_fn emit, const char *fmt, va_list args)
{
	while (*fmt) {
		const char *run = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		if (fmt != run)
			emit(run, (size_t)(fmt - run));
		if (!*fmt)
			break;
		fmt++; /* the '%' */

		char pad = ' ';
		unsigned width = 0, longs = 0;

		if (*fmt == '0')
			pad = *fmt++;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		while (*fmt == 'l') {
			longs++;
			fmt++;
		}

		char buf[24], *end = buf + sizeof(buf), *start;
		char c = *fmt ? *fmt++ : '%';

		switch (c) {
		case 's': {
			const char *s = va_arg(args, const char *);

			emit(s, string_length(s, SIZE_MAX));
			continue;
		}
		case 'c':
			buf[0] = (char)va_arg(args, int);
			emit(buf, 1);
			continue;
		case 'd': {
			int64_t v = longs ? va_arg(args, long) : va_arg(args, int);
			uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

			start = format_number(end, magnitude, 10, v < 0, width, pad);
			break;
		}
		case 'u':
		case 'x': {
			uint64_t v = longs ? va_arg(args, unsigned long) : va_arg(args, unsigned);

			start = format_number(end, v, c == 'u' ? 10 : 16, false, width, pad);
			break;
		}
		default: /* "%%" and anything unknown print as themselves */
			buf[0] = c;
			emit(buf, 1);
			continue;
		}
		emit(start, (size_t)(end - start));
	}
}

void format_to(format_emit_fn emit, const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	format_v(emit, fmt, args);
	va_end(args);
}
