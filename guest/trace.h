/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Boot-phase trace for millivm's trace channel (design.md section 7): ENTER/EXIT records with
 * TSC stamps in a buffer in guest RAM, handed to the monitor with one port write at the end.
 */
#ifndef REFGUEST_TRACE_H
#define REFGUEST_TRACE_H

#include <stdint.h>

/* Every traced phase; trace.c holds their names. */
enum trace_point {
	TRACE_REFGUEST,    /* the whole run, from the first instruction to the exit */
	TRACE_PVH_ENTRY,   /* 32-bit entry until long mode */
	TRACE_LONG_MODE,   /* from long mode to the exit */
	TRACE_SETUP,       /* command line and console */
	TRACE_CHECKS,      /* all checks; each group below nests inside */
	TRACE_CHECK_START_INFO,
	TRACE_CHECK_MEMMAP,
	TRACE_CHECK_INITRD,
	TRACE_CHECK_CPUID,
	TRACE_CHECK_PVCLOCK,
	TRACE_CHECK_MPTABLE,
	TRACE_BOOT_DONE,   /* event: the boot-timer write */
	TRACE_VERDICT,     /* printing the result */
	TRACE_EXCEPTION,   /* event: an unexpected exception */
	TRACE_POINTS
};

void trace_at(enum trace_point point, uint32_t kind, uint64_t tsc);
/* Phases nest: trace_exit leaves the innermost phase entered (point names it, for the record). */
void trace_enter(enum trace_point point);
void trace_exit(enum trace_point point);
void trace_event(enum trace_point point);

/* Records the entry-path phases, whose timestamps entry.S took before C could run. */
void trace_boot_phases(void);

/* Closes the phases still open and gives the buffer's address to the monitor. */
void trace_flush(void);

#endif
