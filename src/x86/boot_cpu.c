/* SPDX-License-Identifier: BSD-2-Clause */
#include "boot_cpu.h"

#include <string.h>

#define X86_CR0_PE 0x1ull
#define X86_CR0_ET 0x10ull
#define SEG_TYPE_CODE_EXEC_READ_ACCESSED 0xb
#define SEG_TYPE_DATA_READ_WRITE_ACCESSED 0x3
#define SEG_TYPE_TSS32_BUSY 0xb

/* Selectors are what a GDT would hold; the guest loads its own GDT before reloading them. */
#define BOOT_SEL_CODE 0x08
#define BOOT_SEL_DATA 0x10
#define BOOT_SEL_TSS 0x18

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff, /* KVM takes the byte limit; with g=1 it is all 4 GiB */
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.l = 0,
		.g = 1,
	};
}

void pvh_entry_sregs(struct kvm_sregs *s)
{
	s->cs = flat_segment(BOOT_SEL_CODE, SEG_TYPE_CODE_EXEC_READ_ACCESSED);
	s->ds = s->es = s->fs = s->gs = s->ss =
		flat_segment(BOOT_SEL_DATA, SEG_TYPE_DATA_READ_WRITE_ACCESSED);
	s->tr = (struct kvm_segment){
		.base = 0,
		.limit = 0x67,
		.selector = BOOT_SEL_TSS,
		.type = SEG_TYPE_TSS32_BUSY,
		.present = 1,
	};
	s->cr0 = X86_CR0_PE | X86_CR0_ET;
	s->cr2 = 0;
	s->cr3 = 0;
	s->cr4 = 0;
	s->efer = 0;
}

void pvh_entry_regs(struct kvm_regs *regs, uint32_t entry, uint32_t start_info)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->rbx = start_info;
	regs->rflags = 0x2;
}
