// SPDX-License-Identifier: BSD-2-Clause
/* initrd: module 0 (the initrd) is where a guest may use it, and holds what the test gave. */
#include <millivm/layout.h>
#include <stdint.h>

#include "checks.h"
#include "digest.h"
#include "report.h"

#define PAGE_SIZE 4096u

static const struct hvm_modlist_entry *module0(const struct hvm_start_info *si)
{
	return (const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
}

/* Placement rules for any module 0, expected or not. */
static bool module_placement_ok(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *m = module0(si);

	if (!si->modlist_paddr || si->nr_modules > LAYOUT_MODLIST_MAX) {
		report_fail(CHECK_INITRD, "%u modules at modlist_paddr 0x%lx", si->nr_modules,
			    (unsigned long)si->modlist_paddr);
		return false;
	}
	if (m->paddr % PAGE_SIZE) {
		report_fail(CHECK_INITRD, "module 0 at 0x%lx is not page aligned",
			    (unsigned long)m->paddr);
		return false;
	}
	if (!memmap_covers_ram(si, m->paddr, m->size)) {
		report_fail(CHECK_INITRD, "module 0 [0x%lx, +0x%lx) is not inside one RAM entry",
			    (unsigned long)m->paddr, (unsigned long)m->size);
		return false;
	}
	return true;
}

static void module_contents_ok(const struct hvm_start_info *si, const struct options *opts)
{
	const struct hvm_modlist_entry *m = module0(si);

	if (opts->has_initrd_size && m->size != opts->initrd_size) {
		report_fail(CHECK_INITRD, "size %lu, expected %lu", (unsigned long)m->size,
			    (unsigned long)opts->initrd_size);
		return;
	}
	if (opts->has_initrd_fnv) {
		/* The one check whose cost grows with its input: ~4 instructions a byte. */
		uint32_t hash = fnv1a32((const void *)(uintptr_t)m->paddr, m->size);

		if (hash != opts->initrd_fnv) {
			report_fail(CHECK_INITRD, "FNV-1a 0x%08x, expected 0x%08x", hash,
				    opts->initrd_fnv);
			return;
		}
	}
	report_ok(CHECK_INITRD, "at 0x%lx, %lu bytes%s", (unsigned long)m->paddr,
		  (unsigned long)m->size, opts->has_initrd_fnv ? ", FNV-1a matches" : "");
}

void check_initrd(const struct hvm_start_info *si, const struct options *opts)
{
	if (si->nr_modules == 0) {
		if (opts->initrd == INITRD_SOME)
			report_fail(CHECK_INITRD, "no module, but expect_initrd_* given");
		else
			report_ok(CHECK_INITRD, "none");
		return;
	}
	if (opts->initrd == INITRD_NONE) {
		report_fail(CHECK_INITRD, "%u modules, expected none", si->nr_modules);
		return;
	}
	if (!module_placement_ok(si))
		return;
	if (opts->initrd == INITRD_ANY)
		report_ok(CHECK_INITRD, "at 0x%lx, %lu bytes (not checked: no expect_initrd_*)",
			  (unsigned long)module0(si)->paddr, (unsigned long)module0(si)->size);
	else
		module_contents_ok(si, opts);
}
