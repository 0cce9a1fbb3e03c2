/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The i8042 through its ports, as a guest driver sees it: the status byte, the controller
 * commands Linux's probe uses, keyboard commands acknowledged, and the Ctrl-Alt-Del the API
 * queues (set-2 make codes, then the buffer is empty again). No KVM: the VM's fds are -1,
 * so the interrupt pulses go nowhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/vm.h"
#include "devices/platform.h"
#include "millivm/abi.h"

static struct vm *make_vm(void)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	assert_non_null(vm);
	vm->kvm_fd = vm->vm_fd = vm->exit_eventfd = -1;
	vm->pio.name = "port";
	struct error err;
	assert_int_equal(i8042_create(vm, &err), 0);
	return vm;
}

static uint8_t in(struct vm *vm, uint16_t port)
{
	uint8_t v = 0xee;
	assert_true(bus_dispatch(&vm->pio, port, &v, 1, false));
	return v;
}

static void out(struct vm *vm, uint16_t port, uint8_t v)
{
	assert_true(bus_dispatch(&vm->pio, port, &v, 1, true));
}

static void test_idle_status(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	/* self-test passed, keyboard not inhibited (Linux warns "Keylock active" otherwise),
	 * nothing to read */
	assert_int_equal(in(vm, I8042_COMMAND_PORT), 0x14);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0);
	free(vm);
}

static void test_controller_commands(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	out(vm, I8042_COMMAND_PORT, 0xaa); /* self-test */
	assert_int_equal(in(vm, I8042_COMMAND_PORT) & 1, 1);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x55);
	assert_int_equal(in(vm, I8042_COMMAND_PORT) & 1, 0);
	out(vm, I8042_COMMAND_PORT, 0x20); /* read the CTR: keyboard interrupt on, no translation */
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x05);
	out(vm, I8042_COMMAND_PORT, 0x60); /* write the CTR */
	out(vm, I8042_DATA_PORT, 0x45);
	out(vm, I8042_COMMAND_PORT, 0x20);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x45);
	out(vm, I8042_COMMAND_PORT, 0xab); /* keyboard interface test */
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x00);
	out(vm, I8042_COMMAND_PORT, 0xd1); /* write, then read the output port */
	out(vm, I8042_DATA_PORT, 0x03);
	out(vm, I8042_COMMAND_PORT, 0xd0);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x03);
	free(vm);
}

static void test_keyboard_commands(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	out(vm, I8042_DATA_PORT, 0xff); /* reset: ACK, then BAT passed */
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xfa);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xaa);
	out(vm, I8042_DATA_PORT, 0xf2); /* identify: ACK, MF2 id */
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xfa);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xab);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0x83);
	out(vm, I8042_DATA_PORT, 0xed); /* set LEDs and its argument: each acknowledged */
	out(vm, I8042_DATA_PORT, 0x00);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xfa);
	assert_int_equal(in(vm, I8042_DATA_PORT), 0xfa);
	assert_int_equal(in(vm, I8042_COMMAND_PORT) & 1, 0);
	free(vm);
}

static void test_ctrl_alt_del(void **state)
{
	(void)state;
	struct vm *vm = make_vm();
	assert_int_equal(i8042_send_ctrl_alt_del(vm), 0);
	static const uint8_t want[] = { 0x14, 0x11, 0xe0, 0x71 };
	for (size_t i = 0; i < sizeof(want); i++) {
		assert_int_equal(in(vm, I8042_COMMAND_PORT) & 1, 1);
		assert_int_equal(in(vm, I8042_DATA_PORT), want[i]);
	}
	assert_int_equal(in(vm, I8042_COMMAND_PORT) & 1, 0);
	/* A guest that never reads: the buffer fills and further presses are refused. */
	int accepted = 0;
	while (i8042_send_ctrl_alt_del(vm) == 0 && accepted < 100)
		accepted++;
	assert_int_equal(accepted, 4);
	free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_idle_status),
		cmocka_unit_test(test_controller_commands),
		cmocka_unit_test(test_keyboard_commands),
		cmocka_unit_test(test_ctrl_alt_del),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
