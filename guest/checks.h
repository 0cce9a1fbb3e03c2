/* SPDX-License-Identifier: BSD-2-Clause */
/* The check groups main.c runs, in order. Each reports its checks through report.h. */
#ifndef REFGUEST_CHECKS_H
#define REFGUEST_CHECKS_H

#include <millivm/abi.h>
#include <stdbool.h>
#include <stdint.h>

#include "options.h"

/* check_start_info.c */
/* The command line start_info points at, or NULL if start_info or the line is unusable. */
const char *start_info_cmdline(const struct hvm_start_info *si);
/* start-info and cmdline; true if start_info can be trusted for the later groups. */
bool check_start_info(const struct hvm_start_info *si, const char *cmdline,
		      const struct options *opts);

/* check_memmap.c: memmap, memmap-size, ram-probe */
void check_memmap(const struct hvm_start_info *si, const struct options *opts);
/* True if [addr, addr + size) lies inside one RAM entry of the memory map. */
bool memmap_covers_ram(const struct hvm_start_info *si, uint64_t addr, uint64_t size);

/* check_initrd.c */
void check_initrd(const struct hvm_start_info *si, const struct options *opts);

/* check_cpuid.c: cpuid-signature, cpuid-features, cpuid-timing */
struct hypervisor_info {
	bool kvm;          /* the KVM signature is there */
	uint32_t features; /* CPUID 0x40000001 EAX, when kvm */
};
void check_cpuid(struct hypervisor_info *hv);

/* check_pvclock.c */
void check_pvclock(const struct hypervisor_info *hv);

/* check_mptable.c: mp-floating ... mp-lints */
void check_mptable(const struct options *opts);

/* check_acpi.c: the RSDP at rsdp_paddr, the XSDT and its tables, FADT, DSDT, MADT */
void check_acpi(const struct hvm_start_info *si, const struct options *opts);

/* smp.c: smp-aps (start_info is needed to check the trampoline page) */
void check_smp(const struct hvm_start_info *si, bool start_info_usable,
	       const struct options *opts);

#endif
