/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Software walk of the guest's page tables, for diagnostics only (register dumps after a
 * failed KVM_RUN). The register state may be garbage: every table read goes through
 * gpa_range(), each walk has a fixed number of levels, and any failure is just "-1".
 * Permissions (U/S, R/W, NX, protection keys) are not checked: we only want to read.
 */
#ifndef MILLIVM_DEBUG_PAGE_WALK_H
#define MILLIVM_DEBUG_PAGE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/guest_mem.h"

#define GUEST_PAGE_SIZE 4096ull

enum guest_paging_mode {
	GUEST_PAGING_OFF,     /* CR0.PG clear: linear == physical */
	GUEST_PAGING_32BIT,   /* 2 levels of 4-byte entries, 4 MiB pages with CR4.PSE */
	GUEST_PAGING_PAE,     /* 3 levels of 8-byte entries, 2 MiB pages */
	GUEST_PAGING_4LEVEL,  /* long mode, 1 GiB and 2 MiB pages */
	GUEST_PAGING_5LEVEL,  /* long mode with CR4.LA57 */
	GUEST_PAGING_INVALID, /* EFER.LMA with CR4.PAE clear: no CPU runs like this */
};

/* Paging mode from CR0.PG, CR4.PAE, CR4.LA57 and EFER.LMA. */
enum guest_paging_mode guest_paging_mode(const struct kvm_sregs *sregs);

/* "off", "32-bit", "PAE", "4-level", "5-level" or "invalid". */
const char *guest_paging_mode_name(enum guest_paging_mode mode);

/*
 * Translate a linear address with the current CR3. Outside long mode linear addresses are 32
 * bits wide (higher bits are dropped, as the CPU wraps); in long mode a non-canonical address
 * fails. Returns 0 and stores the guest-physical address, or -1 if a table entry is not
 * present, has a reserved large-page bit, or a table or the result is not guest RAM.
 */
int guest_linear_to_phys(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			 uint64_t linear, uint64_t *gpa);

/*
 * Copy len bytes starting at a linear address, translating each page separately (adjacent
 * linear pages need not be adjacent in RAM). Unless the CPU runs 64-bit code (EFER.LMA and
 * CS.L), addresses wrap at 4 GiB, compat mode included. readable[i] tells whether buf[i] was
 * read; unreadable bytes are set to 0. Returns the number of bytes read.
 */
size_t guest_read_linear(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			 uint64_t linear, uint8_t *buf, bool *readable, size_t len);

#endif
