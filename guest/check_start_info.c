// SPDX-License-Identifier: BSD-2-Clause
/* start-info: the PVH start_info block itself; cmdline: the command line it points at. */
#include <millivm/layout.h>
#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "report.h"

static bool cmdline_addressable(const struct hvm_start_info *si)
{
	return si->cmdline_paddr && si->cmdline_paddr < LAYOUT_MMIO_HOLE_END - LAYOUT_CMDLINE_MAX;
}

const char *start_info_cmdline(const struct hvm_start_info *si)
{
	if (si->magic != HVM_START_MAGIC_VALUE || !cmdline_addressable(si))
		return NULL;
	return (const char *)(uintptr_t)si->cmdline_paddr;
}

static bool start_info_ok(const struct hvm_start_info *si)
{
	if (si->magic != HVM_START_MAGIC_VALUE) {
		report_fail(CHECK_START_INFO, "magic 0x%x at 0x%lx, expected 0x%x", si->magic,
			    (unsigned long)(uintptr_t)si, HVM_START_MAGIC_VALUE);
		return false;
	}
	if (si->version != HVM_START_INFO_VERSION) {
		report_fail(CHECK_START_INFO, "version %u, expected %u", si->version,
			    HVM_START_INFO_VERSION);
		return false;
	}
	if (!si->cmdline_paddr) {
		report_fail(CHECK_START_INFO, "cmdline_paddr is 0 (NetBSD copies it regardless)");
		return false;
	}
	report_ok(CHECK_START_INFO, "at 0x%lx, %u modules, %u memmap entries, rsdp 0x%lx",
		  (unsigned long)(uintptr_t)si, si->nr_modules, si->memmap_entries,
		  (unsigned long)si->rsdp_paddr);
	return true;
}

static void cmdline_ok(const struct hvm_start_info *si, const char *cmdline,
		       const struct options *opts)
{
	if (!cmdline) {
		report_fail(CHECK_CMDLINE, "cmdline_paddr 0x%lx out of reach",
			    (unsigned long)si->cmdline_paddr);
		return;
	}
	if (opts->cmdline_length >= LAYOUT_CMDLINE_MAX) {
		report_fail(CHECK_CMDLINE, "%lu bytes before the NUL at 0x%lx, at most %u allowed",
			    (unsigned long)opts->cmdline_length, (unsigned long)si->cmdline_paddr,
			    (unsigned)LAYOUT_CMDLINE_MAX - 1);
		return;
	}
	if (opts->bad_parameter) {
		report_fail(CHECK_CMDLINE, "cannot read the parameter at \"%s\"", opts->bad_parameter);
		return;
	}
	report_ok(CHECK_CMDLINE, "\"%s\"", cmdline);
}

bool check_start_info(const struct hvm_start_info *si, const char *cmdline,
		      const struct options *opts)
{
	bool usable = start_info_ok(si);

	if (usable)
		cmdline_ok(si, cmdline, opts);
	else
		report_skip(CHECK_CMDLINE, "no usable start_info");
	return usable;
}
