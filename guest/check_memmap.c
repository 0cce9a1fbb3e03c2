// SPDX-License-Identifier: BSD-2-Clause
/*
 * memmap: the PVH memory map has the layout of design.md section 3.
 * memmap-size: its RAM adds up to expect_mem.
 * ram-probe: the last word of every RAM entry is really backed (read, write, read back).
 */
#include <millivm/layout.h>
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "report.h"

/* [EBDA, 1 MiB) is the only RAM the monitor withholds: expect_mem counts it. */
#define LOW_RESERVED_BYTES (LAYOUT_HIMEM_START - LAYOUT_EBDA_START)
#define STATIC_MAP_END GiB(8)     /* pagetables.S maps this much with 2 MiB pages */
#define PML4_ENTRY_SPAN GiB(512)  /* boot_pdpt covers one PML4 entry */
#define PTE_1GIB_PAGE 0x83ull     /* present, writable, large */
#define CPUID_EXT_FEATURES 0x80000001u
#define CPUID_EDX_PDPE1GB (1u << 26)
#define PROBE_PATTERN 0x5a5aa5a5c3c33c3cull

extern uint64_t boot_pdpt[512]; /* pagetables.S */

static const struct hvm_memmap_table_entry *memmap_of(const struct hvm_start_info *si)
{
	return (const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
}

static uint64_t entry_end(const struct hvm_memmap_table_entry *e)
{
	return e->addr + e->size;
}

static bool overlaps(const struct hvm_memmap_table_entry *e, uint64_t start, uint64_t end)
{
	return e->addr < end && entry_end(e) > start;
}

bool memmap_covers_ram(const struct hvm_start_info *si, uint64_t addr, uint64_t size)
{
	const struct hvm_memmap_table_entry *map = memmap_of(si);

	for (uint32_t i = 0; i < si->memmap_entries && i < LAYOUT_MEMMAP_MAX; i++)
		if (map[i].type == HVM_MEMMAP_RAM && addr >= map[i].addr &&
		    addr + size >= addr && addr + size <= entry_end(&map[i]))
			return true;
	return false;
}

static void print_memmap(const struct hvm_memmap_table_entry *map, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		report_info("  memmap %u: [0x%lx, 0x%lx) type %u", i, (unsigned long)map[i].addr,
			    (unsigned long)entry_end(&map[i]), map[i].type);
}

/*
 * The layout rules, in the order a reader of design.md would check them. Reports the first
 * broken rule. Returns false only if the table itself cannot be read: the size and probe
 * checks still run on a map that breaks a layout rule.
 */
static bool memmap_layout_ok(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map = memmap_of(si);
	uint32_t n = si->memmap_entries;
	bool low_ram = false, high_ram = false, mp_reserved = false;

	if (!si->memmap_paddr || n == 0 || n > LAYOUT_MEMMAP_MAX ||
	    si->memmap_paddr + n * sizeof(*map) > LAYOUT_MMIO_HOLE_START) {
		report_fail(CHECK_MEMMAP, "memmap_paddr 0x%lx with %u entries (1..%u allowed)",
			    (unsigned long)si->memmap_paddr, n, LAYOUT_MEMMAP_MAX);
		return false;
	}
	if (!report_is_quiet())
		print_memmap(map, n);
	for (uint32_t i = 0; i < n; i++) {
		const struct hvm_memmap_table_entry *e = &map[i];

		if (e->size == 0 || entry_end(e) < e->addr) {
			report_fail(CHECK_MEMMAP, "entry %u: size 0x%lx", i, (unsigned long)e->size);
			return true;
		}
		/* Sorted: then comparing neighbours also rules out overlaps. */
		if (i > 0 && e->addr < entry_end(&map[i - 1])) {
			report_fail(CHECK_MEMMAP, "entry %u: not sorted, or overlapping entry %u", i,
				    i - 1);
			return true;
		}
		if (e->type != HVM_MEMMAP_RAM) {
			mp_reserved |= e->type == HVM_MEMMAP_RESERVED && e->addr <= LAYOUT_MPTABLE &&
				       entry_end(e) >= LAYOUT_MPTABLE + LAYOUT_MPTABLE_MAX;
			continue;
		}
		if (overlaps(e, LAYOUT_EBDA_START, LAYOUT_HIMEM_START)) {
			report_fail(CHECK_MEMMAP, "entry %u: RAM in [0x%lx, 1 MiB)", i,
				    (unsigned long)LAYOUT_EBDA_START);
			return true;
		}
		if (overlaps(e, LAYOUT_MMIO_HOLE_START, LAYOUT_MMIO_HOLE_END)) {
			report_fail(CHECK_MEMMAP, "entry %u: RAM in the 3-4 GiB hole", i);
			return true;
		}
		low_ram |= e->addr == 0 && entry_end(e) == LAYOUT_EBDA_START;
		high_ram |= e->addr == LAYOUT_HIMEM_START;
	}
	if (!low_ram)
		report_fail(CHECK_MEMMAP, "no RAM entry [0, 0x%lx)", (unsigned long)LAYOUT_EBDA_START);
	else if (!high_ram)
		report_fail(CHECK_MEMMAP, "no RAM entry from 1 MiB");
	else if (!mp_reserved)
		report_fail(CHECK_MEMMAP, "MP table area [0x%lx, 0x%lx) not reserved",
			    (unsigned long)LAYOUT_MPTABLE,
			    (unsigned long)(LAYOUT_MPTABLE + LAYOUT_MPTABLE_MAX));
	else
		report_ok(CHECK_MEMMAP, "%u entries", n);
	return true;
}

static void memmap_size_ok(const struct hvm_start_info *si, const struct options *opts)
{
	const struct hvm_memmap_table_entry *map = memmap_of(si);
	uint64_t ram = 0;
	bool above_4g = false;

	if (!opts->has_expect_mem) {
		report_skip(CHECK_MEMMAP_SIZE, "no expect_mem");
		return;
	}
	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (map[i].type != HVM_MEMMAP_RAM)
			continue;
		ram += map[i].size;
		above_4g |= map[i].addr >= LAYOUT_HIGH_RAM_START;
	}
	if (ram + LOW_RESERVED_BYTES != opts->expect_mem) {
		report_fail(CHECK_MEMMAP_SIZE, "RAM 0x%lx + 0x%lx reserved != expect_mem 0x%lx",
			    (unsigned long)ram, (unsigned long)LOW_RESERVED_BYTES,
			    (unsigned long)opts->expect_mem);
		return;
	}
	if (above_4g != (opts->expect_mem > LAYOUT_MMIO_HOLE_START)) {
		report_fail(CHECK_MEMMAP_SIZE, "RAM above 4 GiB %s for %lu MiB",
			    above_4g ? "present" : "missing",
			    (unsigned long)(opts->expect_mem >> 20));
		return;
	}
	report_ok(CHECK_MEMMAP_SIZE, "%lu MiB", (unsigned long)(opts->expect_mem >> 20));
}

/* Makes addr reachable: the static map ends at 8 GiB; above, 1 GiB pages if the CPU has them. */
static bool map_for_probe(uint64_t addr)
{
	if (addr < STATIC_MAP_END)
		return true;
	if (addr >= PML4_ENTRY_SPAN || !(cpuid(CPUID_EXT_FEATURES).edx & CPUID_EDX_PDPE1GB))
		return false;
	uint64_t gib = addr >> 30;

	/* A not-present entry is never cached, so no TLB flush is needed. */
	if (!boot_pdpt[gib])
		boot_pdpt[gib] = (gib << 30) | PTE_1GIB_PAGE;
	return true;
}

/* Write a pattern and read it back; restore the word (it may be the initrd's last bytes). */
static bool probe_word(uint64_t addr)
{
	volatile uint64_t *word = (volatile uint64_t *)(uintptr_t)addr;
	uint64_t saved = *word;

	*word = saved ^ PROBE_PATTERN;
	bool backed = *word == (saved ^ PROBE_PATTERN);

	*word = saved;
	return backed;
}

static void ram_probe_ok(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map = memmap_of(si);
	unsigned probed = 0, unreachable = 0;

	for (uint32_t i = 0; i < si->memmap_entries; i++) {
		if (map[i].type != HVM_MEMMAP_RAM || map[i].size < 8)
			continue;
		uint64_t last_word = entry_end(&map[i]) - 8;

		if (!map_for_probe(last_word)) {
			unreachable++;
			continue;
		}
		if (!probe_word(last_word)) {
			report_fail(CHECK_RAM_PROBE, "no RAM behind 0x%lx (entry %u)",
				    (unsigned long)last_word, i);
			return;
		}
		probed++;
	}
	if (unreachable)
		report_ok(CHECK_RAM_PROBE, "%u entries probed, %u beyond the page tables", probed,
			  unreachable);
	else
		report_ok(CHECK_RAM_PROBE, "%u entries", probed);
}

void check_memmap(const struct hvm_start_info *si, const struct options *opts)
{
	if (!memmap_layout_ok(si)) {
		report_skip(CHECK_MEMMAP_SIZE, "memory map unusable");
		report_skip(CHECK_RAM_PROBE, "memory map unusable");
		return;
	}
	memmap_size_ok(si, opts);
	ram_probe_ok(si);
}
