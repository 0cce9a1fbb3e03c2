/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtqueue.h"

#include <string.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "virtio 1.x rings are little-endian; this code reads them natively");

/*
 * Guest memory is shared with running vCPUs. Ring indices are read and written with atomic
 * accesses (naturally aligned: enable checks the ring alignment); descriptors and headers
 * are copied to locals and then a compiler barrier keeps the compiler from reading the
 * guest's copy again (a second read could see a different, unchecked value).
 */
#define SNAPSHOT_BARRIER() __asm__ __volatile__("" ::: "memory")

static uint16_t load16(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
}

static uint16_t load16_acquire(const void *p)
{
	return __atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE);
}

static void store16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELAXED);
}

static void store16_release(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, v, __ATOMIC_RELEASE);
}

static void *ring_range(const struct guest_mem *mem, const char *what, uint64_t gpa,
			uint64_t len, uint64_t align, struct error *err)
{
	if (gpa & (align - 1)) {
		error_set(err, "%s ring at 0x%llx is not %llu-byte aligned", what,
			  (unsigned long long)gpa, (unsigned long long)align);
		return NULL;
	}
	void *host = gpa_range(mem, gpa, len);
	if (!host)
		error_set(err, "%s ring [0x%llx, +0x%llx) is not guest RAM", what,
			  (unsigned long long)gpa, (unsigned long long)len);
	return host;
}

int virtqueue_enable(struct virtqueue *vq, const struct guest_mem *mem,
		     const struct virtqueue_setup *s, struct error *err)
{
	virtqueue_disable(vq);
	uint16_t max = s->max_size < VIRTQUEUE_MAX_SIZE ? s->max_size : VIRTQUEUE_MAX_SIZE;
	if (s->size == 0 || s->size > max)
		return error_set(err, "queue size %u is not in 1..%u", s->size, max);
	/* Split rings: "Queue Size value is always a power of 2" (virtio 1.0 2.4, 1.1 2.6). */
	if (s->size & (s->size - 1))
		return error_set(err, "queue size %u is not a power of two", s->size);
	uint64_t n = s->size;
	uint64_t event = s->event_idx ? 2 : 0; /* used_event / avail_event trailers */
	struct vring_desc *desc = ring_range(mem, "descriptor", s->desc_gpa, 16 * n, 16, err);
	struct vring_avail *avail =
		desc ? ring_range(mem, "available", s->avail_gpa, 4 + 2 * n + event, 2, err) : NULL;
	struct vring_used *used =
		avail ? ring_range(mem, "used", s->used_gpa, 4 + 8 * n + event, 4, err) : NULL;
	if (!used)
		return -1;
	*vq = (struct virtqueue){
		.enabled = true,
		.size = s->size,
		.event_idx = s->event_idx,
		.indirect = s->indirect,
		.mem = mem,
		.desc = desc,
		.avail = avail,
		.used = used,
	};
	return 0;
}

void virtqueue_disable(struct virtqueue *vq)
{
	memset(vq, 0, sizeof(*vq));
}

/* Walk state for one chain: which table we are in and what we have seen. */
struct walk {
	const struct vring_desc *table;
	unsigned table_size;
	bool in_indirect;
	uint8_t seen[VIRTQUEUE_MAX_SIZE / 8];
};

static int take_indirect(const struct virtqueue *vq, struct walk *w, const struct vring_desc *d,
			 unsigned idx, struct error *err)
{
	if (!vq->indirect)
		return error_set(err, "descriptor %u: INDIRECT without VIRTIO_RING_F_INDIRECT_DESC",
				 idx);
	if (w->in_indirect)
		return error_set(err, "descriptor %u: nested indirect table", idx);
	if (d->flags & VRING_DESC_F_NEXT)
		return error_set(err, "descriptor %u: INDIRECT together with NEXT", idx);
	if (d->len == 0 || d->len % sizeof(struct vring_desc))
		return error_set(err, "descriptor %u: indirect table length %u is not a multiple of 16",
				 idx, d->len);
	unsigned entries = d->len / sizeof(struct vring_desc);
	if (entries > vq->size)
		return error_set(err, "descriptor %u: indirect table of %u entries, queue size %u",
				 idx, entries, vq->size);
	const void *table = gpa_range(vq->mem, d->addr, d->len);
	if (!table)
		return error_set(err, "descriptor %u: indirect table [0x%llx, +0x%x) is not guest RAM",
				 idx, (unsigned long long)d->addr, d->len);
	w->table = table;
	w->table_size = entries;
	w->in_indirect = true;
	memset(w->seen, 0, sizeof(w->seen));
	return 0;
}

static int add_segment(const struct virtqueue *vq, struct vq_chain *c, const struct vring_desc *d,
		       unsigned idx, struct error *err)
{
	bool writable = d->flags & VRING_DESC_F_WRITE;
	uint8_t *host = gpa_range(vq->mem, d->addr, d->len);
	if (!host)
		return error_set(err, "descriptor %u: buffer [0x%llx, +0x%x) is not guest RAM", idx,
				 (unsigned long long)d->addr, d->len);
	if (!writable && c->nwrite)
		return error_set(err, "descriptor %u: device-readable after device-writable", idx);
	if (d->len == 0)
		return 0;
	unsigned n = c->nread + c->nwrite;
	if (n >= vq->size || n >= VIRTQUEUE_MAX_SIZE)
		return error_set(err, "descriptor %u: chain longer than the queue size %u", idx,
				 vq->size);
	c->segs[n] = (struct vq_seg){ host, d->len };
	if (writable) {
		c->nwrite++;
		c->write_len += d->len;
	} else {
		c->nread++;
		c->read_len += d->len;
	}
	return 0;
}

static int walk_chain(const struct virtqueue *vq, uint16_t head, struct vq_chain *c,
		      struct error *err)
{
	struct walk w = { .table = vq->desc, .table_size = vq->size };
	unsigned idx = head;
	/* Every step marks a fresh index of the current table, so no walk exceeds 2 * size. */
	for (;;) {
		if (idx >= w.table_size)
			return error_set(err, "%sdescriptor index %u out of range (table of %u)",
					 w.in_indirect ? "indirect " : "", idx, w.table_size);
		if (w.seen[idx / 8] & (1u << (idx % 8)))
			return error_set(err, "%sdescriptor %u: chain loops",
					 w.in_indirect ? "indirect " : "", idx);
		w.seen[idx / 8] |= (uint8_t)(1u << (idx % 8));
		struct vring_desc d;
		memcpy(&d, &w.table[idx], sizeof(d));
		SNAPSHOT_BARRIER();
		if (d.flags & VRING_DESC_F_INDIRECT) {
			if (take_indirect(vq, &w, &d, idx, err) < 0)
				return -1;
			idx = 0;
			continue;
		}
		if (add_segment(vq, c, &d, idx, err) < 0)
			return -1;
		if (!(d.flags & VRING_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int virtqueue_pop(struct virtqueue *vq, struct vq_chain *chain, struct error *err)
{
	if (!vq->enabled)
		return 0;
	/* Acquire: the ring entries and descriptors behind avail->idx are visible after it. */
	uint16_t avail_idx = load16_acquire(&vq->avail->idx);
	uint16_t pending = (uint16_t)(avail_idx - vq->last_avail);
	if (pending == 0)
		return 0;
	if (pending > vq->size)
		return error_set(err, "available index moved by %u, queue size %u", pending,
				 vq->size);
	uint16_t head = load16(&vq->avail->ring[vq->last_avail & (vq->size - 1)]);
	if (head >= vq->size)
		return error_set(err, "available ring entry %u: head %u out of range",
				 vq->last_avail, head);
	chain->head = head;
	chain->nread = chain->nwrite = 0;
	chain->read_len = chain->write_len = 0;
	if (walk_chain(vq, head, chain, err) < 0)
		return -1;
	vq->last_avail++;
	return 1;
}

void virtqueue_unpop(struct virtqueue *vq, unsigned count)
{
	vq->last_avail = (uint16_t)(vq->last_avail - count);
}

void virtqueue_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	if (!vq->enabled)
		return;
	vring_used_elem_t *e = &vq->used->ring[vq->used_idx & (vq->size - 1)];
	__atomic_store_n(&e->id, (uint32_t)head, __ATOMIC_RELAXED);
	__atomic_store_n(&e->len, len, __ATOMIC_RELAXED);
	vq->used_idx++;
	/* Release: the element (and the data written to the buffers) before the index. */
	store16_release(&vq->used->idx, vq->used_idx);
}

bool virtqueue_should_notify(struct virtqueue *vq)
{
	if (!vq->enabled)
		return false;
	/* The used index store must be visible before we read the driver's suppression state,
	 * or we could miss the driver re-enabling interrupts (a store-load ordering). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(load16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	uint16_t old = vq->signalled_used, now = vq->used_idx;
	bool valid = vq->signalled_used_valid;
	vq->signalled_used = now;
	vq->signalled_used_valid = true;
	uint16_t used_event = load16(&vq->avail->ring[vq->size]);
	return !valid || vring_need_event(used_event, now, old);
}

bool virtqueue_rearm(struct virtqueue *vq)
{
	if (!vq->enabled || !vq->event_idx)
		return false; /* we never set VRING_USED_F_NO_NOTIFY: the driver always notifies */
	store16(&vq->used->ring[vq->size], vq->last_avail); /* avail_event */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return load16_acquire(&vq->avail->idx) != vq->last_avail;
}

/* Find the segment holding byte offset of the readable or writable part. */
static const struct vq_seg *seek(const struct vq_chain *c, bool writable, uint64_t *offset,
				 unsigned *index)
{
	unsigned first = writable ? c->nread : 0;
	unsigned end = writable ? c->nread + c->nwrite : c->nread;
	for (unsigned i = first; i < end; i++) {
		if (*offset < c->segs[i].len) {
			*index = i;
			return &c->segs[i];
		}
		*offset -= c->segs[i].len;
	}
	return NULL;
}

static size_t copy_chain(const struct vq_chain *c, bool writable, uint64_t offset, void *buf,
			 size_t len)
{
	unsigned i = 0;
	const struct vq_seg *s = seek(c, writable, &offset, &i);
	unsigned end = writable ? c->nread + c->nwrite : c->nread;
	size_t done = 0;
	while (s && done < len) {
		size_t n = s->len - offset;
		if (n > len - done)
			n = len - done;
		if (writable)
			memcpy(s->host + offset, (const uint8_t *)buf + done, n);
		else
			memcpy((uint8_t *)buf + done, s->host + offset, n);
		done += n;
		offset = 0;
		s = ++i < end ? &c->segs[i] : NULL;
	}
	if (!writable)
		SNAPSHOT_BARRIER();
	return done;
}

size_t vq_chain_read(const struct vq_chain *c, uint64_t offset, void *dst, size_t len)
{
	return copy_chain(c, false, offset, dst, len);
}

size_t vq_chain_write(const struct vq_chain *c, uint64_t offset, const void *src, size_t len)
{
	return copy_chain(c, true, offset, (void *)(uintptr_t)src, len);
}

int vq_chain_iov(const struct vq_chain *c, bool writable, uint64_t offset, uint64_t len,
		 struct iovec *iov, unsigned max)
{
	uint64_t total = writable ? c->write_len : c->read_len;
	if (offset > total || len > total - offset)
		return -1;
	if (len == 0)
		return 0;
	unsigned i = 0;
	const struct vq_seg *s = seek(c, writable, &offset, &i);
	unsigned n = 0;
	while (len) {
		if (n == max)
			return -1;
		uint64_t take = s->len - offset;
		if (take > len)
			take = len;
		iov[n++] = (struct iovec){ s->host + offset, (size_t)take };
		len -= take;
		offset = 0;
		s = &c->segs[++i];
	}
	return (int)n;
}
