/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The ACPI tables (src/x86/acpi.c) read back the way a kernel reads them: the RSDP's two
 * checksums, the XSDT's pointers, every table's signature, length and checksum, the FADT's
 * hardware-reduced registers, the MADT's entries for 1-254 CPUs, and the DSDT's devices found
 * by walking the AML (Scope, Device, Name, Buffer, PkgLength). Then the AML emitter's
 * encodings, and the power-off/reset ports (src/devices/acpi_pm.c) with a VM that has no KVM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/options.h"
#include "core/vm.h"
#include "devices/platform.h"
#include "millivm/abi.h"
#include "millivm/layout.h"
#include "x86/acpi.h"
#include "x86/aml.h"

#define BASE 0xe0000ull
#define BUF_SIZE (128 * 1024)

static uint8_t buf[BUF_SIZE];

static uint8_t sum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t s = 0;
	while (len--)
		s += *p++;
	return s;
}

/* The table at gpa, after checking it lies in what was built. */
static const uint8_t *at_gpa(uint64_t gpa, size_t total, size_t len)
{
	assert_true(gpa >= BASE);
	assert_true(gpa - BASE + len <= total);
	return buf + (gpa - BASE);
}

/* A table's header: signature, length inside the build, checksum. */
static const struct acpi_header *table(uint64_t gpa, size_t total, const char *signature)
{
	const struct acpi_header *h = (const void *)at_gpa(gpa, total, sizeof(*h));
	assert_memory_equal(h->signature, signature, 4);
	at_gpa(gpa, total, h->length);
	assert_int_equal(sum(h, h->length), 0);
	assert_memory_equal(h->oem_id, "MILLVM", 6);
	return h;
}

static const struct acpi_device three_devices[] = {
	{ 0xfeb00000, 0x200, 5 },
	{ 0xfeb00200, 0x200, 6 },
	{ 0xfeb00400, 0x200, 17 }, /* above the ISA IRQs: no override */
};

static size_t build(unsigned cpus, const struct acpi_device *devs, unsigned n,
		    uint32_t level_irqs, struct acpi_layout *l)
{
	struct acpi_config cfg = { .cpus = cpus, .devices = devs, .ndevices = n,
				   .level_irqs = level_irqs, .com1 = true, .i8042 = true };
	memset(buf, 0xa5, sizeof(buf)); /* padding must not matter, stale bytes must not leak */
	size_t total = acpi_build(buf, sizeof(buf), BASE, &cfg, l);
	assert_true(total > 0);
	return total;
}

/* Follow RSDP -> XSDT -> tables; returns the XSDT entry with this signature. */
static uint64_t find_table(size_t total, const char *signature)
{
	const struct acpi_rsdp *rsdp = (const void *)buf;
	const struct acpi_header *xsdt = table(rsdp->xsdt_address, total, "XSDT");
	size_t n = (xsdt->length - sizeof(*xsdt)) / 8;
	for (size_t i = 0; i < n; i++) {
		uint64_t gpa;
		memcpy(&gpa, (const uint8_t *)xsdt + sizeof(*xsdt) + 8 * i, 8);
		const struct acpi_header *h = (const void *)at_gpa(gpa, total, sizeof(*h));
		if (memcmp(h->signature, signature, 4) == 0)
			return gpa;
	}
	fail_msg("no %s in the XSDT", signature);
	return 0;
}

static void test_rsdp(void **state)
{
	(void)state;
	struct acpi_layout l;
	size_t total = build(1, three_devices, 3, 0x60, &l);
	const struct acpi_rsdp *rsdp = (const void *)buf;
	assert_int_equal(l.table[ACPI_TABLE_RSDP].offset, 0);
	assert_memory_equal(rsdp->signature, "RSD PTR ", 8);
	assert_int_equal(sum(rsdp, ACPI_RSDP_V1_LENGTH), 0);
	assert_int_equal(sum(rsdp, sizeof(*rsdp)), 0);
	assert_int_equal(rsdp->revision, 2);
	assert_int_equal(rsdp->length, 36);
	assert_int_equal(rsdp->rsdt_address, 0);
	assert_int_equal(rsdp->xsdt_address, BASE + l.table[ACPI_TABLE_XSDT].offset);
	assert_int_equal(rsdp->xsdt_address % 8, 0);
	assert_int_equal(l.total, total);
}

static void test_xsdt(void **state)
{
	(void)state;
	struct acpi_layout l;
	size_t total = build(2, three_devices, 3, 0x60, &l);
	const struct acpi_rsdp *rsdp = (const void *)buf;
	const struct acpi_header *xsdt = table(rsdp->xsdt_address, total, "XSDT");
	assert_int_equal(xsdt->length, 36 + 2 * 8);
	assert_int_equal(xsdt->revision, 1);
	assert_int_equal(find_table(total, "FACP"), BASE + l.table[ACPI_TABLE_FADT].offset);
	assert_int_equal(find_table(total, "APIC"), BASE + l.table[ACPI_TABLE_MADT].offset);
	table(find_table(total, "FACP"), total, "FACP");
	table(find_table(total, "APIC"), total, "APIC");
	/* Every table the layout names is where it says, with its length. */
	for (int t = ACPI_TABLE_XSDT; t < ACPI_TABLES; t++) {
		const struct acpi_header *h = (const void *)(buf + l.table[t].offset);
		assert_int_equal(h->length, l.table[t].length);
		assert_int_equal(sum(h, h->length), 0);
		assert_int_equal(l.table[t].offset % 16, 0);
	}
}

static void assert_io_gas(const struct acpi_gas *g, uint16_t port)
{
	assert_int_equal(g->space_id, ACPI_GAS_SYSTEM_IO);
	assert_int_equal(g->bit_width, 8);
	assert_int_equal(g->bit_offset, 0);
	assert_int_equal(g->access_size, ACPI_GAS_ACCESS_BYTE);
	assert_int_equal(g->address, port);
}

static void test_fadt(void **state)
{
	(void)state;
	struct acpi_layout l;
	size_t total = build(1, three_devices, 3, 0x60, &l);
	const struct acpi_fadt *f = (const void *)table(find_table(total, "FACP"), total, "FACP");
	assert_int_equal(f->header.length, 276);
	assert_int_equal(f->header.revision, 6);
	assert_int_equal(f->minor_version, 3);
	assert_int_equal(f->flags & ACPI_FADT_HW_REDUCED, ACPI_FADT_HW_REDUCED);
	assert_int_equal(f->flags & ACPI_FADT_RESET_REG_SUP, ACPI_FADT_RESET_REG_SUP);
	assert_int_equal(f->iapc_boot_arch & ACPI_IAPC_8042, ACPI_IAPC_8042);
	assert_int_equal(f->iapc_boot_arch & ACPI_IAPC_CMOS_RTC_NOT_PRESENT,
			 ACPI_IAPC_CMOS_RTC_NOT_PRESENT);
	/* Hardware-reduced: no SCI, no FACS, no fixed PM blocks. */
	assert_int_equal(f->sci_int, 0);
	assert_int_equal(f->firmware_ctrl, 0);
	assert_int_equal(f->x_firmware_ctrl, 0);
	assert_int_equal(f->pm1a_cnt_blk, 0);
	assert_int_equal(f->pm1a_evt_blk, 0);
	assert_int_equal(f->pm_tmr_blk, 0);
	assert_int_equal(f->x_pm1a_cnt_blk.address, 0);
	/* Power off and reset through our ports. */
	assert_io_gas(&f->sleep_control_reg, ACPI_SLEEP_CONTROL_PORT);
	assert_io_gas(&f->sleep_status_reg, ACPI_SLEEP_STATUS_PORT);
	assert_io_gas(&f->reset_reg, ACPI_RESET_PORT);
	assert_int_equal(f->reset_value, ACPI_RESET_VALUE);
	/* The DSDT, both pointers equal. */
	assert_int_equal(f->x_dsdt, f->dsdt);
	assert_int_equal(f->x_dsdt, BASE + l.table[ACPI_TABLE_DSDT].offset);
	const struct acpi_header *dsdt = table(f->x_dsdt, total, "DSDT");
	assert_int_equal(dsdt->revision, 2);
	assert_int_equal(l.table[ACPI_TABLE_DSDT].offset + dsdt->length, total);
}

struct madt_seen {
	unsigned lapics, ioapics, nmis, overrides;
	uint32_t override_irqs;
	uint16_t override_flags[16];
	uint32_t override_gsi[16];
	uint8_t ioapic_id;
	uint32_t ioapic_address, gsi_base;
	uint8_t nmi_lint, nmi_uid;
};

static void walk_madt(const struct acpi_madt *madt, unsigned cpus, struct madt_seen *s)
{
	memset(s, 0, sizeof(*s));
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt);
	const uint8_t *end = (const uint8_t *)madt + madt->header.length;
	while (p < end) {
		assert_true(p + 2 <= end);
		assert_true(p[1] >= 2 && p + p[1] <= end);
		switch (p[0]) {
		case ACPI_MADT_LAPIC: {
			const struct acpi_madt_lapic *e = (const void *)p;
			assert_int_equal(e->length, 8);
			assert_int_equal(e->apic_id, s->lapics); /* in order, id = index */
			assert_int_equal(e->processor_uid, s->lapics);
			assert_int_equal(e->flags, ACPI_MADT_LAPIC_ENABLED);
			s->lapics++;
			break;
		}
		case ACPI_MADT_IOAPIC: {
			const struct acpi_madt_ioapic *e = (const void *)p;
			assert_int_equal(e->length, 12);
			s->ioapics++;
			s->ioapic_id = e->ioapic_id;
			s->ioapic_address = e->address;
			s->gsi_base = e->gsi_base;
			break;
		}
		case ACPI_MADT_OVERRIDE: {
			const struct acpi_madt_override *e = (const void *)p;
			assert_int_equal(e->length, 10);
			assert_int_equal(e->bus, 0);
			assert_true(e->source < 16);
			assert_false(s->override_irqs & (1u << e->source));
			s->override_irqs |= 1u << e->source;
			s->override_flags[e->source] = e->flags;
			s->override_gsi[e->source] = e->gsi;
			s->overrides++;
			break;
		}
		case ACPI_MADT_LAPIC_NMI: {
			const struct acpi_madt_lapic_nmi *e = (const void *)p;
			assert_int_equal(e->length, 6);
			s->nmis++;
			s->nmi_lint = e->lint;
			s->nmi_uid = e->processor_uid;
			break;
		}
		default:
			fail_msg("unexpected MADT entry type %u", p[0]);
		}
		p += p[1];
	}
	assert_ptr_equal(p, end);
	(void)cpus;
}

static void check_madt(unsigned cpus, uint32_t level_irqs, const struct acpi_device *devs,
		       unsigned ndevs, uint32_t expect_level)
{
	struct acpi_layout l;
	size_t total = build(cpus, devs, ndevs, level_irqs, &l);
	const struct acpi_madt *madt = (const void *)table(find_table(total, "APIC"), total, "APIC");
	assert_int_equal(madt->header.revision, 5);
	assert_int_equal(madt->lapic_address, LAYOUT_LAPIC);
	assert_int_equal(madt->flags, ACPI_MADT_PCAT_COMPAT);
	struct madt_seen s;
	walk_madt(madt, cpus, &s);
	assert_int_equal(s.lapics, cpus);
	assert_int_equal(s.ioapics, 1);
	assert_int_equal(s.ioapic_id, cpus); /* as in the MP table */
	assert_int_equal(s.ioapic_address, LAYOUT_IOAPIC);
	assert_int_equal(s.gsi_base, 0);
	assert_int_equal(s.nmis, 1);
	assert_int_equal(s.nmi_lint, 1);
	assert_int_equal(s.nmi_uid, 0xff);
	/* IRQ 0 -> GSI 2, edge, active high; the level IRQs on their own pins, level, high. */
	assert_true(s.override_irqs & 1u);
	assert_int_equal(s.override_gsi[0], 2);
	assert_int_equal(s.override_flags[0], MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_EDGE);
	assert_int_equal(s.override_irqs & ~1u, expect_level);
	for (unsigned irq = 1; irq < 16; irq++) {
		if (!(expect_level & (1u << irq)))
			continue;
		assert_int_equal(s.override_gsi[irq], irq);
		assert_int_equal(s.override_flags[irq], 0xd);
	}
}

static void test_madt_cpus(void **state)
{
	(void)state;
	static const unsigned counts[] = { 1, 2, 3, 4, 16, 64, 253, 254 };
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++)
		check_madt(counts[i], 0, NULL, 0, 0);
}

static void test_madt_overrides(void **state)
{
	(void)state;
	/* The VM's level IRQs and the devices' (17 is no ISA IRQ: no override). */
	check_madt(2, 1u << 9, three_devices, 3, 1u << 5 | 1u << 6 | 1u << 9);
	/* IRQ 0 and 2 are never level overrides (timer, cascade). */
	check_madt(1, 0x5 | 1u << 11, NULL, 0, 1u << 11);
}

/* ------------------------------------------------------------------------ a small AML walker */

struct aml_cursor {
	const uint8_t *p, *end;
};

static size_t pkg_length(struct aml_cursor *c)
{
	assert_true(c->p < c->end);
	uint8_t lead = *c->p;
	unsigned follow = lead >> 6;
	size_t len = follow ? lead & 0x0f : lead & 0x3f;
	assert_true(c->p + 1 + follow <= c->end);
	for (unsigned i = 0; i < follow; i++)
		len |= (size_t)c->p[1 + i] << (4 + 8 * i);
	return len;
}

/* One NameSeg after an optional root prefix; copies it to name[5]. */
static void name_string(struct aml_cursor *c, char name[5])
{
	if (*c->p == '\\')
		c->p++;
	assert_true(c->p + 4 <= c->end);
	memcpy(name, c->p, 4);
	name[4] = '\0';
	c->p += 4;
}

static uint64_t integer(struct aml_cursor *c)
{
	uint8_t op = *c->p++;
	unsigned bytes = op == 0x0a ? 1 : op == 0x0b ? 2 : op == 0x0c ? 4 : op == 0x0e ? 8 : 0;
	if (op == 0x00 || op == 0x01)
		return op;
	assert_true(bytes != 0);
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += bytes;
	return v;
}

struct found_device {
	char name[5];
	char hid[16];
	uint32_t eisa_hid;
	uint64_t uid;
	uint8_t crs[64];
	size_t crs_len;
};

/* Name(_HID|_UID|_CRS, ...) objects of a Device body. */
static void device_body(struct aml_cursor *c, struct found_device *d)
{
	while (c->p < c->end) {
		assert_int_equal(*c->p++, 0x08); /* NameOp */
		char name[5];
		name_string(c, name);
		if (strcmp(name, "_HID") == 0 && *c->p == 0x0d) {
			c->p++;
			size_t n = strnlen((const char *)c->p, (size_t)(c->end - c->p));
			assert_true(n < sizeof(d->hid) && c->p + n < c->end);
			memcpy(d->hid, c->p, n + 1);
			c->p += n + 1;
		} else if (strcmp(name, "_HID") == 0) {
			d->eisa_hid = (uint32_t)integer(c);
		} else if (strcmp(name, "_UID") == 0) {
			d->uid = integer(c);
		} else if (strcmp(name, "_CRS") == 0) {
			assert_int_equal(*c->p++, 0x11); /* BufferOp */
			const uint8_t *start = c->p;
			size_t len = pkg_length(c);
			c->p += 1 + (*c->p >> 6);
			uint64_t size = integer(c);
			assert_ptr_equal(c->p + size, start + len);
			assert_true(size <= sizeof(d->crs));
			memcpy(d->crs, c->p, size);
			d->crs_len = size;
			c->p = start + len;
		} else {
			fail_msg("unexpected Name %s in a device", name);
		}
	}
}

/* The DSDT's AML: \_S5, then Scope(\_SB) { Device ... }. Returns the devices found. */
static unsigned walk_dsdt(const struct acpi_header *dsdt, struct found_device *devs,
			  unsigned max, uint64_t *s5_typ)
{
	struct aml_cursor c = { (const uint8_t *)dsdt + sizeof(*dsdt),
				(const uint8_t *)dsdt + dsdt->length };
	char name[5];
	assert_int_equal(*c.p++, 0x08); /* Name(\_S5, Package(4) { 5, 0, 0, 0 }) */
	name_string(&c, name);
	assert_string_equal(name, "_S5_");
	assert_int_equal(*c.p++, 0x12);
	const uint8_t *pkg = c.p;
	size_t pkg_len = pkg_length(&c);
	c.p += 1 + (*c.p >> 6);
	assert_int_equal(*c.p++, 4);
	*s5_typ = integer(&c);
	for (int i = 0; i < 3; i++)
		assert_int_equal(integer(&c), 0);
	assert_ptr_equal(c.p, pkg + pkg_len);

	assert_int_equal(*c.p++, 0x10); /* Scope(\_SB) */
	const uint8_t *scope = c.p;
	size_t scope_len = pkg_length(&c);
	assert_ptr_equal(scope + scope_len, c.end); /* the scope runs to the table's end */
	c.p += 1 + (*c.p >> 6);
	name_string(&c, name);
	assert_string_equal(name, "_SB_");
	unsigned n = 0;
	while (c.p < c.end) {
		assert_int_equal(*c.p++, 0x5b); /* Device */
		assert_int_equal(*c.p++, 0x82);
		const uint8_t *dev = c.p;
		size_t dev_len = pkg_length(&c);
		c.p += 1 + (*c.p >> 6);
		assert_true(n < max);
		memset(&devs[n], 0, sizeof(devs[n]));
		name_string(&c, devs[n].name);
		struct aml_cursor body = { c.p, dev + dev_len };
		assert_true(body.end <= c.end);
		device_body(&body, &devs[n]);
		c.p = body.end;
		n++;
	}
	return n;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void check_virtio_crs(const struct found_device *d, const struct acpi_device *want)
{
	assert_int_equal(d->crs_len, 12 + 9 + 2);
	const uint8_t *r = d->crs;
	assert_int_equal(r[0], 0x86); /* Memory32Fixed, read-write */
	assert_int_equal(r[1] | r[2] << 8, 9);
	assert_int_equal(r[3], 1);
	assert_int_equal(le32(r + 4), want->base);
	assert_int_equal(le32(r + 8), want->size);
	r += 12;
	assert_int_equal(r[0], 0x89); /* Interrupt: consumer, level, active high, exclusive */
	assert_int_equal(r[1] | r[2] << 8, 6);
	assert_int_equal(r[3], 0x01);
	assert_int_equal(r[4], 1);
	assert_int_equal(le32(r + 5), want->irq);
	assert_int_equal(r[9], 0x79); /* end tag */
}

static const struct acpi_header *dsdt_of(size_t total)
{
	const struct acpi_fadt *f = (const void *)table(find_table(total, "FACP"), total, "FACP");
	return table(f->x_dsdt, total, "DSDT");
}

static unsigned count_lnro(const struct acpi_header *dsdt)
{
	unsigned n = 0;
	const uint8_t *p = (const uint8_t *)dsdt;
	for (size_t i = 0; i + 8 <= dsdt->length; i++)
		n += memcmp(p + i, "LNRO0005", 8) == 0;
	return n;
}

static void test_dsdt_devices(void **state)
{
	(void)state;
	size_t total = build(1, three_devices, 3, 0x60, NULL);
	const struct acpi_header *dsdt = dsdt_of(total);
	struct found_device devs[8];
	uint64_t s5;
	unsigned n = walk_dsdt(dsdt, devs, 8, &s5);
	assert_int_equal(s5, ACPI_S5_SLP_TYP);
	assert_int_equal(n, 2 + 3);
	assert_int_equal(count_lnro(dsdt), 3);

	assert_string_equal(devs[0].name, "COM1");
	assert_int_equal(devs[0].eisa_hid, 0x0105d041); /* EisaId("PNP0501") */
	static const uint8_t com1_crs[] = { 0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
					    0x22, 0x10, 0x00, 0x79, 0x00 };
	assert_int_equal(devs[0].crs_len, sizeof(com1_crs));
	assert_memory_equal(devs[0].crs, com1_crs, sizeof(com1_crs));
	assert_string_equal(devs[1].name, "PS2K");
	assert_int_equal(devs[1].eisa_hid, 0x0303d041); /* EisaId("PNP0303") */
	static const uint8_t kbd_crs[] = { 0x47, 0x01, 0x60, 0x00, 0x60, 0x00, 0x00, 0x01,
					   0x47, 0x01, 0x64, 0x00, 0x64, 0x00, 0x00, 0x01,
					   0x22, 0x02, 0x00, 0x79, 0x00 };
	assert_int_equal(devs[1].crs_len, sizeof(kbd_crs));
	assert_memory_equal(devs[1].crs, kbd_crs, sizeof(kbd_crs));

	for (unsigned i = 0; i < 3; i++) {
		const struct found_device *d = &devs[2 + i];
		char want[5];
		snprintf(want, sizeof(want), "VR%02X", i);
		assert_string_equal(d->name, want);
		assert_string_equal(d->hid, "LNRO0005");
		assert_int_equal(d->uid, i);
		check_virtio_crs(d, &three_devices[i]);
	}
}

/* 32 devices: the \_SB scope needs a 2-byte PkgLength, names run to VR1F. */
static void test_dsdt_max_devices(void **state)
{
	(void)state;
	struct acpi_device many[ACPI_MAX_DEVICES];
	for (unsigned i = 0; i < ACPI_MAX_DEVICES; i++)
		many[i] = (struct acpi_device){ 0xfeb00000 + i * 0x200, 0x200, 5 + i % 19 };
	size_t total = build(254, many, ACPI_MAX_DEVICES, 0, NULL);
	const struct acpi_header *dsdt = dsdt_of(total);
	struct found_device devs[ACPI_MAX_DEVICES + 2];
	uint64_t s5;
	unsigned n = walk_dsdt(dsdt, devs, ACPI_MAX_DEVICES + 2, &s5);
	assert_int_equal(n, ACPI_MAX_DEVICES + 2);
	assert_int_equal(count_lnro(dsdt), ACPI_MAX_DEVICES);
	assert_string_equal(devs[n - 1].name, "VR1F");
	for (unsigned i = 0; i < ACPI_MAX_DEVICES; i++)
		check_virtio_crs(&devs[2 + i], &many[i]);
	assert_true(total < LAYOUT_ACPI_MAX);
}

static void test_dsdt_no_devices(void **state)
{
	(void)state;
	struct acpi_config cfg = { .cpus = 1 };
	size_t total = acpi_build(buf, sizeof(buf), BASE, &cfg, NULL);
	assert_true(total > 0);
	const struct acpi_header *dsdt = dsdt_of(total);
	struct found_device devs[1];
	uint64_t s5;
	assert_int_equal(walk_dsdt(dsdt, devs, 1, &s5), 0);
	const struct acpi_fadt *f = (const void *)table(find_table(total, "FACP"), total, "FACP");
	assert_int_equal(f->iapc_boot_arch & (ACPI_IAPC_8042 | ACPI_IAPC_LEGACY_DEVICES), 0);
}

static void test_rejects(void **state)
{
	(void)state;
	struct acpi_device d = { 0xfeb00000, 0x200, 5 };
	struct acpi_config ok = { .cpus = 1, .devices = &d, .ndevices = 1 };
	struct acpi_config c;
	assert_true(acpi_build(buf, sizeof(buf), BASE, &ok, NULL) > 0);
	c = ok, c.cpus = 0;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	c = ok, c.cpus = 255;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	c = ok, c.ndevices = ACPI_MAX_DEVICES + 1;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	c = ok, c.devices = NULL;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	struct acpi_device bad = d;
	c = ok, c.devices = &bad;
	bad.irq = 24;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	bad = d, bad.base = 0xfffffe00, bad.size = 0x400; /* crosses 4 GiB */
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	bad = d, bad.size = 0;
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE, &c, NULL), 0);
	assert_int_equal(acpi_build(buf, sizeof(buf), BASE + 8, &ok, NULL), 0); /* unaligned */
	assert_int_equal(acpi_build(buf, sizeof(buf), 1ull << 32, &ok, NULL), 0);
}

/* Every buffer too small is refused without writing past it (ASan checks the writes). */
static void test_small_buffers(void **state)
{
	(void)state;
	struct acpi_config cfg = { .cpus = 4, .devices = three_devices, .ndevices = 3,
				   .com1 = true, .i8042 = true };
	size_t total = acpi_build(buf, sizeof(buf), BASE, &cfg, NULL);
	assert_true(total > 0);
	for (size_t size = 0; size < total; size++) {
		uint8_t *small = malloc(size ? size : 1);
		assert_non_null(small);
		assert_int_equal(acpi_build(small, size, BASE, &cfg, NULL), 0);
		free(small);
	}
	uint8_t *exact = malloc(total);
	assert_non_null(exact);
	assert_int_equal(acpi_build(exact, total, BASE, &cfg, NULL), total);
	assert_memory_equal(exact, buf, total);
	free(exact);
}

/* ------------------------------------------------------------------------------- AML encodings */

static void test_aml_pkg_length(void **state)
{
	(void)state;
	uint8_t e[4];
	assert_int_equal(aml_pkg_length(e, 0), 1);
	assert_int_equal(e[0], 1);
	assert_int_equal(aml_pkg_length(e, 62), 1);
	assert_int_equal(e[0], 63);
	/* 63 bytes of body: 65 in all, in two bytes: lead 0x41 (1 byte follows, nibble 1), 0x04 */
	assert_int_equal(aml_pkg_length(e, 63), 2);
	assert_int_equal(e[0], 0x41);
	assert_int_equal(e[1], 0x04);
	assert_int_equal(aml_pkg_length(e, 4093), 2); /* 4095: the largest two-byte length */
	assert_int_equal(e[0], 0x4f);
	assert_int_equal(e[1], 0xff);
	assert_int_equal(aml_pkg_length(e, 4094), 3); /* 4097 */
	assert_int_equal(e[0], 0x81);
	assert_int_equal(e[1], 0x00);
	assert_int_equal(e[2], 0x01);
	assert_int_equal(aml_pkg_length(e, (1u << 28) - 5), 4);
	assert_int_equal(e[0], 0xcf);
	assert_int_equal(aml_pkg_length(e, (1u << 28) - 4), 0);
}

static void test_aml_names(void **state)
{
	(void)state;
	uint8_t out[64];
	struct aml a;
	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "\\_SB");
	assert_false(a.error);
	assert_int_equal(a.len, 5);
	assert_memory_equal(out, "\\_SB_", 5);

	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "_SB.VR0A");
	assert_int_equal(a.len, 9);
	assert_int_equal(out[0], 0x2e);
	assert_memory_equal(out + 1, "_SB_VR0A", 8);

	aml_init(&a, out, sizeof(out));
	aml_name_string(&a, "\\A.B.C");
	assert_int_equal(a.len, 15);
	assert_memory_equal(out, "\\\x2f\x03" "A___B___C___", 15);

	static const char *const bad[] = { "", "1ABC", "ABCDE", "a", "A..B", "A.", "\\A B" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a, out, sizeof(out));
		aml_name_string(&a, bad[i]);
		if (bad[i][0] == '\0') { /* the null name alone: 0x00 */
			assert_false(a.error);
			continue;
		}
		assert_true(a.error);
	}
}

static void test_aml_integers(void **state)
{
	(void)state;
	static const struct {
		uint64_t v;
		size_t len;
		uint8_t bytes[9];
	} cases[] = {
		{ 0, 1, { 0x00 } },
		{ 1, 1, { 0x01 } },
		{ 5, 2, { 0x0a, 0x05 } },
		{ 0x100, 3, { 0x0b, 0x00, 0x01 } },
		{ 0xfeb00000, 5, { 0x0c, 0x00, 0x00, 0xb0, 0xfe } },
		{ 0x100000000ull, 9, { 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t out[16];
		struct aml a;
		aml_init(&a, out, sizeof(out));
		aml_integer(&a, cases[i].v);
		assert_int_equal(a.len, cases[i].len);
		assert_memory_equal(out, cases[i].bytes, cases[i].len);
	}
	uint32_t v;
	assert_true(aml_eisa_id_value("PNP0501", &v));
	assert_int_equal(v, 0x0105d041);
	assert_true(aml_eisa_id_value("PNP0A03", &v));
	assert_int_equal(v, 0x030ad041);
	assert_false(aml_eisa_id_value("PNP050", &v));
	assert_false(aml_eisa_id_value("pnp0501", &v));
	assert_false(aml_eisa_id_value("PNP05G1", &v));
}

/* A package whose contents outgrow a one-byte PkgLength is moved, not truncated. */
static void test_aml_long_package(void **state)
{
	(void)state;
	uint8_t out[256];
	struct aml a;
	aml_init(&a, out, sizeof(out));
	size_t mark = aml_package_begin(&a, 40);
	for (int i = 0; i < 40; i++)
		aml_integer(&a, 0x10 + (uint64_t)i); /* 2 bytes each */
	aml_end(&a, mark);
	assert_false(a.error);
	assert_int_equal(a.len, 1 + 2 + 1 + 80);
	assert_int_equal(out[0], 0x12);
	assert_int_equal(out[1], 0x40 | (83 & 0xf));
	assert_int_equal(out[2], 83 >> 4);
	assert_int_equal(out[3], 40);
	assert_int_equal(out[4], 0x0a);
	assert_int_equal(out[5], 0x10);
	assert_int_equal(out[83], 0x10 + 39);

	/* Out of room: a sticky error, nothing written past the end. */
	uint8_t tiny[8];
	aml_init(&a, tiny, sizeof(tiny));
	aml_string(&a, "LNRO0005");
	assert_true(a.error);
	assert_true(a.len <= sizeof(tiny));
}

/* ------------------------------------------------------------------ the power-off/reset ports */

static struct vm *make_vm(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	vm->kvm_fd = vm->vm_fd = vm->exit_eventfd = -1;
	vm->pio.name = "port";
	vm->exit_status = -1;
	struct error err;
	assert_int_equal(acpi_pm_create(vm, &err), 0);
	return vm;
}

static void out8(struct vm *vm, uint16_t port, uint8_t v)
{
	assert_true(bus_dispatch(&vm->pio, port, &v, 1, true));
}

static void test_pm_power_off(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	uint8_t v = 0xee;
	assert_true(bus_dispatch(&vm->pio, ACPI_SLEEP_STATUS_PORT, &v, 1, false));
	assert_int_equal(v, 0);
	out8(vm, ACPI_SLEEP_STATUS_PORT, 0x80);            /* clearing WAK_STS: nothing */
	out8(vm, ACPI_SLEEP_CONTROL_PORT, 5 << 2);         /* S5 type without SLP_EN */
	out8(vm, ACPI_SLEEP_CONTROL_PORT, 0x20 | (3 << 2)); /* S3: not offered, ignored */
	out8(vm, ACPI_RESET_PORT, 0x42);                    /* not the reset value */
	assert_false(atomic_load(&vm->exiting));
	out8(vm, ACPI_SLEEP_CONTROL_PORT, ACPI_SLP_EN | ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT);
	assert_true(atomic_load(&vm->exiting));
	assert_int_equal(vm->exit_status, 0);
	free(vm);
}

static void test_pm_reset(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	out8(vm, ACPI_RESET_PORT, ACPI_RESET_VALUE);
	assert_true(atomic_load(&vm->exiting));
	assert_int_equal(vm->exit_status, 0);
	free(vm);

	/* A 16-bit write at the sleep control port reaches the status port too, harmlessly. */
	vm = make_vm();
	uint8_t two[2] = { ACPI_SLP_EN | ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT, 0x80 };
	assert_true(bus_dispatch(&vm->pio, ACPI_SLEEP_CONTROL_PORT, two, 2, true));
	assert_true(atomic_load(&vm->exiting));
	free(vm);
}

/* --acpi is off by default; --acpi-dump DIR (hidden, for the iasl test) implies it. */
static void test_options(void **state)
{
	(void)state;
	static struct vm_config cfg;
	struct error err = { "" };
	char a0[] = "millivm", a1[] = "-k", a2[] = "kernel", a3[] = "--acpi", a4[] = "--acpi-dump",
	     a5[] = "/tmp/dir";
	char *plain[] = { a0, a1, a2, NULL };
	assert_int_equal(options_parse(3, plain, &cfg, &err), OPTIONS_RUN);
	assert_false(cfg.acpi);
	assert_null(cfg.acpi_dump_dir);
	char *acpi[] = { a0, a1, a2, a3, NULL };
	assert_int_equal(options_parse(4, acpi, &cfg, &err), OPTIONS_RUN);
	assert_true(cfg.acpi);
	assert_null(cfg.acpi_dump_dir);
	char *dump[] = { a0, a1, a2, a4, a5, NULL };
	assert_int_equal(options_parse(5, dump, &cfg, &err), OPTIONS_RUN);
	assert_true(cfg.acpi);
	assert_string_equal(cfg.acpi_dump_dir, "/tmp/dir");
	char *missing[] = { a0, a1, a2, a4, NULL };
	assert_int_equal(options_parse(4, missing, &cfg, &err), OPTIONS_ERROR);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsdp),
		cmocka_unit_test(test_xsdt),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_madt_cpus),
		cmocka_unit_test(test_madt_overrides),
		cmocka_unit_test(test_dsdt_devices),
		cmocka_unit_test(test_dsdt_max_devices),
		cmocka_unit_test(test_dsdt_no_devices),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_aml_pkg_length),
		cmocka_unit_test(test_aml_names),
		cmocka_unit_test(test_aml_integers),
		cmocka_unit_test(test_aml_long_package),
		cmocka_unit_test(test_pm_power_off),
		cmocka_unit_test(test_pm_reset),
		cmocka_unit_test(test_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
