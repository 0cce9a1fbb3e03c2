/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-mmio transport, version 2 (virtio 1.x "modern" only; design.md section 6): the
 * 512-byte register window, feature negotiation (VIRTIO_F_VERSION_1 required), the device
 * status state machine, queue setup, the configuration space with its generation counter,
 * and a level-triggered interrupt line that stays asserted while InterruptStatus != 0.
 *
 * One mutex per device serialises everything: register accesses from any vCPU, the device's
 * queue work (done under it) and host-side events (console input, I/O completions).
 */
#ifndef MILLIVM_VIRTIO_MMIO_H
#define MILLIVM_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "devices/virtqueue.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u  /* "virt" */
#define VIRTIO_MMIO_VERSION_MODERN 2u
#define VIRTIO_MMIO_VENDOR 0x4d564c4du /* "MLVM" */
#define VIRTIO_MMIO_WINDOW 0x200u
#define VIRTIO_MMIO_MAX_QUEUES 3u /* vsock: rx, tx, event */

struct virtio_mmio;

/* What a device type plugs into the transport. Hooks run with the device lock held. */
struct virtio_mmio_ops {
	uint32_t device_id;       /* VIRTIO_ID_* */
	uint64_t features;        /* device-specific bits; the transport adds its own */
	unsigned num_queues;      /* <= VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;       /* QueueNumMax, <= VIRTQUEUE_MAX_SIZE */
	/* The driver notified queue q (only after DRIVER_OK, on an enabled queue). */
	void (*queue_notify)(struct virtio_mmio *t, unsigned q);
	/* Device reset (status 0): forget requests; no guest memory access after return. */
	void (*reset)(struct virtio_mmio *t);
	/* DRIVER_OK was set: the device may start using its queues. Optional. */
	void (*driver_ok)(struct virtio_mmio *t);
	/* QueueReady was cleared on queue q: finish with its buffers first. Optional. */
	void (*queue_stop)(struct virtio_mmio *t, unsigned q);
};

/* The interrupt line: level 1 while InterruptStatus != 0. */
typedef void (*virtio_mmio_irq_fn)(void *opaque, int level);

struct virtio_mmio_queue {
	uint16_t num; /* QueueNum as written; checked when QueueReady goes to 1 */
	uint64_t desc_gpa, avail_gpa, used_gpa;
	struct virtqueue vq;
};

struct virtio_mmio {
	pthread_mutex_t lock;
	const struct virtio_mmio_ops *ops;
	void *dev; /* the device's own state */
	const struct guest_mem *mem;
	char name[24]; /* "virtio-blk0": messages */
	virtio_mmio_irq_fn set_irq;
	void *irq_opaque;
	int irq_level;

	const uint8_t *config; /* device-specific configuration space, read-only to the driver */
	size_t config_size;
	uint32_t config_generation;

	uint64_t device_features;
	uint64_t driver_features;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint32_t status;
	uint32_t interrupt_status;
	bool broken; /* DEVICE_NEEDS_RESET set: no queue work until the driver resets */
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
};

/* config must stay valid (and may change only through virtio_mmio_config_changed). */
void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_ops *ops, void *dev,
		      const struct guest_mem *mem, const void *config, size_t config_size,
		      const char *name);
void virtio_mmio_set_irq(struct virtio_mmio *t, virtio_mmio_irq_fn fn, void *opaque);
void virtio_mmio_destroy(struct virtio_mmio *t);

/* The register window (a bus_access_fn; opaque is the struct virtio_mmio). */
void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			bool is_write);

/* --- For devices, with t->lock held --- */

static inline bool virtio_mmio_driver_ok(const struct virtio_mmio *t)
{
	return (t->status & VIRTIO_CONFIG_S_DRIVER_OK) && !t->broken;
}

static inline struct virtqueue *virtio_mmio_vq(struct virtio_mmio *t, unsigned q)
{
	return &t->queues[q].vq;
}

static inline bool virtio_mmio_has_feature(const struct virtio_mmio *t, unsigned bit)
{
	return (t->driver_features >> bit) & 1;
}

/* After pushing used buffers on vq: raise the used-buffer interrupt if the driver wants it. */
void virtio_mmio_notify_used(struct virtio_mmio *t, struct virtqueue *vq);

/* The driver broke the device: set DEVICE_NEEDS_RESET, tell the driver, log one line. */
void virtio_mmio_device_error(struct virtio_mmio *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The device changed its configuration space: bump the generation, raise the interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);

/*
 * Common queue loop for simple devices: pop every available chain, hand it to handle (which
 * returns the used length), push it, and interrupt the driver once at the end. A broken
 * ring makes the device need a reset.
 */
typedef uint32_t (*virtio_mmio_chain_fn)(struct virtio_mmio *t, const struct vq_chain *c);
void virtio_mmio_process_queue(struct virtio_mmio *t, unsigned q, virtio_mmio_chain_fn handle);

/*
 * The same for a device with data of its own for the driver's buffers (console input, vsock
 * control packets): only while pending(t) says there is some. Nothing before DRIVER_OK.
 */
typedef bool (*virtio_mmio_pending_fn)(struct virtio_mmio *t);
void virtio_mmio_fill_queue(struct virtio_mmio *t, unsigned q, virtio_mmio_pending_fn pending,
			    virtio_mmio_chain_fn fill);

#endif
