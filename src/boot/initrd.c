/* SPDX-License-Identifier: BSD-2-Clause */
#include "initrd.h"

#include "millivm/layout.h"

#define PAGE_SIZE 4096ull

uint64_t initrd_placement(uint64_t low_ram_end, uint64_t size, uint64_t kernel_end)
{
	if (size == 0 || size > low_ram_end)
		return 0;
	uint64_t gpa = (low_ram_end - size) & ~(PAGE_SIZE - 1);
	uint64_t floor = kernel_end > LAYOUT_HIMEM_START ? kernel_end : LAYOUT_HIMEM_START;
	if (gpa < floor)
		return 0;
	return gpa;
}

int initrd_load(const struct file_reader *initrd, const struct guest_mem *mem,
		uint64_t kernel_end, uint64_t *gpa, struct error *err)
{
	return initrd_load_below(initrd, mem, kernel_end, guest_mem_low_end(mem), gpa, err);
}

int initrd_load_below(const struct file_reader *initrd, const struct guest_mem *mem,
		      uint64_t kernel_end, uint64_t limit, uint64_t *gpa, struct error *err)
{
	if (initrd->size == 0)
		return error_set(err, "initrd is empty");
	if (limit > guest_mem_low_end(mem))
		limit = guest_mem_low_end(mem);
	uint64_t at = initrd_placement(limit, initrd->size, kernel_end);
	if (at == 0)
		return error_set(err, "initrd of %llu bytes does not fit in guest RAM above the "
				 "kernel (ends at 0x%llx; RAM %s ends at 0x%llx)",
				 (unsigned long long)initrd->size, (unsigned long long)kernel_end,
				 limit < guest_mem_low_end(mem) ? "the kernel can reach" : "below 4 GiB",
				 (unsigned long long)limit);
	void *dst = gpa_range(mem, at, initrd->size);
	if (!dst || reader_read(initrd, 0, dst, initrd->size) < 0)
		return error_set(err, "read failed");
	*gpa = at;
	return 0;
}
