/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The GDB remote stub (--gdb, --gdb-wait): a thread of its own serves one debugger at a time
 * on a TCP or Unix socket; the vCPU threads call in at two points of their loop. The target
 * description follows the kernel's ELF class (i386 for ELF32, i386:x86-64 for ELF64), so gdb
 * given the same kernel file agrees with it. See docs/gdb.md.
 */
#ifndef MILLIVM_DEBUG_GDBSTUB_H
#define MILLIVM_DEBUG_GDBSTUB_H

#include <stdbool.h>

#include "core/error.h"
#include "core/vm.h"

/*
 * After the kernel is loaded (vm->kernel_elf32 is known) and before vm_start: probe what the
 * host's KVM can do, listen on vm->cfg->gdb_address and start the stub thread. With
 * --gdb-wait every vCPU parks before its first instruction until the debugger resumes it.
 */
int gdbstub_start(struct vm *vm, struct error *err);

/* Once the VM has ended: tell a debugger that is waiting for the target (W packet), close,
 * join the thread. No-op without a stub. */
void gdbstub_finish(struct vm *vm);

/* vCPU thread, before each KVM_RUN: park here while the debugger holds this vCPU. Returns
 * true if it parked (the caller then checks vm->exiting again). */
bool gdbstub_vcpu_checkpoint(struct vcpu *v);

/* vCPU thread, on KVM_EXIT_DEBUG: stop the VM and report to the debugger. Returns false if
 * there is no stub (the exit was not asked for). */
bool gdbstub_vcpu_debug_exit(struct vcpu *v);

#endif
