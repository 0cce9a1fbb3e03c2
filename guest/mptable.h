/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inspecting the MP configuration table's entries in one pass (mptable_entries.c): each
 * check keeps the first problem it meets, and check_mptable.c reports them.
 */
#ifndef REFGUEST_MPTABLE_H
#define REFGUEST_MPTABLE_H

#include <millivm/abi.h>
#include <stdbool.h>
#include <stdint.h>

struct mp_problem {
	const char *what; /* NULL: no problem */
	int entry;        /* entry index, or -1 for the table as a whole */
	bool has_expected;
	uint32_t got, expected;
};

struct mp_inspection {
	/* What the table must say. */
	uint32_t expect_cpus;
	uint32_t virtio_irqs;   /* bit n: ISA IRQ n is a virtio device's, level-triggered */
	uint32_t cpu_signature; /* CPUID 1 EAX */

	/* The first problem per check. */
	struct mp_problem config, cpus, bus, ioapic, irqs, lints;

	/* What the walk saw. */
	unsigned entries, cpus_seen, isa_buses, ioapics_seen;
	const struct mpc_ioapic *first_ioapic;
	uint32_t pins_seen;              /* bit n: an I/O interrupt entry for IOAPIC pin n */
	bool extint_on_lint0, nmi_on_lint1;
};

/* Walks the entries of a table whose header was checked; fills in *in. */
void mp_inspect_entries(const struct mpc_table *table, struct mp_inspection *in);

/*
 * The fast path: true if the entries are exactly design.md's table, compared a word per entry
 * (then it fills in what mp_inspect_entries would). It accepts nothing the inspection would
 * reject; on false, run the inspection, which finds and names the problem.
 */
bool mp_entries_canonical(const struct mpc_table *table, struct mp_inspection *in);

#endif
