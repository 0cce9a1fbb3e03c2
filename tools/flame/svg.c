/* SPDX-License-Identifier: BSD-2-Clause */
#include "svg.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "anomalies.h"
#include "svg_axis.h"
#include "utf8.h"
#include "xml_escape.h"

#define MARGIN 10.0
#define LANES_TOP 94.0
#define AXIS_Y 88.0
#define LANE_HEAD 22.0 /* the lane's own label row */
#define ROW_PITCH 18.0
#define ROW_HEIGHT 16.0
#define LANE_GAP 8.0
#define MIN_RECT_WIDTH 0.5 /* thinner rects vanish when rendered */
#define LABEL_FONT_PX 11
/* A monospace advance is 0.6 em (6.6 px at 11 px); the slack absorbs font differences. */
#define LABEL_CHAR_PX 6.9
#define LABEL_PAD_PX 3.0
#define LABEL_MIN_CHARS 3
#define UNFINISHED_MARK " (unfinished)"
#define ESCAPED_MAX (SPAN_LABEL_MAX * 6 + 64) /* "&quot;" is the longest escape per byte */

struct lane {
	bool used, has_spans;
	unsigned max_depth;
	double top;
};

/* Draw order: lane by lane, outer rows first, left to right. */
struct draw_item {
	size_t lane;
	const struct span *span;
};

struct layout {
	uint64_t t0;  /* earliest stamp: every tsc drawn is >= t0 */
	double scale; /* x = MARGIN + (tsc - t0) * scale */
	double height;
	bool empty; /* no lane at all: say so instead of drawing nothing */
	struct lane *lanes; /* indexed like the builder's threads */
	size_t nlanes;
};

static void put_escaped(FILE *out, const char *s)
{
	char buf[ESCAPED_MAX];
	size_t n = strlen(s);

	/*
	 * Labels are bounded by SPAN_LABEL_MAX, so buf holds them whole; a longer --title is cut,
	 * at a character boundary, which keeps the XML valid.
	 */
	xml_escape(buf, sizeof(buf), s, n);
	fputs(buf, out);
}

static double x_of(const struct layout *l, uint64_t tsc)
{
	/* Subtract in integers: a double cannot hold a 64-bit TSC to the tick. */
	return MARGIN + (double)(tsc - l->t0) * l->scale;
}

static double ms_since_start(const struct svg_chart *c, uint64_t tsc)
{
	return tsc_to_ms(tsc - span_builder_stats(c->builder)->first_tsc, c->tsc_khz);
}

/* A warm flame colour picked from the name, so one function keeps its colour everywhere. */
static void fill_for(const char *label, char rgb[8])
{
	uint32_t h = 2166136261u;

	for (const char *p = label; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(rgb, 8, "#%02x%02x%02x", 205 + (unsigned)(h % 50), 80 + (unsigned)((h >> 8) % 140),
		 30 + (unsigned)((h >> 16) % 60));
}

static int compare_draw_items(const void *pa, const void *pb)
{
	const struct draw_item *a = pa, *b = pb;

	if (a->lane != b->lane)
		return a->lane < b->lane ? -1 : 1;
	if (a->span->depth != b->span->depth)
		return a->span->depth < b->span->depth ? -1 : 1;
	if (a->span->start != b->span->start)
		return a->span->start < b->span->start ? -1 : 1;
	return 0;
}

/* Lanes for the threads that have something to draw, stacked in order of first appearance. */
static int plan_lanes(const struct svg_chart *c, struct layout *l)
{
	double y = LANES_TOP;

	l->nlanes = span_builder_thread_count(c->builder);
	l->lanes = calloc(l->nlanes ? l->nlanes : 1, sizeof(*l->lanes));
	if (l->lanes == NULL)
		return -1;
	for (size_t i = 0; i < c->nspans; i++) {
		size_t idx = span_builder_thread_index(c->builder, c->spans[i].thread);

		if (idx >= l->nlanes)
			continue;
		if (!l->lanes[idx].has_spans || c->spans[i].depth > l->lanes[idx].max_depth)
			l->lanes[idx].max_depth = c->spans[i].depth;
		l->lanes[idx].used = l->lanes[idx].has_spans = true;
	}
	for (size_t i = 0; i < c->nevents; i++) {
		size_t idx = span_builder_thread_index(c->builder, c->events[i].thread);

		if (idx < l->nlanes)
			l->lanes[idx].used = true;
	}
	l->empty = true;
	for (size_t i = 0; i < l->nlanes; i++) {
		if (!l->lanes[i].used)
			continue;
		l->empty = false;
		l->lanes[i].top = y;
		y += LANE_HEAD + LANE_GAP;
		if (l->lanes[i].has_spans)
			y += (l->lanes[i].max_depth + 1) * ROW_PITCH;
	}
	if (l->empty)
		y += 30; /* room for the "no spans" line */
	l->height = y + MARGIN;
	return 0;
}

static void write_header(FILE *out, const struct svg_chart *c, const struct layout *l)
{
	const struct span_stats *st = span_builder_stats(c->builder);
	uint64_t total = st->last_tsc - st->first_tsc;
	struct anomaly found[ANOMALY_KINDS];
	size_t used = 0, n;

	for (size_t i = 0; i < l->nlanes; i++)
		used += l->lanes[i].used;
	fputs("<text x=\"10\" y=\"24\" font-size=\"17\" font-weight=\"bold\">Boot trace: ", out);
	put_escaped(out, c->title);
	fputs("</text>\n", out);
	fprintf(out,
		"<text x=\"10\" y=\"44\" font-size=\"12\">%.3f ms from the first stamp to the last"
		" &#183; %llu spans (%zu drawn, the longest) &#183; %llu events &#183; %zu threads"
		" &#183; TSC %.0f kHz</text>\n",
		tsc_to_ms(total, c->tsc_khz), st->spans, c->nspans, st->events, used, c->tsc_khz);

	n = anomalies_list(st, c->garbage_lines, found);
	fprintf(out, "<text x=\"10\" y=\"62\" font-size=\"12\" fill=\"%s\">",
		n ? "#a00000" : "#2f6f2f");
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s %llu", i ? " &#183; " : "", found[i].what, found[i].count);
	if (n == 0)
		fputs("no anomalies", out);
	fputs("</text>\n", out);
}

static void write_lane_heads(FILE *out, const struct svg_chart *c, const struct layout *l,
			     double width)
{
	unsigned shade = 0;

	for (size_t i = 0; i < l->nlanes; i++) {
		const struct lane *ln = &l->lanes[i];
		uint64_t id = span_builder_thread_id(c->builder, i);
		const char *name = span_builder_thread_name(c->builder, id);
		double h = LANE_HEAD + (ln->has_spans ? (ln->max_depth + 1) * ROW_PITCH : 0);

		if (!ln->used)
			continue;
		fprintf(out,
			"<rect class=\"lane\" x=\"0\" y=\"%.2f\" width=\"%.0f\" height=\"%.2f\""
			" fill=\"%s\"><title>thread 0x%" PRIx64,
			ln->top - 2, width, h + 4, shade++ % 2 ? "#eef1f5" : "#f6f7f9", id);
		if (name != NULL) {
			fputs(" (", out);
			put_escaped(out, name);
			fputs(")", out);
		}
		fputs("</title></rect>\n", out);
		fprintf(out,
			"<text class=\"lane-label\" x=\"%.0f\" y=\"%.2f\" font-size=\"13\""
			" font-weight=\"bold\" fill=\"#223\">thread 0x%" PRIx64,
			MARGIN, ln->top + 14, id);
		if (name != NULL) {
			fputs(" (", out);
			put_escaped(out, name);
			fputs(")", out);
		}
		fputs("</text>\n", out);
	}
}

static void write_events(FILE *out, const struct svg_chart *c, const struct layout *l)
{
	for (size_t i = 0; i < c->nevents; i++) {
		const struct trace_event *e = &c->events[i];
		size_t idx = span_builder_thread_index(c->builder, e->thread);

		if (idx >= l->nlanes)
			continue;
		fprintf(out,
			"<rect class=\"event\" x=\"%.2f\" y=\"%.2f\" width=\"2\" height=\"6\""
			" fill=\"#1d5fa8\"><title>EVENT ",
			x_of(l, e->tsc) - 1, l->lanes[idx].top + 15);
		put_escaped(out, e->label);
		fprintf(out, " at %.3f ms</title></rect>\n", ms_since_start(c, e->tsc));
	}
}

/* The visible label: as much of the text as fits the rect, or nothing below a few chars. */
static void write_span_label(FILE *out, const char *text, double x, double y, double w)
{
	char shown[SPAN_LABEL_MAX + sizeof(UNFINISHED_MARK)];
	size_t fit = w > 2 * LABEL_PAD_PX ? (size_t)((w - 2 * LABEL_PAD_PX) / LABEL_CHAR_PX) : 0;
	size_t n = strlen(text), chars = utf8_char_count(text, n);

	if (chars > fit) {
		if (fit < LABEL_MIN_CHARS + 2)
			return;
		n = utf8_prefix_bytes(text, n, fit - 2); /* room for ".." */
	}
	memcpy(shown, text, n);
	shown[n] = '\0';
	if (chars > fit)
		strcat(shown, "..");
	fprintf(out,
		"<text x=\"%.2f\" y=\"%.2f\" font-size=\"%d\" font-family=\"monospace\""
		" pointer-events=\"none\">",
		x + LABEL_PAD_PX, y + 12, LABEL_FONT_PX);
	put_escaped(out, shown);
	fputs("</text>\n", out);
}

static void write_span(FILE *out, const struct svg_chart *c, const struct layout *l,
		       const struct lane *ln, const struct span *s)
{
	char text[SPAN_LABEL_MAX + sizeof(UNFINISHED_MARK)];
	char fill[8];
	double x = x_of(l, s->start), w = x_of(l, s->end) - x;
	double y = ln->top + LANE_HEAD + s->depth * ROW_PITCH;

	if (w < MIN_RECT_WIDTH)
		w = MIN_RECT_WIDTH;
	snprintf(text, sizeof(text), "%s%s", s->label, s->unfinished ? UNFINISHED_MARK : "");
	fill_for(s->label, fill);
	fprintf(out,
		"<rect class=\"span\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.0f\" rx=\"2\""
		" fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"%s><title>",
		x, y, w, ROW_HEIGHT, s->unfinished ? "#c9c9c9" : fill,
		s->unfinished ? "#555555" : "#ffffff", s->unfinished ? "1" : "0.5",
		s->unfinished ? " stroke-dasharray=\"4 2\"" : "");
	put_escaped(out, text);
	fprintf(out, ": %.3f ms (start %.3f ms, thread 0x%" PRIx64 ", depth %u)</title></rect>\n",
		tsc_to_ms(span_ticks(s), c->tsc_khz), ms_since_start(c, s->start), s->thread,
		s->depth);
	write_span_label(out, text, x, y, w);
}

static int write_spans(FILE *out, const struct svg_chart *c, const struct layout *l)
{
	struct draw_item *items = malloc((c->nspans ? c->nspans : 1) * sizeof(*items));
	size_t n = 0;

	if (items == NULL)
		return -1;
	for (size_t i = 0; i < c->nspans; i++) {
		size_t idx = span_builder_thread_index(c->builder, c->spans[i].thread);

		if (idx < l->nlanes)
			items[n++] = (struct draw_item){ idx, &c->spans[i] };
	}
	qsort(items, n, sizeof(*items), compare_draw_items);
	for (size_t i = 0; i < n; i++)
		write_span(out, c, l, &l->lanes[items[i].lane], items[i].span);
	free(items);
	return 0;
}

int svg_write(FILE *out, const struct svg_chart *c)
{
	const struct span_stats *st = span_builder_stats(c->builder);
	double width = c->width ? c->width : SVG_DEFAULT_WIDTH;
	uint64_t total = st->last_tsc - st->first_tsc;
	struct layout l = { 0 };
	int rc;

	if (plan_lanes(c, &l) != 0)
		return -1;
	l.t0 = st->first_tsc;
	l.scale = (width - 2 * MARGIN) / (double)(total ? total : 1);

	fprintf(out,
		"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%.0f\""
		" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n"
		"<title>Boot trace: ",
		width, l.height, width, l.height);
	put_escaped(out, c->title);
	fprintf(out, "</title>\n<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#ffffff\">"
		     "<title>background</title></rect>\n",
		width, l.height);
	write_header(out, c, &l);
	write_lane_heads(out, c, &l, width);
	svg_axis_write(out, tsc_to_ms(total, c->tsc_khz), MARGIN, width - MARGIN, AXIS_Y,
		       l.height - MARGIN);
	write_events(out, c, &l);
	if (l.empty)
		fprintf(out, "<text x=\"10\" y=\"%.0f\" font-size=\"14\">No spans in this trace.</text>\n",
			LANES_TOP + 16);
	rc = write_spans(out, c, &l);
	fputs("</svg>\n", out);
	free(l.lanes);
	return rc != 0 || ferror(out) ? -1 : 0;
}
