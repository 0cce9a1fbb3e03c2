/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svg.h"

const char options_usage[] =
	"usage: millivm-flame (--tsc-khz N | --timeline FILE) [-o OUT.svg] [--summary N]\n"
	"                     [--max-spans K] [--width PX] [--title TEXT] TRACE\n"
	"Reads tslog text (millivm, NetBSD or FreeBSD `sysctl debug.tslog`; TRACE - is stdin)\n"
	"and draws a flame chart (-o) and/or lists the N longest spans (--summary).\n"
	"  --tsc-khz N      TSC frequency in kHz (ticks per millisecond)\n"
	"  --timeline FILE  take it from the \"tsc_khz\" key of millivm's timeline JSON\n"
	"  -o FILE          write the SVG chart to FILE (- for stdout)\n"
	"  --summary N      print the N longest spans to stdout (N <= 100000)\n"
	"  --max-spans K    longest spans kept for the chart (default 20000)\n"
	"  --width PX       chart width in pixels (default 1200)\n"
	"  --title TEXT     chart title (default: the trace's file name)\n";

static bool parse_size(const char *s, size_t min, size_t max, size_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return false;
	*out = (size_t)v;
	return true;
}

static bool parse_khz(const char *s, double *out)
{
	char *end;
	double v;

	if (*s == '\0' || *s == '-' || *s == '+')
		return false;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v <= 0)
		return false;
	*out = v;
	return true;
}

/*
 * "--name value" or "--name=value": returns the value and advances *i past what it used,
 * or NULL when arg is not this option. *missing is set when the value is absent.
 */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *missing)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n) != 0)
		return NULL;
	if (arg[n] == '=')
		return arg + n + 1;
	if (arg[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int options_parse(int argc, char **argv, struct flame_options *o, char *why, size_t why_len)
{
	memset(o, 0, sizeof(*o));
	o->max_spans = OPTIONS_DEFAULT_MAX_SPANS;
	o->width = SVG_DEFAULT_WIDTH;

	bool operands_only = false; /* after "--", so that a trace may be named "-x" */

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		bool missing = false;
		size_t n;

		if (!operands_only && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
			o->help = 1;
			return 0;
		}
		if (!operands_only && strcmp(a, "--") == 0) {
			operands_only = true;
			continue;
		}
		if (!operands_only && a[0] == '-' && a[1] != '\0') {
			if ((v = option_value(argc, argv, &i, "-o", &missing)) != NULL) {
				o->svg_out = v;
			} else if ((v = option_value(argc, argv, &i, "--timeline", &missing)) != NULL) {
				o->timeline = v;
			} else if ((v = option_value(argc, argv, &i, "--title", &missing)) != NULL) {
				o->title = v;
			} else if ((v = option_value(argc, argv, &i, "--tsc-khz", &missing)) != NULL) {
				if (!parse_khz(v, &o->tsc_khz)) {
					snprintf(why, why_len, "--tsc-khz: not a positive number: %s", v);
					return -1;
				}
			} else if ((v = option_value(argc, argv, &i, "--summary", &missing)) != NULL) {
				if (!parse_size(v, 1, OPTIONS_MAX_SUMMARY, &o->summary)) {
					snprintf(why, why_len, "--summary: want 1..%d, got %s",
						 OPTIONS_MAX_SUMMARY, v);
					return -1;
				}
			} else if ((v = option_value(argc, argv, &i, "--max-spans", &missing)) != NULL) {
				if (!parse_size(v, 1, OPTIONS_MAX_MAX_SPANS, &o->max_spans)) {
					snprintf(why, why_len, "--max-spans: want 1..%d, got %s",
						 OPTIONS_MAX_MAX_SPANS, v);
					return -1;
				}
			} else if ((v = option_value(argc, argv, &i, "--width", &missing)) != NULL) {
				if (!parse_size(v, 300, 100000, &n)) {
					snprintf(why, why_len, "--width: want 300..100000, got %s", v);
					return -1;
				}
				o->width = (unsigned)n;
			} else {
				snprintf(why, why_len, "%s: %s (try --help)",
					 missing ? "missing value for" : "unknown option", a);
				return -1;
			}
			continue;
		}
		if (o->trace != NULL) {
			snprintf(why, why_len, "more than one trace given: %s, %s", o->trace, a);
			return -1;
		}
		o->trace = a;
	}

	if (o->trace == NULL) {
		snprintf(why, why_len, "no trace file given (- reads stdin; try --help)");
		return -1;
	}
	if ((o->tsc_khz > 0) == (o->timeline != NULL)) {
		snprintf(why, why_len, "give exactly one of --tsc-khz N and --timeline FILE");
		return -1;
	}
	if (o->svg_out == NULL && o->summary == 0) {
		snprintf(why, why_len, "nothing to do: give -o OUT.svg and/or --summary N");
		return -1;
	}
	if (o->svg_out != NULL && strcmp(o->svg_out, "-") == 0 && o->summary > 0) {
		snprintf(why, why_len, "-o - and --summary would both write to stdout");
		return -1;
	}
	return 0;
}
