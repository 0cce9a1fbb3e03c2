/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The small fixed-function devices of the platform (design.md section 3): the i8042 reset
 * line, the debug-exit port, the Firecracker boot timer, the guest trace port and, with --acpi,
 * the ACPI power-off and reset registers.
 */
#ifndef MILLIVM_PLATFORM_H
#define MILLIVM_PLATFORM_H

#include "core/error.h"
#include "core/vm.h"

int i8042_create(struct vm *vm, struct error *err);
/* Queue the Ctrl-Alt-Del make codes and raise IRQ 1 (API SendCtrlAltDel); -1 if the
 * guest left the keyboard buffer full. Any thread. */
int i8042_send_ctrl_alt_del(struct vm *vm);
int debug_exit_create(struct vm *vm, struct error *err);
int boot_timer_create(struct vm *vm, struct error *err);
/* --acpi: the sleep control/status and reset registers the FADT names (acpi_pm.c). */
int acpi_pm_create(struct vm *vm, struct error *err);

#endif
