/* SPDX-License-Identifier: BSD-2-Clause */
#include "guest_mem.h"

#include <sys/mman.h>

void guest_mem_init_layout(struct guest_mem *mem, uint8_t *host, uint64_t size)
{
	mem->host = host;
	mem->size = size;
	mem->low_size = size < LAYOUT_MMIO_HOLE_START ? size : LAYOUT_MMIO_HOLE_START;
}

int guest_mem_alloc(struct guest_mem *mem, uint64_t size)
{
	/* Private and lazily populated: RSS grows only with pages the guest or the loader touch. */
	void *host = mmap(NULL, size, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED)
		return -1;
	/* A fork (the background teardown) must not copy the guest's page tables. */
	madvise(host, size, MADV_DONTFORK);
	guest_mem_init_layout(mem, host, size);
	return 0;
}

void guest_mem_free(struct guest_mem *mem)
{
	if (mem->host)
		munmap(mem->host, mem->size);
	mem->host = NULL;
}

uint64_t guest_mem_resident_bytes(const struct guest_mem *mem)
{
	enum { PAGE = 4096, WINDOW_PAGES = 65536 };
	static unsigned char vec[WINDOW_PAGES];
	uint64_t resident = 0;
	for (uint64_t off = 0; off < mem->size; off += (uint64_t)WINDOW_PAGES * PAGE) {
		uint64_t len = mem->size - off;
		if (len > (uint64_t)WINDOW_PAGES * PAGE)
			len = (uint64_t)WINDOW_PAGES * PAGE;
		if (mincore(mem->host + off, len, vec) < 0)
			return 0;
		for (uint64_t i = 0; i < (len + PAGE - 1) / PAGE; i++)
			resident += (vec[i] & 1) ? PAGE : 0;
	}
	return resident;
}

/* Offset of [gpa, gpa + len) inside a region [start, start + region_len), or -1. */
static int64_t region_offset(uint64_t gpa, uint64_t len, uint64_t start, uint64_t region_len)
{
	if (gpa < start)
		return -1;
	uint64_t off = gpa - start;
	if (off > region_len || len > region_len - off)
		return -1;
	return (int64_t)off;
}

void *gpa_range(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	int64_t off = region_offset(gpa, len, 0, mem->low_size);
	if (off >= 0)
		return mem->host + off;
	off = region_offset(gpa, len, LAYOUT_HIGH_RAM_START, mem->size - mem->low_size);
	if (off >= 0)
		return mem->host + mem->low_size + off;
	return NULL;
}
