/* SPDX-License-Identifier: BSD-2-Clause */
/* The CPU state a kernel is entered with. */
#ifndef MILLIVM_BOOT_CPU_H
#define MILLIVM_BOOT_CPU_H

#include <stdint.h>

#include <linux/kvm.h>

/*
 * PVH entry (design.md section 1): 32-bit protected mode, paging off, flat 4 GiB code and
 * data segments (limit 0xffffffff with G=1), a busy 32-bit TSS, CR0 = PE|ET, CR4 = EFER = 0.
 * Only the fields the ABI fixes are changed; the rest of *sregs is kept (APIC base, ...).
 */
void pvh_entry_sregs(struct kvm_sregs *sregs);

/* EIP = entry, EBX = start_info, EFLAGS = bit 1 only; all else zero. */
void pvh_entry_regs(struct kvm_regs *regs, uint32_t entry, uint32_t start_info);

#endif
