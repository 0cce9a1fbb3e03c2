/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Intel MP table (MultiProcessor Specification 1.4, design.md section 4): how NetBSD's
 * MICROVM kernel, and Linux with acpi=off, find the CPUs and the IOAPIC.
 */
#ifndef MILLIVM_MPTABLE_H
#define MILLIVM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_MAX_CPUS 254 /* APIC ids 0..N-1 and the IOAPIC id N fit in 8 bits */

struct mptable_config {
	unsigned cpus;
	uint32_t cpu_signature;  /* CPUID 1 EAX */
	uint32_t cpu_features;   /* CPUID 1 EDX */
	uint32_t level_irqs;     /* bit n: ISA IRQ n is level-triggered, active-high (virtio) */
};

/* Bytes the table takes for this many CPUs. */
size_t mptable_size(unsigned cpus);

/*
 * Build the floating pointer and the configuration table into buf, which the guest sees at
 * base_gpa. Returns the number of bytes written, or 0 if cpus is out of range or buf is too
 * small.
 */
size_t mptable_build(uint8_t *buf, size_t buf_size, uint32_t base_gpa,
		     const struct mptable_config *cfg);

/* Two's-complement byte checksum: the value that makes the bytes sum to zero. */
uint8_t mptable_checksum(const void *data, size_t len);

#endif
