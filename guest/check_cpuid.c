// SPDX-License-Identifier: BSD-2-Clause
/*
 * The hypervisor leaves of CPUID (design.md section 5):
 * cpuid-signature: 0x40000000 says KVM and offers leaves up to at least 0x40000010;
 * cpuid-features: 0x40000001 has what pvclock needs;
 * cpuid-timing: 0x40000010 gives the TSC and APIC bus frequencies, so guests need no calibration.
 */
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "report.h"

#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
#define KVM_FEATURE_CLOCKSOURCE_STABLE (1u << 24)
#define KVM_SIGNATURE_EBX 0x4b4d564bu /* "KVMK" */
#define KVM_SIGNATURE_ECX 0x564b4d56u /* "VMKV" */
#define KVM_SIGNATURE_EDX 0x0000004du /* "M\0\0\0" */

static uint32_t signature_ok(struct hypervisor_info *hv)
{
	struct cpuid_regs r = cpuid(CPUID_HV_SIGNATURE);

	if (r.ebx != KVM_SIGNATURE_EBX || r.ecx != KVM_SIGNATURE_ECX || r.edx != KVM_SIGNATURE_EDX) {
		report_fail(CHECK_CPUID_SIGNATURE, "signature %08x %08x %08x is not KVMKVMKVM",
			    r.ebx, r.ecx, r.edx);
		return 0;
	}
	hv->kvm = true;
	if (r.eax < CPUID_HV_TIMING) {
		report_fail(CHECK_CPUID_SIGNATURE, "highest leaf 0x%x, expected >= 0x%x", r.eax,
			    CPUID_HV_TIMING);
		return r.eax;
	}
	report_ok(CHECK_CPUID_SIGNATURE, "KVMKVMKVM, leaves up to 0x%x", r.eax);
	return r.eax;
}

static void features_ok(struct hypervisor_info *hv)
{
	const uint32_t wanted = KVM_FEATURE_CLOCKSOURCE2 | KVM_FEATURE_CLOCKSOURCE_STABLE;

	hv->features = cpuid(CPUID_HV_FEATURES).eax;
	if ((hv->features & wanted) != wanted)
		report_fail(CHECK_CPUID_FEATURES, "EAX 0x%x lacks 0x%x (CLOCKSOURCE2, STABLE)",
			    hv->features, wanted & ~hv->features);
	else
		report_ok(CHECK_CPUID_FEATURES, "EAX 0x%x", hv->features);
}

static void timing_ok(uint32_t max_leaf)
{
	if (max_leaf < CPUID_HV_TIMING) {
		report_fail(CHECK_CPUID_TIMING, "leaf 0x%x not offered", CPUID_HV_TIMING);
		return;
	}
	struct cpuid_regs r = cpuid(CPUID_HV_TIMING);

	if (!r.eax || !r.ebx)
		report_fail(CHECK_CPUID_TIMING, "TSC %u kHz, APIC bus %u kHz: both must be set",
			    r.eax, r.ebx);
	else
		report_ok(CHECK_CPUID_TIMING, "TSC %u kHz, APIC bus %u kHz", r.eax, r.ebx);
}

void check_cpuid(struct hypervisor_info *hv)
{
	*hv = (struct hypervisor_info){ 0 };
	uint32_t max_leaf = signature_ok(hv);

	if (!hv->kvm) {
		report_skip(CHECK_CPUID_FEATURES, "not KVM");
		report_skip(CHECK_CPUID_TIMING, "not KVM");
		return;
	}
	features_ok(hv);
	timing_ok(max_leaf);
}
