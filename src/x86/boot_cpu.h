/* SPDX-License-Identifier: BSD-2-Clause */
/* The CPU state a kernel is entered with. */
#ifndef MILLIVM_BOOT_CPU_H
#define MILLIVM_BOOT_CPU_H

#include <stdint.h>

#include <linux/kvm.h>

/*
 * PVH entry (design.md section 1): 32-bit protected mode, paging off, flat 4 GiB code and
 * data segments (limit 0xffffffff with G=1), a busy 32-bit TSS, CR0 = PE|ET, CR4 = EFER = 0.
 * Only the fields the ABI fixes are changed; the rest of *sregs is kept (APIC base, ...).
 */
void pvh_entry_sregs(struct kvm_sregs *sregs);

/* EIP = entry, EBX = start_info, EFLAGS = bit 1 only; all else zero. */
void pvh_entry_regs(struct kvm_regs *regs, uint32_t entry, uint32_t start_info);

/*
 * Linux's 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"): long mode, paging on with
 * the loaded kernel, zero page and command line identity-mapped, a GDT with flat __BOOT_CS
 * (0x10, 64-bit code) and __BOOT_DS (0x18), CS/DS/ES/SS loaded from them, interrupts off,
 * RSI = boot_params.
 */
#define LINUX64_BOOT_CS 0x10
#define LINUX64_BOOT_DS 0x18
#define LINUX64_GDT_ENTRIES 4 /* null, unused, __BOOT_CS, __BOOT_DS */
#define LINUX64_PAGE_TABLE_PAGES 6 /* PML4, PDPT, 4 page directories */
#define LINUX64_IDENTITY_MAPPED (4ull << 30) /* [0, 4 GiB) in 2 MiB pages */

/* The boot GDT, matching the segments linux64_entry_sregs() loads. */
void linux64_boot_gdt(uint64_t gdt[LINUX64_GDT_ENTRIES]);

/* Identity map of [0, 4 GiB): the tables live at guest-physical base (page aligned) and dst
 * points at LINUX64_PAGE_TABLE_PAGES zeroed pages there; the PML4 is the first. */
void linux64_page_tables(uint64_t *dst, uint64_t base);

/* CR0 = PE|PG|ET, CR4 = PAE, EFER = LME|LMA, CR3 = the PML4, GDTR/IDTR, segments as above, a
 * busy 64-bit TSS. The rest of *sregs is kept (APIC base, ...). */
void linux64_entry_sregs(struct kvm_sregs *sregs, uint64_t gdt, uint64_t idt, uint64_t cr3);

/* RIP = entry, RSI = boot_params, RSP = stack, RFLAGS = bit 1 only; all else zero. */
void linux64_entry_regs(struct kvm_regs *regs, uint64_t entry, uint64_t boot_params,
			uint64_t stack);

#endif
