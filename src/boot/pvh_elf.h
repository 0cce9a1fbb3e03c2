/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PVH ELF kernels (design.md section 1): find the Xen PHYS32_ENTRY note, load the PT_LOAD
 * segments at their physical addresses. ELF32 and ELF64, little-endian x86.
 */
#ifndef MILLIVM_PVH_ELF_H
#define MILLIVM_PVH_ELF_H

#include <stdbool.h>
#include <stdint.h>

#include "boot/file_reader.h"
#include "core/error.h"
#include "core/guest_mem.h"

#define PVH_MAX_PHDRS 128      /* real kernels have fewer than 10 */
#define PVH_MAX_NOTE_BYTES 65536

struct pvh_kernel {
	uint32_t entry;      /* 32-bit physical entry from the note */
	uint64_t load_start; /* lowest loaded physical address */
	uint64_t load_end;   /* one past the highest */
	bool elf32;
};

/* Is this an ELF file at all (so the caller can try other formats, e.g. bzImage)? */
bool pvh_elf_is_elf(const struct file_reader *kernel);

/*
 * Validate the whole image first, then load it into freshly mapped (zeroed) guest RAM. Fails with a one-line reason
 * for: truncated or non-x86 headers, a missing or malformed PVH note, segments outside RAM,
 * below 1 MiB (over the boot structures), overlapping each other, or absurdly large.
 */
int pvh_elf_load(const struct file_reader *kernel, const struct guest_mem *mem,
		 struct pvh_kernel *out, struct error *err);

#endif
