/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Power-off and reset for ACPI guests (--acpi). A hardware-reduced FADT has no PM1 control
 * block; it names a sleep control register, a sleep status register and a reset register
 * instead (src/x86/acpi.c points them at these three I/O ports, include/millivm/abi.h):
 *
 *   ACPI_SLEEP_CONTROL_PORT  write SLP_EN | SLP_TYP << 2: with the DSDT's \_S5 type (5) the
 *                            machine powers off; millivm exits with status 0. Other sleep
 *                            states are not offered (no \_S1-\_S4) and are ignored.
 *   ACPI_SLEEP_STATUS_PORT   reads 0 (WAK_STS clear: nothing ever sleeps); writes ignored.
 *   ACPI_RESET_PORT          ACPI_RESET_VALUE resets the machine: exit status 0, as the i8042
 *                            reset and Firecracker do.
 *
 * Linux's poweroff and reboot (reboot=acpi is its first choice) land here.
 */
#include "devices/platform.h"

#include <string.h>

#include "millivm/abi.h"

#define ACPI_PM_PORTS (ACPI_RESET_PORT - ACPI_SLEEP_CONTROL_PORT + 1)

static void acpi_pm_write(struct vm *vm, uint16_t port, uint8_t value)
{
	switch (port) {
	case ACPI_SLEEP_CONTROL_PORT:
		if ((value & ACPI_SLP_EN) &&
		    (value & ACPI_SLP_TYP_MASK) >> ACPI_SLP_TYP_SHIFT == ACPI_S5_SLP_TYP)
			vm_request_exit(vm, 0);
		break;
	case ACPI_RESET_PORT:
		if (value == ACPI_RESET_VALUE)
			vm_request_exit(vm, 0);
		break;
	default:
		break; /* the sleep status register: writing WAK_STS clears nothing we keep */
	}
}

static void acpi_pm_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			   bool is_write)
{
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	/* Byte registers: a wider access covers the next ports too. */
	for (uint32_t i = 0; i < len && offset + i < ACPI_PM_PORTS; i++)
		acpi_pm_write(opaque, (uint16_t)(ACPI_SLEEP_CONTROL_PORT + offset + i), data[i]);
}

int acpi_pm_create(struct vm *vm, struct error *err)
{
	return bus_register(&vm->pio, ACPI_SLEEP_CONTROL_PORT, ACPI_PM_PORTS, acpi_pm_access, vm,
			    "acpi-pm", err);
}
