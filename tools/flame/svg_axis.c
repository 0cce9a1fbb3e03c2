/* SPDX-License-Identifier: BSD-2-Clause */
#include "svg_axis.h"

double svg_axis_step(double total_ms, int *decimals)
{
	double raw = total_ms / SVG_AXIS_MAX_TICKS, decade = 1e-6, step, d;

	if (!(raw > 1e-6)) /* also catches NaN */
		raw = 1e-6;
	if (raw > 1e300) /* also infinity (a tiny TSC kHz), where decade * 10 <= raw never ends */
		raw = 1e300;
	while (decade * 10 <= raw)
		decade *= 10;
	if (raw <= decade)
		step = decade;
	else if (raw <= 2 * decade)
		step = 2 * decade;
	else if (raw <= 5 * decade)
		step = 5 * decade;
	else
		step = 10 * decade;
	*decimals = 0;
	for (d = step; d < 0.9999 && *decimals < 9; d *= 10)
		(*decimals)++;
	return step;
}

void svg_axis_write(FILE *out, double total_ms, double x0, double x1, double y_axis,
		    double y_bottom)
{
	int decimals;
	double step = svg_axis_step(total_ms, &decimals);
	double per_ms = total_ms > 0 ? (x1 - x0) / total_ms : 0;

	fprintf(out, "<g class=\"axis\" font-size=\"11\" fill=\"#444\">\n");
	fprintf(out, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#444\"/>\n",
		x0, y_axis, x1, y_axis);
	/* i counts ticks rather than adding steps, so rounding cannot add or lose a tick. */
	for (unsigned i = 0; i <= SVG_AXIS_MAX_TICKS + 1; i++) {
		double ms = i * step, x = x0 + ms * per_ms;

		if (ms > total_ms * (1 + 1e-9) || (i > 0 && per_ms <= 0))
			break;
		fprintf(out,
			"<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#000\""
			" stroke-opacity=\"0.12\"/>\n",
			x, y_axis, x, y_bottom);
		fprintf(out, "<text x=\"%.2f\" y=\"%.2f\" text-anchor=\"%s\">%.*f ms</text>\n", x,
			y_axis - 4, i == 0 ? "start" : (x > x1 - 30 ? "end" : "middle"), decimals,
			ms);
	}
	fputs("</g>\n", out);
}
