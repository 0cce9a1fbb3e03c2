/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Put a kernel in guest RAM and set vCPU 0 at its entry: the kernel image, the initrd, the
 * boot tables (start_info, memory map, command line, MP table) and the entry registers.
 */
#ifndef MILLIVM_BOOT_H
#define MILLIVM_BOOT_H

#include "core/error.h"
#include "core/vm.h"

/* The final command line: the user's, then whatever devices announce (virtio_mmio.device=). */
int boot_load(struct vm *vm, const char *cmdline, struct error *err);

/* Write the MP table for the VM's vCPUs and level-triggered IRQs at LAYOUT_MPTABLE. */
int boot_write_mptable(struct vm *vm, struct error *err);

/*
 * With --acpi, write the ACPI tables at LAYOUT_ACPI (after the devices exist: the DSDT lists
 * the virtio-mmio windows) and set *rsdp_gpa for start_info's rsdp_paddr or the zero page's
 * acpi_rsdp_addr; without, set it to 0. Also writes --acpi-dump's files (boot_acpi.c).
 */
int boot_write_acpi(struct vm *vm, uint64_t *rsdp_gpa, struct error *err);

#endif
