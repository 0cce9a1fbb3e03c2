/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-blk engine benchmark (not a test): the monitor's own cost per request, sync engine
 * versus io_uring, without a guest. A fake driver on a fake guest RAM queues requests,
 * notifies through the register window exactly as a vCPU's MMIO exit would, and spins on
 * the used ring. What a guest adds on top (the VM exit, the interrupt) is the same for both.
 *
 *   make BUILD=build build/libmillivm.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -Itests/unit bench/virtio_blk_engines.c \
 *      build/libmillivm.a -luring -lpthread -o build/virtio_blk_engines
 *   build/virtio_blk_engines [IMAGE] [SECONDS]    (IMAGE: 256 MiB scratch file, created)
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/virtio_blk.h>

#include "devices/virtio_blk.h"
#include "virtio_fake_driver.h"

#define IMAGE_SIZE MiB(256)
#define SECTOR 512u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rnd = 88172645463325252ull;
static uint64_t next_random(void)
{
	rnd ^= rnd << 13;
	rnd ^= rnd >> 7;
	rnd ^= rnd << 17;
	return rnd;
}

/* Per in-flight slot: header, data and status buffers at fixed places, three descriptors. */
#define DATA_GPA(slot) (MiB(2) + (uint64_t)(slot) * MiB(1))
#define HDR_GPA(slot) (0x40000ull + 32ull * (slot))

static void queue_request(struct fake_driver *d, unsigned slot, uint32_t type, uint64_t sector,
			  uint32_t len)
{
	struct virtio_blk_outhdr *h = fake_ptr(d, HDR_GPA(slot), 17);
	h->type = type;
	h->ioprio = 0;
	h->sector = sector;
	uint16_t base = (uint16_t)(slot * 3);
	struct vring_desc *desc = fake_desc(d, 0, base);
	desc[0] = (struct vring_desc){ HDR_GPA(slot), 16, VRING_DESC_F_NEXT, (uint16_t)(base + 1) };
	desc[1] = (struct vring_desc){ DATA_GPA(slot), len,
				       VRING_DESC_F_NEXT |
					       (type == VIRTIO_BLK_T_IN ? VRING_DESC_F_WRITE : 0),
				       (uint16_t)(base + 2) };
	desc[2] = (struct vring_desc){ HDR_GPA(slot) + 16, 1, VRING_DESC_F_WRITE, 0 };
	struct vring_avail *a = fake_avail(d, 0);
	a->ring[a->idx % FAKE_QSIZE] = base;
	__atomic_store_n(&a->idx, (uint16_t)(a->idx + 1), __ATOMIC_RELEASE);
}

static unsigned reap(struct fake_driver *d)
{
	unsigned n = 0;
	while (fake_get_used(d, 0, NULL) >= 0)
		n++;
	return n;
}

struct result {
	double iops, mbps;
};

static struct result run(struct fake_driver *d, uint32_t type, uint32_t len, unsigned depth,
			 bool sequential, double seconds)
{
	uint64_t sectors = IMAGE_SIZE / SECTOR, per = len / SECTOR, next_seq = 0;
	unsigned long done = 0;
	double start = now(), end = start + seconds;
	while (now() < end) {
		for (unsigned slot = 0; slot < depth; slot++) {
			uint64_t sector;
			if (sequential) {
				sector = next_seq;
				next_seq = (next_seq + per) % sectors;
			} else {
				sector = (next_random() % (sectors / per)) * per;
			}
			queue_request(d, slot, type, sector, len);
		}
		mmio_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0); /* one exit for the batch */
		unsigned got = 0;
		while (got < depth)
			got += reap(d);
		fake_ack(d);
		done += depth;
	}
	double t = now() - start;
	return (struct result){ done / t, done * (double)len / t / 1e6 };
}

int main(int argc, char **argv)
{
	const char *image = argc > 1 ? argv[1] : "/tmp/millivm-bench.img";
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	int fd = open(image, O_RDWR | O_CREAT, 0600);
	if (fd < 0 || ftruncate(fd, IMAGE_SIZE) < 0) {
		perror(image);
		return 1;
	}
	/* Real data (not a hole) and warm in the page cache, as an image in use is. */
	static uint8_t chunk[MiB(1)];
	memset(chunk, 0x5a, sizeof(chunk));
	for (uint64_t off = 0; off < IMAGE_SIZE; off += sizeof(chunk))
		if (pwrite(fd, chunk, sizeof(chunk), (off_t)off) != (ssize_t)sizeof(chunk))
			return 1;
	fsync(fd);
	close(fd);

	struct fake_driver d;
	if (fake_ram_init(&d) < 0)
		return 1;
	/* The fake RAM is 16 MiB: depth 8 with 1 MiB buffers, or depth 5 (15 descriptors). */
	static const struct {
		const char *name;
		uint32_t type, len;
		unsigned depth;
		bool sequential;
	} cases[] = {
		{ "4k randread qd1", VIRTIO_BLK_T_IN, 4096, 1, false },
		{ "4k randwrite qd1", VIRTIO_BLK_T_OUT, 4096, 1, false },
		{ "4k randread qd5", VIRTIO_BLK_T_IN, 4096, 5, false },
		{ "64k seqread qd1", VIRTIO_BLK_T_IN, 65536, 1, true },
		{ "1m seqread qd1", VIRTIO_BLK_T_IN, 1 << 20, 1, true },
		{ "1m seqwrite qd1", VIRTIO_BLK_T_OUT, 1 << 20, 1, true },
		{ "1m seqread qd5", VIRTIO_BLK_T_IN, 1 << 20, 5, true },
	};
	static const enum drive_engine engines[] = { DRIVE_ENGINE_SYNC, DRIVE_ENGINE_URING };
	printf("%-18s %-6s %12s %10s\n", "case", "engine", "requests/s", "MB/s");
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		for (size_t e = 0; e < 2; e++) {
			struct drive_config dc = { .path = image, .engine = engines[e] };
			struct error err;
			struct virtio_mmio *t = virtio_blk_create(&d.mem, &dc, 0, &err);
			if (!t) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			fake_attach(&d, t);
			fake_init_device(&d, 1ull << VIRTIO_F_VERSION_1, 1);
			struct result r = run(&d, cases[c].type, cases[c].len, cases[c].depth,
					      cases[c].sequential, seconds);
			printf("%-18s %-6s %12.0f %10.1f\n", cases[c].name, virtio_blk_engine_name(t),
			       r.iops, r.mbps);
			virtio_blk_destroy(t);
		}
	}
	fake_ram_free(&d);
	return 0;
}
