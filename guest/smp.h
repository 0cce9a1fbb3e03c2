/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Starting the application processors (smp.c, ap_trampoline.S): shared by the C side and the
 * assembly, so only constants outside __ASSEMBLER__.
 */
#ifndef REFGUEST_SMP_H
#define REFGUEST_SMP_H

/* The MP table holds up to 254 processors (design.md: APIC ids 0..253, the IOAPIC's is N). */
#define SMP_MAX_APS 253
/* Each AP runs one small C function: a quarter page is plenty and touches little memory. */
#define AP_STACK_SHIFT 10
#define AP_STACK_SIZE (1 << AP_STACK_SHIFT)
#define GDT_CODE32 0x18 /* entry.S's boot_gdt */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Called by each AP on its own stack with its arrival slot; ap_trampoline.S parks it after. */
void ap_main(uint32_t slot);
#endif

#endif
