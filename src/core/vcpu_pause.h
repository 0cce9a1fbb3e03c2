/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Pausing the whole VM (the API's PATCH /vm {"state": "Paused"}): every vCPU thread leaves
 * KVM_RUN and waits between two runs until resumed. Guest time does not stop (kvmclock and
 * the TSC keep running, as with Firecracker); the guest simply gets no CPU.
 *
 * The gdb stub parks vCPUs with its own mechanism (src/debug/gdb_run_control.c); the two
 * compose: a vCPU runs only when neither holds it. This one differs in that a pause gives
 * up after a timeout instead of waiting for ever on a vCPU stuck in a device (the API thread
 * must stay responsive), and that it is not tied to the stub's lifetime.
 *
 * One VM per process: the state is global.
 */
#ifndef MILLIVM_VCPU_PAUSE_H
#define MILLIVM_VCPU_PAUSE_H

#include <stdatomic.h>
#include <stdbool.h>

#include "core/vm.h"

extern atomic_bool vcpu_pause_requested;

/* The slow path of the checkpoint: park until resumed or the VM ends. */
bool vcpu_pause_park(struct vcpu *v);

/* vCPU thread, before each KVM_RUN: one atomic load while nobody pauses. Returns true if the
 * thread was parked (the caller re-checks vm->exiting before running again). */
static inline bool vcpu_pause_checkpoint(struct vcpu *v)
{
	return atomic_load_explicit(&vcpu_pause_requested, memory_order_acquire) &&
	       vcpu_pause_park(v);
}

/* Stop every vCPU and wait until all are parked, at most timeout_ms. On timeout the VM is
 * resumed again and -1 returned. Idempotent. Any thread but a vCPU thread. */
int vcpu_pause_all(struct vm *vm, int timeout_ms);

/* Let the parked vCPUs run again. Idempotent. */
void vcpu_resume_all(struct vm *vm);

bool vcpu_paused(void);

#endif
