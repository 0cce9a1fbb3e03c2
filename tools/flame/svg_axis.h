/* SPDX-License-Identifier: BSD-2-Clause */
/* The time axis of the chart: "round" millisecond ticks with grid lines behind the lanes. */
#ifndef MILLIVM_FLAME_SVG_AXIS_H
#define MILLIVM_FLAME_SVG_AXIS_H

#include <stdio.h>

#define SVG_AXIS_MAX_TICKS 10

/*
 * The tick step for an axis of total_ms: 1, 2 or 5 times a power of ten, giving at most
 * SVG_AXIS_MAX_TICKS intervals; *decimals is how many decimals its labels need.
 */
double svg_axis_step(double total_ms, int *decimals);

/* Axis line at y_axis from x0 (0 ms) to x1 (total_ms), grid lines down to y_bottom. */
void svg_axis_write(FILE *out, double total_ms, double x0, double x1, double y_axis,
		    double y_bottom);

#endif
