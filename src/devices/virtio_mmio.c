/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_mmio.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "devices/virtio_log.h"

/* Bits the driver may set; NEEDS_RESET belongs to the device. */
#define DRIVER_STATUS_BITS                                                        \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FAILED)

/* What every device offers on top of its own bits. */
#define TRANSPORT_FEATURES                                                              \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VIRTIO_RING_F_EVENT_IDX) |             \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC))

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_mmio_ops *ops, void *dev,
		      const struct guest_mem *mem, const void *config, size_t config_size,
		      const char *name)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->ops = ops;
	t->dev = dev;
	t->mem = mem;
	t->config = config;
	t->config_size = config_size;
	t->device_features = ops->features | TRANSPORT_FEATURES;
	snprintf(t->name, sizeof(t->name), "%s", name);
}

void virtio_mmio_set_irq(struct virtio_mmio *t, virtio_mmio_irq_fn fn, void *opaque)
{
	t->set_irq = fn;
	t->irq_opaque = opaque;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
}

static void update_irq(struct virtio_mmio *t)
{
	int level = t->interrupt_status != 0;
	if (level == t->irq_level)
		return;
	t->irq_level = level;
	if (t->set_irq)
		t->set_irq(t->irq_opaque, level);
}

static void raise_interrupt(struct virtio_mmio *t, uint32_t bits)
{
	t->interrupt_status |= bits;
	update_irq(t);
}

void virtio_mmio_notify_used(struct virtio_mmio *t, struct virtqueue *vq)
{
	if (virtqueue_should_notify(vq))
		raise_interrupt(t, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	t->config_generation++;
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_device_error(struct virtio_mmio *t, const char *fmt, ...)
{
	char why[192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (t->broken)
		return; /* already reported; nothing runs until the reset */
	t->broken = true;
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	virtio_log("%s: %s; device needs reset", t->name, why);
	/* virtio 1.x 2.1.2: with DRIVER_OK set, NEEDS_RESET comes with a config interrupt. */
	if (t->status & VIRTIO_CONFIG_S_DRIVER_OK)
		raise_interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

static void reset(struct virtio_mmio *t)
{
	if (t->ops->reset)
		t->ops->reset(t);
	for (unsigned q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
		memset(&t->queues[q], 0, sizeof(t->queues[q]));
		virtqueue_disable(&t->queues[q].vq);
	}
	t->driver_features = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->status = 0;
	t->broken = false;
	t->interrupt_status = 0;
	update_irq(t);
}

static bool features_acceptable(struct virtio_mmio *t)
{
	uint64_t extra = t->driver_features & ~t->device_features;
	if (extra) {
		virtio_log("%s: driver accepted features 0x%llx that were not offered", t->name,
			   (unsigned long long)extra);
		return false;
	}
	if (!virtio_mmio_has_feature(t, VIRTIO_F_VERSION_1)) {
		virtio_log("%s: driver did not accept VIRTIO_F_VERSION_1 (legacy drivers are not "
			   "supported)", t->name);
		return false;
	}
	return true;
}

/*
 * The status register only grows, in order (virtio 1.x 3.1.1), until a write of 0 resets.
 * A bit set out of order is not taken: the driver reads the status back and sees that.
 */
static void write_status(struct virtio_mmio *t, uint32_t v)
{
	if (v == 0) {
		reset(t);
		return;
	}
	uint32_t old = t->status;
	v &= DRIVER_STATUS_BITS;
	if (old & DRIVER_STATUS_BITS & ~v) {
		virtio_log("%s: status 0x%x clears bits of 0x%x without a reset; ignored", t->name,
			   v, old);
		return;
	}
	uint32_t added = v & ~old;
	if ((added & VIRTIO_CONFIG_S_DRIVER) && !(v & VIRTIO_CONFIG_S_ACKNOWLEDGE))
		added &= ~(uint32_t)VIRTIO_CONFIG_S_DRIVER;
	if (added & VIRTIO_CONFIG_S_FEATURES_OK) {
		if (!((old | added) & VIRTIO_CONFIG_S_DRIVER) || !features_acceptable(t))
			added &= ~(uint32_t)VIRTIO_CONFIG_S_FEATURES_OK;
	}
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !((old | added) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_log("%s: DRIVER_OK before FEATURES_OK; ignored", t->name);
		added &= ~(uint32_t)VIRTIO_CONFIG_S_DRIVER_OK;
	}
	t->status = old | added;
	if ((added & VIRTIO_CONFIG_S_DRIVER_OK) && !t->broken && t->ops->driver_ok)
		t->ops->driver_ok(t);
}

static struct virtio_mmio_queue *selected_queue(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->queues[t->queue_sel] : NULL;
}

static void set_queue_ready(struct virtio_mmio *t, struct virtio_mmio_queue *q, uint32_t ready)
{
	if (!ready) {
		if (q->vq.enabled && t->ops->queue_stop)
			t->ops->queue_stop(t, t->queue_sel);
		virtqueue_disable(&q->vq);
		return;
	}
	if (q->vq.enabled)
		return;
	if (!(t->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		virtio_log("%s: queue %u made ready before FEATURES_OK; ignored", t->name,
			   t->queue_sel);
		return;
	}
	struct virtqueue_setup s = {
		.size = q->num,
		.max_size = t->ops->queue_max,
		.desc_gpa = q->desc_gpa,
		.avail_gpa = q->avail_gpa,
		.used_gpa = q->used_gpa,
		.event_idx = virtio_mmio_has_feature(t, VIRTIO_RING_F_EVENT_IDX),
		.indirect = virtio_mmio_has_feature(t, VIRTIO_RING_F_INDIRECT_DESC),
	};
	struct error err;
	if (virtqueue_enable(&q->vq, t->mem, &s, &err) < 0)
		virtio_log("%s: queue %u not enabled: %s", t->name, t->queue_sel, err.msg);
}

static void set_half(uint64_t *v, bool high, uint32_t half)
{
	if (high)
		*v = (*v & 0xffffffffull) | (uint64_t)half << 32;
	else
		*v = (*v & ~0xffffffffull) | half;
}

static void write_queue_reg(struct virtio_mmio *t, uint64_t offset, uint32_t v)
{
	struct virtio_mmio_queue *q = selected_queue(t);
	if (!q)
		return;
	if (offset == VIRTIO_MMIO_QUEUE_READY) {
		set_queue_ready(t, q, v);
		return;
	}
	if (q->vq.enabled) {
		virtio_log("%s: queue %u register 0x%llx written while ready; ignored", t->name,
			   t->queue_sel, (unsigned long long)offset);
		return;
	}
	switch (offset) {
	case VIRTIO_MMIO_QUEUE_NUM:
		q->num = v > 0xffff ? 0 : (uint16_t)v; /* 0 is refused when made ready */
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		set_half(&q->desc_gpa, offset == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		set_half(&q->avail_gpa, offset == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		set_half(&q->used_gpa, offset == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		break;
	}
}

static void queue_notify(struct virtio_mmio *t, uint32_t q)
{
	if (q >= t->ops->num_queues) {
		virtio_log("%s: notify for queue %u, which does not exist", t->name, q);
		return;
	}
	if (!(t->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
		virtio_log("%s: queue %u notified before DRIVER_OK; ignored", t->name, q);
		return;
	}
	if (t->broken || !t->queues[q].vq.enabled)
		return;
	t->ops->queue_notify(t, q);
}

static void write_features(struct virtio_mmio *t, uint32_t v)
{
	if (t->driver_features_sel > 1)
		return;
	/* Features are fixed once FEATURES_OK is set (the device already agreed to them). */
	if (t->status & VIRTIO_CONFIG_S_FEATURES_OK) {
		virtio_log("%s: driver features written after FEATURES_OK; ignored", t->name);
		return;
	}
	set_half(&t->driver_features, t->driver_features_sel == 1, v);
}

static void write_register(struct virtio_mmio *t, uint64_t offset, uint32_t v)
{
	switch (offset) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		write_features(t, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_READY:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		write_queue_reg(t, offset, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		queue_notify(t, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~v;
		update_irq(t);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, v);
		break;
	default: /* read-only or legacy (GuestPageSize, QueueAlign, QueuePFN): ignored */
		break;
	}
}

static uint32_t read_register(struct virtio_mmio *t, uint64_t offset)
{
	struct virtio_mmio_queue *q = selected_queue(t);
	switch (offset) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION:
		return VIRTIO_MMIO_VERSION_MODERN;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->device_features_sel > 1)
			return 0;
		return (uint32_t)(t->device_features >> (32 * t->device_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_NUM:
		return q ? q->num : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q && q->vq.enabled;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return q ? (uint32_t)q->desc_gpa : 0;
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		return q ? (uint32_t)(q->desc_gpa >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
		return q ? (uint32_t)q->avail_gpa : 0;
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		return q ? (uint32_t)(q->avail_gpa >> 32) : 0;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
		return q ? (uint32_t)q->used_gpa : 0;
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		return q ? (uint32_t)(q->used_gpa >> 32) : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
		return 0xffffffffu; /* no shared memory regions: length -1 */
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
	default:
		return 0;
	}
}

/* Device-specific configuration space: any width the field has, read-only for now. */
static void access_config(struct virtio_mmio *t, uint64_t offset, uint8_t *data, uint32_t len,
			  bool is_write)
{
	if (is_write)
		return; /* no writable fields offered (no CONFIG_WCE, no EMERG_WRITE) */
	memset(data, 0, len);
	if (offset < t->config_size) {
		size_t n = t->config_size - offset < len ? t->config_size - offset : len;
		memcpy(data, t->config + offset, n);
	}
}

void virtio_mmio_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			bool is_write)
{
	struct virtio_mmio *t = opaque;
	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		access_config(t, offset - VIRTIO_MMIO_CONFIG, data, len, is_write);
	} else if (len != 4 || (offset & 3)) {
		/* virtio 1.x 4.2.2.2: registers are accessed 32 bits wide, aligned. */
		virtio_log("%s: %u-byte %s at register 0x%llx; ignored", t->name, len,
			   is_write ? "write" : "read", (unsigned long long)offset);
		if (!is_write)
			memset(data, 0, len);
	} else if (is_write) {
		uint32_t v;
		memcpy(&v, data, 4);
		write_register(t, offset, v);
	} else {
		uint32_t v = read_register(t, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_fill_queue(struct virtio_mmio *t, unsigned q, virtio_mmio_pending_fn pending,
			    virtio_mmio_chain_fn fill)
{
	struct virtqueue *vq = virtio_mmio_vq(t, q);
	if (!virtio_mmio_driver_ok(t) || !vq->enabled)
		return;
	struct vq_chain chain;
	struct error err;
	bool pushed = false;
	do {
		int rc = 0;
		while (!t->broken && (!pending || pending(t)) &&
		       (rc = virtqueue_pop(vq, &chain, &err)) > 0) {
			virtqueue_push(vq, chain.head, fill(t, &chain));
			pushed = true;
		}
		if (!t->broken && rc < 0)
			virtio_mmio_device_error(t, "queue %u: %s", q, err.msg);
	} while (!t->broken && (!pending || pending(t)) && virtqueue_rearm(vq));
	if (pushed && !t->broken)
		virtio_mmio_notify_used(t, vq);
}

void virtio_mmio_process_queue(struct virtio_mmio *t, unsigned q, virtio_mmio_chain_fn handle)
{
	virtio_mmio_fill_queue(t, q, NULL, handle);
}
