// SPDX-License-Identifier: BSD-2-Clause
/*
 * acpi: the ACPI tables millivm builds with --acpi, found the way a kernel finds them: the
 * RSDP at start_info's rsdp_paddr (both checksums, revision 2), the XSDT it points at, every
 * table the XSDT lists (checksum), the FADT (hardware-reduced, with its DSDT) and the MADT
 * (one enabled local APIC per expected CPU, the IOAPIC at 0xfec00000 with id = CPU count).
 * Without rsdp_paddr the check is skipped, unless expect_acpi asks for tables.
 *
 * acpi_off=poweroff|reset then ends the VM the way an ACPI kernel does, through the FADT's
 * sleep control register (SLP_EN with SLP_TYP 5, millivm's \_S5) or its reset register. If
 * the VM is still running afterwards, the check fails.
 */
#include <millivm/layout.h>
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "digest.h"
#include "report.h"
#include "strings.h"

#define TABLE_MAX_LENGTH 0x10000u /* ours are a few KiB; a larger length is a wrong pointer */
#define XSDT_MAX_ENTRIES 32

/* The header at gpa, if it is below 4 GiB, has this signature and a sane length. */
static const struct acpi_header *header_at(uint64_t gpa, const char *signature)
{
	if (gpa == 0 || gpa >= LAYOUT_MMIO_HOLE_END - TABLE_MAX_LENGTH)
		return NULL;
	const struct acpi_header *h = (const struct acpi_header *)(uintptr_t)gpa;
	if (memcmp(h->signature, signature, 4) != 0 || h->length < sizeof(*h) ||
	    h->length > TABLE_MAX_LENGTH)
		return NULL;
	return h;
}

static const struct acpi_rsdp *rsdp_ok(uint64_t gpa)
{
	const struct acpi_rsdp *rsdp = (const struct acpi_rsdp *)(uintptr_t)gpa;

	if (gpa >= LAYOUT_MMIO_HOLE_END || (gpa & 15)) {
		report_fail(CHECK_ACPI, "rsdp_paddr 0x%lx: not 16-byte aligned below 4 GiB",
			    (unsigned long)gpa);
		return NULL;
	}
	if (memcmp(rsdp->signature, ACPI_RSDP_SIGNATURE, 8) != 0)
		report_fail(CHECK_ACPI, "no \"RSD PTR \" at 0x%lx", (unsigned long)gpa);
	else if (byte_sum(rsdp, ACPI_RSDP_V1_LENGTH) != 0)
		report_fail(CHECK_ACPI, "RSDP checksum: first 20 bytes sum to 0x%x",
			    byte_sum(rsdp, ACPI_RSDP_V1_LENGTH));
	else if (rsdp->revision < ACPI_RSDP_REVISION || rsdp->length < sizeof(*rsdp))
		report_fail(CHECK_ACPI, "RSDP revision %u, length %u: no XSDT", rsdp->revision,
			    rsdp->length);
	else if (byte_sum(rsdp, sizeof(*rsdp)) != 0)
		report_fail(CHECK_ACPI, "RSDP extended checksum: 36 bytes sum to 0x%x",
			    byte_sum(rsdp, sizeof(*rsdp)));
	else
		return rsdp;
	return NULL;
}

/* Local APICs (enabled, ids 0..n-1 in order) and the IOAPIC of the MADT; false on a problem. */
static bool madt_ok(const struct acpi_madt *madt, const struct options *opts, uint32_t *cpus)
{
	const uint8_t *p = (const uint8_t *)madt + sizeof(*madt);
	const uint8_t *end = (const uint8_t *)madt + madt->header.length;
	uint32_t ioapics = 0;

	*cpus = 0;
	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		if (p[0] == ACPI_MADT_LAPIC) {
			const struct acpi_madt_lapic *e = (const struct acpi_madt_lapic *)p;
			if (e->apic_id != *cpus || !(e->flags & ACPI_MADT_LAPIC_ENABLED)) {
				report_fail(CHECK_ACPI, "MADT local APIC %u: id %u, flags 0x%x", *cpus,
					    e->apic_id, e->flags);
				return false;
			}
			(*cpus)++;
		} else if (p[0] == ACPI_MADT_IOAPIC) {
			const struct acpi_madt_ioapic *e = (const struct acpi_madt_ioapic *)p;
			ioapics++;
			if (e->address != LAYOUT_IOAPIC || e->gsi_base != 0) {
				report_fail(CHECK_ACPI, "MADT IOAPIC at 0x%x, GSI base %u", e->address,
					    e->gsi_base);
				return false;
			}
		}
		p += p[1];
	}
	if (p != end) {
		report_fail(CHECK_ACPI, "MADT entries do not fill its length");
		return false;
	}
	if (*cpus != opts->expect_cpus || ioapics != 1) {
		report_fail(CHECK_ACPI, "MADT: %u local APICs (expected %u), %u IOAPICs", *cpus,
			    opts->expect_cpus, ioapics);
		return false;
	}
	return true;
}

/* Write value to an I/O-port register of the FADT; the VM should end there. */
static void shut_down(const struct acpi_gas *reg, uint8_t value, const char *what)
{
	if (reg->space_id != ACPI_GAS_SYSTEM_IO || !reg->address || reg->address > 0xffff) {
		report_fail(CHECK_ACPI, "%s register: space %u, address 0x%lx: not an I/O port", what,
			    reg->space_id, (unsigned long)reg->address);
		return;
	}
	outb((uint16_t)reg->address, value);
	for (int i = 0; i < 1000; i++)
		__asm__ volatile("pause");
	report_fail(CHECK_ACPI, "still running after writing 0x%x to the %s register (port 0x%lx)",
		    value, what, (unsigned long)reg->address);
}

void check_acpi(const struct hvm_start_info *si, const struct options *opts)
{
	if (!si->rsdp_paddr) {
		if (opts->expect_acpi)
			report_fail(CHECK_ACPI, "rsdp_paddr is 0 (expect_acpi)");
		else
			report_skip(CHECK_ACPI, "no rsdp_paddr (millivm --acpi gives tables)");
		return;
	}
	const struct acpi_rsdp *rsdp = rsdp_ok(si->rsdp_paddr);
	if (!rsdp)
		return;
	const struct acpi_header *xsdt = header_at(rsdp->xsdt_address, "XSDT");
	if (!xsdt || byte_sum(xsdt, xsdt->length) != 0) {
		report_fail(CHECK_ACPI, "no valid XSDT at 0x%lx", (unsigned long)rsdp->xsdt_address);
		return;
	}
	uint32_t entries = (xsdt->length - sizeof(*xsdt)) / 8;
	const struct acpi_fadt *fadt = NULL;
	const struct acpi_madt *madt = NULL;
	for (uint32_t i = 0; i < entries && i < XSDT_MAX_ENTRIES; i++) {
		uint64_t gpa;
		memcpy(&gpa, (const uint8_t *)xsdt + sizeof(*xsdt) + 8 * i, 8);
		const struct acpi_header *h = (const struct acpi_header *)(uintptr_t)gpa;
		if (gpa == 0 || gpa >= LAYOUT_MMIO_HOLE_END - TABLE_MAX_LENGTH ||
		    h->length < sizeof(*h) || h->length > TABLE_MAX_LENGTH ||
		    byte_sum(h, h->length) != 0) {
			report_fail(CHECK_ACPI, "XSDT entry %u: no valid table at 0x%lx", i,
				    (unsigned long)gpa);
			return;
		}
		if (header_at(gpa, "FACP") && h->length >= sizeof(*fadt))
			fadt = (const struct acpi_fadt *)h;
		else if (header_at(gpa, "APIC") && h->length >= sizeof(*madt))
			madt = (const struct acpi_madt *)h;
	}
	if (!fadt || !madt) {
		report_fail(CHECK_ACPI, "XSDT lists %u tables, no%s%s", entries, fadt ? "" : " FADT",
			    madt ? "" : " MADT");
		return;
	}
	const struct acpi_header *dsdt = header_at(fadt->x_dsdt ? fadt->x_dsdt : fadt->dsdt, "DSDT");
	if (!dsdt || byte_sum(dsdt, dsdt->length) != 0) {
		report_fail(CHECK_ACPI, "FADT: no valid DSDT at 0x%lx", (unsigned long)fadt->x_dsdt);
		return;
	}
	if (!(fadt->flags & ACPI_FADT_HW_REDUCED) || !fadt->sleep_control_reg.address) {
		report_fail(CHECK_ACPI, "FADT flags 0x%x: not hardware-reduced with a sleep register",
			    fadt->flags);
		return;
	}
	uint32_t cpus;
	if (!madt_ok(madt, opts, &cpus))
		return;
	report_ok(CHECK_ACPI, "RSDP at 0x%lx, XSDT %u tables, DSDT %u bytes, MADT %u CPUs",
		  (unsigned long)si->rsdp_paddr, entries, dsdt->length, cpus);
	if (opts->acpi_off == ACPI_OFF_POWEROFF)
		shut_down(&fadt->sleep_control_reg,
			  ACPI_SLP_EN | ACPI_S5_SLP_TYP << ACPI_SLP_TYP_SHIFT, "sleep control");
	else if (opts->acpi_off == ACPI_OFF_RESET && (fadt->flags & ACPI_FADT_RESET_REG_SUP))
		shut_down(&fadt->reset_reg, fadt->reset_value, "reset");
	else if (opts->acpi_off == ACPI_OFF_RESET)
		report_fail(CHECK_ACPI, "FADT flags 0x%x: no reset register", fadt->flags);
}
