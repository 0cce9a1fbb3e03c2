/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The software-interrupt fallback's pure parts (src/x86/soft_int.h): decoding int3 and int n
 * behind prefixes (and fwait) and refusing everything else, the linear address of CS:RIP in each mode,
 * and RIP after the instruction with 16-, 32- and 64-bit wrap-around. Delivery itself needs
 * KVM: tests/integration/soft-int.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "x86/soft_int.h"

static int decode(const uint8_t *code, size_t len, bool code64, struct soft_int *si)
{
	memset(si, 0xa5, sizeof(*si));
	return soft_int_decode(code, len, code64, si);
}

static void test_decode_plain(void **state)
{
	(void)state;
	struct soft_int si;
	static const uint8_t int3[] = { 0xcc, 0x90 };
	assert_int_equal(decode(int3, sizeof(int3), false, &si), 0);
	assert_true(si.int3);
	assert_int_equal(si.vector, 3);
	assert_int_equal(si.length, 1);

	static const uint8_t int80[] = { 0xcd, 0x80 };
	assert_int_equal(decode(int80, sizeof(int80), true, &si), 0);
	assert_false(si.int3);
	assert_int_equal(si.vector, 0x80);
	assert_int_equal(si.length, 2);

	static const uint8_t int3_explicit[] = { 0xcd, 0x03 }; /* int $3: an INT n, not int3 */
	assert_int_equal(decode(int3_explicit, sizeof(int3_explicit), true, &si), 0);
	assert_false(si.int3);
	assert_int_equal(si.vector, 3);
}

static void test_decode_fwait(void **state)
{
	(void)state;
	struct soft_int si;
	static const uint8_t fwait[] = { 0x9b, 0x65, 0x48 };
	assert_int_equal(decode(fwait, sizeof(fwait), true, &si), 0);
	assert_true(si.fwait);
	assert_false(si.int3);
	assert_int_equal(si.length, 1);
	/* finit is fwait, then fninit: only the fwait is ours */
	static const uint8_t finit[] = { 0x9b, 0xdb, 0xe3 };
	assert_int_equal(decode(finit, sizeof(finit), false, &si), 0);
	assert_int_equal(si.length, 1);
	static const uint8_t prefixed[] = { 0x2e, 0x9b };
	assert_int_equal(decode(prefixed, sizeof(prefixed), false, &si), 0);
	assert_true(si.fwait);
	assert_int_equal(si.length, 2);
	static const uint8_t locked[] = { 0xf0, 0x9b };
	assert_int_equal(decode(locked, sizeof(locked), true, &si), -1);
	/* int3 and int n are not fwait */
	static const uint8_t int3[] = { 0xcc };
	assert_int_equal(decode(int3, sizeof(int3), true, &si), 0);
	assert_false(si.fwait);
}

static void test_decode_prefixes(void **state)
{
	(void)state;
	struct soft_int si;
	static const uint8_t seg_addr[] = { 0x2e, 0x67, 0xcd, 0x81 };
	assert_int_equal(decode(seg_addr, sizeof(seg_addr), true, &si), 0);
	assert_int_equal(si.vector, 0x81);
	assert_int_equal(si.length, 4);

	static const uint8_t all[] = { 0x66, 0x67, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65,
				       0xcc };
	assert_int_equal(decode(all, sizeof(all), false, &si), 0);
	assert_int_equal(si.length, 11);

	/* REX only in 64-bit code; in 32-bit code 0x48 is dec %eax */
	static const uint8_t rex[] = { 0x3e, 0x48, 0xcc };
	assert_int_equal(decode(rex, sizeof(rex), true, &si), 0);
	assert_int_equal(si.length, 3);
	assert_int_equal(decode(rex, sizeof(rex), false, &si), -1);
	/* REX must come last: a prefix after it makes it something else */
	static const uint8_t rex_early[] = { 0x48, 0x3e, 0xcc };
	assert_int_equal(decode(rex_early, sizeof(rex_early), true, &si), -1);
}

static void test_decode_length_limit(void **state)
{
	(void)state;
	struct soft_int si;
	uint8_t code[32];
	memset(code, 0x3e, sizeof(code));
	code[14] = 0xcc; /* 14 prefixes and the opcode: 15 bytes, the most there can be */
	assert_int_equal(decode(code, sizeof(code), true, &si), 0);
	assert_int_equal(si.length, 15);
	code[14] = 0x3e;
	code[15] = 0xcc; /* 16 bytes: #GP on a real CPU */
	assert_int_equal(decode(code, sizeof(code), true, &si), -1);
	code[13] = 0xcd; /* int n whose vector byte would be the 16th */
	code[14] = 0x80;
	assert_int_equal(decode(code, 14, true, &si), -1);
	assert_int_equal(decode(code, 15, true, &si), 0);
	assert_int_equal(si.length, 15);
}

static void test_decode_refusals(void **state)
{
	(void)state;
	struct soft_int si;
	static const uint8_t lock[] = { 0xf0, 0xcc };
	assert_int_equal(decode(lock, sizeof(lock), true, &si), -1);
	static const uint8_t truncated[] = { 0x2e, 0xcd };
	assert_int_equal(decode(truncated, sizeof(truncated), true, &si), -1);
	static const uint8_t others[][3] = {
		{ 0x0f, 0x01, 0xd9 }, /* not an int at all */
		{ 0xce, 0, 0 },       /* into */
		{ 0xf1, 0, 0 },       /* int1 / icebp */
		{ 0xcf, 0, 0 },       /* iret */
		{ 0x0f, 0x05, 0 },    /* syscall */
	};
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		assert_int_equal(decode(others[i], 3, true, &si), -1);
	assert_int_equal(decode(lock, 0, true, &si), -1);
	static const uint8_t only_prefixes[] = { 0x66, 0x67 };
	assert_int_equal(decode(only_prefixes, sizeof(only_prefixes), false, &si), -1);
}

static void set_mode(struct kvm_sregs *s, bool protected, bool lma, bool l, bool db)
{
	memset(s, 0, sizeof(*s));
	s->cr0 = protected ? 0x11 : 0x10;
	s->efer = lma ? 0x500 : 0;
	s->cs.l = l;
	s->cs.db = db;
}

static void test_fetch_address(void **state)
{
	(void)state;
	struct kvm_regs r;
	struct kvm_sregs s;
	uint64_t linear = 0;
	bool code64 = false;
	memset(&r, 0, sizeof(r));

	set_mode(&s, false, false, false, false); /* real mode: KVM handles int there */
	assert_false(soft_int_fetch_address(&r, &s, &linear, &code64));

	set_mode(&s, true, false, false, true);
	r.rflags = 1u << 17; /* virtual-8086 */
	assert_false(soft_int_fetch_address(&r, &s, &linear, &code64));
	r.rflags = 2;

	s.cs.base = 0x10000;
	r.rip = 0x1234;
	assert_true(soft_int_fetch_address(&r, &s, &linear, &code64));
	assert_false(code64);
	assert_int_equal(linear, 0x11234);
	s.cs.base = 0xfffff000; /* wraps at 4 GiB */
	r.rip = 0x2000;
	assert_true(soft_int_fetch_address(&r, &s, &linear, &code64));
	assert_int_equal(linear, 0x1000);

	set_mode(&s, true, true, true, false); /* 64-bit: the CS base does not count */
	s.cs.base = 0x10000;
	r.rip = 0xffffffff81000000ull;
	assert_true(soft_int_fetch_address(&r, &s, &linear, &code64));
	assert_true(code64);
	assert_int_equal(linear, 0xffffffff81000000ull);

	set_mode(&s, true, true, false, true); /* compatibility mode: 32-bit code */
	s.cs.base = 0;
	r.rip = 0x8000;
	assert_true(soft_int_fetch_address(&r, &s, &linear, &code64));
	assert_false(code64);
	assert_int_equal(linear, 0x8000);
}

static void test_next_rip(void **state)
{
	(void)state;
	struct kvm_regs r;
	struct kvm_sregs s;
	memset(&r, 0, sizeof(r));
	set_mode(&s, true, true, true, false);
	r.rip = 0xffffffff810000feull;
	assert_int_equal(soft_int_next_rip(&r, &s, 2), 0xffffffff81000100ull);
	set_mode(&s, true, false, false, true);
	r.rip = 0xffffffff;
	assert_int_equal(soft_int_next_rip(&r, &s, 1), 0);
	r.rip = 0x100047;
	assert_int_equal(soft_int_next_rip(&r, &s, 1), 0x100048);
	set_mode(&s, true, false, false, false); /* 16-bit protected mode */
	r.rip = 0xfffe;
	assert_int_equal(soft_int_next_rip(&r, &s, 3), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_plain),
		cmocka_unit_test(test_decode_prefixes),
		cmocka_unit_test(test_decode_fwait),
		cmocka_unit_test(test_decode_length_limit),
		cmocka_unit_test(test_decode_refusals),
		cmocka_unit_test(test_fetch_address),
		cmocka_unit_test(test_next_rip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
