/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What this host's KVM can do for a debugger, found by trying it in a throwaway VM (one vCPU,
 * a few instructions in 32-bit protected mode) before the real guest starts:
 *   - does a guest int3 reach the monitor with KVM_GUESTDBG_USE_SW_BP? (It does on hardware
 *     KVM; nested hosts that emulate every guest instruction may fail with an emulation error.)
 *   - does a write hit a data breakpoint in DR0-DR3? (Emulated instructions may not check.)
 * Only run when --gdb is given: it costs a VM creation, a few milliseconds.
 */
#ifndef MILLIVM_DEBUG_GDB_HOST_PROBE_H
#define MILLIVM_DEBUG_GDB_HOST_PROBE_H

#include <stdbool.h>

struct gdb_host_caps {
	bool int3_traps;       /* Z0 can use int3; else it takes a debug register */
	bool data_breakpoints; /* Z2/Z4 watchpoints work */
	bool block_irq;        /* KVM_GUESTDBG_BLOCKIRQ: single-steps skip interrupt handlers */
};

void gdb_probe_host(int kvm_fd, struct gdb_host_caps *caps);

#endif
