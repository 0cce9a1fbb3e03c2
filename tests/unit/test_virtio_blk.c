/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-blk on a temporary image, driven through the transport by the fake driver: request
 * layouts (header, data, status; split however the driver likes), bad sizes, out-of-range
 * sectors, read-only disks, GET_ID, FLUSH, DISCARD and WRITE_ZEROES, a broken ring, and the
 * same again on the io_uring engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_blk.h>
#include <linux/virtio_ids.h>

#include "devices/virtio_blk.h"
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
