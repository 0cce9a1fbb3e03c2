/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest's boot trace (abi.h "guest trace channel"): captured from guest RAM when the
 * guest writes the buffer's address to MILLIVM_TRACE_PORT, written out as tslog text.
 */
#ifndef MILLIVM_GUEST_TRACE_H
#define MILLIVM_GUEST_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "millivm/abi.h"

struct guest_trace {
	struct millivm_trace_record *records;
	uint32_t count;
};

/* Validate and copy the trace at gpa out of guest RAM (the guest may change it after). */
int guest_trace_capture(const struct guest_mem *mem, uint64_t gpa, struct guest_trace *out,
			struct error *err);

void guest_trace_free(struct guest_trace *t);

/* tslog text: "<thread in hex> <tsc> ENTER|EXIT|EVENT|THREAD <name>", one record a line. */
int guest_trace_write_tslog(const struct guest_trace *t, FILE *out);

struct vm;
/* The port device: keeps the last trace the guest handed over. */
int guest_trace_port_create(struct vm *vm, struct guest_trace *sink, struct error *err);

#endif
