/* SPDX-License-Identifier: BSD-2-Clause */
/* Command line of millivm-flame. */
#ifndef MILLIVM_FLAME_OPTIONS_H
#define MILLIVM_FLAME_OPTIONS_H

#include <stddef.h>

#define OPTIONS_DEFAULT_MAX_SPANS 20000
#define OPTIONS_MAX_MAX_SPANS 1000000
#define OPTIONS_MAX_SUMMARY 100000

struct flame_options {
	const char *trace;    /* path, or "-" for standard input */
	const char *svg_out;  /* -o; NULL: no chart; "-": standard output */
	const char *timeline; /* --timeline */
	const char *title;    /* --title; NULL: derived from the trace's name */
	double tsc_khz;       /* --tsc-khz; 0 when not given */
	size_t summary;       /* --summary N; 0: none */
	size_t max_spans;     /* --max-spans K: spans kept for the chart */
	unsigned width;       /* --width */
	int help;
};

/*
 * Fills *o from argv. Returns 0, or -1 with a one-line reason (no trailing newline) in
 * why[why_len]. With --help, returns 0 with o->help set and nothing else checked.
 */
int options_parse(int argc, char **argv, struct flame_options *o, char *why, size_t why_len);

extern const char options_usage[];

#endif
