/* SPDX-License-Identifier: BSD-2-Clause */
/* The guest's physical memory map (design.md section 3), for PVH and later the e820 table. */
#ifndef MILLIVM_MEMMAP_H
#define MILLIVM_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "millivm/abi.h"

/*
 * [0, 0x9fc00) RAM, [0x9fc00, 1 MiB) reserved, [1 MiB, min(size, 3 GiB)) RAM, and the rest
 * of size at 4 GiB. Returns the number of entries written (at most 4), or 0 if max is too
 * small or size is not above 1 MiB.
 */
size_t memmap_build(uint64_t mem_size, struct hvm_memmap_table_entry *out, size_t max);

#endif
