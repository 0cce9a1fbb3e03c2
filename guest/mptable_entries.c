// SPDX-License-Identifier: BSD-2-Clause
/* One pass over the MP table's entries against design.md section 4. */
#include <millivm/layout.h>
#include <stddef.h>

#include "mptable.h"
#include "strings.h"

#define ALL_PINS ((1u << MP_IOAPIC_PINS) - 1)
#define IRQ0_PIN 2 /* the PIT's IRQ 0 arrives at IOAPIC pin 2 */
#define LEVEL_ACTIVE_HIGH (MP_IRQTRIG_LEVEL | MP_IRQPOL_ACTIVE_HIGH)
#define IRQFLAG_MASK 0xf
#define MP_LINT0 0
#define MP_LINT1 1

static void note(struct mp_problem *p, int entry, const char *what, uint32_t got)
{
	if (p->what)
		return;
	*p = (struct mp_problem){ .what = what, .entry = entry, .got = got };
}

static void note_expected(struct mp_problem *p, int entry, const char *what, uint32_t got,
			  uint32_t expected)
{
	if (p->what)
		return;
	*p = (struct mp_problem){ .what = what, .entry = entry, .has_expected = true,
				  .got = got, .expected = expected };
}

static void inspect_cpu(struct mp_inspection *in, int entry, const struct mpc_cpu *cpu)
{
	uint32_t index = in->cpus_seen++;
	uint8_t bsp = index == 0 ? MP_CPU_BSP : 0;

	if (cpu->apicid != index)
		note_expected(&in->cpus, entry, "APIC id", cpu->apicid, index);
	else if (!(cpu->cpuflag & MP_CPU_ENABLED))
		note(&in->cpus, entry, "processor not enabled, flags", cpu->cpuflag);
	else if ((cpu->cpuflag & MP_CPU_BSP) != bsp)
		note_expected(&in->cpus, entry, "BSP flag", cpu->cpuflag & MP_CPU_BSP, bsp);
	else if (cpu->apicver != MP_LAPIC_VERSION)
		note_expected(&in->cpus, entry, "local APIC version", cpu->apicver,
			      MP_LAPIC_VERSION);
	else if (cpu->cpufeature != in->cpu_signature)
		note_expected(&in->cpus, entry, "CPU signature (CPUID 1 EAX)", cpu->cpufeature,
			      in->cpu_signature);
}

static void inspect_bus(struct mp_inspection *in, const struct mpc_bus *bus)
{
	if (memcmp(bus->bustype, "ISA   ", sizeof(bus->bustype)) == 0 &&
	    bus->busid == MP_ISA_BUS_ID)
		in->isa_buses++;
}

static void inspect_ioapic(struct mp_inspection *in, int entry, const struct mpc_ioapic *io)
{
	if (in->ioapics_seen++)
		return; /* the count is checked at the end */
	in->first_ioapic = io;
	if (io->apicaddr != LAYOUT_IOAPIC)
		note_expected(&in->ioapic, entry, "address", io->apicaddr, (uint32_t)LAYOUT_IOAPIC);
	else if (io->apicid != in->expect_cpus)
		note_expected(&in->ioapic, entry, "IOAPIC id (= vCPU count)", io->apicid,
			      in->expect_cpus);
	else if (io->apicver != MP_IOAPIC_VERSION)
		note_expected(&in->ioapic, entry, "version", io->apicver, MP_IOAPIC_VERSION);
	else if (!(io->flags & MP_IOAPIC_USABLE))
		note(&in->ioapic, entry, "not marked usable, flags", io->flags);
}

/*
 * design.md: an entry for every IOAPIC pin 0-23 from the ISA bus. Pin 0 takes the 8259's
 * output (ExtINT, source IRQ 0), pin 2 the timer's IRQ 0, pin n IRQ n otherwise (so there is
 * no entry for IRQ 2, the cascade): the MP specification's default layout, on 24 pins.
 */
static void inspect_intsrc(struct mp_inspection *in, int entry, const struct mpc_intsrc *src)
{
	uint32_t pin = src->dstirq;
	uint32_t irq = pin == IRQ0_PIN ? 0 : pin;

	if (src->srcbus != MP_ISA_BUS_ID)
		note_expected(&in->irqs, entry, "source bus", src->srcbus, MP_ISA_BUS_ID);
	else if (src->dstapic != in->expect_cpus && src->dstapic != MP_APIC_ALL)
		note_expected(&in->irqs, entry, "destination IOAPIC", src->dstapic,
			      in->expect_cpus);
	else if (pin >= MP_IOAPIC_PINS)
		note(&in->irqs, entry, "IOAPIC pin out of range", pin);
	else if (in->pins_seen & (1u << pin))
		note(&in->irqs, entry, "second entry for IOAPIC pin", pin);
	else if (src->irqtype != (pin == 0 ? MP_EXTINT : MP_INT))
		note_expected(&in->irqs, entry, "interrupt type", src->irqtype,
			      pin == 0 ? MP_EXTINT : MP_INT);
	else if (src->srcbusirq != irq)
		note_expected(&in->irqs, entry, "ISA IRQ for its pin", src->srcbusirq, irq);
	else if (pin != 0 && (in->virtio_irqs & (1u << irq)) &&
		 (src->irqflag & IRQFLAG_MASK) != LEVEL_ACTIVE_HIGH)
		note_expected(&in->irqs, entry, "virtio IRQ flags (level, active high)",
			      src->irqflag, LEVEL_ACTIVE_HIGH);
	if (pin < MP_IOAPIC_PINS)
		in->pins_seen |= 1u << pin;
}

static void inspect_lintsrc(struct mp_inspection *in, int entry, const struct mpc_lintsrc *l)
{
	if (l->destapic != MP_APIC_ALL && l->destapic >= in->expect_cpus) {
		note(&in->lints, entry, "destination local APIC", l->destapic);
	} else if (l->irqtype == MP_EXTINT) {
		if (l->destapiclint != MP_LINT0)
			note_expected(&in->lints, entry, "ExtINT on LINT", l->destapiclint, MP_LINT0);
		in->extint_on_lint0 |= l->destapiclint == MP_LINT0;
	} else if (l->irqtype == MP_NMI) {
		if (l->destapiclint != MP_LINT1)
			note_expected(&in->lints, entry, "NMI on LINT", l->destapiclint, MP_LINT1);
		in->nmi_on_lint1 |= l->destapiclint == MP_LINT1;
	} else {
		note(&in->lints, entry, "local interrupt type", l->irqtype);
	}
}

static size_t entry_size(uint8_t type)
{
	switch (type) {
	case MP_PROCESSOR: return sizeof(struct mpc_cpu);
	case MP_BUS: return sizeof(struct mpc_bus);
	case MP_IOAPIC: return sizeof(struct mpc_ioapic);
	case MP_INTSRC: return sizeof(struct mpc_intsrc);
	case MP_LINTSRC: return sizeof(struct mpc_lintsrc);
	default: return 0;
	}
}

/* The whole-table conclusions, once every entry was seen. */
static void finish(struct mp_inspection *in, const struct mpc_table *table)
{
	uint32_t missing = ALL_PINS & ~in->pins_seen;

	if (in->entries != table->oemcount)
		note_expected(&in->config, -1, "entry count in the header",
			      table->oemcount, in->entries);
	if (in->cpus_seen != in->expect_cpus)
		note_expected(&in->cpus, -1, "processor entries", in->cpus_seen, in->expect_cpus);
	if (in->isa_buses != 1)
		note_expected(&in->bus, -1, "ISA bus entries with id 0", in->isa_buses, 1);
	if (in->ioapics_seen != 1)
		note_expected(&in->ioapic, -1, "IOAPIC entries", in->ioapics_seen, 1);
	if (missing)
		note(&in->irqs, -1, "no I/O interrupt entry for IOAPIC pin",
		     (uint32_t)__builtin_ctz(missing));
	if (!in->extint_on_lint0)
		note(&in->lints, -1, "no ExtINT entry on LINT0, entries", in->entries);
	else if (!in->nmi_on_lint1)
		note(&in->lints, -1, "no NMI entry on LINT1, entries", in->entries);
}

void mp_inspect_entries(const struct mpc_table *table, struct mp_inspection *in)
{
	const uint8_t *p = (const uint8_t *)(table + 1);
	const uint8_t *end = (const uint8_t *)table + table->length;
	uint8_t previous_type = 0;

	for (int i = 0; p < end; i++) {
		size_t size = entry_size(*p);

		if (!size) {
			note(&in->config, i, "unknown entry type", *p);
			break;
		}
		if ((size_t)(end - p) < size) {
			note(&in->config, i, "entry runs past the table length, type", *p);
			break;
		}
		if (*p < previous_type)
			note(&in->config, i, "entries not sorted by type, type", *p);
		previous_type = *p;
		in->entries++;
		switch (*p) {
		case MP_PROCESSOR: inspect_cpu(in, i, (const struct mpc_cpu *)p); break;
		case MP_BUS: inspect_bus(in, (const struct mpc_bus *)p); break;
		case MP_IOAPIC: inspect_ioapic(in, i, (const struct mpc_ioapic *)p); break;
		case MP_INTSRC: inspect_intsrc(in, i, (const struct mpc_intsrc *)p); break;
		case MP_LINTSRC: inspect_lintsrc(in, i, (const struct mpc_lintsrc *)p); break;
		}
		p += size;
	}
	finish(in, table);
}
