/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a PVH kernel is handed (design.md sections 2 and 3): the memory map for small and
 * large guests, hvm_start_info field by field, the module list for an initrd, the command
 * line and its limit, and where the initrd goes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "boot/file_reader.h"
#include "boot/initrd.h"
#include "boot/memmap.h"
#include "boot/pvh_start_info.h"
#include "core/guest_mem.h"
#include "millivm/abi.h"
#include "millivm/layout.h"

#define PAGE 4096ull
#define EBDA_HOLE (LAYOUT_HIMEM_START - LAYOUT_EBDA_START) /* reserved below 1 MiB */

/* Guest RAM the way the monitor maps it: lazily, so 8 GiB costs only the pages touched. */
static void ram_alloc(struct guest_mem *mem, uint64_t size)
{
	if (guest_mem_alloc(mem, size) < 0)
		fail_msg("cannot map %llu MiB", (unsigned long long)(size >> 20));
}

/* ------------------------------------------------------------------------ memory map */

struct region {
	uint64_t addr, size;
	uint32_t type;
};

static void assert_entry(const struct hvm_memmap_table_entry *e, const struct region *want)
{
	if (e->addr != want->addr || e->size != want->size || e->type != want->type)
		fail_msg("entry [0x%llx +0x%llx type %u], expected [0x%llx +0x%llx type %u]",
			 (unsigned long long)e->addr, (unsigned long long)e->size, e->type,
			 (unsigned long long)want->addr, (unsigned long long)want->size,
			 want->type);
	assert_int_equal(e->reserved, 0);
}

/* The map for mem_size: the fixed low part, low RAM up to high_start, and the rest at 4 GiB. */
static void check_memmap(uint64_t mem_size)
{
	struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX];
	memset(map, 0xa5, sizeof(map));
	size_t n = memmap_build(mem_size, map, LAYOUT_MEMMAP_MAX);
	uint64_t low_end = mem_size < GiB(3) ? mem_size : GiB(3);
	const struct region want[] = {
		{ 0, 0x9fc00, HVM_MEMMAP_RAM },
		{ 0x9fc00, 0x100000 - 0x9fc00, HVM_MEMMAP_RESERVED },
		{ 0x100000, low_end - 0x100000, HVM_MEMMAP_RAM },
		{ GiB(4), mem_size - low_end, HVM_MEMMAP_RAM },
	};
	size_t want_n = mem_size > GiB(3) ? 4 : 3;
	assert_int_equal(n, want_n);
	uint64_t ram = 0;
	for (size_t i = 0; i < n; i++) {
		assert_entry(&map[i], &want[i]);
		if (map[i].type == HVM_MEMMAP_RAM)
			ram += map[i].size;
		if (i > 0) /* sorted, no overlap */
			assert_true(map[i].addr >= map[i - 1].addr + map[i - 1].size);
	}
	/* every byte of RAM is in the map except the reserved EBDA..1 MiB window */
	assert_int_equal(ram, mem_size - EBDA_HOLE);
}

static void test_memmap_64m(void **state)
{
	(void)state;
	check_memmap(MiB(64));
}

static void test_memmap_256m(void **state)
{
	(void)state;
	check_memmap(MiB(256));
}

static void test_memmap_3g(void **state)
{
	(void)state;
	check_memmap(GiB(3)); /* RAM ends exactly at the hole: no high RAM */
}

static void test_memmap_3g_plus_page(void **state)
{
	(void)state;
	check_memmap(GiB(3) + PAGE);
}

static void test_memmap_4g(void **state)
{
	(void)state;
	check_memmap(GiB(4)); /* 1 GiB moved above the hole */
}

static void test_memmap_8g(void **state)
{
	(void)state;
	check_memmap(GiB(8));
}

static void test_memmap_refusals(void **state)
{
	(void)state;
	struct hvm_memmap_table_entry map[4];
	assert_int_equal(memmap_build(MiB(256), map, 3), 0); /* no room for 4 */
	assert_int_equal(memmap_build(MiB(1), map, 4), 0);   /* nothing above 1 MiB */
	assert_int_equal(memmap_build(0, map, 4), 0);
	assert_int_equal(memmap_build(MiB(1) + PAGE, map, 4), 3);
	assert_int_equal(map[2].size, PAGE);
}

/* ------------------------------------------------------------------------ start_info */

struct fixture {
	struct guest_mem mem;
	struct error err;
	uint64_t si_gpa;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || guest_mem_alloc(&f->mem, MiB(256)) < 0) {
		free(f);
		return -1;
	}
	/* garbage where the tables go: the writer must not rely on zeroed RAM */
	memset(f->mem.host, 0x5c, MiB(1));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	guest_mem_free(&f->mem);
	free(f);
	return 0;
}

static const struct hvm_start_info *start_info_at(const struct guest_mem *mem, uint64_t gpa)
{
	const struct hvm_start_info *si = gpa_range(mem, gpa, sizeof(*si));
	assert_non_null(si);
	return si;
}

static const char *guest_string(const struct guest_mem *mem, uint64_t gpa)
{
	assert_int_not_equal(gpa, 0);
	const char *s = gpa_range(mem, gpa, 1);
	assert_non_null(s);
	/* NUL-terminated within the command-line area and inside RAM */
	assert_non_null(memchr(s, '\0', LAYOUT_CMDLINE_MAX));
	return s;
}

static void write_start_info(struct fixture *f, const struct pvh_boot_info *info)
{
	f->si_gpa = 0;
	int rc = pvh_write_start_info(&f->mem, info, &f->si_gpa, &f->err);
	if (rc != 0)
		fail_msg("pvh_write_start_info: %s", f->err.msg);
	assert_int_equal(f->si_gpa, LAYOUT_START_INFO);
}

static void assert_memmap_in_guest(const struct guest_mem *mem, const struct hvm_start_info *si)
{
	struct hvm_memmap_table_entry want[LAYOUT_MEMMAP_MAX];
	size_t n = memmap_build(mem->size, want, LAYOUT_MEMMAP_MAX);
	assert_int_equal(si->memmap_entries, n);
	const void *map = gpa_range(mem, si->memmap_paddr, n * sizeof(want[0]));
	assert_non_null(map);
	assert_memory_equal(map, want, n * sizeof(want[0]));
}

static void test_start_info_fields(void **state)
{
	struct fixture *f = *state;
	const struct pvh_boot_info info = { .cmdline = "console=com0 root=ld0a" };
	write_start_info(f, &info);
	const struct hvm_start_info *si = start_info_at(&f->mem, f->si_gpa);
	assert_int_equal(si->magic, 0x336ec578u);
	assert_int_equal(si->version, 1);
	assert_int_equal(si->flags, 0);
	assert_int_equal(si->nr_modules, 0);
	assert_int_equal(si->modlist_paddr, 0);
	assert_int_equal(si->cmdline_paddr, LAYOUT_CMDLINE);
	assert_string_equal(guest_string(&f->mem, si->cmdline_paddr), "console=com0 root=ld0a");
	assert_int_equal(si->rsdp_paddr, 0);
	assert_int_equal(si->memmap_paddr, LAYOUT_MEMMAP);
	assert_int_equal(si->memmap_entries, 3);
	assert_int_equal(si->reserved, 0);
	assert_memmap_in_guest(&f->mem, si);
}

static void test_start_info_rsdp(void **state)
{
	struct fixture *f = *state;
	const struct pvh_boot_info info = { .cmdline = "", .rsdp_gpa = 0xe0000 };
	write_start_info(f, &info);
	assert_int_equal(start_info_at(&f->mem, f->si_gpa)->rsdp_paddr, 0xe0000);
}

/* NetBSD copies the command line unconditionally: never 0, "" when there is none. */
static void check_empty_cmdline(struct fixture *f, const char *cmdline)
{
	const struct pvh_boot_info info = { .cmdline = cmdline };
	write_start_info(f, &info);
	const struct hvm_start_info *si = start_info_at(&f->mem, f->si_gpa);
	assert_int_not_equal(si->cmdline_paddr, 0);
	assert_string_equal(guest_string(&f->mem, si->cmdline_paddr), "");
}

static void test_start_info_null_cmdline(void **state)
{
	check_empty_cmdline(*state, NULL);
}

static void test_start_info_empty_cmdline(void **state)
{
	check_empty_cmdline(*state, "");
}

static void test_start_info_initrd_module(void **state)
{
	struct fixture *f = *state;
	const struct pvh_boot_info info = { .cmdline = "quiet", .initrd_gpa = MiB(200),
					    .initrd_size = 12345 };
	write_start_info(f, &info);
	const struct hvm_start_info *si = start_info_at(&f->mem, f->si_gpa);
	assert_int_equal(si->nr_modules, 1);
	assert_int_equal(si->modlist_paddr, LAYOUT_MODLIST);
	const struct hvm_modlist_entry *mod = gpa_range(&f->mem, si->modlist_paddr, sizeof(*mod));
	assert_non_null(mod);
	assert_int_equal(mod->paddr, MiB(200));
	assert_int_equal(mod->size, 12345);
	assert_int_equal(mod->reserved, 0);
	/* the module's own command line: empty, but a valid string (some kernels copy it) */
	assert_string_equal(guest_string(&f->mem, mod->cmdline_paddr), "");
	assert_string_equal(guest_string(&f->mem, si->cmdline_paddr), "quiet");
}

static void test_start_info_initrd_module_null_cmdline(void **state)
{
	struct fixture *f = *state;
	const struct pvh_boot_info info = { .initrd_gpa = MiB(100), .initrd_size = PAGE };
	write_start_info(f, &info);
	const struct hvm_start_info *si = start_info_at(&f->mem, f->si_gpa);
	const struct hvm_modlist_entry *mod = gpa_range(&f->mem, si->modlist_paddr, sizeof(*mod));
	assert_non_null(mod);
	assert_string_equal(guest_string(&f->mem, mod->cmdline_paddr), "");
}

static uint64_t page_of(uint64_t gpa)
{
	return gpa & ~(PAGE - 1);
}

/*
 * NetBSD reads start_info, the module list and the map early and copies the map generously:
 * start_info and the module list share a page, the map does not straddle one, none of them
 * overlap each other or the command line, and a page past the map is still readable RAM.
 */
static void test_start_info_layout(void **state)
{
	struct fixture *f = *state;
	const struct pvh_boot_info info = { .cmdline = "x", .initrd_gpa = MiB(100),
					    .initrd_size = PAGE };
	write_start_info(f, &info);
	const struct hvm_start_info *si = start_info_at(&f->mem, f->si_gpa);
	uint64_t si_end = f->si_gpa + sizeof(*si);
	uint64_t mod_end = si->modlist_paddr +
			   LAYOUT_MODLIST_MAX * sizeof(struct hvm_modlist_entry);
	uint64_t map_end = si->memmap_paddr +
			   LAYOUT_MEMMAP_MAX * sizeof(struct hvm_memmap_table_entry);
	assert_int_equal(page_of(f->si_gpa), page_of(si_end - 1));
	assert_int_equal(page_of(f->si_gpa), page_of(si->modlist_paddr));
	assert_int_equal(page_of(si->modlist_paddr), page_of(mod_end - 1));
	assert_int_equal(page_of(si->memmap_paddr), page_of(map_end - 1));
	assert_true(si->modlist_paddr >= si_end);
	assert_true(si->memmap_paddr >= mod_end);
	assert_true(map_end <= si->cmdline_paddr);
	assert_true(si->cmdline_paddr + LAYOUT_CMDLINE_MAX <= LAYOUT_EBDA_START);
	assert_true(gpa_is_ram(&f->mem, si->memmap_paddr, PAGE));
	assert_true(gpa_is_ram(&f->mem, f->si_gpa, PAGE));
	/* and all of it in RAM the memory map calls RAM (below the EBDA) */
	assert_true(si->cmdline_paddr + LAYOUT_CMDLINE_MAX <= 0x9fc00);
}

static void check_start_info_big(uint64_t mem_size, uint32_t entries)
{
	struct guest_mem mem;
	struct error err;
	uint64_t gpa = 0;
	ram_alloc(&mem, mem_size);
	const struct pvh_boot_info info = { .cmdline = "a" };
	int rc = pvh_write_start_info(&mem, &info, &gpa, &err);
	if (rc != 0)
		fail_msg("pvh_write_start_info: %s", err.msg);
	const struct hvm_start_info *si = start_info_at(&mem, gpa);
	assert_int_equal(si->memmap_entries, entries);
	assert_memmap_in_guest(&mem, si);
	guest_mem_free(&mem);
}

static void test_start_info_64m(void **state)
{
	(void)state;
	check_start_info_big(MiB(64), 3);
}

static void test_start_info_3g(void **state)
{
	(void)state;
	check_start_info_big(GiB(3), 3);
}

static void test_start_info_4g(void **state)
{
	(void)state;
	check_start_info_big(GiB(4), 4);
}

static void test_start_info_8g(void **state)
{
	(void)state;
	check_start_info_big(GiB(8), 4);
}

static void test_start_info_ram_too_small(void **state)
{
	(void)state;
	struct error err;
	uint64_t gpa = 0;
	const struct pvh_boot_info info = { .cmdline = "" };

	uint8_t *tiny = calloc(1, KiB(64)); /* the command line at 128 KiB does not fit */
	assert_non_null(tiny);
	struct guest_mem mem;
	guest_mem_init_layout(&mem, tiny, KiB(64));
	assert_int_equal(pvh_write_start_info(&mem, &info, &gpa, &err), -1);
	assert_msg_contains(err.msg, "too small for the command line");
	free(tiny);

	uint8_t *one_mib = calloc(1, MiB(1)); /* nothing above 1 MiB: no memory map */
	assert_non_null(one_mib);
	guest_mem_init_layout(&mem, one_mib, MiB(1));
	assert_int_equal(pvh_write_start_info(&mem, &info, &gpa, &err), -1);
	assert_msg_contains(err.msg, "too small for a memory map");
	free(one_mib);
}

/* ------------------------------------------------------------------------ command line */

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_cmdline_2047_accepted(void **state)
{
	struct fixture *f = *state;
	char *line = repeat('x', LAYOUT_CMDLINE_MAX - 1);
	assert_int_equal(boot_write_cmdline(&f->mem, line, &f->err), 0);
	const char *dst = gpa_range(&f->mem, LAYOUT_CMDLINE, LAYOUT_CMDLINE_MAX);
	assert_non_null(dst);
	assert_memory_equal(dst, line, LAYOUT_CMDLINE_MAX - 1);
	assert_int_equal(dst[LAYOUT_CMDLINE_MAX - 1], '\0');
	free(line);
}

static void test_cmdline_2048_rejected(void **state)
{
	struct fixture *f = *state;
	char *line = repeat('y', LAYOUT_CMDLINE_MAX);
	assert_int_equal(boot_write_cmdline(&f->mem, line, &f->err), -1);
	assert_msg_contains(f->err.msg, "2048 bytes, limit 2047");
	const uint8_t *dst = gpa_range(&f->mem, LAYOUT_CMDLINE, 1);
	assert_int_equal(dst[0], 0x5c); /* nothing written */
	/* and pvh_write_start_info passes the refusal on */
	const struct pvh_boot_info info = { .cmdline = line };
	uint64_t gpa = 0;
	assert_int_equal(pvh_write_start_info(&f->mem, &info, &gpa, &f->err), -1);
	assert_msg_contains(f->err.msg, "limit 2047");
	free(line);
}

/* ------------------------------------------------------------------------ initrd */

static void assert_initrd_at_top(uint64_t low_end, uint64_t size, uint64_t gpa)
{
	assert_int_not_equal(gpa, 0);
	assert_int_equal(gpa % PAGE, 0);
	assert_true(gpa + size <= low_end);
	assert_true(low_end - (gpa + size) < PAGE); /* as high as page alignment allows */
}

static void test_initrd_placement_top_of_ram(void **state)
{
	(void)state;
	uint64_t at = initrd_placement(MiB(256), 5000, MiB(2));
	assert_initrd_at_top(MiB(256), 5000, at);
	assert_int_equal(at, MiB(256) - 2 * PAGE);

	at = initrd_placement(MiB(256), 2 * PAGE, MiB(2)); /* a whole number of pages */
	assert_int_equal(at, MiB(256) - 2 * PAGE);

	at = initrd_placement(MiB(256), 1, MiB(2));
	assert_int_equal(at, MiB(256) - PAGE);
}

static void test_initrd_placement_not_over_kernel(void **state)
{
	(void)state;
	uint64_t low_end = MiB(64);
	/* just fits: starts exactly where the kernel ends */
	assert_int_equal(initrd_placement(low_end, MiB(32), MiB(32)), MiB(32));
	/* one byte more needs the page the kernel ends in */
	assert_int_equal(initrd_placement(low_end, MiB(32) + 1, MiB(32)), 0);
	/* kernel ending mid-page: the initrd may not share that page's tail */
	assert_int_equal(initrd_placement(low_end, MiB(32), MiB(32) + 1), 0);
	/* never below 1 MiB, even with no kernel end given */
	assert_int_equal(initrd_placement(low_end, low_end - MiB(1), 0), MiB(1));
	assert_int_equal(initrd_placement(low_end, low_end - MiB(1) + 1, 0), 0);
}

static void test_initrd_placement_too_big(void **state)
{
	(void)state;
	assert_int_equal(initrd_placement(MiB(64), MiB(64) + 1, MiB(2)), 0);
	assert_int_equal(initrd_placement(MiB(64), MiB(63), MiB(2)), 0);
	assert_int_equal(initrd_placement(MiB(64), UINT64_MAX, MiB(2)), 0);
	assert_int_equal(initrd_placement(MiB(64), 0, MiB(2)), 0);
}

static void test_initrd_placement_below_hole(void **state)
{
	(void)state;
	/* with 8 GiB the top of low RAM is 3 GiB: the initrd stays below 4 GiB */
	uint64_t at = initrd_placement(GiB(3), MiB(10) + 3, MiB(20));
	assert_initrd_at_top(GiB(3), MiB(10) + 3, at);
}

static void test_initrd_load(void **state)
{
	struct fixture *f = *state;
	uint8_t data[10000];
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 13 + 1);
	struct file_reader r;
	memory_reader_init(&r, "initrd.img", data, sizeof(data));
	uint64_t gpa = 0;
	int rc = initrd_load(&r, &f->mem, MiB(4), &gpa, &f->err);
	if (rc != 0)
		fail_msg("initrd_load: %s", f->err.msg);
	assert_initrd_at_top(MiB(256), sizeof(data), gpa);
	assert_memory_equal(gpa_range(&f->mem, gpa, sizeof(data)), data, sizeof(data));
}

static void test_initrd_load_big_guest(void **state)
{
	(void)state;
	struct guest_mem mem;
	struct error err;
	ram_alloc(&mem, GiB(8));
	static const char data[] = "070701 cpio";
	struct file_reader r;
	memory_reader_init(&r, "initrd", data, sizeof(data));
	uint64_t gpa = 0;
	assert_int_equal(initrd_load(&r, &mem, MiB(4), &gpa, &err), 0);
	assert_initrd_at_top(GiB(3), sizeof(data), gpa);
	assert_memory_equal(gpa_range(&mem, gpa, sizeof(data)), data, sizeof(data));
	guest_mem_free(&mem);
}

static void test_initrd_load_refusals(void **state)
{
	struct fixture *f = *state;
	struct file_reader r;
	uint64_t gpa = 0;
	memory_reader_init(&r, "empty", "", 0);
	assert_int_equal(initrd_load(&r, &f->mem, MiB(4), &gpa, &f->err), -1);
	assert_msg_contains(f->err.msg, "empty");

	static uint8_t big[MiB(2)];
	memory_reader_init(&r, "big", big, sizeof(big));
	/* a kernel reaching up to 1 MiB below the top leaves no room for 2 MiB */
	assert_int_equal(initrd_load(&r, &f->mem, MiB(255), &gpa, &f->err), -1);
	assert_msg_contains(f->err.msg, "does not fit");
	assert_int_equal(gpa, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmap_64m),
		cmocka_unit_test(test_memmap_256m),
		cmocka_unit_test(test_memmap_3g),
		cmocka_unit_test(test_memmap_3g_plus_page),
		cmocka_unit_test(test_memmap_4g),
		cmocka_unit_test(test_memmap_8g),
		cmocka_unit_test(test_memmap_refusals),
		cmocka_unit_test_setup_teardown(test_start_info_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_info_rsdp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_info_null_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_info_empty_cmdline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_info_initrd_module, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_info_initrd_module_null_cmdline, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_start_info_layout, setup, teardown),
		cmocka_unit_test(test_start_info_64m),
		cmocka_unit_test(test_start_info_3g),
		cmocka_unit_test(test_start_info_4g),
		cmocka_unit_test(test_start_info_8g),
		cmocka_unit_test(test_start_info_ram_too_small),
		cmocka_unit_test_setup_teardown(test_cmdline_2047_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cmdline_2048_rejected, setup, teardown),
		cmocka_unit_test(test_initrd_placement_top_of_ram),
		cmocka_unit_test(test_initrd_placement_not_over_kernel),
		cmocka_unit_test(test_initrd_placement_too_big),
		cmocka_unit_test(test_initrd_placement_below_hole),
		cmocka_unit_test_setup_teardown(test_initrd_load, setup, teardown),
		cmocka_unit_test(test_initrd_load_big_guest),
		cmocka_unit_test_setup_teardown(test_initrd_load_refusals, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
