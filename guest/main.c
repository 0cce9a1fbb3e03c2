// SPDX-License-Identifier: BSD-2-Clause
/*
 * The reference guest's C entry (entry.S calls it in long mode): read the command line, then
 * run every check group once, in a fixed order, and exit with the verdict.
 */
#include <millivm/abi.h>
#include <stdint.h>

#include "checks.h"
#include "console.h"
#include "cpu.h"
#include "options.h"
#include "report.h"
#include "shutdown.h"
#include "trace.h"
#include "virtio.h"

extern uint32_t boot_start_info; /* entry.S: EBX at entry */

_Noreturn void refguest_main(void);

static void run_checks(const struct hvm_start_info *si, const char *cmdline,
		       const struct options *opts)
{
	struct hypervisor_info hv;

	trace_enter(TRACE_CHECK_START_INFO);
	bool start_info_usable = check_start_info(si, cmdline, opts);
	trace_exit(TRACE_CHECK_START_INFO);
	/* blk_bench=: straight to the virtio probe and the benchmark, so that every monitor runs
	 * the same guest path (QEMU's memory map and MP table fail checks unrelated to it). */
	if (opts->virtio.bench.nphases && start_info_usable) {
		virtio_run_checks(si, &opts->virtio);
		return;
	}

	if (start_info_usable) {
		trace_enter(TRACE_CHECK_MEMMAP);
		check_memmap(si, opts);
		trace_exit(TRACE_CHECK_MEMMAP);
		trace_enter(TRACE_CHECK_INITRD);
		check_initrd(si, opts);
		trace_exit(TRACE_CHECK_INITRD);
	} else {
		for (enum check_id c = CHECK_MEMMAP; c <= CHECK_INITRD; c++)
			report_skip(c, "no usable start_info");
	}

	trace_enter(TRACE_CHECK_CPUID);
	check_cpuid(&hv);
	trace_exit(TRACE_CHECK_CPUID);
	trace_enter(TRACE_CHECK_PVCLOCK);
	check_pvclock(&hv);
	trace_exit(TRACE_CHECK_PVCLOCK);
	trace_enter(TRACE_CHECK_MPTABLE);
	check_mptable(opts);
	trace_exit(TRACE_CHECK_MPTABLE);
	if (start_info_usable)
		check_acpi(si, opts); /* a skip line without rsdp_paddr */
	check_smp(si, start_info_usable, opts);
	/* Only with virtio_mmio.device= tokens or virtio parameters (virtio_mmio.c). */
	virtio_run_checks(si, &opts->virtio);
}

/*
 * spin=MS: keep the vCPU busy for MS milliseconds of TSC time (CPUID 0x40000010's TSC kHz;
 * 1 GHz if the leaf is missing), so the host can pause and resume a running guest.
 */
static void spin(uint32_t ms)
{
	uint64_t khz = 1000000;

	if (cpuid(CPUID_HV_SIGNATURE).eax >= CPUID_HV_TIMING && cpuid(CPUID_HV_TIMING).eax)
		khz = cpuid(CPUID_HV_TIMING).eax;
	uint64_t start = rdtsc(), ticks = khz * ms;
	while (rdtsc() - start < ticks)
		__asm__ volatile("pause");
}

_Noreturn void refguest_main(void)
{
	const struct hvm_start_info *si = (const struct hvm_start_info *)(uintptr_t)boot_start_info;
	struct options opts;

	trace_boot_phases();
	trace_enter(TRACE_SETUP);
	const char *cmdline = start_info_cmdline(si);

	parse_options(cmdline, &opts);
	if (opts.exit_now) /* before anything else: tests of exit-status propagation */
		guest_exit(opts.exit_status);
	report_set_quiet(opts.quiet);
	console_init();
	trace_exit(TRACE_SETUP);
	if (opts.fault != FAULT_NONE)
		provoke_fault(opts.fault);

	trace_enter(TRACE_CHECKS);
	run_checks(si, cmdline, &opts);
	trace_exit(TRACE_CHECKS);

	mark_boot_done();
	if (opts.spin_ms)
		spin(opts.spin_ms);
	if (opts.virtio.blk_reread) /* the host may have swapped the image during the spin */
		virtio_blk_reread();
	trace_enter(TRACE_VERDICT);
	int status = report_verdict();
	trace_exit(TRACE_VERDICT);
	guest_exit((uint8_t)status);
}
