/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A KVM virtual machine: the VM and its in-kernel interrupt controllers and PIT, guest RAM,
 * the vCPUs, and the device buses. vm_create() does everything that does not depend on the
 * guest; the boot loaders then fill RAM and set the entry state.
 */
#ifndef MILLIVM_VM_H
#define MILLIVM_VM_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/bus.h"
#include "core/error.h"
#include "core/guest_mem.h"
#include "core/vm_config.h"
#include "x86/cpuid.h"

struct vm;
struct gdbstub;

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	atomic_bool thread_started; /* set after thread: other threads may kick the vCPU early */
};

struct vm {
	const struct vm_config *cfg;
	int kvm_fd;
	int vm_fd;
	int run_size;
	struct guest_mem mem;
	uint32_t tsc_khz;
	struct cpuid_table supported_cpuid; /* KVM_GET_SUPPORTED_CPUID, fetched once */
	uint32_t cpu_signature;             /* CPUID 1 EAX/EDX, for the MP table */
	uint32_t cpu_features;
	unsigned nvcpus;
	struct vcpu vcpus[VM_MAX_VCPUS];
	struct bus pio;
	struct bus mmio;
	uint32_t level_irqs; /* IRQs whose devices are level-triggered (MP table flags) */
	uint32_t used_irqs;

	/* Ending the VM: the first request sets the status, later ones are ignored. */
	atomic_bool exiting;
	int exit_status;
	int exit_eventfd; /* the main loop waits on it */

	bool kernel_elf32;   /* the kernel is ELF32: the gdb stub describes an i386 target */
	struct gdbstub *gdb; /* --gdb: the debugger stub; NULL without one */
};

int vm_create(struct vm *vm, const struct vm_config *cfg, struct error *err);

/* Set the vCPUs' CPUID and boot MSRs; after the loader, before the run. */
int vm_setup_vcpus(struct vm *vm, struct error *err);

/* Start the vCPU threads; vCPU 0 enters at the state the loader set. */
int vm_start(struct vm *vm, struct error *err);

/* Drive an IRQ line of the in-kernel PIC/IOAPIC (level: 1 asserted, 0 deasserted). */
void vm_set_irq_line(struct vm *vm, unsigned irq, int level);

/* Claim the next free IRQ at or above first; returns -1 when none is left. */
int vm_alloc_irq(struct vm *vm, unsigned first, bool level_triggered);

/* Ask the VM to stop with this status; safe from any thread, first caller wins. */
void vm_request_exit(struct vm *vm, int status);

#endif
