/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Exception handling, so that a stray fault prints a line and exits with a status instead of
 * triple faulting. One 16-byte stub per vector at a fixed address (the linker script puts
 * them at 1 MiB): that lets the IDT be initialised data, with no fill loop at boot.
 * Handlers never return, so no registers are saved.
 */
#define EXCEPTION_STUBS_BASE 0x100000	/* refguest.ld asserts it */
#define EXCEPTION_STUB_SIZE 16
#define EXCEPTION_VECTORS 32
#define GDT_CODE64 0x08
#define GATE_INTERRUPT_DPL0 0x8e

/* Vectors for which the CPU pushes an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.section .text.vectors, "ax"
	.code64
	.globl exception_stubs
exception_stubs:
	.set vector, 0
	.rept EXCEPTION_VECTORS
	.balign EXCEPTION_STUB_SIZE
	.if !HAS_ERROR_CODE(vector)
	pushq $0			/* same frame layout for every vector */
	.endif
	pushq $vector
	jmp exception_common
	.set vector, vector + 1
	.endr

/* Stack: vector, error code, RIP, CS, RFLAGS, RSP, SS (struct exception_frame). */
exception_common:
	movq %rsp, %rdi
	andq $-16, %rsp			/* the C ABI wants 16-byte alignment at the call */
	call exception_report		/* exceptions.c; does not return */
	ud2

	.section .rodata
	.balign 16
exception_idt:
	.set vector, 0
	.rept EXCEPTION_VECTORS
	.set handler, EXCEPTION_STUBS_BASE + vector * EXCEPTION_STUB_SIZE
	.word handler & 0xffff
	.word GDT_CODE64
	.byte 0				/* no IST */
	.byte GATE_INTERRUPT_DPL0
	.word (handler >> 16) & 0xffff
	.long 0				/* handler bits 63:32 */
	.long 0
	.set vector, vector + 1
	.endr
exception_idt_end:

	.balign 8
	.globl exception_idt_pointer
exception_idt_pointer:
	.word exception_idt_end - exception_idt - 1
	.quad exception_idt

	.section .note.GNU-stack, "", @progbits
