/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtio-vsock device with its host side, driven by the fake driver (no KVM): the config
 * space, RSTs for stray and malformed packets with the device still working, and a
 * host-initiated connection end to end (CONNECT, REQUEST, RESPONSE, OK, bytes both ways).
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_ids.h>
#include <linux/virtio_vsock.h>

#include "core/sandbox.h"
#include "devices/virtio_vsock.h"
#include "virtio_fake_driver.h"

#define CID 42u
#define HDR sizeof(struct virtio_vsock_hdr)
#define RX_LEN 4096u

struct fixture {
	struct fake_driver d;
	char path[64];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	assert_int_equal(fake_ram_init(&f->d), 0);
	snprintf(f->path, sizeof(f->path), "/tmp/millivm-unit-vsock.%d", (int)getpid());
	struct vsock_config cfg = { .enabled = true, .guest_cid = CID, .uds_path = f->path };
	struct error err;
	sandbox_set_mode(SANDBOX_OFF); /* the host thread would enter its role */
	struct virtio_mmio *t = virtio_vsock_create(&f->d.mem, &cfg, &err);
	if (!t)
		fail_msg("%s", err.msg);
	fake_attach(&f->d, t);
	assert_int_equal(mmio_read(&f->d, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_VSOCK);
	uint32_t status = fake_init_device(&f->d, 1ull << VIRTIO_F_VERSION_1, 3);
	assert_true(status & VIRTIO_CONFIG_S_DRIVER_OK);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	virtio_vsock_destroy(f->d.t);
	unlink(f->path);
	fake_ram_free(&f->d);
	free(f);
	return 0;
}

static void post_rx(struct fake_driver *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fake_kick(d, VSOCK_RXQ, fake_add_desc(d, VSOCK_RXQ, fake_alloc(d, RX_LEN), RX_LEN,
						       VRING_DESC_F_WRITE));
}

/* Send a packet: header (hdr_len bytes of h), then data. */
static void send_pkt(struct fake_driver *d, const struct virtio_vsock_hdr *h, uint32_t hdr_len,
		     const void *data, uint32_t len)
{
	uint64_t gpa = fake_alloc(d, HDR + len);
	memcpy(fake_ptr(d, gpa, HDR), h, HDR);
	if (len)
		memcpy(fake_ptr(d, gpa + HDR, len), data, len);
	uint16_t head = fake_add_desc(d, VSOCK_TXQ, gpa, hdr_len,
				      len ? VRING_DESC_F_NEXT : 0);
	if (len)
		fake_add_desc(d, VSOCK_TXQ, gpa + HDR, len, 0);
	fake_kick(d, VSOCK_TXQ, head);
	assert_true(fake_get_used(d, VSOCK_TXQ, NULL) >= 0);
}

static struct virtio_vsock_hdr hdr(uint32_t src_port, uint32_t dst_port, uint16_t op,
				   uint32_t len)
{
	return (struct virtio_vsock_hdr){
		.src_cid = htole64(CID), .dst_cid = htole64(2), .src_port = htole32(src_port),
		.dst_port = htole32(dst_port), .len = htole32(len),
		.type = htole16(VIRTIO_VSOCK_TYPE_STREAM), .op = htole16(op),
		.buf_alloc = htole32(65536),
	};
}

/* The next rx packet (waits for the host thread); returns its header, data into buf. */
static struct virtio_vsock_hdr next_rx(struct fake_driver *d, void *buf, uint32_t *len)
{
	uint32_t used = 0;
	int head = -1;
	for (int i = 0; i < 10000 && (head = fake_get_used(d, VSOCK_RXQ, &used)) < 0; i++) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
	assert_true(head >= 0);
	assert_true(used >= HDR);
	uint64_t gpa = fake_desc(d, VSOCK_RXQ, (unsigned)head)->addr;
	struct virtio_vsock_hdr h;
	memcpy(&h, fake_ptr(d, gpa, HDR), HDR);
	assert_int_equal(le32toh(h.len), used - HDR);
	if (buf)
		memcpy(buf, fake_ptr(d, gpa + HDR, used - HDR), used - HDR);
	if (len)
		*len = used - HDR;
	return h;
}

static void assert_alive(struct fake_driver *d)
{
	assert_false(mmio_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void test_config(void **state)
{
	struct fixture *f = *state;
	uint64_t cid = mmio_read(&f->d, VIRTIO_MMIO_CONFIG) |
		       (uint64_t)mmio_read(&f->d, VIRTIO_MMIO_CONFIG + 4) << 32;
	assert_int_equal(cid, CID);
	assert_int_equal(device_features(&f->d) & ~(1ull << VIRTIO_F_VERSION_1) &
				 ((1ull << 24) - 1),
			 0); /* no SEQPACKET */
}

static void test_stray_packets(void **state)
{
	struct fixture *f = *state;
	post_rx(&f->d, 4);
	struct virtio_vsock_hdr h = hdr(1000, 80, VIRTIO_VSOCK_OP_RW, 3);
	send_pkt(&f->d, &h, HDR, "abc", 3);
	struct virtio_vsock_hdr r = next_rx(&f->d, NULL, NULL);
	assert_int_equal(le16toh(r.op), VIRTIO_VSOCK_OP_RST);
	assert_int_equal(le32toh(r.dst_port), 1000);
	assert_int_equal(le32toh(r.src_port), 80);
	assert_int_equal(le64toh(r.dst_cid), CID);
	/* len far beyond the chain */
	h = hdr(1001, 80, VIRTIO_VSOCK_OP_RW, 0x7ffff000);
	send_pkt(&f->d, &h, HDR, "abcd", 4);
	assert_int_equal(le32toh(next_rx(&f->d, NULL, NULL).dst_port), 1001);
	/* shorter than a header: dropped, nothing answered, the device goes on */
	send_pkt(&f->d, &h, 20, NULL, 0);
	h = hdr(1002, 80, 42, 0);
	send_pkt(&f->d, &h, HDR, NULL, 0);
	r = next_rx(&f->d, NULL, NULL);
	assert_int_equal(le32toh(r.dst_port), 1002); /* the next answer is for the next packet */
	assert_alive(&f->d);
}

static void test_host_connection(void **state)
{
	struct fixture *f = *state;
	post_rx(&f->d, 8);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	strcpy(sa.sun_path, f->path);
	assert_int_equal(connect(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(write(s, "CONNECT 1234\n", 13), 13);
	struct virtio_vsock_hdr r = next_rx(&f->d, NULL, NULL);
	assert_int_equal(le16toh(r.op), VIRTIO_VSOCK_OP_REQUEST);
	assert_int_equal(le32toh(r.dst_port), 1234);
	uint32_t host_port = le32toh(r.src_port);
	struct virtio_vsock_hdr h = hdr(1234, host_port, VIRTIO_VSOCK_OP_RESPONSE, 0);
	send_pkt(&f->d, &h, HDR, NULL, 0);
	char line[32] = { 0 }, want[32];
	snprintf(want, sizeof(want), "OK %u\n", host_port);
	assert_int_equal(read(s, line, strlen(want)), (ssize_t)strlen(want));
	assert_string_equal(line, want);
	/* host -> guest */
	assert_int_equal(write(s, "ping", 4), 4);
	char data[RX_LEN];
	uint32_t len;
	r = next_rx(&f->d, data, &len);
	assert_int_equal(le16toh(r.op), VIRTIO_VSOCK_OP_RW);
	assert_int_equal(len, 4);
	assert_memory_equal(data, "ping", 4);
	/* guest -> host */
	h = hdr(1234, host_port, VIRTIO_VSOCK_OP_RW, 4);
	send_pkt(&f->d, &h, HDR, "pong", 4);
	assert_int_equal(read(s, line, 4), 4);
	assert_memory_equal(line, "pong", 4);
	/* the host half-closes: the guest gets SHUTDOWN(SEND) */
	shutdown(s, SHUT_WR);
	r = next_rx(&f->d, NULL, NULL);
	assert_int_equal(le16toh(r.op), VIRTIO_VSOCK_OP_SHUTDOWN);
	assert_int_equal(le32toh(r.flags), VIRTIO_VSOCK_SHUTDOWN_SEND);
	/* the guest closes: RST back, the host reads EOF */
	h = hdr(1234, host_port, VIRTIO_VSOCK_OP_SHUTDOWN, 0);
	h.flags = htole32(VIRTIO_VSOCK_SHUTDOWN_SEND | VIRTIO_VSOCK_SHUTDOWN_RCV);
	send_pkt(&f->d, &h, HDR, NULL, 0);
	r = next_rx(&f->d, NULL, NULL);
	assert_int_equal(le16toh(r.op), VIRTIO_VSOCK_OP_RST);
	assert_int_equal(read(s, line, 1), 0);
	close(s);
	assert_alive(&f->d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_packets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_host_connection, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
