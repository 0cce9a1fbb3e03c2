/* SPDX-License-Identifier: BSD-2-Clause */
#include "mptable.h"

#include <string.h>

#include "millivm/abi.h"
#include "millivm/layout.h"

/* Pins 0-23 each get one I/O interrupt entry; two local interrupt entries (ExtINT, NMI). */
#define MP_IO_INTERRUPTS MP_IOAPIC_PINS
#define MP_LOCAL_INTERRUPTS 2

size_t mptable_size(unsigned cpus)
{
	return sizeof(struct mpf_intel) + sizeof(struct mpc_table) +
	       cpus * sizeof(struct mpc_cpu) + sizeof(struct mpc_bus) +
	       sizeof(struct mpc_ioapic) + MP_IO_INTERRUPTS * sizeof(struct mpc_intsrc) +
	       MP_LOCAL_INTERRUPTS * sizeof(struct mpc_lintsrc);
}

uint8_t mptable_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;
	while (len--)
		sum += *p++;
	return (uint8_t)(0 - sum);
}

/* Appends entries to the configuration table, counting them for the header. */
struct mp_writer {
	uint8_t *at;
	uint16_t entries;
};

static void put(struct mp_writer *w, const void *entry, size_t size)
{
	memcpy(w->at, entry, size);
	w->at += size;
	w->entries++;
}

static void put_processors(struct mp_writer *w, const struct mptable_config *cfg)
{
	for (unsigned id = 0; id < cfg->cpus; id++) {
		struct mpc_cpu cpu = {
			.type = MP_PROCESSOR,
			.apicid = (uint8_t)id,
			.apicver = MP_LAPIC_VERSION,
			.cpuflag = MP_CPU_ENABLED | (id == 0 ? MP_CPU_BSP : 0),
			.cpufeature = cfg->cpu_signature,
			.featureflag = cfg->cpu_features,
		};
		put(w, &cpu, sizeof(cpu));
	}
}

/*
 * The MP specification's default layout (its table 5-2), extended to 24 pins: the 8259's
 * output on pin 0 as ExtINT, the timer (IRQ 0) on pin 2, IRQ n on pin n otherwise. The
 * monitor's KVM GSI routing matches this. Virtio IRQs are level-triggered, active-high,
 * stated explicitly because NetBSD registers them as level on pin == IRQ.
 */
static void put_io_interrupts(struct mp_writer *w, const struct mptable_config *cfg,
			      uint8_t ioapic_id)
{
	for (unsigned pin = 0; pin < MP_IOAPIC_PINS; pin++) {
		struct mpc_intsrc e = {
			.type = MP_INTSRC,
			.irqtype = MP_INT,
			.irqflag = MP_IRQPOL_DEFAULT | MP_IRQTRIG_DEFAULT,
			.srcbus = MP_ISA_BUS_ID,
			.srcbusirq = (uint8_t)pin,
			.dstapic = ioapic_id,
			.dstirq = (uint8_t)pin,
		};
		if (pin == 0) {
			e.irqtype = MP_EXTINT;
		} else if (pin == 2) {
			e.srcbusirq = 0;
		} else if (cfg->level_irqs & (1u << pin)) {
			e.irqflag = MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_LEVEL;
		}
		put(w, &e, sizeof(e));
	}
}

static void put_local_interrupts(struct mp_writer *w)
{
	static const uint8_t kinds[MP_LOCAL_INTERRUPTS] = { MP_EXTINT, MP_NMI };
	for (uint8_t lint = 0; lint < MP_LOCAL_INTERRUPTS; lint++) {
		struct mpc_lintsrc e = {
			.type = MP_LINTSRC,
			.irqtype = kinds[lint],
			.irqflag = MP_IRQPOL_DEFAULT | MP_IRQTRIG_DEFAULT,
			.srcbusid = MP_ISA_BUS_ID,
			.srcbusirq = 0,
			.destapic = MP_APIC_ALL,
			.destapiclint = lint,
		};
		put(w, &e, sizeof(e));
	}
}

size_t mptable_build(uint8_t *buf, size_t buf_size, uint32_t base_gpa,
		     const struct mptable_config *cfg)
{
	if (cfg->cpus == 0 || cfg->cpus > MPTABLE_MAX_CPUS)
		return 0;
	size_t total = mptable_size(cfg->cpus);
	if (buf_size < total)
		return 0;
	memset(buf, 0, total);

	struct mpf_intel *mpf = (struct mpf_intel *)buf;
	struct mpc_table *mpc = (struct mpc_table *)(buf + sizeof(*mpf));
	uint8_t ioapic_id = (uint8_t)cfg->cpus;
	struct mp_writer w = { .at = (uint8_t *)(mpc + 1), .entries = 0 };

	put_processors(&w, cfg);
	struct mpc_bus bus = { .type = MP_BUS, .busid = MP_ISA_BUS_ID, .bustype = "ISA   " };
	put(&w, &bus, sizeof(bus));
	struct mpc_ioapic ioapic = { .type = MP_IOAPIC, .apicid = ioapic_id,
				     .apicver = MP_IOAPIC_VERSION, .flags = MP_IOAPIC_USABLE,
				     .apicaddr = (uint32_t)LAYOUT_IOAPIC };
	put(&w, &ioapic, sizeof(ioapic));
	put_io_interrupts(&w, cfg, ioapic_id);
	put_local_interrupts(&w);

	memcpy(mpc->signature, MPC_SIGNATURE, 4);
	mpc->length = (uint16_t)(w.at - (uint8_t *)mpc);
	mpc->spec = MPC_SPEC_REVISION;
	memcpy(mpc->oem, "MILLIVM ", 8);
	memcpy(mpc->productid, "MICROVM     ", 12);
	mpc->oemcount = w.entries;
	mpc->lapic = (uint32_t)LAYOUT_LAPIC;
	mpc->checksum = mptable_checksum(mpc, mpc->length);

	memcpy(mpf->signature, MPF_SIGNATURE, 4);
	mpf->physptr = base_gpa + (uint32_t)sizeof(*mpf);
	mpf->length = 1;
	mpf->specification = MPC_SPEC_REVISION;
	mpf->checksum = mptable_checksum(mpf, sizeof(*mpf));
	return total;
}
