/* SPDX-License-Identifier: BSD-2-Clause */
#include "anomalies.h"

size_t anomalies_list(const struct span_stats *st, unsigned long long garbage_lines,
		      struct anomaly out[ANOMALY_KINDS])
{
	const struct anomaly all[ANOMALY_KINDS] = {
		{ "garbage lines", garbage_lines },
		{ "unmatched EXITs", st->unmatched_exits },
		{ "frames unwound", st->unwound },
		{ "unfinished", st->unfinished },
		{ "dropped (nested too deep)", st->depth_dropped },
		{ "dropped (too many threads)", st->thread_dropped },
		{ "EXITs stamped before their ENTER", st->backwards },
	};
	size_t n = 0;

	for (size_t i = 0; i < ANOMALY_KINDS; i++)
		if (all[i].count != 0)
			out[n++] = all[i];
	return n;
}
