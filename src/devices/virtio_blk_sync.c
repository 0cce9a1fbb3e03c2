/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The plain engine: preadv/pwritev/fdatasync on the thread that found the request (the vCPU
 * thread at QueueNotify). No threads, nothing in flight, nothing to drain.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio_blk_engine.h"
#include "devices/virtio_log.h"

int blk_io_sync_transfer(int fd, const struct blk_io *io)
{
	struct iovec iov[VIRTQUEUE_MAX_SIZE];
	if (io->niov > (int)VIRTQUEUE_MAX_SIZE)
		return -EINVAL;
	memcpy(iov, io->iov, sizeof(iov[0]) * (size_t)io->niov);
	int first = 0;
	uint64_t offset = io->offset, left = io->len;
	while (left) {
		ssize_t n = io->op == BLK_OP_READ ? preadv(fd, iov + first, io->niov - first, (off_t)offset)
						  : pwritev(fd, iov + first, io->niov - first, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO; /* the image shrank under us */
		offset += (uint64_t)n;
		left -= (uint64_t)n;
		/* Short transfer: step over what was done. */
		while (n > 0 && (size_t)n >= iov[first].iov_len) {
			n -= (ssize_t)iov[first].iov_len;
			first++;
		}
		if (n > 0) {
			iov[first].iov_base = (uint8_t *)iov[first].iov_base + n;
			iov[first].iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int sync_init(struct virtio_blk *b, struct error *err)
{
	(void)b;
	(void)err;
	return 0;
}

static bool sync_has_room(struct virtio_blk *b)
{
	(void)b;
	return true;
}

static void sync_submit(struct virtio_blk *b, const struct blk_io *io)
{
	int rc = io->op == BLK_OP_FLUSH ? (fdatasync(b->fd) == 0 ? 0 : -errno)
					: blk_io_sync_transfer(b->fd, io);
	if (rc < 0)
		virtio_log("%s: %s at %llu: %s", b->transport.name,
			   io->op == BLK_OP_READ ? "read" : io->op == BLK_OP_WRITE ? "write" : "flush",
			   (unsigned long long)io->offset, strerror(-rc));
	virtio_blk_count_io(b, io->op, io->len, rc == 0);
	virtio_blk_complete(b, io->head, io->status, rc ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK,
			    rc ? 1 : io->used_len);
}

static void sync_nothing(struct virtio_blk *b)
{
	(void)b;
}

const struct blk_engine_ops blk_engine_sync = {
	.name = "sync",
	.init = sync_init,
	.has_room = sync_has_room,
	.submit = sync_submit,
	.kick = sync_nothing,
	.drain = sync_nothing,
	.destroy = sync_nothing,
};
