/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_vsock.h"

#include <endian.h>
#include <errno.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <sys/uio.h>

#include "devices/virtio_log.h"
#include "devices/vsock_uds.h"

#define VSOCK_QUEUE_SIZE 256u
#define HDR_SIZE ((uint32_t)sizeof(struct virtio_vsock_hdr))
/* Packets one connection may put in the rx queue per turn, so others get theirs. */
#define RX_PACKETS_PER_TURN 8

static bool ctrl_pending(struct virtio_mmio *t)
{
	const struct virtio_vsock *v = t->dev;
	return v->ctrl_count != 0;
}

static uint32_t fill_ctrl(struct virtio_mmio *t, const struct vq_chain *chain)
{
	struct virtio_vsock *v = t->dev;
	if (chain->write_len < HDR_SIZE) {
		virtio_log("%s: rx buffer of %llu bytes, smaller than a header", t->name,
			   (unsigned long long)chain->write_len);
		return 0;
	}
	uint32_t used = (uint32_t)vq_chain_write(chain, 0, &v->ctrl[v->ctrl_head], HDR_SIZE);
	v->ctrl_head = (v->ctrl_head + 1) % VSOCK_CTRL_QUEUE;
	v->ctrl_count--;
	return used;
}

/* Put queued control packets into rx buffers (lock held). */
static void deliver_ctrl(struct virtio_vsock *v)
{
	virtio_mmio_fill_queue(&v->transport, VSOCK_RXQ, ctrl_pending, fill_ctrl);
	if (v->ctrl_count)
		v->rx_starved = true;
}

static void queue_ctrl(struct virtio_vsock *v, const struct virtio_vsock_hdr *h)
{
	if (v->ctrl_count == VSOCK_CTRL_QUEUE) {
		/* Only a guest that posts no rx buffers while flooding us gets here. */
		if (!v->ctrl_overflow_logged)
			virtio_log("%s: control queue full (guest posts no rx buffers): dropping "
				   "packets", v->transport.name);
		v->ctrl_overflow_logged = true;
		return;
	}
	v->ctrl[(v->ctrl_head + v->ctrl_count) % VSOCK_CTRL_QUEUE] = *h;
	v->ctrl_count++;
}

void virtio_vsock_send_ctrl(struct virtio_vsock *v, struct vsock_conn *c, uint16_t op,
			    uint32_t flags)
{
	struct virtio_vsock_hdr h;
	vsock_conn_header(&v->table, c, op, 0, flags, &h);
	queue_ctrl(v, &h);
	deliver_ctrl(v);
}

static void close_conn(struct virtio_vsock *v, struct vsock_conn *c)
{
	vsock_uds_closed(v->host, c);
	vsock_table_release(&v->table, c);
}

void virtio_vsock_reset_conn(struct virtio_vsock *v, struct vsock_conn *c)
{
	virtio_vsock_send_ctrl(v, c, VIRTIO_VSOCK_OP_RST, 0);
	close_conn(v, c);
}

enum vsock_rx_result virtio_vsock_rx_from_fd(struct virtio_vsock *v, struct vsock_conn *c,
					     int fd)
{
	struct virtio_mmio *t = &v->transport;
	struct virtqueue *vq = virtio_mmio_vq(t, VSOCK_RXQ);
	deliver_ctrl(v); /* RESPONSE and credit first: the guest must see them before data */
	if (v->ctrl_count || !virtio_mmio_driver_ok(t) || !vq->enabled)
		return VSOCK_RX_STARVED;
	enum vsock_rx_result result = VSOCK_RX_BUSY;
	struct vq_chain chain;
	struct iovec iov[VIRTQUEUE_MAX_SIZE];
	struct error err;
	unsigned pushed = 0;
	while (pushed < RX_PACKETS_PER_TURN) {
		uint32_t credit = vsock_conn_peer_free(c);
		if (!credit) {
			result = VSOCK_RX_NO_CREDIT;
			break;
		}
		int rc = virtqueue_pop(vq, &chain, &err);
		if (rc < 0)
			virtio_mmio_device_error(t, "rx queue: %s", err.msg);
		if (rc == 0 && virtqueue_rearm(vq))
			rc = virtqueue_pop(vq, &chain, &err);
		if (rc <= 0) {
			v->rx_starved = true;
			result = VSOCK_RX_STARVED;
			break;
		}
		if (chain.write_len <= HDR_SIZE) {
			virtio_log("%s: rx buffer of %llu bytes, no room for data", t->name,
				   (unsigned long long)chain.write_len);
			virtqueue_push(vq, chain.head, 0);
			pushed++;
			continue;
		}
		uint64_t room = chain.write_len - HDR_SIZE;
		uint32_t want = credit;
		if (want > room)
			want = (uint32_t)room;
		if (want > VSOCK_MAX_PAYLOAD)
			want = VSOCK_MAX_PAYLOAD;
		int n_iov = vq_chain_iov(&chain, true, HDR_SIZE, want, iov, VIRTQUEUE_MAX_SIZE);
		ssize_t n = n_iov < 0 ? -1 : readv(fd, iov, n_iov);
		if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			virtqueue_unpop(vq, 1); /* not used: kept for the next packet */
			result = VSOCK_RX_AGAIN;
			break;
		}
		struct virtio_vsock_hdr h;
		if (n > 0)
			vsock_conn_header(&v->table, c, VIRTIO_VSOCK_OP_RW, (uint32_t)n, 0, &h);
		else if (n == 0)
			vsock_conn_header(&v->table, c, VIRTIO_VSOCK_OP_SHUTDOWN, 0,
					  VIRTIO_VSOCK_SHUTDOWN_SEND, &h);
		else
			vsock_conn_header(&v->table, c, VIRTIO_VSOCK_OP_RST, 0, 0, &h);
		vq_chain_write(&chain, 0, &h, HDR_SIZE);
		virtqueue_push(vq, chain.head, HDR_SIZE + (uint32_t)(n > 0 ? n : 0));
		pushed++;
		if (n <= 0) {
			result = n == 0 ? VSOCK_RX_EOF : VSOCK_RX_ERROR;
			break;
		}
	}
	if (pushed && !t->broken)
		virtio_mmio_notify_used(t, vq);
	return result;
}

static uint32_t transmit_chain(struct virtio_mmio *t, const struct vq_chain *chain)
{
	struct virtio_vsock *v = t->dev;
	struct virtio_vsock_hdr h;
	if (chain->read_len < HDR_SIZE) {
		virtio_log("%s: tx packet of %llu bytes, shorter than its header: dropped", t->name,
			   (unsigned long long)chain->read_len);
		return 0;
	}
	vq_chain_read(chain, 0, &h, HDR_SIZE);
	struct vsock_verdict verdict;
	vsock_from_guest(&v->table, &h, chain->read_len - HDR_SIZE, &verdict);
	struct vsock_conn *c = verdict.conn;
	switch (verdict.kind) {
	case VSOCK_V_DROP:
		if (verdict.why)
			virtio_log("%s: packet dropped: %s", t->name, verdict.why);
		break;
	case VSOCK_V_REPLY_RST:
		virtio_log("%s: packet from guest port %u to port %u rejected (RST): %s", t->name,
			   le32toh(h.src_port), le32toh(h.dst_port), verdict.why);
		queue_ctrl(v, &verdict.reply);
		if (verdict.close)
			close_conn(v, c);
		break;
	case VSOCK_V_CONNECT:
		vsock_uds_connect(v->host, c);
		break;
	case VSOCK_V_ESTABLISHED:
		vsock_uds_established(v->host, c);
		break;
	case VSOCK_V_DATA:
		vsock_uds_data(v->host, c, chain, HDR_SIZE, verdict.len);
		break;
	case VSOCK_V_SHUTDOWN:
	case VSOCK_V_CREDIT:
		vsock_uds_changed(v->host, c);
		break;
	case VSOCK_V_CREDIT_REQUEST:
		virtio_vsock_send_ctrl(v, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);
		break;
	case VSOCK_V_RESET:
		close_conn(v, c);
		break;
	}
	return 0;
}

static void vsock_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_vsock *v = t->dev;
	if (q == VSOCK_TXQ) {
		virtio_mmio_process_queue(t, q, transmit_chain);
		deliver_ctrl(v);
	} else if (q == VSOCK_RXQ) {
		deliver_ctrl(v);
		if (v->rx_starved && !v->ctrl_count) {
			v->rx_starved = false;
			vsock_uds_rx_ready(v->host);
		}
	}
	/* The event queue's buffers are simply kept: we never send TRANSPORT_RESET. */
}

static void vsock_driver_ok(struct virtio_mmio *t)
{
	deliver_ctrl(t->dev);
}

/* Device reset: every connection is gone for the guest; close the host ends too. */
static void vsock_reset(struct virtio_mmio *t)
{
	struct virtio_vsock *v = t->dev;
	for (unsigned i = 0; i < v->table.cap; i++)
		if (v->conns[i].state != VSOCK_FREE)
			close_conn(v, &v->conns[i]);
	v->ctrl_head = v->ctrl_count = 0;
	v->rx_starved = false;
}

static const struct virtio_mmio_ops vsock_ops = {
	.device_id = VIRTIO_ID_VSOCK,
	.features = 0, /* stream only: no VIRTIO_VSOCK_F_SEQPACKET */
	.num_queues = 3,
	.queue_max = VSOCK_QUEUE_SIZE,
	.queue_notify = vsock_queue_notify,
	.reset = vsock_reset,
	.driver_ok = vsock_driver_ok,
};

struct virtio_mmio *virtio_vsock_create(const struct guest_mem *mem,
					const struct vsock_config *cfg, struct error *err)
{
	struct virtio_vsock *v = calloc(1, sizeof(*v));
	if (!v) {
		error_set(err, "virtio-vsock: out of memory");
		return NULL;
	}
	v->config.guest_cid = htole64(cfg->guest_cid);
	vsock_table_init(&v->table, cfg->guest_cid, v->conns, VSOCK_MAX_CONNS);
	virtio_mmio_init(&v->transport, &vsock_ops, v, mem, &v->config, sizeof(v->config),
			 "virtio-vsock");
	v->host = vsock_uds_open(cfg->uds_path, err);
	if (!v->host || vsock_uds_start(v->host, v, err) < 0) {
		virtio_vsock_destroy(&v->transport);
		return NULL;
	}
	return &v->transport;
}

void virtio_vsock_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	struct virtio_vsock *v = t->dev;
	vsock_uds_destroy(v->host); /* the thread first: it takes the lock */
	virtio_mmio_destroy(t);
	free(v);
}
