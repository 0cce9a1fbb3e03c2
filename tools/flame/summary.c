/* SPDX-License-Identifier: BSD-2-Clause */
#include "summary.h"

#include <inttypes.h>
#include <string.h>

#include "utf8.h"

/* Names come from a guest: keep control characters away from the user's terminal. */
static void put_printable(FILE *out, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t take = utf8_decode(s + i, n - i, &cp);

		if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == UTF8_REPLACEMENT)
			putc('?', out);
		else
			fwrite(s + i, 1, take, out);
		i += take;
	}
}

void summary_print(FILE *out, struct span_heap *top, unsigned long long total_spans,
		   uint64_t first_tsc, double tsc_khz)
{
	span_heap_sort_longest_first(top);
	fprintf(out, "longest %zu of %llu spans (times in ms from the first stamp)\n", top->len,
		total_spans);
	fprintf(out, "%5s %12s %12s  %-18s  %s\n", "rank", "duration_ms", "start_ms", "thread",
		"name");
	for (size_t i = 0; i < top->len; i++) {
		const struct span *s = &top->items[i];
		char thread[24];

		snprintf(thread, sizeof(thread), "0x%" PRIx64, s->thread);
		fprintf(out, "%5zu %12.3f %12.3f  %-18s  ", i + 1,
			tsc_to_ms(span_ticks(s), tsc_khz), tsc_to_ms(s->start - first_tsc, tsc_khz),
			thread);
		put_printable(out, s->label);
		fputs(s->unfinished ? " (unfinished)\n" : "\n", out);
	}
}
