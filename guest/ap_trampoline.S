/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The application processors' way from the start-up IPI to C. The BSP copies the 16-bit part
 * (ap_trampoline_start..end) to LAYOUT_AP_TRAMPOLINE below 1 MiB and sends that page's number
 * as the SIPI vector; the AP starts there in real mode with CS = page << 8, IP = 0. Real mode
 * and each mode switch are emulated on some hosts, so the 16-bit part only loads the BSP's
 * GDT (the BSP patches its GDTR in with sgdt) and jumps to 32-bit code in the image at 1 MiB,
 * which turns on long mode with the BSP's page tables (ap_boot_cr3) as entry.S does.
 */
#include "smp.h"

#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE 0x00000020
#define MSR_EFER 0xc0000080
#define EFER_LME 0x00000100
#define GDT_CODE64 0x08
#define GDT_DATA 0x10

	.section .rodata
	.code16
	.globl ap_trampoline_start, ap_trampoline_end, ap_trampoline_gdtr
ap_trampoline_start:
	cli
	movw %cs, %ax
	movw %ax, %ds
	lgdtl ap_trampoline_gdtr - ap_trampoline_start
	movl $CR0_PE, %eax	/* also clears CD and NW, which INIT sets: caches on */
	movl %eax, %cr0
	ljmpl $GDT_CODE32, $ap_entry32
	.balign 4
ap_trampoline_gdtr:		/* 16-bit limit, 32-bit base: the BSP's sgdt fills it in */
	.word 0
	.long 0
ap_trampoline_end:

	.text
	.code32
ap_entry32:
	movl $GDT_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl ap_boot_cr3, %eax
	movl %eax, %cr3
	movl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $MSR_EFER, %ecx
	movl $EFER_LME, %eax
	xorl %edx, %edx
	wrmsr
	movl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $GDT_CODE64, $ap_entry64

	.code64
ap_entry64:
	/* A stack per arrival slot; an AP beyond the last slot parks without one. */
	movl $1, %eax
	lock xaddl %eax, ap_next_slot(%rip)
	cmpl $SMP_MAX_APS, %eax
	jae ap_park
	movl %eax, %edi
	incl %eax
	shll $AP_STACK_SHIFT, %eax
	leaq ap_stacks(%rip), %rsp
	addq %rax, %rsp
	lidt exception_idt_pointer(%rip)
	call ap_main
ap_park:			/* interrupts stay off: only INIT, NMI or the VM's end wake it */
	cli
	hlt
	jmp ap_park

	.section .data
	.balign 4
	.globl ap_boot_cr3
ap_boot_cr3:			/* the BSP's CR3 (below 4 GiB: the image is at 1 MiB) */
	.long 0
ap_next_slot:
	.long 0

	.section .bss
	.balign 16
ap_stacks:
	.fill SMP_MAX_APS * AP_STACK_SIZE, 1, 0

	.section .note.GNU-stack, "", @progbits
