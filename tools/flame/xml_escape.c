/* SPDX-License-Identifier: BSD-2-Clause */
#include "xml_escape.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"

static bool xml_char_allowed(uint32_t cp)
{
	/* XML 1.0 Char, less tab/newline/CR, which would be folded into spaces anyway. */
	return (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
	       (cp >= 0x10000 && cp <= 0x10ffff);
}

size_t xml_escape(char *dst, size_t cap, const char *s, size_t n)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD in UTF-8 */
	size_t out = 0, written = 0;
	bool full = cap == 0;

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t take = utf8_decode(s + i, n - i, &cp);
		const char *piece = s + i;
		size_t plen = take;

		switch (cp) {
		case '&':
			piece = "&amp;";
			break;
		case '<':
			piece = "&lt;";
			break;
		case '>':
			piece = "&gt;";
			break;
		case '"':
			piece = "&quot;";
			break;
		case '\'':
			piece = "&apos;";
			break;
		default:
			/* A decoded U+FFFD may stand for malformed bytes: never copy those through. */
			if (cp == UTF8_REPLACEMENT || !xml_char_allowed(cp))
				piece = replacement;
			break;
		}
		if (piece != s + i)
			plen = strlen(piece);
		/* Whole pieces only, so a cut never leaves half an entity or half a character. */
		if (!full && written + plen < cap) {
			memcpy(dst + written, piece, plen);
			written += plen;
		} else {
			full = true;
		}
		out += plen;
		i += take;
	}
	if (cap > 0)
		dst[written] = '\0';
	return out;
}
