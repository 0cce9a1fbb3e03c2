/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_rng.h"

#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <sys/random.h>

/* Bytes handed out per request: a guest asking for gigabytes gets them in pieces. */
#define RNG_MAX_PER_REQUEST (64u * 1024u)

struct virtio_rng {
	struct virtio_mmio transport;
};

static uint32_t fill_chain(struct virtio_mmio *t, const struct vq_chain *c)
{
	(void)t;
	uint32_t done = 0;
	for (unsigned i = c->nread; i < c->nread + c->nwrite && done < RNG_MAX_PER_REQUEST; i++) {
		const struct vq_seg *s = &c->segs[i];
		uint32_t want = s->len < RNG_MAX_PER_REQUEST - done ? s->len : RNG_MAX_PER_REQUEST - done;
		uint32_t got = 0;
		while (got < want) {
			ssize_t n = getrandom(s->host + got, want - got, 0);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return done + got; /* what was filled is still good entropy */
			got += (uint32_t)n;
		}
		done += got;
	}
	return done;
}

static void rng_queue_notify(struct virtio_mmio *t, unsigned q)
{
	virtio_mmio_process_queue(t, q, fill_chain);
}

static const struct virtio_mmio_ops rng_ops = {
	.device_id = VIRTIO_ID_RNG,
	.features = 0,
	.num_queues = 1,
	.queue_max = VIRTQUEUE_MAX_SIZE,
	.queue_notify = rng_queue_notify,
};

struct virtio_mmio *virtio_rng_create(const struct guest_mem *mem, struct error *err)
{
	struct virtio_rng *r = calloc(1, sizeof(*r));
	if (!r) {
		error_set(err, "virtio-rng: out of memory");
		return NULL;
	}
	virtio_mmio_init(&r->transport, &rng_ops, r, mem, NULL, 0, "virtio-rng");
	return &r->transport;
}

void virtio_rng_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	virtio_mmio_destroy(t);
	free(t->dev);
}
