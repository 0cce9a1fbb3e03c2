/* SPDX-License-Identifier: BSD-2-Clause */
#include "timeline.h"

#include <stdatomic.h>
#include <time.h>

static const char *const event_names[TL_EVENT_COUNT] = {
	[TL_PROCESS_START] = "process_start",
	[TL_ARGS_PARSED] = "args_parsed",
	[TL_API_READY] = "api_ready",
	[TL_INSTANCE_START] = "instance_start",
	[TL_KVM_READY] = "kvm_ready",
	[TL_KERNEL_LOADED] = "kernel_loaded",
	[TL_GUEST_ENTRY] = "guest_entry",
	[TL_FIRST_CONSOLE_BYTE] = "first_console_byte",
	[TL_BOOT_TIMER] = "boot_timer",
	[TL_GUEST_EXIT] = "guest_exit",
};

/* 0 = not yet; the first mark wins (vCPU threads and the main thread may race). */
static _Atomic int64_t marks[TL_EVENT_COUNT];
static uint32_t tsc_khz;
static uint64_t guest_resident;

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void timeline_mark(enum timeline_event ev)
{
	int64_t expected = 0;
	atomic_compare_exchange_strong(&marks[ev], &expected, now_ns());
}

int64_t timeline_ns(enum timeline_event ev)
{
	int64_t t = atomic_load(&marks[ev]);
	int64_t t0 = atomic_load(&marks[TL_PROCESS_START]);
	return t && t0 ? t - t0 : -1;
}

void timeline_set_tsc_khz(uint32_t khz)
{
	tsc_khz = khz;
}

void timeline_set_guest_resident(uint64_t bytes)
{
	guest_resident = bytes;
}

void timeline_print(FILE *out)
{
	fprintf(out, "millivm timeline (ms since process start):\n");
	for (int ev = 0; ev < TL_EVENT_COUNT; ev++) {
		int64_t ns = timeline_ns((enum timeline_event)ev);
		if (ns < 0)
			fprintf(out, "  %-20s        -\n", event_names[ev]);
		else
			fprintf(out, "  %-20s %8.3f\n", event_names[ev], (double)ns / 1e6);
	}
}

int timeline_write_json(FILE *f)
{
	fprintf(f, "{\n  \"unit\": \"ms\",\n  \"tsc_khz\": %u,\n  \"guest_resident_kib\": %llu",
		tsc_khz, (unsigned long long)(guest_resident >> 10));
	for (int ev = 0; ev < TL_EVENT_COUNT; ev++) {
		int64_t ns = timeline_ns((enum timeline_event)ev);
		if (ns < 0)
			fprintf(f, ",\n  \"%s\": null", event_names[ev]);
		else
			fprintf(f, ",\n  \"%s\": %.3f", event_names[ev], (double)ns / 1e6);
	}
	fprintf(f, "\n}\n");
	return fflush(f) == 0 && !ferror(f) ? 0 : -1;
}
