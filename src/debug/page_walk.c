/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/page_walk.h"

#include <string.h>

#define CR0_PG (1ull << 31)
#define CR4_PSE (1ull << 4)
#define CR4_PAE (1ull << 5)
#define CR4_LA57 (1ull << 12)
#define EFER_LMA (1ull << 10)

#define PTE_PRESENT (1ull << 0)
#define PTE_LARGE (1ull << 7) /* PS: the entry maps a page rather than the next table */

#define PAGE_SHIFT 12
#define PAGE_OFFSET_MASK (GUEST_PAGE_SIZE - 1)
#define LINEAR_32BIT_MASK 0xffffffffull
#define FRAME_MASK_32BIT 0xfffff000ull
#define FRAME_MASK_64BIT 0x000ffffffffff000ull /* bits 51:12: the widest MAXPHYADDR */
#define PAE_PDPT_MASK 0xffffffe0ull           /* PAE CR3 holds a 32-byte aligned PDPT */

/* The shape of one paging mode's tables. Levels count down to 1, the page table. */
struct walk_format {
	unsigned levels;
	unsigned index_bits;      /* linear-address bits per level: 10 or 9 */
	unsigned entry_size;      /* bytes: 4 or 8 */
	uint64_t frame_mask;      /* address bits of an entry */
	unsigned max_large_level; /* highest level whose entries may map a page; 1: none */
	bool large_bit_reserved;  /* PS higher up: the CPU faults (else it ignores the bit) */
};

enum guest_paging_mode guest_paging_mode(const struct kvm_sregs *sregs)
{
	if (!(sregs->cr0 & CR0_PG))
		return GUEST_PAGING_OFF;
	if (!(sregs->cr4 & CR4_PAE))
		return (sregs->efer & EFER_LMA) ? GUEST_PAGING_INVALID : GUEST_PAGING_32BIT;
	if (!(sregs->efer & EFER_LMA))
		return GUEST_PAGING_PAE;
	return (sregs->cr4 & CR4_LA57) ? GUEST_PAGING_5LEVEL : GUEST_PAGING_4LEVEL;
}

const char *guest_paging_mode_name(enum guest_paging_mode mode)
{
	switch (mode) {
	case GUEST_PAGING_OFF:
		return "off";
	case GUEST_PAGING_32BIT:
		return "32-bit";
	case GUEST_PAGING_PAE:
		return "PAE";
	case GUEST_PAGING_4LEVEL:
		return "4-level";
	case GUEST_PAGING_5LEVEL:
		return "5-level";
	case GUEST_PAGING_INVALID:
		break;
	}
	return "invalid";
}

/* Little-endian table entry of 4 or 8 bytes, or -1 if it is not in guest RAM. */
static int read_entry(const struct guest_mem *mem, uint64_t gpa, unsigned size, uint64_t *entry)
{
	const uint8_t *bytes = gpa_range(mem, gpa, size);
	if (!bytes)
		return -1;
	*entry = 0;
	for (unsigned i = 0; i < size; i++)
		*entry |= (uint64_t)bytes[i] << (8 * i);
	return 0;
}

/* Long-mode linear addresses must sign-extend their top implemented bit (47 or 56). */
static bool is_canonical(uint64_t linear, unsigned width)
{
	uint64_t upper = linear >> (width - 1);
	return upper == 0 || upper == (UINT64_MAX >> (width - 1));
}

/* Physical base of a large page; 4 MiB pages keep bits 39:32 in entry bits 20:13 (PSE-36). */
static uint64_t large_page_base(const struct walk_format *fmt, uint64_t entry, uint64_t page_mask)
{
	uint64_t base = entry & fmt->frame_mask & ~page_mask;
	if (fmt->entry_size == 4)
		base |= ((entry >> 13) & 0xff) << 32;
	return base;
}

/* Exactly fmt->levels table reads: loops in the tables (self-references) cannot hang us. */
static int walk_tables(const struct guest_mem *mem, const struct walk_format *fmt,
		       uint64_t table, uint64_t linear, uint64_t *gpa)
{
	for (unsigned level = fmt->levels; level > 0; level--) {
		unsigned shift = PAGE_SHIFT + fmt->index_bits * (level - 1);
		uint64_t index = (linear >> shift) & ((1ull << fmt->index_bits) - 1);
		uint64_t page_mask = (1ull << shift) - 1;
		uint64_t entry;

		if (read_entry(mem, table + index * fmt->entry_size, fmt->entry_size, &entry) < 0)
			return -1;
		if (!(entry & PTE_PRESENT))
			return -1;
		if (level == 1) {
			*gpa = (entry & fmt->frame_mask) | (linear & page_mask);
			return 0;
		}
		if (entry & PTE_LARGE) {
			if (level <= fmt->max_large_level) {
				uint64_t base = large_page_base(fmt, entry, page_mask);
				*gpa = base | (linear & page_mask);
				return 0;
			}
			if (fmt->large_bit_reserved)
				return -1;
		}
		table = entry & fmt->frame_mask;
	}
	return -1;
}

static int walk_32bit(const struct guest_mem *mem, const struct kvm_sregs *sregs,
		      uint64_t linear, uint64_t *gpa)
{
	const struct walk_format fmt = {
		.levels = 2,
		.index_bits = 10,
		.entry_size = 4,
		.frame_mask = FRAME_MASK_32BIT,
		.max_large_level = (sregs->cr4 & CR4_PSE) ? 2 : 1,
		.large_bit_reserved = false,
	};
	return walk_tables(mem, &fmt, sregs->cr3 & FRAME_MASK_32BIT, linear, gpa);
}

static int walk_pae(const struct guest_mem *mem, const struct kvm_sregs *sregs,
		    uint64_t linear, uint64_t *gpa)
{
	/* The top level has 4 entries: a 9-bit index of a 32-bit address is at most 3. */
	const struct walk_format fmt = {
		.levels = 3,
		.index_bits = 9,
		.entry_size = 8,
		.frame_mask = FRAME_MASK_64BIT,
		.max_large_level = 2,
		.large_bit_reserved = true,
	};
	return walk_tables(mem, &fmt, sregs->cr3 & PAE_PDPT_MASK, linear, gpa);
}

static int walk_long_mode(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			  unsigned levels, uint64_t linear, uint64_t *gpa)
{
	const struct walk_format fmt = {
		.levels = levels,
		.index_bits = 9,
		.entry_size = 8,
		.frame_mask = FRAME_MASK_64BIT,
		.max_large_level = 3,
		.large_bit_reserved = true,
	};
	/* CR3 bits 11:0 are flags or, with CR4.PCIDE, the PCID: the mask drops both. */
	return walk_tables(mem, &fmt, sregs->cr3 & FRAME_MASK_64BIT, linear, gpa);
}

static int translate(const struct guest_mem *mem, const struct kvm_sregs *sregs,
		     uint64_t linear, uint64_t *gpa)
{
	switch (guest_paging_mode(sregs)) {
	case GUEST_PAGING_OFF:
		*gpa = linear & LINEAR_32BIT_MASK;
		return 0;
	case GUEST_PAGING_32BIT:
		return walk_32bit(mem, sregs, linear & LINEAR_32BIT_MASK, gpa);
	case GUEST_PAGING_PAE:
		return walk_pae(mem, sregs, linear & LINEAR_32BIT_MASK, gpa);
	case GUEST_PAGING_4LEVEL:
		if (!is_canonical(linear, 48))
			return -1;
		return walk_long_mode(mem, sregs, 4, linear, gpa);
	case GUEST_PAGING_5LEVEL:
		if (!is_canonical(linear, 57))
			return -1;
		return walk_long_mode(mem, sregs, 5, linear, gpa);
	case GUEST_PAGING_INVALID:
		break;
	}
	return -1;
}

int guest_linear_to_phys(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			 uint64_t linear, uint64_t *gpa)
{
	uint64_t result;
	if (!mem || !sregs)
		return -1;
	if (translate(mem, sregs, linear, &result) < 0 || !gpa_is_ram(mem, result, 1))
		return -1;
	*gpa = result;
	return 0;
}

/* Host pointer for len bytes at a linear address that do not cross a page, or NULL. */
static const uint8_t *map_within_page(const struct guest_mem *mem, const struct kvm_sregs *sregs,
				      uint64_t linear, size_t len)
{
	uint64_t gpa;
	if (guest_linear_to_phys(mem, sregs, linear, &gpa) < 0)
		return NULL;
	return gpa_range(mem, gpa, len);
}

/* Only 64-bit code forms linear addresses above 4 GiB; compat mode wraps like legacy modes. */
static uint64_t linear_address_mask(const struct kvm_sregs *sregs)
{
	bool code64 = (sregs->efer & EFER_LMA) && sregs->cs.l;
	return code64 ? UINT64_MAX : LINEAR_32BIT_MASK;
}

size_t guest_read_linear(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			 uint64_t linear, uint8_t *buf, bool *readable, size_t len)
{
	uint64_t mask = sregs ? linear_address_mask(sregs) : UINT64_MAX;
	size_t done = 0, read = 0;

	while (done < len) {
		uint64_t addr = (linear + done) & mask;
		size_t chunk = (size_t)(GUEST_PAGE_SIZE - (addr & PAGE_OFFSET_MASK));
		if (chunk > len - done)
			chunk = len - done;

		const uint8_t *src = map_within_page(mem, sregs, addr, chunk);
		if (src) {
			memcpy(buf + done, src, chunk);
			read += chunk;
		} else {
			memset(buf + done, 0, chunk);
		}
		for (size_t i = 0; i < chunk; i++)
			readable[done + i] = src != NULL;
		done += chunk;
	}
	return read;
}
