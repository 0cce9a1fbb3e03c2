/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gdb's breakpoint and watchpoint requests on the four x86 debug address registers (DR0-DR3)
 * and the DR7 control word that KVM_SET_GUEST_DEBUG loads, and back from a DR6 status to the
 * request that fired. Pure bookkeeping, no KVM calls.
 *
 * A watchpoint whose range is not one naturally aligned 1, 2, 4 or 8 byte piece is split into
 * several aligned pieces (a 4-byte watch at an odd address takes three slots); a request that
 * needs more slots than are free is refused whole. x86 has no read-only data breakpoint, so
 * there is no read type here: gdb falls back to an access watchpoint when Z3 is refused.
 */
#ifndef MILLIVM_DEBUG_GDB_DEBUGREGS_H
#define MILLIVM_DEBUG_GDB_DEBUGREGS_H

#include <stdbool.h>
#include <stdint.h>

#define GDB_DEBUG_SLOTS 4
#define GDB_WATCH_MAX_LEN (GDB_DEBUG_SLOTS * 8)

/* The Z packet types. */
enum gdb_break_type {
	GDB_BREAK_SOFTWARE = 0, /* Z0, when the host cannot trap int3 */
	GDB_BREAK_HARDWARE = 1, /* Z1 */
	GDB_WATCH_WRITE = 2,    /* Z2 */
	GDB_WATCH_READ = 3,     /* Z3: not on x86 */
	GDB_WATCH_ACCESS = 4,   /* Z4 */
};

struct gdb_debug_slot {
	bool used;
	uint8_t type;      /* enum gdb_break_type of the request */
	uint8_t len;       /* this piece: 1, 2, 4 or 8 bytes (1 for instructions) */
	uint16_t request;  /* pieces of one request share this number */
	uint64_t addr;     /* this piece */
	uint64_t req_addr; /* the whole request, as gdb gave it: reported in stop replies */
	uint64_t req_len;
};

struct gdb_debugregs {
	struct gdb_debug_slot slot[GDB_DEBUG_SLOTS];
	uint16_t next_request;
};

/* 0 on success; -1 if the request is malformed (type, length) or needs more free slots. */
int gdb_debugregs_insert(struct gdb_debugregs *d, enum gdb_break_type type, uint64_t addr,
			 uint64_t len);

/* Remove one request inserted with the same type, address and (for watchpoints) length;
 * -1 if there is none. */
int gdb_debugregs_remove(struct gdb_debugregs *d, enum gdb_break_type type, uint64_t addr,
			 uint64_t len);

void gdb_debugregs_clear(struct gdb_debugregs *d);
bool gdb_debugregs_empty(const struct gdb_debugregs *d);
unsigned gdb_debugregs_free(const struct gdb_debugregs *d);

/* debugreg[0..3] = addresses, debugreg[7] = control; the rest zero. */
void gdb_debugregs_encode(const struct gdb_debugregs *d, uint64_t debugreg[8]);

/* The slot whose DR6 B0-B3 bit is set, or NULL (e.g. only single-step, BS, fired). */
const struct gdb_debug_slot *gdb_debugregs_hit(const struct gdb_debugregs *d, uint64_t dr6);

#endif
