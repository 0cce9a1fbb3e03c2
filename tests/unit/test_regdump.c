/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page walks in every paging mode and the decoded register dump, on page tables built in a
 * calloc'ed fake guest RAM: no KVM needed.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* open_memstream */
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/guest_mem.h"
#include "fake_ram.h"
#include "debug/page_walk.h"
#include "debug/regdump.h"

#define RAM_SIZE MiB(16)

#define CR0_PE 0x1ull
#define CR0_ET 0x10ull
#define CR0_PG 0x80000000ull
#define CR4_PSE 0x10ull
#define CR4_PAE 0x20ull
#define CR4_LA57 0x1000ull
#define EFER_LME 0x100ull
#define EFER_LMA 0x400ull

#define PTE_P 0x1ull
#define PTE_RW 0x2ull
#define PTE_PS 0x80ull
#define PTE_NX (1ull << 63)

struct fixture {
	struct guest_mem mem;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (fake_guest_ram_alloc(&f->mem, RAM_SIZE) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fake_guest_ram_free(&f->mem);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------------ helpers */

static void put_le(struct guest_mem *mem, uint64_t gpa, uint64_t value, unsigned size)
{
	uint8_t *p = gpa_range(mem, gpa, size);
	assert_non_null(p);
	for (unsigned i = 0; i < size; i++)
		p[i] = (uint8_t)(value >> (8 * i));
}

static void put32(struct guest_mem *mem, uint64_t gpa, uint32_t value)
{
	put_le(mem, gpa, value, 4);
}

static void put64(struct guest_mem *mem, uint64_t gpa, uint64_t value)
{
	put_le(mem, gpa, value, 8);
}

static void put_bytes(struct guest_mem *mem, uint64_t gpa, const uint8_t *bytes, size_t len)
{
	uint8_t *p = gpa_range(mem, gpa, len);
	assert_non_null(p);
	memcpy(p, bytes, len);
}

static uint64_t translate(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			  uint64_t linear)
{
	uint64_t gpa = 0;
	assert_int_equal(guest_linear_to_phys(mem, sregs, linear, &gpa), 0);
	return gpa;
}

static void assert_unmapped(const struct guest_mem *mem, const struct kvm_sregs *sregs,
			    uint64_t linear)
{
	uint64_t gpa = 0x5a5a;
	assert_int_equal(guest_linear_to_phys(mem, sregs, linear, &gpa), -1);
	assert_int_equal(gpa, 0x5a5a); /* untouched on failure */
}

static struct kvm_sregs sregs_32bit_paging(uint64_t cr3, bool pse)
{
	struct kvm_sregs s = {0};
	s.cr0 = CR0_PE | CR0_ET | CR0_PG;
	s.cr4 = pse ? CR4_PSE : 0;
	s.cr3 = cr3;
	s.cs.db = 1;
	return s;
}

static struct kvm_sregs sregs_pae_paging(uint64_t cr3)
{
	struct kvm_sregs s = sregs_32bit_paging(cr3, false);
	s.cr4 = CR4_PAE;
	return s;
}

static struct kvm_sregs sregs_long_mode(uint64_t cr3, bool la57)
{
	struct kvm_sregs s = {0};
	s.cr0 = CR0_PE | CR0_ET | CR0_PG;
	s.cr4 = CR4_PAE | (la57 ? CR4_LA57 : 0);
	s.cr3 = cr3;
	s.efer = EFER_LME | EFER_LMA;
	s.cs.l = 1;
	return s;
}

/* Whole dump as a string; the caller frees it. */
static char *dump(const char *reason, const struct kvm_regs *regs, const struct kvm_sregs *sregs,
		  const struct guest_mem *mem)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	assert_non_null(out);
	regdump_print(out, reason, regs, sregs, mem);
	assert_int_equal(fclose(out), 0);
	assert_non_null(text);
	return text;
}

static void assert_contains(const char *text, const char *expected)
{
	if (!strstr(text, expected)) {
		fprintf(stderr, "dump:\n%s", text); /* cmocka truncates long messages */
		fail_msg("expected \"%s\" in the dump above", expected);
	}
}

static void assert_starts_with(const char *text, const char *prefix)
{
	if (strncmp(text, prefix, strlen(prefix)) != 0) {
		fprintf(stderr, "dump:\n%s", text);
		fail_msg("expected the dump above to start with \"%s\"", prefix);
	}
}

static void assert_not_contains(const char *text, const char *unexpected)
{
	if (strstr(text, unexpected)) {
		fprintf(stderr, "dump:\n%s", text);
		fail_msg("unexpected \"%s\" in the dump above", unexpected);
	}
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool long_code)
{
	struct kvm_segment seg = {
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = long_code ? 0 : 1,
		.s = 1,
		.l = long_code,
		.g = 1,
	};
	return seg;
}

static struct kvm_segment task_register(uint8_t type)
{
	struct kvm_segment tr = {
		.limit = 0x67, .selector = 0x18, .type = type, .present = 1,
	};
	return tr;
}

/* ----------------------------------------------------------------------- page walks */

static void test_paging_off_is_identity(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs s = {0};
	s.cr0 = CR0_PE | CR0_ET;

	assert_int_equal(translate(&f->mem, &s, 0x1234), 0x1234);
	/* linear addresses are 32 bits wide without long mode */
	assert_int_equal(translate(&f->mem, &s, 0x100001234ull), 0x1234);
	assert_unmapped(&f->mem, &s, RAM_SIZE);
	assert_unmapped(&f->mem, &s, 0xfee00000); /* MMIO, not RAM */
	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_OFF);
}

static void test_32bit_paging_4k_pages(void **state)
{
	struct fixture *f = *state;
	const uint64_t pd = 0x10000, pt = 0x11000;
	put32(&f->mem, pd + 1 * 4, pt | PTE_P | PTE_RW); /* 0x00400000-0x007fffff */
	put32(&f->mem, pt + 5 * 4, 0x200000 | PTE_P);
	put32(&f->mem, pt + 6 * 4, 0x201000);            /* not present */
	struct kvm_sregs s = sregs_32bit_paging(pd | 0x18 /* PWT PCD flags */, false);

	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_32BIT);
	assert_int_equal(translate(&f->mem, &s, 0x405abc), 0x200abc);
	assert_unmapped(&f->mem, &s, 0x406000);
	assert_unmapped(&f->mem, &s, 0x800000); /* PD[2] not present */
	assert_int_equal(translate(&f->mem, &s, 0x1000405abcull), 0x200abc); /* wraps at 4 GiB */
}

static void test_32bit_paging_4m_pages_need_pse(void **state)
{
	struct fixture *f = *state;
	const uint64_t pd = 0x10000;
	put32(&f->mem, pd + 3 * 4, 0x800000 | PTE_P | PTE_PS);                /* 0x00c00000 */
	put32(&f->mem, pd + 4 * 4, 0x800000 | PTE_P | PTE_PS | (1u << 13)); /* PSE-36: +4 GiB */

	struct kvm_sregs with_pse = sregs_32bit_paging(pd, true);
	assert_int_equal(translate(&f->mem, &with_pse, 0xc12345), 0x812345);
	assert_unmapped(&f->mem, &with_pse, 0x1012345); /* 0x1_0081_2345 is not RAM */

	/* Without CR4.PSE the PS bit is ignored: 0x800000 is read as an (empty) page table. */
	struct kvm_sregs without_pse = sregs_32bit_paging(pd, false);
	assert_unmapped(&f->mem, &without_pse, 0xc12345);
	put32(&f->mem, 0x800000 + 0x12 * 4, 0x300000 | PTE_P);
	assert_int_equal(translate(&f->mem, &without_pse, 0xc12345), 0x300345);
}

static void test_pae_paging(void **state)
{
	struct fixture *f = *state;
	const uint64_t pdpt = 0x10020; /* PAE CR3 is only 32-byte aligned */
	const uint64_t pd = 0x11000, pt = 0x12000;
	put64(&f->mem, pdpt + 1 * 8, pd | PTE_P); /* 0x40000000-0x7fffffff */
	put64(&f->mem, pd + 0 * 8, pt | PTE_P | PTE_RW);
	put64(&f->mem, pd + 1 * 8, 0x400000 | PTE_P | PTE_PS); /* 2 MiB page */
	put64(&f->mem, pt + 3 * 8, 0x300000 | PTE_P);
	put64(&f->mem, pt + 4 * 8, 0x301000 | PTE_P | PTE_NX);
	put64(&f->mem, pdpt + 2 * 8, pd | PTE_P | PTE_PS); /* PS is reserved in a PDPTE */
	struct kvm_sregs s = sregs_pae_paging(pdpt);

	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_PAE);
	assert_int_equal(translate(&f->mem, &s, 0x40003123), 0x300123);
	assert_int_equal(translate(&f->mem, &s, 0x40004123), 0x301123); /* NX is not address */
	assert_int_equal(translate(&f->mem, &s, 0x40201234), 0x401234);
	assert_unmapped(&f->mem, &s, 0x40005000);
	assert_unmapped(&f->mem, &s, 0x00000000); /* PDPT[0] not present */
	assert_unmapped(&f->mem, &s, 0x80000000);
}

/* PML4 0x10000 -> PDPT 0x11000 -> PD 0x12000 -> PT 0x13000, plus a kernel-half mapping. */
static void build_4level_tables(struct guest_mem *mem)
{
	put64(mem, 0x10000 + 0 * 8, 0x11000 | PTE_P | PTE_RW);
	put64(mem, 0x11000 + 0 * 8, 0x0 | PTE_P | PTE_PS);        /* 1 GiB page at 0 */
	put64(mem, 0x11000 + 1 * 8, 0x12000 | PTE_P);             /* 1-2 GiB */
	put64(mem, 0x12000 + 0 * 8, 0x13000 | PTE_P);
	put64(mem, 0x12000 + 1 * 8, 0x600000 | PTE_P | PTE_PS);   /* 2 MiB page */
	put64(mem, 0x13000 + 7 * 8, 0x5000 | PTE_P | PTE_NX);
	/* 0xffffffff80000000: PML4[511] -> PDPT[510] -> PD[0] -> PT */
	put64(mem, 0x10000 + 511 * 8, 0x14000 | PTE_P);
	put64(mem, 0x14000 + 510 * 8, 0x12000 | PTE_P);
}

static void test_long_mode_4level_paging(void **state)
{
	struct fixture *f = *state;
	build_4level_tables(&f->mem);
	struct kvm_sregs s = sregs_long_mode(0x10000, false);

	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_4LEVEL);
	assert_int_equal(translate(&f->mem, &s, 0xabcdef), 0xabcdef);          /* 1 GiB */
	assert_int_equal(translate(&f->mem, &s, 0x40212345), 0x612345);        /* 2 MiB */
	assert_int_equal(translate(&f->mem, &s, 0x40007abc), 0x5abc);          /* 4 KiB */
	assert_int_equal(translate(&f->mem, &s, 0xffffffff80007abcull), 0x5abc);
	assert_unmapped(&f->mem, &s, 0x40008000);
	assert_unmapped(&f->mem, &s, 0x0000800000000000ull); /* not canonical */
	assert_unmapped(&f->mem, &s, 0x80000000);            /* PDPT[2] not present */

	/* PCID / flag bits in CR3 are not part of the table address. */
	s.cr3 = 0x10000 | 0x5;
	assert_int_equal(translate(&f->mem, &s, 0x40007abc), 0x5abc);

	/* PS in a PML4 entry is reserved: the CPU would fault. */
	put64(&f->mem, 0x10000, 0x11000 | PTE_P | PTE_PS);
	assert_unmapped(&f->mem, &s, 0xabcdef);
}

static void test_long_mode_5level_paging(void **state)
{
	struct fixture *f = *state;
	build_4level_tables(&f->mem);
	put64(&f->mem, 0x15000 + 1 * 8, 0x10000 | PTE_P);   /* PML5[1] -> the PML4 */
	put64(&f->mem, 0x15000 + 511 * 8, 0x10000 | PTE_P); /* and the top half too */
	struct kvm_sregs s = sregs_long_mode(0x15000, true);

	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_5LEVEL);
	assert_int_equal(translate(&f->mem, &s, 0x0001000000001234ull), 0x1234);
	assert_int_equal(translate(&f->mem, &s, 0xffffffff80007abcull), 0x5abc);
	assert_unmapped(&f->mem, &s, 0x1234); /* PML5[0] not present */
	assert_unmapped(&f->mem, &s, 0x0100000000000000ull); /* not canonical with 57 bits */

	/* The same address is non-canonical with 4 levels. */
	struct kvm_sregs four = sregs_long_mode(0x10000, false);
	assert_unmapped(&f->mem, &four, 0x0001000000001234ull);
}

static void test_tables_outside_ram(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs s = sregs_long_mode(0x80000000, false); /* CR3 beyond RAM */
	assert_unmapped(&f->mem, &s, 0x1000);

	s.cr3 = 0xfffffffffffff000ull; /* all ones: masked to bit 51, still far outside */
	assert_unmapped(&f->mem, &s, 0x1000);

	s.cr3 = 0x10000;
	put64(&f->mem, 0x10000, 0xfee00000 | PTE_P); /* next table in the MMIO hole */
	assert_unmapped(&f->mem, &s, 0x1000);

	put64(&f->mem, 0x10000, 0x11000 | PTE_P);
	put64(&f->mem, 0x11000, 0x7fffc0000000ull | PTE_P | PTE_PS); /* page outside RAM */
	assert_unmapped(&f->mem, &s, 0x1000);

	/* The last entry of a table in the last page of RAM is still readable. */
	s.cr3 = RAM_SIZE - 0x1000;
	put64(&f->mem, RAM_SIZE - 8, 0xffffffffff000ull | PTE_P);
	assert_unmapped(&f->mem, &s, 0x0000ff8000000000ull);

	struct kvm_sregs pae = sregs_pae_paging(0xffffffe0);
	assert_unmapped(&f->mem, &pae, 0x1000);
	struct kvm_sregs legacy = sregs_32bit_paging(0xfffff000, true);
	assert_unmapped(&f->mem, &legacy, 0x1000);
}

static void test_self_referencing_tables_terminate(void **state)
{
	struct fixture *f = *state;

	/* Every level reuses the same page: the classic recursive mapping. */
	put64(&f->mem, 0x10000, 0x10000 | PTE_P | PTE_RW);
	struct kvm_sregs s = sregs_long_mode(0x10000, false);
	assert_int_equal(translate(&f->mem, &s, 0x10), 0x10010);
	s = sregs_long_mode(0x10000, true);
	assert_int_equal(translate(&f->mem, &s, 0x10), 0x10010);

	put32(&f->mem, 0x20000, 0x20000 | PTE_P);
	struct kvm_sregs legacy = sregs_32bit_paging(0x20000, false);
	assert_int_equal(translate(&f->mem, &legacy, 0x10), 0x20010);

	put64(&f->mem, 0x30000, 0x30000 | PTE_P);
	struct kvm_sregs pae = sregs_pae_paging(0x30000);
	assert_int_equal(translate(&f->mem, &pae, 0x10), 0x30010);
}

static void test_invalid_mode_combination(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs s = sregs_long_mode(0x10000, false);
	s.cr4 = 0; /* LMA without PAE */
	assert_int_equal(guest_paging_mode(&s), GUEST_PAGING_INVALID);
	assert_unmapped(&f->mem, &s, 0x1000);
	assert_string_equal(guest_paging_mode_name(GUEST_PAGING_INVALID), "invalid");
	assert_string_equal(guest_paging_mode_name(GUEST_PAGING_4LEVEL), "4-level");
}

/* Linear 0x400000 -> phys 0x200000 and linear 0x401000 -> phys 0x300000: not contiguous. */
static struct kvm_sregs split_code_pages(struct guest_mem *mem, bool second_page_present)
{
	put64(mem, 0x10000, 0x11000 | PTE_P);
	put64(mem, 0x11000, 0x12000 | PTE_P);
	put64(mem, 0x12000 + 2 * 8, 0x13000 | PTE_P); /* 0x400000 */
	put64(mem, 0x13000 + 0 * 8, 0x200000 | PTE_P);
	if (second_page_present)
		put64(mem, 0x13000 + 1 * 8, 0x300000 | PTE_P);
	for (unsigned i = 0; i < 0x1000; i++) {
		put_le(mem, 0x200000 + i, 0xa0 + (i & 0xf), 1);
		put_le(mem, 0x300000 + i, 0xc0 + (i & 0xf), 1);
	}
	return sregs_long_mode(0x10000, false);
}

static void test_read_linear_translates_each_page(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs s = split_code_pages(&f->mem, true);
	uint8_t buf[32];
	bool readable[32];

	assert_int_equal(guest_read_linear(&f->mem, &s, 0x400ff0, buf, readable, 32), 32);
	assert_int_equal(buf[0], 0xa0);  /* phys 0x200ff0 */
	assert_int_equal(buf[15], 0xaf); /* phys 0x200fff */
	assert_int_equal(buf[16], 0xc0); /* phys 0x300000, not 0x201000 */
	assert_true(readable[0] && readable[31]);

	put64(&f->mem, 0x13000 + 1 * 8, 0);
	assert_int_equal(guest_read_linear(&f->mem, &s, 0x400ff0, buf, readable, 32), 16);
	assert_true(readable[15]);
	assert_false(readable[16]);
	assert_int_equal(buf[16], 0);
}

/* ------------------------------------------------------------------------ dumps */

/* The state of a PVH entry: flat 4 GiB segments, protected mode without paging. */
static void pvh_entry_state(struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	memset(regs, 0, sizeof(*regs));
	memset(sregs, 0, sizeof(*sregs));
	regs->rip = 0x100000;
	regs->rbx = LAYOUT_START_INFO;
	regs->rsp = 0x8ff0;
	regs->rflags = 0x2;
	sregs->cs = flat_segment(0x8, 0xb, false);
	sregs->ds = sregs->es = sregs->ss = sregs->fs = sregs->gs = flat_segment(0x10, 0x3, false);
	sregs->tr = task_register(0xb);
	sregs->ldt = (struct kvm_segment){.limit = 0xffff, .type = 0x2, .present = 1};
	sregs->cr0 = CR0_PE | CR0_ET;
	sregs->apic_base = 0xfee00900;
}

static void test_dump_pvh_entry_state(void **state)
{
	struct fixture *f = *state;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	pvh_entry_state(&regs, &sregs);
	const uint8_t code[] = {0xfa, 0xfc, 0xf4};
	put_bytes(&f->mem, 0x100000 - 1, (const uint8_t[]){0x90}, 1);
	put_bytes(&f->mem, 0x100000, code, sizeof(code));
	put32(&f->mem, 0x8ff0, 0xdeadbeef);
	put32(&f->mem, 0x8ff4, 0x12345678);

	char *text = dump("KVM_EXIT_SHUTDOWN (triple fault)", &regs, &sregs, &f->mem);
	assert_starts_with(text, "Register dump: KVM_EXIT_SHUTDOWN (triple fault)\n");
	assert_contains(text, "Mode: protected 32-bit, CPL=0, paging off\n");
	assert_contains(text, "EAX=00000000 EBX=00006000 ECX=00000000 EDX=00000000\n");
	assert_contains(text, "ESI=00000000 EDI=00000000 EBP=00000000 ESP=00008ff0\n");
	assert_contains(text, "EIP=00100000 RFL=00000002 [---------]\n");
	assert_contains(text, "CS =0008 00000000 ffffffff 00c09b00 DPL=0 code32 [-RA] P S DB G\n");
	assert_contains(text, "SS =0010 00000000 ffffffff 00c09300 DPL=0 data32 [-WA] P S DB G\n");
	assert_contains(text, "LDT=0000 00000000 0000ffff 00008200 DPL=0 LDT P\n");
	assert_contains(text, "TR =0018 00000000 00000067 00008b00 DPL=0 TSS32-busy P\n");
	assert_contains(text, "GDT=     00000000 00000000\n");
	assert_contains(text, "CR0=00000011 [PE ET]\n");
	assert_contains(text, "CR2=00000000 CR3=00000000 CR8=0\n");
	assert_contains(text, "CR4=00000000 []\n");
	assert_contains(text, "EFER=0000000000000000 []\n");
	assert_contains(text, "APIC_BASE=00000000fee00900 [BSP EN]\n");
	assert_contains(text, "CS:RIP linear=00100000 phys=00100000\n");
	assert_contains(text, "Code=00 00 00");
	assert_contains(text, " 90 <fa> fc f4 00");
	assert_contains(text, "Stack 00008ff0: deadbeef 12345678 00000000 00000000\n");
	assert_contains(text, "Stack 00009000: 00000000");
	assert_not_contains(text, "R8 ");
	assert_not_contains(text, "Pending");

	/* Deterministic: the same state prints the same text. */
	char *again = dump("KVM_EXIT_SHUTDOWN (triple fault)", &regs, &sregs, &f->mem);
	assert_string_equal(text, again);
	free(again);
	free(text);
}

static void test_dump_long_mode_state(void **state)
{
	struct fixture *f = *state;
	struct kvm_regs regs = {0};
	struct kvm_sregs sregs = sregs_long_mode(0x9000, false);
	/* Identity map of the first 16 MiB with 2 MiB pages, as the Linux 64-bit entry uses. */
	put64(&f->mem, 0x9000, 0xa000 | PTE_P | PTE_RW);
	put64(&f->mem, 0xa000, 0xb000 | PTE_P | PTE_RW);
	for (uint64_t i = 0; i < 8; i++)
		put64(&f->mem, 0xb000 + i * 8, (i << 21) | PTE_P | PTE_RW | PTE_PS);
	put_bytes(&f->mem, 0x200000, (const uint8_t[]){0x0f, 0x0b}, 2); /* ud2 */
	put64(&f->mem, 0x8ff0, 0x1122334455667788ull);

	regs.rip = 0x200000;
	regs.rsp = 0x8ff0;
	regs.rsi = LAYOUT_MEMMAP;
	regs.r15 = 0xffffffffffffffffull;
	regs.rflags = 0x246 | (3u << 12) | (1u << 18); /* IF ZF PF, IOPL 3, AC */
	sregs.cr0 = 0x80050033;
	sregs.cs = flat_segment(0x10, 0xb, true);
	sregs.ds = sregs.es = sregs.ss = flat_segment(0x18, 0x3, false);
	sregs.tr = task_register(0xb);
	sregs.gdt.base = LAYOUT_BOOT_GDT;
	sregs.gdt.limit = 0x1f;
	sregs.interrupt_bitmap[0] = 1ull << 32;

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	assert_starts_with(text, "Register dump\nMode: long 64-bit, CPL=0, paging 4-level\n");
	assert_contains(text, "RSI=0000000000007000");
	assert_contains(text, "R12=0000000000000000 R13=0000000000000000 R14=0000000000000000 "
			      "R15=ffffffffffffffff\n");
	assert_contains(text, "RIP=0000000000200000 RFL=00043246 [--I--Z-P-] IOPL=3 AC\n");
	assert_contains(text,
			"CS =0010 0000000000000000 ffffffff 00a09b00 DPL=0 code64 [-RA] P S L G\n");
	assert_contains(text, "TR =0018 0000000000000000 00000067 00008b00 DPL=0 TSS64-busy P\n");
	assert_contains(text, "GDT=     0000000000000500 0000001f\n");
	assert_contains(text, "CR0=80050033 [PE MP ET NE WP AM PG]\n");
	assert_contains(text, "CR3=0000000000009000");
	assert_contains(text, "CR4=00000020 [PAE]\n");
	assert_contains(text, "EFER=0000000000000500 [LME LMA]\n");
	assert_contains(text, "Pending interrupt vectors: 0x20\n");
	assert_contains(text, "CS:RIP linear=0000000000200000 phys=0000000000200000\n");
	assert_contains(text, " 00 <0f> 0b 00");
	assert_contains(text, "Stack 0000000000008ff0: 1122334455667788 0000000000000000");
	free(text);
}

static void test_dump_compat_and_real_mode(void **state)
{
	struct fixture *f = *state;
	struct kvm_regs regs = {0};
	struct kvm_sregs sregs = sregs_long_mode(0x10000, false);
	sregs.cs = flat_segment(0x23, 0xb, false);

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	assert_contains(text, "Mode: compat 32-bit");
	free(text);

	/* The reset state: CS base 0xffff0000, outside RAM here. */
	memset(&sregs, 0, sizeof(sregs));
	sregs.cs = (struct kvm_segment){
		.base = 0xffff0000, .limit = 0xffff, .selector = 0xf000,
		.type = 0xb, .present = 1, .s = 1,
	};
	sregs.cr0 = 0x60000010;
	regs.rip = 0xfff0;
	regs.rflags = 0x2;
	text = dump(NULL, &regs, &sregs, &f->mem);
	assert_contains(text, "Mode: real, CPL=0, paging off\n");
	assert_contains(text, "CS =f000 ffff0000 0000ffff 00009b00 DPL=0 code16 [-RA] P S\n");
	assert_contains(text, "CR0=60000010 [ET NW CD]\n");
	assert_contains(text, "CS:RIP linear=fffffff0 phys=unmapped\n");
	assert_contains(text, "Code=<unavailable: RIP not mapped>\n");
	free(text);
}

static void test_dump_code_across_page_boundary(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs sregs = split_code_pages(&f->mem, true);
	struct kvm_regs regs = {.rip = 0x401000, .rsp = 0x8000, .rflags = 2};
	sregs.cs = flat_segment(0x10, 0xb, true);

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	/* 32 bytes before RIP come from phys 0x200fe0, RIP and after from 0x300000 */
	assert_contains(text, "Code=a0 a1 a2 a3 a4 a5 a6 a7 a8 a9 aa ab ac ad ae af a0 a1");
	assert_contains(text, "ad ae af <c0> c1 c2 c3");
	assert_contains(text, "CS:RIP linear=0000000000401000 phys=0000000000300000\n");
	assert_contains(text, "Stack=<unavailable: RSP not mapped>");
	free(text);
}

static void test_dump_code_partially_mapped(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs sregs = split_code_pages(&f->mem, false);
	struct kvm_regs regs = {.rip = 0x400ff8, .rflags = 2};
	sregs.cs = flat_segment(0x10, 0xb, true);

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	assert_contains(text, "<a8> a9 aa ab ac ad ae af ?? ?? ??");
	assert_contains(text, "?? ??\n");
	free(text);
}

static void test_dump_rip_unmapped(void **state)
{
	struct fixture *f = *state;
	struct kvm_sregs sregs = split_code_pages(&f->mem, false);
	struct kvm_regs regs = {.rip = 0x401000, .rflags = 2};
	sregs.cs = flat_segment(0x10, 0xb, true);

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	assert_contains(text, "CS:RIP linear=0000000000401000 phys=unmapped\n");
	assert_contains(text, "Code=<unavailable: RIP not mapped>\n");
	assert_not_contains(text, "<a");
	free(text);

	text = dump("no memory", &regs, &sregs, NULL);
	assert_contains(text, "Code=<unavailable: no guest memory>\n");
	free(text);

	text = dump("no registers", NULL, NULL, &f->mem);
	assert_string_equal(text, "Register dump: no registers\n<registers unavailable>\n");
	free(text);
}

static void test_dump_system_segment_names(void **state)
{
	struct fixture *f = *state;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	pvh_entry_state(&regs, &sregs);
	sregs.tr = task_register(0x9);
	sregs.ldt.unusable = 1;
	sregs.gs.present = 0;
	sregs.fs.type = 0x7; /* expand-down, writable, accessed */
	sregs.gs.type = 0xc; /* conforming, execute-only code */
	sregs.ss.dpl = 3;

	char *text = dump(NULL, &regs, &sregs, &f->mem);
	assert_contains(text, "TSS32-avail P\n");
	assert_contains(text, "DPL=0 LDT P unusable\n");
	assert_contains(text, "FS =0010 00000000 ffffffff 00c09700 DPL=0 data32 [EWA]");
	assert_contains(text, "GS =0010 00000000 ffffffff 00c01c00 DPL=0 code32 [C--] NP S DB G\n");
	assert_contains(text, "CPL=3");
	free(text);
}

/* xorshift64: a fixed sequence, so a failure reproduces. */
static uint64_t next_random(uint64_t *seed)
{
	uint64_t x = *seed;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	*seed = x;
	return x;
}

static void fill_random(void *buf, size_t len, uint64_t *seed)
{
	uint8_t *bytes = buf;
	for (size_t i = 0; i < len; i++)
		bytes[i] = (uint8_t)next_random(seed);
}

static void test_garbage_state_is_safe(void **state)
{
	struct fixture *f = *state;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	FILE *sink = fopen("/dev/null", "w");
	assert_non_null(sink);

	/* Random page tables in the first 2 MiB, so walks wander through garbage. */
	fill_random(f->mem.host, MiB(2), &seed);

	for (int i = 0; i < 20000; i++) {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		fill_random(&regs, sizeof(regs), &seed);
		fill_random(&sregs, sizeof(sregs), &seed);
		if (i % 2) {
			/* Keep CR3, RIP and RSP in RAM half the time to reach the deep paths. */
			sregs.cr3 &= MiB(2) - 1;
			sregs.cr0 |= CR0_PE | CR0_PG;
			regs.rip &= MiB(4) - 1;
			regs.rsp &= MiB(4) - 1;
		}
		uint64_t gpa = 0;
		uint64_t linear = next_random(&seed);
		if (i % 3 == 0)
			linear &= MiB(2) - 1;
		if (guest_linear_to_phys(&f->mem, &sregs, linear, &gpa) == 0)
			assert_true(gpa_is_ram(&f->mem, gpa, 1));
		regdump_print(sink, "garbage", &regs, &sregs, &f->mem);
	}
	fclose(sink);
}

static void test_exit_reason_names(void **state)
{
	(void)state;
	assert_string_equal(regdump_exit_reason_name(KVM_EXIT_SHUTDOWN), "SHUTDOWN");
	assert_string_equal(regdump_exit_reason_name(KVM_EXIT_INTERNAL_ERROR), "INTERNAL_ERROR");
	assert_string_equal(regdump_exit_reason_name(KVM_EXIT_FAIL_ENTRY), "FAIL_ENTRY");
	assert_string_equal(regdump_exit_reason_name(KVM_EXIT_UNKNOWN), "UNKNOWN");
	assert_string_equal(regdump_exit_reason_name(0xffffffffu), "unknown");
	assert_string_equal(regdump_internal_error_name(KVM_INTERNAL_ERROR_EMULATION),
			    "emulation failure");
	assert_string_equal(regdump_internal_error_name(KVM_INTERNAL_ERROR_SIMUL_EX),
			    "simultaneous exceptions");
	assert_string_equal(regdump_internal_error_name(KVM_INTERNAL_ERROR_DELIVERY_EV),
			    "event delivery failure");
	assert_string_equal(regdump_internal_error_name(0), "unknown");
	assert_string_equal(regdump_internal_error_name(1000), "unknown");
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_paging_off_is_identity),
		TEST(test_32bit_paging_4k_pages),
		TEST(test_32bit_paging_4m_pages_need_pse),
		TEST(test_pae_paging),
		TEST(test_long_mode_4level_paging),
		TEST(test_long_mode_5level_paging),
		TEST(test_tables_outside_ram),
		TEST(test_self_referencing_tables_terminate),
		TEST(test_invalid_mode_combination),
		TEST(test_read_linear_translates_each_page),
		TEST(test_dump_pvh_entry_state),
		TEST(test_dump_long_mode_state),
		TEST(test_dump_compat_and_real_mode),
		TEST(test_dump_code_across_page_boundary),
		TEST(test_dump_code_partially_mapped),
		TEST(test_dump_rip_unmapped),
		TEST(test_dump_system_segment_names),
		TEST(test_garbage_state_is_safe),
		cmocka_unit_test(test_exit_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
