/* SPDX-License-Identifier: BSD-2-Clause */
#include "acpi.h"

#include <stdio.h>
#include <string.h>

#include "millivm/abi.h"
#include "millivm/layout.h"
#include "x86/aml.h"

#define OEM_ID "MILLVM"         /* 6 characters */
#define OEM_TABLE_ID "MICROVM " /* 8 */
#define OEM_REVISION 1
#define CREATOR_ID "MLVM"       /* 4 */
#define CREATOR_REVISION 1
#define TABLE_ALIGN 16
#define XSDT_ENTRIES 2          /* FADT, MADT; the DSDT hangs off the FADT */
#define NMI_LINT 1
#define TIMER_IRQ 0
#define TIMER_GSI 2
#define ISA_IRQS 16
#define KBD_IRQ 1
#define COM1_PORTS 8

_Static_assert(ACPI_MAX_DEVICES == LAYOUT_VIRTIO_MMIO_MAX, "one ACPI device per window");
_Static_assert(ACPI_MAX_IRQ + 1 == MP_IOAPIC_PINS, "GSIs are the IOAPIC's pins");

uint8_t acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;
	while (len--)
		sum += *p++;
	return (uint8_t)(0 - sum);
}

static size_t align_up(size_t n)
{
	return (n + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);
}

static void fill_header(struct acpi_header *h, const char *signature, uint32_t length,
			uint8_t revision)
{
	memcpy(h->signature, signature, 4);
	h->length = length;
	h->revision = revision;
	memcpy(h->oem_id, OEM_ID, 6);
	memcpy(h->oem_table_id, OEM_TABLE_ID, 8);
	h->oem_revision = OEM_REVISION;
	memcpy(h->creator_id, CREATOR_ID, 4);
	h->creator_revision = CREATOR_REVISION;
}

/* The header's checksum, once the table's bytes are final. */
static void seal(uint8_t *table)
{
	struct acpi_header *h = (struct acpi_header *)table;
	h->checksum = 0;
	h->checksum = acpi_checksum(table, h->length);
}

/* ISA IRQs with a level-triggered, active-high override: the VM's and every device's. */
static uint32_t level_overrides(const struct acpi_config *cfg)
{
	uint32_t irqs = cfg->level_irqs;
	for (unsigned i = 0; i < cfg->ndevices; i++)
		irqs |= 1u << cfg->devices[i].irq;
	irqs &= (1u << ISA_IRQS) - 1;
	irqs &= ~(1u << TIMER_IRQ | 1u << TIMER_GSI); /* the timer and the cascade: not devices */
	return irqs;
}

static size_t madt_size(const struct acpi_config *cfg)
{
	return sizeof(struct acpi_madt) + cfg->cpus * sizeof(struct acpi_madt_lapic) +
	       sizeof(struct acpi_madt_ioapic) +
	       (1 + (size_t)__builtin_popcount(level_overrides(cfg))) *
		       sizeof(struct acpi_madt_override) +
	       sizeof(struct acpi_madt_lapic_nmi);
}

static void put(uint8_t **at, const void *entry, size_t size)
{
	memcpy(*at, entry, size);
	*at += size;
}

static void build_madt(uint8_t *table, const struct acpi_config *cfg)
{
	struct acpi_madt *madt = (struct acpi_madt *)table;
	uint8_t *at = table + sizeof(*madt);
	uint8_t ioapic_id = (uint8_t)cfg->cpus;

	for (unsigned id = 0; id < cfg->cpus; id++) {
		struct acpi_madt_lapic e = { .type = ACPI_MADT_LAPIC, .length = sizeof(e),
					     .processor_uid = (uint8_t)id, .apic_id = (uint8_t)id,
					     .flags = ACPI_MADT_LAPIC_ENABLED };
		put(&at, &e, sizeof(e));
	}
	struct acpi_madt_ioapic io = { .type = ACPI_MADT_IOAPIC, .length = sizeof(io),
				       .ioapic_id = ioapic_id, .address = (uint32_t)LAYOUT_IOAPIC,
				       .gsi_base = 0 };
	put(&at, &io, sizeof(io));
	/*
	 * The timer (IRQ 0) on pin 2, as in the MP table. Edge, active high, said explicitly:
	 * the FADT's SCI_INT is 0 (no SCI), and Linux takes an override of IRQ 0 for the SCI's,
	 * whose "conforming" means level, active low.
	 */
	struct acpi_madt_override timer = { .type = ACPI_MADT_OVERRIDE, .length = sizeof(timer),
					    .bus = MP_ISA_BUS_ID, .source = TIMER_IRQ,
					    .gsi = TIMER_GSI,
					    .flags = MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_EDGE };
	put(&at, &timer, sizeof(timer));
	uint32_t level = level_overrides(cfg);
	for (unsigned irq = 0; irq < ISA_IRQS; irq++) {
		if (!(level & (1u << irq)))
			continue;
		struct acpi_madt_override e = { .type = ACPI_MADT_OVERRIDE, .length = sizeof(e),
						.bus = MP_ISA_BUS_ID, .source = (uint8_t)irq,
						.gsi = irq,
						.flags = MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_LEVEL };
		put(&at, &e, sizeof(e));
	}
	struct acpi_madt_lapic_nmi nmi = { .type = ACPI_MADT_LAPIC_NMI, .length = sizeof(nmi),
					   .processor_uid = ACPI_MADT_ALL_PROCESSORS,
					   .flags = MP_IRQPOL_DEFAULT | MP_IRQTRIG_DEFAULT,
					   .lint = NMI_LINT };
	put(&at, &nmi, sizeof(nmi));

	fill_header(&madt->header, "APIC", (uint32_t)(at - table), ACPI_MADT_REVISION);
	madt->lapic_address = (uint32_t)LAYOUT_LAPIC;
	madt->flags = ACPI_MADT_PCAT_COMPAT;
}

static struct acpi_gas io_port(uint16_t port)
{
	return (struct acpi_gas){ .space_id = ACPI_GAS_SYSTEM_IO, .bit_width = 8,
				  .access_size = ACPI_GAS_ACCESS_BYTE, .address = port };
}

static void build_fadt(uint8_t *table, uint64_t dsdt_gpa, const struct acpi_config *cfg)
{
	struct acpi_fadt *f = (struct acpi_fadt *)table;
	fill_header(&f->header, "FACP", sizeof(*f), ACPI_FADT_REVISION);
	f->minor_version = ACPI_FADT_MINOR_REVISION;
	f->dsdt = (uint32_t)dsdt_gpa; /* both, equal: older readers take the 32-bit one */
	f->x_dsdt = dsdt_gpa;
	/* No fixed-feature buttons, no SCI, no PM1/GPE blocks: the hardware-reduced profile. */
	f->flags = ACPI_FADT_HW_REDUCED | ACPI_FADT_RESET_REG_SUP | ACPI_FADT_PWR_BUTTON |
		   ACPI_FADT_SLP_BUTTON;
	f->iapc_boot_arch = ACPI_IAPC_VGA_NOT_PRESENT | ACPI_IAPC_MSI_NOT_SUPPORTED |
			    ACPI_IAPC_CMOS_RTC_NOT_PRESENT | (cfg->i8042 ? ACPI_IAPC_8042 : 0) |
			    (cfg->com1 || cfg->i8042 ? ACPI_IAPC_LEGACY_DEVICES : 0);
	f->reset_reg = io_port(ACPI_RESET_PORT);
	f->reset_value = ACPI_RESET_VALUE;
	f->sleep_control_reg = io_port(ACPI_SLEEP_CONTROL_PORT);
	f->sleep_status_reg = io_port(ACPI_SLEEP_STATUS_PORT);
}

/* One virtio-mmio device: Device (VRii) { _HID "LNRO0005", _UID i, _CRS { window, IRQ } } */
static void put_device(struct aml *a, unsigned index, const struct acpi_device *d)
{
	char name[8];
	snprintf(name, sizeof(name), "VR%02X", index & 0xffu);
	uint8_t crs[AML_RES_MEMORY32_FIXED_SIZE + AML_RES_INTERRUPT_SIZE + AML_RES_END_SIZE];
	aml_res_memory32_fixed(crs, true, (uint32_t)d->base, (uint32_t)d->size);
	aml_res_interrupt(crs + AML_RES_MEMORY32_FIXED_SIZE, true, false, d->irq);
	aml_res_end(crs + AML_RES_MEMORY32_FIXED_SIZE + AML_RES_INTERRUPT_SIZE);

	size_t dev = aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, index);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, sizeof(crs));
	aml_end(a, dev);
}

/* COM1: Device (COM1) { _HID PNP0501, _UID 0, _CRS { IO 0x3f8-0x3ff, IRQ 4 } } */
static void put_com1(struct aml *a)
{
	uint8_t crs[AML_RES_IO_SIZE + AML_RES_IRQ_NOFLAGS_SIZE + AML_RES_END_SIZE];
	aml_res_io(crs, COM1_PORT, COM1_PORTS);
	aml_res_irq_noflags(crs + AML_RES_IO_SIZE, COM1_IRQ);
	aml_res_end(crs + AML_RES_IO_SIZE + AML_RES_IRQ_NOFLAGS_SIZE);
	size_t dev = aml_device_begin(a, "COM1");
	aml_name(a, "_HID");
	aml_eisa_id(a, "PNP0501");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, sizeof(crs));
	aml_end(a, dev);
}

/* The i8042's keyboard port: Device (PS2K) { _HID PNP0303, _CRS { IO 0x60, IO 0x64, IRQ 1 } } */
static void put_i8042(struct aml *a)
{
	uint8_t crs[2 * AML_RES_IO_SIZE + AML_RES_IRQ_NOFLAGS_SIZE + AML_RES_END_SIZE];
	aml_res_io(crs, I8042_DATA_PORT, 1);
	aml_res_io(crs + AML_RES_IO_SIZE, I8042_COMMAND_PORT, 1);
	aml_res_irq_noflags(crs + 2 * AML_RES_IO_SIZE, KBD_IRQ);
	aml_res_end(crs + 2 * AML_RES_IO_SIZE + AML_RES_IRQ_NOFLAGS_SIZE);
	size_t dev = aml_device_begin(a, "PS2K");
	aml_name(a, "_HID");
	aml_eisa_id(a, "PNP0303");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_buffer(a, crs, sizeof(crs));
	aml_end(a, dev);
}

/* The DSDT's body (after the header): \_S5 for power-off, then the devices under \_SB. */
static size_t build_dsdt_aml(uint8_t *buf, size_t cap, const struct acpi_config *cfg)
{
	struct aml a;
	aml_init(&a, buf, cap);
	/* SLP_TYPa, SLP_TYPb (unused without PM1b), two reserved */
	aml_name(&a, "\\_S5");
	size_t pkg = aml_package_begin(&a, 4);
	aml_integer(&a, ACPI_S5_SLP_TYP);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a, pkg);

	size_t sb = aml_scope_begin(&a, "\\_SB");
	if (cfg->com1)
		put_com1(&a);
	if (cfg->i8042)
		put_i8042(&a);
	for (unsigned i = 0; i < cfg->ndevices; i++)
		put_device(&a, i, &cfg->devices[i]);
	aml_end(&a, sb);
	return a.error ? 0 : a.len;
}

static bool config_ok(const struct acpi_config *cfg, uint64_t base_gpa)
{
	if (cfg->cpus == 0 || cfg->cpus > ACPI_MAX_CPUS || cfg->ndevices > ACPI_MAX_DEVICES ||
	    (cfg->ndevices && !cfg->devices) || (base_gpa & (TABLE_ALIGN - 1)) ||
	    base_gpa >= LAYOUT_MMIO_HOLE_END)
		return false;
	for (unsigned i = 0; i < cfg->ndevices; i++) {
		const struct acpi_device *d = &cfg->devices[i];
		if (d->irq > ACPI_MAX_IRQ || d->size == 0 || d->size > LAYOUT_MMIO_HOLE_END ||
		    d->base > LAYOUT_MMIO_HOLE_END - d->size)
			return false;
	}
	return true;
}

size_t acpi_build(uint8_t *buf, size_t buf_size, uint64_t base_gpa,
		  const struct acpi_config *cfg, struct acpi_layout *layout)
{
	if (!config_ok(cfg, base_gpa))
		return 0;
	struct acpi_layout l = { .table = {
		[ACPI_TABLE_RSDP] = { "rsdp", 0, sizeof(struct acpi_rsdp) },
		[ACPI_TABLE_XSDT] = { "xsdt", 0, sizeof(struct acpi_header) + XSDT_ENTRIES * 8 },
		[ACPI_TABLE_FADT] = { "facp", 0, sizeof(struct acpi_fadt) },
		[ACPI_TABLE_MADT] = { "apic", 0, madt_size(cfg) },
		[ACPI_TABLE_DSDT] = { "dsdt", 0, 0 },
	} };
	size_t at = 0;
	for (int t = ACPI_TABLE_RSDP; t < ACPI_TABLE_DSDT; t++) {
		l.table[t].offset = at;
		at = align_up(at + l.table[t].length);
	}
	/* The DSDT goes last: its length is known once the AML is written. */
	size_t dsdt = at;
	if (buf_size < dsdt + sizeof(struct acpi_header))
		return 0;
	memset(buf, 0, dsdt + sizeof(struct acpi_header));
	size_t aml_len = build_dsdt_aml(buf + dsdt + sizeof(struct acpi_header),
					buf_size - dsdt - sizeof(struct acpi_header), cfg);
	if (aml_len == 0)
		return 0;
	l.table[ACPI_TABLE_DSDT].offset = dsdt;
	l.table[ACPI_TABLE_DSDT].length = sizeof(struct acpi_header) + aml_len;
	l.total = dsdt + l.table[ACPI_TABLE_DSDT].length;
	if (base_gpa + l.total > LAYOUT_MMIO_HOLE_END)
		return 0;

#define GPA(t) (base_gpa + l.table[t].offset)
	struct acpi_header *dsdt_h = (struct acpi_header *)(buf + dsdt);
	fill_header(dsdt_h, "DSDT", (uint32_t)l.table[ACPI_TABLE_DSDT].length, ACPI_DSDT_REVISION);
	seal(buf + dsdt);

	build_madt(buf + l.table[ACPI_TABLE_MADT].offset, cfg);
	seal(buf + l.table[ACPI_TABLE_MADT].offset);

	build_fadt(buf + l.table[ACPI_TABLE_FADT].offset, GPA(ACPI_TABLE_DSDT), cfg);
	seal(buf + l.table[ACPI_TABLE_FADT].offset);

	uint8_t *xsdt = buf + l.table[ACPI_TABLE_XSDT].offset;
	fill_header((struct acpi_header *)xsdt, "XSDT", (uint32_t)l.table[ACPI_TABLE_XSDT].length,
		    ACPI_XSDT_REVISION);
	uint64_t entries[XSDT_ENTRIES] = { GPA(ACPI_TABLE_FADT), GPA(ACPI_TABLE_MADT) };
	memcpy(xsdt + sizeof(struct acpi_header), entries, sizeof(entries)); /* little-endian */
	seal(xsdt);

	struct acpi_rsdp *rsdp = (struct acpi_rsdp *)buf;
	memcpy(rsdp->signature, ACPI_RSDP_SIGNATURE, 8);
	memcpy(rsdp->oem_id, OEM_ID, 6);
	rsdp->revision = ACPI_RSDP_REVISION;
	rsdp->length = sizeof(*rsdp);
	rsdp->xsdt_address = GPA(ACPI_TABLE_XSDT);
	rsdp->checksum = acpi_checksum(rsdp, ACPI_RSDP_V1_LENGTH);
	rsdp->extended_checksum = acpi_checksum(rsdp, sizeof(*rsdp));
#undef GPA

	if (layout)
		*layout = l;
	return l.total;
}
