/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The device side of a split virtqueue (virtio 1.x, section 2.6) over guest RAM. Everything
 * in the rings is written by the guest, possibly while we read it, and is hostile: each
 * descriptor is read once into a local copy, every address/length pair goes through
 * gpa_range(), chains are bounded by the queue size, loops are detected, indirect tables are
 * one level deep and bounded. Pure C on struct guest_mem: the unit tests use a fake RAM.
 */
#ifndef MILLIVM_VIRTQUEUE_H
#define MILLIVM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include <linux/virtio_ring.h>

#include "core/error.h"
#include "core/guest_mem.h"

/* Largest queue any of our devices offers (QueueNumMax); also bounds a chain's segments. */
#define VIRTQUEUE_MAX_SIZE 256u

/* Where the driver put the rings (QueueDesc/QueueDriver/QueueDevice) and what it agreed to. */
struct virtqueue_setup {
	uint16_t size;      /* QueueNum: a power of two, 1..max_size (split rings) */
	uint16_t max_size;  /* QueueNumMax the device offered, <= VIRTQUEUE_MAX_SIZE */
	uint64_t desc_gpa;  /* 16-byte aligned */
	uint64_t avail_gpa; /* 2-byte aligned */
	uint64_t used_gpa;  /* 4-byte aligned */
	bool event_idx;     /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;      /* VIRTIO_RING_F_INDIRECT_DESC negotiated */
};

struct virtqueue {
	bool enabled;
	uint16_t size;
	bool event_idx;
	bool indirect;
	const struct guest_mem *mem;
	/* Host views of the rings, validated once at enable (guest RAM never moves). */
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;     /* next avail ring slot we consume */
	uint16_t used_idx;       /* our copy of used->idx (we are its only writer) */
	uint16_t signalled_used; /* used_idx when we last decided about an interrupt */
	bool signalled_used_valid;
};

/* One segment of a chain: already translated, inside guest RAM, len > 0. */
struct vq_seg {
	uint8_t *host;
	uint32_t len;
};

/* A popped descriptor chain: readable segments first, then writable ones. */
struct vq_chain {
	uint16_t head; /* what goes back in the used ring */
	unsigned nread, nwrite;
	uint64_t read_len, write_len;
	struct vq_seg segs[VIRTQUEUE_MAX_SIZE];
};

/* Check the setup (size, alignment, rings inside RAM) and start from index 0. */
int virtqueue_enable(struct virtqueue *vq, const struct guest_mem *mem,
		     const struct virtqueue_setup *setup, struct error *err);
void virtqueue_disable(struct virtqueue *vq);

/*
 * Take the next available chain. Returns 1 with *chain filled, 0 when the ring is empty, and
 * -1 with a message when the driver broke the ring (the device should then need a reset).
 */
int virtqueue_pop(struct virtqueue *vq, struct vq_chain *chain, struct error *err);

/*
 * Give back the last count chains popped and not pushed: they stay the driver's next
 * available buffers (a device that popped receive buffers it could not fill).
 */
void virtqueue_unpop(struct virtqueue *vq, unsigned count);

/* Return a chain: len is the number of bytes written into its writable segments. */
void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len);

/* After one or more pushes: does the driver want an interrupt (flags or used_event)? */
bool virtqueue_should_notify(struct virtqueue *vq);

/*
 * Before going idle: ask the driver to notify us for the next buffer (avail_event with
 * EVENT_IDX). Returns true if buffers arrived meanwhile: pop again then.
 */
bool virtqueue_rearm(struct virtqueue *vq);

/* Chain data access by byte offset within the readable or the writable segments. */
size_t vq_chain_read(const struct vq_chain *c, uint64_t offset, void *dst, size_t len);
size_t vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, size_t len);

/*
 * Describe [offset, offset + len) of the readable (writable=false) or writable bytes as at
 * most max iovecs. Returns the count, or -1 if the range is not inside the chain or needs
 * more than max entries.
 */
int vq_chain_iov(const struct vq_chain *c, bool writable, uint64_t offset, uint64_t len,
		 struct iovec *iov, unsigned max);

#endif
