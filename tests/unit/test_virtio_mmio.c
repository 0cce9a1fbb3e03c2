/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtio-mmio register model with a dummy device: identity registers, feature
 * negotiation, the status state machine, reset, queue setup, the configuration space and its
 * generation, and InterruptStatus/InterruptACK driving a level-triggered line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "devices/virtio_log.h"
#include "devices/virtio_mmio.h"
#include "virtio_fake_driver.h"

#define DUMMY_ID 42
#define DUMMY_FEATURE_BIT 3
#define ALL_STATUS                                                                          \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_DRIVER_OK)
#define V1 (1ull << VIRTIO_F_VERSION_1)

struct dummy {
	struct virtio_mmio t;
	uint8_t config[12];
	unsigned notified[VIRTIO_MMIO_MAX_QUEUES];
	unsigned resets, driver_oks;
};

struct fixture {
	struct fake_driver d;
	struct dummy dev;
};

static void dummy_notify(struct virtio_mmio *t, unsigned q)
{
	struct dummy *dev = t->dev;
	dev->notified[q]++;
}

static void dummy_reset(struct virtio_mmio *t)
{
	struct dummy *dev = t->dev;
	dev->resets++;
}

static void dummy_driver_ok(struct virtio_mmio *t)
{
	struct dummy *dev = t->dev;
	dev->driver_oks++;
}

static const struct virtio_mmio_ops dummy_ops = {
	.device_id = DUMMY_ID,
	.features = 1ull << DUMMY_FEATURE_BIT,
	.num_queues = 2,
	.queue_max = FAKE_QSIZE,
	.queue_notify = dummy_notify,
	.reset = dummy_reset,
	.driver_ok = dummy_driver_ok,
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || fake_ram_init(&f->d) < 0)
		return -1;
	for (unsigned i = 0; i < sizeof(f->dev.config); i++)
		f->dev.config[i] = (uint8_t)(0x10 + i);
	virtio_mmio_init(&f->dev.t, &dummy_ops, &f->dev, &f->d.mem, f->dev.config,
			 sizeof(f->dev.config), "dummy");
	fake_attach(&f->d, &f->dev.t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_mmio_destroy(&f->dev.t);
	fake_ram_free(&f->d);
	free(f);
	return 0;
}

static uint32_t status(struct fixture *f)
{
	return mmio_read(&f->d, VIRTIO_MMIO_STATUS);
}

static void set_status(struct fixture *f, uint32_t v)
{
	mmio_write(&f->d, VIRTIO_MMIO_STATUS, v);
}

/* ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns the status read back. */
static uint32_t negotiate(struct fixture *f, uint64_t features)
{
	set_status(f, 0);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	write_driver_features(&f->d, features);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	return status(f);
}

/* ------------------------------------------------------------------------ identity */

static void test_identity_registers(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_DEVICE_ID), DUMMY_ID);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_VENDOR_ID), VIRTIO_MMIO_VENDOR);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffffu);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffffu);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_SEL, 1);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_NUM_MAX), FAKE_QSIZE);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_SEL, 2); /* no such queue */
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_READY), 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_READY, 1); /* ignored, no crash */
	assert_int_equal(mmio_read(&f->d, 0x0f8), 0);  /* unassigned register */
}

static void test_register_width_and_alignment(void **state)
{
	struct fixture *f = *state;
	uint8_t data[8];
	memset(data, 0xaa, sizeof(data));
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_MAGIC_VALUE, data, 2, false);
	assert_int_equal(data[0], 0);
	assert_int_equal(data[1], 0);
	memset(data, 0xaa, sizeof(data));
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_MAGIC_VALUE + 1, data, 4, false);
	assert_int_equal(data[0], 0);
	uint8_t one = VIRTIO_CONFIG_S_ACKNOWLEDGE;
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_STATUS, &one, 1, true); /* byte write: ignored */
	assert_int_equal(status(f), 0);
}

/* ------------------------------------------------------------------------ features */

static void test_device_features(void **state)
{
	struct fixture *f = *state;
	uint64_t features = device_features(&f->d);
	assert_true(features & V1);
	assert_true(features & (1ull << VIRTIO_RING_F_EVENT_IDX));
	assert_true(features & (1ull << VIRTIO_RING_F_INDIRECT_DESC));
	assert_true(features & (1ull << DUMMY_FEATURE_BIT));
	assert_false(features & (1ull << VIRTIO_F_RING_PACKED)); /* split rings only */
	mmio_write(&f->d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_DEVICE_FEATURES), 0);
}

static void test_version_1_required(void **state)
{
	struct fixture *f = *state;
	/* A legacy driver (no VERSION_1): FEATURES_OK does not stick. */
	assert_false(negotiate(f, 1ull << DUMMY_FEATURE_BIT) & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(negotiate(f, V1) & VIRTIO_CONFIG_S_FEATURES_OK);
}

static void test_unoffered_feature_refused(void **state)
{
	struct fixture *f = *state;
	assert_false(negotiate(f, V1 | (1ull << VIRTIO_F_RING_PACKED)) &
		     VIRTIO_CONFIG_S_FEATURES_OK);
	assert_false(negotiate(f, V1 | (1ull << 63)) & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(negotiate(f, V1 | (1ull << DUMMY_FEATURE_BIT)) & VIRTIO_CONFIG_S_FEATURES_OK);
	assert_true(virtio_mmio_has_feature(&f->dev.t, DUMMY_FEATURE_BIT));
}

static void test_features_frozen_after_features_ok(void **state)
{
	struct fixture *f = *state;
	assert_true(negotiate(f, V1) & VIRTIO_CONFIG_S_FEATURES_OK);
	write_driver_features(&f->d, V1 | (1ull << VIRTIO_RING_F_EVENT_IDX));
	assert_false(virtio_mmio_has_feature(&f->dev.t, VIRTIO_RING_F_EVENT_IDX));
}

/* ------------------------------------------------------------------------ status */

static void test_status_order(void **state)
{
	struct fixture *f = *state;
	set_status(f, VIRTIO_CONFIG_S_DRIVER); /* DRIVER without ACKNOWLEDGE */
	assert_int_equal(status(f), 0);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	assert_int_equal(status(f), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	write_driver_features(&f->d, V1);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_FEATURES_OK); /* no DRIVER */
	assert_int_equal(status(f), VIRTIO_CONFIG_S_ACKNOWLEDGE);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_DRIVER_OK); /* DRIVER_OK without FEATURES_OK */
	assert_int_equal(status(f), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	assert_int_equal(f->dev.driver_oks, 0);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			      VIRTIO_CONFIG_S_FEATURES_OK);
	set_status(f, ALL_STATUS);
	assert_int_equal(status(f), ALL_STATUS);
	assert_int_equal(f->dev.driver_oks, 1);
}

static void test_status_cannot_shrink_or_claim_needs_reset(void **state)
{
	struct fixture *f = *state;
	negotiate(f, V1);
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE); /* clears DRIVER, FEATURES_OK: ignored */
	assert_int_equal(status(f), VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
					    VIRTIO_CONFIG_S_FEATURES_OK);
	set_status(f, status(f) | VIRTIO_CONFIG_S_NEEDS_RESET); /* the device's bit */
	assert_false(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	set_status(f, status(f) | VIRTIO_CONFIG_S_FAILED); /* the driver gives up */
	assert_true(status(f) & VIRTIO_CONFIG_S_FAILED);
}

static void test_reset(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(fake_init_device(&f->d, V1, 2), ALL_STATUS);
	virtio_mmio_notify_used(&f->dev.t, virtio_mmio_vq(&f->dev.t, 0));
	assert_int_equal(f->d.irq_level, 1);
	unsigned resets = f->dev.resets;
	set_status(f, 0);
	assert_int_equal(f->dev.resets, resets + 1);
	assert_int_equal(status(f), 0);
	assert_int_equal(f->d.irq_level, 0); /* the line drops with InterruptStatus */
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_NUM), 0);
	assert_false(virtio_mmio_has_feature(&f->dev.t, VIRTIO_F_VERSION_1));
	/* And the device works again after a fresh initialisation. */
	assert_int_equal(fake_init_device(&f->d, V1, 2), ALL_STATUS);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(f->dev.notified[1], 1);
}

/* ------------------------------------------------------------------------ queues */

static void test_queue_setup(void **state)
{
	struct fixture *f = *state;
	negotiate(f, V1);
	assert_int_equal(fake_setup_queue(&f->d, 0, 0), 0);              /* size 0 */
	assert_int_equal(fake_setup_queue(&f->d, 0, FAKE_QSIZE * 2), 0); /* above QueueNumMax */
	assert_int_equal(fake_setup_queue(&f->d, 0, 0x10008), 0);        /* above 16 bits */
	assert_int_equal(fake_setup_queue(&f->d, 0, 6), 0);              /* not a power of two */
	assert_int_equal(fake_setup_queue(&f->d, 0, 4), 1);              /* smaller than max: fine */
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_NUM), 4);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW), FAKE_RING_GPA(0));
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_USED_LOW), FAKE_RING_GPA(0) + 0x2000);
	/* Writes to a ready queue's registers are ignored. */
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NUM, 8);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x12340);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_NUM), 4);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW), FAKE_RING_GPA(0));
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_READY), 0);
}

static void test_queue_rings_outside_ram_refused(void **state)
{
	struct fixture *f = *state;
	negotiate(f, V1);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NUM, FAKE_QSIZE);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0xfeb00000);  /* MMIO */
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x11000);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_USED_LOW, 0x12000);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_READY), 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x10000);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_USED_HIGH, 1); /* 4 GiB up: no RAM there */
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_QUEUE_READY), 0);
}

static void test_queue_ready_needs_features_ok(void **state)
{
	struct fixture *f = *state;
	set_status(f, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	assert_int_equal(fake_setup_queue(&f->d, 0, FAKE_QSIZE), 0);
}

static void test_notify_rules(void **state)
{
	struct fixture *f = *state;
	negotiate(f, V1);
	fake_setup_queue(&f->d, 0, FAKE_QSIZE);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* before DRIVER_OK */
	assert_int_equal(f->dev.notified[0], 0);
	set_status(f, ALL_STATUS);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(f->dev.notified[0], 1);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 1); /* queue 1 never made ready */
	assert_int_equal(f->dev.notified[1], 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 7); /* no such queue */
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffffu);
	assert_int_equal(f->dev.notified[0], 1);
}

/* ------------------------------------------------------------------------ config space */

static void test_config_space(void **state)
{
	struct fixture *f = *state;
	uint8_t data[8];
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_CONFIG + 1, data, 1, false);
	assert_int_equal(data[0], 0x11);
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_CONFIG + 2, data, 2, false);
	assert_int_equal(data[0] | data[1] << 8, 0x1312);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 8), 0x1b1a1918);
	virtio_mmio_access(&f->dev.t, VIRTIO_MMIO_CONFIG + 4, data, 8, false);
	assert_int_equal(data[7], 0x1b);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 10), 0x1b1a); /* partly past */
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 0xfc), 0);     /* past the end */
	mmio_write(&f->d, VIRTIO_MMIO_CONFIG, 0xdeadbeef); /* read-only: ignored */
	assert_int_equal(f->dev.config[0], 0x10);
}

static void test_config_generation(void **state)
{
	struct fixture *f = *state;
	uint32_t gen = mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION);
	pthread_mutex_lock(&f->dev.t.lock);
	virtio_mmio_config_changed(&f->dev.t); /* before DRIVER_OK: no interrupt */
	pthread_mutex_unlock(&f->dev.t.lock);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), gen + 1);
	assert_int_equal(f->d.irq_level, 0);
	fake_init_device(&f->d, V1, 1);
	pthread_mutex_lock(&f->dev.t.lock);
	virtio_mmio_config_changed(&f->dev.t);
	pthread_mutex_unlock(&f->dev.t.lock);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), gen + 2);
	assert_int_equal(f->d.irq_level, 1);
	assert_int_equal(fake_ack(&f->d), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(f->d.irq_level, 0);
}

/* ------------------------------------------------------------------------ interrupts */

static void test_interrupt_level_and_ack(void **state)
{
	struct fixture *f = *state;
	fake_init_device(&f->d, V1, 1);
	struct virtqueue *vq = virtio_mmio_vq(&f->dev.t, 0);
	pthread_mutex_lock(&f->dev.t.lock);
	virtqueue_push(vq, 0, 0);
	virtio_mmio_notify_used(&f->dev.t, vq);
	virtio_mmio_config_changed(&f->dev.t);
	pthread_mutex_unlock(&f->dev.t.lock);
	assert_int_equal(f->d.irq_level, 1);
	assert_int_equal(f->d.irq_raises, 1); /* one edge for both causes: it is a level */
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
	mmio_write(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(f->d.irq_level, 1); /* still a cause pending: still asserted */
	mmio_write(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(f->d.irq_level, 0);
	mmio_write(&f->d, VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffffu); /* nothing pending: harmless */
	assert_int_equal(f->d.irq_level, 0);
	assert_int_equal(f->d.irq_raises, 1);
}

static void test_interrupt_suppressed_by_driver(void **state)
{
	struct fixture *f = *state;
	fake_init_device(&f->d, V1, 1);
	fake_avail(&f->d, 0)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	struct virtqueue *vq = virtio_mmio_vq(&f->dev.t, 0);
	pthread_mutex_lock(&f->dev.t.lock);
	virtqueue_push(vq, 0, 0);
	virtio_mmio_notify_used(&f->dev.t, vq);
	pthread_mutex_unlock(&f->dev.t.lock);
	assert_int_equal(f->d.irq_level, 0);
}

static void test_device_error_needs_reset(void **state)
{
	struct fixture *f = *state;
	fake_init_device(&f->d, V1, 1);
	pthread_mutex_lock(&f->dev.t.lock);
	virtio_mmio_device_error(&f->dev.t, "test says %s", "so");
	virtio_mmio_device_error(&f->dev.t, "second error: not logged again");
	pthread_mutex_unlock(&f->dev.t.lock);
	assert_true(status(f) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(f->d.irq_level, 1);
	assert_int_equal(fake_ack(&f->d), VIRTIO_MMIO_INT_CONFIG);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* a broken device does no work */
	assert_int_equal(f->dev.notified[0], 0);
	assert_int_equal(fake_init_device(&f->d, V1, 1), ALL_STATUS); /* reset clears it */
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(f->dev.notified[0], 1);
}

/* A guest can make the device log at will: past a burst, lines are only counted. */
static void test_log_rate_limited(void **state)
{
	(void)state;
	unsigned long before = virtio_log_suppressed();
	for (int i = 0; i < 30; i++)
		virtio_log("test line %d", i);
	assert_true(virtio_log_suppressed() >= before + 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity_registers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_width_and_alignment, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_features, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version_1_required, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unoffered_feature_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_features_frozen_after_features_ok, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_status_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_cannot_shrink_or_claim_needs_reset, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_rings_outside_ram_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_ready_needs_features_ok, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_generation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_level_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupt_suppressed_by_driver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_error_needs_reset, setup, teardown),
		cmocka_unit_test(test_log_rate_limited),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
