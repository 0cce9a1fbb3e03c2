/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-blk on a temporary image, driven through the transport by the fake driver: request
 * layouts (header, data, status; split however the driver likes), bad sizes, out-of-range
 * sectors, read-only disks, GET_ID, FLUSH, DISCARD and WRITE_ZEROES, a broken ring, the
 * block metrics, swapping the image under a running driver (PATCH /drives), and the same
 * again on the io_uring engine.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "api/metrics.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_blk_engine.h"
#include "virtio_fake_driver.h"

#define DISK_SECTORS 64u
#define SECTOR 512u
#define V1 (1ull << VIRTIO_F_VERSION_1)
#define BLK_FEATURES                                                                   \
	(V1 | (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_BLK_F_DISCARD) |          \
	 (1ull << VIRTIO_BLK_F_WRITE_ZEROES) | (1ull << VIRTIO_RING_F_INDIRECT_DESC) | \
	 (1ull << VIRTIO_RING_F_EVENT_IDX))

struct fixture {
	struct fake_driver d;
	char path[64];
	int fd; /* our own view of the image */
	enum drive_engine engine;
	char path2[64]; /* a second image, for swaps ("" if none) */
	int fd2;
};

static int make_image(struct fixture *f, size_t size)
{
	snprintf(f->path, sizeof(f->path), "/tmp/millivm-test-blk-XXXXXX");
	f->fd = mkstemp(f->path);
	if (f->fd < 0 || ftruncate(f->fd, (off_t)size) < 0)
		return -1;
	/* Recognisable content: sector n is filled with byte n. */
	uint8_t sector[SECTOR];
	for (unsigned n = 0; n < size / SECTOR; n++) {
		memset(sector, (int)n, sizeof(sector));
		if (pwrite(f->fd, sector, sizeof(sector), (off_t)n * SECTOR) != SECTOR)
			return -1;
	}
	return 0;
}

static int open_disk(struct fixture *f, bool read_only, const char *serial)
{
	struct drive_config dc = { .path = f->path, .read_only = read_only, .serial = serial,
				   .engine = f->engine };
	struct error err;
	struct virtio_mmio *t = virtio_blk_create(&f->d.mem, &dc, 0, &err);
	if (!t) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	fake_attach(&f->d, t);
	return 0;
}

static int setup_engine(void **state, enum drive_engine engine, bool read_only)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || fake_ram_init(&f->d) < 0)
		return -1;
	f->engine = engine;
	if (make_image(f, DISK_SECTORS * SECTOR) < 0 || open_disk(f, read_only, NULL) < 0)
		return -1;
	*state = f;
	return 0;
}

static int setup_sync(void **state)
{
	return setup_engine(state, DRIVE_ENGINE_SYNC, false);
}

static int setup_uring(void **state)
{
	return setup_engine(state, DRIVE_ENGINE_URING, false);
}

static int setup_ro(void **state)
{
	return setup_engine(state, DRIVE_ENGINE_SYNC, true);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_blk_destroy(f->d.t);
	close(f->fd);
	unlink(f->path);
	if (f->path2[0]) {
		close(f->fd2);
		unlink(f->path2);
	}
	fake_ram_free(&f->d);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------------ requests */

struct request {
	uint16_t head;
	uint64_t hdr, data, status;
};

static uint64_t put_header(struct fake_driver *d, uint32_t type, uint64_t sector)
{
	uint64_t gpa = fake_alloc(d, sizeof(struct virtio_blk_outhdr));
	struct virtio_blk_outhdr *h = fake_ptr(d, gpa, sizeof(*h));
	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	return gpa;
}

/* The usual three descriptors: header (R), data (R for OUT, W otherwise), status (W). */
static struct request queue_request(struct fixture *f, uint32_t type, uint64_t sector,
				    uint32_t data_len)
{
	struct fake_driver *d = &f->d;
	struct request r = { .hdr = put_header(d, type, sector) };
	r.head = fake_add_desc(d, 0, r.hdr, 16, VRING_DESC_F_NEXT);
	if (data_len) {
		r.data = fake_alloc(d, data_len);
		bool device_writes = type == VIRTIO_BLK_T_IN || type == VIRTIO_BLK_T_GET_ID;
		fake_add_desc(d, 0, r.data, data_len,
			      VRING_DESC_F_NEXT | (device_writes ? VRING_DESC_F_WRITE : 0));
	}
	r.status = fake_alloc(d, 1);
	*(uint8_t *)fake_ptr(d, r.status, 1) = 0xee; /* not a status the device uses */
	fake_add_desc(d, 0, r.status, 1, VRING_DESC_F_WRITE);
	return r;
}

/* Wait for the next used element (the io_uring engine completes on its own thread). */
static int wait_used(struct fixture *f, uint32_t *len)
{
	for (int i = 0; i < 5000; i++) {
		pthread_mutex_lock(&f->d.t->lock); /* pairs with the completion thread */
		int head = fake_get_used(&f->d, 0, len);
		pthread_mutex_unlock(&f->d.t->lock);
		if (head >= 0)
			return head;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	fail_msg("no used buffer after 5 s");
	return -1;
}

/* Queue, notify, wait: returns the status byte; *used_len if asked. */
static uint8_t run(struct fixture *f, struct request r, uint32_t *used_len)
{
	fake_kick(&f->d, 0, r.head);
	uint32_t len;
	assert_int_equal(wait_used(f, &len), r.head);
	if (used_len)
		*used_len = len;
	return *(uint8_t *)fake_ptr(&f->d, r.status, 1);
}

static uint8_t rw(struct fixture *f, uint32_t type, uint64_t sector, uint32_t len,
		  struct request *out)
{
	struct request r = queue_request(f, type, sector, len);
	if (out)
		*out = r;
	return run(f, r, NULL);
}

static void init(struct fixture *f)
{
	assert_true(fake_init_device(&f->d, BLK_FEATURES & device_features(&f->d), 1) &
		    VIRTIO_CONFIG_S_DRIVER_OK);
}

static void assert_file_sector(struct fixture *f, unsigned n, uint8_t fill)
{
	uint8_t buf[SECTOR], want[SECTOR];
	memset(want, fill, sizeof(want));
	assert_int_equal(pread(f->fd, buf, sizeof(buf), (off_t)n * SECTOR), SECTOR);
	assert_memory_equal(buf, want, SECTOR);
}

/* ------------------------------------------------------------------------ config */

static void test_config_and_features(void **state)
{
	struct fixture *f = *state;
	uint64_t features = device_features(&f->d);
	assert_true(features & V1);
	assert_true(features & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(features & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_true(features & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_false(features & (1ull << VIRTIO_BLK_F_RO));
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	uint64_t capacity = mmio_read(&f->d, VIRTIO_MMIO_CONFIG) |
			    (uint64_t)mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 4) << 32;
	assert_int_equal(capacity, DISK_SECTORS);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG +
					      offsetof(struct virtio_blk_config, seg_max)),
			 254);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG +
					      offsetof(struct virtio_blk_config, max_discard_seg)),
			 1);
}

/* ------------------------------------------------------------------------ data */

static void test_write_then_read(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct request r = queue_request(f, VIRTIO_BLK_T_OUT, 3, 2 * SECTOR);
	memset(fake_ptr(&f->d, r.data, 2 * SECTOR), 0xab, 2 * SECTOR);
	uint32_t used;
	assert_int_equal(run(f, r, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 1); /* only the status was written */
	assert_file_sector(f, 2, 2);
	assert_file_sector(f, 3, 0xab);
	assert_file_sector(f, 4, 0xab);
	assert_file_sector(f, 5, 5);

	r = queue_request(f, VIRTIO_BLK_T_IN, 4, 2 * SECTOR);
	assert_int_equal(run(f, r, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 2 * SECTOR + 1);
	uint8_t *data = fake_ptr(&f->d, r.data, 2 * SECTOR);
	assert_int_equal(data[0], 0xab);
	assert_int_equal(data[SECTOR - 1], 0xab);
	assert_int_equal(data[SECTOR], 5);
	assert_int_equal(data[2 * SECTOR - 1], 5);
	assert_int_equal(f->d.irq_level, 1);
	assert_int_equal(fake_ack(&f->d), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(f->d.irq_level, 0);
}

/* The device must not depend on framing: header in two pieces, status inside the data. */
static void test_any_layout(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct fake_driver *d = &f->d;
	uint64_t hdr = put_header(d, VIRTIO_BLK_T_IN, 7);
	uint16_t head = fake_add_desc(d, 0, hdr, 8, VRING_DESC_F_NEXT);
	fake_add_desc(d, 0, hdr + 8, 8, VRING_DESC_F_NEXT);
	uint64_t buf = fake_alloc(d, SECTOR + 1);
	fake_add_desc(d, 0, buf, 100, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	fake_add_desc(d, 0, buf + 100, SECTOR + 1 - 100, VRING_DESC_F_WRITE);
	fake_kick(d, 0, head);
	uint32_t len;
	assert_int_equal(wait_used(f, &len), head);
	assert_int_equal(len, SECTOR + 1);
	uint8_t *p = fake_ptr(d, buf, SECTOR + 1);
	assert_int_equal(p[0], 7);
	assert_int_equal(p[SECTOR - 1], 7);
	assert_int_equal(p[SECTOR], VIRTIO_BLK_S_OK);
}

static void test_indirect_request(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct fake_driver *d = &f->d;
	uint64_t table = fake_alloc(d, 3 * 16);
	struct vring_desc *t = fake_ptr(d, table, 3 * 16);
	uint64_t hdr = put_header(d, VIRTIO_BLK_T_IN, 9);
	uint64_t buf = fake_alloc(d, SECTOR), status = fake_alloc(d, 1);
	t[0] = (struct vring_desc){ hdr, 16, VRING_DESC_F_NEXT, 1 };
	t[1] = (struct vring_desc){ buf, SECTOR, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 2 };
	t[2] = (struct vring_desc){ status, 1, VRING_DESC_F_WRITE, 0 };
	uint16_t head = fake_add_desc(d, 0, table, 3 * 16, VRING_DESC_F_INDIRECT);
	fake_kick(d, 0, head);
	assert_int_equal(wait_used(f, NULL), head);
	assert_int_equal(*(uint8_t *)fake_ptr(d, status, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(*(uint8_t *)fake_ptr(d, buf, 1), 9);
}

static void test_many_in_flight(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct fake_driver *d = &f->d;
	struct request r[5];
	for (unsigned i = 0; i < 5; i++) {
		r[i] = queue_request(f, VIRTIO_BLK_T_IN, 10 + i, SECTOR);
		struct vring_avail *a = fake_avail(d, 0);
		a->ring[a->idx % FAKE_QSIZE] = r[i].head;
		a->idx++;
	}
	mmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* one notification for all five */
	for (unsigned i = 0; i < 5; i++)
		wait_used(f, NULL);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(*(uint8_t *)fake_ptr(d, r[i].status, 1), VIRTIO_BLK_S_OK);
		assert_int_equal(*(uint8_t *)fake_ptr(d, r[i].data, 1), 10 + i);
	}
}

static void test_flush(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_FLUSH, 0, 0, NULL), VIRTIO_BLK_S_OK);
}

/* ------------------------------------------------------------------------ bad requests */

static void test_bad_sizes(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, 100, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_OUT, 0, SECTOR + 1, NULL), VIRTIO_BLK_S_IOERR);
	assert_file_sector(f, 0, 0);
	assert_file_sector(f, 1, 1);
	/* A header shorter than 16 bytes. */
	struct fake_driver *d = &f->d;
	uint64_t hdr = put_header(d, VIRTIO_BLK_T_IN, 0), status = fake_alloc(d, 1);
	uint16_t head = fake_add_desc(d, 0, hdr, 8, VRING_DESC_F_NEXT);
	fake_add_desc(d, 0, status, 1, VRING_DESC_F_WRITE);
	fake_kick(d, 0, head);
	assert_int_equal(wait_used(f, NULL), head);
	assert_int_equal(*(uint8_t *)fake_ptr(d, status, 1), VIRTIO_BLK_S_IOERR);
	/* No writable byte at all: nowhere to put a status; returned with length 0. */
	head = fake_add_desc(d, 0, hdr, 16, 0);
	fake_kick(d, 0, head);
	uint32_t len = 99;
	assert_int_equal(wait_used(f, &len), head);
	assert_int_equal(len, 0);
	/* The device still works. */
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_false(mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_out_of_range_sectors(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 2 * SECTOR, NULL),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, DISK_SECTORS, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_OUT, DISK_SECTORS, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_OUT, UINT64_MAX, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, UINT64_MAX / SECTOR, SECTOR, NULL),
			 VIRTIO_BLK_S_IOERR);
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, DISK_SECTORS * SECTOR); /* the image did not grow */
}

static void test_unknown_type(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(rw(f, 0x12345, 0, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rw(f, VIRTIO_BLK_T_SCSI_CMD, 0, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(rw(f, VIRTIO_BLK_T_OUT | VIRTIO_BLK_T_BARRIER, 0, SECTOR, NULL),
			 VIRTIO_BLK_S_UNSUPP);
}

/* A ring the device cannot trust: NEEDS_RESET; after the reset the disk works again. */
static void test_broken_ring_then_reset(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct fake_driver *d = &f->d;
	uint64_t hdr = put_header(d, VIRTIO_BLK_T_IN, 0);
	uint16_t head = fake_add_desc(d, 0, hdr, 16, VRING_DESC_F_NEXT);
	fake_add_desc(d, 0, 0xfeb00000ull, SECTOR, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE);
	fake_add_desc(d, 0, fake_alloc(d, 1), 1, VRING_DESC_F_WRITE);
	fake_kick(d, 0, head);
	assert_true(mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(fake_ack(d), VIRTIO_MMIO_INT_CONFIG);
	struct request r = queue_request(f, VIRTIO_BLK_T_IN, 0, SECTOR);
	fake_kick(d, 0, r.head); /* ignored while broken */
	assert_int_equal(*(uint8_t *)fake_ptr(d, r.status, 1), 0xee);
	assert_int_equal(fake_get_used(d, 0, NULL), -1);
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, SECTOR, NULL), VIRTIO_BLK_S_OK);
}

/* ------------------------------------------------------------------------ GET_ID */

static void test_get_id_default(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct request r;
	uint32_t used;
	r = queue_request(f, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES);
	assert_int_equal(run(f, r, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, VIRTIO_BLK_ID_BYTES + 1);
	char want[VIRTIO_BLK_ID_BYTES] = "millivm-disk0";
	assert_memory_equal(fake_ptr(&f->d, r.data, VIRTIO_BLK_ID_BYTES), want, sizeof(want));
	/* A short buffer gets what fits. */
	r = queue_request(f, VIRTIO_BLK_T_GET_ID, 0, 4);
	assert_int_equal(run(f, r, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, 5);
	assert_memory_equal(fake_ptr(&f->d, r.data, 4), "mill", 4);
}

static void test_get_id_user_serial(void **state)
{
	struct fixture *f = *state;
	virtio_blk_destroy(f->d.t);
	assert_int_equal(open_disk(f, false, "ABCDEFGHIJKLMNOPQRST"), 0); /* exactly 20 */
	init(f);
	struct request r = queue_request(f, VIRTIO_BLK_T_GET_ID, 0, 32);
	uint32_t used;
	assert_int_equal(run(f, r, &used), VIRTIO_BLK_S_OK);
	assert_int_equal(used, VIRTIO_BLK_ID_BYTES + 1);
	uint8_t *p = fake_ptr(&f->d, r.data, 32);
	assert_memory_equal(p, "ABCDEFGHIJKLMNOPQRST", 20);
	assert_int_equal(p[20], 0); /* no terminator written past the 20 bytes */
}

/* ------------------------------------------------------------------------ read-only */

static void test_read_only(void **state)
{
	struct fixture *f = *state;
	uint64_t features = device_features(&f->d);
	assert_true(features & (1ull << VIRTIO_BLK_F_RO));
	assert_false(features & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_false(features & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	init(f);
	struct request r = queue_request(f, VIRTIO_BLK_T_OUT, 1, SECTOR);
	memset(fake_ptr(&f->d, r.data, SECTOR), 0x77, SECTOR);
	assert_int_equal(run(f, r, NULL), VIRTIO_BLK_S_IOERR);
	assert_file_sector(f, 1, 1);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 1, SECTOR, &r), VIRTIO_BLK_S_OK);
	assert_int_equal(*(uint8_t *)fake_ptr(&f->d, r.data, 1), 1);
	assert_int_equal(rw(f, VIRTIO_BLK_T_FLUSH, 0, 0, NULL), VIRTIO_BLK_S_OK);
	r = queue_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 16);
	struct virtio_blk_discard_write_zeroes *range = fake_ptr(&f->d, r.data, 16);
	range->sector = 0;
	range->num_sectors = 1;
	assert_int_equal(run(f, r, NULL), VIRTIO_BLK_S_IOERR);
	assert_file_sector(f, 0, 0);
}

/* ------------------------------------------------------------------------ discard */

static uint8_t range_request(struct fixture *f, uint32_t type, uint64_t sector, uint32_t count,
			     uint32_t flags, unsigned nranges)
{
	struct request r = queue_request(f, type, 0, 16 * nranges);
	struct virtio_blk_discard_write_zeroes *range = fake_ptr(&f->d, r.data, 16 * nranges);
	for (unsigned i = 0; i < nranges; i++) {
		range[i].sector = sector;
		range[i].num_sectors = count;
		range[i].flags = flags;
	}
	return run(f, r, NULL);
}

static void test_discard(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, 8, 16, 0, 1), VIRTIO_BLK_S_OK);
	assert_file_sector(f, 7, 7);
	assert_file_sector(f, 8, 0);
	assert_file_sector(f, 23, 0);
	assert_file_sector(f, 24, 24);
	struct stat st;
	assert_int_equal(fstat(f->fd, &st), 0);
	assert_int_equal(st.st_size, DISK_SECTORS * SECTOR);
	assert_true(st.st_blocks < DISK_SECTORS); /* 8 KiB of the 32 KiB are a hole now */
}

static void test_write_zeroes(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 2, 1, 0, 1), VIRTIO_BLK_S_OK);
	assert_file_sector(f, 1, 1);
	assert_file_sector(f, 2, 0);
	assert_file_sector(f, 3, 3);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 5, 2,
				       VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 1),
			 VIRTIO_BLK_S_OK);
	assert_file_sector(f, 5, 0);
	assert_file_sector(f, 6, 0);
	assert_file_sector(f, 7, 7);
}

static void test_discard_bad_requests(void **state)
{
	struct fixture *f = *state;
	init(f);
	/* virtio 1.2: the unmap flag on a discard, or unknown flags, are UNSUPP. */
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, 0, 1,
				       VIRTIO_BLK_WRITE_ZEROES_FLAG_UNMAP, 1),
			 VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_WRITE_ZEROES, 0, 1, 0x80, 1),
			 VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, 0, 1, 0, 2), VIRTIO_BLK_S_IOERR);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, DISK_SECTORS - 1, 2, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_WRITE_ZEROES, UINT64_MAX, 1, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, 0, 0xffffffffu, 0, 1),
			 VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_DISCARD, 0, 8, NULL), VIRTIO_BLK_S_IOERR);
	for (unsigned n = 0; n < DISK_SECTORS; n++)
		assert_file_sector(f, n, (uint8_t)n);
}

static void test_discard_not_negotiated(void **state)
{
	struct fixture *f = *state;
	assert_true(fake_init_device(&f->d, V1, 1) & VIRTIO_CONFIG_S_DRIVER_OK);
	assert_int_equal(range_request(f, VIRTIO_BLK_T_DISCARD, 0, 1, 0, 1), VIRTIO_BLK_S_UNSUPP);
	assert_file_sector(f, 0, 0);
}

/* ------------------------------------------------------------------------ images */

static void test_odd_sized_image(void **state)
{
	struct fixture *f = *state;
	virtio_blk_destroy(f->d.t);
	assert_int_equal(ftruncate(f->fd, 1000), 0);
	assert_int_equal(open_disk(f, false, NULL), 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG), 1); /* the whole sectors */
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 1, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
}

static void test_missing_image(void **state)
{
	(void)state;
	struct guest_mem mem = { 0 };
	struct drive_config dc = { .path = "/nonexistent/millivm.img" };
	struct error err;
	assert_null(virtio_blk_create(&mem, &dc, 0, &err));
	assert_non_null(strstr(err.msg, "/nonexistent/millivm.img"));
}

static void test_image_locked(void **state)
{
	struct fixture *f = *state;
	struct drive_config dc = { .path = f->path };
	struct error err;
	assert_null(virtio_blk_create(&f->d.mem, &dc, 1, &err)); /* the fixture holds it rw */
	assert_non_null(strstr(err.msg, "in use"));
}

/* A reset with requests in flight waits for them: nothing lands after it. */
static void test_reset_with_requests_in_flight(void **state)
{
	struct fixture *f = *state;
	init(f);
	for (unsigned i = 0; i < 5; i++) {
		struct request r = queue_request(f, VIRTIO_BLK_T_IN, i, SECTOR);
		struct vring_avail *a = fake_avail(&f->d, 0);
		a->ring[a->idx % FAKE_QSIZE] = r.head;
		a->idx++;
	}
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mmio_write(&f->d, VIRTIO_MMIO_STATUS, 0);
	uint16_t used_idx = fake_used(&f->d, 0)->idx;
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	assert_int_equal(fake_used(&f->d, 0)->idx, used_idx);
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, SECTOR, NULL), VIRTIO_BLK_S_OK);
}

/* Disabling the queue (QueueReady = 0) also waits for what is in flight on it. */
static void test_queue_disable_with_requests_in_flight(void **state)
{
	struct fixture *f = *state;
	init(f);
	for (unsigned i = 0; i < 5; i++) {
		struct request r = queue_request(f, VIRTIO_BLK_T_IN, i, SECTOR);
		struct vring_avail *a = fake_avail(&f->d, 0);
		a->ring[a->idx % FAKE_QSIZE] = r.head;
		a->idx++;
	}
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_SEL, 0);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_READY, 0);
	uint16_t used_idx = fake_used(&f->d, 0)->idx;
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	assert_int_equal(fake_used(&f->d, 0)->idx, used_idx);
	init(f);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, SECTOR, NULL), VIRTIO_BLK_S_OK);
}

/* ------------------------------------------------------------------------ metrics */

static struct block_metrics *blk_metrics(struct fixture *f)
{
	return ((struct virtio_blk *)f->d.t->dev)->metrics;
}

static uint64_t counter(struct fixture *f, enum block_metric id)
{
	return atomic_load(&blk_metrics(f)->v[id]);
}

/* A key of a section of the metrics line as it would be written now. */
static uint64_t rendered(const char *section, const char *key)
{
	char *text = metrics_render();
	assert_non_null(text);
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);
	free(text);
	assert_non_null(root);
	json_t *v = json_object_get(json_object_get(root, section), key);
	assert_true(json_is_integer(v));
	uint64_t n = (uint64_t)json_integer_value(v);
	json_decref(root);
	return n;
}

static void test_block_metrics(void **state)
{
	struct fixture *f = *state;
	assert_string_equal(blk_metrics(f)->name, "virtio-blk0"); /* no drive id: the device */
	assert_ptr_equal(metrics_block("virtio-blk0"), blk_metrics(f));
	init(f);
	uint64_t c[BM_COUNT];
	for (int i = 0; i < BM_COUNT; i++)
		c[i] = counter(f, (enum block_metric)i);
	uint64_t line_reads = rendered("block_virtio-blk0", "read_bytes");
	uint64_t sum_reads = rendered("block", "read_bytes");

	assert_int_equal(rw(f, VIRTIO_BLK_T_OUT, 2, 2 * SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 2, 3 * SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 5, SECTOR, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_FLUSH, 0, 0, NULL), VIRTIO_BLK_S_OK);
	assert_int_equal(rw(f, VIRTIO_BLK_T_GET_ID, 0, VIRTIO_BLK_ID_BYTES, NULL),
			 VIRTIO_BLK_S_OK);
	/* Refused before any I/O: not whole sectors, past the end, unknown type. */
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 0, 100, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, DISK_SECTORS, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(rw(f, 0x12345, 0, 0, NULL), VIRTIO_BLK_S_UNSUPP);
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* nothing queued */

	assert_int_equal(counter(f, BM_WRITE_COUNT) - c[BM_WRITE_COUNT], 1);
	assert_int_equal(counter(f, BM_WRITE_BYTES) - c[BM_WRITE_BYTES], 2 * SECTOR);
	assert_int_equal(counter(f, BM_READ_COUNT) - c[BM_READ_COUNT], 2);
	assert_int_equal(counter(f, BM_READ_BYTES) - c[BM_READ_BYTES], 4 * SECTOR);
	assert_int_equal(counter(f, BM_FLUSH_COUNT) - c[BM_FLUSH_COUNT], 1);
	assert_int_equal(counter(f, BM_INVALID_REQS) - c[BM_INVALID_REQS], 3);
	assert_int_equal(counter(f, BM_EXECUTE_FAILS) - c[BM_EXECUTE_FAILS], 0);
	assert_int_equal(counter(f, BM_QUEUE_EVENT_COUNT) - c[BM_QUEUE_EVENT_COUNT], 9);
	assert_int_equal(counter(f, BM_NO_AVAIL_BUFFER) - c[BM_NO_AVAIL_BUFFER], 1);
	/* The metrics line: the drive's section and the sum of all drives. */
	assert_int_equal(rendered("block_virtio-blk0", "read_bytes") - line_reads, 4 * SECTOR);
	assert_int_equal(rendered("block", "read_bytes") - sum_reads, 4 * SECTOR);
}

/* A failed transfer counts in execute_fails, not in the ops. */
static void test_block_metrics_failed_io(void **state)
{
	struct fixture *f = *state;
	init(f);
	uint64_t fails = counter(f, BM_EXECUTE_FAILS), reads = counter(f, BM_READ_COUNT);
	assert_int_equal(ftruncate(f->fd, 2 * SECTOR), 0); /* the image shrinks under the disk */
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 10, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
	assert_int_equal(counter(f, BM_EXECUTE_FAILS) - fails, 1);
	assert_int_equal(counter(f, BM_READ_COUNT) - reads, 0);
}

/* ------------------------------------------------------------------------ image swap */

/* The second image: `sectors` sectors, sector n filled with 0x80 + n. */
static void make_image2(struct fixture *f, unsigned sectors)
{
	snprintf(f->path2, sizeof(f->path2), "/tmp/millivm-test-blk2-XXXXXX");
	f->fd2 = mkstemp(f->path2);
	assert_true(f->fd2 >= 0);
	assert_int_equal(ftruncate(f->fd2, (off_t)sectors * SECTOR), 0);
	uint8_t sector[SECTOR];
	for (unsigned n = 0; n < sectors; n++) {
		memset(sector, (int)(0x80 + n), sizeof(sector));
		assert_int_equal(pwrite(f->fd2, sector, sizeof(sector), (off_t)n * SECTOR), SECTOR);
	}
}

static uint8_t read_byte(struct fixture *f, uint64_t sector)
{
	struct request r;
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, sector, SECTOR, &r), VIRTIO_BLK_S_OK);
	return *(uint8_t *)fake_ptr(&f->d, r.data, 1);
}

static uint64_t config_capacity(struct fixture *f)
{
	return mmio_read(&f->d, VIRTIO_MMIO_CONFIG) |
	       (uint64_t)mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 4) << 32;
}

/* Can another open file description of path take the lock? */
static bool lockable(const char *path, int how)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	bool ok = flock(fd, how | LOCK_NB) == 0;
	close(fd);
	return ok;
}

/* An idle disk: the guest sees the new image, its capacity, and a config interrupt. */
static void test_swap_while_idle(void **state)
{
	struct fixture *f = *state;
	init(f);
	assert_int_equal(read_byte(f, 3), 3);
	fake_ack(&f->d);
	make_image2(f, 2 * DISK_SECTORS);
	uint32_t generation = mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION);
	uint64_t updates = counter(f, BM_UPDATE_COUNT);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), 0);
	assert_int_equal(counter(f, BM_UPDATE_COUNT) - updates, 1);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), generation + 1);
	assert_int_equal(f->d.irq_level, 1);
	assert_int_equal(fake_ack(&f->d), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(config_capacity(f), 2 * DISK_SECTORS);
	assert_int_equal(read_byte(f, 3), 0x83);
	assert_int_equal(read_byte(f, DISK_SECTORS + 10), (uint8_t)(0x80 + DISK_SECTORS + 10));
	/* Writes go to the new image; the old one is left as it was. */
	struct request r = queue_request(f, VIRTIO_BLK_T_OUT, 5, SECTOR);
	memset(fake_ptr(&f->d, r.data, SECTOR), 0xab, SECTOR);
	assert_int_equal(run(f, r, NULL), VIRTIO_BLK_S_OK);
	uint8_t b;
	assert_int_equal(pread(f->fd2, &b, 1, 5 * SECTOR), 1);
	assert_int_equal(b, 0xab);
	assert_file_sector(f, 5, 5);
	/* The old image's lock went with its descriptor; the new one is held. */
	assert_true(lockable(f->path, LOCK_EX));
	assert_false(lockable(f->path2, LOCK_EX));
	assert_false(lockable(f->path2, LOCK_SH));
}

/* A smaller image: what was in range is not any more. */
static void test_swap_to_smaller_image(void **state)
{
	struct fixture *f = *state;
	init(f);
	make_image2(f, 8);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), 0);
	assert_int_equal(config_capacity(f), 8);
	assert_int_equal(read_byte(f, 7), 0x87);
	assert_int_equal(rw(f, VIRTIO_BLK_T_IN, 8, SECTOR, NULL), VIRTIO_BLK_S_IOERR);
}

/* Refused swaps change nothing: the old image stays in use, locked, at its capacity. */
static void test_swap_refused(void **state)
{
	struct fixture *f = *state;
	init(f);
	fake_ack(&f->d);
	uint32_t generation = mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION);
	uint64_t fails = counter(f, BM_UPDATE_FAILS), updates = counter(f, BM_UPDATE_COUNT);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, "/nonexistent/new.img", &err), -1);
	assert_non_null(strstr(err.msg, "/nonexistent/new.img"));
	assert_non_null(strstr(err.msg, "No such file"));
	/* Locked by someone else. */
	make_image2(f, DISK_SECTORS);
	int other = open(f->path2, O_RDONLY | O_CLOEXEC);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), 0);
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), -1);
	assert_non_null(strstr(err.msg, "in use"));
	close(other);
	/* Not a file or block device. */
	assert_int_equal(virtio_blk_swap_image(f->d.t, "/tmp", &err), -1);
	assert_int_equal(counter(f, BM_UPDATE_FAILS) - fails, 3);
	assert_int_equal(counter(f, BM_UPDATE_COUNT) - updates, 0);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_CONFIG_GENERATION), generation);
	assert_int_equal(f->d.irq_level, 0);
	assert_int_equal(config_capacity(f), DISK_SECTORS);
	assert_int_equal(read_byte(f, 9), 9);
	assert_false(lockable(f->path, LOCK_SH)); /* still ours */
	assert_true(lockable(f->path2, LOCK_EX)); /* never taken */
}

/* A read-only drive stays read-only: the new file is opened O_RDONLY and shared-locked. */
static void test_swap_read_only(void **state)
{
	struct fixture *f = *state;
	init(f);
	make_image2(f, DISK_SECTORS);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), 0);
	struct virtio_blk *b = f->d.t->dev;
	assert_int_equal(fcntl(b->fd, F_GETFL) & O_ACCMODE, O_RDONLY);
	assert_true(device_features(&f->d) & (1ull << VIRTIO_BLK_F_RO));
	assert_int_equal(read_byte(f, 1), 0x81);
	struct request r = queue_request(f, VIRTIO_BLK_T_OUT, 1, SECTOR);
	memset(fake_ptr(&f->d, r.data, SECTOR), 0x77, SECTOR);
	assert_int_equal(run(f, r, NULL), VIRTIO_BLK_S_IOERR);
	uint8_t byte;
	assert_int_equal(pread(f->fd2, &byte, 1, SECTOR), 1);
	assert_int_equal(byte, 0x81);
	assert_true(lockable(f->path2, LOCK_SH));
	assert_false(lockable(f->path2, LOCK_EX));
	assert_true(lockable(f->path, LOCK_EX));
}

/* The same file again (Firecracker's way to announce a resized image): only the size. */
static void test_swap_same_file_resizes(void **state)
{
	struct fixture *f = *state;
	init(f);
	struct virtio_blk *b = f->d.t->dev;
	int fd = b->fd;
	fake_ack(&f->d);
	assert_int_equal(ftruncate(f->fd, 2 * DISK_SECTORS * SECTOR), 0);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path, &err), 0);
	assert_int_equal(b->fd, fd);
	assert_int_equal(config_capacity(f), 2 * DISK_SECTORS);
	assert_int_equal(fake_ack(&f->d), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(read_byte(f, DISK_SECTORS + 1), 0); /* the new, sparse part */
	assert_int_equal(read_byte(f, 4), 4);
	assert_false(lockable(f->path, LOCK_SH)); /* still held */
}

/* Before the driver is ready: no interrupt, but the new capacity is there at DRIVER_OK. */
static void test_swap_before_driver_ok(void **state)
{
	struct fixture *f = *state;
	make_image2(f, 3 * DISK_SECTORS);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), 0);
	assert_int_equal(f->d.irq_level, 0);
	init(f);
	assert_int_equal(config_capacity(f), 3 * DISK_SECTORS);
	assert_int_equal(read_byte(f, 2), 0x82);
}

/*
 * Requests the driver queues while a swap drains the engine stay in the ring (a notify starts
 * nothing); the swap starts them when it is done, on the new image. The window is made here
 * by hand: it is too short to hit on purpose.
 */
static void test_swap_starts_queued_requests(void **state)
{
	struct fixture *f = *state;
	init(f);
	make_image2(f, DISK_SECTORS);
	struct virtio_blk *b = f->d.t->dev;
	pthread_mutex_lock(&f->d.t->lock);
	b->swapping = true;
	pthread_mutex_unlock(&f->d.t->lock);
	struct request r = queue_request(f, VIRTIO_BLK_T_IN, 6, SECTOR);
	fake_kick(&f->d, 0, r.head);
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	pthread_mutex_lock(&f->d.t->lock);
	assert_int_equal(fake_used(&f->d, 0)->idx, f->d.last_used[0]); /* not started */
	b->swapping = false;
	pthread_mutex_unlock(&f->d.t->lock);
	struct error err;
	assert_int_equal(virtio_blk_swap_image(f->d.t, f->path2, &err), 0);
	assert_int_equal(wait_used(f, NULL), r.head);
	assert_int_equal(*(uint8_t *)fake_ptr(&f->d, r.status, 1), VIRTIO_BLK_S_OK);
	assert_int_equal(*(uint8_t *)fake_ptr(&f->d, r.data, 1), 0x86);
}

struct swapper {
	struct fixture *f;
	unsigned swaps;
	atomic_bool done;
	int failures;
};

static void *swap_back_and_forth(void *arg)
{
	struct swapper *s = arg;
	struct error err;
	for (unsigned i = 0; i < s->swaps; i++) {
		const char *path = i % 2 ? s->f->path : s->f->path2;
		if (virtio_blk_swap_image(s->f->d.t, path, &err) < 0) {
			fprintf(stderr, "swap %u: %s\n", i, err.msg);
			s->failures++;
		}
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
	}
	atomic_store(&s->done, true);
	return NULL;
}

/*
 * Swaps while the driver keeps batches of multi-sector reads in flight: every request
 * completes OK (those queued during a swap are started by it), and each one read one image
 * only, whole (sector n of the first holds n, of the second 0x80 + n).
 */
static void test_swap_with_requests_in_flight(void **state)
{
	struct fixture *f = *state;
	init(f);
	make_image2(f, DISK_SECTORS);
	uint64_t updates = counter(f, BM_UPDATE_COUNT);
	struct swapper s = { .f = f, .swaps = 200 };
	pthread_t thread;
	assert_int_equal(pthread_create(&thread, NULL, swap_back_and_forth, &s), 0);
	enum { BATCH = 5, LEN = 4 };
	unsigned batches = 0, from_second = 0;
	while (!atomic_load(&s.done) || batches < 20) {
		struct request r[BATCH];
		struct vring_avail *a = fake_avail(&f->d, 0);
		for (unsigned i = 0; i < BATCH; i++) {
			r[i] = queue_request(f, VIRTIO_BLK_T_IN, (batches * BATCH + i) % 60, LEN * SECTOR);
			a->ring[a->idx % FAKE_QSIZE] = r[i].head;
			__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
		}
		mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		for (unsigned i = 0; i < BATCH; i++)
			wait_used(f, NULL);
		for (unsigned i = 0; i < BATCH; i++) {
			assert_int_equal(*(uint8_t *)fake_ptr(&f->d, r[i].status, 1), VIRTIO_BLK_S_OK);
			uint8_t *p = fake_ptr(&f->d, r[i].data, LEN * SECTOR);
			unsigned sector = (batches * BATCH + i) % 60;
			uint8_t base = p[0] == sector ? 0 : 0x80;
			from_second += base != 0;
			for (unsigned j = 0; j < LEN * SECTOR; j++)
				if (p[j] != (uint8_t)(base + sector + j / SECTOR))
					fail_msg("request %u: byte %u is 0x%x: a mix of the images", i,
						 j, p[j]);
		}
		batches++;
	}
	pthread_join(thread, NULL);
	assert_int_equal(s.failures, 0);
	assert_int_equal(counter(f, BM_UPDATE_COUNT) - updates, s.swaps);
	assert_true(from_second > 0);
	/* 200 swaps, ending on the first image: it is held, the second is free again. */
	assert_false(lockable(f->path, LOCK_SH));
	assert_true(lockable(f->path2, LOCK_EX));
}

#define BOTH_ENGINES(test)                                               \
	cmocka_unit_test_setup_teardown(test, setup_sync, teardown),     \
		cmocka_unit_test_setup_teardown(test, setup_uring, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH_ENGINES(test_config_and_features),
		BOTH_ENGINES(test_write_then_read),
		BOTH_ENGINES(test_any_layout),
		BOTH_ENGINES(test_indirect_request),
		BOTH_ENGINES(test_many_in_flight),
		BOTH_ENGINES(test_flush),
		BOTH_ENGINES(test_bad_sizes),
		BOTH_ENGINES(test_out_of_range_sectors),
		BOTH_ENGINES(test_unknown_type),
		BOTH_ENGINES(test_broken_ring_then_reset),
		BOTH_ENGINES(test_get_id_default),
		BOTH_ENGINES(test_get_id_user_serial),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro, teardown),
		BOTH_ENGINES(test_discard),
		BOTH_ENGINES(test_write_zeroes),
		BOTH_ENGINES(test_discard_bad_requests),
		BOTH_ENGINES(test_discard_not_negotiated),
		BOTH_ENGINES(test_odd_sized_image),
		cmocka_unit_test(test_missing_image),
		cmocka_unit_test_setup_teardown(test_image_locked, setup_sync, teardown),
		BOTH_ENGINES(test_reset_with_requests_in_flight),
		BOTH_ENGINES(test_queue_disable_with_requests_in_flight),
		BOTH_ENGINES(test_block_metrics),
		BOTH_ENGINES(test_block_metrics_failed_io),
		BOTH_ENGINES(test_swap_while_idle),
		BOTH_ENGINES(test_swap_to_smaller_image),
		BOTH_ENGINES(test_swap_refused),
		cmocka_unit_test_setup_teardown(test_swap_read_only, setup_ro, teardown),
		BOTH_ENGINES(test_swap_same_file_resizes),
		BOTH_ENGINES(test_swap_before_driver_ok),
		BOTH_ENGINES(test_swap_starts_queued_requests),
		BOTH_ENGINES(test_swap_with_requests_in_flight),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
