// SPDX-License-Identifier: BSD-2-Clause
#include "shutdown.h"

#include <millivm/abi.h>
#include <millivm/layout.h>

#include "cpu.h"
#include "trace.h"

/* PML4 entry 1 is empty in pagetables.S: nothing is mapped at 512 GiB. */
#define UNMAPPED_ADDRESS 0x8000000000ull

void mark_boot_done(void)
{
	trace_event(TRACE_BOOT_DONE);
	*(volatile uint8_t *)(uintptr_t)LAYOUT_BOOT_TIMER = BOOT_TIMER_MAGIC;
}

_Noreturn void guest_exit(uint8_t status)
{
	trace_flush();
	outb(DEBUG_EXIT_PORT, status);
	/* Still running: no debug-exit device. Try the i8042 reset, then stop the hard way
	 * (the guest never halts: a halted guest would wait for ever). */
	outb(I8042_COMMAND_PORT, I8042_CMD_RESET);
	triple_fault();
}

_Noreturn void triple_fault(void)
{
	static const struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) no_idt = { 0, 0 };

	/* #PF cannot be delivered (limit 0), nor the #GP that follows, nor the #DF: shutdown. */
	__asm__ volatile("lidt %0" : : "m"(no_idt));
	for (;;)
		(void)*(volatile uint64_t *)(uintptr_t)UNMAPPED_ADDRESS;
}

_Noreturn void provoke_fault(enum fault_kind fault)
{
	if (fault == FAULT_UD)
		__asm__ volatile("ud2");
	triple_fault();
}
