/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Turns a stream of tslog records into spans, one call per record, keeping only a stack per
 * thread: memory does not grow with the length of the trace. Spans leave through a callback
 * as soon as they close (inner spans before the outer ones).
 *
 * Damage control, because real traces are cut short or interleave badly:
 *   - EXIT with an empty stack, or naming no open frame: ignored, counted as unmatched.
 *   - EXIT naming a frame below the top: the frames above it are closed at the EXIT's stamp
 *     (counted as unwound), then the named frame.
 *   - ENTER never exited: closed by span_builder_finish() at the last stamp of the whole
 *     trace and flagged unfinished.
 *   - more than SPAN_MAX_DEPTH open frames or SPAN_MAX_THREADS threads: the excess records
 *     are dropped and counted.
 */
#ifndef MILLIVM_FLAME_SPAN_BUILDER_H
#define MILLIVM_FLAME_SPAN_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "span.h"
#include "tslog.h"

#define SPAN_MAX_DEPTH 256
#define SPAN_MAX_THREADS 1024
#define THREAD_NAME_MAX 64

struct span_stats {
	unsigned long long records;         /* records fed */
	unsigned long long spans;           /* spans emitted, unfinished ones included */
	unsigned long long events;          /* EVENT records */
	unsigned long long unmatched_exits; /* EXITs that closed nothing */
	unsigned long long unwound;         /* frames closed by the EXIT of an outer frame */
	unsigned long long unfinished;      /* frames still open at the end */
	unsigned long long depth_dropped;   /* ENTERs (and their EXITs) past SPAN_MAX_DEPTH */
	unsigned long long thread_dropped;  /* records of threads past SPAN_MAX_THREADS */
	unsigned long long backwards;       /* EXITs stamped before their ENTER (clamped) */
	int have_time;                      /* first_tsc/last_tsc are valid */
	uint64_t first_tsc, last_tsc;       /* earliest and latest stamp of any record */
};

struct span_sink {
	void (*span)(void *ctx, const struct span *s);
	void (*event)(void *ctx, const struct trace_event *e); /* may be NULL */
	void *ctx;
};

struct span_builder;

/* NULL when out of memory. */
struct span_builder *span_builder_new(const struct span_sink *sink);
void span_builder_free(struct span_builder *b);

void span_builder_feed(struct span_builder *b, const struct tslog_record *rec);
/* Closes what is still open. Call once, after the last record. */
void span_builder_finish(struct span_builder *b);

const struct span_stats *span_builder_stats(const struct span_builder *b);

/* Threads in the order they first appeared, for a stable lane order. */
size_t span_builder_thread_count(const struct span_builder *b);
uint64_t span_builder_thread_id(const struct span_builder *b, size_t index);
/* The index of a thread in that order, or SIZE_MAX for a thread never tracked. */
size_t span_builder_thread_index(const struct span_builder *b, uint64_t thread);
/* The name a THREAD record gave the thread, or NULL. */
const char *span_builder_thread_name(const struct span_builder *b, uint64_t thread);

#endif
