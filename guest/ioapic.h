/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Interrupts for the virtio checks: IOAPIC redirection entries for the devices' pins (level,
 * active high, as the MP table says), the local APIC (enable, EOI, a one-shot timer for
 * time limits). idt.S has the three stubs: a device interrupt only counts (the waiting code
 * acknowledges the device, then sends the EOI: the line is level-triggered), the timer
 * counts and sends its own EOI, the spurious vector just returns.
 */
#ifndef REFGUEST_IOAPIC_H
#define REFGUEST_IOAPIC_H

#include <stdint.h>

/* Vectors, matching idt.S. */
#define IRQ_VECTOR_DEVICE 0x30
#define IRQ_VECTOR_SPURIOUS 0x3f
#define IRQ_VECTOR_TIMER 0x40

/* Counted by the stubs in idt.S. */
extern volatile uint32_t irq_device_count, irq_timer_count;

/* Software-enables the local APIC, masks LINT0 (the 8259 must not reach us), timer masked. */
void lapic_init(void);
void lapic_eoi(void);
/* One-shot timer: irq_timer_count advances after ms milliseconds (0 stops it). */
void lapic_timer_start(uint32_t ms);
void lapic_timer_stop(void);

/* Pin -> vector, fixed delivery to this CPU, level-triggered, active high, unmasked. */
void ioapic_route_level(unsigned pin, uint8_t vector);
void ioapic_mask(unsigned pin);

static inline void irq_disable(void)
{
	__asm__ volatile("cli" : : : "memory");
}

/* sti's one-instruction shadow covers hlt: an interrupt pending at the sti wakes the hlt
 * instead of slipping in between (no lost wake-up). Returns with interrupts disabled. */
static inline void irq_wait(void)
{
	__asm__ volatile("sti; hlt; cli" : : : "memory");
}

/* Lets a pending interrupt in, without halting. */
static inline void irq_window(void)
{
	__asm__ volatile("sti; nop; cli" : : : "memory");
}

#endif
