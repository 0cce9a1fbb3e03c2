/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tiny virtio-mmio driver for the unit tests: fake guest RAM, register accesses through
 * virtio_mmio_access() as a vCPU would make them, one split queue per device set up at
 * fixed addresses, and an interrupt line that records its level. Header-only (static
 * inline) because every tests/unit/test_*.c is its own program.
 */
#ifndef MILLIVM_TEST_VIRTIO_FAKE_DRIVER_H
#define MILLIVM_TEST_VIRTIO_FAKE_DRIVER_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "core/guest_mem.h"
#include "fake_ram.h"
#include "devices/virtio_mmio.h"

#define FAKE_RAM_SIZE MiB(16)
#define FAKE_QSIZE 16u
#define FAKE_RING_GPA(q) (0x10000ull + 0x4000ull * (q)) /* desc; avail +0x1000; used +0x2000 */
#define FAKE_BUF_GPA 0x100000ull

struct fake_driver {
	struct guest_mem mem;
	struct virtio_mmio *t;
	int irq_level;
	unsigned irq_raises;
	uint16_t next_desc[VIRTIO_MMIO_MAX_QUEUES];
	uint16_t last_used[VIRTIO_MMIO_MAX_QUEUES];
	uint64_t next_buf;
};

static inline void fake_irq(void *opaque, int level)
{
	struct fake_driver *d = opaque;
	if (level && !d->irq_level)
		d->irq_raises++;
	d->irq_level = level;
}

static inline int fake_ram_init(struct fake_driver *d)
{
	memset(d, 0, sizeof(*d));
	if (fake_guest_ram_alloc(&d->mem, FAKE_RAM_SIZE) < 0)
		return -1;
	d->next_buf = FAKE_BUF_GPA;
	return 0;
}

static inline void fake_attach(struct fake_driver *d, struct virtio_mmio *t)
{
	d->t = t;
	virtio_mmio_set_irq(t, fake_irq, d);
}

static inline void fake_ram_free(struct fake_driver *d)
{
	fake_guest_ram_free(&d->mem);
}

static inline uint32_t mmio_read(struct fake_driver *d, uint64_t offset)
{
	uint8_t data[4];
	virtio_mmio_access(d->t, offset, data, 4, false);
	uint32_t v;
	memcpy(&v, data, 4);
	return v;
}

static inline void mmio_write(struct fake_driver *d, uint64_t offset, uint32_t v)
{
	uint8_t data[4];
	memcpy(data, &v, 4);
	virtio_mmio_access(d->t, offset, data, 4, true);
}

static inline uint64_t device_features(struct fake_driver *d)
{
	mmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	uint64_t hi = mmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	mmio_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | mmio_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static inline void write_driver_features(struct fake_driver *d, uint64_t features)
{
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	mmio_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
}

static inline struct vring_desc *fake_desc(struct fake_driver *d, unsigned q, unsigned i)
{
	return gpa_range(&d->mem, FAKE_RING_GPA(q) + 16 * i, 16);
}

static inline struct vring_avail *fake_avail(struct fake_driver *d, unsigned q)
{
	return gpa_range(&d->mem, FAKE_RING_GPA(q) + 0x1000, 6 + 2 * FAKE_QSIZE);
}

static inline struct vring_used *fake_used(struct fake_driver *d, unsigned q)
{
	return gpa_range(&d->mem, FAKE_RING_GPA(q) + 0x2000, 6 + 8 * FAKE_QSIZE);
}

/* Ring setup for queue q with the usual register sequence; returns QueueReady read back. */
static inline uint32_t fake_setup_queue(struct fake_driver *d, unsigned q, uint32_t size)
{
	uint64_t base = FAKE_RING_GPA(q);
	mmio_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	mmio_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)base);
	mmio_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, 0);
	mmio_write(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uint32_t)(base + 0x1000));
	mmio_write(d, VIRTIO_MMIO_QUEUE_AVAIL_HIGH, 0);
	mmio_write(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uint32_t)(base + 0x2000));
	mmio_write(d, VIRTIO_MMIO_QUEUE_USED_HIGH, 0);
	mmio_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return mmio_read(d, VIRTIO_MMIO_QUEUE_READY);
}

/* The virtio 1.x 3.1.1 initialisation; returns the final status. */
static inline uint32_t fake_init_device(struct fake_driver *d, uint64_t features,
					unsigned nqueues)
{
	mmio_write(d, VIRTIO_MMIO_STATUS, 0);
	mmio_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	mmio_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	write_driver_features(d, features);
	mmio_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						  VIRTIO_CONFIG_S_FEATURES_OK);
	memset(d->next_desc, 0, sizeof(d->next_desc));
	memset(d->last_used, 0, sizeof(d->last_used));
	for (unsigned q = 0; q < nqueues; q++) {
		memset(gpa_range(&d->mem, FAKE_RING_GPA(q), 0x3000), 0, 0x3000);
		fake_setup_queue(d, q, FAKE_QSIZE);
	}
	mmio_write(d, VIRTIO_MMIO_STATUS,
		   VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	return mmio_read(d, VIRTIO_MMIO_STATUS);
}

/* Guest buffer of len bytes (fresh, zeroed each time). */
static inline uint64_t fake_alloc(struct fake_driver *d, size_t len)
{
	uint64_t gpa = d->next_buf;
	d->next_buf = (d->next_buf + len + 15) & ~15ull;
	if (d->next_buf > FAKE_RAM_SIZE - MiB(1))
		d->next_buf = FAKE_BUF_GPA; /* tests are short: wrap */
	memset(gpa_range(&d->mem, gpa, len), 0, len);
	return gpa;
}

static inline void *fake_ptr(struct fake_driver *d, uint64_t gpa, size_t len)
{
	return gpa_range(&d->mem, gpa, len);
}

/* Add a descriptor to the chain under construction; returns its index. */
static inline uint16_t fake_add_desc(struct fake_driver *d, unsigned q, uint64_t gpa,
				     uint32_t len, uint16_t flags)
{
	uint16_t i = d->next_desc[q]++ % FAKE_QSIZE;
	struct vring_desc *desc = fake_desc(d, q, i);
	desc->addr = gpa;
	desc->len = len;
	desc->flags = flags;
	desc->next = (uint16_t)((i + 1) % FAKE_QSIZE);
	return i;
}

/* Make head available and notify the device. */
static inline void fake_kick(struct fake_driver *d, unsigned q, uint16_t head)
{
	struct vring_avail *a = fake_avail(d, q);
	a->ring[a->idx % FAKE_QSIZE] = head;
	__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
	mmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* Next used element, or -1 if none has appeared yet. */
static inline int fake_get_used(struct fake_driver *d, unsigned q, uint32_t *len)
{
	struct vring_used *u = fake_used(d, q);
	if (__atomic_load_n(&u->idx, __ATOMIC_ACQUIRE) == d->last_used[q])
		return -1;
	struct vring_used_elem *e = &u->ring[d->last_used[q]++ % FAKE_QSIZE];
	if (len)
		*len = e->len;
	return (int)e->id;
}

/* Read and acknowledge the interrupt, as the guest's handler does. */
static inline uint32_t fake_ack(struct fake_driver *d)
{
	uint32_t isr = mmio_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);
	mmio_write(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
	return isr;
}

#endif
