/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Just enough of the PC keyboard controller for a guest to reboot through it, and for the
 * API's SendCtrlAltDel: a write of 0xfe to the command port pulses the CPU reset line (a
 * microVM reset ends the VM with status 0, as Firecracker and `qemu -no-reboot` do), and an
 * AT keyboard that never types except Ctrl-Alt-Del.
 *
 * The keyboard side is what Linux's i8042 and atkbd drivers need to find a keyboard: the
 * controller configuration byte (CTR), the output port, the self-tests, and an ACK (0xfa)
 * for every keyboard command (with the BAT result after a reset and the ID after 0xf2).
 * Bytes for the guest queue in a small output buffer; the status port's bit 0 says one is
 * waiting. Keyboard bytes raise IRQ 1 when the CTR enables it; controller replies do not
 * (drivers poll for those). Scancodes are set 2 and the CTR leaves translation off, as in
 * Firecracker. A guest without an i8042 driver (the reference guest) never reads them.
 */
#include "devices/platform.h"

#include <pthread.h>

#include "millivm/abi.h"

#define STATUS_OUTPUT_FULL 0x01
#define STATUS_SYSTEM_FLAG 0x04 /* self-test passed */
#define STATUS_KEYLOCK 0x10     /* set: the keyboard is NOT inhibited by a key lock */

#define CTR_KBD_INT 0x01
#define CTR_SYSTEM_FLAG 0x04
#define CTR_KBD_DISABLED 0x10

#define CMD_READ_CTR 0x20
#define CMD_WRITE_CTR 0x60
#define CMD_SELF_TEST 0xaa
#define CMD_KBD_TEST 0xab
#define CMD_KBD_DISABLE 0xad
#define CMD_KBD_ENABLE 0xae
#define CMD_READ_OUTPUT_PORT 0xd0
#define CMD_WRITE_OUTPUT_PORT 0xd1

#define KBD_ACK 0xfa
#define KBD_CMD_IDENTIFY 0xf2
#define KBD_CMD_RESET 0xff
#define KBD_BAT_OK 0xaa

#define KBD_IRQ 1
#define BUF_SIZE 16

static struct {
	pthread_mutex_t lock;
	struct vm *vm;
	uint8_t buf[BUF_SIZE];
	unsigned head, count;
	uint8_t ctr;
	uint8_t output_port;
	uint8_t pending; /* a command waiting for its data byte (CMD_WRITE_*), or 0 */
} kbc = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool push(uint8_t byte)
{
	if (kbc.count == BUF_SIZE)
		return false;
	kbc.buf[(kbc.head + kbc.count++) % BUF_SIZE] = byte;
	return true;
}

static uint8_t pop(void)
{
	if (!kbc.count)
		return 0;
	uint8_t byte = kbc.buf[kbc.head];
	kbc.head = (kbc.head + 1) % BUF_SIZE;
	kbc.count--;
	return byte;
}

/* Keyboard data is waiting: interrupt the guest if it asked for that (lock held). */
static void kbd_interrupt(void)
{
	if (kbc.count && (kbc.ctr & CTR_KBD_INT) && !(kbc.ctr & CTR_KBD_DISABLED)) {
		vm_set_irq_line(kbc.vm, KBD_IRQ, 1);
		vm_set_irq_line(kbc.vm, KBD_IRQ, 0);
	}
}

static void command(uint8_t cmd)
{
	switch (cmd) {
	case I8042_CMD_RESET:
		vm_request_exit(kbc.vm, 0);
		break;
	case CMD_READ_CTR:
		push(kbc.ctr);
		break;
	case CMD_WRITE_CTR:
	case CMD_WRITE_OUTPUT_PORT:
		kbc.pending = cmd;
		break;
	case CMD_SELF_TEST:
		push(0x55);
		break;
	case CMD_KBD_TEST:
		push(0x00);
		break;
	case CMD_KBD_DISABLE:
		kbc.ctr |= CTR_KBD_DISABLED;
		break;
	case CMD_KBD_ENABLE:
		kbc.ctr &= (uint8_t)~CTR_KBD_DISABLED;
		break;
	case CMD_READ_OUTPUT_PORT:
		push(kbc.output_port);
		break;
	default:
		break; /* no mouse, no A20 games: ignored */
	}
}

static void data_write(uint8_t byte)
{
	uint8_t cmd = kbc.pending;
	kbc.pending = 0;
	if (cmd == CMD_WRITE_CTR) {
		kbc.ctr = byte;
		return;
	}
	if (cmd == CMD_WRITE_OUTPUT_PORT) {
		kbc.output_port = byte;
		return;
	}
	/* A command (or its argument) for the keyboard: acknowledged, as a real one does. */
	push(KBD_ACK);
	if (byte == KBD_CMD_RESET)
		push(KBD_BAT_OK);
	else if (byte == KBD_CMD_IDENTIFY)
		push(0xab), push(0x83); /* an MF2 keyboard */
	kbd_interrupt();
}

static void i8042_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			 bool is_write)
{
	(void)opaque;
	uint16_t port = (uint16_t)(I8042_DATA_PORT + offset);
	pthread_mutex_lock(&kbc.lock);
	if (is_write) {
		if (port == I8042_COMMAND_PORT)
			command(data[0]);
		else if (port == I8042_DATA_PORT)
			data_write(data[0]);
	} else {
		for (uint32_t i = 0; i < len; i++)
			data[i] = 0;
		if (port == I8042_COMMAND_PORT)
			data[0] = STATUS_SYSTEM_FLAG | STATUS_KEYLOCK |
				  (kbc.count ? STATUS_OUTPUT_FULL : 0);
		else if (port == I8042_DATA_PORT) {
			data[0] = pop();
			kbd_interrupt(); /* the next byte, if any */
		}
	}
	pthread_mutex_unlock(&kbc.lock);
}

int i8042_create(struct vm *vm, struct error *err)
{
	pthread_mutex_lock(&kbc.lock);
	kbc.vm = vm;
	kbc.head = kbc.count = 0;
	kbc.ctr = CTR_KBD_INT | CTR_SYSTEM_FLAG;
	kbc.output_port = 0x03; /* reset line inactive, A20 on */
	kbc.pending = 0;
	pthread_mutex_unlock(&kbc.lock);
	return bus_register(&vm->pio, I8042_DATA_PORT, I8042_COMMAND_PORT - I8042_DATA_PORT + 1,
			    i8042_access, vm, "i8042", err);
}

int i8042_send_ctrl_alt_del(struct vm *vm)
{
	(void)vm;
	/* Set-2 make codes: left Ctrl, left Alt, Delete (extended). */
	static const uint8_t keys[] = { 0x14, 0x11, 0xe0, 0x71 };
	pthread_mutex_lock(&kbc.lock);
	int rc = 0;
	if (BUF_SIZE - kbc.count < sizeof(keys))
		rc = -1;
	else
		for (size_t i = 0; i < sizeof(keys); i++)
			push(keys[i]);
	if (rc == 0)
		kbd_interrupt();
	pthread_mutex_unlock(&kbc.lock);
	return rc;
}
