/* SPDX-License-Identifier: BSD-2-Clause */
#include "vsock_conn.h"

#include <endian.h>
#include <string.h>

#include "devices/virtio_log.h"

#define SHUTDOWN_BOTH (VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND)

void vsock_table_init(struct vsock_table *t, uint64_t guest_cid, struct vsock_conn *storage,
		      unsigned cap)
{
	*t = (struct vsock_table){ .guest_cid = guest_cid, .cap = cap, .conns = storage,
				   .next_local_port = VSOCK_FIRST_LOCAL_PORT };
	memset(storage, 0, sizeof(*storage) * cap);
}

/* A linear scan: at most VSOCK_MAX_CONNS entries, and a guest has only a few live. */
struct vsock_conn *vsock_table_find(struct vsock_table *t, uint32_t host_port,
				    uint32_t guest_port)
{
	for (unsigned i = 0; i < t->cap; i++) {
		struct vsock_conn *c = &t->conns[i];
		if (c->state != VSOCK_FREE && c->host_port == host_port &&
		    c->guest_port == guest_port)
			return c;
	}
	return NULL;
}

struct vsock_conn *vsock_table_open(struct vsock_table *t, enum vsock_state state,
				    uint32_t host_port, uint32_t guest_port)
{
	for (unsigned i = 0; i < t->cap; i++) {
		struct vsock_conn *c = &t->conns[i];
		if (c->state != VSOCK_FREE)
			continue;
		uint32_t generation = c->generation + 1;
		*c = (struct vsock_conn){ .state = state, .host_port = host_port,
					  .guest_port = guest_port, .buf_alloc = VSOCK_BUF_ALLOC,
					  .generation = generation };
		t->used++;
		t->full_logged = false;
		return c;
	}
	if (!t->full_logged)
		virtio_log("virtio-vsock: connection table full (%u connections): refusing new "
			   "ones until some close", t->cap);
	t->full_logged = true;
	return NULL;
}

struct vsock_conn *vsock_table_open_host(struct vsock_table *t, uint32_t guest_port)
{
	/* Skip ports in use towards the same guest port: the pair must stay unique. */
	for (unsigned tries = 0; tries <= t->cap; tries++) {
		uint32_t port = t->next_local_port++;
		if (t->next_local_port == 0)
			t->next_local_port = VSOCK_FIRST_LOCAL_PORT;
		if (!vsock_table_find(t, port, guest_port))
			return vsock_table_open(t, VSOCK_HOST_CONNECTING, port, guest_port);
	}
	return NULL;
}

void vsock_table_release(struct vsock_table *t, struct vsock_conn *c)
{
	if (c->state == VSOCK_FREE)
		return;
	c->state = VSOCK_FREE;
	t->used--;
}

uint32_t vsock_conn_peer_free(const struct vsock_conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;
	/* A guest may shrink its buffer below what is in flight: then nothing is free. */
	return in_flight >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - in_flight;
}

bool vsock_conn_forwarded(struct vsock_conn *c, uint32_t n)
{
	c->fwd_cnt += n;
	/* Half the buffer freed since the guest last heard: tell it before it runs dry. */
	return c->fwd_cnt - c->fwd_cnt_sent >= c->buf_alloc / 2;
}

void vsock_conn_header(const struct vsock_table *t, struct vsock_conn *c, uint16_t op,
		       uint32_t len, uint32_t flags, struct virtio_vsock_hdr *h)
{
	*h = (struct virtio_vsock_hdr){
		.src_cid = htole64(VSOCK_HOST_CID),
		.dst_cid = htole64(t->guest_cid),
		.src_port = htole32(c->host_port),
		.dst_port = htole32(c->guest_port),
		.len = htole32(len),
		.type = htole16(VIRTIO_VSOCK_TYPE_STREAM),
		.op = htole16(op),
		.flags = htole32(flags),
		.buf_alloc = htole32(c->buf_alloc),
		.fwd_cnt = htole32(c->fwd_cnt),
	};
	c->fwd_cnt_sent = c->fwd_cnt;
	if (op == VIRTIO_VSOCK_OP_RW)
		c->tx_cnt += len;
	if (op == VIRTIO_VSOCK_OP_SHUTDOWN)
		c->local_shutdown |= flags & SHUTDOWN_BOTH;
}

void vsock_rst_for(const struct virtio_vsock_hdr *h, struct virtio_vsock_hdr *out)
{
	*out = (struct virtio_vsock_hdr){
		.src_cid = h->dst_cid,
		.dst_cid = h->src_cid,
		.src_port = h->dst_port,
		.dst_port = h->src_port,
		.type = htole16(VIRTIO_VSOCK_TYPE_STREAM),
		.op = htole16(VIRTIO_VSOCK_OP_RST),
	};
}

static void reject(struct vsock_verdict *v, const struct virtio_vsock_hdr *h,
		   struct vsock_conn *c, const char *why)
{
	v->kind = VSOCK_V_REPLY_RST;
	v->conn = c;
	v->close = c != NULL;
	v->why = why;
	vsock_rst_for(h, &v->reply);
}

/* A packet on an established connection. */
static void established(struct vsock_conn *c, uint16_t op, uint32_t len, uint32_t flags,
			const struct virtio_vsock_hdr *h, struct vsock_verdict *v)
{
	switch (op) {
	case VIRTIO_VSOCK_OP_RW:
		if (c->peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND)
			return reject(v, h, c, "data after the guest's SHUTDOWN(SEND)");
		if (len > c->buf_alloc - vsock_conn_buffered(c))
			return reject(v, h, c, "credit overrun: more data than the host advertised");
		c->rx_cnt += len;
		v->kind = VSOCK_V_DATA;
		v->len = len;
		return;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		c->peer_shutdown |= flags & SHUTDOWN_BOTH;
		v->kind = VSOCK_V_SHUTDOWN;
		return;
	case VIRTIO_VSOCK_OP_CREDIT_UPDATE:
		v->kind = VSOCK_V_CREDIT;
		return;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		v->kind = VSOCK_V_CREDIT_REQUEST;
		return;
	default: /* REQUEST or RESPONSE on a live connection */
		return reject(v, h, c, "connection request on an open connection");
	}
}

void vsock_from_guest(struct vsock_table *t, const struct virtio_vsock_hdr *h, uint64_t avail,
		      struct vsock_verdict *v)
{
	*v = (struct vsock_verdict){ .kind = VSOCK_V_DROP };
	uint16_t op = le16toh(h->op), type = le16toh(h->type);
	uint32_t len = le32toh(h->len), flags = le32toh(h->flags);
	uint32_t host_port = le32toh(h->dst_port), guest_port = le32toh(h->src_port);

	if (le64toh(h->src_cid) != t->guest_cid) {
		v->why = "source CID is not the guest's";
		return; /* nobody to answer */
	}
	struct vsock_conn *c = vsock_table_find(t, host_port, guest_port);
	if (op == VIRTIO_VSOCK_OP_RST) {
		if (c) {
			v->kind = VSOCK_V_RESET;
			v->conn = c;
			v->close = true;
		}
		return; /* an RST is never answered */
	}
	if (le64toh(h->dst_cid) != VSOCK_HOST_CID)
		return reject(v, h, NULL, "destination CID is not the host's");
	if (type != VIRTIO_VSOCK_TYPE_STREAM)
		return reject(v, h, c, "not a stream packet");
	if (op < VIRTIO_VSOCK_OP_REQUEST || op > VIRTIO_VSOCK_OP_CREDIT_REQUEST)
		return reject(v, h, c, "unknown operation");
	if (len > avail || len > VSOCK_MAX_PAYLOAD)
		return reject(v, h, c, "length beyond the buffer");
	if (op != VIRTIO_VSOCK_OP_RW && len)
		return reject(v, h, c, "payload on a control packet");

	if (!c) {
		if (op != VIRTIO_VSOCK_OP_REQUEST)
			return reject(v, h, NULL, "packet for no connection");
		c = vsock_table_open(t, VSOCK_GUEST_CONNECTING, host_port, guest_port);
		if (!c)
			return reject(v, h, NULL, "connection table full");
		c->peer_buf_alloc = le32toh(h->buf_alloc);
		c->peer_fwd_cnt = le32toh(h->fwd_cnt);
		v->kind = VSOCK_V_CONNECT;
		v->conn = c;
		return;
	}
	/* Every packet carries the guest's current credit. */
	c->peer_buf_alloc = le32toh(h->buf_alloc);
	c->peer_fwd_cnt = le32toh(h->fwd_cnt);
	v->conn = c;
	switch (c->state) {
	case VSOCK_HOST_CONNECTING:
		if (op != VIRTIO_VSOCK_OP_RESPONSE)
			return reject(v, h, c, "expected a RESPONSE to the host's REQUEST");
		c->state = VSOCK_ESTABLISHED;
		v->kind = VSOCK_V_ESTABLISHED;
		return;
	case VSOCK_GUEST_CONNECTING:
		if (op == VIRTIO_VSOCK_OP_CREDIT_UPDATE)
			return; /* credit noted above */
		return reject(v, h, c, "packet before the host answered the REQUEST");
	case VSOCK_ESTABLISHED:
		return established(c, op, len, flags, h, v);
	case VSOCK_FREE:
		break;
	}
	reject(v, h, NULL, "packet for no connection");
}
