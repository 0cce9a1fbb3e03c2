/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MILLIVM_TEARDOWN_H
#define MILLIVM_TEARDOWN_H

#include "core/vm.h"

/*
 * Let a short-lived child process drop the last references to the KVM VM, so this process
 * can exit (and the shell see the guest's status) without waiting for KVM to destroy the
 * VM: with in-kernel interrupt controllers that takes 14-22 ms on nested KVM (SRCU grace
 * periods; measured with close() timings), far longer than the whole boot. The child holds
 * nothing else: stdio and every other descriptor are closed first, so pipes see EOF at once.
 * QEMU's -run-with async-teardown=on does the same. Best effort: on failure the normal
 * synchronous teardown happens at exit.
 */
void vm_teardown_in_background(const struct vm *vm);

#endif
