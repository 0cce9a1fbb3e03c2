/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * millivm-flame input side: the tslog line parser (millivm, NetBSD and FreeBSD dialects,
 * garbage), the bounded line reader, the span builder (balanced, unbalanced, interleaved,
 * caps), labels, the top-K heap and the ingest loop.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fmemopen, open_memstream */
#endif
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ingest.h"
#include "label.h"
#include "line_reader.h"
#include "span_builder.h"
#include "span_heap.h"
#include "tslog.h"

/* ------------------------------------------------------------------ parser */

static struct tslog_record parse_ok(const char *line)
{
	struct tslog_record r;

	assert_int_equal(tslog_parse_line(line, strlen(line), &r), TSLOG_PARSE_OK);
	return r;
}

static void assert_field(const char *got, size_t got_len, const char *want)
{
	assert_non_null(got);
	assert_int_equal(got_len, strlen(want));
	assert_memory_equal(got, want, got_len);
}

static void test_parse_millivm_format(void **state)
{
	struct tslog_record r = parse_ok("0 77884020 ENTER guest_main");

	(void)state;
	assert_int_equal(r.thread, 0);
	assert_true(r.tsc == 77884020u);
	assert_int_equal(r.kind, TSLOG_ENTER);
	assert_field(r.name, r.name_len, "guest_main");
	assert_null(r.arg);

	r = parse_ok("1 78662860 EXIT lapic_init\n");
	assert_int_equal(r.thread, 1);
	assert_int_equal(r.kind, TSLOG_EXIT);
	assert_field(r.name, r.name_len, "lapic_init");

	r = parse_ok("a 5 EVENT boot_timer_write"); /* CPU 10, hex without 0x */
	assert_int_equal(r.thread, 10);
	assert_int_equal(r.kind, TSLOG_EVENT);

	r = parse_ok("1 100 THREAD cpu1");
	assert_int_equal(r.kind, TSLOG_THREAD);
	assert_field(r.name, r.name_len, "cpu1");
}

static void test_parse_netbsd_format(void **state)
{
	struct tslog_record r = parse_ok("0x2b 912345678 EXIT xhci_init");

	(void)state;
	assert_int_equal(r.thread, 0x2b);
	assert_true(r.tsc == 912345678u);
	assert_field(r.name, r.name_len, "xhci_init");

	/* Pasted from `sysctl debug.tslog`, whose first line carries the variable name. */
	r = parse_ok("debug.tslog = 0x1 912345678 ENTER main");
	assert_int_equal(r.thread, 1);
	assert_int_equal(r.kind, TSLOG_ENTER);
	assert_field(r.name, r.name_len, "main");
}

static void test_parse_freebsd_format(void **state)
{
	struct tslog_record r =
		parse_ok("0xfffff80003a1c740 4271893122 ENTER elf64_loadfile /boot/kernel/kernel");

	(void)state;
	assert_true(r.thread == 0xfffff80003a1c740ull);
	assert_true(r.tsc == 4271893122ull);
	assert_field(r.name, r.name_len, "elf64_loadfile");
	assert_field(r.arg, r.arg_len, "/boot/kernel/kernel");

	/* Thread names may hold blanks: the whole rest of a THREAD line is the name. */
	r = parse_ok("0xfffff80003a1d000 4341893122 THREAD swi4: clock (0)");
	assert_int_equal(r.kind, TSLOG_THREAD);
	assert_field(r.name, r.name_len, "swi4: clock (0)");
	assert_null(r.arg);

	r = parse_ok("0XFFFFF80003A1C740 1 EVENT WAIT GEOM\r\n");
	assert_true(r.thread == 0xfffff80003a1c740ull);
	assert_field(r.name, r.name_len, "WAIT");
	assert_field(r.arg, r.arg_len, "GEOM");

	r = parse_ok("debug.tslog: 0x0 4271893122 ENTER command_boot");
	assert_int_equal(r.thread, 0);
	assert_field(r.name, r.name_len, "command_boot");

	/* An argument keeps its inner blanks; tabs separate fields too. */
	r = parse_ok("0x0\t7\tEVENT\tfile.c  12 34  ");
	assert_field(r.name, r.name_len, "file.c");
	assert_field(r.arg, r.arg_len, "12 34");
}

static void test_parse_garbage(void **state)
{
	static const struct {
		const char *line;
		int want;
	} cases[] = {
		{ "", TSLOG_PARSE_BLANK },
		{ "  \t \r\n", TSLOG_PARSE_BLANK },
		{ "hello world", TSLOG_PARSE_BAD_THREAD },
		{ "# comment", TSLOG_PARSE_BAD_THREAD },
		{ "0x 1 ENTER a", TSLOG_PARSE_BAD_THREAD },
		{ "0xZZ 1 ENTER a", TSLOG_PARSE_BAD_THREAD },
		{ "0x1ffffffffffffffff 1 ENTER a", TSLOG_PARSE_BAD_THREAD }, /* 65 bits */
		{ "debug.tslog", TSLOG_PARSE_BAD_THREAD },
		{ "0 -5 ENTER a", TSLOG_PARSE_BAD_TSC },
		{ "0 +5 ENTER a", TSLOG_PARSE_BAD_TSC },
		{ "0 12a ENTER a", TSLOG_PARSE_BAD_TSC },
		{ "0 18446744073709551616 ENTER a", TSLOG_PARSE_BAD_TSC }, /* 2^64 */
		{ "0", TSLOG_PARSE_BAD_TSC },
		{ "0 1", TSLOG_PARSE_BAD_KIND },
		{ "0 1 enter a", TSLOG_PARSE_BAD_KIND },
		{ "0 1 ENTRY a", TSLOG_PARSE_BAD_KIND },
		{ "0 1 ENTERX a", TSLOG_PARSE_BAD_KIND },
		{ "0 1 ENTER", TSLOG_PARSE_NO_NAME },
		{ "0 1 THREAD  \r\n", TSLOG_PARSE_NO_NAME },
	};
	struct tslog_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = tslog_parse_line(cases[i].line, strlen(cases[i].line), &r);

		if (got != cases[i].want)
			fail_msg("\"%s\": got %d, want %d", cases[i].line, got, cases[i].want);
		assert_non_null(tslog_parse_strerror(got));
	}
	/* The largest TSC still fits. */
	r = parse_ok("0 18446744073709551615 ENTER a");
	assert_true(r.tsc == UINT64_MAX);
	/* Leading zeros are not overflow. */
	r = parse_ok("0x00000000000000000001 1 ENTER a");
	assert_int_equal(r.thread, 1);
}

static void test_parse_nul_and_length(void **state)
{
	static const char with_nul[] = "0 1 EN\0TER a";
	static const char longer[] = "0 1 ENTER abcXYZ";
	struct tslog_record r;

	(void)state;
	assert_int_equal(tslog_parse_line(with_nul, sizeof(with_nul) - 1, &r),
			 TSLOG_PARSE_NUL_BYTE);
	/* Only len bytes count: the buffer need not end where the line does. */
	assert_int_equal(tslog_parse_line(longer, strlen(longer) - 3, &r), TSLOG_PARSE_OK);
	assert_field(r.name, r.name_len, "abc");
	assert_int_equal(tslog_parse_line(longer, 0, &r), TSLOG_PARSE_BLANK);
	assert_string_equal(tslog_kind_name(TSLOG_EXIT), "EXIT");
}

/* ------------------------------------------------------------------ line reader */

static void test_line_reader_lengths(void **state)
{
	static char text[LINE_READER_MAX * 2 + 64];
	struct line_reader *lr = malloc(sizeof(*lr));
	const char *line;
	size_t len, n = 0;
	FILE *fp;

	(void)state;
	assert_non_null(lr);
	n += (size_t)sprintf(text + n, "first\n\n");
	memset(text + n, 'A', LINE_READER_MAX + 10); /* one line too long */
	n += LINE_READER_MAX + 10;
	text[n++] = '\n';
	memcpy(text + n, "nul\0in\n", 7);
	n += 7;
	memset(text + n, 'B', LINE_READER_MAX); /* exactly the limit: fine */
	n += LINE_READER_MAX;
	n += (size_t)sprintf(text + n, "\nlast");
	fp = fmemopen(text, n, "r");
	assert_non_null(fp);
	line_reader_init(lr, fp);

	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_LINE);
	assert_int_equal(len, 5);
	assert_string_equal(line, "first");
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_LINE);
	assert_int_equal(len, 0);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_TOO_LONG);
	assert_int_equal(len, LINE_READER_MAX);
	assert_int_equal(lr->lineno, 3);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_LINE);
	assert_int_equal(len, 6);
	assert_memory_equal(line, "nul\0in", 6);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_LINE);
	assert_int_equal(len, LINE_READER_MAX);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_LINE); /* no "\n" */
	assert_string_equal(line, "last");
	assert_int_equal(lr->lineno, 6);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_EOF);
	assert_int_equal(line_reader_next(lr, &line, &len), LINE_READER_EOF);
	fclose(fp);
	free(lr);
}

/* Lines straddling the reader's internal chunks come out whole. */
static void test_line_reader_chunk_boundaries(void **state)
{
	size_t nlines = 3 * LINE_READER_CHUNK / 37 + 5, n = 0, i = 0;
	char *text = malloc(nlines * 40);
	struct line_reader *lr = malloc(sizeof(*lr));
	const char *line;
	size_t len;
	FILE *fp;

	(void)state;
	assert_non_null(text);
	assert_non_null(lr);
	for (i = 0; i < nlines; i++)
		n += (size_t)sprintf(text + n, "0 %zu ENTER f%025zu\n", i, i);
	fp = fmemopen(text, n, "r");
	assert_non_null(fp);
	line_reader_init(lr, fp);
	for (i = 0; line_reader_next(lr, &line, &len) == LINE_READER_LINE; i++) {
		struct tslog_record r;

		assert_int_equal(tslog_parse_line(line, len, &r), TSLOG_PARSE_OK);
		assert_int_equal(r.tsc, i);
	}
	assert_int_equal(i, nlines);
	fclose(fp);
	free(lr);
	free(text);
}

/* ------------------------------------------------------------------ span builder */

#define MAX_SPANS 512

struct recorded {
	struct span spans[MAX_SPANS];
	size_t n;
	struct trace_event events[16];
	size_t nevents;
};

static void record_span(void *ctx, const struct span *s)
{
	struct recorded *r = ctx;

	if (r->n < MAX_SPANS)
		r->spans[r->n] = *s;
	r->n++;
}

static void record_event(void *ctx, const struct trace_event *e)
{
	struct recorded *r = ctx;

	if (r->nevents < 16)
		r->events[r->nevents] = *e;
	r->nevents++;
}

/* Feeds every parsable line of text (lines split on "\n"). */
static void feed_text(struct span_builder *b, const char *text)
{
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		struct tslog_record rec;

		if (tslog_parse_line(text, len, &rec) == TSLOG_PARSE_OK)
			span_builder_feed(b, &rec);
		text += len + (nl != NULL);
	}
}

static struct span_builder *builder_for(struct recorded *r)
{
	struct span_sink sink = { record_span, record_event, r };
	struct span_builder *b;

	memset(r, 0, sizeof(*r));
	b = span_builder_new(&sink);
	assert_non_null(b);
	return b;
}

static void assert_span(const struct span *s, const char *label, uint64_t start, uint64_t end,
			unsigned depth)
{
	assert_string_equal(s->label, label);
	assert_true(s->start == start);
	assert_true(s->end == end);
	assert_int_equal(s->depth, depth);
}

static void test_builder_balanced(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 ENTER main\n"
		     "0 110 ENTER consinit\n"
		     "0 150 EXIT consinit\n"
		     "0 160 EVENT first_byte\n"
		     "0 200 EXIT main\n");
	span_builder_finish(b);
	assert_int_equal(r.n, 2);
	assert_span(&r.spans[0], "consinit", 110, 150, 1);
	assert_span(&r.spans[1], "main", 100, 200, 0);
	assert_false(r.spans[1].unfinished);
	assert_int_equal(r.nevents, 1);
	assert_string_equal(r.events[0].label, "first_byte");
	assert_true(r.events[0].tsc == 160);
	assert_int_equal(span_builder_stats(b)->spans, 2);
	assert_int_equal(span_builder_stats(b)->unmatched_exits, 0);
	assert_true(span_builder_stats(b)->first_tsc == 100);
	assert_true(span_builder_stats(b)->last_tsc == 200);
	span_builder_free(b);
}

static void test_builder_exit_without_enter(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 EXIT nobody_entered\n"
		     "0 110 ENTER a\n"
		     "0 120 EXIT not_open\n" /* names no open frame: ignored */
		     "0 130 EXIT a\n");
	span_builder_finish(b);
	assert_int_equal(span_builder_stats(b)->unmatched_exits, 2);
	assert_int_equal(r.n, 1);
	assert_span(&r.spans[0], "a", 110, 130, 0);
	span_builder_free(b);
}

static void test_builder_mismatch_unwinds(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 ENTER outer\n"
		     "0 110 ENTER inner_a\n"
		     "0 120 ENTER inner_b\n"
		     "0 140 EXIT outer\n");
	span_builder_finish(b);
	assert_int_equal(r.n, 3);
	assert_span(&r.spans[0], "inner_b", 120, 140, 2);
	assert_span(&r.spans[1], "inner_a", 110, 140, 1);
	assert_span(&r.spans[2], "outer", 100, 140, 0);
	assert_int_equal(span_builder_stats(b)->unwound, 2);
	assert_int_equal(span_builder_stats(b)->unfinished, 0);
	span_builder_free(b);
}

static void test_builder_unfinished(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 ENTER mi_startup\n"
		     "0 110 ENTER configure\n"
		     "0 120 EXIT configure\n"
		     "1 500 EVENT late_event_on_another_cpu\n");
	span_builder_finish(b);
	assert_int_equal(r.n, 2);
	/* Closed at the last stamp of the whole trace, not of its own thread. */
	assert_span(&r.spans[1], "mi_startup", 100, 500, 0);
	assert_true(r.spans[1].unfinished);
	assert_false(r.spans[0].unfinished);
	assert_int_equal(span_builder_stats(b)->unfinished, 1);
	span_builder_free(b);
}

static void test_builder_interleaved_threads(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	/* The same function on two CPUs, overlapping in time: one stack each. */
	feed_text(b, "0 100 ENTER work\n"
		     "1 105 ENTER work\n"
		     "1 106 ENTER helper\n"
		     "0 110 EXIT work\n"
		     "1 107 EXIT helper\n"
		     "1 130 EXIT work\n"
		     "0x0 140 THREAD cpu0\n");
	span_builder_finish(b);
	assert_int_equal(r.n, 3);
	assert_true(r.spans[0].thread == 0);
	assert_span(&r.spans[0], "work", 100, 110, 0);
	assert_true(r.spans[1].thread == 1);
	assert_span(&r.spans[1], "helper", 106, 107, 1);
	assert_span(&r.spans[2], "work", 105, 130, 0);
	assert_int_equal(span_builder_stats(b)->unmatched_exits, 0);
	assert_int_equal(span_builder_stats(b)->unwound, 0);
	/* Threads keep their order of appearance; THREAD records name them. */
	assert_int_equal(span_builder_thread_count(b), 2);
	assert_true(span_builder_thread_id(b, 1) == 1);
	assert_int_equal(span_builder_thread_index(b, 1), 1);
	assert_int_equal(span_builder_thread_index(b, 77), SIZE_MAX);
	assert_string_equal(span_builder_thread_name(b, 0), "cpu0");
	assert_null(span_builder_thread_name(b, 1));
	span_builder_free(b);
}

static void test_builder_arguments(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 ENTER load kernel\n"
		     "0 110 EXIT load other_file\n" /* both have arguments, and they differ */
		     "0 120 EXIT load kernel\n"
		     "0 130 ENTER load module\n"
		     "0 140 EXIT load\n"); /* no argument: the name suffices */
	span_builder_finish(b);
	assert_int_equal(span_builder_stats(b)->unmatched_exits, 1);
	assert_int_equal(r.n, 2);
	assert_span(&r.spans[0], "load(kernel)", 100, 120, 0);
	assert_span(&r.spans[1], "load(module)", 130, 140, 0);
	span_builder_free(b);
}

static void test_builder_backwards_clock(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);

	(void)state;
	feed_text(b, "0 100 ENTER skewed\n0 40 EXIT skewed\n");
	span_builder_finish(b);
	assert_int_equal(r.n, 1);
	assert_span(&r.spans[0], "skewed", 100, 100, 0);
	assert_int_equal(span_builder_stats(b)->backwards, 1);
	assert_true(span_builder_stats(b)->first_tsc == 40);
	span_builder_free(b);
}

static void test_builder_depth_cap(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);
	const unsigned deep = SPAN_MAX_DEPTH + 44;
	char line[64];

	(void)state;
	for (unsigned i = 0; i < deep; i++) {
		snprintf(line, sizeof(line), "0 %u ENTER f%u", i, i);
		feed_text(b, line);
	}
	for (unsigned i = deep; i > 0; i--) {
		snprintf(line, sizeof(line), "0 %u EXIT f%u", 1000 + i - 1, i - 1);
		feed_text(b, line);
	}
	span_builder_finish(b);
	assert_int_equal(r.n, SPAN_MAX_DEPTH);
	assert_int_equal(span_builder_stats(b)->depth_dropped, 2 * 44);
	assert_int_equal(span_builder_stats(b)->unmatched_exits, 0);
	assert_int_equal(span_builder_stats(b)->unfinished, 0);
	assert_span(&r.spans[SPAN_MAX_DEPTH - 1], "f0", 0, 1000, 0);
	span_builder_free(b);
}

static void test_builder_thread_cap(void **state)
{
	static struct recorded r;
	struct span_builder *b = builder_for(&r);
	char line[64];

	(void)state;
	for (unsigned t = 0; t < SPAN_MAX_THREADS + 76; t++) {
		snprintf(line, sizeof(line), "0x%x 1 ENTER f", t * 4096u);
		feed_text(b, line);
		snprintf(line, sizeof(line), "0x%x 2 EXIT f", t * 4096u);
		feed_text(b, line);
	}
	span_builder_finish(b);
	assert_int_equal(r.n, SPAN_MAX_THREADS);
	assert_int_equal(span_builder_thread_count(b), SPAN_MAX_THREADS);
	assert_int_equal(span_builder_stats(b)->thread_dropped, 2 * 76);
	span_builder_free(b);
}

/* ------------------------------------------------------------------ labels and heap */

static void test_label_format(void **state)
{
	char small[16], big[64];

	(void)state;
	label_format(big, sizeof(big), "f", 1, NULL, 0);
	assert_string_equal(big, "f");
	label_format(big, sizeof(big), "load", 4, "kernel", 6);
	assert_string_equal(big, "load(kernel)");
	label_format(small, sizeof(small), "abcdefghijklmnopqrstuvwxyz", 26, NULL, 0);
	assert_string_equal(small, "abcdefghijkl...");
	/* "é" is two bytes: it is dropped whole rather than cut in half. */
	label_format(small, sizeof(small), "abcdefghijk\xc3\xa9xyz", 16, NULL, 0);
	assert_string_equal(small, "abcdefghijk...");
}

static void test_span_heap_keeps_longest(void **state)
{
	struct span_heap h;
	struct span s;

	(void)state;
	memset(&s, 0, sizeof(s));
	span_heap_init(&h, 10);
	/* Durations 0..999 in a scrambled order (7 is coprime with 1000). */
	for (unsigned i = 0; i < 1000; i++) {
		unsigned d = (i * 7) % 1000;

		s.start = 1000 - d;
		s.end = s.start + d;
		snprintf(s.label, sizeof(s.label), "d%u", d);
		span_heap_offer(&h, &s);
	}
	assert_int_equal(h.offered, 1000);
	assert_int_equal(h.len, 10);
	span_heap_sort_longest_first(&h);
	for (unsigned i = 0; i < 10; i++)
		assert_int_equal(span_ticks(&h.items[i]), 999 - i);
	span_heap_free(&h);

	span_heap_init(&h, 0); /* K = 0 keeps nothing and allocates nothing */
	span_heap_offer(&h, &s);
	assert_int_equal(h.len, 0);
	span_heap_free(&h);
}

/* ------------------------------------------------------------------ ingest */

static void test_ingest_counts_and_reports(void **state)
{
	static const char text[] = "# not tslog\n"
				   "0 100 ENTER a\n"
				   "\n"
				   "garbage 1\n"
				   "0 x ENTER b\n"
				   "0 1 ENTRY c\n"
				   "0 1 ENTER\n"
				   "0 200 EXIT a\n"
				   "junk again\n";
	static struct recorded r;
	struct span_builder *b = builder_for(&r);
	struct ingest_counts counts;
	char *diag_text = NULL;
	size_t diag_len = 0;
	FILE *in = fmemopen((void *)text, sizeof(text) - 1, "r");
	FILE *diag = open_memstream(&diag_text, &diag_len);

	(void)state;
	assert_non_null(in);
	assert_non_null(diag);
	assert_int_equal(ingest_stream(in, "t.log", b, diag, &counts), 0);
	fclose(diag);
	assert_int_equal(counts.lines, 9);
	assert_int_equal(counts.blank, 1);
	assert_int_equal(counts.garbage, 6);
	assert_int_equal(span_builder_stats(b)->records, 2);
	/* The first five are described with their line numbers, then a total. */
	assert_non_null(strstr(diag_text, "t.log:1: skipped"));
	assert_non_null(strstr(diag_text, "t.log:4: skipped"));
	assert_non_null(strstr(diag_text, "t.log:7: skipped, missing name"));
	assert_null(strstr(diag_text, "t.log:9:"));
	assert_non_null(strstr(diag_text, "6 garbage lines in all"));
	fclose(in);
	free(diag_text);
	span_builder_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_millivm_format),
		cmocka_unit_test(test_parse_netbsd_format),
		cmocka_unit_test(test_parse_freebsd_format),
		cmocka_unit_test(test_parse_garbage),
		cmocka_unit_test(test_parse_nul_and_length),
		cmocka_unit_test(test_line_reader_lengths),
		cmocka_unit_test(test_line_reader_chunk_boundaries),
		cmocka_unit_test(test_builder_balanced),
		cmocka_unit_test(test_builder_exit_without_enter),
		cmocka_unit_test(test_builder_mismatch_unwinds),
		cmocka_unit_test(test_builder_unfinished),
		cmocka_unit_test(test_builder_interleaved_threads),
		cmocka_unit_test(test_builder_arguments),
		cmocka_unit_test(test_builder_backwards_clock),
		cmocka_unit_test(test_builder_depth_cap),
		cmocka_unit_test(test_builder_thread_cap),
		cmocka_unit_test(test_label_format),
		cmocka_unit_test(test_span_heap_keeps_longest),
		cmocka_unit_test(test_ingest_counts_and_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
