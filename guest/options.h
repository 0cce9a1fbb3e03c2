/* SPDX-License-Identifier: BSD-2-Clause */
/* What the command line asks of the guest (the parameters are listed in guest/README.md). */
#ifndef REFGUEST_OPTIONS_H
#define REFGUEST_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_options.h"

enum fault_kind {
	FAULT_NONE,
	FAULT_TRIPLE, /* fault=triple: no IDT, then a page fault: the VM shuts down */
	FAULT_UD,     /* fault=ud: ud2 with the IDT in place: EXCEPTION 6, exit 99 */
};

enum initrd_expectation {
	INITRD_ANY,  /* no expect_initrd*: check what is there, require nothing */
	INITRD_NONE, /* expect_initrd=none: no module at all */
	INITRD_SOME, /* expect_initrd_size= and/or expect_initrd_fnv= */
};

struct options {
	bool quiet;
	bool exit_now;
	uint8_t exit_status;
	enum fault_kind fault;
	bool has_expect_mem;
	uint64_t expect_mem;
	enum initrd_expectation initrd;
	bool has_initrd_size, has_initrd_fnv;
	uint64_t initrd_size;
	uint32_t initrd_fnv;
	uint32_t expect_cpus;
	bool expect_acpi; /* expect_acpi: rsdp_paddr must lead to valid tables */
	/* acpi_off=poweroff|reset: after the acpi check, through the FADT's registers */
	enum { ACPI_OFF_NONE, ACPI_OFF_POWEROFF, ACPI_OFF_RESET } acpi_off;
	uint32_t spin_ms; /* spin=MS: busy-wait this long before the verdict (pause tests) */
	/* ISA IRQs of virtio_mmio.device= tokens: the MP table must say level, active high. */
	uint32_t virtio_irqs;
	/* virtio_mmio.device= tokens and the virtio checks' parameters. */
	struct virtio_options virtio;
	/* The first parameter we know but could not read, for the cmdline check; else NULL. */
	const char *bad_parameter;
	/* Bytes before the NUL: the cmdline check wants it below LAYOUT_CMDLINE_MAX. */
	uint64_t cmdline_length;
};

/*
 * Fills opts from the command line (NULL: none, all defaults); unknown words are ignored.
 * One pass that stops at the NUL and records where it was, so the length check costs nothing.
 */
void parse_options(const char *cmdline, struct options *opts);

#endif
