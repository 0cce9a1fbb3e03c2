/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * millivm-flame output side and configuration: XML escaping and UTF-8 handling, the SVG
 * chart, the axis steps, the --summary table, the timeline JSON key and the options.
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

#include "options.h"
#include "span_builder.h"
#include "span_heap.h"
#include "summary.h"
#include "svg.h"
#include "svg_axis.h"
#include "timeline.h"
#include "tslog.h"
#include "utf8.h"
#include "xml_escape.h"

#define REPLACEMENT "\xef\xbf\xbd"

static const char *escape(const char *s, size_t n)
{
	static char buf[512];
	size_t needed = xml_escape(buf, sizeof(buf), s, n);

	assert_int_equal(needed, strlen(buf));
	return buf;
}

static size_t count(const char *haystack, const char *needle)
{
	size_t n = 0;

	for (const char *p = haystack; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* ------------------------------------------------------------------ escaping */

static void test_escape_markup(void **state)
{
	(void)state;
	assert_string_equal(escape("probe<\"&'>", 10), "probe&lt;&quot;&amp;&apos;&gt;");
	assert_string_equal(escape("plain_name", 10), "plain_name");
	assert_string_equal(escape("", 0), "");
	/* Valid multi-byte characters pass through. */
	assert_string_equal(escape("\xc2\xb5s \xf0\x9f\x94\xa5", 8), "\xc2\xb5s \xf0\x9f\x94\xa5");
}

static void test_escape_unencodable(void **state)
{
	(void)state;
	/* Bytes XML 1.0 cannot carry at all become U+FFFD, one per bad byte. */
	assert_string_equal(escape("a\xff\xfe" "b", 4), "a" REPLACEMENT REPLACEMENT "b");
	assert_string_equal(escape("\x01\x1b[31m", 6), REPLACEMENT REPLACEMENT "[31m");
	assert_string_equal(escape("t\tn\n", 4), "t" REPLACEMENT "n" REPLACEMENT);
	assert_string_equal(escape("\xc0\xaf", 2), REPLACEMENT REPLACEMENT);     /* overlong */
	assert_string_equal(escape("\xed\xa0\x80", 3), REPLACEMENT REPLACEMENT REPLACEMENT);
	assert_string_equal(escape("\xef\xbf\xbf", 3), REPLACEMENT);              /* U+FFFF */
	assert_string_equal(escape("\xf4\x90\x80\x80", 4),
			    REPLACEMENT REPLACEMENT REPLACEMENT REPLACEMENT); /* > U+10FFFF */
	assert_string_equal(escape("cut\xe2\x82", 5), "cut" REPLACEMENT REPLACEMENT);
	assert_string_equal(escape("nul\0x", 5), "nul" REPLACEMENT "x");
}

static void test_escape_truncates_whole_pieces(void **state)
{
	char buf[8];

	(void)state;
	/* "ab&amp;" is 7 bytes and fits; the next entity does not, and is not cut. */
	assert_int_equal(xml_escape(buf, sizeof(buf), "ab&<", 4), 11);
	assert_string_equal(buf, "ab&amp;");
	assert_int_equal(xml_escape(buf, 3, "\xc3\xa9\xc3\xa9", 4), 4);
	assert_string_equal(buf, "\xc3\xa9");
	assert_int_equal(xml_escape(NULL, 0, "<", 1), 4);
}

static void test_utf8_counting(void **state)
{
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x94\xa5z"; /* a é € 🔥 z */
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_char_count(s, strlen(s)), 5);
	assert_int_equal(utf8_prefix_bytes(s, strlen(s), 3), 6);
	assert_int_equal(utf8_prefix_bytes(s, strlen(s), 99), strlen(s));
	assert_int_equal(utf8_decode(s + 3, 3, &cp), 3);
	assert_int_equal(cp, 0x20ac);
	assert_int_equal(utf8_decode("\xe2\x82", 2, &cp), 1); /* cut short */
	assert_int_equal(cp, UTF8_REPLACEMENT);
}

/* ------------------------------------------------------------------ SVG */

struct collected {
	struct span_heap heap;
	struct trace_event events[8];
	size_t nevents;
};

static void keep_span(void *ctx, const struct span *s)
{
	span_heap_offer(&((struct collected *)ctx)->heap, s);
}

static void keep_event(void *ctx, const struct trace_event *e)
{
	struct collected *c = ctx;

	if (c->nevents < 8)
		c->events[c->nevents++] = *e;
}

/* Runs text through the builder and the SVG writer; the caller frees the result. */
static char *chart_of(const char *text, double khz, size_t max_spans)
{
	static struct collected col;
	struct span_sink sink = { keep_span, keep_event, &col };
	struct span_builder *b;
	struct svg_chart chart;
	char *svg = NULL;
	size_t len = 0;
	FILE *out;

	memset(&col, 0, sizeof(col));
	span_heap_init(&col.heap, max_spans);
	b = span_builder_new(&sink);
	assert_non_null(b);
	while (*text != '\0') {
		const char *nl = strchr(text, '\n');
		size_t n = nl ? (size_t)(nl - text) : strlen(text);
		struct tslog_record rec;

		if (tslog_parse_line(text, n, &rec) == TSLOG_PARSE_OK)
			span_builder_feed(b, &rec);
		text += n + (nl != NULL);
	}
	span_builder_finish(b);
	chart = (struct svg_chart){
		.spans = col.heap.items,
		.nspans = col.heap.len,
		.events = col.events,
		.nevents = col.nevents,
		.builder = b,
		.garbage_lines = 3,
		.tsc_khz = khz,
		.title = "t<&>.log",
		.width = 1200,
	};
	out = open_memstream(&svg, &len);
	assert_non_null(out);
	assert_int_equal(svg_write(out, &chart), 0);
	fclose(out);
	span_heap_free(&col.heap);
	span_builder_free(b);
	return svg;
}

static void test_svg_structure_and_titles(void **state)
{
	char *svg = chart_of("0x1 1000 THREAD swi4: clock <0>\n"
			     "0x1 1000 ENTER main\n"
			     "0x1 1100 ENTER probe<\"&'> a&b\n"
			     "0x1 1300 EXIT probe<\"&'> a&b\n"
			     "0x2 1500 EVENT WAIT GEOM\n"
			     "0x2 1600 ENTER never_returns\n"
			     "0x1 3000 EXIT main\n",
			     1000, 100);

	(void)state;
	assert_memory_equal(svg, "<?xml", 5);
	assert_non_null(strstr(svg, "xmlns=\"http://www.w3.org/2000/svg\""));
	assert_string_equal(svg + strlen(svg) - 7, "</svg>\n");
	/* Nothing to fetch: no scripts, stylesheets, links or images. */
	assert_null(strstr(svg, "<script"));
	assert_null(strstr(svg, "<style"));
	assert_null(strstr(svg, "href"));
	assert_null(strstr(svg, "<image"));

	assert_int_equal(count(svg, "<rect class=\"span\""), 3);
	assert_int_equal(count(svg, "<rect class=\"lane\""), 2);
	assert_int_equal(count(svg, "<rect class=\"event\""), 1);
	assert_non_null(strstr(svg, "<title>main: 2.000 ms (start 0.000 ms, thread 0x1, depth 0)"
				    "</title></rect>"));
	assert_non_null(strstr(svg, "<title>probe&lt;&quot;&amp;&apos;&gt;(a&amp;b): 0.200 ms"));
	assert_non_null(strstr(svg, "<title>never_returns (unfinished): 1.400 ms"));
	assert_non_null(strstr(svg, "<title>EVENT WAIT(GEOM) at 0.500 ms</title>"));
	assert_non_null(strstr(svg, "thread 0x1 (swi4: clock &lt;0&gt;)"));
	assert_non_null(strstr(svg, "Boot trace: t&lt;&amp;&gt;.log"));
	assert_non_null(strstr(svg, "garbage lines 3"));
	assert_non_null(strstr(svg, "unfinished 1"));
	/* Wide rects get a visible label, escaped like the title. */
	assert_non_null(strstr(svg, ">main</text>"));
	assert_null(strstr(svg, "<\"&"));
	free(svg);
}

static void test_svg_narrow_labels(void **state)
{
	/* 1 ms of 10 s on 1180 px is far too narrow for text; 9 s is wide enough. */
	char *svg = chart_of("0 0 ENTER a_rather_long_function_name\n"
			     "0 1 EXIT a_rather_long_function_name\n"
			     "0 1000 ENTER wide_one\n"
			     "0 10000 EXIT wide_one\n",
			     1, 100);

	(void)state;
	assert_int_equal(count(svg, "<rect class=\"span\""), 2);
	assert_non_null(strstr(svg, "<title>a_rather_long_function_name: "));
	assert_null(strstr(svg, "\"none\">a_"));
	assert_non_null(strstr(svg, "\"none\">wide_one</text>"));
	free(svg);
}

static void test_svg_keeps_longest_spans(void **state)
{
	char text[64 * 40] = "";
	char *svg;

	(void)state;
	for (unsigned i = 0; i < 40; i++)
		snprintf(text + strlen(text), 64, "0 %u ENTER f%u\n0 %u EXIT f%u\n", i * 1000, i,
			 i * 1000 + i, i);
	svg = chart_of(text, 1000, 5);
	assert_int_equal(count(svg, "<rect class=\"span\""), 5);
	assert_non_null(strstr(svg, "<title>f39: 0.039 ms"));
	assert_non_null(strstr(svg, "<title>f35: 0.035 ms"));
	assert_null(strstr(svg, "<title>f34:"));
	assert_non_null(strstr(svg, "40 spans (5 drawn"));
	free(svg);
}

static void test_svg_empty_trace(void **state)
{
	char *svg = chart_of("", 1000, 10);

	(void)state;
	assert_non_null(strstr(svg, "No spans in this trace."));
	assert_string_equal(svg + strlen(svg) - 7, "</svg>\n");
	assert_int_equal(count(svg, "class=\"span\""), 0);
	free(svg);
}

static void test_axis_steps(void **state)
{
	int decimals;

	(void)state;
	assert_true(svg_axis_step(44.0, &decimals) == 5.0);
	assert_int_equal(decimals, 0);
	assert_true(svg_axis_step(2.0, &decimals) == 0.2);
	assert_int_equal(decimals, 1);
	assert_true(svg_axis_step(1000.0, &decimals) == 100.0);
	assert_true(svg_axis_step(0.0, &decimals) > 0);
	assert_true(svg_axis_step(-1.0, &decimals) > 0);
}

/* ------------------------------------------------------------------ summary */

static void test_summary_table(void **state)
{
	struct span_heap h;
	struct span s;
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	(void)state;
	memset(&s, 0, sizeof(s));
	span_heap_init(&h, 2);
	s.thread = 0xfffff80003a1c740ull;
	s.start = 2000;
	s.end = 3500;
	strcpy(s.label, "vfs_mountroot");
	span_heap_offer(&h, &s);
	s.start = 1000;
	s.end = 9000;
	s.unfinished = true;
	strcpy(s.label, "mi_\x1b[2Jstartup"); /* a terminal escape must not reach the tty */
	span_heap_offer(&h, &s);
	s.start = 1000;
	s.end = 1001;
	span_heap_offer(&h, &s);
	summary_print(out, &h, 3, 1000, 1000);
	fclose(out);
	assert_non_null(strstr(text, "longest 2 of 3 spans"));
	assert_non_null(strstr(text, "    1        8.000        0.000  0xfffff80003a1c740  "
				     "mi_?[2Jstartup (unfinished)\n"));
	assert_non_null(strstr(text, "    2        1.500        1.000  0xfffff80003a1c740  "
				     "vfs_mountroot\n"));
	free(text);
	span_heap_free(&h);
}

/* ------------------------------------------------------------------ timeline */

static int khz_of(const char *json, double *khz)
{
	return timeline_find_tsc_khz(json, strlen(json), khz);
}

static void test_timeline_key(void **state)
{
	double khz = 0;

	(void)state;
	assert_int_equal(khz_of("{\"tsc_khz\": 2596134}", &khz), TIMELINE_OK);
	assert_true(khz == 2596134.0);
	assert_int_equal(khz_of("{\n  \"version\": 1,\n  \"tsc_khz\" :\t2.5e6 ,\"x\":[]}", &khz),
			 TIMELINE_OK);
	assert_true(khz == 2500000.0);
	/* In a value, after an escaped quote, or nested: not the top-level key. */
	assert_int_equal(khz_of("{\"note\": \"\\\"tsc_khz\\\": 5\", \"tsc_khz\": 7}", &khz),
			 TIMELINE_OK);
	assert_true(khz == 7.0);
	assert_int_equal(khz_of("{\"guest\": {\"tsc_khz\": 1}, \"tsc_khz\": 3}", &khz),
			 TIMELINE_OK);
	assert_true(khz == 3.0);
	assert_int_equal(khz_of("{\"guest\": {\"tsc_khz\": 11}}", &khz), TIMELINE_OK);
	assert_true(khz == 11.0);
	assert_int_equal(khz_of("{\"events\": [\"tsc_khz\", 4]}", &khz), TIMELINE_NO_KEY);
}

static void test_timeline_bad(void **state)
{
	double khz = 0;

	(void)state;
	assert_int_equal(khz_of("", &khz), TIMELINE_NO_KEY);
	assert_int_equal(khz_of("{\"tsc_khz_x\": 5}", &khz), TIMELINE_NO_KEY);
	assert_int_equal(khz_of("{\"tsc_khz\": \"2596134\"}", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_khz\": 0}", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_khz\": -5}", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_khz\": null}", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_khz\": 1e999}", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_khz\":", &khz), TIMELINE_BAD_VALUE);
	assert_int_equal(khz_of("{\"tsc_kh", &khz), TIMELINE_NO_KEY);
}

/* ------------------------------------------------------------------ options */

static int parse(struct flame_options *o, char *why, const char *first, ...)
{
	char *argv[16] = { "millivm-flame" };
	int argc = 1;
	va_list ap;

	va_start(ap, first);
	for (const char *a = first; a != NULL && argc < 15; a = va_arg(ap, const char *))
		argv[argc++] = (char *)a;
	va_end(ap);
	return options_parse(argc, argv, o, why, 256);
}

static void test_options_good(void **state)
{
	struct flame_options o;
	char why[256];

	(void)state;
	assert_int_equal(parse(&o, why, "--tsc-khz", "2596134", "-o", "x.svg", "t.log", NULL), 0);
	assert_true(o.tsc_khz == 2596134.0);
	assert_string_equal(o.svg_out, "x.svg");
	assert_string_equal(o.trace, "t.log");
	assert_int_equal(o.max_spans, OPTIONS_DEFAULT_MAX_SPANS);
	assert_int_equal(parse(&o, why, "--timeline=tl.json", "--summary=5", "--width", "800",
			       "--", "-odd-name", NULL),
			 0);
	assert_string_equal(o.timeline, "tl.json");
	assert_int_equal(o.summary, 5);
	assert_int_equal(o.width, 800);
	assert_string_equal(o.trace, "-odd-name");
	assert_int_equal(parse(&o, why, "--tsc-khz", "1", "--summary", "3", "-", NULL), 0);
	assert_string_equal(o.trace, "-");
	assert_int_equal(parse(&o, why, "--bogus", "--help", NULL), -1);
	assert_int_equal(parse(&o, why, "--help", "--bogus", NULL), 0);
	assert_true(o.help);
}

static void test_options_bad(void **state)
{
	static const char *const cases[][7] = {
		{ "-o", "x.svg", "t.log", NULL },                        /* no frequency */
		{ "--tsc-khz", "1", "--timeline", "a", "--summary", "1", "t" }, /* both */
		{ "--tsc-khz", "0", "--summary", "1", "t", NULL },
		{ "--tsc-khz", "fast", "--summary", "1", "t", NULL },
		{ "--tsc-khz", "1", "t", NULL },                          /* nothing to do */
		{ "--tsc-khz", "1", "--summary", "0", "t", NULL },
		{ "--tsc-khz", "1", "--summary", "100001", "t", NULL },
		{ "--tsc-khz", "1", "--summary", "-3", "t", NULL },
		{ "--tsc-khz", "1", "--summary", "1", "a", "b" },         /* two traces */
		{ "--tsc-khz", "1", "--summary", "1", "--width", "5" },
		{ "--tsc-khz", "1", "--summary", "1", "t", "-o" },        /* missing value */
		{ "--tsc-khz", "1", "--summary", "1", "-o", "-" },
		{ "--tsc-khz", "1", "--frobnicate", "t", NULL },
	};
	struct flame_options o;
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		if (parse(&o, why, cases[i][0], cases[i][1], cases[i][2], cases[i][3], cases[i][4],
			  cases[i][5], cases[i][6], NULL) != -1)
			fail_msg("case %zu was accepted", i);
		assert_true(why[0] != '\0');
		assert_null(strchr(why, '\n'));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_markup),
		cmocka_unit_test(test_escape_unencodable),
		cmocka_unit_test(test_escape_truncates_whole_pieces),
		cmocka_unit_test(test_utf8_counting),
		cmocka_unit_test(test_svg_structure_and_titles),
		cmocka_unit_test(test_svg_narrow_labels),
		cmocka_unit_test(test_svg_keeps_longest_spans),
		cmocka_unit_test(test_svg_empty_trace),
		cmocka_unit_test(test_axis_steps),
		cmocka_unit_test(test_summary_table),
		cmocka_unit_test(test_timeline_key),
		cmocka_unit_test(test_timeline_bad),
		cmocka_unit_test(test_options_good),
		cmocka_unit_test(test_options_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
