/* SPDX-License-Identifier: BSD-2-Clause */
/* The ways a trace can be damaged, as counted while reading it, for stderr and the chart. */
#ifndef MILLIVM_FLAME_ANOMALIES_H
#define MILLIVM_FLAME_ANOMALIES_H

#include <stddef.h>

#include "span_builder.h"

#define ANOMALY_KINDS 7

struct anomaly {
	const char *what; /* "garbage lines", "unmatched EXITs", ... */
	unsigned long long count;
};

/* The non-zero counters, in a fixed order; returns how many (0: a clean trace). */
size_t anomalies_list(const struct span_stats *st, unsigned long long garbage_lines,
		      struct anomaly out[ANOMALY_KINDS]);

#endif
