/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the flame tool (tools/flame) on a tslog trace that is the fuzzer's input.
 *
 *  1. tslog_parse_line() on every line, each in an exact-size heap buffer (the parser takes
 *     pointer + length: any read past the line is a heap overflow ASan reports), checking
 *     that name and argument point inside the line and are well formed.
 *  2. The tool's whole pipeline as main.c runs it: ingest_stream() (line reader, parser, span
 *     builder), span_builder_finish(), the top-K heaps, anomalies, the --summary text and the
 *     SVG chart. Both outputs must be valid UTF-8 without control characters but newline:
 *     trace names come from a guest and must not reach a terminal or break the XML.
 *  3. For inputs whose length is a multiple of 4 (cheap to reach, deterministic), the same
 *     input once more behind a filler line, placed so that the line reader's 64 KiB chunk
 *     boundary falls in the middle of the input: chunking must not change the result (same
 *     records, spans, events and anomaly counters).
 *
 * The input is also scanned as a timeline JSON (timeline_find_tsc_khz); a tsc_khz found
 * there is the frequency the summary and the chart use, as --timeline FILE would.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomalies.h"
#include "ingest.h"
#include "line_reader.h"
#include "options.h"
#include "span_builder.h"
#include "span_heap.h"
#include "summary.h"
#include "svg.h"
#include "timeline.h"
#include "tslog.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define EVENTS_DRAWN_MAX 2000 /* as main.c */
#define SUMMARY_TOP 5         /* small, so the summary heap evicts */
#define MAX_INPUT (LINE_READER_CHUNK / 2)

/* Harness-only helpers are not instrumented for coverage: they would only add noise. */
#ifdef __clang__
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))
#else
#define NO_COVERAGE
#endif

static FILE *devnull;
static struct trace_event *events; /* main.c's event buffer, allocated once */
static char *padded;               /* part 3's input, allocated once */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	devnull = fopen("/dev/null", "w");
	events = malloc(EVENTS_DRAWN_MAX * sizeof(*events));
	padded = malloc(LINE_READER_CHUNK + MAX_INPUT);
	if (!devnull || !events || !padded)
		abort();
	return 0;
}

/* ------------------------------------------------------------------ 1: the line parser */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static void check_line(const char *line, size_t len)
{
	struct tslog_record rec;
	int r = tslog_parse_line(line, len, &rec);
	if (tslog_parse_strerror(r) == NULL)
		abort();
	if (r != TSLOG_PARSE_OK)
		return;
	const char *end = line + len;
	if (rec.kind < TSLOG_ENTER || rec.kind > TSLOG_EVENT || !tslog_kind_name(rec.kind))
		abort();
	if (rec.name_len < 1 || rec.name < line || rec.name > end || rec.name_len > (size_t)(end - rec.name))
		abort();
	if (is_blank(rec.name[0]) || is_blank(rec.name[rec.name_len - 1]) ||
	    memchr(rec.name, '\0', rec.name_len))
		abort();
	if (rec.kind != TSLOG_THREAD && (memchr(rec.name, ' ', rec.name_len) ||
					 memchr(rec.name, '\t', rec.name_len)))
		abort();
	if (rec.arg) {
		if (rec.kind == TSLOG_THREAD || rec.arg_len < 1 || rec.arg < rec.name + rec.name_len ||
		    rec.arg > end || rec.arg_len > (size_t)(end - rec.arg) || is_blank(rec.arg[0]))
			abort();
	} else if (rec.arg_len != 0) {
		abort();
	}
}

static void parse_lines(const uint8_t *data, size_t size)
{
	size_t start = 0;
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) + 1 : size - start; /* with its \n */
		char *line = malloc(len ? len : 1);
		if (!line)
			abort();
		memcpy(line, data + start, len);
		check_line(line, len);
		free(line);
		start += len;
	}
}

/* ---------------------------------------------------------------- 2: the whole pipeline */

struct collector {
	struct span_heap chart, summary;
	struct trace_event *events;
	size_t nevents, events_cap;
	unsigned long long spans, events_seen;
};

NO_COVERAGE static void check_label(const char *label, size_t cap)
{
	if (!memchr(label, '\0', cap))
		abort();
}

static void collect_span(void *ctx, const struct span *s)
{
	struct collector *c = ctx;
	if (s->end < s->start || s->depth >= SPAN_MAX_DEPTH)
		abort();
	check_label(s->label, sizeof(s->label));
	c->spans++;
	span_heap_offer(&c->chart, s);
	span_heap_offer(&c->summary, s);
}

static void collect_event(void *ctx, const struct trace_event *e)
{
	struct collector *c = ctx;
	check_label(e->label, sizeof(e->label));
	c->events_seen++;
	if (c->nevents < c->events_cap)
		c->events[c->nevents++] = *e;
}

/*
 * Strict UTF-8 (no overlongs, surrogates or past U+10FFFF) and no C0 control byte but '\n'.
 * Terminal text (summary): no DEL or C1 controls either. XML (svg): XML 1.0 allows those, but
 * not U+FFFE/U+FFFF, and every '&' must start one of the entities svg.c writes.
 */
enum text_kind { TEXT_TERMINAL, TEXT_XML };

NO_COVERAGE static bool known_entity(const char *p, size_t n)
{
	static const char *const entities[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;",
						"&#183;" };
	for (size_t i = 0; i < sizeof(entities) / sizeof(entities[0]); i++) {
		size_t len = strlen(entities[i]);
		if (n >= len && memcmp(p, entities[i], len) == 0)
			return true;
	}
	return false;
}

NO_COVERAGE static void check_text(const char *text, size_t n, enum text_kind kind)
{
	const unsigned char *u = (const unsigned char *)text;
	for (size_t i = 0; i < n;) {
		unsigned char c = u[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\n')
				abort();
			if (kind == TEXT_TERMINAL && c == 0x7f)
				abort();
			if (kind == TEXT_XML && c == '&' && !known_entity(text + i, n - i))
				abort();
			i++;
			continue;
		}
		size_t len;
		uint32_t cp, min;
		if (c >= 0xc2 && c <= 0xdf)
			len = 2, cp = c & 0x1f, min = 0x80;
		else if (c >= 0xe0 && c <= 0xef)
			len = 3, cp = c & 0x0f, min = 0x800;
		else if (c >= 0xf0 && c <= 0xf4)
			len = 4, cp = c & 0x07, min = 0x10000;
		else
			abort();
		if (n - i < len)
			abort();
		for (size_t k = 1; k < len; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				abort();
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			abort();
		if (kind == TEXT_TERMINAL && cp < 0xa0)
			abort(); /* C1 controls */
		if (kind == TEXT_XML && (cp == 0xfffe || cp == 0xffff))
			abort();
		i += len;
	}
}

struct run_result {
	struct span_stats stats;
	struct ingest_counts counts;
	unsigned long long spans, events;
	size_t nthreads;
};

static FILE *open_input(const char *buf, size_t size)
{
	if (size == 0)
		return fopen("/dev/null", "r");
	return fmemopen((void *)buf, size, "r");
}

/* The pipeline of tools/flame/main.c; outputs checked when full is set. */
static void run_pipeline(const char *buf, size_t size, double khz, bool full,
			 struct run_result *res)
{
	struct collector col;
	memset(&col, 0, sizeof(col));
	struct span_sink sink = { collect_span, collect_event, &col };
	span_heap_init(&col.chart, OPTIONS_DEFAULT_MAX_SPANS);
	span_heap_init(&col.summary, SUMMARY_TOP);
	col.events_cap = EVENTS_DRAWN_MAX;
	col.events = events;
	struct span_builder *b = span_builder_new(&sink);
	FILE *in = open_input(buf, size);
	if (!b || !col.events || !in)
		abort();

	if (ingest_stream(in, "fuzz.tslog", b, devnull, &res->counts) != 0)
		abort();
	fclose(in);
	span_builder_finish(b);
	const struct span_stats *st = span_builder_stats(b);
	res->stats = *st;
	res->spans = col.spans;
	res->events = col.events_seen;
	res->nthreads = span_builder_thread_count(b);
	if (st->spans != col.spans || st->events != col.events_seen)
		abort();
	if (st->have_time && st->first_tsc > st->last_tsc)
		abort();
	if (res->nthreads > SPAN_MAX_THREADS)
		abort();
	for (size_t i = 0; i < res->nthreads; i++) {
		uint64_t id = span_builder_thread_id(b, i);
		if (span_builder_thread_index(b, id) != i)
			abort();
		const char *name = span_builder_thread_name(b, id);
		if (name && strnlen(name, THREAD_NAME_MAX) == THREAD_NAME_MAX)
			abort();
	}

	if (full) {
		struct anomaly found[ANOMALY_KINDS];
		if (anomalies_list(st, res->counts.garbage, found) > ANOMALY_KINDS)
			abort();

		char *text = NULL;
		size_t text_len = 0;
		FILE *out = open_memstream(&text, &text_len);
		if (!out)
			abort();
		summary_print(out, &col.summary, st->spans, st->first_tsc, khz);
		if (fclose(out) != 0)
			abort();
		check_text(text, text_len, TEXT_TERMINAL);
		free(text);

		text = NULL;
		out = open_memstream(&text, &text_len);
		if (!out)
			abort();
		struct svg_chart chart = {
			.spans = col.chart.items,
			.nspans = col.chart.len,
			.events = col.events,
			.nevents = col.nevents,
			.builder = b,
			.garbage_lines = res->counts.garbage,
			.tsc_khz = khz,
			.title = "fuzz <&\"'> \xc3\xa9",
			.width = SVG_DEFAULT_WIDTH,
		};
		if (svg_write(out, &chart) != 0)
			abort();
		if (fclose(out) != 0)
			abort();
		check_text(text, text_len, TEXT_XML);
		free(text);
	}

	span_builder_free(b);
	span_heap_free(&col.chart);
	span_heap_free(&col.summary);
}

/* ------------------------------------------------------ 3: across a chunk boundary */

NO_COVERAGE static void check_same(const struct run_result *a, const struct run_result *b)
{
	const struct span_stats *x = &a->stats, *y = &b->stats;
	if (x->records != y->records || x->spans != y->spans || x->events != y->events ||
	    x->unmatched_exits != y->unmatched_exits || x->unwound != y->unwound ||
	    x->unfinished != y->unfinished || x->depth_dropped != y->depth_dropped ||
	    x->thread_dropped != y->thread_dropped || x->backwards != y->backwards ||
	    x->have_time != y->have_time || x->first_tsc != y->first_tsc ||
	    x->last_tsc != y->last_tsc)
		abort();
	if (a->spans != b->spans || a->events != b->events || a->nthreads != b->nthreads)
		abort();
	if (a->counts.blank != b->counts.blank)
		abort();
}

static void run_split(const char *buf, size_t size, const struct run_result *plain)
{
	/* A filler line (too long: garbage), its newline, then the input, so that the chunk
	 * boundary falls after the first half of the input. */
	size_t filler = LINE_READER_CHUNK - 1 - size / 2;
	size_t total = filler + 1 + size;
	memset(padded, '#', filler);
	padded[filler] = '\n';
	memcpy(padded + filler + 1, buf, size);
	struct run_result split;
	run_pipeline(padded, total, 1e6, false, &split);
	check_same(plain, &split);
	if (split.counts.lines != plain->counts.lines + 1 ||
	    split.counts.garbage != plain->counts.garbage + 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_INPUT)
		return 0; /* keeps the filler line of part 3 longer than LINE_READER_MAX */
	char *buf = malloc(size ? size : 1);
	if (!buf)
		abort();
	memcpy(buf, data, size);

	parse_lines(data, size);

	double khz = 1e6;
	double found;
	int t = timeline_find_tsc_khz(buf, size, &found);
	if (t == TIMELINE_OK) {
		if (!(found > 0) || found != found)
			abort();
		khz = found;
	} else if (t != TIMELINE_NO_KEY && t != TIMELINE_BAD_VALUE) {
		abort();
	}

	struct run_result plain;
	run_pipeline(buf, size, khz, true, &plain);
	if (size > 0 && size % 4 == 0) /* a quarter of the inputs: it costs a 64 KiB read */
		run_split(buf, size, &plain);
	free(buf);
	return 0;
}
