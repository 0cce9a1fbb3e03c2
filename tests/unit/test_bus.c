/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port-I/O and MMIO dispatch: registration refuses overlaps and bad ranges, accesses reach
 * the right device at the right offset, and nothing-there reads all ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "core/bus.h"

/* A device that records its last access and answers reads with a fixed pattern. */
struct recorder {
	unsigned calls;
	uint64_t offset;
	uint32_t len;
	bool is_write;
	uint8_t written[8];
	uint8_t answer;
};

static void record_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			  bool is_write)
{
	struct recorder *r = opaque;
	r->calls++;
	r->offset = offset;
	r->len = len;
	r->is_write = is_write;
	if (is_write)
		memcpy(r->written, data, len);
	else
		memset(data, r->answer, len);
}

struct fixture {
	struct bus bus;
	struct recorder a, b;
	struct error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	f->bus.name = "port";
	f->a.answer = 0xa1;
	f->b.answer = 0xb2;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void reg(struct fixture *f, uint64_t base, uint64_t len, struct recorder *r,
		const char *name)
{
	if (bus_register(&f->bus, base, len, record_access, r, name, &f->err) != 0)
		fail_msg("bus_register(%s): %s", name, f->err.msg);
}

static void assert_register_fails(struct fixture *f, uint64_t base, uint64_t len,
				  const char *reason)
{
	unsigned count = f->bus.count;
	if (bus_register(&f->bus, base, len, record_access, &f->b, "newdev", &f->err) != -1)
		fail_msg("0x%llx+0x%llx registered; expected '%s'", (unsigned long long)base,
			 (unsigned long long)len, reason);
	assert_msg_contains(f->err.msg, reason);
	assert_int_equal(f->bus.count, count);
}

/* ------------------------------------------------------------------------ dispatch */

static void test_dispatch_read_write(void **state)
{
	struct fixture *f = *state;
	reg(f, 0x3f8, 8, &f->a, "COM1");
	reg(f, 0x60, 1, &f->b, "i8042-data");

	uint8_t data[4] = { 0x41, 0x42, 0x43, 0x44 };
	assert_true(bus_dispatch(&f->bus, 0x3fb, data, 1, true));
	assert_int_equal(f->a.calls, 1);
	assert_int_equal(f->a.offset, 3); /* relative to the region base */
	assert_int_equal(f->a.len, 1);
	assert_true(f->a.is_write);
	assert_int_equal(f->a.written[0], 0x41);

	memset(data, 0, sizeof(data));
	assert_true(bus_dispatch(&f->bus, 0x3f8, data, 2, false));
	assert_int_equal(f->a.calls, 2);
	assert_int_equal(f->a.offset, 0);
	assert_int_equal(f->a.len, 2);
	assert_false(f->a.is_write);
	assert_int_equal(data[0], 0xa1);
	assert_int_equal(data[1], 0xa1);
	assert_int_equal(data[2], 0);

	assert_true(bus_dispatch(&f->bus, 0x60, data, 1, false));
	assert_int_equal(f->b.calls, 1);
	assert_int_equal(data[0], 0xb2);
	assert_int_equal(f->a.calls, 2); /* the other device saw nothing */
}

static void test_region_edges(void **state)
{
	struct fixture *f = *state;
	reg(f, 0x1000, 0x10, &f->a, "dev");
	uint8_t data[8];
	assert_true(bus_dispatch(&f->bus, 0x100f, data, 1, false)); /* last byte */
	assert_int_equal(f->a.offset, 0xf);
	assert_true(bus_dispatch(&f->bus, 0x100c, data, 4, false)); /* last dword */
	assert_int_equal(f->a.offset, 0xc);
	unsigned calls = f->a.calls;
	assert_false(bus_dispatch(&f->bus, 0x1010, data, 1, false)); /* one past */
	assert_false(bus_dispatch(&f->bus, 0x0fff, data, 1, false)); /* one before */
	assert_false(bus_dispatch(&f->bus, 0x0fff, data, 2, false)); /* straddles the start */
	assert_false(bus_dispatch(&f->bus, 0x100e, data, 4, false)); /* straddles the end */
	assert_false(bus_dispatch(&f->bus, 0x100d, data, 4, false)); /* by one byte */
	assert_false(bus_dispatch(&f->bus, 0x100f, data, 2, false));
	assert_false(bus_dispatch(&f->bus, 0x100c, data, 8, false));
	assert_int_equal(f->a.calls, calls);
}

static void test_unmapped_read_is_all_ones(void **state)
{
	struct fixture *f = *state;
	reg(f, 0x3f8, 8, &f->a, "COM1");
	uint8_t data[8] = { 0 };
	assert_false(bus_dispatch(&f->bus, 0x80, data, 4, false));
	assert_int_equal(data[0] & data[1] & data[2] & data[3], 0xff);
	assert_int_equal(data[4], 0); /* only len bytes */
	assert_int_equal(f->a.calls, 0);
}

static void test_unmapped_write_dropped(void **state)
{
	struct fixture *f = *state;
	reg(f, 0x3f8, 8, &f->a, "COM1");
	uint8_t data[4] = { 1, 2, 3, 4 };
	assert_false(bus_dispatch(&f->bus, 0x80, data, 4, true));
	assert_memory_equal(data, ((uint8_t[]){ 1, 2, 3, 4 }), 4); /* the caller's bytes kept */
	assert_int_equal(f->a.calls, 0);
}

static void test_empty_bus(void **state)
{
	struct fixture *f = *state;
	uint8_t data[2] = { 0, 0 };
	assert_false(bus_dispatch(&f->bus, 0, data, 2, false));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0xff);
}

static void test_high_mmio_addresses(void **state)
{
	struct fixture *f = *state;
	f->bus.name = "mmio";
	reg(f, 0xfeb00000, 0x200, &f->a, "virtio0");
	reg(f, 0xfeb00200, 0x200, &f->b, "virtio1"); /* adjacent is fine */
	reg(f, 0x100000000ull, 0x1000, &f->a, "above-4g");
	uint8_t data[4];
	assert_true(bus_dispatch(&f->bus, 0xfeb00204, data, 4, false));
	assert_int_equal(f->b.offset, 4);
	assert_true(bus_dispatch(&f->bus, 0x100000ffcull, data, 4, true));
	assert_int_equal(f->a.offset, 0xffc);
	/* an address far below every base must not wrap into a region */
	assert_false(bus_dispatch(&f->bus, 0x10, data, 4, false));
	assert_false(bus_dispatch(&f->bus, UINT64_MAX, data, 1, false));
}

/* ------------------------------------------------------------------------ registration */

static void test_overlaps_refused(void **state)
{
	struct fixture *f = *state;
	reg(f, 0x100, 0x10, &f->a, "first");
	assert_register_fails(f, 0x100, 0x10, "overlaps first");  /* same range */
	assert_register_fails(f, 0x10f, 0x1, "overlaps first");   /* last byte */
	assert_register_fails(f, 0xf0, 0x11, "overlaps first");   /* first byte */
	assert_register_fails(f, 0x104, 0x2, "overlaps first");   /* inside */
	assert_register_fails(f, 0x0, 0x1000, "overlaps first");  /* around */
	assert_register_fails(f, 0x108, 0x1, "newdev: port range"); /* names both */
	reg(f, 0xf0, 0x10, &f->b, "below"); /* adjacent on both sides is fine */
	reg(f, 0x110, 0x10, &f->b, "above");
	assert_int_equal(f->bus.count, 3);
}

static void test_bad_ranges_refused(void **state)
{
	struct fixture *f = *state;
	assert_register_fails(f, 0x100, 0, "bad port range");
	assert_register_fails(f, UINT64_MAX, 2, "bad port range"); /* wraps */
	assert_register_fails(f, 2, UINT64_MAX, "bad port range");
	assert_int_equal(f->bus.count, 0);
}

static void test_full_bus_refused(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < BUS_MAX_REGIONS; i++)
		reg(f, 0x1000 + i * 0x10, 0x10, &f->a, "dev");
	assert_register_fails(f, 0x10000, 0x10, "too many port devices");
	/* every one of them still dispatches */
	uint8_t data[1];
	assert_true(bus_dispatch(&f->bus, 0x1000 + (BUS_MAX_REGIONS - 1) * 0x10 + 3, data, 1,
				 false));
	assert_int_equal(f->a.offset, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dispatch_read_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_region_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_read_is_all_ones, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmapped_write_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_high_mmio_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlaps_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_ranges_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_bus_refused, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
