// SPDX-License-Identifier: BSD-2-Clause
/* The C half of idt.S: report an unexpected exception and exit with a status of its own. */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "cpu.h"
#include "report.h"
#include "shutdown.h"
#include "trace.h"

/* What idt.S leaves on the stack (the CPU's frame below the two pushes of the stub). */
struct exception_frame {
	uint64_t vector;
	uint64_t error_code; /* 0 for vectors without one */
	uint64_t rip, cs, rflags, rsp, ss;
};

_Noreturn void exception_report(const struct exception_frame *frame);

_Noreturn void exception_report(const struct exception_frame *frame)
{
	static bool reporting;

	if (reporting) /* faulted while reporting: give up rather than loop */
		triple_fault();
	reporting = true;
	trace_event(TRACE_EXCEPTION);
	console_printf("EXCEPTION %lu rip=0x%lx error=0x%lx cr2=0x%lx rsp=0x%lx\n", frame->vector,
		       frame->rip, frame->error_code, read_cr2(), frame->rsp);
	console_printf("millivm-refguest: FAIL exception %lu\n", frame->vector);
	guest_exit(EXIT_STATUS_EXCEPTION);
}
