/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virtio-vsock connection state machine (src/devices/vsock_conn.c) on its own: packets
 * from the guest in, verdicts and headers out. Covers guest- and host-initiated set-up,
 * credit accounting both ways, overruns, half-close, resets, rejections of malformed and
 * stray packets, and a full table.
 */
#include <endian.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "devices/vsock_conn.h"

#define GUEST_CID 42u
#define CAP 4u

static struct vsock_conn storage[CAP];
static struct vsock_table table;

static int setup(void **state)
{
	(void)state;
	vsock_table_init(&table, GUEST_CID, storage, CAP);
	return 0;
}

/* A packet from the guest's port gport to the host's port hport. */
static struct virtio_vsock_hdr pkt(uint32_t gport, uint32_t hport, uint16_t op, uint32_t len)
{
	return (struct virtio_vsock_hdr){
		.src_cid = htole64(GUEST_CID), .dst_cid = htole64(VSOCK_HOST_CID),
		.src_port = htole32(gport), .dst_port = htole32(hport), .len = htole32(len),
		.type = htole16(VIRTIO_VSOCK_TYPE_STREAM), .op = htole16(op),
		.buf_alloc = htole32(8192), .fwd_cnt = 0,
	};
}

static struct vsock_verdict from_guest(struct virtio_vsock_hdr h)
{
	struct vsock_verdict v;
	vsock_from_guest(&table, &h, le32toh(h.len), &v);
	return v;
}

static void assert_rst(const struct vsock_verdict *v, uint32_t to_guest_port)
{
	assert_int_equal(v->kind, VSOCK_V_REPLY_RST);
	assert_int_equal(le16toh(v->reply.op), VIRTIO_VSOCK_OP_RST);
	assert_int_equal(le32toh(v->reply.dst_port), to_guest_port);
	assert_int_equal(le64toh(v->reply.dst_cid), GUEST_CID);
	assert_int_equal(le64toh(v->reply.src_cid), VSOCK_HOST_CID);
	assert_non_null(v->why);
}

/* Guest connects to host port 80 from 1000 and the host side accepts. */
static struct vsock_conn *guest_connected(void)
{
	struct vsock_verdict v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_REQUEST, 0));
	assert_int_equal(v.kind, VSOCK_V_CONNECT);
	assert_int_equal(v.conn->state, VSOCK_GUEST_CONNECTING);
	assert_int_equal(v.conn->peer_buf_alloc, 8192);
	v.conn->state = VSOCK_ESTABLISHED; /* what vsock_uds.c does once connect() works */
	return v.conn;
}

static void test_guest_initiated(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	assert_ptr_equal(vsock_table_find(&table, 80, 1000), c);
	struct virtio_vsock_hdr h;
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_RESPONSE, 0, 0, &h);
	assert_int_equal(le64toh(h.src_cid), VSOCK_HOST_CID);
	assert_int_equal(le64toh(h.dst_cid), GUEST_CID);
	assert_int_equal(le32toh(h.src_port), 80);
	assert_int_equal(le32toh(h.dst_port), 1000);
	assert_int_equal(le32toh(h.buf_alloc), VSOCK_BUF_ALLOC);
	assert_int_equal(le16toh(h.type), VIRTIO_VSOCK_TYPE_STREAM);
}

static void test_host_initiated(void **state)
{
	(void)state;
	struct vsock_conn *c = vsock_table_open_host(&table, 1234);
	assert_non_null(c);
	assert_true(c->host_port >= VSOCK_FIRST_LOCAL_PORT);
	struct vsock_conn *d = vsock_table_open_host(&table, 1234);
	assert_int_not_equal(c->host_port, d->host_port); /* the pair stays unique */
	/* Data before the RESPONSE is refused and kills that connection only. */
	struct vsock_verdict v = from_guest(pkt(1234, d->host_port, VIRTIO_VSOCK_OP_RW, 4));
	assert_rst(&v, 1234);
	assert_true(v.close);
	v = from_guest(pkt(1234, c->host_port, VIRTIO_VSOCK_OP_RESPONSE, 0));
	assert_int_equal(v.kind, VSOCK_V_ESTABLISHED);
	assert_int_equal(c->state, VSOCK_ESTABLISHED);
	/* A second RESPONSE on a live connection is a protocol error. */
	v = from_guest(pkt(1234, c->host_port, VIRTIO_VSOCK_OP_RESPONSE, 0));
	assert_rst(&v, 1234);
}

static void test_credit_to_guest(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	assert_int_equal(vsock_conn_peer_free(c), 8192);
	struct virtio_vsock_hdr h;
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_RW, 5000, 0, &h);
	assert_int_equal(c->tx_cnt, 5000);
	assert_int_equal(vsock_conn_peer_free(c), 3192);
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_RW, 3192, 0, &h);
	assert_int_equal(vsock_conn_peer_free(c), 0); /* nothing more until the guest consumes */
	struct virtio_vsock_hdr up = pkt(1000, 80, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);
	up.fwd_cnt = htole32(6000);
	struct vsock_verdict v = from_guest(up);
	assert_int_equal(v.kind, VSOCK_V_CREDIT);
	assert_int_equal(vsock_conn_peer_free(c), 6000);
	/* A guest that shrinks its buffer below what is in flight gets nothing, not 4 GiB. */
	up.buf_alloc = htole32(1000);
	from_guest(up);
	assert_int_equal(vsock_conn_peer_free(c), 0);
	/* Counters wrap at 2^32: the difference still works. */
	c->tx_cnt = 10;
	c->peer_fwd_cnt = 0xfffffff0u;
	c->peer_buf_alloc = 100;
	assert_int_equal(vsock_conn_peer_free(c), 74);
}

static void test_credit_from_guest(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	struct vsock_verdict v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RW, 4096));
	assert_int_equal(v.kind, VSOCK_V_DATA);
	assert_int_equal(v.len, 4096);
	assert_int_equal(vsock_conn_buffered(c), 4096);
	/* Half the buffer forwarded: time for a CREDIT_UPDATE; less: not yet. */
	assert_false(vsock_conn_forwarded(c, 4096));
	c->rx_cnt += VSOCK_BUF_ALLOC / 2;
	assert_true(vsock_conn_forwarded(c, VSOCK_BUF_ALLOC / 2 - 4096));
	struct virtio_vsock_hdr h;
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, 0, &h);
	assert_int_equal(le32toh(h.fwd_cnt), c->fwd_cnt);
	assert_int_equal(c->fwd_cnt_sent, c->fwd_cnt);
	assert_false(vsock_conn_forwarded(c, 0));
	/* CREDIT_REQUEST asks for one. */
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_CREDIT_REQUEST, 0));
	assert_int_equal(v.kind, VSOCK_V_CREDIT_REQUEST);
}

static void test_overrun(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	struct vsock_verdict v = from_guest(pkt(2000, 81, VIRTIO_VSOCK_OP_REQUEST, 0));
	struct vsock_conn *other = v.conn;
	other->state = VSOCK_ESTABLISHED;
	/* Fill exactly what we advertised: fine. */
	for (uint32_t sent = 0; sent < VSOCK_BUF_ALLOC; sent += VSOCK_MAX_PAYLOAD) {
		v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RW, VSOCK_MAX_PAYLOAD));
		assert_int_equal(v.kind, VSOCK_V_DATA);
	}
	/* One byte more than the credit: RST for this connection only. */
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RW, 1));
	assert_rst(&v, 1000);
	assert_true(v.close);
	assert_ptr_equal(v.conn, c);
	assert_string_equal(v.why, "credit overrun: more data than the host advertised");
	v = from_guest(pkt(2000, 81, VIRTIO_VSOCK_OP_RW, 10));
	assert_int_equal(v.kind, VSOCK_V_DATA);
	assert_ptr_equal(v.conn, other);
}

static void test_half_close(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	struct virtio_vsock_hdr sh = pkt(1000, 80, VIRTIO_VSOCK_OP_SHUTDOWN, 0);
	sh.flags = htole32(VIRTIO_VSOCK_SHUTDOWN_SEND);
	struct vsock_verdict v = from_guest(sh);
	assert_int_equal(v.kind, VSOCK_V_SHUTDOWN);
	assert_int_equal(c->peer_shutdown, VIRTIO_VSOCK_SHUTDOWN_SEND);
	/* It still takes our data and credit, but may send no more. */
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0));
	assert_int_equal(v.kind, VSOCK_V_CREDIT);
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RW, 1));
	assert_rst(&v, 1000);
	assert_true(v.close);
	vsock_table_release(&table, c);
	/* Our own SHUTDOWN is remembered. */
	c = guest_connected();
	struct virtio_vsock_hdr h;
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_SHUTDOWN, 0, VIRTIO_VSOCK_SHUTDOWN_SEND, &h);
	assert_int_equal(c->local_shutdown, VIRTIO_VSOCK_SHUTDOWN_SEND);
	assert_int_equal(le32toh(h.flags), VIRTIO_VSOCK_SHUTDOWN_SEND);
	/* Unknown flag bits are ignored. */
	sh.flags = htole32(0xff);
	v = from_guest(sh);
	assert_int_equal(c->peer_shutdown,
			 VIRTIO_VSOCK_SHUTDOWN_SEND | VIRTIO_VSOCK_SHUTDOWN_RCV);
}

static void test_reset(void **state)
{
	(void)state;
	struct vsock_conn *c = guest_connected();
	struct vsock_verdict v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RST, 0));
	assert_int_equal(v.kind, VSOCK_V_RESET);
	assert_true(v.close);
	assert_ptr_equal(v.conn, c);
	vsock_table_release(&table, c);
	assert_null(vsock_table_find(&table, 80, 1000));
	assert_int_equal(table.used, 0);
	/* An RST for nothing is never answered. */
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RST, 0));
	assert_int_equal(v.kind, VSOCK_V_DROP);
}

static void test_rejections(void **state)
{
	(void)state;
	struct vsock_verdict v;
	/* No connection. */
	v = from_guest(pkt(1000, 80, VIRTIO_VSOCK_OP_RW, 4));
	assert_rst(&v, 1000);
	assert_false(v.close);
	/* Not a stream. */
	struct virtio_vsock_hdr h = pkt(1000, 80, VIRTIO_VSOCK_OP_REQUEST, 0);
	h.type = htole16(VIRTIO_VSOCK_TYPE_SEQPACKET);
	v = from_guest(h);
	assert_rst(&v, 1000);
	/* Unknown operations. */
	h = pkt(1000, 80, 0, 0);
	assert_int_equal(from_guest(h).kind, VSOCK_V_REPLY_RST);
	h.op = htole16(99);
	assert_int_equal(from_guest(h).kind, VSOCK_V_REPLY_RST);
	/* Wrong destination CID. */
	h = pkt(1000, 80, VIRTIO_VSOCK_OP_REQUEST, 0);
	h.dst_cid = htole64(7);
	assert_int_equal(from_guest(h).kind, VSOCK_V_REPLY_RST);
	/* Someone else's source CID: nobody to answer. */
	h = pkt(1000, 80, VIRTIO_VSOCK_OP_REQUEST, 0);
	h.src_cid = htole64(3);
	assert_int_equal(from_guest(h).kind, VSOCK_V_DROP);
	/* Length beyond what the chain holds, or beyond the largest packet. */
	struct vsock_conn *c = guest_connected();
	h = pkt(1000, 80, VIRTIO_VSOCK_OP_RW, 100);
	vsock_from_guest(&table, &h, 99, &v);
	assert_rst(&v, 1000);
	assert_true(v.close);
	assert_ptr_equal(v.conn, c);
	h = pkt(1001, 80, VIRTIO_VSOCK_OP_RW, VSOCK_MAX_PAYLOAD + 1);
	vsock_from_guest(&table, &h, UINT32_MAX, &v);
	assert_int_equal(v.kind, VSOCK_V_REPLY_RST);
	/* Payload on a control packet. */
	h = pkt(1002, 80, VIRTIO_VSOCK_OP_REQUEST, 4);
	assert_int_equal(from_guest(h).kind, VSOCK_V_REPLY_RST);
	/* Data while the host is still connecting. */
	v = from_guest(pkt(1003, 80, VIRTIO_VSOCK_OP_REQUEST, 0));
	assert_int_equal(v.kind, VSOCK_V_CONNECT);
	v = from_guest(pkt(1003, 80, VIRTIO_VSOCK_OP_RW, 1));
	assert_rst(&v, 1003);
	assert_true(v.close);
}

static void test_table_full(void **state)
{
	(void)state;
	for (unsigned i = 0; i < CAP; i++)
		assert_int_equal(from_guest(pkt(1000 + i, 80, VIRTIO_VSOCK_OP_REQUEST, 0)).kind,
				 VSOCK_V_CONNECT);
	assert_int_equal(table.used, CAP);
	struct vsock_verdict v = from_guest(pkt(2000, 80, VIRTIO_VSOCK_OP_REQUEST, 0));
	assert_rst(&v, 2000);
	assert_string_equal(v.why, "connection table full");
	assert_true(table.full_logged);
	assert_null(vsock_table_open_host(&table, 5));
	/* A slot freed is a slot reused, with a new generation. */
	struct vsock_conn *c = vsock_table_find(&table, 80, 1001);
	uint32_t generation = c->generation;
	vsock_table_release(&table, c);
	v = from_guest(pkt(2000, 80, VIRTIO_VSOCK_OP_REQUEST, 0));
	assert_int_equal(v.kind, VSOCK_V_CONNECT);
	assert_ptr_equal(v.conn, c);
	assert_int_equal(c->generation, generation + 1);
	assert_false(table.full_logged);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_guest_initiated, setup),
		cmocka_unit_test_setup(test_host_initiated, setup),
		cmocka_unit_test_setup(test_credit_to_guest, setup),
		cmocka_unit_test_setup(test_credit_from_guest, setup),
		cmocka_unit_test_setup(test_overrun, setup),
		cmocka_unit_test_setup(test_half_close, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_rejections, setup),
		cmocka_unit_test_setup(test_table_full, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
