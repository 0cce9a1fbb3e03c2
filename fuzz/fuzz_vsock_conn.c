/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the vsock connection state machine (src/devices/vsock_conn.c) under a
 * hostile guest, with the host side acting as virtio_vsock.c and vsock_uds.c do.
 *
 * Input: two setup bytes (table size: 1-8 slots, or VSOCK_MAX_CONNS for 0xff; the
 * guest CID), then a sequence of events, each an action byte and its operands:
 *   0 raw guest packet: a whole struct virtio_vsock_hdr (44 bytes) + 4 bytes of chain length
 *   1 shaped guest packet: op, ports from a small palette or from a live connection, right
 *     CIDs (mostly), len, avail, flags, buf_alloc, fwd_cnt (optionally relative to our tx_cnt)
 *   2 host accepts a guest REQUEST (RESPONSE), as vsock_uds_connect's completion does
 *   3 host sends data, never more than vsock_conn_peer_free() allows
 *   4 host consumed buffered guest data (vsock_conn_forwarded, CREDIT_UPDATE when it says so)
 *   5 host connects (vsock_table_open_host + REQUEST)
 *   6 host closes: SHUTDOWN, or RST and release
 *   7 host releases a connection twice (a double close must be harmless)
 * The device's reaction to every verdict is the one virtio_vsock.c has. A shadow copy of each
 * slot checks the accounting; the oracle aborts on any broken promise of vsock_conn.h.
 */
#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_log.h"
#include "devices/vsock_conn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The real one rate-limits and prints to stderr: neither helps a fuzzer. */
void virtio_log(const char *fmt, ...)
{
	(void)fmt;
}

struct reader {
	const uint8_t *data;
	size_t size, pos;
};

static uint8_t get8(struct reader *r)
{
	return r->pos < r->size ? r->data[r->pos++] : 0;
}

static uint16_t get16(struct reader *r)
{
	return (uint16_t)(get8(r) | get8(r) << 8);
}

static uint32_t get32(struct reader *r)
{
	return (uint32_t)get16(r) | (uint32_t)get16(r) << 16;
}

/* What the harness expects of each slot, kept beside the table. */
struct shadow {
	bool live;
	uint32_t generation;
	uint64_t received;  /* payload accepted from the guest since the slot opened */
	uint64_t forwarded; /* of it, handed on by the host */
};

static struct vsock_table table;
static struct vsock_conn *storage;
static struct shadow *shadows;

static const uint32_t host_ports[4] = { 1024, 5000, VSOCK_FIRST_LOCAL_PORT,
					VSOCK_FIRST_LOCAL_PORT + 1 };
static const uint32_t guest_ports[4] = { 1024, 1025, 49152, 0xffffffffu };

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void check_table(void)
{
	static uint64_t pairs[VSOCK_MAX_CONNS];
	unsigned live = 0;
	for (unsigned i = 0; i < table.cap; i++) {
		const struct vsock_conn *c = &storage[i];
		struct shadow *s = &shadows[i];
		if (c->generation != s->generation)
			abort(); /* a slot reused without the device knowing */
		if (c->state == VSOCK_FREE) {
			if (s->live)
				abort(); /* freed behind the device's back */
			continue;
		}
		if (!s->live)
			abort(); /* opened without the device knowing */
		if ((unsigned)c->state > VSOCK_ESTABLISHED)
			abort();
		live++;
		if (c->buf_alloc != VSOCK_BUF_ALLOC)
			abort();
		/* The guest never has more buffered at the host than the host advertised. */
		if (vsock_conn_buffered(c) > c->buf_alloc)
			abort();
		if (c->rx_cnt != (uint32_t)s->received || c->fwd_cnt != (uint32_t)s->forwarded)
			abort();
		if (vsock_conn_peer_free(c) > c->peer_buf_alloc)
			abort();
		if ((c->peer_shutdown | c->local_shutdown) &
		    ~(uint32_t)(VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND))
			abort();
		pairs[live - 1] = (uint64_t)c->host_port << 32 | c->guest_port;
	}
	if (live != table.used || table.used > table.cap)
		abort();
	/* Sorted, so a table of VSOCK_MAX_CONNS stays cheap to check after every event. */
	qsort(pairs, live, sizeof(pairs[0]), compare_u64);
	for (unsigned i = 1; i < live; i++)
		if (pairs[i] == pairs[i - 1])
			abort(); /* two connections with one address pair */
}

/* A slot's generation survives its release in the shadow: each reuse bumps it by one. */
static void note_open(struct vsock_conn *c)
{
	unsigned i = vsock_table_index(&table, c);
	if (i >= table.cap || shadows[i].live || c->generation != shadows[i].generation + 1)
		abort();
	shadows[i] = (struct shadow){ .live = true, .generation = c->generation };
}

static void release(struct vsock_conn *c)
{
	shadows[vsock_table_index(&table, c)].live = false;
	vsock_table_release(&table, c);
}

static void check_header(const struct vsock_conn *c, const struct virtio_vsock_hdr *h,
			 uint16_t op, uint32_t len)
{
	if (le64toh(h->src_cid) != VSOCK_HOST_CID || le64toh(h->dst_cid) != table.guest_cid ||
	    le32toh(h->src_port) != c->host_port || le32toh(h->dst_port) != c->guest_port ||
	    le16toh(h->op) != op || le32toh(h->len) != len ||
	    le16toh(h->type) != VIRTIO_VSOCK_TYPE_STREAM ||
	    le32toh(h->buf_alloc) != VSOCK_BUF_ALLOC || le32toh(h->fwd_cnt) != c->fwd_cnt ||
	    c->fwd_cnt_sent != c->fwd_cnt)
		abort();
}

static void send_ctrl(struct vsock_conn *c, uint16_t op, uint32_t flags)
{
	struct virtio_vsock_hdr h;
	uint32_t tx = c->tx_cnt;
	vsock_conn_header(&table, c, op, 0, flags, &h);
	check_header(c, &h, op, 0);
	if (c->tx_cnt != tx)
		abort(); /* control packets carry no credit */
}

/* Any live connection, picked by a byte; NULL when none. */
static struct vsock_conn *pick(uint8_t sel)
{
	for (unsigned k = 0; k < table.cap; k++) {
		struct vsock_conn *c = &storage[(sel + k) % table.cap];
		if (c->state != VSOCK_FREE)
			return c;
	}
	return NULL;
}

static void guest_packet(const struct virtio_vsock_hdr *h, uint64_t avail)
{
	uint32_t host_port = le32toh(h->dst_port), guest_port = le32toh(h->src_port);
	uint16_t op = le16toh(h->op);
	struct vsock_conn *before = vsock_table_find(&table, host_port, guest_port);
	struct vsock_conn snapshot = before ? *before : (struct vsock_conn){ 0 };
	unsigned used = table.used;

	struct vsock_verdict v;
	vsock_from_guest(&table, h, avail, &v);
	struct vsock_conn *c = v.conn;
	if (c && (c < storage || c >= storage + table.cap))
		abort();
	if (v.close && !c)
		abort();
	if (v.kind != VSOCK_V_CONNECT && c && c != before)
		abort(); /* a verdict on some other connection */
	if (v.kind != VSOCK_V_CONNECT && table.used != used)
		abort();
	if (v.kind != VSOCK_V_DATA && before && before->rx_cnt != snapshot.rx_cnt)
		abort();
	if (le64toh(h->src_cid) != table.guest_cid && (v.kind != VSOCK_V_DROP || c))
		abort(); /* a packet of another CID touched a connection */
	if (op == VIRTIO_VSOCK_OP_RST && v.kind != VSOCK_V_DROP && v.kind != VSOCK_V_RESET)
		abort(); /* an RST is never answered */

	switch (v.kind) {
	case VSOCK_V_DROP:
		break;
	case VSOCK_V_REPLY_RST:
		if (!v.why || le16toh(v.reply.op) != VIRTIO_VSOCK_OP_RST ||
		    v.reply.src_port != h->dst_port || v.reply.dst_port != h->src_port ||
		    v.reply.dst_cid != h->src_cid || v.reply.len != 0)
			abort();
		if (v.close)
			release(c);
		break;
	case VSOCK_V_CONNECT: {
		if (before || !c || c->state != VSOCK_GUEST_CONNECTING || op != VIRTIO_VSOCK_OP_REQUEST ||
		    c->host_port != host_port || c->guest_port != guest_port ||
		    table.used != used + 1)
			abort();
		note_open(c);
		break;
	}
	case VSOCK_V_ESTABLISHED:
		if (!c || snapshot.state != VSOCK_HOST_CONNECTING || c->state != VSOCK_ESTABLISHED ||
		    op != VIRTIO_VSOCK_OP_RESPONSE)
			abort();
		break;
	case VSOCK_V_DATA:
		if (!c || c->state != VSOCK_ESTABLISHED || op != VIRTIO_VSOCK_OP_RW ||
		    v.len != le32toh(h->len) || v.len > avail || v.len > VSOCK_MAX_PAYLOAD ||
		    (c->peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) ||
		    c->rx_cnt != snapshot.rx_cnt + v.len)
			abort();
		shadows[vsock_table_index(&table, c)].received += v.len;
		break;
	case VSOCK_V_SHUTDOWN:
		if (!c || c->state != VSOCK_ESTABLISHED || (c->peer_shutdown & snapshot.peer_shutdown) !=
							       snapshot.peer_shutdown)
			abort(); /* shutdown bits only grow */
		break;
	case VSOCK_V_CREDIT:
		if (!c || c->state != VSOCK_ESTABLISHED)
			abort();
		break;
	case VSOCK_V_CREDIT_REQUEST:
		if (!c || c->state != VSOCK_ESTABLISHED)
			abort();
		send_ctrl(c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);
		break;
	case VSOCK_V_RESET:
		if (!c || !v.close || op != VIRTIO_VSOCK_OP_RST)
			abort();
		release(c);
		break;
	default:
		abort();
	}
	/* Every packet on a live connection carries the guest's credit: it is taken. */
	if (c && c->state != VSOCK_FREE && (le32toh(h->buf_alloc) != c->peer_buf_alloc ||
					    le32toh(h->fwd_cnt) != c->peer_fwd_cnt))
		abort();
}

static void raw_packet(struct reader *r)
{
	struct virtio_vsock_hdr h;
	uint8_t bytes[sizeof(h)];
	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = get8(r);
	memcpy(&h, bytes, sizeof(h));
	guest_packet(&h, get32(r));
}

static void shaped_packet(struct reader *r)
{
	uint8_t sel = get8(r), ports = get8(r), mode = get8(r);
	uint16_t len = get16(r);
	uint8_t slack = get8(r);
	uint32_t flags = get8(r), buf_alloc = get32(r), fwd = get32(r);
	uint32_t host_port = host_ports[ports & 3], guest_port = guest_ports[(ports >> 2) & 3];
	struct vsock_conn *c = (ports & 0x10) ? pick(ports >> 5) : NULL;
	if (c) {
		host_port = c->host_port;
		guest_port = c->guest_port;
		if (mode & 1)
			fwd = c->tx_cnt - (fwd & 0xffff); /* a plausible fwd_cnt */
	}
	struct virtio_vsock_hdr h = {
		.src_cid = htole64((mode & 6) == 6 ? VSOCK_HOST_CID : table.guest_cid),
		.dst_cid = htole64((mode & 6) == 4 ? table.guest_cid : VSOCK_HOST_CID),
		.src_port = htole32(guest_port),
		.dst_port = htole32(host_port),
		.len = htole32(len),
		.type = htole16((mode & 8) ? 2 : VIRTIO_VSOCK_TYPE_STREAM),
		.op = htole16(sel % 9),
		.flags = htole32(flags),
		.buf_alloc = htole32(buf_alloc),
		.fwd_cnt = htole32(fwd),
	};
	/* The chain mostly holds what the header says; sometimes less, sometimes more. */
	uint64_t avail = (mode & 0x10) ? (uint64_t)len + slack : (slack > len ? 0 : len - slack);
	guest_packet(&h, avail);
}

static void host_send(struct vsock_conn *c, uint32_t want)
{
	uint32_t credit = vsock_conn_peer_free(c);
	if (c->state != VSOCK_ESTABLISHED || !credit)
		return;
	uint32_t n = want > credit ? credit : want;
	if (n > VSOCK_MAX_PAYLOAD)
		n = VSOCK_MAX_PAYLOAD;
	if (n == 0)
		return;
	uint32_t tx = c->tx_cnt;
	struct virtio_vsock_hdr h;
	vsock_conn_header(&table, c, VIRTIO_VSOCK_OP_RW, n, 0, &h);
	check_header(c, &h, VIRTIO_VSOCK_OP_RW, n);
	if (c->tx_cnt != tx + n)
		abort();
	/* What is in flight never exceeds what the guest advertised. */
	if (c->tx_cnt - c->peer_fwd_cnt > c->peer_buf_alloc)
		abort();
}

static void host_forward(struct vsock_conn *c, uint32_t want)
{
	uint32_t buffered = vsock_conn_buffered(c);
	uint32_t n = want > buffered ? buffered : want;
	uint32_t unsent = c->fwd_cnt + n - c->fwd_cnt_sent;
	bool update = vsock_conn_forwarded(c, n);
	shadows[vsock_table_index(&table, c)].forwarded += n;
	if (update != (unsent >= c->buf_alloc / 2))
		abort();
	if (update && c->state == VSOCK_ESTABLISHED)
		send_ctrl(c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);
}

static void event(struct reader *r)
{
	uint8_t action = get8(r);
	switch (action & 7) {
	case 0:
		raw_packet(r);
		break;
	case 1:
		shaped_packet(r);
		break;
	case 2: {
		struct vsock_conn *c = pick(get8(r));
		if (c && c->state == VSOCK_GUEST_CONNECTING) {
			c->state = VSOCK_ESTABLISHED;
			send_ctrl(c, VIRTIO_VSOCK_OP_RESPONSE, 0);
		}
		break;
	}
	case 3: {
		struct vsock_conn *c = pick(get8(r));
		uint32_t want = get32(r);
		if (c)
			host_send(c, want);
		break;
	}
	case 4: {
		struct vsock_conn *c = pick(get8(r));
		uint32_t want = get32(r);
		if (c)
			host_forward(c, want);
		break;
	}
	case 5: {
		uint32_t guest_port = guest_ports[get8(r) & 3];
		unsigned used = table.used;
		struct vsock_conn *c = vsock_table_open_host(&table, guest_port);
		if (!c) {
			if (used != table.cap && table.used != used)
				abort();
			break;
		}
		if (c->state != VSOCK_HOST_CONNECTING || c->guest_port != guest_port ||
		    c->host_port < VSOCK_FIRST_LOCAL_PORT || table.used != used + 1)
			abort();
		note_open(c);
		send_ctrl(c, VIRTIO_VSOCK_OP_REQUEST, 0);
		break;
	}
	case 6: {
		uint8_t how = get8(r);
		struct vsock_conn *c = pick(get8(r));
		if (!c)
			break;
		if ((how & 1) && c->state == VSOCK_ESTABLISHED) {
			uint32_t flags = (how >> 1) & 3;
			send_ctrl(c, VIRTIO_VSOCK_OP_SHUTDOWN, flags);
			if ((c->local_shutdown & flags) != flags)
				abort();
		} else {
			send_ctrl(c, VIRTIO_VSOCK_OP_RST, 0);
			release(c);
		}
		break;
	}
	case 7: {
		struct vsock_conn *c = pick(get8(r));
		if (c) {
			release(c);
			vsock_table_release(&table, c);
		}
		break;
	}
	}
	check_table();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reader r = { data, size, 0 };
	uint8_t cap_sel = get8(&r);
	uint64_t guest_cid = 3u + get8(&r);
	/* Mostly small tables, which fill up; rarely the real size, which is slow to check. */
	unsigned cap = cap_sel == 0xff ? VSOCK_MAX_CONNS : 1u + (cap_sel & 7);
	/* Exact-size heap arrays: ASan sees any index past the table. */
	storage = malloc(sizeof(*storage) * cap);
	shadows = calloc(cap, sizeof(*shadows));
	if (!storage || !shadows)
		abort();
	vsock_table_init(&table, guest_cid, storage, cap);
	check_table();
	while (r.pos < r.size)
		event(&r);
	free(storage);
	free(shadows);
	return 0;
}
