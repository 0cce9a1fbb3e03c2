/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_debugregs.h"

#include <string.h>

/* DR7: bit 10 reads as 1; GE (bit 9) asks for exact data breakpoint reporting. */
#define DR7_FIXED 0x400ull
#define DR7_GE 0x200ull
#define DR7_GLOBAL_ENABLE(i) (2ull << (2 * (i)))
#define DR7_RW_SHIFT(i) (16 + 4 * (i))
#define DR7_LEN_SHIFT(i) (18 + 4 * (i))
#define DR7_RW_EXECUTE 0ull
#define DR7_RW_WRITE 1ull
#define DR7_RW_ACCESS 3ull

static bool is_watch(enum gdb_break_type type)
{
	return type == GDB_WATCH_WRITE || type == GDB_WATCH_ACCESS;
}

/* Largest naturally aligned piece (8, 4, 2 or 1 bytes) starting at addr, at most left long. */
static unsigned piece_len(uint64_t addr, uint64_t left)
{
	unsigned len = 8;
	while (len > 1 && ((addr & (len - 1)) || len > left))
		len /= 2;
	return len;
}

static unsigned pieces_needed(uint64_t addr, uint64_t len)
{
	unsigned n = 0;
	for (uint64_t done = 0; done < len; n++)
		done += piece_len(addr + done, len - done);
	return n;
}

unsigned gdb_debugregs_free(const struct gdb_debugregs *d)
{
	unsigned n = 0;
	for (unsigned i = 0; i < GDB_DEBUG_SLOTS; i++)
		n += !d->slot[i].used;
	return n;
}

static struct gdb_debug_slot *free_slot(struct gdb_debugregs *d)
{
	for (unsigned i = 0; i < GDB_DEBUG_SLOTS; i++)
		if (!d->slot[i].used)
			return &d->slot[i];
	return NULL;
}

int gdb_debugregs_insert(struct gdb_debugregs *d, enum gdb_break_type type, uint64_t addr,
			 uint64_t len)
{
	if (type == GDB_BREAK_SOFTWARE || type == GDB_BREAK_HARDWARE)
		len = 1; /* gdb's "kind" is the instruction size; the CPU wants LEN = 0 */
	else if (!is_watch(type) || len == 0 || len > GDB_WATCH_MAX_LEN || addr + len < addr)
		return -1;
	if (pieces_needed(addr, len) > gdb_debugregs_free(d))
		return -1;
	uint16_t request = ++d->next_request;
	for (uint64_t done = 0; done < len;) {
		struct gdb_debug_slot *s = free_slot(d);
		unsigned n = piece_len(addr + done, len - done);
		*s = (struct gdb_debug_slot){
			.used = true,
			.type = (uint8_t)type,
			.len = (uint8_t)n,
			.request = request,
			.addr = addr + done,
			.req_addr = addr,
			.req_len = len,
		};
		done += n;
	}
	return 0;
}

int gdb_debugregs_remove(struct gdb_debugregs *d, enum gdb_break_type type, uint64_t addr,
			 uint64_t len)
{
	for (unsigned i = 0; i < GDB_DEBUG_SLOTS; i++) {
		struct gdb_debug_slot *s = &d->slot[i];
		if (!s->used || s->type != type || s->req_addr != addr ||
		    (is_watch(type) && s->req_len != len))
			continue;
		uint16_t request = s->request;
		for (unsigned j = 0; j < GDB_DEBUG_SLOTS; j++)
			if (d->slot[j].used && d->slot[j].request == request)
				d->slot[j].used = false;
		return 0;
	}
	return -1;
}

void gdb_debugregs_clear(struct gdb_debugregs *d)
{
	memset(d, 0, sizeof(*d));
}

bool gdb_debugregs_empty(const struct gdb_debugregs *d)
{
	return gdb_debugregs_free(d) == GDB_DEBUG_SLOTS;
}

static uint64_t len_bits(unsigned len)
{
	switch (len) {
	case 2:
		return 1;
	case 8:
		return 2;
	case 4:
		return 3;
	}
	return 0;
}

void gdb_debugregs_encode(const struct gdb_debugregs *d, uint64_t debugreg[8])
{
	memset(debugreg, 0, 8 * sizeof(debugreg[0]));
	uint64_t dr7 = DR7_FIXED | DR7_GE;
	for (unsigned i = 0; i < GDB_DEBUG_SLOTS; i++) {
		const struct gdb_debug_slot *s = &d->slot[i];
		if (!s->used)
			continue;
		uint64_t rw = DR7_RW_EXECUTE;
		if (s->type == GDB_WATCH_WRITE)
			rw = DR7_RW_WRITE;
		else if (s->type == GDB_WATCH_ACCESS)
			rw = DR7_RW_ACCESS;
		uint64_t len = rw == DR7_RW_EXECUTE ? 0 : len_bits(s->len);
		debugreg[i] = s->addr;
		dr7 |= DR7_GLOBAL_ENABLE(i) | rw << DR7_RW_SHIFT(i) | len << DR7_LEN_SHIFT(i);
	}
	debugreg[7] = dr7;
}

const struct gdb_debug_slot *gdb_debugregs_hit(const struct gdb_debugregs *d, uint64_t dr6)
{
	for (unsigned i = 0; i < GDB_DEBUG_SLOTS; i++)
		if (d->slot[i].used && (dr6 & (1ull << i)))
			return &d->slot[i];
	return NULL;
}
