/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What a PVH kernel is handed (design.md section 2): hvm_start_info version 1 at
 * LAYOUT_START_INFO, the module list (initrd = module 0), the memory map and the command line.
 * start_info and the module list share a page; the memory map has a page of its own with
 * readable RAM after it (NetBSD's copy of the map may read past the table).
 */
#ifndef MILLIVM_PVH_START_INFO_H
#define MILLIVM_PVH_START_INFO_H

#include <stdint.h>

#include "core/error.h"
#include "core/guest_mem.h"

struct pvh_boot_info {
	const char *cmdline; /* final command line; NULL or "" both give a valid empty string */
	uint64_t initrd_gpa; /* 0 and size 0: no initrd */
	uint64_t initrd_size;
	uint64_t rsdp_gpa;   /* 0: no ACPI */
};

/* Write the command line (bounded by LAYOUT_CMDLINE_MAX) into guest RAM. */
int boot_write_cmdline(const struct guest_mem *mem, const char *cmdline, struct error *err);

/* Write start_info, modules, memory map and command line. Returns the start_info address. */
int pvh_write_start_info(const struct guest_mem *mem, const struct pvh_boot_info *info,
			 uint64_t *start_info_gpa, struct error *err);

#endif
