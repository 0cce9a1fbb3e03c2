/* SPDX-License-Identifier: BSD-2-Clause */
#include "memmap.h"

#include "millivm/layout.h"

size_t memmap_build(uint64_t mem_size, struct hvm_memmap_table_entry *out, size_t max)
{
	if (max < 4 || mem_size <= LAYOUT_HIMEM_START)
		return 0;
	uint64_t low_end = mem_size < LAYOUT_MMIO_HOLE_START ? mem_size : LAYOUT_MMIO_HOLE_START;
	size_t n = 0;
	out[n++] = (struct hvm_memmap_table_entry){ 0, LAYOUT_EBDA_START, HVM_MEMMAP_RAM, 0 };
	out[n++] = (struct hvm_memmap_table_entry){ LAYOUT_EBDA_START,
						    LAYOUT_HIMEM_START - LAYOUT_EBDA_START,
						    HVM_MEMMAP_RESERVED, 0 };
	out[n++] = (struct hvm_memmap_table_entry){ LAYOUT_HIMEM_START,
						    low_end - LAYOUT_HIMEM_START,
						    HVM_MEMMAP_RAM, 0 };
	if (mem_size > low_end)
		out[n++] = (struct hvm_memmap_table_entry){ LAYOUT_HIGH_RAM_START,
							    mem_size - low_end,
							    HVM_MEMMAP_RAM, 0 };
	return n;
}
