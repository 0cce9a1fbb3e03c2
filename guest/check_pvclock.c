// SPDX-License-Identifier: BSD-2-Clause
/*
 * pvclock: KVM's per-vCPU time page (MSR_KVM_SYSTEM_TIME_NEW) is written by the host and
 * yields a clock that moves forward. Read it twice with the version protocol; no calibration,
 * no waiting: the TSC advances between the two reads.
 */
#include <stdint.h>

#include "checks.h"
#include "cpu.h"
#include "report.h"

#define MSR_KVM_SYSTEM_TIME_NEW 0x4b564d01u
#define PVCLOCK_ENABLE 1u
#define KVM_FEATURE_CLOCKSOURCE2 (1u << 3)
/* The host rewrites the page rarely; a few tries always see a stable version. */
#define MAX_READ_TRIES 8

struct pvclock_reading {
	uint32_t version;
	uint64_t ns;
};

static struct pvclock_vcpu_time_info pvclock_page __attribute__((aligned(64)));

static uint64_t scale_tsc(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

/* The host bumps version to odd while it writes, to even when done: retry around writes. */
static bool pvclock_read(struct pvclock_reading *out)
{
	volatile struct pvclock_vcpu_time_info *p = &pvclock_page;

	for (int tries = 0; tries < MAX_READ_TRIES; tries++) {
		uint32_t version = p->version;

		compiler_barrier();
		uint64_t tsc_timestamp = p->tsc_timestamp;
		uint64_t system_time = p->system_time;
		uint32_t mul = p->tsc_to_system_mul;
		int8_t shift = p->tsc_shift;
		uint64_t tsc = rdtsc();

		compiler_barrier();
		if ((version & 1) || p->version != version)
			continue;
		out->version = version;
		out->ns = system_time + scale_tsc(tsc - tsc_timestamp, mul, shift);
		return true;
	}
	return false;
}

void check_pvclock(const struct hypervisor_info *hv)
{
	struct pvclock_reading first, second;

	if (!hv->kvm || !(hv->features & KVM_FEATURE_CLOCKSOURCE2)) {
		report_skip(CHECK_PVCLOCK, "KVM_FEATURE_CLOCKSOURCE2 not offered");
		return;
	}
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, (uintptr_t)&pvclock_page | PVCLOCK_ENABLE);
	if (!pvclock_read(&first) || !pvclock_read(&second)) {
		report_fail(CHECK_PVCLOCK, "version never even and stable (last 0x%x)",
			    pvclock_page.version);
		return;
	}
	if (first.version == 0 || pvclock_page.tsc_to_system_mul == 0) {
		report_fail(CHECK_PVCLOCK, "the host did not fill the page (version %u, mul %u)",
			    first.version, pvclock_page.tsc_to_system_mul);
		return;
	}
	if (second.ns <= first.ns) {
		report_fail(CHECK_PVCLOCK, "time does not advance: %lu then %lu ns",
			    (unsigned long)first.ns, (unsigned long)second.ns);
		return;
	}
	report_ok(CHECK_PVCLOCK, "%lu ns, +%lu ns between reads, version %u, flags 0x%x",
		  (unsigned long)first.ns, (unsigned long)(second.ns - first.ns), first.version,
		  pvclock_page.flags);
}
