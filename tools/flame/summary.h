/* SPDX-License-Identifier: BSD-2-Clause */
/* --summary: the N longest spans as a plain-text table. */
#ifndef MILLIVM_FLAME_SUMMARY_H
#define MILLIVM_FLAME_SUMMARY_H

#include <stdint.h>
#include <stdio.h>

#include "span_heap.h"

/*
 * Prints the spans kept in top (sorted longest first by this call) with their duration and
 * their start relative to first_tsc. total_spans is the number of spans in the trace.
 */
void summary_print(FILE *out, struct span_heap *top, unsigned long long total_spans,
		   uint64_t first_tsc, double tsc_khz);

#endif
