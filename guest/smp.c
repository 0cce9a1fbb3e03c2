// SPDX-License-Identifier: BSD-2-Clause
/*
 * smp-aps: start every processor the MP table lists besides ourselves, the way the MP
 * specification (appendix B.4) says: INIT, 10 ms, STARTUP, 200 us, STARTUP. Each AP comes up
 * through ap_trampoline.S on the BSP's GDT and page tables, records its local APIC id and
 * parks with interrupts off. The check passes when exactly the APIC ids of the table reported
 * in. The IPIs go through the xAPIC's ICR (MMIO, mapped uncached by pagetables.S), or the
 * x2APIC's MSR when the APIC is already in x2APIC mode.
 */
#include <millivm/abi.h>
#include <millivm/layout.h>
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "report.h"
#include "smp.h"
#include "strings.h"

#define MSR_APIC_BASE 0x1b
#define APIC_BASE_X2APIC 0x400ull
#define MSR_X2APIC_ID 0x802
#define MSR_X2APIC_ICR 0x830
#define XAPIC_ID 0x20
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define ICR_INIT 0x500
#define ICR_STARTUP 0x600
#define ICR_ASSERT 0x4000
#define ICR_SEND_PENDING 0x1000
#define INIT_DELAY_US 10000
#define STARTUP_DELAY_US 200
/* Only reached when an AP does not come: generous for hosts that emulate every instruction. */
#define REPORT_BOUND_US 5000000
/* Without CPUID 0x40000010, assume a fast TSC: the waits then last at least what they should. */
#define FALLBACK_TSC_KHZ 5000000
#define BIOS_AREA_START 0xf0000ull
#define MP_ENTRY_SIZE 8 /* every entry but the processor's */
#define MP_FLOATING_ALIGN 16
#define MP_LAST_ENTRY_TYPE MP_LINTSRC /* later types are unknown: their size too */
#define SLOT_REPORTED 0x80000000u

extern const uint8_t ap_trampoline_start[], ap_trampoline_end[], ap_trampoline_gdtr[];
extern uint32_t ap_boot_cr3; /* ap_trampoline.S */

/* Written by the APs: the APIC id | SLOT_REPORTED per arrival slot, then the count. */
static uint32_t ap_slots[SMP_MAX_APS];
static uint32_t ap_reported;

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static volatile uint32_t *xapic_register(uint32_t offset)
{
	return (volatile uint32_t *)(uintptr_t)(LAYOUT_LAPIC + offset);
}

static bool x2apic_mode(void)
{
	return rdmsr(MSR_APIC_BASE) & APIC_BASE_X2APIC;
}

static uint32_t local_apic_id(void)
{
	if (x2apic_mode())
		return (uint32_t)rdmsr(MSR_X2APIC_ID);
	return *xapic_register(XAPIC_ID) >> 24;
}

void ap_main(uint32_t slot)
{
	__atomic_store_n(&ap_slots[slot], local_apic_id() | SLOT_REPORTED, __ATOMIC_RELEASE);
	__atomic_fetch_add(&ap_reported, 1, __ATOMIC_RELEASE);
}

static void send_ipi(bool x2apic, uint32_t apic_id, uint32_t command)
{
	if (x2apic) {
		wrmsr(MSR_X2APIC_ICR, (uint64_t)apic_id << 32 | command);
		return;
	}
	/* the previous IPI must be on its way before the ICR is rewritten (bounded: 1 ms) */
	for (int i = 0; i < 1000 && (*xapic_register(XAPIC_ICR_LOW) & ICR_SEND_PENDING); i++)
		__asm__ volatile("pause");
	*xapic_register(XAPIC_ICR_HIGH) = apic_id << 24;
	*xapic_register(XAPIC_ICR_LOW) = command;
}

static uint64_t tsc_khz(void)
{
	if (cpuid(CPUID_HV_SIGNATURE).eax >= CPUID_HV_TIMING && cpuid(CPUID_HV_TIMING).eax)
		return cpuid(CPUID_HV_TIMING).eax;
	return FALLBACK_TSC_KHZ;
}

static void delay_us(uint64_t khz, uint64_t us)
{
	uint64_t start = rdtsc(), ticks = khz * us / 1000;

	while (rdtsc() - start < ticks)
		__asm__ volatile("pause");
}

static bool has_mp_signature(uint64_t address)
{
	return memcmp((const void *)(uintptr_t)address, MPF_SIGNATURE, 4) == 0;
}

/* The config table: at 0x9fc00 (ours), else where firmware puts it (QEMU); NULL if none. */
static const struct mpc_table *find_mp_config(void)
{
	uint64_t address = LAYOUT_MPTABLE;

	if (!has_mp_signature(address))
		for (address = BIOS_AREA_START; address < LAYOUT_HIMEM_START;
		     address += MP_FLOATING_ALIGN)
			if (has_mp_signature(address))
				break;
	if (address >= LAYOUT_HIMEM_START)
		return NULL;
	const struct mpf_intel *mpf = (const struct mpf_intel *)(uintptr_t)address;
	const struct mpc_table *table = (const struct mpc_table *)(uintptr_t)mpf->physptr;

	if (!mpf->physptr || mpf->physptr >= LAYOUT_HIMEM_START ||
	    memcmp(table->signature, "PCMP", 4) != 0)
		return NULL;
	return table;
}

struct ap_list {
	unsigned count;         /* enabled processors other than us */
	unsigned processors;    /* all processor entries */
	bool bsp_flag_on_us;    /* the entry with the BSP flag has our APIC id */
	uint8_t ids[SMP_MAX_APS];
};

static void list_aps(const struct mpc_table *table, uint32_t bsp_id, struct ap_list *aps)
{
	const uint8_t *entry = (const uint8_t *)(table + 1);
	const uint8_t *end = (const uint8_t *)table + table->length;

	/* By the table's length, not its entry count: QEMU's table says 0 entries (mp-config). */
	*aps = (struct ap_list){ .count = 0 };
	while (entry + MP_ENTRY_SIZE <= end && *entry <= MP_LAST_ENTRY_TYPE) {
		if (*entry != MP_PROCESSOR) {
			entry += MP_ENTRY_SIZE;
			continue;
		}
		if (entry + sizeof(struct mpc_cpu) > end)
			break;
		const struct mpc_cpu *cpu = (const struct mpc_cpu *)entry;

		entry += sizeof(*cpu);
		aps->processors++;
		if (cpu->cpuflag & MP_CPU_BSP)
			aps->bsp_flag_on_us = cpu->apicid == bsp_id;
		if ((cpu->cpuflag & MP_CPU_ENABLED) && cpu->apicid != bsp_id &&
		    aps->count < SMP_MAX_APS)
			aps->ids[aps->count++] = cpu->apicid;
	}
}

static bool overlaps_trampoline(uint64_t address, uint64_t size)
{
	return address < LAYOUT_AP_TRAMPOLINE + LAYOUT_AP_TRAMPOLINE_SIZE &&
	       address + size > LAYOUT_AP_TRAMPOLINE;
}

/* NULL if the trampoline page is RAM that nothing start_info names lies in; else the reason. */
static const char *trampoline_page_problem(const struct hvm_start_info *si)
{
	if (!memmap_covers_ram(si, LAYOUT_AP_TRAMPOLINE, LAYOUT_AP_TRAMPOLINE_SIZE))
		return "is not RAM in the memory map";
	if (overlaps_trampoline((uintptr_t)si, sizeof(*si)) ||
	    overlaps_trampoline(si->cmdline_paddr, LAYOUT_CMDLINE_MAX) ||
	    overlaps_trampoline(si->memmap_paddr,
				(uint64_t)si->memmap_entries * sizeof(struct hvm_memmap_table_entry)) ||
	    (si->rsdp_paddr && overlaps_trampoline(si->rsdp_paddr, 36)))
		return "holds start_info, the command line, the memory map or the RSDP";
	const struct hvm_modlist_entry *mods =
		(const struct hvm_modlist_entry *)(uintptr_t)si->modlist_paddr;
	if (si->nr_modules && overlaps_trampoline(si->modlist_paddr, si->nr_modules * sizeof(*mods)))
		return "holds the module list";
	for (uint32_t i = 0; i < si->nr_modules && i < LAYOUT_MODLIST_MAX; i++)
		if (overlaps_trampoline(mods[i].paddr, mods[i].size))
			return "holds a module (the initrd)";
	return NULL;
}

static void install_trampoline(void)
{
	uint8_t *page = (uint8_t *)(uintptr_t)LAYOUT_AP_TRAMPOLINE;
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} gdtr;
	uint64_t cr3;

	memcpy(page, ap_trampoline_start, (size_t)(ap_trampoline_end - ap_trampoline_start));
	__asm__ volatile("sgdt %0" : "=m"(gdtr));
	/* real-mode lgdtl reads the limit and the low 32 bits of the base: the image is low */
	memcpy(page + (ap_trampoline_gdtr - ap_trampoline_start), &gdtr, 6);
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	ap_boot_cr3 = (uint32_t)cr3;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static void start_aps(const struct ap_list *aps, uint64_t khz)
{
	bool x2apic = x2apic_mode();
	uint32_t vector = (uint32_t)(LAYOUT_AP_TRAMPOLINE >> 12);

	for (unsigned i = 0; i < aps->count; i++)
		send_ipi(x2apic, aps->ids[i], ICR_INIT | ICR_ASSERT);
	delay_us(khz, INIT_DELAY_US);
	for (int round = 0; round < 2; round++) {
		for (unsigned i = 0; i < aps->count; i++)
			send_ipi(x2apic, aps->ids[i], ICR_STARTUP | ICR_ASSERT | vector);
		delay_us(khz, STARTUP_DELAY_US);
	}
}

/* Every listed id reported exactly once, nothing else did; else the first problem. */
static void check_reports(const struct ap_list *aps, unsigned reported, uint64_t wait_us)
{
	unsigned slots = reported < SMP_MAX_APS ? reported : SMP_MAX_APS;

	if (reported != aps->count) {
		report_fail(CHECK_SMP_APS, "%u of %u APs reported in within %lu ms", reported,
			    aps->count, (unsigned long)(wait_us / 1000));
		return;
	}
	for (unsigned i = 0; i < slots; i++) {
		uint32_t id = __atomic_load_n(&ap_slots[i], __ATOMIC_ACQUIRE) & ~SLOT_REPORTED;
		unsigned listed = 0, seen = 0;

		for (unsigned j = 0; j < aps->count; j++)
			listed += aps->ids[j] == id;
		for (unsigned j = 0; j < slots; j++)
			seen += (ap_slots[j] & ~SLOT_REPORTED) == id;
		if (!listed || seen != 1) {
			report_fail(CHECK_SMP_APS, "an AP reported APIC id %u, %s", id,
				    listed ? "twice" : "which the MP table does not list");
			return;
		}
	}
	for (unsigned i = 0; i < slots; i++) /* for the test: each id with its arrival order */
		report_info("smp: AP %u is APIC id %u", i, ap_slots[i] & ~SLOT_REPORTED);
	report_ok(CHECK_SMP_APS, "%u APs reported in with the MP table's APIC ids %u..%u (%lu us)",
		  aps->count, aps->ids[0], aps->ids[aps->count - 1], (unsigned long)wait_us);
}

void check_smp(const struct hvm_start_info *si, bool start_info_usable,
	       const struct options *opts)
{
	const struct mpc_table *table = find_mp_config();
	uint32_t bsp_id = local_apic_id();
	struct ap_list aps;

	if (!table) {
		if (opts->expect_cpus > 1)
			report_fail(CHECK_SMP_APS, "no MP table, expected %u CPUs",
				    opts->expect_cpus);
		else
			report_skip(CHECK_SMP_APS, "no MP table: one processor");
		return;
	}
	list_aps(table, bsp_id, &aps);
	if (!aps.bsp_flag_on_us) {
		report_fail(CHECK_SMP_APS, "the MP table's BSP is not us (APIC id %u)", bsp_id);
		return;
	}
	if (aps.count + 1 != opts->expect_cpus) {
		report_fail(CHECK_SMP_APS, "the MP table lists %u processors (%u enabled APs), "
			    "expected %u", aps.processors, aps.count, opts->expect_cpus);
		return;
	}
	if (!aps.count) {
		report_skip(CHECK_SMP_APS, "one processor: no APs to start");
		return;
	}
	const char *problem = start_info_usable ? trampoline_page_problem(si)
						: "cannot be checked without start_info";
	if (problem) {
		report_fail(CHECK_SMP_APS, "the trampoline page 0x%lx %s",
			    (unsigned long)LAYOUT_AP_TRAMPOLINE, problem);
		return;
	}
	uint64_t khz = tsc_khz();

	install_trampoline();
	uint64_t start = rdtsc();
	start_aps(&aps, khz);
	uint64_t bound = khz * (REPORT_BOUND_US / 1000);
	unsigned reported;

	while ((reported = __atomic_load_n(&ap_reported, __ATOMIC_ACQUIRE)) < aps.count &&
	       rdtsc() - start < bound)
		__asm__ volatile("pause");
	check_reports(&aps, reported, (rdtsc() - start) * 1000 / khz);
}
