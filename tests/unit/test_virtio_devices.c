/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-rng and virtio-console through the fake driver, and virtio_devices_create() on a
 * VM without KVM: window placement, level-triggered IRQs, the command-line tokens.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_ids.h>

#include "devices/virtio_console.h"
#include "devices/virtio_devices.h"
#include "devices/virtio_rng.h"
#include "virtio_fake_driver.h"

#define V1 (1ull << VIRTIO_F_VERSION_1)
#define EVENT_IDX (1ull << VIRTIO_RING_F_EVENT_IDX)
#define RX 0
#define TX 1

/* ------------------------------------------------------------------------ rng */

static void test_rng(void **state)
{
	(void)state;
	struct fake_driver d;
	struct error err;
	assert_int_equal(fake_ram_init(&d), 0);
	struct virtio_mmio *t = virtio_rng_create(&d.mem, &err);
	assert_non_null(t);
	fake_attach(&d, t);
	assert_int_equal(mmio_read(&d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_RNG);
	assert_true(fake_init_device(&d, V1, 1) & VIRTIO_CONFIG_S_DRIVER_OK);
	uint64_t a = fake_alloc(&d, 64), b = fake_alloc(&d, 4096);
	uint16_t head = fake_add_desc(&d, 0, a, 64, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT);
	fake_add_desc(&d, 0, b, 4096, VRING_DESC_F_WRITE);
	fake_kick(&d, 0, head);
	uint32_t len;
	assert_int_equal(fake_get_used(&d, 0, &len), head);
	assert_int_equal(len, 64 + 4096);
	/* 4 KiB of zeros left by getrandom would be astronomically unlikely. */
	const uint8_t *p = fake_ptr(&d, b, 4096);
	unsigned zeros = 0;
	for (unsigned i = 0; i < 4096; i++)
		zeros += p[i] == 0;
	assert_true(zeros < 100);
	assert_int_equal(d.irq_level, 1);
	fake_ack(&d);
	/* A readable-only buffer gets nothing written and comes back with length 0. */
	head = fake_add_desc(&d, 0, a, 64, 0);
	fake_kick(&d, 0, head);
	assert_int_equal(fake_get_used(&d, 0, &len), head);
	assert_int_equal(len, 0);
	virtio_rng_destroy(t);
	fake_ram_free(&d);
}

static void test_rng_caps_huge_requests(void **state)
{
	(void)state;
	struct fake_driver d;
	struct error err;
	assert_int_equal(fake_ram_init(&d), 0);
	struct virtio_mmio *t = virtio_rng_create(&d.mem, &err);
	fake_attach(&d, t);
	fake_init_device(&d, V1, 1);
	uint16_t head = fake_add_desc(&d, 0, FAKE_BUF_GPA, MiB(8), VRING_DESC_F_WRITE);
	fake_kick(&d, 0, head);
	uint32_t len;
	assert_int_equal(fake_get_used(&d, 0, &len), head);
	assert_int_equal(len, 64 * 1024);
	virtio_rng_destroy(t);
	fake_ram_free(&d);
}

/* ------------------------------------------------------------------------ console */

struct console_fixture {
	struct fake_driver d;
	int pipe[2]; /* the console's stdout */
};

static int console_setup(void **state)
{
	struct console_fixture *f = calloc(1, sizeof(*f));
	struct error err;
	if (!f || fake_ram_init(&f->d) < 0 || pipe(f->pipe) < 0)
		return -1;
	struct virtio_mmio *t = virtio_console_create(&f->d.mem, f->pipe[1], &err);
	if (!t)
		return -1;
	fake_attach(&f->d, t);
	*state = f;
	return 0;
}

static int console_teardown(void **state)
{
	struct console_fixture *f = *state;
	virtio_console_destroy(f->d.t);
	close(f->pipe[0]);
	close(f->pipe[1]);
	fake_ram_free(&f->d);
	free(f);
	return 0;
}

static void test_console_transmit(void **state)
{
	struct console_fixture *f = *state;
	struct fake_driver *d = &f->d;
	assert_int_equal(mmio_read(d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_CONSOLE);
	mmio_write(d, VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(mmio_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0); /* port 0 only: 2 queues */
	assert_true(fake_init_device(d, V1 | EVENT_IDX, 2) & VIRTIO_CONFIG_S_DRIVER_OK);
	uint64_t a = fake_alloc(d, 6), b = fake_alloc(d, 7);
	memcpy(fake_ptr(d, a, 6), "hello ", 6);
	memcpy(fake_ptr(d, b, 7), "world\n", 7);
	uint16_t head = fake_add_desc(d, TX, a, 6, VRING_DESC_F_NEXT);
	fake_add_desc(d, TX, b, 6, 0);
	fake_kick(d, TX, head);
	char out[32] = "";
	assert_int_equal(read(f->pipe[0], out, sizeof(out)), 12);
	assert_memory_equal(out, "hello world\n", 12);
	uint32_t len;
	assert_int_equal(fake_get_used(d, TX, &len), head);
	assert_int_equal(len, 0);
}

static void test_console_receive(void **state)
{
	struct console_fixture *f = *state;
	struct fake_driver *d = &f->d;
	/* Typed before the driver is up: kept until there are buffers. */
	virtio_console_input(d->t, (const uint8_t *)"early", 5);
	assert_true(fake_init_device(d, V1 | EVENT_IDX, 2) & VIRTIO_CONFIG_S_DRIVER_OK);
	uint64_t buf = fake_alloc(d, 3);
	fake_kick(d, RX, fake_add_desc(d, RX, buf, 3, VRING_DESC_F_WRITE));
	uint32_t len;
	assert_true(fake_get_used(d, RX, &len) >= 0);
	assert_int_equal(len, 3);
	assert_memory_equal(fake_ptr(d, buf, 3), "ear", 3);
	assert_int_equal(d->irq_level, 1);
	fake_ack(d);
	uint64_t buf2 = fake_alloc(d, 16);
	fake_kick(d, RX, fake_add_desc(d, RX, buf2, 16, VRING_DESC_F_WRITE));
	assert_true(fake_get_used(d, RX, &len) >= 0);
	assert_int_equal(len, 2);
	assert_memory_equal(fake_ptr(d, buf2, 2), "ly", 2);
	/* A buffer waiting: input goes straight in. */
	uint64_t buf3 = fake_alloc(d, 16);
	fake_kick(d, RX, fake_add_desc(d, RX, buf3, 16, VRING_DESC_F_WRITE));
	assert_int_equal(fake_get_used(d, RX, NULL), -1);
	virtio_console_input(d->t, (const uint8_t *)"x", 1);
	assert_true(fake_get_used(d, RX, &len) >= 0);
	assert_int_equal(len, 1);
	assert_int_equal(*(char *)fake_ptr(d, buf3, 1), 'x');
}

static void test_console_broken_receiveq(void **state)
{
	struct console_fixture *f = *state;
	struct fake_driver *d = &f->d;
	fake_init_device(d, V1, 2);
	fake_kick(d, RX, fake_add_desc(d, RX, 0xfeb00000ull, 16, VRING_DESC_F_WRITE));
	virtio_console_input(d->t, (const uint8_t *)"x", 1);
	assert_true(mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	/* Output still flows once the driver resets and sets up again. */
	fake_init_device(d, V1, 2);
	uint64_t a = fake_alloc(d, 2);
	memcpy(fake_ptr(d, a, 2), "ok", 2);
	fake_kick(d, TX, fake_add_desc(d, TX, a, 2, 0));
	char out[4];
	assert_int_equal(read(f->pipe[0], out, sizeof(out)), 2);
}

/* ------------------------------------------------------------------------ the VM's devices */

struct devices_fixture {
	struct vm vm;
	struct vm_config cfg;
	char img[2][64];
};

static int devices_setup(void **state)
{
	struct devices_fixture *f = calloc(1, sizeof(*f));
	uint8_t *ram = calloc(1, MiB(16));
	if (!f || !ram)
		return -1;
	vm_config_defaults(&f->cfg);
	f->vm.cfg = &f->cfg;
	f->vm.vm_fd = -1; /* no KVM: interrupts go nowhere */
	f->vm.mmio.name = "MMIO";
	f->vm.used_irqs = 1u << 0 | 1u << 2 | 1u << 4; /* PIT, cascade, COM1 */
	guest_mem_init_layout(&f->vm.mem, ram, MiB(16));
	for (unsigned i = 0; i < 2; i++) {
		snprintf(f->img[i], sizeof(f->img[i]), "/tmp/millivm-test-dev-XXXXXX");
		int fd = mkstemp(f->img[i]);
		if (fd < 0 || ftruncate(fd, 4096) < 0)
			return -1;
		close(fd);
		f->cfg.drives[i].path = f->img[i];
	}
	*state = f;
	return 0;
}

static int devices_teardown(void **state)
{
	struct devices_fixture *f = *state;
	virtio_devices_destroy();
	assert_null(virtio_devices_console());
	for (unsigned i = 0; i < 2; i++)
		unlink(f->img[i]);
	free(f->vm.mem.host);
	free(f);
	return 0;
}

static void test_devices_layout_and_tokens(void **state)
{
	struct devices_fixture *f = *state;
	f->cfg.ndrives = 2;
	f->cfg.drives[1].read_only = true;
	f->cfg.rng = true;
	f->cfg.console = CONSOLE_VIRTIO;
	f->vm.used_irqs |= 1u << 6; /* taken by something else: skipped */
	char extra[LAYOUT_CMDLINE_MAX] = "";
	struct error err;
	if (virtio_devices_create(&f->vm, &f->cfg, extra, sizeof(extra), &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(extra, " virtio_mmio.device=512@0xfeb00000:5"
				   " virtio_mmio.device=512@0xfeb00200:7"
				   " virtio_mmio.device=512@0xfeb00400:8"
				   " virtio_mmio.device=512@0xfeb00600:9");
	assert_int_equal(f->vm.level_irqs, 1u << 5 | 1u << 7 | 1u << 8 | 1u << 9);
	assert_int_equal(f->vm.mmio.count, 4);
	static const uint32_t ids[] = { VIRTIO_ID_BLOCK, VIRTIO_ID_BLOCK, VIRTIO_ID_RNG,
					VIRTIO_ID_CONSOLE };
	for (unsigned i = 0; i < 4; i++) {
		uint8_t data[4];
		uint64_t base = LAYOUT_VIRTIO_MMIO_BASE + i * LAYOUT_VIRTIO_MMIO_STRIDE;
		assert_true(bus_dispatch(&f->vm.mmio, base + VIRTIO_MMIO_DEVICE_ID, data, 4, false));
		assert_int_equal(data[0], ids[i]);
		assert_true(bus_dispatch(&f->vm.mmio, base + 0x1fc, data, 4, false));
	}
	assert_non_null(virtio_devices_console());
	assert_int_equal(virtio_devices_console()->ops->device_id, VIRTIO_ID_CONSOLE);
}

static void test_devices_command_line_overflow(void **state)
{
	struct devices_fixture *f = *state;
	f->cfg.rng = true;
	char extra[48] = ""; /* room for one token, not two */
	f->cfg.ndrives = 1;
	struct error err;
	assert_int_equal(virtio_devices_create(&f->vm, &f->cfg, extra, sizeof(extra), &err), -1);
	assert_non_null(strstr(err.msg, "command line too long"));
	assert_string_equal(extra, " virtio_mmio.device=512@0xfeb00000:5");
}

static void test_devices_bad_drive(void **state)
{
	struct devices_fixture *f = *state;
	f->cfg.ndrives = 1;
	f->cfg.drives[0].path = "/nonexistent/disk.img";
	char extra[256] = "";
	struct error err;
	assert_int_equal(virtio_devices_create(&f->vm, &f->cfg, extra, sizeof(extra), &err), -1);
	assert_non_null(strstr(err.msg, "--drive"));
	assert_non_null(strstr(err.msg, "/nonexistent/disk.img"));
}

static void test_devices_out_of_irqs(void **state)
{
	struct devices_fixture *f = *state;
	f->vm.used_irqs = 0xffffffu & ~(1u << 23); /* only IRQ 23 left */
	f->cfg.ndrives = 2;
	char extra[256] = "";
	struct error err;
	assert_int_equal(virtio_devices_create(&f->vm, &f->cfg, extra, sizeof(extra), &err), -1);
	assert_non_null(strstr(err.msg, "no free IRQ"));
	assert_string_equal(extra, " virtio_mmio.device=512@0xfeb00000:23");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rng),
		cmocka_unit_test(test_rng_caps_huge_requests),
		cmocka_unit_test_setup_teardown(test_console_transmit, console_setup,
						console_teardown),
		cmocka_unit_test_setup_teardown(test_console_receive, console_setup,
						console_teardown),
		cmocka_unit_test_setup_teardown(test_console_broken_receiveq, console_setup,
						console_teardown),
		cmocka_unit_test_setup_teardown(test_devices_layout_and_tokens, devices_setup,
						devices_teardown),
		cmocka_unit_test_setup_teardown(test_devices_command_line_overflow, devices_setup,
						devices_teardown),
		cmocka_unit_test_setup_teardown(test_devices_bad_drive, devices_setup,
						devices_teardown),
		cmocka_unit_test_setup_teardown(test_devices_out_of_irqs, devices_setup,
						devices_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
