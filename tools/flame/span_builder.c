/* SPDX-License-Identifier: BSD-2-Clause */
#include "span_builder.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "label.h"

#define THREAD_SLOTS (SPAN_MAX_THREADS * 2) /* open addressing: keep the table half empty */
#define FIRST_STACK_SIZE 8

struct frame {
	uint64_t start;
	uint64_t name_hash; /* of the full name: the label may be cut short */
	uint64_t arg_hash;
	bool has_arg;
	char label[SPAN_LABEL_MAX];
};

struct thread_state {
	uint64_t id;
	struct frame *frames; /* grows by doubling up to SPAN_MAX_DEPTH */
	unsigned depth, capacity;
	unsigned long long dropped_open; /* ENTERs dropped for depth whose EXIT is still due */
	char name[THREAD_NAME_MAX];
};

struct span_builder {
	struct span_sink sink;
	struct span_stats stats;
	size_t nthreads;
	struct thread_state threads[SPAN_MAX_THREADS];
	uint16_t slot[THREAD_SLOTS]; /* index + 1 into threads[], 0 = empty */
};

/* FNV-1a: cheap, and good enough to tell function names apart. */
static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static size_t thread_slot_start(uint64_t id)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdull; /* mix: FreeBSD thread pointers differ only in a few bits */
	id ^= id >> 33;
	return (size_t)(id & (THREAD_SLOTS - 1));
}

/* Where thread id sits in slot[], or the empty slot where it would go. */
static size_t thread_slot(const struct span_builder *b, uint64_t id)
{
	size_t i = thread_slot_start(id);

	while (b->slot[i] != 0 && b->threads[b->slot[i] - 1].id != id)
		i = (i + 1) & (THREAD_SLOTS - 1);
	return i;
}

static const struct thread_state *thread_find(const struct span_builder *b, uint64_t id)
{
	size_t i = thread_slot(b, id);

	return b->slot[i] != 0 ? &b->threads[b->slot[i] - 1] : NULL;
}

/* The state of a thread, created on first sight; NULL once SPAN_MAX_THREADS are tracked. */
static struct thread_state *thread_get(struct span_builder *b, uint64_t id)
{
	size_t i = thread_slot(b, id);

	if (b->slot[i] != 0)
		return &b->threads[b->slot[i] - 1];
	if (b->nthreads == SPAN_MAX_THREADS)
		return NULL;
	b->threads[b->nthreads].id = id;
	b->slot[i] = (uint16_t)(b->nthreads + 1);
	return &b->threads[b->nthreads++];
}

struct span_builder *span_builder_new(const struct span_sink *sink)
{
	struct span_builder *b = calloc(1, sizeof(*b));

	if (b != NULL)
		b->sink = *sink;
	return b;
}

void span_builder_free(struct span_builder *b)
{
	if (b == NULL)
		return;
	for (size_t i = 0; i < b->nthreads; i++)
		free(b->threads[i].frames);
	free(b);
}

static bool stack_reserve(struct thread_state *t)
{
	unsigned want;
	struct frame *grown;

	if (t->depth < t->capacity)
		return true;
	if (t->capacity == SPAN_MAX_DEPTH)
		return false;
	want = t->capacity ? t->capacity * 2 : FIRST_STACK_SIZE;
	if (want > SPAN_MAX_DEPTH)
		want = SPAN_MAX_DEPTH;
	grown = realloc(t->frames, want * sizeof(*grown));
	if (grown == NULL)
		return false;
	t->frames = grown;
	t->capacity = want;
	return true;
}

/* Pops the top frame of t as a span ending at end. */
static void close_top(struct span_builder *b, struct thread_state *t, uint64_t end,
		      bool unfinished)
{
	const struct frame *f = &t->frames[--t->depth];
	struct span s;

	if (end < f->start) {
		/* TSCs of different CPUs can disagree slightly; never draw a negative width. */
		end = f->start;
		b->stats.backwards++;
	}
	s.thread = t->id;
	s.start = f->start;
	s.end = end;
	s.depth = t->depth;
	s.unfinished = unfinished;
	memcpy(s.label, f->label, sizeof(s.label));
	b->stats.spans++;
	b->sink.span(b->sink.ctx, &s);
}

static void handle_enter(struct span_builder *b, struct thread_state *t,
		     const struct tslog_record *rec)
{
	struct frame *f;

	if (t->dropped_open > 0 || !stack_reserve(t)) {
		t->dropped_open++;
		b->stats.depth_dropped++;
		return;
	}
	f = &t->frames[t->depth++];
	f->start = rec->tsc;
	f->name_hash = hash_bytes(rec->name, rec->name_len);
	f->has_arg = rec->arg != NULL;
	f->arg_hash = f->has_arg ? hash_bytes(rec->arg, rec->arg_len) : 0;
	label_format(f->label, sizeof(f->label), rec->name, rec->name_len, rec->arg,
		     rec->arg_len);
}

/* An EXIT names its frame by function name; the argument must agree only if both have one. */
static bool frame_matches(const struct frame *f, uint64_t name_hash, bool has_arg,
			  uint64_t arg_hash)
{
	if (f->name_hash != name_hash)
		return false;
	return !(f->has_arg && has_arg) || f->arg_hash == arg_hash;
}

static void handle_exit(struct span_builder *b, struct thread_state *t,
		    const struct tslog_record *rec)
{
	uint64_t name_hash = hash_bytes(rec->name, rec->name_len);
	bool has_arg = rec->arg != NULL;
	uint64_t arg_hash = has_arg ? hash_bytes(rec->arg, rec->arg_len) : 0;
	unsigned i;

	if (t->dropped_open > 0) {
		/* Frames past the depth cap were never recorded: this EXIT is theirs. */
		t->dropped_open--;
		b->stats.depth_dropped++;
		return;
	}
	for (i = t->depth; i > 0; i--)
		if (frame_matches(&t->frames[i - 1], name_hash, has_arg, arg_hash))
			break;
	if (i == 0) {
		b->stats.unmatched_exits++;
		return;
	}
	while (t->depth > i) {
		b->stats.unwound++;
		close_top(b, t, rec->tsc, false);
	}
	close_top(b, t, rec->tsc, false);
}

static void handle_event(struct span_builder *b, const struct tslog_record *rec)
{
	struct trace_event e;

	b->stats.events++;
	if (b->sink.event == NULL)
		return;
	e.thread = rec->thread;
	e.tsc = rec->tsc;
	label_format(e.label, sizeof(e.label), rec->name, rec->name_len, rec->arg, rec->arg_len);
	b->sink.event(b->sink.ctx, &e);
}

void span_builder_feed(struct span_builder *b, const struct tslog_record *rec)
{
	struct thread_state *t;

	b->stats.records++;
	if (!b->stats.have_time) {
		b->stats.have_time = 1;
		b->stats.first_tsc = b->stats.last_tsc = rec->tsc;
	} else if (rec->tsc < b->stats.first_tsc) {
		b->stats.first_tsc = rec->tsc;
	} else if (rec->tsc > b->stats.last_tsc) {
		b->stats.last_tsc = rec->tsc;
	}

	t = thread_get(b, rec->thread);
	if (rec->kind == TSLOG_EVENT) {
		handle_event(b, rec); /* needs no per-thread state, so never dropped */
		return;
	}
	if (t == NULL) {
		b->stats.thread_dropped++;
		return;
	}
	switch (rec->kind) {
	case TSLOG_ENTER:
		handle_enter(b, t, rec);
		break;
	case TSLOG_EXIT:
		handle_exit(b, t, rec);
		break;
	case TSLOG_THREAD:
		label_format(t->name, sizeof(t->name), rec->name, rec->name_len, NULL, 0);
		break;
	case TSLOG_EVENT:
		break;
	}
}

void span_builder_finish(struct span_builder *b)
{
	for (size_t i = 0; i < b->nthreads; i++) {
		struct thread_state *t = &b->threads[i];

		while (t->depth > 0) {
			b->stats.unfinished++;
			close_top(b, t, b->stats.last_tsc, true);
		}
		t->dropped_open = 0;
	}
}

const struct span_stats *span_builder_stats(const struct span_builder *b)
{
	return &b->stats;
}

size_t span_builder_thread_count(const struct span_builder *b)
{
	return b->nthreads;
}

uint64_t span_builder_thread_id(const struct span_builder *b, size_t index)
{
	return index < b->nthreads ? b->threads[index].id : 0;
}

size_t span_builder_thread_index(const struct span_builder *b, uint64_t thread)
{
	const struct thread_state *t = thread_find(b, thread);

	return t != NULL ? (size_t)(t - b->threads) : SIZE_MAX;
}

const char *span_builder_thread_name(const struct span_builder *b, uint64_t thread)
{
	const struct thread_state *t = thread_find(b, thread);

	return t != NULL && t->name[0] != '\0' ? t->name : NULL;
}
