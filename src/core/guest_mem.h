/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Guest RAM: one host mapping, seen by the guest as [0, low_size) and, when -m is larger than
 * the 3 GiB below the MMIO hole, [4 GiB, 4 GiB + size - low_size). Every access the monitor
 * makes on the guest's behalf goes through gpa_range(): the guest controls the addresses.
 */
#ifndef MILLIVM_GUEST_MEM_H
#define MILLIVM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "millivm/layout.h"

struct guest_mem {
	uint8_t *host;     /* size bytes; low RAM first, then high RAM */
	uint64_t size;     /* total RAM, as given with -m */
	uint64_t low_size; /* RAM below the hole: min(size, LAYOUT_MMIO_HOLE_START) */
};

/* Split a RAM size into the regions above; no allocation (unit tests use their own buffer). */
void guest_mem_init_layout(struct guest_mem *mem, uint8_t *host, uint64_t size);

/* Map size bytes of anonymous memory (untouched pages cost nothing) and lay it out. */
int guest_mem_alloc(struct guest_mem *mem, uint64_t size);
void guest_mem_free(struct guest_mem *mem);

/* Bytes of guest RAM the host has actually populated (pages the guest or loader touched). */
uint64_t guest_mem_resident_bytes(const struct guest_mem *mem);

/*
 * Host pointer for [gpa, gpa + len) if the whole range is guest RAM in one region, else NULL.
 * Overflow-safe for any 64-bit gpa and len: this is the one bounds check for guest pointers.
 */
void *gpa_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

static inline bool gpa_is_ram(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	return gpa_range(mem, gpa, len) != NULL;
}

/* End of the RAM region below 4 GiB (where the initrd goes, page aligned, at its top). */
static inline uint64_t guest_mem_low_end(const struct guest_mem *mem)
{
	return mem->low_size;
}

#endif
