/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/virtio_ids.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "devices/virtio_blk_engine.h"
#include "devices/virtio_log.h"

/* One DISCARD/WRITE_ZEROES range per request, up to 2 GiB, 4 KiB granularity. */
#define BLK_MAX_DISCARD_SECTORS (1u << 22)
#define BLK_DISCARD_ALIGNMENT_SECTORS 8u

/*
 * DRIVE_ENGINE_DEFAULT, from bench/virtio_blk_engines.c (the device alone, warm page cache,
 * development host): sync does 4 KiB random reads at ~210k requests/s one at a time against
 * ~25k for io_uring, whose completion goes through another thread; io_uring only pulls ahead
 * with several 1 MiB requests in flight (~2.3 vs ~1.7 GB/s at depth 5). A guest waiting on
 * each request sees the sync figures. engine=uring stays for deep queues on real disks.
 */
enum drive_engine virtio_blk_default_engine(void)
{
	return DRIVE_ENGINE_SYNC;
}

const char *virtio_blk_engine_name(const struct virtio_mmio *t)
{
	const struct virtio_blk *b = t->dev;
	return b->engine->name;
}

static struct virtqueue *blk_vq(struct virtio_blk *b)
{
	return virtio_mmio_vq(&b->transport, 0);
}

void virtio_blk_complete(struct virtio_blk *b, uint16_t head, uint8_t *status, uint8_t value,
			 uint32_t used_len)
{
	if (b->resetting)
		return; /* the driver is resetting the device: it no longer owns these buffers */
	__atomic_store_n(status, value, __ATOMIC_RELAXED);
	virtqueue_push(blk_vq(b), head, used_len);
	b->used_pending = true;
}

void virtio_blk_count_io(struct virtio_blk *b, enum blk_op op, uint64_t len, bool ok)
{
	if (!ok) {
		metrics_block_add(b->metrics, BM_EXECUTE_FAILS, 1);
		return;
	}
	switch (op) {
	case BLK_OP_READ:
		metrics_block_add(b->metrics, BM_READ_COUNT, 1);
		metrics_block_add(b->metrics, BM_READ_BYTES, len);
		break;
	case BLK_OP_WRITE:
		metrics_block_add(b->metrics, BM_WRITE_COUNT, 1);
		metrics_block_add(b->metrics, BM_WRITE_BYTES, len);
		break;
	case BLK_OP_FLUSH:
		metrics_block_add(b->metrics, BM_FLUSH_COUNT, 1);
		break;
	}
}

/* A request refused before any I/O: counted, then answered with status. */
static uint8_t refuse(const struct virtio_blk *b, uint8_t status)
{
	metrics_block_add(b->metrics, BM_INVALID_REQS, 1);
	return status;
}

void virtio_blk_flush_interrupts(struct virtio_blk *b)
{
	if (!b->used_pending)
		return;
	b->used_pending = false;
	virtio_mmio_notify_used(&b->transport, blk_vq(b));
}

static bool sectors_in_range(const struct virtio_blk *b, uint64_t sector, uint64_t count)
{
	return sector <= b->capacity && count <= b->capacity - sector;
}

#define BLK_STARTED 0xff /* not a status: an engine has the request */

/* A request no driver following the spec sends: one (rate-limited) line, then IOERR. A
 * write to a read-only disk is not one of them: it is the answer the driver asked for. */
static uint8_t bad_request(const struct virtio_blk *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static uint8_t bad_request(const struct virtio_blk *b, const char *fmt, ...)
{
	char why[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	virtio_log("%s: %s: IOERR", b->transport.name, why);
	return refuse(b, VIRTIO_BLK_S_IOERR);
}

/* A data request (IN or OUT): check its size and range, describe its buffers. */
static uint8_t start_transfer(struct virtio_blk *b, const struct vq_chain *c,
			      const struct virtio_blk_outhdr *hdr, uint8_t *status)
{
	bool is_read = hdr->type == VIRTIO_BLK_T_IN;
	if (!is_read && b->read_only)
		return refuse(b, VIRTIO_BLK_S_IOERR);
	/* IN: writable = data + status; OUT: readable = header + data. */
	uint64_t len = is_read ? c->write_len - 1 : c->read_len - sizeof(*hdr);
	uint64_t data_offset = is_read ? 0 : sizeof(*hdr);
	const char *what = is_read ? "read" : "write";
	if (len % VIRTIO_BLK_SECTOR)
		return bad_request(b, "%s of %llu bytes, not whole sectors", what,
				   (unsigned long long)len);
	if (!sectors_in_range(b, hdr->sector, len / VIRTIO_BLK_SECTOR))
		return bad_request(b, "%s of %llu sectors at sector %llu, past the end (%llu)",
				   what, (unsigned long long)(len / VIRTIO_BLK_SECTOR),
				   (unsigned long long)hdr->sector,
				   (unsigned long long)b->capacity);
	struct iovec iov[VIRTQUEUE_MAX_SIZE];
	int niov = vq_chain_iov(c, is_read, data_offset, len, iov, VIRTQUEUE_MAX_SIZE);
	if (niov < 0)
		return bad_request(b, "%s: buffers do not describe the data", what);
	struct blk_io io = {
		.op = is_read ? BLK_OP_READ : BLK_OP_WRITE,
		.head = c->head,
		.offset = hdr->sector * VIRTIO_BLK_SECTOR,
		.len = len,
		.iov = iov,
		.niov = niov,
		.status = status,
		.used_len = (uint32_t)((is_read ? len : 0) + 1),
	};
	b->engine->submit(b, &io);
	return BLK_STARTED;
}

static uint8_t get_id(struct virtio_blk *b, const struct vq_chain *c, uint32_t *used_len)
{
	uint64_t room = c->write_len - 1;
	size_t n = room < sizeof(b->serial) ? (size_t)room : sizeof(b->serial);
	*used_len = (uint32_t)vq_chain_write(c, 0, b->serial, n) + 1;
	return VIRTIO_BLK_S_OK;
}

static int punch_or_zero(struct virtio_blk *b, uint64_t offset, uint64_t len, bool unmap)
{
	int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE
			 : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;
	if (fallocate(b->fd, mode, (off_t)offset, (off_t)len) == 0)
		return 0;
	if (errno != EOPNOTSUPP || unmap)
		return -1;
	/* No ZERO_RANGE here (some file systems, older kernels): write the zeros. */
	static const uint8_t zeros[64 * 1024];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros);
		ssize_t w = pwrite(b->fd, zeros, n, (off_t)offset);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		offset += (uint64_t)w;
		len -= (uint64_t)w;
	}
	return 0;
}

/* DISCARD and WRITE_ZEROES: one range, done at once with fallocate (rare, and short). */
static uint8_t discard_or_zero(struct virtio_blk *b, const struct vq_chain *c, uint32_t type)
{
	bool discard = type == VIRTIO_BLK_T_DISCARD;
	unsigned feature = discard ? VIRTIO_BLK_F_DISCARD : VIRTIO_BLK_F_WRITE_ZEROES;
	if (b->read_only)
		return refuse(b, VIRTIO_BLK_S_IOERR);
	if (!virtio_mmio_has_feature(&b->transport, feature))
		return refuse(b, VIRTIO_BLK_S_UNSUPP);
	struct virtio_blk_discard_write_zeroes range;
	uint64_t payload = c->read_len - sizeof(struct virtio_blk_outhdr);
	if (payload != sizeof(range)) /* max_*_seg is 1 */
		return bad_request(b, "%s with %llu bytes of ranges, not one 16-byte range",
				   discard ? "discard" : "write-zeroes",
				   (unsigned long long)payload);
	vq_chain_read(c, sizeof(struct virtio_blk_outhdr), &range, sizeof(range));
	uint32_t flags = range.flags;
	if (flags & ~(uint32_t)VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP)
		return refuse(b, VIRTIO_BLK_S_UNSUPP);
	if (discard && flags) /* virtio 1.2 5.2.6.2: unmap flag on a discard is UNSUPP */
		return refuse(b, VIRTIO_BLK_S_UNSUPP);
	if (range.num_sectors > BLK_MAX_DISCARD_SECTORS ||
	    !sectors_in_range(b, range.sector, range.num_sectors))
		return bad_request(b, "%s of %u sectors at sector %llu: beyond the limit or the end",
				   discard ? "discard" : "write-zeroes", range.num_sectors,
				   (unsigned long long)range.sector);
	if (range.num_sectors == 0)
		return VIRTIO_BLK_S_OK;
	bool unmap = discard || (flags & VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP);
	if (punch_or_zero(b, range.sector * VIRTIO_BLK_SECTOR,
			  (uint64_t)range.num_sectors * VIRTIO_BLK_SECTOR, unmap) < 0) {
		virtio_log("%s: %s of %u sectors at %llu: %s", b->transport.name,
			   discard ? "discard" : "write-zeroes", range.num_sectors,
			   (unsigned long long)range.sector, strerror(errno));
		metrics_block_add(b->metrics, BM_EXECUTE_FAILS, 1);
		return VIRTIO_BLK_S_IOERR;
	}
	return VIRTIO_BLK_S_OK;
}

/* Returns true when an engine took the request (it then completes it itself). */
static bool start_request(struct virtio_blk *b, const struct vq_chain *c, uint8_t *status,
			  uint8_t *result, uint32_t *used_len)
{
	struct virtio_blk_outhdr hdr;
	if (c->read_len < sizeof(hdr)) {
		*result = bad_request(b, "request header of %llu bytes, not 16",
				      (unsigned long long)c->read_len);
		return false;
	}
	vq_chain_read(c, 0, &hdr, sizeof(hdr));
	switch (hdr.type) {
	case VIRTIO_BLK_T_IN:
	case VIRTIO_BLK_T_OUT:
		*result = start_transfer(b, c, &hdr, status);
		return *result == BLK_STARTED;
	case VIRTIO_BLK_T_FLUSH:
		if (b->read_only) {
			*result = VIRTIO_BLK_S_OK; /* nothing was written, nothing to sync */
			virtio_blk_count_io(b, BLK_OP_FLUSH, 0, true);
			return false;
		}
		b->engine->submit(b, &(struct blk_io){ .op = BLK_OP_FLUSH,
						     .head = c->head,
						     .status = status,
						     .used_len = 1 });
		return true;
	case VIRTIO_BLK_T_GET_ID:
		*result = get_id(b, c, used_len);
		return false;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		*result = discard_or_zero(b, c, hdr.type);
		return false;
	default:
		*result = refuse(b, VIRTIO_BLK_S_UNSUPP);
		return false;
	}
}

static void handle_request(struct virtio_blk *b, const struct vq_chain *c)
{
	if (c->nwrite == 0) {
		/* Nowhere to put a status: give the buffers back, the driver sees length 0. */
		virtio_log("%s: request without a status byte (head %u)", b->transport.name,
			   c->head);
		metrics_block_add(b->metrics, BM_INVALID_REQS, 1);
		virtqueue_push(blk_vq(b), c->head, 0);
		b->used_pending = true;
		return;
	}
	/* The status is the last byte the device may write (virtio 1.x 5.2.6). */
	const struct vq_seg *last = &c->segs[c->nread + c->nwrite - 1];
	uint8_t *status = last->host + last->len - 1;
	uint8_t result;
	uint32_t used_len = 1;
	if (!start_request(b, c, status, &result, &used_len))
		virtio_blk_complete(b, c->head, status, result, used_len);
}

/* Requests may start: the driver is ready, no reset and no image swap is under way. */
static bool can_process(struct virtio_blk *b)
{
	return virtio_mmio_driver_ok(&b->transport) && !b->resetting && !b->swapping;
}

/* Returns how many requests were popped. */
static unsigned process_queue(struct virtio_blk *b)
{
	struct virtio_mmio *t = &b->transport;
	struct virtqueue *vq = blk_vq(b);
	struct vq_chain chain;
	struct error err;
	unsigned popped = 0;
	for (;;) {
		int rc = 0;
		while (b->engine->has_room(b) && (rc = virtqueue_pop(vq, &chain, &err)) > 0) {
			handle_request(b, &chain);
			popped++;
		}
		if (rc < 0) {
			virtio_mmio_device_error(t, "queue 0: %s", err.msg);
			break;
		}
		/* Out of room: the engine calls us again when a request completes. */
		if (!b->engine->has_room(b)) {
			metrics_block_add(b->metrics, BM_IO_ENGINE_THROTTLED, 1);
			break;
		}
		if (!virtqueue_rearm(vq))
			break;
	}
	b->engine->kick(b);
	virtio_blk_flush_interrupts(b);
	return popped;
}

void virtio_blk_process(struct virtio_blk *b)
{
	if (can_process(b))
		process_queue(b);
}

static void blk_queue_notify(struct virtio_mmio *t, unsigned q)
{
	(void)q;
	struct virtio_blk *b = t->dev;
	metrics_block_add(b->metrics, BM_QUEUE_EVENT_COUNT, 1);
	/* During a swap the requests wait in the ring; the swap starts them when it is done. */
	if (can_process(b) && process_queue(b) == 0)
		metrics_block_add(b->metrics, BM_NO_AVAIL_BUFFER, 1);
}

static void blk_reset(struct virtio_mmio *t)
{
	struct virtio_blk *b = t->dev;
	b->resetting = true;
	b->engine->drain(b);
	b->resetting = false;
	b->used_pending = false;
}

/* Requests in flight hold buffers of this queue: let them land before it goes away. */
static void blk_queue_stop(struct virtio_mmio *t, unsigned q)
{
	(void)q;
	blk_reset(t);
}

static const struct virtio_mmio_ops blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.features = (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_SEG_MAX) |
		    (1ull << VIRTIO_BLK_F_BLK_SIZE),
	.num_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_SIZE,
	.queue_notify = blk_queue_notify,
	.reset = blk_reset,
	.queue_stop = blk_queue_stop,
};

/* The size of an image (regular file or block device) and its identity. */
static int image_size(int fd, const char *path, uint64_t *size, bool *regular,
		      struct stat *st, struct error *err)
{
	if (fstat(fd, st) < 0)
		return error_set(err, "%s: %s", path, strerror(errno));
	*regular = S_ISREG(st->st_mode);
	if (*regular) {
		*size = (uint64_t)st->st_size;
		return 0;
	}
	if (S_ISBLK(st->st_mode)) {
		if (ioctl(fd, BLKGETSIZE64, size) < 0)
			return error_set(err, "%s: BLKGETSIZE64: %s", path, strerror(errno));
		return 0;
	}
	return error_set(err, "%s: not a regular file or block device", path);
}

/* Punching a hole past the end with KEEP_SIZE changes nothing, but says if it works here. */
static bool can_punch_holes(int fd, uint64_t size)
{
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)size,
			 VIRTIO_BLK_SECTOR) == 0;
}

/* Whole sectors; the rest of an odd-sized image is not the guest's. */
static uint64_t image_capacity(const char *path, uint64_t size)
{
	if (size % VIRTIO_BLK_SECTOR)
		fprintf(stderr, "millivm: %s: size is not a multiple of 512; the last %llu bytes "
				"are not visible to the guest\n",
			path, (unsigned long long)(size % VIRTIO_BLK_SECTOR));
	return size / VIRTIO_BLK_SECTOR;
}

static int open_image(struct virtio_blk *b, const struct drive_config *d, struct error *err)
{
	b->fd = open(d->path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (b->fd < 0)
		return error_set(err, "%s: %s", d->path, strerror(errno));
	/* Like QEMU's image locking: two writers on one image corrupt it. */
	if (flock(b->fd, (d->read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return error_set(err, "%s: in use by another process (%s)", d->path,
				 strerror(errno));
	uint64_t size;
	bool regular;
	struct stat st;
	if (image_size(b->fd, d->path, &size, &regular, &st, err) < 0)
		return -1;
	b->image_dev = st.st_dev;
	b->image_ino = st.st_ino;
	b->capacity = image_capacity(d->path, size);
	b->read_only = d->read_only;
	uint64_t features = blk_ops.features | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
	if (b->read_only)
		features = blk_ops.features | (1ull << VIRTIO_BLK_F_RO);
	else if (!regular || can_punch_holes(b->fd, size))
		features |= 1ull << VIRTIO_BLK_F_DISCARD;
	b->transport.device_features |= features;
	return 0;
}

static void fill_config(struct virtio_blk *b)
{
	struct virtio_blk_config *c = &b->config;
	memset(c, 0, sizeof(*c));
	c->capacity = b->capacity;
	c->seg_max = VIRTIO_BLK_QUEUE_SIZE - 2; /* header and status take two descriptors */
	c->blk_size = VIRTIO_BLK_SECTOR;
	c->max_discard_sectors = BLK_MAX_DISCARD_SECTORS;
	c->max_discard_seg = 1;
	c->discard_sector_alignment = BLK_DISCARD_ALIGNMENT_SECTORS;
	c->max_write_zeroes_sectors = BLK_MAX_DISCARD_SECTORS;
	c->max_write_zeroes_seg = 1;
	c->write_zeroes_may_unmap = 1;
}

struct virtio_mmio *virtio_blk_create(const struct guest_mem *mem, const struct drive_config *d,
				      unsigned index, struct error *err)
{
	struct virtio_blk *b = calloc(1, sizeof(*b));
	if (!b) {
		error_set(err, "virtio-blk: out of memory");
		return NULL;
	}
	b->fd = -1;
	char name[24];
	snprintf(name, sizeof(name), "virtio-blk%u", index);
	virtio_mmio_init(&b->transport, &blk_ops, b, mem, &b->config, sizeof(b->config), name);
	/* GET_ID: up to 20 bytes, NUL-padded, not NUL-terminated when all 20 are used. */
	char serial[VIRTIO_BLK_ID_BYTES + 1];
	snprintf(serial, sizeof(serial), "%s", d->serial ? d->serial : "");
	if (!d->serial)
		snprintf(serial, sizeof(serial), "millivm-disk%u", index);
	memcpy(b->serial, serial, strlen(serial)); /* the rest stays zero (calloc) */
	b->metrics = metrics_block(d->id ? d->id : name);
	enum drive_engine engine = d->engine == DRIVE_ENGINE_DEFAULT ? virtio_blk_default_engine()
								    : d->engine;
	b->engine = engine == DRIVE_ENGINE_URING ? &blk_engine_uring : &blk_engine_sync;
	if (open_image(b, d, err) < 0 || b->engine->init(b, err) < 0) {
		if (b->fd >= 0)
			close(b->fd);
		virtio_mmio_destroy(&b->transport);
		free(b);
		return NULL;
	}
	fill_config(b);
	return &b->transport;
}

/*
 * The swap (PATCH /drives/{id} path_on_host after boot). Everything that uses b->fd or
 * b->capacity runs under the transport lock: request checks and the sync engine's I/O (vCPU
 * threads at QueueNotify), io_uring submissions and completions (its thread), config-space
 * reads. With the new file open and sized (outside the lock), under it:
 *  1. the new file is locked (flock LOCK_NB: never waits), unless it is the same file;
 *  2. b->swapping: no request starts; a notify leaves its requests in the ring;
 *  3. the engine drains: requests in flight end on the old file (io_uring's wait releases
 *     the lock; its completions land, nothing new is submitted);
 *  4. fd, identity, capacity and config space change together, the configuration generation
 *     moves and the config interrupt is raised;
 *  5. swapping ends and what the driver queued meanwhile starts, on the new file.
 * A request therefore sees the old image or the new one, never a mix. The descriptor no
 * longer used goes back to the caller, which closes it once the lock is dropped (closing the
 * old image releases its flock).
 */
static int swap_locked(struct virtio_blk *b, const char *path, int *fd, uint64_t capacity,
		       const struct stat *st, struct error *err)
{
	if (b->swapping)
		return error_set(err, "%s: another swap of this drive is under way", path);
	bool same = st->st_dev == b->image_dev && st->st_ino == b->image_ino;
	if (!same && flock(*fd, (b->read_only ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
		return error_set(err, "%s: in use by another process or drive (%s)", path,
				 strerror(errno));
	b->swapping = true;
	b->engine->drain(b);
	if (!same) {
		int old = b->fd;
		b->fd = *fd;
		*fd = old;
		b->image_dev = st->st_dev;
		b->image_ino = st->st_ino;
	}
	b->capacity = capacity;
	b->config.capacity = capacity;
	virtio_mmio_config_changed(&b->transport);
	b->swapping = false;
	virtio_blk_process(b);
	return 0;
}

int virtio_blk_swap_image(struct virtio_mmio *t, const char *path, struct error *err)
{
	struct virtio_blk *b = t->dev; /* read_only never changes: no lock needed for it */
	int rc = -1;
	uint64_t size;
	bool regular;
	struct stat st;
	int fd = open(path, (b->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0) {
		error_set(err, "%s: cannot be opened %s: %s", path,
			  b->read_only ? "read-only" : "read-write", strerror(errno));
	} else if (image_size(fd, path, &size, &regular, &st, err) == 0) {
		uint64_t capacity = image_capacity(path, size);
		pthread_mutex_lock(&t->lock);
		rc = swap_locked(b, path, &fd, capacity, &st, err);
		pthread_mutex_unlock(&t->lock);
	}
	if (fd >= 0)
		close(fd); /* the old image, or the new one if it was refused */
	metrics_block_add(b->metrics, rc == 0 ? BM_UPDATE_COUNT : BM_UPDATE_FAILS, 1);
	return rc;
}

void virtio_blk_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	struct virtio_blk *b = t->dev;
	pthread_mutex_lock(&t->lock);
	b->resetting = true;
	b->engine->drain(b);
	pthread_mutex_unlock(&t->lock);
	b->engine->destroy(b);
	close(b->fd);
	virtio_mmio_destroy(t);
	free(b);
}
