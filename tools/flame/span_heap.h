/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Keeps the K longest spans of a stream of any length: a min-heap whose root is the
 * shortest span kept, so a new span either replaces it or is dropped in O(log K).
 * Used for the chart (short spans would be invisible anyway) and for --summary.
 */
#ifndef MILLIVM_FLAME_SPAN_HEAP_H
#define MILLIVM_FLAME_SPAN_HEAP_H

#include <stddef.h>

#include "span.h"

struct span_heap {
	struct span *items;
	size_t len;       /* spans kept */
	size_t allocated; /* grows on demand, so a large K costs nothing for a short trace */
	size_t capacity;  /* K */
	unsigned long long offered;
};

void span_heap_init(struct span_heap *h, size_t capacity);
void span_heap_free(struct span_heap *h);

void span_heap_offer(struct span_heap *h, const struct span *s);

/* Sorts the kept spans longest first; the heap must not be offered spans afterwards. */
void span_heap_sort_longest_first(struct span_heap *h);

#endif
