/* SPDX-License-Identifier: BSD-2-Clause */
/* tslog line parser: see tslog.h for the accepted dialects. */
#include "tslog.h"

#include <stdbool.h>
#include <string.h>

/* A cursor over [p, end); every helper only ever moves p forward and never past end. */
struct cursor {
	const char *p;
	const char *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void skip_blanks(struct cursor *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

/* The next run of non-blank bytes; empty when the cursor is at the end. */
static size_t take_token(struct cursor *c, const char **tok)
{
	*tok = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	return (size_t)(c->p - *tok);
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* "1f", "0x1f" or "0X1F"; anything that does not fit 64 bits is refused rather than wrapped. */
static bool parse_hex_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		s += 2;
		n -= 2;
	}
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		int d = hex_digit(s[i]);

		if (d < 0 || (v >> 60) != 0)
			return false;
		v = (v << 4) | (uint64_t)d;
	}
	*out = v;
	return true;
}

static bool parse_dec_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d;

		if (s[i] < '0' || s[i] > '9')
			return false;
		d = (unsigned)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*out = v;
	return true;
}

static bool token_is(const char *tok, size_t n, const char *word)
{
	return n == strlen(word) && memcmp(tok, word, n) == 0;
}

static bool parse_kind(const char *tok, size_t n, enum tslog_kind *out)
{
	if (token_is(tok, n, "ENTER"))
		*out = TSLOG_ENTER;
	else if (token_is(tok, n, "EXIT"))
		*out = TSLOG_EXIT;
	else if (token_is(tok, n, "THREAD"))
		*out = TSLOG_THREAD;
	else if (token_is(tok, n, "EVENT"))
		*out = TSLOG_EVENT;
	else
		return false;
	return true;
}

/*
 * `sysctl debug.tslog` without -b prefixes the first line with "debug.tslog: " (FreeBSD) or
 * "debug.tslog = " (NetBSD); skipping it lets people paste either output as it is.
 */
static void skip_sysctl_prefix(struct cursor *c)
{
	static const char prefix[] = "debug.tslog";
	const size_t plen = sizeof(prefix) - 1;
	struct cursor look = *c;

	if ((size_t)(look.end - look.p) < plen || memcmp(look.p, prefix, plen) != 0)
		return;
	look.p += plen;
	skip_blanks(&look);
	if (look.p < look.end && (*look.p == ':' || *look.p == '=')) {
		look.p++;
		*c = look;
	}
}

int tslog_parse_line(const char *line, size_t len, struct tslog_record *out)
{
	struct cursor c = { line, line + len };
	const char *tok;
	size_t n;

	/* A NUL would make names unprintable and hides where the line really ends. */
	if (len > 0 && memchr(line, '\0', len) != NULL)
		return TSLOG_PARSE_NUL_BYTE;

	while (c.end > c.p && (c.end[-1] == '\n' || c.end[-1] == '\r' || is_blank(c.end[-1])))
		c.end--;
	skip_blanks(&c);
	if (c.p == c.end)
		return TSLOG_PARSE_BLANK;

	skip_sysctl_prefix(&c);
	skip_blanks(&c);

	n = take_token(&c, &tok);
	if (!parse_hex_u64(tok, n, &out->thread))
		return TSLOG_PARSE_BAD_THREAD;

	skip_blanks(&c);
	n = take_token(&c, &tok);
	if (!parse_dec_u64(tok, n, &out->tsc))
		return TSLOG_PARSE_BAD_TSC;

	skip_blanks(&c);
	n = take_token(&c, &tok);
	if (!parse_kind(tok, n, &out->kind))
		return TSLOG_PARSE_BAD_KIND;

	skip_blanks(&c);
	if (c.p == c.end)
		return TSLOG_PARSE_NO_NAME;

	/* A THREAD record's "name" is the thread's name, which may contain blanks ("swi4: clock"). */
	if (out->kind == TSLOG_THREAD) {
		out->name = c.p;
		out->name_len = (size_t)(c.end - c.p);
		out->arg = NULL;
		out->arg_len = 0;
		return TSLOG_PARSE_OK;
	}

	out->name_len = take_token(&c, &out->name);
	skip_blanks(&c);
	if (c.p < c.end) {
		out->arg = c.p;
		out->arg_len = (size_t)(c.end - c.p);
	} else {
		out->arg = NULL;
		out->arg_len = 0;
	}
	return TSLOG_PARSE_OK;
}

const char *tslog_parse_strerror(int result)
{
	switch (result) {
	case TSLOG_PARSE_OK:
		return "ok";
	case TSLOG_PARSE_BLANK:
		return "blank line";
	case TSLOG_PARSE_BAD_THREAD:
		return "bad thread id (want hex)";
	case TSLOG_PARSE_BAD_TSC:
		return "bad timestamp (want decimal)";
	case TSLOG_PARSE_BAD_KIND:
		return "bad record kind (want ENTER, EXIT, THREAD or EVENT)";
	case TSLOG_PARSE_NO_NAME:
		return "missing name";
	case TSLOG_PARSE_NUL_BYTE:
		return "NUL byte in line";
	default:
		return "unknown error";
	}
}

const char *tslog_kind_name(enum tslog_kind kind)
{
	switch (kind) {
	case TSLOG_ENTER:
		return "ENTER";
	case TSLOG_EXIT:
		return "EXIT";
	case TSLOG_THREAD:
		return "THREAD";
	case TSLOG_EVENT:
		return "EVENT";
	}
	return "?";
}
