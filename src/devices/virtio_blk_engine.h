/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Inside virtio-blk: the device state and the I/O engines that move the data. The device
 * parses and checks a request; an engine performs reads, writes and flushes and reports each
 * completion with virtio_blk_complete(), possibly before submit returns (sync engine) or
 * later from its own thread (io_uring). Everything runs under the transport lock.
 */
#ifndef MILLIVM_VIRTIO_BLK_ENGINE_H
#define MILLIVM_VIRTIO_BLK_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <linux/virtio_blk.h>

#include "api/metrics.h"
#include "core/error.h"
#include "devices/virtio_mmio.h"

#define VIRTIO_BLK_SECTOR 512u
#define VIRTIO_BLK_QUEUE_SIZE 256u

enum blk_op { BLK_OP_READ, BLK_OP_WRITE, BLK_OP_FLUSH };

/* A checked request for an engine; the iovecs point into guest RAM. */
struct blk_io {
	enum blk_op op;
	uint16_t head;
	uint64_t offset; /* bytes */
	uint64_t len;    /* bytes, = sum of iov */
	const struct iovec *iov;
	int niov;
	uint8_t *status;   /* the request's status byte in guest RAM */
	uint32_t used_len; /* bytes the device writes on success (data read + status) */
};

struct virtio_blk;

struct blk_engine_ops {
	const char *name;
	int (*init)(struct virtio_blk *b, struct error *err);
	/* Can submit take another request now? */
	bool (*has_room)(struct virtio_blk *b);
	void (*submit)(struct virtio_blk *b, const struct blk_io *io);
	/* End of a batch of submits: start them. */
	void (*kick)(struct virtio_blk *b);
	/* Wait (lock held) until no request is in flight: device reset. */
	void (*drain)(struct virtio_blk *b);
	void (*destroy)(struct virtio_blk *b);
};

extern const struct blk_engine_ops blk_engine_sync;
extern const struct blk_engine_ops blk_engine_uring;

struct virtio_blk {
	struct virtio_mmio transport;
	struct virtio_blk_config config;
	int fd;
	bool read_only;
	bool resetting;    /* completions during a reset are dropped */
	bool used_pending; /* used entries pushed since the last interrupt decision */
	bool swapping;     /* a new image is going in: start no request, let the others land */
	uint64_t capacity; /* sectors */
	dev_t image_dev;   /* the image's identity: a PATCH of the same file only resizes */
	ino_t image_ino;
	struct block_metrics *metrics;
	char serial[VIRTIO_BLK_ID_BYTES];
	const struct blk_engine_ops *engine;
	void *engine_state;
};

/* Write the status, return the chain to the driver (transport lock held). */
void virtio_blk_complete(struct virtio_blk *b, uint16_t head, uint8_t *status, uint8_t value,
			 uint32_t used_len);

/* Pop and start what the driver queued (also after an engine had no room), then interrupt. */
void virtio_blk_process(struct virtio_blk *b);

/* Interrupt the driver if completions were pushed (transport lock held). */
void virtio_blk_flush_interrupts(struct virtio_blk *b);

/* Count a finished read, write or flush in the drive's metrics (ok: completed OK). */
void virtio_blk_count_io(struct virtio_blk *b, enum blk_op op, uint64_t len, bool ok);

/* Full read/write of io at its offset with preadv/pwritev; 0 or -errno. */
int blk_io_sync_transfer(int fd, const struct blk_io *io);

#endif
