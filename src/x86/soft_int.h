/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Software interrupts the host's KVM cannot emulate (design.md section 10: nested kvm_pvm
 * reports "emulation failure" on `int3` and `int n` in protected and long mode). millivm then
 * does what the CPU would: it moves RIP past the instruction and injects the vector with
 * KVM_SET_VCPU_EVENTS, so the guest's own IDT handler runs. The same host cannot emulate
 * `fwait` either (Linux runs one whenever a task exits, in fpu__drop): millivm completes it,
 * raising #NM or #MF where the CPU would. Any other failed instruction is left alone (the
 * caller prints the register dump).
 */
#ifndef MILLIVM_SOFT_INT_H
#define MILLIVM_SOFT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/guest_mem.h"

#define SOFT_INT_MAX_INSN 15 /* the architectural limit on an instruction's length */

struct soft_int {
	uint8_t vector; /* 3 for int3, n for int n */
	uint8_t length; /* bytes, prefixes included */
	bool int3;      /* 0xCC (#BP, a software exception), else 0xCD nn (INT n) */
	bool fwait;     /* 0x9B: no event unless the x87 state asks for #NM or #MF */
};

/*
 * Decode code[0, len) as `int3`, `int n` or `fwait` after any legacy prefixes (operand and
 * address size, segment overrides, REP; REX too in 64-bit code). Returns 0 and fills *out, or -1 for
 * anything else: another opcode, a LOCK prefix (#UD on a real CPU), a truncated instruction
 * or one longer than 15 bytes. Pure.
 */
int soft_int_decode(const uint8_t *code, size_t len, bool code64, struct soft_int *out);

/*
 * The linear address of CS:RIP and whether the CPU runs 64-bit code, or false when the vCPU
 * is not in protected mode (real mode, virtual-8086 mode): those are not handled. Pure.
 */
bool soft_int_fetch_address(const struct kvm_regs *regs, const struct kvm_sregs *sregs,
			    uint64_t *linear, bool *code64);

/* RIP after an instruction of len bytes: wraps at 16 or 32 bits outside 64-bit code. Pure. */
uint64_t soft_int_next_rip(const struct kvm_regs *regs, const struct kvm_sregs *sregs,
			   unsigned len);

enum soft_int_result {
	SOFT_INT_DELIVERED,   /* RIP moved on, the vector is injected: run the vCPU again */
	SOFT_INT_NOT_HANDLED, /* not int3/int n, or an event is already pending: crash */
	SOFT_INT_FAILED,      /* a KVM ioctl failed (errno is set): crash */
};

/*
 * After KVM_INTERNAL_ERROR_EMULATION on vcpu_fd: read the instruction at CS:RIP through the
 * guest's page tables and, when it is a software interrupt, deliver it (*out says which).
 */
enum soft_int_result soft_int_deliver(int vcpu_fd, const struct guest_mem *mem,
				      struct soft_int *out, uint64_t *rip);

#endif
