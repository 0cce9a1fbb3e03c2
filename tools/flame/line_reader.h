/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reads a stream line by line with a fixed amount of memory: a line longer than
 * LINE_READER_MAX bytes is reported as too long (and its bytes discarded up to the next
 * newline) instead of growing a buffer, so a file without newlines cannot exhaust memory.
 * Unlike fgets() it reports the true length, so embedded NUL bytes are seen.
 */
#ifndef MILLIVM_FLAME_LINE_READER_H
#define MILLIVM_FLAME_LINE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define LINE_READER_MAX 2048
#define LINE_READER_CHUNK 65536

struct line_reader {
	FILE *fp;
	unsigned long lineno; /* of the line last returned, 1-based */
	size_t pos, end;      /* unread bytes are chunk[pos, end) */
	bool eof;
	char chunk[LINE_READER_CHUNK];
	char line[LINE_READER_MAX + 1]; /* +1: always NUL-terminated for convenience */
};

enum line_reader_result {
	LINE_READER_LINE = 1,     /* *line, *len hold the line without its "\n" */
	LINE_READER_TOO_LONG = 2, /* *line, *len hold its first LINE_READER_MAX bytes */
	LINE_READER_EOF = 0,
	LINE_READER_ERROR = -1,   /* read error, errno set by stdio */
};

void line_reader_init(struct line_reader *lr, FILE *fp);
int line_reader_next(struct line_reader *lr, const char **line, size_t *len);

#endif
