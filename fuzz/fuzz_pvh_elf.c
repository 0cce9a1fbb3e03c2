/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the PVH ELF loader (src/boot/pvh_elf.c) on a kernel image that is the
 * fuzzer's input, read through a memory file_reader, loaded into two fake guest RAMs:
 *
 *   small: 8 MiB, an exact-size heap buffer, so ASan sees any write past the end of RAM;
 *   large: 3 GiB + 64 MiB of lazily mapped memory (MAP_NORESERVE), so the loader meets the
 *          MMIO hole and the RAM above 4 GiB. Loaded pages are given back after each run.
 *
 * Besides "no crash, no sanitizer report", it checks what the loader promises on success:
 * the entry is inside [load_start, load_end), which is RAM and above 1 MiB.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "boot/file_reader.h"
#include "boot/pvh_elf.h"
#include "core/error.h"
#include "core/guest_mem.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SMALL_RAM MiB(8)
#define LARGE_RAM (LAYOUT_MMIO_HOLE_START + MiB(64))

static struct guest_mem small_mem, large_mem;
static int have_large;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	uint8_t *small = malloc(SMALL_RAM);
	if (!small)
		abort();
	guest_mem_init_layout(&small_mem, small, SMALL_RAM);
	have_large = guest_mem_alloc(&large_mem, LARGE_RAM) == 0;
	return 0;
}

static void check_loaded(const struct guest_mem *mem, const struct pvh_kernel *k)
{
	if (k->load_start < LAYOUT_HIMEM_START || k->load_end <= k->load_start)
		abort();
	if (k->entry < k->load_start || k->entry >= k->load_end)
		abort();
	/* The lowest and the highest loaded byte are RAM. */
	if (!gpa_is_ram(mem, k->load_start, 1) || !gpa_is_ram(mem, k->load_end - 1, 1))
		abort();
}

/* Drop the pages a successful load populated, so RSS stays flat over millions of runs. */
static void release_range(const struct guest_mem *mem, uint64_t start, uint64_t end)
{
	const uint64_t page = 4096;
	uint64_t regions[2][2] = {
		{ 0, mem->low_size },
		{ LAYOUT_HIGH_RAM_START, LAYOUT_HIGH_RAM_START + (mem->size - mem->low_size) },
	};
	for (int r = 0; r < 2; r++) {
		uint64_t lo = start > regions[r][0] ? start : regions[r][0];
		uint64_t hi = end < regions[r][1] ? end : regions[r][1];
		if (lo >= hi)
			continue;
		lo &= ~(page - 1);
		uint8_t *p = gpa_range(mem, lo, hi - lo);
		if (p)
			madvise(p, hi - lo, MADV_DONTNEED);
	}
}

static void load_into(const struct file_reader *r, const struct guest_mem *mem, bool large)
{
	struct pvh_kernel k;
	struct error err;
	err.msg[0] = '\0';
	if (pvh_elf_load(r, mem, &k, &err) == 0) {
		check_loaded(mem, &k);
		if (large)
			release_range(mem, k.load_start, k.load_end);
	} else if (err.msg[0] == '\0') {
		abort(); /* every failure comes with a reason */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct file_reader r;
	/* An exact-size copy: reads past the input's end are heap overflows ASan reports. */
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	memcpy(copy, data, size);
	memory_reader_init(&r, "fuzz.elf", copy, size);
	(void)pvh_elf_is_elf(&r);
	load_into(&r, &small_mem, false);
	if (have_large)
		load_into(&r, &large_mem, true);
	free(copy);
	return 0;
}
