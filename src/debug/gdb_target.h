/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the protocol asks of the VM, on parked vCPUs only: registers (KVM_GET/SET_REGS, SREGS,
 * FPU), memory by the guest's linear addresses (translated through the vCPU's current paging;
 * physical when paging is off), breakpoints and watchpoints, and resuming with
 * KVM_SET_GUEST_DEBUG set for each vCPU.
 */
#ifndef MILLIVM_DEBUG_GDB_TARGET_H
#define MILLIVM_DEBUG_GDB_TARGET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/gdb_stub_state.h"

#define GDB_SIGINT 2
#define GDB_SIGTRAP 5

enum gdb_stop_reason {
	GDB_STOP_SIGNAL,  /* single-step, interrupt, attach */
	GDB_STOP_SWBREAK, /* a Z0 breakpoint */
	GDB_STOP_HWBREAK, /* a Z1 breakpoint */
	GDB_STOP_WATCH,   /* a Z2 write watchpoint */
	GDB_STOP_AWATCH,  /* a Z4 access watchpoint */
};

/* A stop as the stop reply reports it. */
struct gdb_stop {
	unsigned vcpu;
	int signal;
	enum gdb_stop_reason reason;
	uint64_t watch_addr;
};

int gdb_target_get_state(struct gdbstub *s, unsigned vcpu, struct gdb_cpu_state *state);
int gdb_target_put_state(struct gdbstub *s, unsigned vcpu, const struct gdb_cpu_state *state,
			 unsigned dirty);

/* Bytes read or written from the start, stopping at the first page that is not guest RAM. */
size_t gdb_target_read_memory(struct gdbstub *s, unsigned vcpu, uint64_t addr, uint8_t *buf,
			      size_t len);
size_t gdb_target_write_memory(struct gdbstub *s, unsigned vcpu, uint64_t addr,
			       const uint8_t *buf, size_t len);

enum gdb_z_result {
	GDB_Z_OK,
	GDB_Z_UNSUPPORTED, /* empty reply: gdb may fall back (Z3 to Z4) or tell the user */
	GDB_Z_ERROR,       /* no free debug register, bad address */
};

enum gdb_z_result gdb_target_insert_break(struct gdbstub *s, unsigned vcpu, unsigned type,
					  uint64_t addr, uint64_t kind);
enum gdb_z_result gdb_target_remove_break(struct gdbstub *s, unsigned type, uint64_t addr,
					  uint64_t kind);
void gdb_target_remove_all_breaks(struct gdbstub *s);

/* Load each vCPU's guest-debug state for its action, then let the vCPUs go. */
void gdb_target_resume(struct gdbstub *s, const enum gdb_action *actions);

/* Turn a debug exit into a stop reply. False when it is not the debugger's: the guest's own
 * int3, which is handed back to the guest on the next resume. */
bool gdb_target_classify(struct gdbstub *s, const struct gdb_stop_event *event,
			 struct gdb_stop *stop);

#endif
