/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The io_uring engine: requests are queued on the ring at QueueNotify and started with one
 * io_uring_enter per batch; a thread per disk reaps completions, returns the chains and
 * interrupts the driver, so the vCPU goes back to the guest while the I/O runs. At most one
 * request per queue slot is in flight; a reset waits for all of them (no write into guest
 * RAM after the driver has taken its rings back).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <liburing.h>

#include "core/sandbox.h"
#include "devices/virtio_blk_engine.h"
#include "devices/virtio_log.h"

#define URING_SLOTS VIRTIO_BLK_QUEUE_SIZE
#define URING_INLINE_IOV 4
#define URING_STOP UINT64_MAX /* user_data of the NOP that ends the completion thread */

struct uring_slot {
	enum blk_op op;
	uint16_t head;
	uint8_t *status;
	uint32_t used_len;
	uint64_t offset, len;
	struct iovec *iov; /* inline_iov or malloc'ed */
	struct iovec inline_iov[URING_INLINE_IOV];
};

struct uring_engine {
	struct io_uring ring;
	pthread_t thread;
	bool thread_started;
	pthread_cond_t idle; /* inflight dropped to 0 (waits use the transport lock) */
	unsigned inflight;
	unsigned unsubmitted;
	unsigned nfree;
	uint16_t free_slots[URING_SLOTS];
	struct uring_slot slots[URING_SLOTS];
};

static struct uring_engine *engine_of(struct virtio_blk *b)
{
	return b->engine_state;
}

static const char *op_name(enum blk_op op)
{
	return op == BLK_OP_READ ? "read" : op == BLK_OP_WRITE ? "write" : "flush";
}

static void release_slot(struct uring_engine *u, unsigned i)
{
	struct uring_slot *s = &u->slots[i];
	if (s->iov != s->inline_iov)
		free(s->iov);
	s->iov = NULL;
	u->free_slots[u->nfree++] = (uint16_t)i;
	u->inflight--;
}

static void complete_slot(struct virtio_blk *b, unsigned i, int res)
{
	struct uring_engine *u = engine_of(b);
	struct uring_slot *s = &u->slots[i];
	bool ok = s->op == BLK_OP_FLUSH ? res == 0 : res >= 0 && (uint64_t)res == s->len;
	if (!ok)
		virtio_log("%s: %s at %llu: %s", b->transport.name, op_name(s->op),
			   (unsigned long long)s->offset,
			   res < 0 ? strerror(-res) : "short transfer");
	virtio_blk_count_io(b, s->op, s->len, ok);
	virtio_blk_complete(b, s->head, s->status, ok ? VIRTIO_BLK_S_OK : VIRTIO_BLK_S_IOERR,
			    ok ? s->used_len : 1);
	release_slot(u, i);
}

static void *completion_thread(void *arg)
{
	struct virtio_blk *b = arg;
	sandbox_thread_start(SANDBOX_DEVICE, "blk-uring");
	struct uring_engine *u = engine_of(b);
	struct virtio_mmio *t = &b->transport;
	bool stop = false;
	while (!stop) {
		struct io_uring_cqe *cqe;
		int rc = io_uring_wait_cqe(&u->ring, &cqe); /* without the lock: vCPUs go on */
		if (rc == -EINTR || rc == -EAGAIN)
			continue;
		if (rc < 0) {
			virtio_log("%s: io_uring_wait_cqe: %s", t->name, strerror(-rc));
			break;
		}
		pthread_mutex_lock(&t->lock);
		bool was_full = u->nfree == 0;
		unsigned head, seen = 0;
		io_uring_for_each_cqe(&u->ring, head, cqe) {
			seen++;
			if (cqe->user_data == URING_STOP)
				stop = true;
			else if (cqe->user_data < URING_SLOTS)
				complete_slot(b, (unsigned)cqe->user_data, cqe->res);
		}
		io_uring_cq_advance(&u->ring, seen);
		if (was_full && u->nfree)
			virtio_blk_process(b); /* requests left in the ring for lack of room */
		virtio_blk_flush_interrupts(b);
		if (u->inflight == 0)
			pthread_cond_broadcast(&u->idle);
		pthread_mutex_unlock(&t->lock);
	}
	return NULL;
}

static struct io_uring_sqe *get_sqe(struct uring_engine *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);
	if (!sqe && io_uring_submit(&u->ring) >= 0) {
		u->unsubmitted = 0;
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

static bool uring_has_room(struct virtio_blk *b)
{
	return engine_of(b)->nfree > 0;
}

static void uring_submit(struct virtio_blk *b, const struct blk_io *io)
{
	struct uring_engine *u = engine_of(b);
	unsigned i = u->nfree ? u->free_slots[u->nfree - 1] : 0;
	struct uring_slot *s = &u->slots[i];
	struct iovec *iov = s->inline_iov;
	if (io->niov > URING_INLINE_IOV)
		iov = malloc(sizeof(*iov) * (size_t)io->niov);
	struct io_uring_sqe *sqe = u->nfree && iov ? get_sqe(u) : NULL;
	if (!sqe) {
		if (iov != s->inline_iov)
			free(iov);
		virtio_log("%s: cannot queue a %s", b->transport.name, op_name(io->op));
		virtio_blk_count_io(b, io->op, io->len, false);
		virtio_blk_complete(b, io->head, io->status, VIRTIO_BLK_S_IOERR, 1);
		return;
	}
	if (io->niov > 0)
		memcpy(iov, io->iov, sizeof(*iov) * (size_t)io->niov);
	u->nfree--;
	u->inflight++;
	s->op = io->op;
	s->head = io->head;
	s->status = io->status;
	s->used_len = io->used_len;
	s->offset = io->offset;
	s->len = io->len;
	s->iov = iov;
	switch (io->op) {
	case BLK_OP_READ:
		io_uring_prep_readv(sqe, b->fd, iov, (unsigned)io->niov, io->offset);
		break;
	case BLK_OP_WRITE:
		io_uring_prep_writev(sqe, b->fd, iov, (unsigned)io->niov, io->offset);
		break;
	case BLK_OP_FLUSH:
		/* Drain: the flush starts after every write submitted before it has finished. */
		io_uring_prep_fsync(sqe, b->fd, IORING_FSYNC_DATASYNC);
		io_uring_sqe_set_flags(sqe, IOSQE_IO_DRAIN);
		break;
	}
	io_uring_sqe_set_data64(sqe, i);
	u->unsubmitted++;
}

static void uring_kick(struct virtio_blk *b)
{
	struct uring_engine *u = engine_of(b);
	if (!u->unsubmitted)
		return;
	int rc = io_uring_submit(&u->ring);
	if (rc < 0)
		virtio_log("%s: io_uring_submit: %s", b->transport.name, strerror(-rc));
	u->unsubmitted = 0;
}

static void uring_drain(struct virtio_blk *b)
{
	struct uring_engine *u = engine_of(b);
	uring_kick(b);
	while (u->inflight)
		pthread_cond_wait(&u->idle, &b->transport.lock);
}

static void uring_destroy(struct virtio_blk *b)
{
	struct uring_engine *u = engine_of(b);
	if (!u)
		return;
	if (u->thread_started) {
		pthread_mutex_lock(&b->transport.lock);
		struct io_uring_sqe *sqe = get_sqe(u);
		if (sqe) {
			io_uring_prep_nop(sqe);
			io_uring_sqe_set_data64(sqe, URING_STOP);
			io_uring_submit(&u->ring);
		}
		pthread_mutex_unlock(&b->transport.lock);
		if (sqe)
			pthread_join(u->thread, NULL);
	}
	io_uring_queue_exit(&u->ring);
	pthread_cond_destroy(&u->idle);
	free(u);
	b->engine_state = NULL;
}

static int uring_init(struct virtio_blk *b, struct error *err)
{
	struct uring_engine *u = calloc(1, sizeof(*u));
	if (!u)
		return error_set(err, "%s: out of memory", b->transport.name);
	int rc = io_uring_queue_init(URING_SLOTS, &u->ring, 0);
	if (rc < 0) {
		free(u);
		return error_set(err, "%s: io_uring: %s (try engine=sync)", b->transport.name,
				 strerror(-rc));
	}
	pthread_cond_init(&u->idle, NULL);
	for (unsigned i = 0; i < URING_SLOTS; i++)
		u->free_slots[i] = (uint16_t)(URING_SLOTS - 1 - i);
	u->nfree = URING_SLOTS;
	b->engine_state = u;
	rc = pthread_create(&u->thread, NULL, completion_thread, b);
	if (rc != 0) {
		uring_destroy(b);
		return error_set(err, "%s: cannot start the I/O thread: %s", b->transport.name,
				 strerror(rc));
	}
	u->thread_started = true;
	return 0;
}

const struct blk_engine_ops blk_engine_uring = {
	.name = "uring",
	.init = uring_init,
	.has_room = uring_has_room,
	.submit = uring_submit,
	.kick = uring_kick,
	.drain = uring_drain,
	.destroy = uring_destroy,
};
