/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The monitor's boot timeline (design.md section 7). Marks are always taken (a vDSO clock
 * read each, a few per boot: nothing to measure) and printed only when asked for.
 */
#ifndef MILLIVM_TIMELINE_H
#define MILLIVM_TIMELINE_H

#include <stdint.h>
#include <stdio.h>

enum timeline_event {
	TL_PROCESS_START, /* main() entered */
	TL_ARGS_PARSED,
	TL_API_READY,      /* API socket listening (--api-sock) */
	TL_INSTANCE_START, /* PUT /actions InstanceStart received, or --config-file read */
	TL_KVM_READY,     /* VM, irqchip, memory and vCPUs created */
	TL_KERNEL_LOADED, /* kernel, initrd and boot tables in guest RAM */
	TL_GUEST_ENTRY,   /* first KVM_RUN */
	TL_FIRST_CONSOLE_BYTE,
	TL_BOOT_TIMER,    /* guest wrote the boot-done marker */
	TL_GUEST_EXIT,
	TL_EVENT_COUNT,
};

void timeline_mark(enum timeline_event ev);

/* Nanoseconds since TL_PROCESS_START, or -1 if ev never happened. */
int64_t timeline_ns(enum timeline_event ev);

void timeline_set_tsc_khz(uint32_t khz);

/* Guest RAM populated at exit, reported in the JSON so benchmarks can separate guest pages
 * from the monitor's own memory. */
void timeline_set_guest_resident(uint64_t bytes);

void timeline_print(FILE *out);
int timeline_write_json(FILE *out);

#endif
