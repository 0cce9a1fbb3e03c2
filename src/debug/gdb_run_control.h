/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Stopping and resuming vCPU threads for the debugger. A stopped vCPU is "parked": its
 * thread waits on a condition variable between two KVM_RUNs, so the stub thread can read and
 * write its registers and debug state. To stop a running vCPU the stub sets its hold flag and
 * kicks it out of KVM_RUN (vcpu_kick); the vCPU parks at its next checkpoint. A vCPU that
 * leaves KVM_RUN with KVM_EXIT_DEBUG records the event, holds every vCPU and wakes the stub.
 *
 * Threads: the checkpoint, park and debug-exit calls run on vCPU threads, the rest on the
 * stub thread (hold_all also before the vCPUs start).
 */
#ifndef MILLIVM_DEBUG_GDB_RUN_CONTROL_H
#define MILLIVM_DEBUG_GDB_RUN_CONTROL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/vm.h"

/* Why a vCPU left KVM_RUN with KVM_EXIT_DEBUG. */
struct gdb_stop_event {
	unsigned vcpu;
	uint32_t exception; /* 1: #DB (single-step, debug register), 3: #BP (int3) */
	uint64_t pc;        /* linear address */
	uint64_t dr6;
};

struct gdb_run_control {
	struct vm *vm;
	pthread_mutex_t lock;
	pthread_cond_t resume_cond; /* parked vCPUs wait on it */
	pthread_cond_t parked_cond; /* the stub waits on it for vCPUs to park */
	atomic_bool hold[VM_MAX_VCPUS];
	atomic_bool any_hold;       /* fast path: nothing to check while false */
	unsigned nparked;
	bool released;              /* the stub is gone: nobody parks any more */
	bool have_event;
	struct gdb_stop_event event;
	int wake_fd;                /* eventfd the stub polls; written on a debug exit */
};

int gdb_run_control_init(struct gdb_run_control *rc, struct vm *vm, int wake_fd);
void gdb_run_control_destroy(struct gdb_run_control *rc);

/* vCPU side. The check costs one atomic load while nothing is held. */
static inline bool gdb_run_control_must_park(struct gdb_run_control *rc, unsigned vcpu)
{
	return atomic_load_explicit(&rc->any_hold, memory_order_acquire) &&
	       atomic_load(&rc->hold[vcpu]);
}
void gdb_run_control_park(struct gdb_run_control *rc, struct vcpu *v);
void gdb_run_control_debug_exit(struct gdb_run_control *rc, struct vcpu *v);

/* Hold every vCPU without waiting (--gdb-wait, before the vCPUs start). */
void gdb_run_control_hold_all(struct gdb_run_control *rc);

/* Hold and kick every vCPU, and wait until all are parked (or the VM is ending). */
void gdb_run_control_stop_all(struct gdb_run_control *rc);

/* Let the vCPUs with run[i] set go; the others stay parked. Forgets the last event. */
void gdb_run_control_resume(struct gdb_run_control *rc, const bool *run);

/* The debug exit that stopped the VM since the last resume, if any. */
bool gdb_run_control_take_event(struct gdb_run_control *rc, struct gdb_stop_event *event);

/* For good: wake every parked vCPU and never park again (the VM is ending). */
void gdb_run_control_release(struct gdb_run_control *rc);

#endif
