/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Software breakpoints (Z0) as int3 bytes written into guest RAM, for hosts where an int3
 * executed by the guest traps to the monitor (KVM_GUESTDBG_USE_SW_BP; see gdb_host_probe.h).
 * Addresses are linear, translated through the guest's paging when the breakpoint is set;
 * memory reads hide the int3 bytes and writes over them update the saved byte instead.
 */
#ifndef MILLIVM_DEBUG_GDB_SW_BREAKPOINTS_H
#define MILLIVM_DEBUG_GDB_SW_BREAKPOINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/guest_mem.h"

#define GDB_MAX_SW_BREAKPOINTS 64
#define X86_INT3 0xcc

struct gdb_sw_breakpoint {
	uint64_t addr; /* linear, as gdb gave it */
	uint64_t gpa;
	uint8_t saved; /* the byte the int3 replaced */
};

struct gdb_sw_breakpoints {
	struct gdb_sw_breakpoint bp[GDB_MAX_SW_BREAKPOINTS];
	unsigned count;
};

/* 0 on success (also if one is already there); -1 if the address is not in guest RAM through
 * the current paging, or the table is full. */
int gdb_sw_breakpoint_insert(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			     const struct kvm_sregs *sregs, uint64_t addr);

/* Put the saved byte back; -1 if there is no breakpoint at addr. */
int gdb_sw_breakpoint_remove(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			     uint64_t addr);

void gdb_sw_breakpoint_remove_all(struct gdb_sw_breakpoints *t, const struct guest_mem *mem);

bool gdb_sw_breakpoint_at(const struct gdb_sw_breakpoints *t, uint64_t addr);

/* buf holds len bytes read at linear addr: show the saved bytes instead of our int3s. */
void gdb_sw_breakpoint_hide(const struct gdb_sw_breakpoints *t, uint64_t addr, uint8_t *buf,
			    size_t len);

/* len bytes were just written at linear addr: keep what was written as the saved bytes and
 * put the int3s back. */
void gdb_sw_breakpoint_rewrite(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			       uint64_t addr, const uint8_t *data, size_t len);

#endif
