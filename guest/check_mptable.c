// SPDX-License-Identifier: BSD-2-Clause
/*
 * The Intel MP table at 0x9fc00 (design.md section 4), which NetBSD and FreeBSD use to find
 * CPUs and the IOAPIC: mp-floating (the "_MP_" pointer), mp-config (the "PCMP" header and the
 * entry walk), then one check per kind of entry (mptable_entries.c).
 */
#include <millivm/layout.h>
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "digest.h"
#include "mptable.h"
#include "report.h"

#define BIOS_AREA_START 0xf0000ull /* where other firmware (QEMU's qboot) puts the table */
#define BIOS_AREA_END 0x100000ull
#define MP_FLOATING_ALIGN 16
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_VERSION 0x01
#define MP_FEATURE2_IMCR 0x80
/* The signatures as little-endian words: one comparison instead of a memcmp call. */
#define SIGNATURE32(a, b, c, d) \
	((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define MPF_SIGNATURE32 SIGNATURE32('_', 'M', 'P', '_')
#define MPC_SIGNATURE32 SIGNATURE32('P', 'C', 'M', 'P')

static bool has_signature(const void *p, uint32_t signature)
{
	uint32_t word;

	__builtin_memcpy(&word, p, 4);
	return word == signature;
}

static const struct mpf_intel *find_floating_in(uint64_t start, uint64_t end)
{
	for (uint64_t a = start; a < end; a += MP_FLOATING_ALIGN)
		if (has_signature((const void *)(uintptr_t)a, MPF_SIGNATURE32))
			return (const struct mpf_intel *)(uintptr_t)a;
	return NULL;
}

/*
 * The pointer must be at 0x9fc00. If it is not, the check fails, but we look where firmware
 * usually puts it and inspect that table anyway: the output then says what else differs
 * (under QEMU, for instance). The search runs only on this failure path.
 */
static const struct mpf_intel *locate_floating(void)
{
	const struct mpf_intel *mpf = (const struct mpf_intel *)(uintptr_t)LAYOUT_MPTABLE;

	if (!has_signature(mpf->signature, MPF_SIGNATURE32)) {
		/* the MP spec's first place to look: the first KiB of the EBDA */
		mpf = find_floating_in(LAYOUT_EBDA_START, LAYOUT_EBDA_START + 0x400);
		if (!mpf)
			mpf = find_floating_in(BIOS_AREA_START, BIOS_AREA_END);
		if (!mpf) {
			report_fail(CHECK_MP_FLOATING, "no \"_MP_\" at 0x%lx nor in the BIOS area",
				    (unsigned long)LAYOUT_MPTABLE);
			return NULL;
		}
		report_fail(CHECK_MP_FLOATING, "not at 0x%lx but at 0x%lx: inspecting that one",
			    (unsigned long)LAYOUT_MPTABLE, (unsigned long)(uintptr_t)mpf);
		return mpf;
	}
	if (byte_sum(mpf, sizeof(*mpf)) != 0)
		report_fail(CHECK_MP_FLOATING, "checksum: bytes sum to 0x%x", byte_sum(mpf, 16));
	else if (mpf->length != 1 || mpf->specification != MPC_SPEC_REVISION)
		report_fail(CHECK_MP_FLOATING, "length %u, spec %u: expected 1, %u", mpf->length,
			    mpf->specification, MPC_SPEC_REVISION);
	else if (mpf->feature1 != 0 || (mpf->feature2 & MP_FEATURE2_IMCR))
		report_fail(CHECK_MP_FLOATING, "feature bytes 0x%x 0x%x: expected a table, no IMCR",
			    mpf->feature1, mpf->feature2);
	else
		report_ok(CHECK_MP_FLOATING, "config table at 0x%x", mpf->physptr);
	return mpf;
}

/* The header must be sound before its entries can be walked; false skips the walk. */
static bool config_header_walkable(const struct mpc_table *table)
{
	if (!has_signature(table->signature, MPC_SIGNATURE32)) {
		report_fail(CHECK_MP_CONFIG, "no \"PCMP\" at 0x%lx", (unsigned long)(uintptr_t)table);
		return false;
	}
	/* the upper bound (the table inside the reserved area) is checked with its address */
	if (table->length < sizeof(*table)) {
		report_fail(CHECK_MP_CONFIG, "base table length %u (at least %u)", table->length,
			    (unsigned)sizeof(*table));
		return false;
	}
	return true;
}

/* Header facts that do not stop the walk; the first problem goes into in->config. */
static void inspect_config_header(const struct mpf_intel *mpf, const struct mpc_table *table,
				  struct mp_inspection *in)
{
	struct mp_problem *p = &in->config;
	uint8_t sum = byte_sum(table, table->length);

	if (mpf->physptr < LAYOUT_MPTABLE ||
	    mpf->physptr + table->length > LAYOUT_MPTABLE + LAYOUT_MPTABLE_MAX)
		*p = (struct mp_problem){ "table outside the reserved MP area at", -1, false,
					  mpf->physptr, 0 };
	else if (sum != 0)
		*p = (struct mp_problem){ "checksum: base table sums to", -1, false, sum, 0 };
	else if (table->spec != MPC_SPEC_REVISION)
		*p = (struct mp_problem){ "spec revision", -1, true, table->spec,
					  MPC_SPEC_REVISION };
	else if (table->lapic != LAYOUT_LAPIC)
		*p = (struct mp_problem){ "local APIC address", -1, true, table->lapic,
					  (uint32_t)LAYOUT_LAPIC };
}

/* Reports the check's first problem; false if there was none (the caller says ok). */
static bool report_problem(enum check_id check, const struct mp_problem *p)
{
	if (!p->what)
		return false;
	if (p->entry < 0 && p->has_expected)
		report_fail(check, "%s 0x%x, expected 0x%x", p->what, p->got, p->expected);
	else if (p->entry < 0)
		report_fail(check, "%s 0x%x", p->what, p->got);
	else if (p->has_expected)
		report_fail(check, "entry %d: %s 0x%x, expected 0x%x", p->entry, p->what, p->got,
			    p->expected);
	else
		report_fail(check, "entry %d: %s 0x%x", p->entry, p->what, p->got);
	return true;
}

/* The table says the IOAPIC is usable: ask the IOAPIC itself (two MMIO exits). */
static void check_ioapic_registers(const struct mp_inspection *in)
{
	volatile uint32_t *regsel = (volatile uint32_t *)(uintptr_t)(LAYOUT_IOAPIC + IOAPIC_REGSEL);
	volatile uint32_t *window = (volatile uint32_t *)(uintptr_t)(LAYOUT_IOAPIC + IOAPIC_WINDOW);

	*regsel = IOAPIC_REG_VERSION;
	uint32_t version = *window;
	uint32_t pins = ((version >> 16) & 0xff) + 1;

	if ((version & 0xff) != in->first_ioapic->apicver || pins != MP_IOAPIC_PINS)
		report_fail(CHECK_MP_IOAPIC, "IOAPIC version register 0x%x: version 0x%x, %u pins",
			    version, version & 0xff, pins);
	else
		report_ok(CHECK_MP_IOAPIC, "id %u at 0x%x, version 0x%x, %u pins",
			  in->first_ioapic->apicid, in->first_ioapic->apicaddr, version & 0xff,
			  pins);
}

static void skip_entry_checks(const char *why)
{
	for (enum check_id c = CHECK_MP_CONFIG; c <= CHECK_MP_LINTS; c++)
		report_skip(c, "%s", why);
}

void check_mptable(const struct options *opts)
{
	const struct mpf_intel *mpf = locate_floating();

	if (!mpf) {
		skip_entry_checks("no MP floating pointer");
		return;
	}
	const struct mpc_table *table = (const struct mpc_table *)(uintptr_t)mpf->physptr;

	if (!config_header_walkable(table)) {
		for (enum check_id c = CHECK_MP_CPUS; c <= CHECK_MP_LINTS; c++)
			report_skip(c, "no usable config table");
		return;
	}
	struct mp_inspection in = {
		.expect_cpus = opts->expect_cpus,
		.virtio_irqs = opts->virtio_irqs,
		.cpu_signature = cpuid(1).eax,
	};

	inspect_config_header(mpf, table, &in);
	if (!mp_entries_canonical(table, &in))
		mp_inspect_entries(table, &in);
	if (!report_problem(CHECK_MP_CONFIG, &in.config))
		report_ok(CHECK_MP_CONFIG, "%u entries, %u bytes", in.entries, table->length);
	if (!report_problem(CHECK_MP_CPUS, &in.cpus))
		report_ok(CHECK_MP_CPUS, "%u processors, BSP is APIC id 0", in.cpus_seen);
	if (!report_problem(CHECK_MP_BUS, &in.bus))
		report_ok(CHECK_MP_BUS, "ISA bus 0");
	if (!report_problem(CHECK_MP_IOAPIC, &in.ioapic))
		check_ioapic_registers(&in);
	if (!report_problem(CHECK_MP_IRQS, &in.irqs))
		report_ok(CHECK_MP_IRQS, "pins 0-23: 8259 on pin 0, IRQ 0 on pin 2, IRQ n on pin n");
	if (!report_problem(CHECK_MP_LINTS, &in.lints))
		report_ok(CHECK_MP_LINTS, "ExtINT on LINT0, NMI on LINT1");
}
