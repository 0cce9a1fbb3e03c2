/* SPDX-License-Identifier: BSD-2-Clause */
/* The ways out of the guest: the debug-exit port, and deliberate faults for tests. */
#ifndef REFGUEST_SHUTDOWN_H
#define REFGUEST_SHUTDOWN_H

#include <stdint.h>

#include "options.h"

/* Firecracker-style "boot done": a byte write of 123 to the boot-timer page. */
void mark_boot_done(void);

/* Hands over the trace, then ends the VM through port 0xf4 with the given status. */
_Noreturn void guest_exit(uint8_t status);

/* fault=ud or fault=triple (options.h). */
_Noreturn void provoke_fault(enum fault_kind fault);

/* No IDT, then a page fault: the CPU cannot deliver it and shuts down. */
_Noreturn void triple_fault(void);

#endif
