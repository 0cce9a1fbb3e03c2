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

/* ---------------------------------------------------------- Linux 64-bit boot protocol */

#define X86_CR0_PG 0x80000000ull
#define X86_CR4_PAE 0x20ull
#define X86_EFER_LME 0x100ull
#define X86_EFER_LMA 0x400ull
#define SEG_TYPE_TSS64_BUSY 0xb
#define PTE_PRESENT 0x1ull
#define PTE_WRITE 0x2ull
#define PTE_LARGE 0x80ull
#define PT_ENTRIES 512
#define PAGE_SIZE_4K 4096ull
#define PAGE_SIZE_2M (2ull << 20)

static struct kvm_segment linux64_code(void)
{
	struct kvm_segment s = flat_segment(LINUX64_BOOT_CS, SEG_TYPE_CODE_EXEC_READ_ACCESSED);
	s.l = 1;
	s.db = 0; /* 64-bit code: L=1 requires D=0 */
	return s;
}

/* The 8-byte descriptor for a code or data segment as KVM describes it. */
static uint64_t gdt_descriptor(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit; /* 20 bits, in pages with G=1 */
	uint64_t d = (limit & 0xffff) | (uint64_t)(s->base & 0xffffff) << 16;
	d |= (uint64_t)(s->type & 0xf) << 40 | (uint64_t)s->s << 44 | (uint64_t)(s->dpl & 3) << 45;
	d |= (uint64_t)s->present << 47 | ((limit >> 16) & 0xf) << 48;
	d |= (uint64_t)s->avl << 52 | (uint64_t)s->l << 53 | (uint64_t)s->db << 54;
	d |= (uint64_t)s->g << 55 | (uint64_t)(s->base >> 24 & 0xff) << 56;
	return d;
}

void linux64_boot_gdt(uint64_t gdt[LINUX64_GDT_ENTRIES])
{
	struct kvm_segment code = linux64_code();
	struct kvm_segment data = flat_segment(LINUX64_BOOT_DS, SEG_TYPE_DATA_READ_WRITE_ACCESSED);
	gdt[0] = 0;
	gdt[1] = 0;
	gdt[LINUX64_BOOT_CS >> 3] = gdt_descriptor(&code);
	gdt[LINUX64_BOOT_DS >> 3] = gdt_descriptor(&data);
}

void linux64_page_tables(uint64_t *dst, uint64_t base)
{
	uint64_t *pml4 = dst, *pdpt = dst + PT_ENTRIES, *pd = dst + 2 * PT_ENTRIES;
	uint64_t pdpt_gpa = base + PAGE_SIZE_4K, pd_gpa = base + 2 * PAGE_SIZE_4K;
	enum { DIRECTORIES = LINUX64_PAGE_TABLE_PAGES - 2 };
	_Static_assert(DIRECTORIES * PT_ENTRIES * PAGE_SIZE_2M == LINUX64_IDENTITY_MAPPED,
		       "the page directories map the identity range");
	pml4[0] = pdpt_gpa | PTE_PRESENT | PTE_WRITE;
	for (unsigned i = 0; i < DIRECTORIES; i++)
		pdpt[i] = (pd_gpa + i * PAGE_SIZE_4K) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t i = 0; i < DIRECTORIES * PT_ENTRIES; i++)
		pd[i] = i * PAGE_SIZE_2M | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
}

void linux64_entry_sregs(struct kvm_sregs *s, uint64_t gdt, uint64_t idt, uint64_t cr3)
{
	s->cs = linux64_code();
	s->ds = s->es = s->fs = s->gs = s->ss =
		flat_segment(LINUX64_BOOT_DS, SEG_TYPE_DATA_READ_WRITE_ACCESSED);
	/* VM entry in long mode wants a busy 64-bit TSS; the kernel loads its own before use. */
	s->tr = (struct kvm_segment){
		.limit = 0x67,
		.type = SEG_TYPE_TSS64_BUSY,
		.present = 1,
	};
	s->gdt.base = gdt;
	s->gdt.limit = LINUX64_GDT_ENTRIES * 8 - 1;
	s->idt.base = idt;
	s->idt.limit = 0; /* no gates: a fault before the kernel's own IDT is a visible triple fault */
	s->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	s->cr2 = 0;
	s->cr3 = cr3;
	s->cr4 = X86_CR4_PAE;
	s->efer = X86_EFER_LME | X86_EFER_LMA;
}

void linux64_entry_regs(struct kvm_regs *regs, uint64_t entry, uint64_t boot_params,
			uint64_t stack)
{
	memset(regs, 0, sizeof(*regs));
	regs->rip = entry;
	regs->rsi = boot_params;
	regs->rsp = stack;
	regs->rflags = 0x2;
}
