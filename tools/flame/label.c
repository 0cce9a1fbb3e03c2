/* SPDX-License-Identifier: BSD-2-Clause */
#include "label.h"

#include <stdbool.h>
#include <string.h>

struct label_writer {
	char *dst;
	size_t cap;  /* room for text, the NUL excluded */
	size_t len;
	bool cut;
};

static void put(struct label_writer *w, const char *s, size_t n)
{
	size_t room = w->cap - w->len;

	if (n > room) {
		n = room;
		w->cut = true;
	}
	memcpy(w->dst + w->len, s, n);
	w->len += n;
}

static bool is_utf8_continuation(char c)
{
	return ((unsigned char)c & 0xc0) == 0x80;
}

void label_format(char *dst, size_t cap, const char *name, size_t name_len, const char *arg,
		  size_t arg_len)
{
	struct label_writer w = { dst, cap - 1, 0, false };

	put(&w, name, name_len);
	if (arg != NULL) {
		put(&w, "(", 1);
		put(&w, arg, arg_len);
		put(&w, ")", 1);
	}
	if (w.cut) {
		/* Make room for the ellipsis without splitting a multi-byte character. */
		w.len = cap - 1 - (sizeof(LABEL_ELLIPSIS) - 1);
		while (w.len > 0 && is_utf8_continuation(dst[w.len]))
			w.len--;
		memcpy(dst + w.len, LABEL_ELLIPSIS, sizeof(LABEL_ELLIPSIS) - 1);
		w.len += sizeof(LABEL_ELLIPSIS) - 1;
	}
	dst[w.len] = '\0';
}
