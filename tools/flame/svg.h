/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The flame chart: time on x from the earliest stamp of the trace, nesting depth on y, one
 * band ("lane") per thread. A self-contained SVG (no script, stylesheet or font to fetch);
 * every span is a <rect> with a <title> child, which browsers show on hover, and a text
 * label when the rect is wide enough to hold a few characters.
 */
#ifndef MILLIVM_FLAME_SVG_H
#define MILLIVM_FLAME_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "span.h"
#include "span_builder.h"

#define SVG_DEFAULT_WIDTH 1200

struct svg_chart {
	const struct span *spans; /* the spans to draw, in any order */
	size_t nspans;
	const struct trace_event *events;
	size_t nevents;
	const struct span_builder *builder; /* lane order, thread names, counters */
	unsigned long long garbage_lines;
	double tsc_khz;
	const char *title; /* shown in the header, e.g. the input's name */
	unsigned width;    /* pixels */
};

/* Writes the chart; returns 0, or -1 when writing failed. */
int svg_write(FILE *out, const struct svg_chart *chart);

#endif
