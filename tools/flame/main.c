/* SPDX-License-Identifier: BSD-2-Clause */
/* millivm-flame: tslog boot trace -> flame chart SVG and/or a list of the longest spans. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anomalies.h"
#include "ingest.h"
#include "options.h"
#include "span_builder.h"
#include "span_heap.h"
#include "summary.h"
#include "svg.h"
#include "timeline.h"

#define EVENTS_DRAWN_MAX 2000 /* the first ones; the rest are only counted */

enum { EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Where the span builder's output goes: the chart's and the summary's top-K heaps. */
struct collector {
	struct span_heap chart, summary;
	struct trace_event *events;
	size_t nevents, events_cap;
};

static void collect_span(void *ctx, const struct span *s)
{
	struct collector *c = ctx;

	span_heap_offer(&c->chart, s);
	span_heap_offer(&c->summary, s);
}

static void collect_event(void *ctx, const struct trace_event *e)
{
	struct collector *c = ctx;

	if (c->nevents < c->events_cap)
		c->events[c->nevents++] = *e;
}

/* One line on stderr; returns the exit status for a failure at run time. */
__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("millivm-flame: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return EXIT_RUNTIME;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (strcmp(path, "-") == 0)
		return "stdin";
	return slash != NULL && slash[1] != '\0' ? slash + 1 : path;
}

static void report_anomalies(const struct span_stats *st, const struct ingest_counts *in,
			     const char *name)
{
	struct anomaly found[ANOMALY_KINDS];
	size_t n = anomalies_list(st, in->garbage, found);

	if (st->records == 0)
		fprintf(stderr, "millivm-flame: %s: no tslog records found\n", name);
	if (n == 0)
		return;
	fprintf(stderr, "millivm-flame: %s:", name);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s %llu %s", i ? "," : "", found[i].count, found[i].what);
	fputc('\n', stderr);
}

static int write_chart(const struct flame_options *o, struct collector *col,
		       const struct span_builder *b, unsigned long long garbage)
{
	bool to_stdout = strcmp(o->svg_out, "-") == 0;
	FILE *out = to_stdout ? stdout : fopen(o->svg_out, "w");
	struct svg_chart chart = {
		.spans = col->chart.items,
		.nspans = col->chart.len,
		.events = col->events,
		.nevents = col->nevents,
		.builder = b,
		.garbage_lines = garbage,
		.tsc_khz = o->tsc_khz,
		.title = o->title ? o->title : base_name(o->trace),
		.width = o->width,
	};
	int rc;

	if (out == NULL)
		return fail("cannot write %s: %s", o->svg_out, strerror(errno));
	rc = svg_write(out, &chart);
	if (to_stdout)
		rc |= fflush(out);
	else
		rc |= fclose(out);
	if (rc != 0)
		return fail("writing %s failed: %s", o->svg_out, strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	struct flame_options o;
	struct collector col = { 0 };
	struct span_sink sink = { collect_span, collect_event, &col };
	struct span_builder *b = NULL;
	struct ingest_counts counts;
	char why[512];
	FILE *in;
	int rc = 0;

	if (options_parse(argc, argv, &o, why, sizeof(why)) != 0) {
		fprintf(stderr, "millivm-flame: %s\n", why);
		return EXIT_USAGE;
	}
	if (o.help) {
		fputs(options_usage, stdout);
		return 0;
	}
	if (o.timeline != NULL && timeline_read_tsc_khz(o.timeline, &o.tsc_khz, why, sizeof(why)) != 0)
		return fail("timeline %s", why);

	in = strcmp(o.trace, "-") == 0 ? stdin : fopen(o.trace, "rb");
	if (in == NULL)
		return fail("cannot read %s: %s", o.trace, strerror(errno));

	span_heap_init(&col.chart, o.svg_out ? o.max_spans : 0);
	span_heap_init(&col.summary, o.summary);
	col.events_cap = o.svg_out ? EVENTS_DRAWN_MAX : 0;
	col.events = col.events_cap ? malloc(col.events_cap * sizeof(*col.events)) : NULL;
	b = span_builder_new(&sink);
	if (b == NULL || (col.events_cap && col.events == NULL)) {
		rc = fail("out of memory");
		goto out;
	}

	if (ingest_stream(in, o.trace, b, stderr, &counts) != 0) {
		rc = fail("cannot read %s: %s", o.trace, strerror(errno));
		goto out;
	}
	span_builder_finish(b);
	report_anomalies(span_builder_stats(b), &counts, o.trace);

	if (o.summary > 0) {
		summary_print(stdout, &col.summary, span_builder_stats(b)->spans,
			      span_builder_stats(b)->first_tsc, o.tsc_khz);
		if (fflush(stdout) != 0) {
			rc = fail("writing the summary failed: %s", strerror(errno));
			goto out;
		}
	}
	if (o.svg_out != NULL)
		rc = write_chart(&o, &col, b, counts.garbage);
out:
	if (in != stdin)
		fclose(in);
	span_builder_free(b);
	span_heap_free(&col.chart);
	span_heap_free(&col.summary);
	free(col.events);
	return rc;
}
