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
/* Interrupt vectors and stubs of the virtio checks (ioapic.h has the same vectors). */
#define IRQ_VECTOR_DEVICE 0x30
#define IRQ_VECTOR_SPURIOUS 0x3f
#define IRQ_VECTOR_TIMER 0x40
#define IRQ_STUB_DEVICE_OFFSET (EXCEPTION_VECTORS * EXCEPTION_STUB_SIZE)
#define IRQ_STUB_SPURIOUS_OFFSET (IRQ_STUB_DEVICE_OFFSET + 0x10)
#define IRQ_STUB_TIMER_OFFSET (IRQ_STUB_DEVICE_OFFSET + 0x20)
#define LAPIC_EOI_ADDRESS 0xfee000b0

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

/*
 * Interrupt stubs for the virtio checks (ioapic.h), also at fixed addresses. A device
 * interrupt only counts: its line is level-triggered, so the EOI waits until the waiting code
 * has acknowledged the device. The timer counts and sends its own EOI. They return to the
 * interrupted code (a hlt), flags restored by iretq.
 */
	.org exception_stubs + IRQ_STUB_DEVICE_OFFSET
	incl irq_device_count(%rip)
	iretq
	.org exception_stubs + IRQ_STUB_SPURIOUS_OFFSET
	iretq				/* spurious: no EOI */
	.org exception_stubs + IRQ_STUB_TIMER_OFFSET
	incl irq_timer_count(%rip)
	pushq %rax
	movl $LAPIC_EOI_ADDRESS, %eax
	movl $0, (%rax)
	popq %rax
	iretq

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
	/* Vectors 32 .. IRQ_VECTOR_TIMER: not present but for the three interrupt stubs. */
	.rept IRQ_VECTOR_TIMER + 1 - EXCEPTION_VECTORS
	.if vector == IRQ_VECTOR_DEVICE || vector == IRQ_VECTOR_SPURIOUS || vector == IRQ_VECTOR_TIMER
	.if vector == IRQ_VECTOR_DEVICE
	.set handler, EXCEPTION_STUBS_BASE + IRQ_STUB_DEVICE_OFFSET
	.elseif vector == IRQ_VECTOR_SPURIOUS
	.set handler, EXCEPTION_STUBS_BASE + IRQ_STUB_SPURIOUS_OFFSET
	.else
	.set handler, EXCEPTION_STUBS_BASE + IRQ_STUB_TIMER_OFFSET
	.endif
	.word handler & 0xffff
	.word GDT_CODE64
	.byte 0
	.byte GATE_INTERRUPT_DPL0
	.word (handler >> 16) & 0xffff
	.long 0
	.long 0
	.else
	.quad 0
	.quad 0
	.endif
	.set vector, vector + 1
	.endr
exception_idt_end:

	.balign 8
	.globl exception_idt_pointer
exception_idt_pointer:
	.word exception_idt_end - exception_idt - 1
	.quad exception_idt

	.section .note.GNU-stack, "", @progbits
