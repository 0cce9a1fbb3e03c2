/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Decoded vCPU register dump for fatal exits (KVM_EXIT_INTERNAL_ERROR, KVM_EXIT_SHUTDOWN,
 * KVM_EXIT_FAIL_ENTRY, unknown exits), in the spirit of QEMU's "info registers": general
 * registers, RFLAGS, segments, descriptor tables, control registers, EFER, APIC base, pending
 * interrupt, code bytes around RIP and the top of the stack.
 *
 * Safe on any register state and any guest memory contents; the output depends only on the
 * arguments, so it can be compared in unit tests.
 */
#ifndef MILLIVM_DEBUG_REGDUMP_H
#define MILLIVM_DEBUG_REGDUMP_H

#include <stdint.h>
#include <stdio.h>

#include <linux/kvm.h>

#include "core/guest_mem.h"

/* Bytes of code shown on each side of RIP, and stack slots shown from RSP. */
#define REGDUMP_CODE_BYTES_BEFORE 32
#define REGDUMP_CODE_BYTES_AFTER 32
#define REGDUMP_STACK_WORDS 8

/*
 * Print a header line "Register dump: <reason>" (just "Register dump" if reason is NULL), then
 * the decoded state. mem may be NULL: code and
 * stack are then reported unavailable. NULL regs or sregs print a note instead of those parts.
 */
void regdump_print(FILE *out, const char *reason, const struct kvm_regs *regs,
		   const struct kvm_sregs *sregs, const struct guest_mem *mem);

/* "SHUTDOWN", "INTERNAL_ERROR", ... for a KVM_EXIT_* value; "unknown" if not known. */
const char *regdump_exit_reason_name(uint32_t exit_reason);

/* "emulation failure", ... for a KVM_INTERNAL_ERROR_* suberror; "unknown" if not known. */
const char *regdump_internal_error_name(uint32_t suberror);

#endif
