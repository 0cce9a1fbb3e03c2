/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-vsock stream connections (virtio 1.2, 5.10), the pure part: the connection table,
 * what each packet from the guest means for it, the headers we send back, and the credit
 * accounting of both directions. No I/O and no guest memory: the device (virtio_vsock.c) and
 * the host side (vsock_uds.c) act on the verdicts; the unit tests drive it directly.
 *
 * Credit (5.10.6.3): each side advertises buf_alloc (its receive buffer) and fwd_cnt (bytes it
 * has consumed). The sender may have at most peer_buf_alloc - (tx_cnt - peer_fwd_cnt) bytes
 * in flight. We never send the guest more than that, and a guest that sends us more than we
 * advertised loses that connection (RST), nothing else.
 */
#ifndef MILLIVM_VSOCK_CONN_H
#define MILLIVM_VSOCK_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/virtio_vsock.h>

#define VSOCK_HOST_CID 2u
#define VSOCK_MAX_CONNS 1024u
/* Our receive buffer per connection (what the guest may have in flight towards the host). */
#define VSOCK_BUF_ALLOC (256u * 1024u)
/* Largest payload of one packet either way (Linux's VIRTIO_VSOCK_MAX_PKT_BUF_SIZE). */
#define VSOCK_MAX_PAYLOAD (64u * 1024u)
/* Host-initiated ports handed out from here (Firecracker does the same). */
#define VSOCK_FIRST_LOCAL_PORT (1u << 30)

enum vsock_state {
	VSOCK_FREE = 0,
	VSOCK_HOST_CONNECTING,  /* host-initiated: REQUEST sent, waiting for the RESPONSE */
	VSOCK_GUEST_CONNECTING, /* guest-initiated: the host side is connecting to PATH_port */
	VSOCK_ESTABLISHED,
};

struct vsock_conn {
	enum vsock_state state;
	uint32_t host_port, guest_port;
	/* guest -> host: what we advertise and have taken */
	uint32_t buf_alloc;
	uint32_t rx_cnt;       /* payload bytes received from the guest */
	uint32_t fwd_cnt;      /* of those, handed on to the host socket */
	uint32_t fwd_cnt_sent; /* fwd_cnt in the last header the guest got */
	/* host -> guest: what the guest advertises */
	uint32_t tx_cnt;
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t peer_shutdown;  /* VIRTIO_VSOCK_SHUTDOWN_* the guest sent */
	uint32_t local_shutdown; /* those we sent */
	uint32_t generation;     /* bumped at every reuse of the slot (stale host events) */
};

struct vsock_table {
	uint64_t guest_cid;
	unsigned cap, used;
	uint32_t next_local_port;
	bool full_logged;
	struct vsock_conn *conns; /* cap entries */
};

/* What a packet from the guest asks for. */
enum vsock_verdict_kind {
	VSOCK_V_DROP,        /* nothing to do (why says why, if anything is to be logged) */
	VSOCK_V_REPLY_RST,   /* send v->reply to the guest; v->close: the connection is gone */
	VSOCK_V_CONNECT,     /* guest REQUEST: v->conn is new (GUEST_CONNECTING); connect the host */
	VSOCK_V_ESTABLISHED, /* guest RESPONSE to our REQUEST */
	VSOCK_V_DATA,        /* v->len payload bytes accepted on v->conn: take them now */
	VSOCK_V_SHUTDOWN,    /* v->conn->peer_shutdown grew */
	VSOCK_V_CREDIT,      /* the guest's credit may have grown (CREDIT_UPDATE) */
	VSOCK_V_CREDIT_REQUEST, /* the guest wants a CREDIT_UPDATE */
	VSOCK_V_RESET,       /* guest RST: close v->conn, no reply */
};

struct vsock_verdict {
	enum vsock_verdict_kind kind;
	struct vsock_conn *conn; /* NULL for packets of no connection */
	bool close;              /* release conn once the host side is told */
	uint32_t len;            /* VSOCK_V_DATA */
	struct virtio_vsock_hdr reply;
	const char *why; /* a rejection's reason (static string), for the log */
};

/* cap entries of zeroed storage; the table does not own it. */
void vsock_table_init(struct vsock_table *t, uint64_t guest_cid, struct vsock_conn *storage,
		      unsigned cap);
struct vsock_conn *vsock_table_find(struct vsock_table *t, uint32_t host_port,
				    uint32_t guest_port);
/* A new connection, or NULL when the table is full (logged once per exhaustion). */
struct vsock_conn *vsock_table_open(struct vsock_table *t, enum vsock_state state,
				    uint32_t host_port, uint32_t guest_port);
/* Host-initiated: a new connection to guest_port on a fresh local port (HOST_CONNECTING). */
struct vsock_conn *vsock_table_open_host(struct vsock_table *t, uint32_t guest_port);
void vsock_table_release(struct vsock_table *t, struct vsock_conn *c);
static inline unsigned vsock_table_index(const struct vsock_table *t, const struct vsock_conn *c)
{
	return (unsigned)(c - t->conns);
}

/*
 * One packet from the guest: its header and how many payload bytes the chain really holds
 * after it (avail). Updates the connection and says what to do.
 */
void vsock_from_guest(struct vsock_table *t, const struct virtio_vsock_hdr *h, uint64_t avail,
		      struct vsock_verdict *v);

/* The header of a packet we send on c (counts RW payload into tx_cnt). */
void vsock_conn_header(const struct vsock_table *t, struct vsock_conn *c, uint16_t op,
		       uint32_t len, uint32_t flags, struct virtio_vsock_hdr *h);
/* An RST answering h, for packets of no (or a dead) connection. */
void vsock_rst_for(const struct virtio_vsock_hdr *h, struct virtio_vsock_hdr *out);

/* Bytes the guest can take from us right now. */
uint32_t vsock_conn_peer_free(const struct vsock_conn *c);
/* Bytes received from the guest and not yet handed on. */
static inline uint32_t vsock_conn_buffered(const struct vsock_conn *c)
{
	return c->rx_cnt - c->fwd_cnt;
}
/* n received bytes went to the host; true when the guest should get a CREDIT_UPDATE. */
bool vsock_conn_forwarded(struct vsock_conn *c, uint32_t n);

#endif
