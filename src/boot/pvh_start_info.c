/* SPDX-License-Identifier: BSD-2-Clause */
#include "pvh_start_info.h"

#include <string.h>

#include "boot/memmap.h"
#include "millivm/abi.h"
#include "millivm/layout.h"

_Static_assert(LAYOUT_MODLIST >= LAYOUT_START_INFO + sizeof(struct hvm_start_info),
	       "module list overlaps start_info");
_Static_assert(LAYOUT_MEMMAP >= LAYOUT_MODLIST +
				LAYOUT_MODLIST_MAX * sizeof(struct hvm_modlist_entry),
	       "memory map overlaps the module list");

int boot_write_cmdline(const struct guest_mem *mem, const char *cmdline, struct error *err)
{
	if (!cmdline)
		cmdline = "";
	size_t len = strlen(cmdline);
	if (len + 1 > LAYOUT_CMDLINE_MAX)
		return error_set(err, "kernel command line is %zu bytes, limit %llu", len,
				 LAYOUT_CMDLINE_MAX - 1);
	char *dst = gpa_range(mem, LAYOUT_CMDLINE, len + 1);
	if (!dst)
		return error_set(err, "guest RAM too small for the command line");
	memcpy(dst, cmdline, len + 1);
	return 0;
}

int pvh_write_start_info(const struct guest_mem *mem, const struct pvh_boot_info *info,
			 uint64_t *start_info_gpa, struct error *err)
{
	if (boot_write_cmdline(mem, info->cmdline, err) < 0)
		return -1;

	struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX];
	size_t entries = memmap_build(mem->size, map, LAYOUT_MEMMAP_MAX);
	if (entries == 0)
		return error_set(err, "guest RAM of %llu bytes is too small for a memory map",
				 (unsigned long long)mem->size);
	void *map_dst = gpa_range(mem, LAYOUT_MEMMAP, sizeof(map[0]) * entries);
	struct hvm_start_info *si = gpa_range(mem, LAYOUT_START_INFO, sizeof(*si));
	struct hvm_modlist_entry *mod = gpa_range(mem, LAYOUT_MODLIST, sizeof(*mod));
	if (!map_dst || !si || !mod)
		return error_set(err, "guest RAM too small for the boot structures");
	memcpy(map_dst, map, sizeof(map[0]) * entries);

	*si = (struct hvm_start_info){
		.magic = HVM_START_MAGIC_VALUE,
		.version = HVM_START_INFO_VERSION,
		.cmdline_paddr = LAYOUT_CMDLINE,
		.rsdp_paddr = info->rsdp_gpa,
		.memmap_paddr = LAYOUT_MEMMAP,
		.memmap_entries = (uint32_t)entries,
	};
	if (info->initrd_size) {
		/* The module's own command line points at an empty string: some kernels copy it. */
		*mod = (struct hvm_modlist_entry){
			.paddr = info->initrd_gpa,
			.size = info->initrd_size,
			.cmdline_paddr = LAYOUT_CMDLINE + strlen(info->cmdline ? info->cmdline : ""),
		};
		si->nr_modules = 1;
		si->modlist_paddr = LAYOUT_MODLIST;
	}
	*start_info_gpa = LAYOUT_START_INFO;
	return 0;
}
