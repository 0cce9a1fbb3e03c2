/* SPDX-License-Identifier: BSD-2-Clause */
#include "cpuid.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <asm/kvm_para.h>

#include "millivm/abi.h"

struct named_feature {
	const char *name;
	struct cpuid_bit bit;
};

/* Features users (and hosts with emulator gaps) most often need to hide. */
static const struct named_feature named_features[] = {
	{ "sse3", { 1, 0, CPUID_ECX, 0 } },
	{ "pclmulqdq", { 1, 0, CPUID_ECX, 1 } },
	{ "monitor", { 1, 0, CPUID_ECX, 3 } },
	{ "vmx", { 1, 0, CPUID_ECX, 5 } },
	{ "ssse3", { 1, 0, CPUID_ECX, 9 } },
	{ "fma", { 1, 0, CPUID_ECX, 12 } },
	{ "cx16", { 1, 0, CPUID_ECX, 13 } },
	{ "pcid", { 1, 0, CPUID_ECX, 17 } },
	{ "sse4.1", { 1, 0, CPUID_ECX, 19 } },
	{ "sse4.2", { 1, 0, CPUID_ECX, 20 } },
	{ "x2apic", { 1, 0, CPUID_ECX, 21 } },
	{ "movbe", { 1, 0, CPUID_ECX, 22 } },
	{ "popcnt", { 1, 0, CPUID_ECX, 23 } },
	{ "tsc-deadline", { 1, 0, CPUID_ECX, 24 } },
	{ "aes", { 1, 0, CPUID_ECX, 25 } },
	{ "xsave", { 1, 0, CPUID_ECX, 26 } },
	{ "avx", { 1, 0, CPUID_ECX, 28 } },
	{ "f16c", { 1, 0, CPUID_ECX, 29 } },
	{ "rdrand", { 1, 0, CPUID_ECX, 30 } },
	{ "pge", { 1, 0, CPUID_EDX, 13 } },
	{ "fsgsbase", { 7, 0, CPUID_EBX, 0 } },
	{ "bmi1", { 7, 0, CPUID_EBX, 3 } },
	{ "avx2", { 7, 0, CPUID_EBX, 5 } },
	{ "smep", { 7, 0, CPUID_EBX, 7 } },
	{ "bmi2", { 7, 0, CPUID_EBX, 8 } },
	{ "erms", { 7, 0, CPUID_EBX, 9 } },
	{ "invpcid", { 7, 0, CPUID_EBX, 10 } },
	{ "avx512f", { 7, 0, CPUID_EBX, 16 } },
	{ "rdseed", { 7, 0, CPUID_EBX, 18 } },
	{ "smap", { 7, 0, CPUID_EBX, 20 } },
	{ "umip", { 7, 0, CPUID_ECX, 2 } },
	{ "pku", { 7, 0, CPUID_ECX, 3 } },
	{ "la57", { 7, 0, CPUID_ECX, 16 } },
	{ "rdpid", { 7, 0, CPUID_ECX, 22 } },
	{ "xsaveopt", { 0xd, 1, CPUID_EAX, 0 } },
	{ "xsaves", { 0xd, 1, CPUID_EAX, 3 } },
	{ "lahf_lm", { 0x80000001, 0, CPUID_ECX, 0 } },
	{ "abm", { 0x80000001, 0, CPUID_ECX, 5 } },
	{ "pdpe1gb", { 0x80000001, 0, CPUID_EDX, 26 } },
	{ "rdtscp", { 0x80000001, 0, CPUID_EDX, 27 } },
	{ "invtsc", { 0x80000007, 0, CPUID_EDX, 8 } },
	{ "kvmclock", { CPUID_HV_FEATURES, 0, CPUID_EAX, KVM_FEATURE_CLOCKSOURCE2 } },
	{ "kvm-pv-eoi", { CPUID_HV_FEATURES, 0, CPUID_EAX, KVM_FEATURE_PV_EOI } },
};

const char *cpuid_feature_names(void)
{
	static char names[1024];
	if (names[0])
		return names;
	/* Wrapped for --help: lines of at most 80 columns under a 27-column indent. */
	size_t column = 33;
	for (size_t i = 0; i < sizeof(named_features) / sizeof(named_features[0]); i++) {
		size_t len = strlen(named_features[i].name);
		if (i && column + 1 + len > 80) {
			strcat(names, "\n                           ");
			column = 27;
		} else if (i) {
			strcat(names, " ");
			column++;
		}
		strcat(names, named_features[i].name);
		column += len;
	}
	return names;
}

static int parse_u32(const char *s, size_t len, uint32_t *out)
{
	char buf[24];
	if (len == 0 || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *end;
	errno = 0;
	unsigned long long v = strtoull(buf, &end, 0);
	if (errno || *end || buf[0] == '-' || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int parse_reg(const char *s, size_t len, enum cpuid_reg *reg)
{
	static const char *const names[] = { "eax", "ebx", "ecx", "edx" };
	for (int i = 0; i < 4; i++) {
		if (len == 3 && strncasecmp(s, names[i], 3) == 0) {
			*reg = (enum cpuid_reg)i;
			return 0;
		}
	}
	return -1;
}

/* "LEAF[.SUBLEAF]:REG:BIT" */
static int parse_raw_mask(const char *text, struct cpuid_bit *out)
{
	const char *c1 = strchr(text, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2)
		return -1;
	const char *dot = memchr(text, '.', (size_t)(c1 - text));
	uint32_t leaf, subleaf = 0, bit;
	if (parse_u32(text, (size_t)((dot ? dot : c1) - text), &leaf) < 0)
		return -1;
	if (dot && parse_u32(dot + 1, (size_t)(c1 - dot - 1), &subleaf) < 0)
		return -1;
	if (parse_reg(c1 + 1, (size_t)(c2 - c1 - 1), &out->reg) < 0)
		return -1;
	if (parse_u32(c2 + 1, strlen(c2 + 1), &bit) < 0 || bit > 31)
		return -1;
	out->leaf = leaf;
	out->subleaf = subleaf;
	out->bit = (uint8_t)bit;
	return 0;
}

int cpuid_parse_mask(const char *text, struct cpuid_bit *out, struct error *err)
{
	for (size_t i = 0; i < sizeof(named_features) / sizeof(named_features[0]); i++) {
		if (strcasecmp(text, named_features[i].name) == 0) {
			*out = named_features[i].bit;
			return 0;
		}
	}
	if (parse_raw_mask(text, out) == 0)
		return 0;
	return error_set(err, "unknown CPU feature '%s' (use a name such as xsave, smap, cx16, "
			 "or LEAF[.SUBLEAF]:REG:BIT)", text);
}

/* Leaves whose subleaf (ECX) selects a different answer. */
static bool leaf_has_subleaves(uint32_t leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xb || leaf == 0xd || leaf == 0xf ||
	       leaf == 0x10 || leaf == 0x12 || leaf == 0x14 || leaf == 0x1f || leaf == 0x8000001d;
}

struct kvm_cpuid_entry2 *cpuid_find(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf)
{
	for (uint32_t i = 0; i < t->nent; i++) {
		struct kvm_cpuid_entry2 *e = &t->entries[i];
		if (e->function == leaf &&
		    (!(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e->index == subleaf))
			return e;
	}
	return NULL;
}

static struct kvm_cpuid_entry2 *cpuid_get_or_add(struct cpuid_table *t, uint32_t leaf,
						 struct error *err)
{
	struct kvm_cpuid_entry2 *e = cpuid_find(t, leaf, 0);
	if (e)
		return e;
	if (t->nent >= CPUID_MAX_ENTRIES) {
		error_set(err, "CPUID table full adding leaf 0x%x", leaf);
		return NULL;
	}
	e = &t->entries[t->nent++];
	memset(e, 0, sizeof(*e));
	e->function = leaf;
	if (leaf_has_subleaves(leaf))
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	return e;
}

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, enum cpuid_reg reg)
{
	switch (reg) {
	case CPUID_EAX: return &e->eax;
	case CPUID_EBX: return &e->ebx;
	case CPUID_ECX: return &e->ecx;
	default: return &e->edx;
	}
}

static void set_apic_ids(struct cpuid_table *t, const struct cpuid_config *cfg, unsigned id)
{
	for (uint32_t i = 0; i < t->nent; i++) {
		struct kvm_cpuid_entry2 *e = &t->entries[i];
		if (e->function == 1) {
			/* EBX[31:24] initial APIC id, [23:16] logical processors per package */
			e->ebx = (e->ebx & 0x0000ffffu) | (id << 24) | ((cfg->vcpus & 0xff) << 16);
			e->ecx |= 1u << 31; /* hypervisor present */
			if (cfg->vcpus > 1)
				e->edx |= 1u << 28; /* HTT: the count in EBX[23:16] is valid */
		} else if (e->function == 0xb || e->function == 0x1f) {
			e->edx = id; /* x2APIC id, every subleaf */
		}
	}
}

static int set_hypervisor_leaves(struct cpuid_table *t, const struct cpuid_config *cfg,
				 struct error *err)
{
	struct kvm_cpuid_entry2 *sig = cpuid_get_or_add(t, CPUID_HV_SIGNATURE, err);
	if (!sig)
		return -1;
	sig->eax = CPUID_HV_TIMING;
	memcpy(&sig->ebx, "KVMK", 4);
	memcpy(&sig->ecx, "VMKV", 4);
	memcpy(&sig->edx, "M\0\0\0", 4);

	/* KVM lists its paravirt features in 0x40000001 itself; make sure the leaf exists. */
	if (!cpuid_get_or_add(t, CPUID_HV_FEATURES, err))
		return -1;

	struct kvm_cpuid_entry2 *timing = cpuid_get_or_add(t, CPUID_HV_TIMING, err);
	if (!timing)
		return -1;
	timing->eax = cfg->tsc_khz;
	timing->ebx = KVM_APIC_BUS_KHZ;
	timing->ecx = timing->edx = 0;
	return 0;
}

static void apply_masks(struct cpuid_table *t, const struct cpuid_config *cfg)
{
	for (unsigned m = 0; m < cfg->nmasks; m++) {
		const struct cpuid_bit *b = &cfg->masks[m];
		for (uint32_t i = 0; i < t->nent; i++) {
			struct kvm_cpuid_entry2 *e = &t->entries[i];
			if (e->function != b->leaf)
				continue;
			if ((e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) && e->index != b->subleaf)
				continue;
			*reg_of(e, b->reg) &= ~(1u << b->bit);
		}
	}
}

int cpuid_build(struct cpuid_table *t, const struct cpuid_config *cfg, unsigned vcpu_id,
		struct error *err)
{
	set_apic_ids(t, cfg, vcpu_id);
	if (set_hypervisor_leaves(t, cfg, err) < 0)
		return -1;
	apply_masks(t, cfg);
	return 0;
}
