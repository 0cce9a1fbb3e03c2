/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reads a tslog stream into a span builder: garbage lines are counted, the first few are
 * reported with their line numbers, and reading goes on.
 */
#ifndef MILLIVM_FLAME_INGEST_H
#define MILLIVM_FLAME_INGEST_H

#include <stdio.h>

#include "span_builder.h"

#define INGEST_GARBAGE_REPORTED 5 /* garbage lines described one by one on diag */
#define INGEST_EXCERPT_MAX 60     /* bytes of a garbage line quoted */

struct ingest_counts {
	unsigned long long lines;
	unsigned long long blank;
	unsigned long long garbage; /* unparsable or longer than LINE_READER_MAX */
};

/*
 * Feeds every record of in to b (span_builder_finish() is left to the caller). Reports to
 * diag, if not NULL, as "<prog>: <name>:<line>: ...". Returns 0, or -1 on a read error
 * (errno set).
 */
int ingest_stream(FILE *in, const char *name, struct span_builder *b, FILE *diag,
		  struct ingest_counts *counts);

#endif
