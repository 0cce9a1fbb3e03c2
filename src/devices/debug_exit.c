/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The debug-exit port (QEMU isa-debug-exit compatible, 4 ports wide): the byte a guest
 * writes is millivm's exit status, so a test kernel reports its verdict to the shell.
 */
#include "devices/platform.h"

#include <string.h>

#include "millivm/abi.h"

#define DEBUG_EXIT_WIDTH 4

static void debug_exit_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write)
{
	(void)offset;
	if (is_write)
		vm_request_exit(opaque, data[0]);
	else
		memset(data, 0xff, len);
}

int debug_exit_create(struct vm *vm, struct error *err)
{
	return bus_register(&vm->pio, DEBUG_EXIT_PORT, DEBUG_EXIT_WIDTH, debug_exit_access, vm,
			    "debug-exit", err);
}
