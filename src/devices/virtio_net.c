/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_net.h"

#include <linux/if_ether.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devices/virtio_log.h"

#define RECEIVEQ 0
#define TRANSMITQ 1
#define NET_QUEUE_SIZE 256u
#define NET_HDR_LEN sizeof(struct virtio_net_hdr_v1)
/* Largest frame either way: a 64 KiB GSO packet behind an Ethernet header and a VLAN tag. */
#define NET_MAX_FRAME (ETH_HLEN + 4u + 65535u)
#define BIT(f) (1ull << (f))

struct virtio_net {
	struct virtio_mmio transport;
	struct virtio_net_config config;
	struct net_backend *be;
	bool be_started;
	/* receive scratch (transport lock held): the first chain keeps the header */
	struct vq_chain first, cur;
	uint16_t rx_heads[NET_QUEUE_SIZE];
	uint32_t rx_lens[NET_QUEUE_SIZE];
	unsigned long rx_dropped, tx_dropped;
};

/* Features the device offers for what the backend can take and give. */
static uint64_t offered_features(uint32_t offloads)
{
	uint64_t f = BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) | BIT(VIRTIO_NET_F_MRG_RXBUF);
	if (!(offloads & NET_OFFLOAD_CSUM))
		return f; /* every other offload builds on partial checksums */
	f |= BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM);
	if (offloads & NET_OFFLOAD_TSO) {
		f |= BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) |
		     BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6);
		if (offloads & NET_OFFLOAD_ECN)
			f |= BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_GUEST_ECN);
	}
	if (offloads & NET_OFFLOAD_UFO)
		f |= BIT(VIRTIO_NET_F_HOST_UFO) | BIT(VIRTIO_NET_F_GUEST_UFO);
	return f;
}

/*
 * What the backend may hand the guest: the GUEST_* features it accepted. The backend
 * interface has one TSO bit for both IP versions, so TSO needs both (Linux takes both).
 */
static uint32_t guest_offloads(const struct virtio_mmio *t)
{
	uint32_t off = 0;
	if (!virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_CSUM))
		return 0;
	off |= NET_OFFLOAD_CSUM;
	if (virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_TSO4) &&
	    virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_TSO6)) {
		off |= NET_OFFLOAD_TSO;
		if (virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_ECN))
			off |= NET_OFFLOAD_ECN;
	}
	if (virtio_mmio_has_feature(t, VIRTIO_NET_F_GUEST_UFO))
		off |= NET_OFFLOAD_UFO;
	return off;
}

/* A transmit header asks only for what the driver negotiated. */
static bool tx_header_ok(const struct virtio_mmio *t, const struct virtio_net_hdr_v1 *h)
{
	if ((h->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	    !virtio_mmio_has_feature(t, VIRTIO_NET_F_CSUM))
		return false;
	if ((h->gso_type & VIRTIO_NET_HDR_GSO_ECN) &&
	    !virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_ECN))
		return false;
	switch (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(h->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_TSO6);
	case VIRTIO_NET_HDR_GSO_UDP:
		return virtio_mmio_has_feature(t, VIRTIO_NET_F_HOST_UFO);
	default:
		return false;
	}
}

static uint32_t transmit_chain(struct virtio_mmio *t, const struct vq_chain *c)
{
	struct virtio_net *n = t->dev;
	struct virtio_net_hdr_v1 hdr;
	struct iovec iov[1 + VIRTQUEUE_MAX_SIZE];
	if (c->read_len < NET_HDR_LEN + ETH_HLEN || c->read_len > NET_HDR_LEN + NET_MAX_FRAME) {
		virtio_log("%s: transmit of %llu bytes (header and frame): dropped", t->name,
			   (unsigned long long)c->read_len);
		n->tx_dropped++;
		return 0;
	}
	/* One copy of the header, checked and sent: the guest may change its own meanwhile. */
	vq_chain_read(c, 0, &hdr, sizeof(hdr));
	hdr.num_buffers = 0;
	if (!tx_header_ok(t, &hdr)) {
		virtio_log("%s: transmit header asks for offloads not negotiated (flags 0x%x, "
			   "gso_type 0x%x): dropped", t->name, hdr.flags, hdr.gso_type);
		n->tx_dropped++;
		return 0;
	}
	iov[0] = (struct iovec){ &hdr, sizeof(hdr) };
	int k = vq_chain_iov(c, false, NET_HDR_LEN, c->read_len - NET_HDR_LEN, iov + 1,
			     VIRTQUEUE_MAX_SIZE);
	if (k < 0 || n->be->ops->send(n->be, iov, (unsigned)k + 1) < 0)
		n->tx_dropped++;
	return 0; /* nothing written into the driver's buffers */
}

/* Copy len bytes of the frame, from byte src_off, into chain c's writable part at dst_off. */
static size_t copy_to_chain(const struct vq_chain *c, uint64_t dst_off, const struct iovec *iov,
			    unsigned iovcnt, size_t src_off, size_t len)
{
	size_t done = 0;
	for (unsigned i = 0; i < iovcnt && done < len; i++) {
		if (src_off >= iov[i].iov_len) {
			src_off -= iov[i].iov_len;
			continue;
		}
		size_t run = iov[i].iov_len - src_off;
		if (run > len - done)
			run = len - done;
		size_t w = vq_chain_write(c, dst_off + done, (const uint8_t *)iov[i].iov_base + src_off,
					  run);
		done += w;
		if (w < run)
			break;
		src_off = 0;
	}
	return done;
}

enum rx_result { RX_DONE, RX_DROPPED, RX_NO_BUFFERS };

/* One frame (header first, len bytes) into the receive buffers; transport lock held. */
static enum rx_result receive_frame(struct virtio_net *n, const struct iovec *iov,
				    unsigned iovcnt, size_t len)
{
	struct virtio_mmio *t = &n->transport;
	struct virtqueue *vq = virtio_mmio_vq(t, RECEIVEQ);
	bool mergeable = virtio_mmio_has_feature(t, VIRTIO_NET_F_MRG_RXBUF);
	unsigned nchains = 0;
	size_t done = 0;
	struct error err;
	while (done < len) {
		if (nchains == vq->size) { /* the whole ring cannot hold it */
			virtqueue_unpop(vq, nchains);
			return RX_DROPPED;
		}
		struct vq_chain *c = nchains == 0 ? &n->first : &n->cur;
		int rc = virtqueue_pop(vq, c, &err);
		if (rc < 0) {
			virtio_mmio_device_error(t, "receiveq: %s", err.msg);
			return RX_DROPPED;
		}
		if (rc == 0) {
			virtqueue_unpop(vq, nchains);
			return RX_NO_BUFFERS;
		}
		if (nchains == 0 && c->write_len < NET_HDR_LEN) {
			virtio_mmio_device_error(t, "receive buffer of %llu bytes, smaller than the "
						    "%zu-byte header", (unsigned long long)c->write_len,
						 NET_HDR_LEN);
			return RX_DROPPED;
		}
		size_t w = copy_to_chain(c, 0, iov, iovcnt, done, len - done);
		n->rx_heads[nchains] = c->head;
		n->rx_lens[nchains] = (uint32_t)w;
		nchains++;
		done += w;
		if (!mergeable && done < len) { /* one buffer per frame, and this one is short */
			virtqueue_unpop(vq, nchains);
			return RX_DROPPED;
		}
	}
	uint16_t num_buffers = (uint16_t)nchains;
	vq_chain_write(&n->first, offsetof(struct virtio_net_hdr_v1, num_buffers), &num_buffers,
		       sizeof(num_buffers));
	for (unsigned i = 0; i < nchains; i++)
		virtqueue_push(vq, n->rx_heads[i], n->rx_lens[i]);
	virtio_mmio_notify_used(t, vq);
	return RX_DONE;
}

/* net_deliver_fn: from the backend's thread. */
static bool net_deliver(void *opaque, const struct iovec *iov, unsigned iovcnt)
{
	struct virtio_mmio *t = opaque;
	struct virtio_net *n = t->dev;
	size_t len = 0;
	for (unsigned i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	bool taken = true;
	pthread_mutex_lock(&t->lock);
	struct virtqueue *vq = virtio_mmio_vq(t, RECEIVEQ);
	if (!virtio_mmio_driver_ok(t) || !vq->enabled) {
		n->rx_dropped++; /* link down, as far as the host can tell */
	} else if (len < NET_HDR_LEN + ETH_HLEN || len > NET_HDR_LEN + NET_MAX_FRAME) {
		n->rx_dropped++;
	} else {
		enum rx_result r;
		/* No buffers: ask to be notified, unless buffers came while we asked. */
		while ((r = receive_frame(n, iov, iovcnt, len)) == RX_NO_BUFFERS &&
		       virtqueue_rearm(vq))
			;
		if (r == RX_DROPPED)
			n->rx_dropped++;
		taken = r != RX_NO_BUFFERS;
	}
	pthread_mutex_unlock(&t->lock);
	return taken;
}

static void net_queue_notify(struct virtio_mmio *t, unsigned q)
{
	struct virtio_net *n = t->dev;
	if (q == TRANSMITQ)
		virtio_mmio_process_queue(t, q, transmit_chain);
	else if (q == RECEIVEQ)
		n->be->ops->rx_ready(n->be);
}

static void net_driver_ok(struct virtio_mmio *t)
{
	struct virtio_net *n = t->dev;
	if (n->be->ops->set_offloads(n->be, guest_offloads(t)) < 0)
		virtio_mmio_device_error(t, "the backend refused the offloads");
	n->be->ops->rx_ready(n->be);
}

static const struct virtio_mmio_ops net_ops = {
	.device_id = VIRTIO_ID_NET,
	.features = 0, /* per backend: see offered_features() */
	.num_queues = 2,
	.queue_max = NET_QUEUE_SIZE,
	.queue_notify = net_queue_notify,
	.driver_ok = net_driver_ok,
};

struct virtio_mmio *virtio_net_create(const struct guest_mem *mem, struct net_backend *be,
				      const uint8_t mac[6], unsigned index, struct error *err)
{
	struct virtio_net *n = calloc(1, sizeof(*n));
	if (!n) {
		be->ops->destroy(be);
		error_set(err, "virtio-net: out of memory");
		return NULL;
	}
	n->be = be;
	memcpy(n->config.mac, mac, 6);
	n->config.status = VIRTIO_NET_S_LINK_UP;
	char name[24];
	snprintf(name, sizeof(name), "virtio-net%u", index);
	virtio_mmio_init(&n->transport, &net_ops, n, mem, &n->config, sizeof(n->config), name);
	n->transport.device_features |= offered_features(be->offloads);
	if (be->ops->start(be, net_deliver, &n->transport, err) < 0) {
		error_prefix(err, "%s", name);
		virtio_net_destroy(&n->transport);
		return NULL;
	}
	return &n->transport;
}

void virtio_net_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	struct virtio_net *n = t->dev;
	n->be->ops->destroy(n->be); /* its thread is gone before the device goes */
	virtio_mmio_destroy(t);
	free(n);
}

void virtio_net_default_mac(const char *vm_id, const struct net_config *cfg, unsigned index,
			    uint8_t mac[6])
{
	char key[300];
	if (vm_id)
		snprintf(key, sizeof(key), "id:%s/%u", vm_id, index);
	else
		snprintf(key, sizeof(key), "%s:%s/%u", cfg->kind == NET_TAP ? "tap" : "user",
			 cfg->kind == NET_TAP ? cfg->tap_name : "", index);
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a: stable across builds and hosts */
	for (const char *p = key; *p; p++)
		h = (h ^ (uint8_t)*p) * 0x100000001b3ull;
	mac[0] = 0x02; /* locally administered, unicast */
	for (int i = 1; i < 6; i++)
		mac[i] = (uint8_t)(h >> (8 * (i - 1)));
}
