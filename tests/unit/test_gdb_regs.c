/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The registers gdb sees (gdb_regs.c) and the target description (gdb_target_xml.c): layout
 * sizes gdb checks the 'g' reply against, the i386 view of 64-bit state, x87 tag words, and
 * a description that names every register once, in 'g' order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "debug/gdb_regs.h"

static int find_reg(enum gdb_arch arch, const char *name)
{
	for (unsigned i = 0; i < gdb_regs_count(arch); i++)
		if (strcmp(gdb_reg_info(arch, i)->name, name) == 0)
			return (int)i;
	return -1;
}

static uint64_t get(enum gdb_arch arch, const struct gdb_cpu_state *s, const char *name)
{
	int regno = find_reg(arch, name);
	assert_true(regno >= 0);
	uint8_t buf[GDB_REG_MAX_BYTES] = { 0 };
	assert_true(gdb_reg_get(arch, s, (unsigned)regno, buf));
	uint64_t v = 0;
	size_t n = gdb_reg_size(arch, (unsigned)regno);
	for (size_t i = 0; i < n && i < 8; i++)
		v |= (uint64_t)buf[i] << (8 * i);
	return v;
}

static int set(enum gdb_arch arch, struct gdb_cpu_state *s, const char *name, uint64_t v)
{
	int regno = find_reg(arch, name);
	assert_true(regno >= 0);
	uint8_t buf[GDB_REG_MAX_BYTES] = { 0 };
	for (size_t i = 0; i < 8; i++)
		buf[i] = (uint8_t)(v >> (8 * i));
	return gdb_reg_set(arch, s, (unsigned)regno, buf);
}

static void test_layout_sizes(void **state)
{
	(void)state;
	/* i386: 8 GPRs, eip, eflags, 6 selectors (4 each), 8 x 10-byte st, 8 x87 control
	 * (4 each), 8 xmm, mxcsr, then cr0 cr2 cr3 cr4 efer (8 each). */
	assert_int_equal(gdb_regs_total_size(GDB_ARCH_I386),
			 8 * 4 + 4 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4 + 5 * 8);
	/* x86-64: 16 GPRs, rip (8), eflags (4), ..., 16 xmm, mxcsr, fs_base, gs_base, sys. */
	assert_int_equal(gdb_regs_total_size(GDB_ARCH_X86_64),
			 16 * 8 + 8 + 4 + 6 * 4 + 8 * 10 + 8 * 4 + 16 * 16 + 4 + 2 * 8 + 5 * 8);
	assert_int_equal(gdb_regs_count(GDB_ARCH_I386), 8 + 2 + 6 + 16 + 9 + 5);
	assert_int_equal(gdb_regs_count(GDB_ARCH_X86_64), 16 + 2 + 6 + 16 + 17 + 2 + 5);
	assert_null(gdb_reg_info(GDB_ARCH_I386, gdb_regs_count(GDB_ARCH_I386)));
	assert_int_equal(gdb_reg_size(GDB_ARCH_X86_64, 1000), 0);
}

static void test_gdb_register_order(void **state)
{
	(void)state;
	/* gdb's own numbering: i386 uses the instruction encoding order. */
	static const char *i386_first[] = { "eax", "ecx", "edx", "ebx", "esp", "ebp",
					    "esi", "edi", "eip", "eflags", "cs", "ss" };
	static const char *amd64_first[] = { "rax", "rbx", "rcx", "rdx", "rsi", "rdi",
					     "rbp", "rsp", "r8", "r9" };
	for (unsigned i = 0; i < sizeof(i386_first) / sizeof(i386_first[0]); i++)
		assert_string_equal(gdb_reg_info(GDB_ARCH_I386, i)->name, i386_first[i]);
	for (unsigned i = 0; i < sizeof(amd64_first) / sizeof(amd64_first[0]); i++)
		assert_string_equal(gdb_reg_info(GDB_ARCH_X86_64, i)->name, amd64_first[i]);
	assert_int_equal(find_reg(GDB_ARCH_X86_64, "rip"), 16);
	assert_int_equal(find_reg(GDB_ARCH_X86_64, "st0"), 24);
	assert_int_equal(find_reg(GDB_ARCH_I386, "fs_base"), -1);
}

static void test_general_registers(void **state)
{
	(void)state;
	struct gdb_cpu_state s;
	memset(&s, 0, sizeof(s));
	s.regs.rax = 0x1122334455667788ull;
	s.regs.rbx = 0x6000;
	s.regs.rsp = 0xffffffff80001000ull;
	s.regs.r15 = 15;
	s.regs.rip = 0x100243;
	s.regs.rflags = 0x246;
	assert_true(get(GDB_ARCH_X86_64, &s, "rax") == 0x1122334455667788ull);
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "rbx"), 0x6000);
	assert_true(get(GDB_ARCH_X86_64, &s, "rsp") == 0xffffffff80001000ull);
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "r15"), 15);
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "rip"), 0x100243);
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "eflags"), 0x246);
	/* The i386 view of the same state: the low halves. */
	assert_int_equal(get(GDB_ARCH_I386, &s, "eax"), 0x55667788);
	assert_int_equal(get(GDB_ARCH_I386, &s, "ebx"), 0x6000);
	assert_int_equal(get(GDB_ARCH_I386, &s, "esp"), 0x80001000);
	assert_int_equal(get(GDB_ARCH_I386, &s, "eip"), 0x100243);
}

static void test_i386_writes_keep_high_halves(void **state)
{
	(void)state;
	struct gdb_cpu_state s;
	memset(&s, 0, sizeof(s));
	s.regs.rax = 0xaaaaaaaa00000000ull;
	assert_int_equal(set(GDB_ARCH_I386, &s, "eax", 0x12345678), GDB_DIRTY_REGS);
	assert_true(s.regs.rax == 0xaaaaaaaa12345678ull);
	assert_int_equal(set(GDB_ARCH_I386, &s, "eax", 0x12345678), 0); /* unchanged */
	assert_int_equal(set(GDB_ARCH_X86_64, &s, "rax", 7), GDB_DIRTY_REGS);
	assert_int_equal(s.regs.rax, 7);
	assert_int_equal(set(GDB_ARCH_I386, &s, "eip", 0x100000), GDB_DIRTY_REGS);
	assert_int_equal(s.regs.rip, 0x100000);
}

static void test_segments_and_system_registers(void **state)
{
	(void)state;
	struct gdb_cpu_state s;
	memset(&s, 0, sizeof(s));
	s.sregs.cs.selector = 0x08;
	s.sregs.cs.base = 0x1000;
	s.sregs.ss.selector = 0x10;
	s.sregs.fs.base = 0x7fff00001000ull;
	s.sregs.cr0 = 0x80000011;
	s.sregs.cr2 = 0xdead000;
	s.sregs.cr3 = 0x10b000;
	s.sregs.cr4 = 0x20;
	s.sregs.efer = 0x500;
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "cs"), 0x08);
	assert_int_equal(get(GDB_ARCH_I386, &s, "ss"), 0x10);
	assert_true(get(GDB_ARCH_X86_64, &s, "fs_base") == 0x7fff00001000ull);
	for (int arch = GDB_ARCH_I386; arch <= GDB_ARCH_X86_64; arch++) {
		assert_int_equal(get((enum gdb_arch)arch, &s, "cr0"), 0x80000011);
		assert_int_equal(get((enum gdb_arch)arch, &s, "cr2"), 0xdead000);
		assert_int_equal(get((enum gdb_arch)arch, &s, "cr3"), 0x10b000);
		assert_int_equal(get((enum gdb_arch)arch, &s, "cr4"), 0x20);
		assert_int_equal(get((enum gdb_arch)arch, &s, "efer"), 0x500);
		assert_int_equal(gdb_reg_size((enum gdb_arch)arch,
					      (unsigned)find_reg((enum gdb_arch)arch, "cr3")),
				 8);
	}
	/* A selector write changes the selector only; the hidden base stays. */
	assert_int_equal(set(GDB_ARCH_X86_64, &s, "cs", 0x18), GDB_DIRTY_SREGS);
	assert_int_equal(s.sregs.cs.selector, 0x18);
	assert_int_equal(s.sregs.cs.base, 0x1000);
	assert_int_equal(set(GDB_ARCH_X86_64, &s, "cs", 0x18), 0);
	assert_int_equal(set(GDB_ARCH_I386, &s, "cr3", 0x200000), GDB_DIRTY_SREGS);
	assert_int_equal(s.sregs.cr3, 0x200000);
	assert_int_equal(set(GDB_ARCH_X86_64, &s, "gs_base", 0x5000), GDB_DIRTY_SREGS);
	assert_int_equal(s.sregs.gs.base, 0x5000);
}

static void test_fpu_registers(void **state)
{
	(void)state;
	struct gdb_cpu_state s;
	memset(&s, 0, sizeof(s));
	uint8_t buf[GDB_REG_MAX_BYTES];
	int st0 = find_reg(GDB_ARCH_X86_64, "st0");
	int xmm1 = find_reg(GDB_ARCH_X86_64, "xmm1");
	assert_false(gdb_reg_get(GDB_ARCH_X86_64, &s, (unsigned)st0, buf)); /* no FPU state */
	assert_int_equal(gdb_reg_set(GDB_ARCH_X86_64, &s, (unsigned)st0, buf), -1);

	s.fpu_valid = true;
	s.fpu.fcw = 0x37f;
	s.fpu.mxcsr = 0x1f80;
	for (int i = 0; i < 16; i++)
		s.fpu.xmm[1][i] = (uint8_t)i;
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "fctrl"), 0x37f);
	assert_int_equal(get(GDB_ARCH_I386, &s, "mxcsr"), 0x1f80);
	assert_true(gdb_reg_get(GDB_ARCH_X86_64, &s, (unsigned)xmm1, buf));
	assert_memory_equal(buf, s.fpu.xmm[1], 16);
	assert_int_equal(get(GDB_ARCH_X86_64, &s, "fiseg"), 0);

	memset(buf, 0x5a, sizeof(buf));
	assert_int_equal(gdb_reg_set(GDB_ARCH_X86_64, &s, (unsigned)st0, buf), GDB_DIRTY_FPU);
	assert_memory_equal(s.fpu.fpr[0], buf, 10);
	assert_int_equal(s.fpu.fpr[0][10], 0); /* only 10 bytes */
	assert_int_equal(set(GDB_ARCH_X86_64, &s, "fiseg", 0x33), 0); /* no room: ignored */
}

/* An 80-bit value: 64-bit mantissa, then sign and 15-bit exponent. */
static void put_x87(uint8_t *reg, uint64_t mantissa, unsigned exponent)
{
	for (int i = 0; i < 8; i++)
		reg[i] = (uint8_t)(mantissa >> (8 * i));
	reg[8] = (uint8_t)exponent;
	reg[9] = (uint8_t)(exponent >> 8);
}

static void test_x87_tag_word(void **state)
{
	(void)state;
	struct kvm_fpu fpu;
	memset(&fpu, 0, sizeof(fpu));
	assert_int_equal(gdb_fpu_full_tag(&fpu), 0xffff); /* all empty */

	/* TOP = 6: ST0 is physical register 6, ST1 physical 7, ST2 physical 0. */
	fpu.fsw = 6 << 11;
	fpu.ftwx = (1 << 6) | (1 << 7) | (1 << 0);
	put_x87(fpu.fpr[0], 0x8000000000000000ull, 0x3fff); /* 1.0: valid (00) */
	put_x87(fpu.fpr[1], 0, 0);                           /* +0: zero (01) */
	put_x87(fpu.fpr[2], 0xc000000000000000ull, 0x7fff);  /* NaN: special (10) */
	uint16_t tag = gdb_fpu_full_tag(&fpu);
	assert_int_equal((tag >> 12) & 3, 0); /* physical 6 */
	assert_int_equal((tag >> 14) & 3, 1); /* physical 7 */
	assert_int_equal(tag & 3, 2);         /* physical 0 */
	assert_int_equal((tag >> 2) & 3, 3);  /* physical 1: empty */
	assert_int_equal(gdb_fpu_abridged_tag(tag), fpu.ftwx);
	assert_int_equal(gdb_fpu_abridged_tag(0xffff), 0);
	assert_int_equal(gdb_fpu_abridged_tag(0x0000), 0xff);
}

static unsigned count(const char *haystack, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void check_xml(enum gdb_arch arch)
{
	static char xml[16384];
	size_t len = gdb_target_xml(arch, xml, sizeof(xml));
	assert_true(len > 0 && len < sizeof(xml));
	assert_int_equal(strlen(xml), len);
	char arch_line[64];
	snprintf(arch_line, sizeof(arch_line), "<architecture>%s</architecture>",
		 gdb_arch_name(arch));
	assert_non_null(strstr(xml, arch_line));
	assert_int_equal(count(xml, "<reg "), gdb_regs_count(arch));
	assert_int_equal(count(xml, "<feature "), count(xml, "</feature>"));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.core\">"));
	assert_non_null(strstr(xml, "<feature name=\"org.millivm.sys\">"));
	/* Each register once, with its size and its number in 'g' order. */
	for (unsigned i = 0; i < gdb_regs_count(arch); i++) {
		const struct gdb_reg_info *r = gdb_reg_info(arch, i);
		char reg[128];
		snprintf(reg, sizeof(reg),
			 "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"", r->name,
			 r->bits, r->type, i);
		assert_int_equal(count(xml, reg), 1);
	}
	/* Too small a buffer is an error, never a truncated description. */
	assert_int_equal(gdb_target_xml(arch, xml, len), 0);
	assert_int_equal(gdb_target_xml(arch, xml, 0), 0);
}

static void test_target_xml(void **state)
{
	(void)state;
	check_xml(GDB_ARCH_I386);
	check_xml(GDB_ARCH_X86_64);
	static char xml[16384];
	gdb_target_xml(GDB_ARCH_I386, xml, sizeof(xml));
	assert_null(strstr(xml, "org.gnu.gdb.i386.segments")); /* no fs_base in the i386 view */
	gdb_target_xml(GDB_ARCH_X86_64, xml, sizeof(xml));
	assert_non_null(strstr(xml, "<feature name=\"org.gnu.gdb.i386.segments\">"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_sizes),
		cmocka_unit_test(test_gdb_register_order),
		cmocka_unit_test(test_general_registers),
		cmocka_unit_test(test_i386_writes_keep_high_halves),
		cmocka_unit_test(test_segments_and_system_registers),
		cmocka_unit_test(test_fpu_registers),
		cmocka_unit_test(test_x87_tag_word),
		cmocka_unit_test(test_target_xml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
