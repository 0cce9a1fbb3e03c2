/* SPDX-License-Identifier: BSD-2-Clause */
/* A vCPU thread: KVM_RUN, then route the exit to a device or end the VM. */
#ifndef MILLIVM_VCPU_H
#define MILLIVM_VCPU_H

#include "core/vm.h"

void *vcpu_thread(void *vcpu);

/* Make the vCPU leave KVM_RUN soon (it then notices vm->exiting). */
void vcpu_kick(struct vcpu *vcpu);

/* Install the (empty) kick signal handler; once, before any vCPU thread starts. */
int vcpu_signals_init(void);

#endif
