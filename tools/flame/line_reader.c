/* SPDX-License-Identifier: BSD-2-Clause */
#include "line_reader.h"

#include <string.h>

void line_reader_init(struct line_reader *lr, FILE *fp)
{
	lr->fp = fp;
	lr->lineno = 0;
	lr->pos = 0;
	lr->end = 0;
	lr->eof = false;
	lr->line[0] = '\0';
}

/* Refill the chunk; false at end of input. A read error is left for the caller to see. */
static bool refill(struct line_reader *lr)
{
	size_t got;

	if (lr->eof)
		return false;
	got = fread(lr->chunk, 1, sizeof(lr->chunk), lr->fp);
	lr->pos = 0;
	lr->end = got;
	if (got == 0) {
		lr->eof = true;
		return false;
	}
	return true;
}

int line_reader_next(struct line_reader *lr, const char **line, size_t *len)
{
	size_t n = 0;
	bool started = false, too_long = false, ended_by_newline = false;

	while (!ended_by_newline) {
		const char *start, *newline;
		size_t avail, take, copy;

		if (lr->pos == lr->end && !refill(lr)) {
			if (ferror(lr->fp))
				return LINE_READER_ERROR;
			break;
		}
		started = true;
		start = lr->chunk + lr->pos;
		avail = lr->end - lr->pos;
		newline = memchr(start, '\n', avail);
		take = newline ? (size_t)(newline - start) : avail;
		copy = take < LINE_READER_MAX - n ? take : LINE_READER_MAX - n;
		memcpy(lr->line + n, start, copy);
		n += copy;
		if (copy < take)
			too_long = true;
		lr->pos += take;
		if (newline) {
			lr->pos++;
			ended_by_newline = true;
		}
	}
	if (!started)
		return LINE_READER_EOF;

	lr->line[n] = '\0';
	lr->lineno++;
	*line = lr->line;
	*len = n;
	return too_long ? LINE_READER_TOO_LONG : LINE_READER_LINE;
}
