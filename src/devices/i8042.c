/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Just enough of the PC keyboard controller for a guest to reboot through it: a write of
 * 0xfe to the command port pulses the CPU reset line, and a microVM reset ends the VM with
 * status 0 (as Firecracker and `qemu -no-reboot` do). No keyboard is attached.
 */
#include "devices/platform.h"

#include "millivm/abi.h"

#define I8042_STATUS_SYSTEM_FLAG 0x04 /* self-test passed */

static void i8042_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			 bool is_write)
{
	struct vm *vm = opaque;
	uint16_t port = (uint16_t)(I8042_DATA_PORT + offset);
	if (is_write) {
		if (port == I8042_COMMAND_PORT && data[0] == I8042_CMD_RESET)
			vm_request_exit(vm, 0);
		return;
	}
	for (uint32_t i = 0; i < len; i++)
		data[i] = 0;
	if (port == I8042_COMMAND_PORT)
		data[0] = I8042_STATUS_SYSTEM_FLAG; /* output buffer empty, input buffer empty */
}

int i8042_create(struct vm *vm, struct error *err)
{
	return bus_register(&vm->pio, I8042_DATA_PORT, I8042_COMMAND_PORT - I8042_DATA_PORT + 1,
			    i8042_access, vm, "i8042", err);
}
