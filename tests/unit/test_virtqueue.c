/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The split-virtqueue walker against a fake guest RAM: good chains, and every hostile ring a
 * guest can build (addresses outside RAM or in the MMIO hole, loops, over-long chains, huge
 * lengths, bad indirect tables, a runaway avail index, bad queue sizes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/guest_mem.h"
#include "fake_ram.h"
#include "devices/virtqueue.h"

#define RAM_SIZE MiB(16)
#define QSIZE 8
#define DESC_GPA 0x10000ull
#define AVAIL_GPA 0x11000ull
#define USED_GPA 0x12000ull
#define BUF_GPA 0x100000ull

struct fixture {
	struct guest_mem mem;
	struct virtqueue vq;
	struct vq_chain chain;
	struct error err;
};

static struct virtqueue_setup good_setup(uint16_t size, bool event_idx, bool indirect)
{
	return (struct virtqueue_setup){
		.size = size,
		.max_size = VIRTQUEUE_MAX_SIZE,
		.desc_gpa = DESC_GPA,
		.avail_gpa = AVAIL_GPA,
		.used_gpa = USED_GPA,
		.event_idx = event_idx,
		.indirect = indirect,
	};
}

static int setup_with(void **state, bool event_idx, bool indirect)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || fake_guest_ram_alloc(&f->mem, RAM_SIZE) < 0) {
		free(f);
		return -1;
	}
	struct virtqueue_setup s = good_setup(QSIZE, event_idx, indirect);
	if (virtqueue_enable(&f->vq, &f->mem, &s, &f->err) < 0)
		return -1;
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_with(state, false, true);
}

static int setup_event_idx(void **state)
{
	return setup_with(state, true, true);
}

static int setup_no_indirect(void **state)
{
	return setup_with(state, false, false);
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fake_guest_ram_free(&f->mem);
	free(f);
	return 0;
}

/* ------------------------------------------------------------------------ driver side */

static struct vring_desc *desc(struct fixture *f, unsigned i)
{
	return (struct vring_desc *)gpa_range(&f->mem, DESC_GPA + 16 * i, 16);
}

static struct vring_avail *avail(struct fixture *f)
{
	return gpa_range(&f->mem, AVAIL_GPA, 4 + 2 * QSIZE + 2);
}

static struct vring_used *used(struct fixture *f)
{
	return gpa_range(&f->mem, USED_GPA, 4 + 8 * QSIZE + 2);
}

static void set_desc(struct vring_desc *d, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	d->addr = addr;
	d->len = len;
	d->flags = flags;
	d->next = next;
}

/* Put head in the avail ring and publish it. */
static void publish(struct fixture *f, uint16_t head)
{
	struct vring_avail *a = avail(f);
	a->ring[a->idx % QSIZE] = head;
	a->idx++;
}

static int pop(struct fixture *f)
{
	return virtqueue_pop(&f->vq, &f->chain, &f->err);
}

/* One descriptor at 0 pointing at gpa/len; expect the walker to refuse it. */
static void assert_buffer_refused(struct fixture *f, uint64_t gpa, uint32_t len)
{
	set_desc(desc(f, 0), gpa, len, VRING_DESC_F_WRITE, 0);
	publish(f, 0);
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "not guest RAM"));
}

/* ------------------------------------------------------------------------ setup */

static void test_setup_rejects_bad_sizes(void **state)
{
	struct fixture *f = *state;
	struct virtqueue vq;
	struct virtqueue_setup s = good_setup(0, false, false);
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	assert_false(vq.enabled);
	s.size = 512; /* above VIRTQUEUE_MAX_SIZE */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s.size = 16;
	s.max_size = 8; /* above what the device offered */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(100, false, false); /* split rings: powers of two only */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	assert_non_null(strstr(f->err.msg, "power of two"));
	s.size = 0xffff;
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s.size = 1;
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), 0);
	s.size = VIRTQUEUE_MAX_SIZE;
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), 0);
}

static void test_setup_rejects_bad_rings(void **state)
{
	struct fixture *f = *state;
	struct virtqueue vq;
	struct virtqueue_setup s = good_setup(QSIZE, true, false);
	s.desc_gpa = DESC_GPA + 8; /* descriptors need 16-byte alignment */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(QSIZE, true, false);
	s.avail_gpa = AVAIL_GPA + 1;
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(QSIZE, true, false);
	s.used_gpa = USED_GPA + 2;
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(QSIZE, true, false);
	s.used_gpa = RAM_SIZE - 16; /* used ring runs past the end of RAM */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(QSIZE, true, false);
	s.desc_gpa = 0xfeb00000; /* the virtio MMIO window */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	s = good_setup(QSIZE, true, false);
	s.avail_gpa = 0xfffffffffffffff0ull; /* wraps */
	assert_int_equal(virtqueue_enable(&vq, &f->mem, &s, &f->err), -1);
	assert_false(vq.enabled);
}

/* ------------------------------------------------------------------------ good chains */

static void test_empty_ring(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(pop(f), 0);
}

static void test_simple_chain(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 3), BUF_GPA, 16, VRING_DESC_F_NEXT, 5);
	set_desc(desc(f, 5), BUF_GPA + 0x1000, 512, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(desc(f, 1), BUF_GPA + 0x2000, 1, VRING_DESC_F_WRITE, 0);
	publish(f, 3);
	assert_int_equal(pop(f), 1);
	struct vq_chain *c = &f->chain;
	assert_int_equal(c->head, 3);
	assert_int_equal(c->nread, 1);
	assert_int_equal(c->nwrite, 2);
	assert_int_equal(c->read_len, 16);
	assert_int_equal(c->write_len, 513);
	assert_ptr_equal(c->segs[0].host, f->mem.host + BUF_GPA);
	assert_ptr_equal(c->segs[2].host, f->mem.host + BUF_GPA + 0x2000);
	assert_int_equal(pop(f), 0);
}

/* Chains popped but not used go back in order and come out again, unchanged. */
static void test_unpop(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 2), BUF_GPA, 64, VRING_DESC_F_WRITE, 0);
	set_desc(desc(f, 4), BUF_GPA + 0x1000, 128, VRING_DESC_F_WRITE, 0);
	publish(f, 2);
	publish(f, 4);
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(pop(f), 0);
	virtqueue_unpop(&f->vq, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.head, 2);
	virtqueue_unpop(&f->vq, 1);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.head, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.head, 4);
	assert_int_equal(f->chain.write_len, 128);
	assert_int_equal(pop(f), 0);
	assert_int_equal(used(f)->idx, 0); /* nothing was handed back to the driver */
}

static void test_used_ring_and_interrupt_flags(void **state)
{
	struct fixture *f = *state;
	virtqueue_push(&f->vq, 6, 123);
	assert_int_equal(used(f)->idx, 1);
	assert_int_equal(used(f)->ring[0].id, 6);
	assert_int_equal(used(f)->ring[0].len, 123);
	assert_true(virtqueue_should_notify(&f->vq));
	avail(f)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	virtqueue_push(&f->vq, 2, 0);
	assert_int_equal(used(f)->idx, 2);
	assert_false(virtqueue_should_notify(&f->vq));
	/* The used ring wraps at the queue size. */
	for (unsigned i = 0; i < QSIZE; i++)
		virtqueue_push(&f->vq, (uint16_t)i, i);
	assert_int_equal(used(f)->idx, 2 + QSIZE);
	assert_int_equal(used(f)->ring[1].id, QSIZE - 1);
	assert_false(virtqueue_rearm(&f->vq)); /* no EVENT_IDX: nothing to do */
}

static void test_event_idx(void **state)
{
	struct fixture *f = *state;
	uint16_t *used_event = &avail(f)->ring[QSIZE];
	uint16_t *avail_event = (uint16_t *)&used(f)->ring[QSIZE];
	*used_event = 2; /* interrupt when used idx goes past 2 */
	virtqueue_push(&f->vq, 0, 0);
	assert_true(virtqueue_should_notify(&f->vq)); /* the first decision always signals */
	virtqueue_push(&f->vq, 0, 0);
	assert_false(virtqueue_should_notify(&f->vq)); /* idx 2: not past used_event yet */
	virtqueue_push(&f->vq, 0, 0);
	assert_true(virtqueue_should_notify(&f->vq)); /* 2 -> 3 crosses used_event */
	virtqueue_push(&f->vq, 0, 0);
	assert_false(virtqueue_should_notify(&f->vq));
	avail(f)->flags = 0;

	set_desc(desc(f, 0), BUF_GPA, 8, 0, 0);
	publish(f, 0);
	assert_int_equal(pop(f), 1);
	assert_false(virtqueue_rearm(&f->vq));
	assert_int_equal(*avail_event, 1);
	publish(f, 0); /* arrives while we look away: rearm says so */
	assert_true(virtqueue_rearm(&f->vq));
}

static void test_chain_data_access(void **state)
{
	struct fixture *f = *state;
	uint8_t *ram = f->mem.host;
	memcpy(ram + BUF_GPA, "abc", 3);
	memcpy(ram + BUF_GPA + 0x100, "defgh", 5);
	set_desc(desc(f, 0), BUF_GPA, 3, VRING_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), BUF_GPA + 0x100, 5, VRING_DESC_F_NEXT, 2);
	set_desc(desc(f, 2), BUF_GPA + 0x200, 2, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 3);
	set_desc(desc(f, 3), BUF_GPA + 0x300, 4, VRING_DESC_F_WRITE, 0);
	publish(f, 0);
	assert_int_equal(pop(f), 1);
	char buf[16] = "";
	assert_int_equal(vq_chain_read(&f->chain, 1, buf, 6), 6);
	assert_memory_equal(buf, "bcdefg", 6);
	assert_int_equal(vq_chain_read(&f->chain, 6, buf, 16), 2); /* only 8 readable bytes */
	assert_int_equal(vq_chain_write(&f->chain, 1, "XYZW", 4), 4);
	assert_memory_equal(ram + BUF_GPA + 0x201, "X", 1);
	assert_memory_equal(ram + BUF_GPA + 0x300, "YZW", 3);
	assert_int_equal(vq_chain_write(&f->chain, 5, "12", 2), 1);

	struct iovec iov[4];
	assert_int_equal(vq_chain_iov(&f->chain, false, 2, 4, iov, 4), 2);
	assert_ptr_equal(iov[0].iov_base, ram + BUF_GPA + 2);
	assert_int_equal(iov[0].iov_len, 1);
	assert_int_equal(iov[1].iov_len, 3);
	assert_int_equal(vq_chain_iov(&f->chain, true, 0, 6, iov, 4), 2);
	assert_int_equal(vq_chain_iov(&f->chain, true, 0, 7, iov, 4), -1); /* past the end */
	assert_int_equal(vq_chain_iov(&f->chain, true, 0, 6, iov, 1), -1); /* too few iovecs */
	assert_int_equal(vq_chain_iov(&f->chain, false, 8, 0, iov, 4), 0);
}

static void test_zero_length_descriptor_skipped(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 0), BUF_GPA, 0, VRING_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), BUF_GPA, 4, 0, 0);
	publish(f, 0);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.nread, 1);
	assert_int_equal(f->chain.read_len, 4);
}

/* ------------------------------------------------------------------------ hostile buffers */

static void test_buffer_outside_ram(void **state)
{
	assert_buffer_refused(*state, RAM_SIZE, 1);
}

static void test_buffer_crossing_end_of_ram(void **state)
{
	assert_buffer_refused(*state, RAM_SIZE - 0x800, 0x1000);
}

static void test_buffer_4gib_length(void **state)
{
	assert_buffer_refused(*state, BUF_GPA, 0xffffffffu);
}

static void test_buffer_address_wraps(void **state)
{
	assert_buffer_refused(*state, 0xfffffffffffff000ull, 0x2000);
}

static void test_buffer_in_mmio_window(void **state)
{
	assert_buffer_refused(*state, 0xfeb00000ull, 0x200);
}

/* A guest with RAM on both sides of the 32-bit hole (3 GiB low, 16 MiB above 4 GiB). */
static void test_buffer_into_mmio_hole(void **state)
{
	(void)state;
	struct guest_mem mem;
	if (guest_mem_alloc(&mem, GiB(3) + MiB(16)) < 0)
		skip(); /* no address space for it here */
	struct virtqueue vq;
	struct error err;
	struct vq_chain *chain = malloc(sizeof(*chain));
	assert_non_null(chain);
	struct virtqueue_setup s = good_setup(QSIZE, false, false);
	assert_int_equal(virtqueue_enable(&vq, &mem, &s, &err), 0);
	struct vring_desc *d = gpa_range(&mem, DESC_GPA, 16);
	struct vring_avail *a = gpa_range(&mem, AVAIL_GPA, 4 + 2 * QSIZE);
	static const struct {
		uint64_t gpa;
		uint32_t len;
		bool ok;
	} cases[] = {
		{ GiB(3) - 0x1000, 0x1000, true },  /* last page below the hole */
		{ GiB(3) - 0x1000, 0x1001, false }, /* one byte into the hole */
		{ GiB(3), 1, false },
		{ 0xfec00000ull, 4, false },        /* the IOAPIC */
		{ GiB(4) - 1, 2, false },           /* across the top of the hole */
		{ GiB(4), 0x1000, true },           /* high RAM */
		{ GiB(4) + MiB(16) - 1, 1, true },
		{ GiB(4) + MiB(16) - 1, 2, false }, /* past the end of high RAM */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_desc(d, cases[i].gpa, cases[i].len, 0, 0);
		a->ring[a->idx % QSIZE] = 0;
		a->idx++;
		int rc = virtqueue_pop(&vq, chain, &err);
		assert_int_equal(rc, cases[i].ok ? 1 : -1);
		if (!cases[i].ok)
			vq.last_avail++; /* a device would need a reset; step over for the next case */
	}
	free(chain);
	guest_mem_free(&mem);
}

/* ------------------------------------------------------------------------ hostile chains */

static void test_chain_loop(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 0), BUF_GPA, 8, VRING_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), BUF_GPA, 8, VRING_DESC_F_NEXT, 2);
	set_desc(desc(f, 2), BUF_GPA, 8, VRING_DESC_F_NEXT, 0);
	publish(f, 0);
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "loops"));
}

static void test_chain_self_loop(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 4), BUF_GPA, 8, VRING_DESC_F_NEXT, 4);
	publish(f, 4);
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "loops"));
}

static void test_chain_next_out_of_range(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 0), BUF_GPA, 8, VRING_DESC_F_NEXT, QSIZE);
	publish(f, 0);
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "out of range"));
}

/* QSIZE - 1 direct descriptors, then an indirect table of QSIZE more: QSIZE + 7 buffers. */
static void test_chain_longer_than_queue(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < QSIZE - 1; i++)
		set_desc(desc(f, i), BUF_GPA, 8, VRING_DESC_F_NEXT, (uint16_t)(i + 1));
	const uint64_t table = 0x20000;
	set_desc(desc(f, QSIZE - 1), table, 16 * QSIZE, VRING_DESC_F_INDIRECT, 0);
	for (unsigned i = 0; i < QSIZE; i++)
		set_desc(gpa_range(&f->mem, table + 16 * i, 16), BUF_GPA, 8,
			 i + 1 < QSIZE ? VRING_DESC_F_NEXT : 0, (uint16_t)(i + 1));
	publish(f, 0);
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "longer than the queue size"));
}

static void test_readable_after_writable(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 0), BUF_GPA, 8, VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(desc(f, 1), BUF_GPA, 8, 0, 0);
	publish(f, 0);
	assert_int_equal(pop(f), -1);
}

static void test_avail_index_runaway(void **state)
{
	struct fixture *f = *state;
	set_desc(desc(f, 0), BUF_GPA, 8, 0, 0);
	avail(f)->idx = QSIZE + 1;
	assert_int_equal(pop(f), -1);
	assert_non_null(strstr(f->err.msg, "moved by"));
	avail(f)->idx = 0xffff; /* "behind" us: also more than a queue's worth */
	assert_int_equal(pop(f), -1);
	avail(f)->idx = QSIZE; /* exactly a full ring is fine */
	assert_int_equal(pop(f), 1);
}

static void test_head_out_of_range(void **state)
{
	struct fixture *f = *state;
	publish(f, 0xffff);
	assert_int_equal(pop(f), -1);
}

/* ------------------------------------------------------------------------ indirect */

static void test_indirect_table(void **state)
{
	struct fixture *f = *state;
	const uint64_t table = 0x20008; /* tables need no alignment */
	set_desc(desc(f, 2), table, 3 * 16, VRING_DESC_F_INDIRECT | VRING_DESC_F_WRITE, 0);
	set_desc(gpa_range(&f->mem, table, 16), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	set_desc(gpa_range(&f->mem, table + 32, 16), BUF_GPA + 0x100, 4096,
		 VRING_DESC_F_NEXT | VRING_DESC_F_WRITE, 1);
	set_desc(gpa_range(&f->mem, table + 16, 16), BUF_GPA + 0x2000, 1, VRING_DESC_F_WRITE, 0);
	publish(f, 2);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.head, 2);
	assert_int_equal(f->chain.nread, 1);
	assert_int_equal(f->chain.nwrite, 2);
	assert_int_equal(f->chain.write_len, 4097);
}

static void test_direct_then_indirect(void **state)
{
	struct fixture *f = *state;
	const uint64_t table = 0x20000;
	set_desc(desc(f, 0), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(desc(f, 1), table, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(gpa_range(&f->mem, table, 16), BUF_GPA + 0x1000, 1, VRING_DESC_F_WRITE, 0);
	publish(f, 0);
	assert_int_equal(pop(f), 1);
	assert_int_equal(f->chain.nread, 1);
	assert_int_equal(f->chain.nwrite, 1);
}

static void assert_indirect_refused(struct fixture *f, uint64_t table, uint32_t len,
				    uint16_t flags, const char *why)
{
	set_desc(desc(f, 0), table, len, VRING_DESC_F_INDIRECT | flags, 1);
	publish(f, 0);
	assert_int_equal(pop(f), -1);
	if (!strstr(f->err.msg, why))
		fail_msg("expected '%s' in '%s'", why, f->err.msg);
}

static void test_indirect_table_outside_ram(void **state)
{
	assert_indirect_refused(*state, RAM_SIZE - 16, 32, 0, "not guest RAM");
}

static void test_indirect_table_in_mmio_hole(void **state)
{
	assert_indirect_refused(*state, 0xfeb00000ull, 32, 0, "not guest RAM");
}

static void test_indirect_bad_length(void **state)
{
	assert_indirect_refused(*state, 0x20000, 24, 0, "multiple of 16");
}

static void test_indirect_zero_length(void **state)
{
	assert_indirect_refused(*state, 0x20000, 0, 0, "multiple of 16");
}

static void test_indirect_too_many_entries(void **state)
{
	assert_indirect_refused(*state, 0x20000, 16 * (QSIZE + 1), 0, "entries");
}

static void test_indirect_with_next(void **state)
{
	assert_indirect_refused(*state, 0x20000, 16, VRING_DESC_F_NEXT, "NEXT");
}

static void test_indirect_nested(void **state)
{
	struct fixture *f = *state;
	set_desc(gpa_range(&f->mem, 0x20000, 16), 0x21000, 16, VRING_DESC_F_INDIRECT, 0);
	set_desc(gpa_range(&f->mem, 0x21000, 16), BUF_GPA, 16, 0, 0);
	assert_indirect_refused(f, 0x20000, 16, 0, "nested");
}

static void test_indirect_loop(void **state)
{
	struct fixture *f = *state;
	set_desc(gpa_range(&f->mem, 0x20000, 16), BUF_GPA, 16, VRING_DESC_F_NEXT, 1);
	set_desc(gpa_range(&f->mem, 0x20010, 16), BUF_GPA, 16, VRING_DESC_F_NEXT, 0);
	assert_indirect_refused(f, 0x20000, 32, 0, "loops");
}

static void test_indirect_next_out_of_table(void **state)
{
	struct fixture *f = *state;
	set_desc(gpa_range(&f->mem, 0x20000, 16), BUF_GPA, 16, VRING_DESC_F_NEXT, 2);
	assert_indirect_refused(f, 0x20000, 32, 0, "out of range");
}

static void test_indirect_not_negotiated(void **state)
{
	struct fixture *f = *state;
	set_desc(gpa_range(&f->mem, 0x20000, 16), BUF_GPA, 16, 0, 0);
	assert_indirect_refused(f, 0x20000, 16, 0, "INDIRECT_DESC");
}

/* ------------------------------------------------------------------------ random rings */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Addresses near the interesting edges: RAM, its end, the hole, wrap-around. */
static uint64_t random_address(void)
{
	static const uint64_t anchors[] = { 0, BUF_GPA, 0x20000, RAM_SIZE, GiB(3), GiB(4),
					    0xfeb00000ull, 0xfffffffffffff000ull };
	uint64_t base = anchors[next_random() % (sizeof(anchors) / sizeof(anchors[0]))];
	return base + (next_random() % 0x2000) - 0x1000;
}

/* Whatever the ring holds, the walker ends, and every segment it returns is inside RAM. */
static void test_random_rings_stay_in_ram(void **state)
{
	struct fixture *f = *state;
	uint8_t *lo = f->mem.host, *hi = f->mem.host + RAM_SIZE;
	unsigned accepted = 0;
	for (unsigned round = 0; round < 20000; round++) {
		for (unsigned i = 0; i < QSIZE; i++) {
			uint16_t flags = (uint16_t)(next_random() & 7);
			uint32_t len = (uint32_t)(next_random() % 4 ? next_random() % 0x1800
								  : next_random());
			set_desc(desc(f, i), random_address(), len, flags,
				 (uint16_t)(next_random() % (QSIZE + 2)));
		}
		for (unsigned i = 0; i < 4; i++) /* an indirect table in RAM, random content */
			set_desc(gpa_range(&f->mem, 0x20000 + 16 * i, 16), random_address(),
				 (uint32_t)(next_random() % 0x1800), (uint16_t)(next_random() & 7),
				 (uint16_t)(next_random() % 5));
		if (next_random() % 2)
			set_desc(desc(f, next_random() % QSIZE), 0x20000, 64, VRING_DESC_F_INDIRECT, 0);
		publish(f, (uint16_t)(next_random() % (QSIZE + 1)));
		int rc = pop(f);
		if (rc < 0) {
			f->vq.last_avail = avail(f)->idx; /* start over, as after a reset */
			continue;
		}
		assert_int_equal(rc, 1);
		accepted++;
		struct vq_chain *c = &f->chain;
		assert_true(c->nread + c->nwrite <= QSIZE);
		for (unsigned i = 0; i < c->nread + c->nwrite; i++) {
			assert_true(c->segs[i].host >= lo);
			assert_true(c->segs[i].len <= (size_t)(hi - c->segs[i].host));
		}
	}
	assert_true(accepted > 0); /* the generator does make good chains too */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_setup_rejects_bad_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setup_rejects_bad_rings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_ring, setup, teardown),
		cmocka_unit_test_setup_teardown(test_simple_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_used_ring_and_interrupt_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_idx, setup_event_idx, teardown),
		cmocka_unit_test_setup_teardown(test_chain_data_access, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_descriptor_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_crossing_end_of_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_4gib_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_address_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_buffer_in_mmio_window, setup, teardown),
		cmocka_unit_test(test_buffer_into_mmio_hole),
		cmocka_unit_test_setup_teardown(test_chain_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_self_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_next_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_longer_than_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_readable_after_writable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_avail_index_runaway, setup, teardown),
		cmocka_unit_test_setup_teardown(test_head_out_of_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_direct_then_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_table_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_table_in_mmio_hole, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_bad_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_zero_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_too_many_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_with_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_loop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_next_out_of_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect_not_negotiated, setup_no_indirect,
						teardown),
		cmocka_unit_test_setup_teardown(test_random_rings_stay_in_ram, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
