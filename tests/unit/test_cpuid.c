/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-vCPU CPUID table (design.md section 5), built from a fake KVM_GET_SUPPORTED_CPUID
 * answer: APIC ids, the hypervisor leaves with the 0x40000010 timing leaf, feature masks by
 * name and raw LEAF[.SUBLEAF]:REG:BIT, and the limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "millivm/abi.h"
#include "x86/cpuid.h"

#define SIG_FLAG KVM_CPUID_FLAG_SIGNIFCANT_INDEX
#define TSC_KHZ 2596134u

#define L1_ECX (1u << 0 | 1u << 13 | 1u << 26) /* sse3, cx16, xsave */
#define L1_EBX 0x07100800u /* stale APIC id 7, count 16, CLFLUSH 8 */
#define L7_EBX (1u << 0 | 1u << 20) /* fsgsbase, smap */
#define KVM_FEATURES (1u << 3 | 1u << 24) /* CLOCKSOURCE2, CLOCKSOURCE_STABLE_BIT */

static void add(struct cpuid_table *t, uint32_t leaf, uint32_t index, uint32_t flags,
		uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx)
{
	assert_true(t->nent < CPUID_MAX_ENTRIES);
	t->entries[t->nent++] = (struct kvm_cpuid_entry2){ .function = leaf, .index = index,
							   .flags = flags, .eax = eax,
							   .ebx = ebx, .ecx = ecx, .edx = edx };
}

/* What KVM_GET_SUPPORTED_CPUID might say, hypervisor leaves optional. */
static void fake_supported(struct cpuid_table *t, bool hv_leaves)
{
	memset(t, 0, sizeof(*t));
	add(t, 0, 0, 0, 0xd, 0x756e6547, 0x6c65746e, 0x49656e69);
	add(t, 1, 0, 0, 0x000306c3, L1_EBX, L1_ECX, 0x078bfbff);
	add(t, 4, 0, SIG_FLAG, 0x1c004121, 0, 0, 0);
	add(t, 4, 1, SIG_FLAG, 0x1c004122, 0, 0, 0);
	add(t, 7, 0, SIG_FLAG, 1, L7_EBX, 0, 0);
	add(t, 7, 1, SIG_FLAG, 1u << 4, 1u << 20, 0, 0); /* same bit as smap, other subleaf */
	add(t, 0xb, 0, SIG_FLAG, 0, 1, 0x100, 0xdead);
	add(t, 0xb, 1, SIG_FLAG, 0, 1, 0x201, 0xbeef);
	add(t, 0xd, 0, SIG_FLAG, 7, 0x340, 0, 0);
	add(t, 0xd, 1, SIG_FLAG, 0xf, 0, 0, 0);
	if (hv_leaves) {
		add(t, CPUID_HV_SIGNATURE, 0, 0, CPUID_HV_FEATURES, 0x4b4d564b, 0x564b4d56,
		    0x4d);
		add(t, CPUID_HV_FEATURES, 0, 0, KVM_FEATURES, 0, 0, 0);
	}
	add(t, 0x80000000, 0, 0, 0x80000008, 0, 0, 0);
	add(t, 0x80000001, 0, 0, 0, 0, 0x121, 1u << 27 | 1u << 26);
	add(t, 0x80000007, 0, 0, 0, 0, 0, 1u << 8);
}

struct fixture {
	struct cpuid_table t;
	struct cpuid_config cfg;
	struct error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	fake_supported(&f->t, true);
	f->cfg.tsc_khz = TSC_KHZ;
	f->cfg.vcpus = 1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static struct kvm_cpuid_entry2 *must_find(struct cpuid_table *t, uint32_t leaf, uint32_t sub)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(t, leaf, sub);
	if (!e)
		fail_msg("no CPUID leaf 0x%x.%u", leaf, sub);
	return e;
}

static void build(struct fixture *f, unsigned vcpu_id)
{
	if (cpuid_build(&f->t, &f->cfg, vcpu_id, &f->err) != 0)
		fail_msg("cpuid_build: %s", f->err.msg);
}

static unsigned count_leaf(const struct cpuid_table *t, uint32_t leaf)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < t->nent; i++)
		n += t->entries[i].function == leaf;
	return n;
}

static void add_mask(struct fixture *f, const char *text)
{
	assert_true(f->cfg.nmasks < CPUID_MAX_MASKS);
	if (cpuid_parse_mask(text, &f->cfg.masks[f->cfg.nmasks], &f->err) != 0)
		fail_msg("mask '%s' refused: %s", text, f->err.msg);
	f->cfg.nmasks++;
}

/* ------------------------------------------------------------------------ APIC ids */

static void test_apic_ids_per_vcpu(void **state)
{
	struct fixture *f = *state;
	f->cfg.vcpus = 8;
	static const unsigned ids[] = { 0, 1, 3, 7 };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		fake_supported(&f->t, true); /* each vCPU starts from KVM's table */
		build(f, ids[i]);
		struct kvm_cpuid_entry2 *l1 = must_find(&f->t, 1, 0);
		assert_int_equal(l1->ebx >> 24, ids[i]);
		assert_int_equal((l1->ebx >> 16) & 0xff, 8);    /* logical processors */
		assert_int_equal(l1->ebx & 0xffff, L1_EBX & 0xffff); /* CLFLUSH etc. kept */
		assert_int_equal(l1->eax, 0x000306c3);
		assert_true(l1->edx & (1u << 28)); /* HTT: the count above is valid */
		assert_int_equal(must_find(&f->t, 0xb, 0)->edx, ids[i]);
		assert_int_equal(must_find(&f->t, 0xb, 1)->edx, ids[i]);
		/* the rest of leaf 0xB is KVM's */
		assert_int_equal(must_find(&f->t, 0xb, 1)->ecx, 0x201);
	}
}

static void test_single_vcpu(void **state)
{
	struct fixture *f = *state;
	build(f, 0);
	struct kvm_cpuid_entry2 *l1 = must_find(&f->t, 1, 0);
	assert_int_equal(l1->ebx >> 24, 0);
	assert_int_equal((l1->ebx >> 16) & 0xff, 1);
	assert_false(l1->edx & (1u << 28));
}

static void test_rebuild_same_table(void **state)
{
	struct fixture *f = *state;
	f->cfg.vcpus = 4;
	build(f, 2);
	uint32_t nent = f->t.nent;
	build(f, 3); /* in place again: new id, no duplicate leaves */
	assert_int_equal(f->t.nent, nent);
	assert_int_equal(must_find(&f->t, 1, 0)->ebx >> 24, 3);
	assert_int_equal(count_leaf(&f->t, CPUID_HV_TIMING), 1);
}

static void test_hypervisor_bit(void **state)
{
	struct fixture *f = *state;
	assert_false(must_find(&f->t, 1, 0)->ecx & (1u << 31));
	build(f, 0);
	struct kvm_cpuid_entry2 *l1 = must_find(&f->t, 1, 0);
	assert_true(l1->ecx & (1u << 31));
	assert_int_equal(l1->ecx & ~(1u << 31), L1_ECX); /* nothing else changed */
}

/* ------------------------------------------------------------------------ hypervisor leaves */

static void check_hypervisor_leaves(struct fixture *f)
{
	struct kvm_cpuid_entry2 *sig = must_find(&f->t, CPUID_HV_SIGNATURE, 0);
	assert_int_equal(sig->eax, 0x40000010u);
	char vendor[12];
	memcpy(vendor, &sig->ebx, 4);
	memcpy(vendor + 4, &sig->ecx, 4);
	memcpy(vendor + 8, &sig->edx, 4);
	assert_memory_equal(vendor, "KVMKVMKVM\0\0\0", 12);

	struct kvm_cpuid_entry2 *timing = must_find(&f->t, CPUID_HV_TIMING, 0);
	assert_int_equal(timing->eax, f->cfg.tsc_khz);
	assert_int_equal(timing->ebx, 1000000u);
	assert_int_equal(timing->ecx, 0);
	assert_int_equal(timing->edx, 0);
	assert_non_null(cpuid_find(&f->t, CPUID_HV_FEATURES, 0));
	assert_int_equal(count_leaf(&f->t, CPUID_HV_SIGNATURE), 1);
	assert_int_equal(count_leaf(&f->t, CPUID_HV_FEATURES), 1);
	assert_int_equal(count_leaf(&f->t, CPUID_HV_TIMING), 1);
}

static void test_hypervisor_leaves_from_kvm(void **state)
{
	struct fixture *f = *state;
	uint32_t nent = f->t.nent;
	build(f, 0);
	check_hypervisor_leaves(f);
	assert_int_equal(f->t.nent, nent + 1); /* only 0x40000010 is new */
	/* KVM's paravirt features are passed through untouched */
	assert_int_equal(must_find(&f->t, CPUID_HV_FEATURES, 0)->eax, KVM_FEATURES);
}

static void test_hypervisor_leaves_added_when_missing(void **state)
{
	struct fixture *f = *state;
	fake_supported(&f->t, false);
	assert_null(cpuid_find(&f->t, CPUID_HV_SIGNATURE, 0));
	uint32_t nent = f->t.nent;
	build(f, 0);
	assert_int_equal(f->t.nent, nent + 3);
	check_hypervisor_leaves(f);
}

static void test_timing_leaf_without_tsc_khz(void **state)
{
	struct fixture *f = *state;
	f->cfg.tsc_khz = 0;
	build(f, 0);
	assert_int_equal(must_find(&f->t, CPUID_HV_TIMING, 0)->eax, 0);
	assert_int_equal(must_find(&f->t, CPUID_HV_TIMING, 0)->ebx, 1000000u);
}

static void test_table_full(void **state)
{
	struct fixture *f = *state;
	fake_supported(&f->t, false);
	while (f->t.nent < CPUID_MAX_ENTRIES)
		add(&f->t, 0x80000100 + f->t.nent, 0, 0, 0, 0, 0, 0);
	assert_int_equal(cpuid_build(&f->t, &f->cfg, 0, &f->err), -1);
	assert_msg_contains(f->err.msg, "CPUID table full");
	assert_int_equal(f->t.nent, CPUID_MAX_ENTRIES);

	/* room for two of the three leaves: the third fails, nothing overflows */
	fake_supported(&f->t, false);
	while (f->t.nent < CPUID_MAX_ENTRIES - 2)
		add(&f->t, 0x80000100 + f->t.nent, 0, 0, 0, 0, 0, 0);
	assert_int_equal(cpuid_build(&f->t, &f->cfg, 0, &f->err), -1);
	assert_msg_contains(f->err.msg, "table full");
	assert_int_equal(f->t.nent, CPUID_MAX_ENTRIES);
}

static void test_find(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(must_find(&f->t, 7, 1)->eax, 1u << 4);
	assert_int_equal(must_find(&f->t, 7, 0)->ebx, L7_EBX);
	assert_null(cpuid_find(&f->t, 7, 2));
	/* leaves without subleaves answer any ECX */
	assert_int_equal(must_find(&f->t, 1, 5)->eax, 0x000306c3);
	assert_null(cpuid_find(&f->t, 0x12345678, 0));
}

/* ------------------------------------------------------------------------ masks */

static void test_mask_by_name(void **state)
{
	struct fixture *f = *state;
	add_mask(f, "xsave");
	add_mask(f, "SMAP"); /* names are case-insensitive */
	add_mask(f, "invtsc");
	add_mask(f, "kvmclock");
	add_mask(f, "rdtscp");
	build(f, 0);
	struct kvm_cpuid_entry2 *l1 = must_find(&f->t, 1, 0);
	assert_false(l1->ecx & (1u << 26));
	assert_true(l1->ecx & (1u << 13)); /* cx16 not asked for */
	assert_int_equal(must_find(&f->t, 7, 0)->ebx, L7_EBX & ~(1u << 20));
	assert_int_equal(must_find(&f->t, 7, 1)->ebx, 1u << 20); /* other subleaf untouched */
	assert_int_equal(must_find(&f->t, 0x80000007, 0)->edx, 0);
	assert_int_equal(must_find(&f->t, CPUID_HV_FEATURES, 0)->eax, 1u << 24);
	assert_int_equal(must_find(&f->t, 0x80000001, 0)->edx, 1u << 26);
}

static void test_mask_raw(void **state)
{
	struct fixture *f = *state;
	add_mask(f, "0x7.1:eax:4");
	add_mask(f, "1:ECX:13");
	add_mask(f, "7:ebx:0"); /* no subleaf: subleaf 0 */
	add_mask(f, "0xd.1:eax:1");
	build(f, 0);
	assert_int_equal(must_find(&f->t, 7, 1)->eax, 0);
	assert_int_equal(must_find(&f->t, 7, 1)->ebx, 1u << 20);
	assert_int_equal(must_find(&f->t, 7, 0)->ebx, 1u << 20);
	assert_false(must_find(&f->t, 1, 0)->ecx & (1u << 13));
	assert_int_equal(must_find(&f->t, 0xd, 1)->eax, 0xd);
	assert_int_equal(must_find(&f->t, 0xd, 0)->eax, 7);
}

static void test_parse_mask_fields(void **state)
{
	struct fixture *f = *state;
	struct cpuid_bit b;
	assert_int_equal(cpuid_parse_mask("0x7.1:eax:4", &b, &f->err), 0);
	assert_int_equal(b.leaf, 7);
	assert_int_equal(b.subleaf, 1);
	assert_int_equal(b.reg, CPUID_EAX);
	assert_int_equal(b.bit, 4);
	assert_int_equal(cpuid_parse_mask("0x80000001:edx:31", &b, &f->err), 0);
	assert_int_equal(b.leaf, 0x80000001u);
	assert_int_equal(b.subleaf, 0);
	assert_int_equal(b.reg, CPUID_EDX);
	assert_int_equal(b.bit, 31);
	assert_int_equal(cpuid_parse_mask("cx16", &b, &f->err), 0);
	assert_int_equal(b.leaf, 1);
	assert_int_equal(b.reg, CPUID_ECX);
	assert_int_equal(b.bit, 13);
	assert_int_equal(cpuid_parse_mask("xsaves", &b, &f->err), 0);
	assert_int_equal(b.leaf, 0xd);
	assert_int_equal(b.subleaf, 1);
}

static void test_bad_masks(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"",          "bogus",       "xsave2",       "1:ecx",        "1:exx:3",
		"1:ecx:32",  "-1:ecx:3",    "1:ecx:-1",     "0x7.:ebx:1",   ".1:ebx:1",
		"1::3",      ":ecx:3",      "1:ecx:",       "1:ecx:3:4",    "x7:ebx:1",
		"0x100000000:eax:0",        "7.0x100000000:ebx:1",          "1:ecx:3x",
		"1:eaxx:3",  "1:ecx:99999999999999999999",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct cpuid_bit b;
		memset(f->err.msg, 0, sizeof(f->err.msg));
		if (cpuid_parse_mask(bad[i], &b, &f->err) != -1)
			fail_msg("mask '%s' accepted", bad[i]);
		char want[64];
		snprintf(want, sizeof(want), "unknown CPU feature '%s'", bad[i]);
		assert_msg_contains(f->err.msg, want);
	}
}

static void test_feature_names(void **state)
{
	struct fixture *f = *state;
	const char *names = cpuid_feature_names();
	assert_non_null(strstr(names, "xsave"));
	assert_non_null(strstr(names, "smap"));
	assert_non_null(strstr(names, "cx16"));
	assert_ptr_equal(cpuid_feature_names(), names); /* built once */
	/* every name listed for --help parses */
	char copy[1024];
	assert_true(strlen(names) < sizeof(copy));
	strcpy(copy, names);
	unsigned n = 0;
	for (char *save = NULL, *tok = strtok_r(copy, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save), n++) {
		struct cpuid_bit b;
		if (cpuid_parse_mask(tok, &b, &f->err) != 0)
			fail_msg("listed name '%s' refused: %s", tok, f->err.msg);
		assert_true(b.bit < 32);
	}
	assert_true(n > 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apic_ids_per_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_vcpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rebuild_same_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_bit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_leaves_from_kvm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hypervisor_leaves_added_when_missing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_timing_leaf_without_tsc_khz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mask_raw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_mask_fields, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_masks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feature_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
