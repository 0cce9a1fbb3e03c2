/* SPDX-License-Identifier: BSD-2-Clause */
#include "soft_int.h"

#include <sys/ioctl.h>

#include "debug/page_walk.h"

#define X86_CR0_PE 0x1ull
#define X86_EFER_LMA 0x400ull
#define X86_RFLAGS_VM (1ull << 17)
#define OPCODE_INT3 0xcc
#define OPCODE_INT 0xcd
#define OPCODE_FWAIT 0x9b
#define X86_CR0_MP 0x2ull
#define X86_CR0_TS 0x8ull
#define X86_CR0_NE 0x20ull
#define X87_FSW_ES 0x80 /* an unmasked x87 exception is pending */
#define NM_VECTOR 7
#define MF_VECTOR 16
#define PREFIX_LOCK 0xf0
#define BP_VECTOR 3

static bool is_legacy_prefix(uint8_t b)
{
	switch (b) {
	case 0x66: /* operand size */
	case 0x67: /* address size */
	case 0xf2: /* REPNE */
	case 0xf3: /* REP */
	case 0x26: /* ES */
	case 0x2e: /* CS */
	case 0x36: /* SS */
	case 0x3e: /* DS */
	case 0x64: /* FS */
	case 0x65: /* GS */
		return true;
	}
	return false;
}

int soft_int_decode(const uint8_t *code, size_t len, bool code64, struct soft_int *out)
{
	if (len > SOFT_INT_MAX_INSN)
		len = SOFT_INT_MAX_INSN;
	size_t i = 0;
	while (i < len && is_legacy_prefix(code[i]))
		i++;
	/* A REX prefix counts only right before the opcode; int3 and int n ignore it. */
	if (code64 && i < len && (code[i] & 0xf0) == 0x40)
		i++;
	if (i >= len || code[i] == PREFIX_LOCK)
		return -1;
	if (code[i] == OPCODE_INT3) {
		*out = (struct soft_int){ .vector = BP_VECTOR, .length = (uint8_t)(i + 1),
					  .int3 = true };
		return 0;
	}
	if (code[i] == OPCODE_FWAIT) {
		*out = (struct soft_int){ .length = (uint8_t)(i + 1), .fwait = true };
		return 0;
	}
	if (code[i] == OPCODE_INT && i + 1 < len) {
		*out = (struct soft_int){ .vector = code[i + 1], .length = (uint8_t)(i + 2) };
		return 0;
	}
	return -1;
}

static bool runs_64bit_code(const struct kvm_sregs *sregs)
{
	return (sregs->efer & X86_EFER_LMA) && sregs->cs.l;
}

bool soft_int_fetch_address(const struct kvm_regs *regs, const struct kvm_sregs *sregs,
			    uint64_t *linear, bool *code64)
{
	if (!(sregs->cr0 & X86_CR0_PE) || (regs->rflags & X86_RFLAGS_VM))
		return false;
	*code64 = runs_64bit_code(sregs);
	*linear = *code64 ? regs->rip : (sregs->cs.base + regs->rip) & 0xffffffffull;
	return true;
}

uint64_t soft_int_next_rip(const struct kvm_regs *regs, const struct kvm_sregs *sregs,
			   unsigned len)
{
	uint64_t next = regs->rip + len;
	if (runs_64bit_code(sregs))
		return next;
	return sregs->cs.db ? next & 0xffffffffull : next & 0xffffull;
}

enum soft_int_result soft_int_deliver(int vcpu_fd, const struct guest_mem *mem,
				      struct soft_int *out, uint64_t *rip)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_vcpu_events events;
	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs) < 0 || ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0 ||
	    ioctl(vcpu_fd, KVM_GET_VCPU_EVENTS, &events) < 0)
		return SOFT_INT_FAILED;
	*rip = regs.rip;

	uint64_t linear;
	bool code64;
	if (!soft_int_fetch_address(&regs, &sregs, &linear, &code64))
		return SOFT_INT_NOT_HANDLED;
	uint8_t code[SOFT_INT_MAX_INSN];
	bool readable[SOFT_INT_MAX_INSN];
	size_t got = guest_read_linear(mem, &sregs, linear, code, readable, sizeof(code));
	size_t len = 0;
	while (len < got && readable[len])
		len++;
	if (soft_int_decode(code, len, code64, out) < 0)
		return SOFT_INT_NOT_HANDLED;
	/* Another event on its way in: delivering ours too would lose one of them. */
	if (events.exception.injected || events.exception.pending || events.interrupt.injected ||
	    events.nmi.injected)
		return SOFT_INT_NOT_HANDLED;

	/*
	 * The instruction has executed: RIP points past it, so the return address the CPU
	 * pushes while delivering the event is the next instruction, as after a real INT.
	 */
	regs.rip = soft_int_next_rip(&regs, &sregs, out->length);
	bool fault = false;
	if (out->fwait) {
		/* what the CPU checks: TS with MP is #NM, a pending unmasked exception #MF (both
		 * faults: RIP stays on the fwait); otherwise fwait does nothing */
		struct kvm_fpu fpu;
		if ((sregs.cr0 & X86_CR0_TS) && (sregs.cr0 & X86_CR0_MP)) {
			out->vector = NM_VECTOR;
		} else {
			if (ioctl(vcpu_fd, KVM_GET_FPU, &fpu) < 0)
				return SOFT_INT_FAILED;
			if (!(fpu.fsw & X87_FSW_ES) || !(sregs.cr0 & X86_CR0_NE))
				return ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0 ? SOFT_INT_FAILED
									 : SOFT_INT_DELIVERED;
			out->vector = MF_VECTOR;
		}
		regs.rip = *rip;
		fault = true;
	}
	if (out->int3 || fault) {
		events.exception.injected = 1;
		events.exception.nr = out->vector;
		events.exception.has_error_code = 0;
		events.exception.error_code = 0;
	} else {
		events.interrupt.injected = 1;
		events.interrupt.nr = out->vector;
		events.interrupt.soft = 1;
	}
	events.interrupt.shadow = 0;
	/* Round trip: the flags GET set make SET keep NMI, SMM and shadow state as they were. */
	events.flags &= KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
			KVM_VCPUEVENT_VALID_SMM | KVM_VCPUEVENT_VALID_PAYLOAD |
			KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	if (ioctl(vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(vcpu_fd, KVM_SET_VCPU_EVENTS, &events) < 0)
		return SOFT_INT_FAILED;
	return SOFT_INT_DELIVERED;
}
