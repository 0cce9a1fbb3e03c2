// SPDX-License-Identifier: BSD-2-Clause
#include "trace.h"

#include <millivm/abi.h>
#include <stddef.h>

#include "cpu.h"

#define TRACE_CAPACITY 48
#define TRACE_MAX_DEPTH 8

extern uint64_t boot_entry_tsc, boot_long_mode_tsc; /* entry.S */

#define NAME_REFGUEST "refguest"
#define NAME_PVH_ENTRY "pvh_entry"
#define NAME_LONG_MODE "long_mode"
#define NAME_SETUP "setup"
#define NAME_CHECKS "checks"
#define NAME_CHECK_START_INFO "check_start_info"
#define NAME_CHECK_MEMMAP "check_memmap"
#define NAME_CHECK_INITRD "check_initrd"
#define NAME_CHECK_CPUID "check_cpuid"
#define NAME_CHECK_PVCLOCK "check_pvclock"
#define NAME_CHECK_MPTABLE "check_mptable"
#define NAME_BOOT_DONE "boot_done"
#define NAME_VERDICT "verdict"
#define NAME_EXCEPTION "exception"

/* Padded to the record's width: copying a name is five word moves. */
static const char trace_names[TRACE_POINTS][MILLIVM_TRACE_NAME_LEN] = {
	[TRACE_REFGUEST] = NAME_REFGUEST,
	[TRACE_PVH_ENTRY] = NAME_PVH_ENTRY,
	[TRACE_LONG_MODE] = NAME_LONG_MODE,
	[TRACE_SETUP] = NAME_SETUP,
	[TRACE_CHECKS] = NAME_CHECKS,
	[TRACE_CHECK_START_INFO] = NAME_CHECK_START_INFO,
	[TRACE_CHECK_MEMMAP] = NAME_CHECK_MEMMAP,
	[TRACE_CHECK_INITRD] = NAME_CHECK_INITRD,
	[TRACE_CHECK_CPUID] = NAME_CHECK_CPUID,
	[TRACE_CHECK_PVCLOCK] = NAME_CHECK_PVCLOCK,
	[TRACE_CHECK_MPTABLE] = NAME_CHECK_MPTABLE,
	[TRACE_BOOT_DONE] = NAME_BOOT_DONE,
	[TRACE_VERDICT] = NAME_VERDICT,
	[TRACE_EXCEPTION] = NAME_EXCEPTION,
};

/*
 * The order in which a normal run (main.c) records its points. The buffer starts out with
 * these names in place, so a record that follows the plan costs a timestamp and a kind;
 * one that departs from it (an early exit, an exception) copies its name.
 */
#define TRACE_PLAN(X)                                                                   \
	X(REFGUEST) X(PVH_ENTRY) X(PVH_ENTRY) X(LONG_MODE) X(SETUP) X(SETUP) X(CHECKS)     \
	X(CHECK_START_INFO) X(CHECK_START_INFO) X(CHECK_MEMMAP) X(CHECK_MEMMAP)            \
	X(CHECK_INITRD) X(CHECK_INITRD) X(CHECK_CPUID) X(CHECK_CPUID) X(CHECK_PVCLOCK)     \
	X(CHECK_PVCLOCK) X(CHECK_MPTABLE) X(CHECK_MPTABLE) X(CHECKS) X(BOOT_DONE)          \
	X(VERDICT) X(VERDICT) X(LONG_MODE) X(REFGUEST)
#define PLANNED_RECORD(point) { .name = NAME_##point },
#define PLANNED_POINT(point) TRACE_##point + 1, /* 0: nothing planned */

static const uint8_t planned_points[TRACE_CAPACITY] = { TRACE_PLAN(PLANNED_POINT) };

/* The layout the monitor copies: a header, then the records. Initialised, not built. */
static struct {
	struct millivm_trace_header header;
	struct millivm_trace_record records[TRACE_CAPACITY];
} trace_buffer __attribute__((aligned(64))) = {
	.header = {
		.magic = MILLIVM_TRACE_MAGIC,
		.version = MILLIVM_TRACE_VERSION,
		.capacity = TRACE_CAPACITY,
	},
	.records = { TRACE_PLAN(PLANNED_RECORD) },
};

_Static_assert(offsetof(__typeof__(trace_buffer), records) ==
		       sizeof(struct millivm_trace_header),
	       "records follow the header directly");
_Static_assert(TRACE_POINTS < 255, "planned_points holds point + 1 in a byte");

/* The phases entered and not yet left, innermost last, so trace_flush can close them. */
static uint8_t open_points[TRACE_MAX_DEPTH];
static unsigned open_depth;

static void push_open(enum trace_point point)
{
	if (open_depth < TRACE_MAX_DEPTH)
		open_points[open_depth++] = (uint8_t)point;
}

/* Every record's thread is 0 (the boot CPU), as initialised. */
void trace_at(enum trace_point point, uint32_t kind, uint64_t tsc)
{
	uint32_t n = trace_buffer.header.count;

	if (n >= TRACE_CAPACITY)
		return;
	struct millivm_trace_record *r = &trace_buffer.records[n];

	r->tsc = tsc;
	r->kind = kind;
	if (planned_points[n] != point + 1)
		__builtin_memcpy(r->name, trace_names[point], MILLIVM_TRACE_NAME_LEN);
	trace_buffer.header.count = n + 1;
}

void trace_enter(enum trace_point point)
{
	push_open(point);
	trace_at(point, MILLIVM_TRACE_ENTER, rdtsc());
}

/* Phases nest: the one left is the innermost open one. */
void trace_exit(enum trace_point point)
{
	if (open_depth)
		open_depth--;
	trace_at(point, MILLIVM_TRACE_EXIT, rdtsc());
}

void trace_event(enum trace_point point)
{
	trace_at(point, MILLIVM_TRACE_EVENT, rdtsc());
}

void trace_boot_phases(void)
{
	trace_at(TRACE_REFGUEST, MILLIVM_TRACE_ENTER, boot_entry_tsc);
	trace_at(TRACE_PVH_ENTRY, MILLIVM_TRACE_ENTER, boot_entry_tsc);
	trace_at(TRACE_PVH_ENTRY, MILLIVM_TRACE_EXIT, boot_long_mode_tsc);
	trace_at(TRACE_LONG_MODE, MILLIVM_TRACE_ENTER, boot_long_mode_tsc);
	push_open(TRACE_REFGUEST);
	push_open(TRACE_LONG_MODE);
}

void trace_flush(void)
{
	uint64_t now = rdtsc();

	/* Normally long_mode and refguest; after an early exit or an exception, more. */
	while (open_depth)
		trace_at(open_points[--open_depth], MILLIVM_TRACE_EXIT, now);
	/* Identity mapped and linked below 4 GiB: the address is physical and fits 32 bits. */
	outl(MILLIVM_TRACE_PORT, (uint32_t)(uintptr_t)&trace_buffer);
}
