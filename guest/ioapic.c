// SPDX-License-Identifier: BSD-2-Clause
#include "ioapic.h"

#include <millivm/abi.h>
#include <millivm/layout.h>

#include "cpu.h"

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REDIR(pin) (0x10 + 2 * (pin))
#define REDIR_MASKED (1u << 16)
#define REDIR_LEVEL (1u << 15)
/* Bit 13 clear: active high. Bits 8-11 clear: fixed delivery, physical destination. */

#define LAPIC_ID 0x20
#define LAPIC_EOI 0xb0
#define LAPIC_SVR 0xf0
#define LAPIC_LVT_TIMER 0x320
#define LAPIC_LVT_LINT0 0x350
#define LAPIC_TIMER_INITIAL 0x380
#define LAPIC_TIMER_DIVIDE 0x3e0
#define SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define DIVIDE_BY_1 0xb

volatile uint32_t irq_device_count, irq_timer_count;
static uint32_t apic_khz;

static void lapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(LAYOUT_LAPIC + reg) = value;
}

static uint32_t lapic_read(unsigned reg)
{
	return *(volatile uint32_t *)(uintptr_t)(LAYOUT_LAPIC + reg);
}

static void ioapic_write(unsigned reg, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(LAYOUT_IOAPIC + IOAPIC_REGSEL) = reg;
	*(volatile uint32_t *)(uintptr_t)(LAYOUT_IOAPIC + IOAPIC_WINDOW) = value;
}

void lapic_init(void)
{
	lapic_write(LAPIC_SVR, SVR_ENABLE | IRQ_VECTOR_SPURIOUS);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_1);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | IRQ_VECTOR_TIMER);
	/* The timing leaf says how fast the timer counts; KVM's is 1 GHz. */
	if (cpuid(CPUID_HV_SIGNATURE).eax >= CPUID_HV_TIMING)
		apic_khz = cpuid(CPUID_HV_TIMING).ebx;
	if (!apic_khz)
		apic_khz = KVM_APIC_BUS_KHZ;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

void lapic_timer_start(uint32_t ms)
{
	uint64_t ticks = (uint64_t)ms * apic_khz;

	lapic_write(LAPIC_LVT_TIMER, IRQ_VECTOR_TIMER); /* one-shot, unmasked */
	lapic_write(LAPIC_TIMER_INITIAL, ticks > UINT32_MAX ? UINT32_MAX : (uint32_t)ticks);
}

void lapic_timer_stop(void)
{
	lapic_write(LAPIC_TIMER_INITIAL, 0);
}

void ioapic_route_level(unsigned pin, uint8_t vector)
{
	uint32_t apic_id = lapic_read(LAPIC_ID) >> 24;

	ioapic_write(IOAPIC_REDIR(pin) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REDIR(pin), REDIR_LEVEL | vector);
}

void ioapic_mask(unsigned pin)
{
	ioapic_write(IOAPIC_REDIR(pin), REDIR_MASKED);
}
