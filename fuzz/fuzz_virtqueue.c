/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the split-virtqueue walker (src/devices/virtqueue.c) against a fake
 * guest RAM written entirely by a hostile driver.
 *
 * Input: a 24-byte setup header (below), then the guest RAM: exactly the remaining bytes, in
 * its own heap buffer, so ASan sees any access past the end of RAM. The rings are placed at
 * the offsets the header gives (usually inside the RAM; the fuzzer finds the alignments).
 * Then the device side runs as a device would: pop every available chain, read the
 * readable part, write the writable part, describe both as iovecs, push, decide about the
 * interrupt, rearm. Everything the walker hands out must be inside guest RAM and add up.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "devices/virtqueue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fuzz_setup {
	uint8_t size_log2; /* bit 7: take size_raw instead (not a power of two, 0, too big) */
	uint8_t flags;     /* bit 0 EVENT_IDX, bit 1 INDIRECT_DESC, bit 2 max_size from max_raw */
	uint16_t size_raw;
	uint16_t max_raw;
	uint16_t io_seed; /* offsets for the chain reads and writes */
	uint64_t desc_gpa;
	uint32_t avail_gpa;
	uint32_t used_gpa;
};
_Static_assert(sizeof(struct fuzz_setup) == 24, "setup header is 24 bytes");

static const uint8_t *ram_lo, *ram_hi;

static void check_host(const void *p, uint64_t len)
{
	const uint8_t *b = p;
	if (b < ram_lo || b > ram_hi || len > (uint64_t)(ram_hi - b))
		abort(); /* a host pointer outside guest RAM */
}

static void check_chain(const struct virtqueue *vq, const struct vq_chain *c)
{
	unsigned n = c->nread + c->nwrite;
	if (c->head >= vq->size || n > vq->size || n > VIRTQUEUE_MAX_SIZE)
		abort();
	uint64_t rl = 0, wl = 0;
	for (unsigned i = 0; i < n; i++) {
		if (c->segs[i].len == 0)
			abort();
		check_host(c->segs[i].host, c->segs[i].len);
		if (i < c->nread)
			rl += c->segs[i].len;
		else
			wl += c->segs[i].len;
	}
	if (rl != c->read_len || wl != c->write_len)
		abort();
}

static void check_iov(const struct vq_chain *c, bool writable, uint64_t offset, uint64_t len,
		      unsigned max)
{
	static struct iovec iov[VIRTQUEUE_MAX_SIZE];
	int n = vq_chain_iov(c, writable, offset, len, iov, max);
	uint64_t total = writable ? c->write_len : c->read_len;
	if (n < 0) {
		/* Refused: out of the chain, or more than max entries were needed. */
		if (offset <= total && len <= total - offset && max >= (writable ? c->nwrite : c->nread))
			abort();
		return;
	}
	if ((unsigned)n > max || offset > total || len > total - offset)
		abort();
	uint64_t sum = 0;
	for (int i = 0; i < n; i++) {
		if (iov[i].iov_len == 0)
			abort();
		check_host(iov[i].iov_base, iov[i].iov_len);
		sum += iov[i].iov_len;
	}
	if (sum != len)
		abort();
}

static void exercise_chain(const struct vq_chain *c, uint16_t seed)
{
	static uint8_t buf[VIRTQUEUE_MAX_SIZE * 64];
	uint64_t roff = c->read_len ? seed % (c->read_len + 1) : 0;
	size_t want = sizeof(buf);
	size_t got = vq_chain_read(c, roff, buf, want);
	uint64_t avail = c->read_len - roff;
	if (got != (avail < want ? avail : want))
		abort();
	/* Past the end: nothing. */
	if (vq_chain_read(c, c->read_len, buf, 1) != 0)
		abort();

	uint64_t woff = c->write_len ? (seed >> 4) % (c->write_len + 1) : 0;
	memset(buf, 0xa5, sizeof(buf));
	got = vq_chain_write(c, woff, buf, want);
	avail = c->write_len - woff;
	if (got != (avail < want ? avail : want))
		abort();

	check_iov(c, false, 0, c->read_len, VIRTQUEUE_MAX_SIZE);
	check_iov(c, false, roff, c->read_len - roff, 2);
	check_iov(c, true, woff, c->write_len - woff, VIRTQUEUE_MAX_SIZE);
	check_iov(c, true, 0, c->write_len, 1);
	check_iov(c, true, c->write_len, 1, VIRTQUEUE_MAX_SIZE); /* one past: refused */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_setup h;
	if (size < sizeof(h))
		return 0;
	memcpy(&h, data, sizeof(h));
	size_t ram_size = size - sizeof(h);
	uint8_t *ram = malloc(ram_size ? ram_size : 1);
	if (!ram)
		return 0;
	memcpy(ram, data + sizeof(h), ram_size);
	ram_lo = ram;
	ram_hi = ram + ram_size;
	struct guest_mem mem;
	guest_mem_init_layout(&mem, ram, ram_size);

	struct virtqueue_setup s = {
		.size = (h.size_log2 & 0x80) ? h.size_raw : (uint16_t)(1u << (h.size_log2 % 9)),
		.max_size = (h.flags & 4) ? h.max_raw : VIRTQUEUE_MAX_SIZE,
		.desc_gpa = h.desc_gpa,
		.avail_gpa = h.avail_gpa,
		.used_gpa = h.used_gpa,
		.event_idx = h.flags & 1,
		.indirect = h.flags & 2,
	};
	static struct virtqueue vq;
	static struct vq_chain chain;
	struct error err;
	err.msg[0] = '\0';
	if (virtqueue_enable(&vq, &mem, &s, &err) < 0) {
		if (err.msg[0] == '\0' || vq.enabled)
			abort();
		free(ram);
		return 0;
	}
	check_host(vq.desc, 16u * vq.size);
	check_host(vq.avail, 4u + 2u * vq.size + (vq.event_idx ? 2 : 0));
	check_host(vq.used, 4u + 8u * vq.size + (vq.event_idx ? 2 : 0));

	/* A device's run: pop until empty or broken; at most the ring's worth and then some
	 * (pushes may land on the avail ring when the driver made the rings overlap). */
	for (unsigned round = 0; round < 2u * VIRTQUEUE_MAX_SIZE + 2; round++) {
		err.msg[0] = '\0';
		int r = virtqueue_pop(&vq, &chain, &err);
		if (r < 0) {
			if (err.msg[0] == '\0')
				abort();
			break;
		}
		if (r == 0) {
			if (!virtqueue_rearm(&vq))
				break;
			continue;
		}
		check_chain(&vq, &chain);
		exercise_chain(&chain, h.io_seed);
		virtqueue_push(&vq, chain.head, (uint32_t)chain.write_len);
		(void)virtqueue_should_notify(&vq);
	}
	virtqueue_disable(&vq);
	if (vq.enabled || virtqueue_pop(&vq, &chain, &err) != 0)
		abort();
	free(ram);
	return 0;
}
