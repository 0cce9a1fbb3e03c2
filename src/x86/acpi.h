/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ACPI tables (--acpi), hardware-reduced ACPI 6.3, for kernels that find their devices only
 * through ACPI (Debian's stock Linux: virtio-mmio as "LNRO0005" devices in the DSDT):
 *
 *   RSDP -> XSDT -> FADT -> DSDT     \_S5, one LNRO0005 device per virtio-mmio window, COM1
 *                                    and the i8042
 *                -> MADT             LAPICs, IOAPIC, interrupt source overrides, LAPIC NMI
 *
 * COM1 and the i8042 are in the DSDT because a hardware-reduced Linux drops the legacy PIC
 * and with it the fixed ISA IRQ numbers: without a _CRS naming IRQ 4 (1), the serial
 * (keyboard) driver's interrupt is not routed to its IOAPIC pin.
 *
 * The MADT states what the MP table states (design.md section 4): APIC id = vCPU index, the
 * IOAPIC (id = vCPU count, GSI base 0) at LAYOUT_IOAPIC, ISA IRQ 0 on GSI 2, virtio IRQs
 * level-triggered and active high, NMI on LINT1. The FADT points power-off (the S5 sleep
 * state) and reset at our I/O ports (ACPI_SLEEP_CONTROL_PORT and friends, src/devices/acpi_pm.c).
 *
 * A pure builder: bytes into a buffer the guest sees at a given address, no VM needed.
 */
#ifndef MILLIVM_ACPI_H
#define MILLIVM_ACPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_CPUS 254   /* 8-bit APIC ids, the IOAPIC's id (= vCPU count) included */
#define ACPI_MAX_DEVICES 32 /* LAYOUT_VIRTIO_MMIO_MAX */
#define ACPI_MAX_IRQ 23     /* GSIs are IOAPIC pins 0-23 */

struct acpi_device {
	uint64_t base; /* a 32-bit MMIO window: base + size <= 4 GiB */
	uint64_t size;
	uint32_t irq;  /* GSI; level-triggered, active high (virtio-mmio) */
};

struct acpi_config {
	unsigned cpus;
	const struct acpi_device *devices; /* virtio-mmio device i is \_SB.VRii, _UID i */
	unsigned ndevices;
	uint32_t level_irqs; /* bit n: ISA IRQ n is level-triggered, active high (override) */
	bool com1;           /* COM1 (0x3f8, IRQ 4): \_SB.COM1, PNP0501 */
	bool i8042;          /* the i8042 (0x60/0x64, IRQ 1): \_SB.PS2K, PNP0303, and FADT flag */
};

enum acpi_table {
	ACPI_TABLE_RSDP,
	ACPI_TABLE_XSDT,
	ACPI_TABLE_FADT,
	ACPI_TABLE_MADT,
	ACPI_TABLE_DSDT,
	ACPI_TABLES,
};

/* Where each table landed in the buffer (offsets from its start), for dumps and tests. */
struct acpi_layout {
	struct {
		const char *name; /* "rsdp", "xsdt", "facp", "apic", "dsdt" */
		size_t offset;
		size_t length;
	} table[ACPI_TABLES];
	size_t total;
};

/*
 * Build every table into buf (the RSDP first, at offset 0), which the guest sees at base_gpa
 * (16-byte aligned, below 4 GiB). Returns the bytes used, or 0 if the configuration is out of
 * range (cpus 0 or above ACPI_MAX_CPUS, too many devices, a window above 4 GiB, an IRQ above
 * ACPI_MAX_IRQ) or buf is too small. layout may be NULL.
 */
size_t acpi_build(uint8_t *buf, size_t buf_size, uint64_t base_gpa,
		  const struct acpi_config *cfg, struct acpi_layout *layout);

/* The byte that makes len bytes sum to zero. */
uint8_t acpi_checksum(const void *data, size_t len);

#endif
