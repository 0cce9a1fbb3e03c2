/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The CPUID table each vCPU sees (design.md section 5): what KVM supports, the vCPU's APIC id,
 * KVM's hypervisor leaves with the 0x40000010 timing leaf (TSC and APIC-bus kHz) so guests
 * never calibrate, and the feature bits the user asked to hide.
 */
#ifndef MILLIVM_CPUID_H
#define MILLIVM_CPUID_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/error.h"

#define CPUID_MAX_ENTRIES 256
#define CPUID_MAX_MASKS 32

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

struct cpuid_bit {
	uint32_t leaf;
	uint32_t subleaf;
	enum cpuid_reg reg;
	uint8_t bit;
};

struct cpuid_config {
	uint32_t tsc_khz; /* KVM_GET_TSC_KHZ; 0 leaves EAX of 0x40000010 zero */
	unsigned vcpus;
	struct cpuid_bit masks[CPUID_MAX_MASKS];
	unsigned nmasks;
};

/* struct kvm_cpuid2 with its flexible array given room (same layout; cpuid_kvm() casts). */
struct cpuid_table {
	uint32_t nent;
	uint32_t padding;
	struct kvm_cpuid_entry2 entries[CPUID_MAX_ENTRIES];
};

_Static_assert(sizeof(struct kvm_cpuid2) == 8 &&
		       __builtin_offsetof(struct kvm_cpuid2, entries) ==
			       __builtin_offsetof(struct cpuid_table, entries),
	       "cpuid_table must match struct kvm_cpuid2");

static inline struct kvm_cpuid2 *cpuid_kvm(struct cpuid_table *t)
{
	return (struct kvm_cpuid2 *)t;
}

/*
 * Parse one feature to hide: a name ("xsave", "smap", "cx16", ...: see cpuid_feature_names)
 * or a raw "LEAF[.SUBLEAF]:REG:BIT" such as "0x7.0:ebx:20". Comma lists are split by caller.
 */
int cpuid_parse_mask(const char *text, struct cpuid_bit *out, struct error *err);

/* Space-separated list of the names cpuid_parse_mask() knows, for --help. */
const char *cpuid_feature_names(void);

/*
 * Turn KVM's supported table (in place) into vCPU vcpu_id's table. Fails only when an entry
 * cannot be added for lack of room.
 */
int cpuid_build(struct cpuid_table *t, const struct cpuid_config *cfg, unsigned vcpu_id,
		struct error *err);

/* The entry for leaf/subleaf, or NULL. */
struct kvm_cpuid_entry2 *cpuid_find(struct cpuid_table *t, uint32_t leaf, uint32_t subleaf);

#endif
