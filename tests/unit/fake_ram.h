/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Fake guest RAM for unit tests: a heap buffer laid out by guest_mem_init_layout(), so code
 * under test sees the same struct guest_mem (and gpa_range() bounds) as with a real VM.
 */
#ifndef MILLIVM_TEST_FAKE_RAM_H
#define MILLIVM_TEST_FAKE_RAM_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/guest_mem.h"

/* size bytes, every one set to fill (tests of loaders check what they did not write). */
static inline int fake_guest_ram_alloc_filled(struct guest_mem *mem, uint64_t size, uint8_t fill)
{
	uint8_t *ram = malloc(size);
	if (!ram)
		return -1;
	memset(ram, fill, size);
	guest_mem_init_layout(mem, ram, size);
	return 0;
}

static inline int fake_guest_ram_alloc(struct guest_mem *mem, uint64_t size)
{
	return fake_guest_ram_alloc_filled(mem, size, 0);
}

static inline void fake_guest_ram_free(struct guest_mem *mem)
{
	free(mem->host);
	mem->host = NULL;
}

#endif
