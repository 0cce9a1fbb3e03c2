/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PVH entry: the Xen ELF note that names the 32-bit entry point, and the path from 32-bit
 * protected mode (paging off, EBX = hvm_start_info, design.md section 1) to C in long mode.
 * No loops here: the page tables are prebuilt (pagetables.S) and the IDT too (idt.S), so the
 * whole path is about twenty instructions, each of which may be emulated.
 */
/* From millivm/abi.h, which is C only. */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_NOTE_NAME "Xen"

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define GDT_CODE64 0x08
#define GDT_DATA 0x10
#define BOOT_STACK_SIZE 16384

	/* Type 18, descriptor = the 32-bit physical entry. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 2f - 1f		/* namesz, including the NUL */
	.long 4f - 3f		/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
1:	.asciz PVH_NOTE_NAME
2:	.balign 4
3:	.long pvh_entry32
4:	.balign 4

	.section .text.entry, "ax"
	.code32
	.globl pvh_entry32
pvh_entry32:
	rdtsc				/* first thing: the trace's "pvh_entry" timestamp */
	movl %eax, boot_entry_tsc
	movl %edx, boot_entry_tsc + 4
	movl %ebx, boot_start_info

	movl $boot_pml4, %eax
	movl %eax, %cr3
	movl $CR4_PAE, %eax		/* CR4 is 0 at PVH entry: write, no need to read */
	movl %eax, %cr4
	movl $MSR_EFER, %ecx		/* EFER is 0 at PVH entry: likewise */
	movl $EFER_LME, %eax
	xorl %edx, %edx
	wrmsr
	movl %cr0, %eax			/* keep ET and whatever else the monitor set */
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt boot_gdt_pointer
	ljmp $GDT_CODE64, $long_mode_entry

	.code64
long_mode_entry:
	movl $GDT_DATA, %eax		/* the entry selectors point into the monitor's GDT */
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	rdtsc
	shlq $32, %rdx
	orq %rdx, %rax
	movq %rax, boot_long_mode_tsc(%rip)
	leaq boot_stack_top(%rip), %rsp
	lidt exception_idt_pointer(%rip)
	call refguest_main		/* does not return; if it did, ud2 reports it */
	ud2

	/* Accessed bits preset: the CPU would otherwise write them on the first load. */
	.section .rodata
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9b000000ffff	/* GDT_CODE64: 64-bit code, present, DPL 0, accessed */
	.quad 0x00cf93000000ffff	/* GDT_DATA: flat read/write data, accessed */
	.quad 0x00cf9b000000ffff	/* 0x18: flat 32-bit code, for the APs (ap_trampoline.S) */
boot_gdt_end:
	.balign 4
	.globl boot_gdt_pointer
boot_gdt_pointer:		/* loaded in 32-bit mode: 16-bit limit, 32-bit base */
	.word boot_gdt_end - boot_gdt - 1
	.long boot_gdt

	.section .bss
	.balign 8
	.globl boot_entry_tsc, boot_long_mode_tsc, boot_start_info
boot_entry_tsc:
	.quad 0
boot_long_mode_tsc:
	.quad 0
boot_start_info:
	.long 0
	.balign 16
boot_stack:
	.fill BOOT_STACK_SIZE, 1, 0
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
