/* SPDX-License-Identifier: BSD-2-Clause */
#include "span_heap.h"

#include <stdlib.h>
#include <string.h>

void span_heap_init(struct span_heap *h, size_t capacity)
{
	memset(h, 0, sizeof(*h));
	h->capacity = capacity;
}

void span_heap_free(struct span_heap *h)
{
	free(h->items);
	memset(h, 0, sizeof(*h));
}

static void swap(struct span *a, struct span *b)
{
	struct span t = *a;

	*a = *b;
	*b = t;
}

/* Heap order: a parent is never longer than its children. */
static void sift_up(struct span_heap *h, size_t i)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (!span_longer(&h->items[parent], &h->items[i]))
			break;
		swap(&h->items[parent], &h->items[i]);
		i = parent;
	}
}

static void sift_down(struct span_heap *h, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, least = i;

		if (l < h->len && span_longer(&h->items[least], &h->items[l]))
			least = l;
		if (r < h->len && span_longer(&h->items[least], &h->items[r]))
			least = r;
		if (least == i)
			break;
		swap(&h->items[i], &h->items[least]);
		i = least;
	}
}

/* Room for one more span; false when K is reached or memory is short (then K shrinks). */
static int grow(struct span_heap *h)
{
	size_t want;
	struct span *grown;

	if (h->len < h->allocated)
		return 1;
	if (h->allocated >= h->capacity)
		return 0;
	want = h->allocated ? h->allocated * 2 : 64;
	if (want > h->capacity)
		want = h->capacity;
	grown = realloc(h->items, want * sizeof(*grown));
	if (grown == NULL) {
		h->capacity = h->allocated;
		return 0;
	}
	h->items = grown;
	h->allocated = want;
	return 1;
}

void span_heap_offer(struct span_heap *h, const struct span *s)
{
	h->offered++;
	if (grow(h)) {
		h->items[h->len] = *s;
		sift_up(h, h->len++);
		return;
	}
	if (h->len > 0 && span_longer(s, &h->items[0])) {
		h->items[0] = *s;
		sift_down(h, 0);
	}
}

static int longest_first(const void *pa, const void *pb)
{
	const struct span *a = pa, *b = pb;

	if (span_longer(a, b))
		return -1;
	return span_longer(b, a) ? 1 : 0;
}

void span_heap_sort_longest_first(struct span_heap *h)
{
	if (h->len > 1)
		qsort(h->items, h->len, sizeof(*h->items), longest_first);
}
