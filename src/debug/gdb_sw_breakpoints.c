/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_sw_breakpoints.h"

#include "debug/page_walk.h"

static struct gdb_sw_breakpoint *find(struct gdb_sw_breakpoints *t, uint64_t addr)
{
	for (unsigned i = 0; i < t->count; i++)
		if (t->bp[i].addr == addr)
			return &t->bp[i];
	return NULL;
}

bool gdb_sw_breakpoint_at(const struct gdb_sw_breakpoints *t, uint64_t addr)
{
	for (unsigned i = 0; i < t->count; i++)
		if (t->bp[i].addr == addr)
			return true;
	return false;
}

int gdb_sw_breakpoint_insert(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			     const struct kvm_sregs *sregs, uint64_t addr)
{
	if (find(t, addr))
		return 0;
	uint64_t gpa;
	uint8_t *byte;
	if (t->count >= GDB_MAX_SW_BREAKPOINTS ||
	    guest_linear_to_phys(mem, sregs, addr, &gpa) < 0 || !(byte = gpa_range(mem, gpa, 1)))
		return -1;
	t->bp[t->count++] = (struct gdb_sw_breakpoint){ addr, gpa, *byte };
	*byte = X86_INT3;
	return 0;
}

static void restore(const struct guest_mem *mem, const struct gdb_sw_breakpoint *bp)
{
	uint8_t *byte = gpa_range(mem, bp->gpa, 1);
	if (byte)
		*byte = bp->saved;
}

int gdb_sw_breakpoint_remove(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			     uint64_t addr)
{
	struct gdb_sw_breakpoint *bp = find(t, addr);
	if (!bp)
		return -1;
	restore(mem, bp);
	*bp = t->bp[--t->count];
	return 0;
}

void gdb_sw_breakpoint_remove_all(struct gdb_sw_breakpoints *t, const struct guest_mem *mem)
{
	while (t->count)
		restore(mem, &t->bp[--t->count]);
}

/* Offset of bp inside [addr, addr + len), or -1 (linear addresses may wrap: compare offsets). */
static long offset_in(const struct gdb_sw_breakpoint *bp, uint64_t addr, size_t len)
{
	uint64_t off = bp->addr - addr;
	return off < len ? (long)off : -1;
}

void gdb_sw_breakpoint_hide(const struct gdb_sw_breakpoints *t, uint64_t addr, uint8_t *buf,
			    size_t len)
{
	for (unsigned i = 0; i < t->count; i++) {
		long off = offset_in(&t->bp[i], addr, len);
		if (off >= 0)
			buf[off] = t->bp[i].saved;
	}
}

void gdb_sw_breakpoint_rewrite(struct gdb_sw_breakpoints *t, const struct guest_mem *mem,
			       uint64_t addr, const uint8_t *data, size_t len)
{
	for (unsigned i = 0; i < t->count; i++) {
		long off = offset_in(&t->bp[i], addr, len);
		uint8_t *byte = gpa_range(mem, t->bp[i].gpa, 1);
		if (off < 0 || !byte)
			continue;
		t->bp[i].saved = data[off];
		*byte = X86_INT3;
	}
}
