/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Breakpoint bookkeeping of the gdb stub: requests on the four debug registers and the DR7
 * word KVM gets (gdb_debugregs.c), and int3 breakpoints in a fake guest RAM
 * (gdb_sw_breakpoints.c). No KVM needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/guest_mem.h"
#include "fake_ram.h"
#include "debug/gdb_debugregs.h"
#include "debug/gdb_sw_breakpoints.h"

#define DR7_G(i) (2ull << (2 * (i)))
#define DR7_RW(dr7, i) (((dr7) >> (16 + 4 * (i))) & 3)
#define DR7_LEN(dr7, i) (((dr7) >> (18 + 4 * (i))) & 3)

/* ------------------------------------------------------------------------ debug registers */

static void test_instruction_breakpoint(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	uint64_t dr[8];
	gdb_debugregs_clear(&d);
	assert_true(gdb_debugregs_empty(&d));
	assert_int_equal(gdb_debugregs_insert(&d, GDB_BREAK_HARDWARE, 0x100243, 1), 0);
	gdb_debugregs_encode(&d, dr);
	assert_int_equal(dr[0], 0x100243);
	assert_true(dr[7] & DR7_G(0));
	assert_int_equal(DR7_RW(dr[7], 0), 0);  /* execute */
	assert_int_equal(DR7_LEN(dr[7], 0), 0); /* must be 0 for instructions */
	assert_true(dr[7] & 0x400);             /* bit 10 always set */
	assert_false(dr[7] & (DR7_G(1) | DR7_G(2) | DR7_G(3)));
	assert_int_equal(dr[6], 0);
}

static void test_slots_run_out(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	gdb_debugregs_clear(&d);
	for (uint64_t i = 0; i < GDB_DEBUG_SLOTS; i++)
		assert_int_equal(gdb_debugregs_insert(&d, i % 2 ? GDB_BREAK_SOFTWARE
								: GDB_BREAK_HARDWARE,
						      0x1000 + i, 1),
				 0);
	assert_int_equal(gdb_debugregs_free(&d), 0);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_BREAK_HARDWARE, 0x2000, 1), -1);
	/* z0 and z1 are told apart: removing a Z1 as a Z0 fails. */
	assert_int_equal(gdb_debugregs_remove(&d, GDB_BREAK_SOFTWARE, 0x1000, 1), -1);
	assert_int_equal(gdb_debugregs_remove(&d, GDB_BREAK_HARDWARE, 0x1000, 1), 0);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_BREAK_HARDWARE, 0x2000, 1), 0);
	assert_int_equal(gdb_debugregs_remove(&d, GDB_BREAK_HARDWARE, 0x3000, 1), -1);
}

static void test_watchpoint_encoding(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	uint64_t dr[8];
	gdb_debugregs_clear(&d);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x2000, 4), 0);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_ACCESS, 0x3008, 8), 0);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x4002, 2), 0);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_ACCESS, 0x5001, 1), 0);
	gdb_debugregs_encode(&d, dr);
	assert_int_equal(dr[0], 0x2000);
	assert_int_equal(DR7_RW(dr[7], 0), 1);  /* write */
	assert_int_equal(DR7_LEN(dr[7], 0), 3); /* 4 bytes */
	assert_int_equal(dr[1], 0x3008);
	assert_int_equal(DR7_RW(dr[7], 1), 3);  /* read or write */
	assert_int_equal(DR7_LEN(dr[7], 1), 2); /* 8 bytes */
	assert_int_equal(DR7_LEN(dr[7], 2), 1); /* 2 bytes */
	assert_int_equal(DR7_LEN(dr[7], 3), 0); /* 1 byte */
	assert_true((dr[7] & 0xff) == (DR7_G(0) | DR7_G(1) | DR7_G(2) | DR7_G(3)));
}

static void test_unaligned_watchpoint_is_split(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	uint64_t dr[8];
	gdb_debugregs_clear(&d);
	/* 4 bytes at 0x1001: 1 @0x1001, 2 @0x1002, 1 @0x1004. */
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x1001, 4), 0);
	assert_int_equal(gdb_debugregs_free(&d), 1);
	gdb_debugregs_encode(&d, dr);
	assert_int_equal(dr[0], 0x1001);
	assert_int_equal(dr[1], 0x1002);
	assert_int_equal(DR7_LEN(dr[7], 1), 1);
	assert_int_equal(dr[2], 0x1004);
	/* A hit on any piece reports the whole request. */
	const struct gdb_debug_slot *hit = gdb_debugregs_hit(&d, 1u << 2);
	assert_non_null(hit);
	assert_int_equal(hit->req_addr, 0x1001);
	assert_int_equal(hit->req_len, 4);
	/* Two more pieces do not fit in one slot: refused whole, nothing changes. */
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x2003, 2), -1);
	assert_int_equal(gdb_debugregs_free(&d), 1);
	/* Removing needs the same length, and frees every piece. */
	assert_int_equal(gdb_debugregs_remove(&d, GDB_WATCH_WRITE, 0x1001, 2), -1);
	assert_int_equal(gdb_debugregs_remove(&d, GDB_WATCH_WRITE, 0x1001, 4), 0);
	assert_true(gdb_debugregs_empty(&d));
	/* 32 aligned bytes take all four slots. */
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_ACCESS, 0x8000, 32), 0);
	assert_int_equal(gdb_debugregs_free(&d), 0);
}

static void test_bad_requests(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	gdb_debugregs_clear(&d);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x1000, 0), -1);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x1000, 33), -1);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_READ, 0x1000, 4), -1);
	assert_int_equal(gdb_debugregs_insert(&d, (enum gdb_break_type)7, 0x1000, 1), -1);
	assert_int_equal(gdb_debugregs_insert(&d, GDB_WATCH_WRITE, UINT64_MAX - 1, 4), -1);
	assert_true(gdb_debugregs_empty(&d));
}

static void test_hit_from_dr6(void **state)
{
	(void)state;
	struct gdb_debugregs d;
	gdb_debugregs_clear(&d);
	gdb_debugregs_insert(&d, GDB_BREAK_HARDWARE, 0x100, 1);
	gdb_debugregs_insert(&d, GDB_WATCH_WRITE, 0x200, 4);
	assert_int_equal(gdb_debugregs_hit(&d, 0xffff0ff1)->type, GDB_BREAK_HARDWARE);
	assert_int_equal(gdb_debugregs_hit(&d, 0xffff0ff2)->type, GDB_WATCH_WRITE);
	assert_null(gdb_debugregs_hit(&d, 0xffff4ff0)); /* BS: single-step only */
	assert_null(gdb_debugregs_hit(&d, 0xffff0ff8)); /* B3: slot not in use */
}

/* ------------------------------------------------------------------------ int3 breakpoints */

#define RAM_SIZE MiB(8)

struct fixture {
	struct guest_mem mem;
	struct kvm_sregs sregs; /* paging off: linear = physical */
	struct gdb_sw_breakpoints bps;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || fake_guest_ram_alloc(&f->mem, RAM_SIZE) < 0) {
		free(f);
		return -1;
	}
	f->sregs.cr0 = 0x11;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fake_guest_ram_free(&f->mem);
	free(f);
	return 0;
}

static void test_int3_insert_remove(void **state)
{
	struct fixture *f = *state;
	f->mem.host[0x100000] = 0x90;
	assert_int_equal(gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0x100000), 0);
	assert_int_equal(f->mem.host[0x100000], X86_INT3);
	assert_true(gdb_sw_breakpoint_at(&f->bps, 0x100000));
	assert_false(gdb_sw_breakpoint_at(&f->bps, 0x100001));
	/* Inserting twice is harmless; the saved byte stays the original. */
	assert_int_equal(gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0x100000), 0);
	assert_int_equal(f->bps.count, 1);
	assert_int_equal(gdb_sw_breakpoint_remove(&f->bps, &f->mem, 0x100000), 0);
	assert_int_equal(f->mem.host[0x100000], 0x90);
	assert_int_equal(gdb_sw_breakpoint_remove(&f->bps, &f->mem, 0x100000), -1);
	/* Outside RAM (the MMIO hole, beyond -m): refused. */
	assert_int_equal(gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0xfee00000), -1);
	assert_int_equal(gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, RAM_SIZE), -1);
}

static void test_int3_hidden_from_reads(void **state)
{
	struct fixture *f = *state;
	memcpy(f->mem.host + 0x2000, "\x55\x48\x89\xe5", 4);
	gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0x2001);
	uint8_t buf[4];
	memcpy(buf, f->mem.host + 0x2000, 4);
	assert_int_equal(buf[1], X86_INT3);
	gdb_sw_breakpoint_hide(&f->bps, 0x2000, buf, 4);
	assert_memory_equal(buf, "\x55\x48\x89\xe5", 4);
	/* A read that does not cover the breakpoint is left alone. */
	memcpy(buf, f->mem.host + 0x2002, 2);
	gdb_sw_breakpoint_hide(&f->bps, 0x2002, buf, 2);
	assert_memory_equal(buf, "\x89\xe5", 2);
	/* A write over it updates the saved byte and keeps the int3 in memory. */
	memcpy(f->mem.host + 0x2000, "\x90\x90\x90\x90", 4);
	gdb_sw_breakpoint_rewrite(&f->bps, &f->mem, 0x2000, (const uint8_t *)"\x90\x90\x90\x90", 4);
	assert_int_equal(f->mem.host[0x2001], X86_INT3);
	gdb_sw_breakpoint_remove_all(&f->bps, &f->mem);
	assert_int_equal(f->mem.host[0x2001], 0x90);
	assert_int_equal(f->bps.count, 0);
}

static void test_int3_table_full(void **state)
{
	struct fixture *f = *state;
	for (uint64_t i = 0; i < GDB_MAX_SW_BREAKPOINTS; i++)
		assert_int_equal(
			gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0x3000 + i), 0);
	assert_int_equal(gdb_sw_breakpoint_insert(&f->bps, &f->mem, &f->sregs, 0x4000), -1);
	gdb_sw_breakpoint_remove_all(&f->bps, &f->mem);
	for (uint64_t i = 0; i < GDB_MAX_SW_BREAKPOINTS; i++)
		assert_int_equal(f->mem.host[0x3000 + i], 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instruction_breakpoint),
		cmocka_unit_test(test_slots_run_out),
		cmocka_unit_test(test_watchpoint_encoding),
		cmocka_unit_test(test_unaligned_watchpoint_is_split),
		cmocka_unit_test(test_bad_requests),
		cmocka_unit_test(test_hit_from_dr6),
		cmocka_unit_test_setup_teardown(test_int3_insert_remove, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int3_hidden_from_reads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_int3_table_full, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
