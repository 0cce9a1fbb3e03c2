/* SPDX-License-Identifier: BSD-2-Clause */
/* What the span builder produces: closed ENTER..EXIT intervals and instant events. */
#ifndef MILLIVM_FLAME_SPAN_H
#define MILLIVM_FLAME_SPAN_H

#include <stdbool.h>
#include <stdint.h>

#define SPAN_LABEL_MAX 128 /* bytes, NUL included: bounds the memory of every kept span */

struct span {
	uint64_t thread;
	uint64_t start; /* tsc */
	uint64_t end;   /* tsc, >= start */
	unsigned depth; /* 0 = outermost frame of its thread */
	bool unfinished; /* never exited: closed at the last stamp of the trace */
	char label[SPAN_LABEL_MAX];
};

struct trace_event {
	uint64_t thread;
	uint64_t tsc;
	char label[SPAN_LABEL_MAX];
};

static inline uint64_t span_ticks(const struct span *s)
{
	return s->end - s->start;
}

/* Ticks of a TSC running at khz kHz, in milliseconds: khz ticks make one millisecond. */
static inline double tsc_to_ms(uint64_t ticks, double khz)
{
	return (double)ticks / khz;
}

/*
 * Total order "a is longer than b": longer duration first, then the earlier start, so that
 * which of several equally long spans is kept or listed does not depend on input order
 * within a heap.
 */
static inline bool span_longer(const struct span *a, const struct span *b)
{
	if (span_ticks(a) != span_ticks(b))
		return span_ticks(a) > span_ticks(b);
	if (a->start != b->start)
		return a->start < b->start;
	if (a->thread != b->thread)
		return a->thread < b->thread;
	return a->depth < b->depth;
}

#endif
