/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-net on a fake backend, driven through the transport by the fake driver: features
 * from the backend's offloads and the offloads set from the driver's choice, the MAC in the
 * configuration space, transmit (header and frame reach the backend; short, oversized and
 * unnegotiated-offload frames are dropped), receive with and without MRG_RXBUF (num_buffers),
 * no receive buffers (deliver says no, rx_ready follows the next kick), hostile chains, and
 * the --net parser.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>

#include "core/net_options.h"
#include "devices/virtio_net.h"
#include "virtio_fake_driver.h"

#define RXQ 0
#define TXQ 1
#define HDR sizeof(struct virtio_net_hdr_v1)
#define V1 (1ull << VIRTIO_F_VERSION_1)
#define F(bit) (1ull << (bit))

struct fake_be {
	struct net_backend be;
	net_deliver_fn deliver;
	void *opaque;
	uint8_t sent[70000];
	size_t sent_len;
	unsigned nsent;
	uint32_t offloads_set;
	unsigned set_calls, rx_ready_calls;
	bool destroyed;
};

static int fb_start(struct net_backend *be, net_deliver_fn deliver, void *opaque,
		    struct error *err)
{
	(void)err;
	struct fake_be *f = (struct fake_be *)be;
	f->deliver = deliver;
	f->opaque = opaque;
	return 0;
}

static int fb_send(struct net_backend *be, const struct iovec *iov, unsigned iovcnt)
{
	struct fake_be *f = (struct fake_be *)be;
	f->sent_len = 0;
	for (unsigned i = 0; i < iovcnt; i++) {
		memcpy(f->sent + f->sent_len, iov[i].iov_base, iov[i].iov_len);
		f->sent_len += iov[i].iov_len;
	}
	f->nsent++;
	return 0;
}

static void fb_rx_ready(struct net_backend *be)
{
	((struct fake_be *)be)->rx_ready_calls++;
}

static int fb_set_offloads(struct net_backend *be, uint32_t offloads)
{
	struct fake_be *f = (struct fake_be *)be;
	f->offloads_set = offloads;
	f->set_calls++;
	return 0;
}

static void fb_destroy(struct net_backend *be)
{
	((struct fake_be *)be)->destroyed = true;
}

static const struct net_backend_ops fb_ops = {
	fb_start, fb_send, fb_rx_ready, fb_set_offloads, fb_destroy,
};

struct fixture {
	struct fake_driver d;
	struct fake_be be;
};

static const uint8_t test_mac[6] = { 0x02, 0x00, 0x00, 0xaa, 0xbb, 0xcc };

static struct fixture *make(uint32_t offloads)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(fake_ram_init(&f->d), 0);
	f->be.be = (struct net_backend){ &fb_ops, offloads, "fake" };
	struct error err;
	struct virtio_mmio *t = virtio_net_create(&f->d.mem, &f->be.be, test_mac, 0, &err);
	assert_non_null(t);
	fake_attach(&f->d, t);
	return f;
}

static void unmake(struct fixture *f)
{
	virtio_net_destroy(f->d.t);
	assert_true(f->be.destroyed);
	fake_ram_free(&f->d);
	free(f);
}

static void start(struct fixture *f, uint64_t features)
{
	uint32_t status = fake_init_device(&f->d, V1 | features, 2);
	assert_true(status & VIRTIO_CONFIG_S_DRIVER_OK);
}

static bool needs_reset(struct fixture *f)
{
	return mmio_read(&f->d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/* Hand a frame (header + len bytes of pattern) to the device as the backend would. */
static bool deliver(struct fixture *f, size_t len, uint8_t seed)
{
	static uint8_t frame[70000];
	memset(frame, 0, HDR);
	for (size_t i = 0; i < len; i++)
		frame[HDR + i] = (uint8_t)(seed + i);
	struct iovec iov[2] = { { frame, HDR + len / 2 }, { frame + HDR + len / 2, len - len / 2 } };
	return f->be.deliver(f->be.opaque, iov, 2);
}

static uint64_t post_rx(struct fixture *f, uint32_t len)
{
	uint64_t gpa = fake_alloc(&f->d, len);
	fake_kick(&f->d, RXQ, fake_add_desc(&f->d, RXQ, gpa, len, VRING_DESC_F_WRITE));
	return gpa;
}

static void test_features_follow_backend(void **state)
{
	(void)state;
	struct fixture *f = make(NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO | NET_OFFLOAD_ECN);
	uint64_t offered = device_features(&f->d);
	assert_true(offered & F(VIRTIO_NET_F_MAC));
	assert_true(offered & F(VIRTIO_NET_F_STATUS));
	assert_true(offered & F(VIRTIO_NET_F_MRG_RXBUF));
	assert_true(offered & F(VIRTIO_NET_F_CSUM));
	assert_true(offered & F(VIRTIO_NET_F_GUEST_TSO6));
	assert_true(offered & F(VIRTIO_NET_F_HOST_ECN));
	assert_false(offered & F(VIRTIO_NET_F_HOST_UFO));
	assert_false(offered & F(VIRTIO_NET_F_CTRL_VQ));
	assert_false(offered & F(VIRTIO_NET_F_MQ));
	/* the driver takes checksums and TSO, not ECN: the backend gets exactly that */
	start(f, F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
			 F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_CSUM));
	assert_int_equal(f->be.set_calls, 1);
	assert_int_equal(f->be.offloads_set, NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO);
	/* a driver without GUEST_CSUM gets no offloaded frames at all */
	start(f, F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO6));
	assert_int_equal(f->be.offloads_set, 0);
	unmake(f);

	f = make(0);
	offered = device_features(&f->d);
	assert_false(offered & (F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_GUEST_CSUM) |
				F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_GUEST_TSO4)));
	/* offloads the device does not offer are refused at FEATURES_OK */
	uint32_t status = fake_init_device(&f->d, V1 | F(VIRTIO_NET_F_GUEST_CSUM), 2);
	assert_false(status & VIRTIO_CONFIG_S_DRIVER_OK);
	unmake(f);
}

static void test_config_mac_and_status(void **state)
{
	(void)state;
	struct fixture *f = make(0);
	start(f, F(VIRTIO_NET_F_MAC));
	uint8_t cfg[8];
	for (unsigned i = 0; i < 8; i++) {
		uint8_t b;
		virtio_mmio_access(f->d.t, VIRTIO_MMIO_CONFIG + i, &b, 1, false);
		cfg[i] = b;
	}
	assert_memory_equal(cfg, test_mac, 6);
	assert_int_equal(cfg[6] | cfg[7] << 8, VIRTIO_NET_S_LINK_UP);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	unmake(f);
}

static void test_transmit(void **state)
{
	(void)state;
	struct fixture *f = make(NET_OFFLOAD_CSUM);
	start(f, F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_CSUM));
	/* header in one descriptor, the frame in two */
	uint64_t h = fake_alloc(&f->d, HDR), a = fake_alloc(&f->d, 30), b = fake_alloc(&f->d, 34);
	struct virtio_net_hdr_v1 *hdr = fake_ptr(&f->d, h, HDR);
	hdr->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr->csum_start = 34;
	hdr->csum_offset = 6;
	memset(fake_ptr(&f->d, a, 30), 0xa5, 30);
	memset(fake_ptr(&f->d, b, 34), 0x5a, 34);
	uint16_t head = fake_add_desc(&f->d, TXQ, h, HDR, VRING_DESC_F_NEXT);
	fake_add_desc(&f->d, TXQ, a, 30, VRING_DESC_F_NEXT);
	fake_add_desc(&f->d, TXQ, b, 34, 0);
	fake_kick(&f->d, TXQ, head);
	uint32_t len = 99;
	assert_int_equal(fake_get_used(&f->d, TXQ, &len), head);
	assert_int_equal(len, 0);
	assert_int_equal(f->be.nsent, 1);
	assert_int_equal(f->be.sent_len, HDR + 64);
	const struct virtio_net_hdr_v1 *sent = (const void *)f->be.sent;
	assert_int_equal(sent->flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(sent->csum_start, 34);
	assert_int_equal(sent->csum_offset, 6);
	assert_int_equal(f->be.sent[HDR], 0xa5);
	assert_int_equal(f->be.sent[HDR + 63], 0x5a);
	assert_true(f->d.irq_raises >= 1);

	/* a short chain (not even a header), then TSO the driver did not negotiate: dropped,
	 * the buffers returned, the device still fine */
	head = fake_add_desc(&f->d, TXQ, h, 10, 0);
	fake_kick(&f->d, TXQ, head);
	assert_int_equal(fake_get_used(&f->d, TXQ, NULL), head);
	hdr->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	hdr->gso_size = 1448;
	head = fake_add_desc(&f->d, TXQ, h, HDR, VRING_DESC_F_NEXT);
	fake_add_desc(&f->d, TXQ, a, 30, 0);
	fake_kick(&f->d, TXQ, head);
	assert_int_equal(fake_get_used(&f->d, TXQ, NULL), head);
	assert_int_equal(f->be.nsent, 1);
	/* a 1 MiB "frame" */
	uint64_t big = fake_alloc(&f->d, MiB(1));
	head = fake_add_desc(&f->d, TXQ, big, MiB(1), 0);
	fake_kick(&f->d, TXQ, head);
	assert_int_equal(fake_get_used(&f->d, TXQ, NULL), head);
	assert_int_equal(f->be.nsent, 1);
	assert_false(needs_reset(f));
	unmake(f);
}

/* NEEDS_CSUM is a promise only VIRTIO_NET_F_CSUM lets the driver make: without it, dropped. */
static void test_transmit_csum_needs_feature(void **state)
{
	(void)state;
	struct fixture *f = make(NET_OFFLOAD_CSUM); /* offered, but not taken by the driver */
	start(f, F(VIRTIO_NET_F_MAC));
	uint64_t h = fake_alloc(&f->d, HDR + 64);
	struct virtio_net_hdr_v1 *hdr = fake_ptr(&f->d, h, HDR + 64);
	hdr->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	hdr->csum_start = 34;
	hdr->csum_offset = 6;
	uint16_t head = fake_add_desc(&f->d, TXQ, h, HDR + 64, 0);
	fake_kick(&f->d, TXQ, head);
	assert_int_equal(fake_get_used(&f->d, TXQ, NULL), head);
	assert_int_equal(f->be.nsent, 0);
	/* the same frame without the flag goes out */
	hdr->flags = 0;
	head = fake_add_desc(&f->d, TXQ, h, HDR + 64, 0);
	fake_kick(&f->d, TXQ, head);
	assert_int_equal(fake_get_used(&f->d, TXQ, NULL), head);
	assert_int_equal(f->be.nsent, 1);
	assert_int_equal(f->be.sent_len, HDR + 64);
	assert_false(needs_reset(f));
	unmake(f);
}

static void test_receive_mergeable(void **state)
{
	(void)state;
	struct fixture *f = make(0);
	start(f, F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_MRG_RXBUF));
	uint64_t b[3];
	for (int i = 0; i < 3; i++)
		b[i] = post_rx(f, 64);
	assert_int_equal(f->be.rx_ready_calls, 4); /* DRIVER_OK and each kick */
	unsigned irqs = f->d.irq_raises;
	assert_true(deliver(f, 150, 7)); /* 162 bytes: 64 + 64 + 34 */
	uint32_t len;
	assert_int_equal(fake_get_used(&f->d, RXQ, &len), 0);
	assert_int_equal(len, 64);
	assert_int_equal(fake_get_used(&f->d, RXQ, &len), 1);
	assert_int_equal(len, 64);
	assert_int_equal(fake_get_used(&f->d, RXQ, &len), 2);
	assert_int_equal(len, 34);
	const struct virtio_net_hdr_v1 *h = fake_ptr(&f->d, b[0], HDR);
	assert_int_equal(h->num_buffers, 3);
	const uint8_t *p = fake_ptr(&f->d, b[0], 64);
	assert_int_equal(p[HDR], 7);
	p = fake_ptr(&f->d, b[2], 34);
	assert_int_equal(p[33], (uint8_t)(7 + 149));
	assert_true(f->d.irq_raises > irqs);

	/* two buffers left for a frame needing three: nothing used, deliver says wait */
	post_rx(f, 64);
	post_rx(f, 64);
	assert_false(deliver(f, 150, 1));
	assert_int_equal(fake_get_used(&f->d, RXQ, NULL), -1);
	unsigned ready = f->be.rx_ready_calls;
	post_rx(f, 64);
	assert_int_equal(f->be.rx_ready_calls, ready + 1);
	assert_true(deliver(f, 150, 1));
	assert_int_equal(fake_get_used(&f->d, RXQ, NULL), 3);
	unmake(f);
}

static void test_receive_single_buffer(void **state)
{
	(void)state;
	struct fixture *f = make(0);
	start(f, F(VIRTIO_NET_F_MAC));
	uint64_t small = post_rx(f, 64);
	/* too big for the buffer: dropped, the buffer stays available */
	assert_true(deliver(f, 200, 0));
	assert_int_equal(fake_get_used(&f->d, RXQ, NULL), -1);
	assert_true(deliver(f, 40, 3));
	uint32_t len;
	assert_int_equal(fake_get_used(&f->d, RXQ, &len), 0);
	assert_int_equal(len, HDR + 40);
	const struct virtio_net_hdr_v1 *h = fake_ptr(&f->d, small, HDR);
	assert_int_equal(h->num_buffers, 1);
	assert_int_equal(((const uint8_t *)fake_ptr(&f->d, small, 64))[HDR + 39], 3 + 39);
	unmake(f);
}

static void test_no_buffers(void **state)
{
	(void)state;
	struct fixture *f = make(0);
	/* before DRIVER_OK: the link is down, frames are dropped, nothing waits */
	assert_true(deliver(f, 60, 0));
	start(f, F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_RING_F_EVENT_IDX));
	assert_false(deliver(f, 60, 0));
	assert_false(deliver(f, 60, 0));
	unsigned ready = f->be.rx_ready_calls;
	post_rx(f, 2048);
	assert_int_equal(f->be.rx_ready_calls, ready + 1);
	assert_true(deliver(f, 60, 0));
	assert_int_equal(fake_get_used(&f->d, RXQ, NULL), 0);
	/* runt and giant frames from the backend are dropped without using a buffer */
	post_rx(f, 2048);
	assert_true(deliver(f, 4, 0));
	assert_int_equal(fake_get_used(&f->d, RXQ, NULL), -1);
	unmake(f);
}

static void test_hostile_rx(void **state)
{
	(void)state;
	struct fixture *f = make(0);
	start(f, F(VIRTIO_NET_F_MRG_RXBUF));
	/* a receive buffer smaller than the header: the device needs a reset */
	post_rx(f, 4);
	assert_true(deliver(f, 60, 0));
	assert_true(needs_reset(f));
	assert_true(deliver(f, 60, 0)); /* and drops frames until then */
	/* after a reset, a device-readable-only rx chain is the same mistake */
	start(f, F(VIRTIO_NET_F_MRG_RXBUF));
	uint64_t gpa = fake_alloc(&f->d, 256);
	fake_kick(&f->d, RXQ, fake_add_desc(&f->d, RXQ, gpa, 256, 0));
	assert_true(deliver(f, 60, 0));
	assert_true(needs_reset(f));
	/* a ring index that runs ahead of the queue size */
	start(f, F(VIRTIO_NET_F_MRG_RXBUF));
	fake_avail(&f->d, RXQ)->idx = 1000;
	mmio_write(&f->d, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
	assert_true(deliver(f, 60, 0));
	assert_true(needs_reset(f));
	/* a descriptor outside guest RAM */
	start(f, F(VIRTIO_NET_F_MRG_RXBUF));
	fake_kick(&f->d, RXQ, fake_add_desc(&f->d, RXQ, FAKE_RAM_SIZE - 16, 4096,
					    VRING_DESC_F_WRITE));
	assert_true(deliver(f, 60, 0));
	assert_true(needs_reset(f));
	unmake(f);
}

static void test_net_options(void **state)
{
	(void)state;
	struct vm_config cfg;
	struct error err;
	vm_config_defaults(&cfg);
	char a[] = "tap=tap0,mac=02:AA:bb:00:00:01", b[] = "user", c[] = "user,hostfwd=udp::5555-:7";
	assert_int_equal(net_options_add(&cfg, a, &err), 0);
	assert_int_equal(cfg.nets[0].kind, NET_TAP);
	assert_string_equal(cfg.nets[0].tap_name, "tap0");
	assert_true(cfg.nets[0].mac_set);
	assert_int_equal(cfg.nets[0].mac[1], 0xaa);
	assert_int_equal(net_options_add(&cfg, b, &err), 0);
	assert_int_equal(cfg.nets[1].kind, NET_USER);
	assert_null(cfg.nets[1].user_opts);
	assert_int_equal(net_options_add(&cfg, c, &err), 0);
	assert_string_equal(cfg.nets[2].user_opts, "hostfwd=udp::5555-:7");
	char d[] = "tap=x,mac=01:00:00:00:00:00", e[] = "tap=x,mtu=9000", g[] = "tap=",
	     h[] = "tap=y", i[] = "tap=z";
	assert_int_equal(net_options_add(&cfg, d, &err), -1);
	assert_non_null(strstr(err.msg, "multicast"));
	assert_int_equal(net_options_add(&cfg, e, &err), -1);
	assert_non_null(strstr(err.msg, "unknown option 'mtu=9000'"));
	assert_int_equal(net_options_add(&cfg, g, &err), -1);
	assert_int_equal(net_options_add(&cfg, h, &err), 0);
	assert_int_equal(net_options_add(&cfg, i, &err), -1);
	assert_non_null(strstr(err.msg, "more than 4"));
	uint8_t mac[6];
	assert_int_equal(net_parse_mac("00:00:00:00:00:00", mac, &err), -1);
	assert_int_equal(net_parse_mac("02:00:00:00:00:01:", mac, &err), -1);

	/* generated MACs: locally administered unicast, stable, different per id and index */
	uint8_t m1[6], m2[6], m3[6], m4[6];
	virtio_net_default_mac("vm1", &cfg.nets[0], 0, m1);
	virtio_net_default_mac("vm1", &cfg.nets[0], 0, m2);
	virtio_net_default_mac("vm1", &cfg.nets[0], 1, m3);
	virtio_net_default_mac(NULL, &cfg.nets[0], 0, m4);
	assert_memory_equal(m1, m2, 6);
	assert_memory_not_equal(m1, m3, 6);
	assert_memory_not_equal(m1, m4, 6);
	assert_int_equal(m1[0] & 3, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_features_follow_backend),
		cmocka_unit_test(test_config_mac_and_status),
		cmocka_unit_test(test_transmit),
		cmocka_unit_test(test_transmit_csum_needs_feature),
		cmocka_unit_test(test_receive_mergeable),
		cmocka_unit_test(test_receive_single_buffer),
		cmocka_unit_test(test_no_buffers),
		cmocka_unit_test(test_hostile_rx),
		cmocka_unit_test(test_net_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
