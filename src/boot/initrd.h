/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MILLIVM_INITRD_H
#define MILLIVM_INITRD_H

#include <stdint.h>

#include "boot/file_reader.h"
#include "core/error.h"
#include "core/guest_mem.h"

/*
 * Place the initrd page-aligned at the top of RAM below 4 GiB (design.md section 3), where
 * kernels that decompress themselves upwards from 1 MiB will not run into it. Fails if it
 * would overlap the kernel image (ending at kernel_end) or does not fit.
 */
int initrd_load(const struct file_reader *initrd, const struct guest_mem *mem,
		uint64_t kernel_end, uint64_t *gpa, struct error *err);

/* The same, with the initrd's end at or below limit (a bzImage's initrd_addr_max + 1). */
int initrd_load_below(const struct file_reader *initrd, const struct guest_mem *mem,
		      uint64_t kernel_end, uint64_t limit, uint64_t *gpa, struct error *err);

/* Where an initrd of this size goes, or 0 if it cannot fit above kernel_end. Pure. */
uint64_t initrd_placement(uint64_t low_ram_end, uint64_t size, uint64_t kernel_end);

#endif
