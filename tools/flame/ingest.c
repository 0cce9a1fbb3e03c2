/* SPDX-License-Identifier: BSD-2-Clause */
#include "ingest.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "line_reader.h"
#include "tslog.h"

#define STRINGIFY(x) #x
#define AS_TEXT(x) STRINGIFY(x)

static void report_garbage(FILE *diag, const char *name, unsigned long lineno,
			   const char *reason, const char *line, size_t len)
{
	char excerpt[INGEST_EXCERPT_MAX + 1];
	size_t n = len < INGEST_EXCERPT_MAX ? len : INGEST_EXCERPT_MAX;

	/* Printable ASCII only: the line may hold anything, terminal escapes included. */
	for (size_t i = 0; i < n; i++)
		excerpt[i] = line[i] >= 0x20 && line[i] < 0x7f ? line[i] : '?';
	excerpt[n] = '\0';
	fprintf(diag, "millivm-flame: %s:%lu: skipped, %s: \"%s%s\"\n", name, lineno, reason,
		excerpt, len > n ? "..." : "");
}

int ingest_stream(FILE *in, const char *name, struct span_builder *b, FILE *diag,
		  struct ingest_counts *counts)
{
	struct line_reader *lr = malloc(sizeof(*lr)); /* ~70 KiB: too big for some stacks */
	const char *line;
	size_t len;
	int got;

	memset(counts, 0, sizeof(*counts));
	if (lr == NULL)
		return -1;
	line_reader_init(lr, in);
	while ((got = line_reader_next(lr, &line, &len)) > 0) {
		struct tslog_record rec;
		const char *reason = NULL;
		int parsed;

		counts->lines++;
		if (got == LINE_READER_TOO_LONG) {
			reason = "line longer than " AS_TEXT(LINE_READER_MAX) " bytes";
		} else {
			parsed = tslog_parse_line(line, len, &rec);
			if (parsed == TSLOG_PARSE_BLANK) {
				counts->blank++;
				continue;
			}
			if (parsed == TSLOG_PARSE_OK)
				span_builder_feed(b, &rec);
			else
				reason = tslog_parse_strerror(parsed);
		}
		if (reason != NULL) {
			if (diag != NULL && counts->garbage < INGEST_GARBAGE_REPORTED)
				report_garbage(diag, name, lr->lineno, reason, line, len);
			counts->garbage++;
		}
	}
	if (got == LINE_READER_ERROR) {
		int saved = errno;

		free(lr);
		errno = saved;
		return -1;
	}
	if (diag != NULL && counts->garbage > INGEST_GARBAGE_REPORTED)
		fprintf(diag, "millivm-flame: %s: %llu garbage lines in all (first %d shown)\n", name,
			counts->garbage, INGEST_GARBAGE_REPORTED);
	free(lr);
	return 0;
}
