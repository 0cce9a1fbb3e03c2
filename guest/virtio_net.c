// SPDX-License-Identifier: BSD-2-Clause
/*
 * The virtio-net checks: read the MAC (net-mac), ARP for the gateway (net-arp), ping it
 * (net-ping), echo UDP datagrams sent to port 7 (net-udp-echo). Static IPv4 only: net_ip=
 * and net_gw= (defaults 10.0.2.15 and 10.0.2.2, libslirp's). The receive queue keeps all
 * its buffers posted; a frame is handled in place and its buffer posted again. ARP requests
 * for our address are answered whenever we wait, so host peers can reach us.
 * net_csum_offload: the echoes leave their UDP checksum to the device the way Linux does for
 * CHECKSUM_PARTIAL (net-csum-offload); without VIRTIO_NET_F_CSUM the guest computes it.
 */
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <linux/virtio_mmio.h>

#include "cpu.h"
#include "ioapic.h"
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define RXQ 0
#define TXQ 1
#define BUF_SIZE 1536 /* header + a 1514-byte frame, with room */
#define HDR sizeof(struct virtio_net_hdr_v1)
#define ETH_ARP 0x0806
#define ETH_IP 0x0800
#define ICMP_ID 0x4d56
#define ECHO_PORT 7

static uint8_t rx_bufs[VQ_SIZE][BUF_SIZE] __attribute__((aligned(64)));
static uint8_t tx_buf[BUF_SIZE] __attribute__((aligned(64)));
static uint8_t my_mac[6], gw_mac[6];
static uint32_t my_ip, gw_ip;
static bool gw_known;

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* sum plus the 16-bit words of len bytes, folded to 16 bits, not complemented (RFC 1071). */
static uint16_t csum_add(uint32_t sum, const uint8_t *p, unsigned len)
{
	for (unsigned i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* The Internet checksum of len bytes. */
static uint16_t inet_csum(const uint8_t *p, unsigned len)
{
	return (uint16_t)~csum_add(0, p, len);
}

static void post_rx(struct vq *vq, unsigned i)
{
	vq->desc[i] = (struct vq_desc){ (uintptr_t)rx_bufs[i], BUF_SIZE, VRING_DESC_F_WRITE, 0 };
	vq->avail.ring[vq->avail.idx % vq->size] = (uint16_t)i;
	compiler_barrier();
	vq->avail.idx++;
	compiler_barrier();
}

/* Send len bytes (header first) from buf and wait until the device has taken them. */
static bool net_send(struct vdev *d, const uint8_t *buf, uint32_t len)
{
	struct vq_buf b = { (uintptr_t)buf, len, false };
	vq_submit(d, TXQ, &b, 1, true);
	return vq_wait(d, TXQ, 2000, NULL) == VQ_USED;
}

/* Ethernet header of an outgoing frame at tx + HDR. */
static uint8_t *eth_start(uint8_t *buf, const uint8_t *dst, uint16_t type)
{
	memset(buf, 0, HDR);
	memcpy(buf + HDR, dst, 6);
	memcpy(buf + HDR + 6, my_mac, 6);
	put16(buf + HDR + 12, type);
	return buf + HDR + 14;
}

static bool send_arp(struct vdev *d, uint16_t op, const uint8_t *tha, uint32_t tpa)
{
	static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = eth_start(tx_buf, op == 1 ? broadcast : tha, ETH_ARP);
	put16(a, 1);           /* Ethernet */
	put16(a + 2, ETH_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, op);
	memcpy(a + 8, my_mac, 6);
	put32(a + 14, my_ip);
	memcpy(a + 18, op == 1 ? (const uint8_t *)"\0\0\0\0\0\0" : tha, 6);
	put32(a + 24, tpa);
	return net_send(d, tx_buf, HDR + 14 + 28);
}

/* IPv4 header for payload bytes of protocol proto; returns where the payload goes. */
static uint8_t *ip_start(uint8_t *ip, uint8_t proto, uint32_t dst, unsigned payload)
{
	memset(ip, 0, 20);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(20 + payload));
	ip[8] = 64;
	ip[9] = proto;
	put32(ip + 12, my_ip);
	put32(ip + 16, dst);
	put16(ip + 10, inet_csum(ip, 20));
	return ip + 20;
}

/* How the echoes' UDP checksums are made. */
enum udp_csum {
	UDP_CSUM_NONE,    /* 0: optional in IPv4 */
	UDP_CSUM_FULL,    /* computed here: net_csum_offload without VIRTIO_NET_F_CSUM */
	UDP_CSUM_OFFLOAD, /* the pseudo-header sum here, NEEDS_CSUM for the rest */
};

struct net_state {
	struct vdev *d;
	enum udp_csum udp_csum;
	unsigned echoed;  /* UDP datagrams echoed */
	unsigned offloaded; /* of them, sent with NEEDS_CSUM and taken by the device */
	bool arp_reply;   /* the gateway answered our ARP */
	bool ping_reply;  /* the gateway answered our ping */
	unsigned bad;     /* frames with a bad header or length */
};

/* ARP: answer requests for our address, learn the gateway from its reply. */
static void handle_arp(struct net_state *s, const uint8_t *a, unsigned len)
{
	if (len < 28 || be16(a) != 1 || be16(a + 2) != ETH_IP || be32(a + 24) != my_ip)
		return;
	if (be16(a + 6) == 1) {
		uint8_t sha[6];
		memcpy(sha, a + 8, 6);
		send_arp(s->d, 2, sha, be32(a + 14));
	} else if (be16(a + 6) == 2 && be32(a + 14) == gw_ip) {
		memcpy(gw_mac, a + 8, 6);
		gw_known = s->arp_reply = true;
	}
}

/* UDP to port 7: turned around in place (buf is the received buffer, header first). */
static void echo_udp(struct net_state *s, uint8_t *buf, uint8_t *ip, unsigned ip_len)
{
	unsigned ihl = (ip[0] & 0xf) * 4u;
	uint8_t *udp = ip + ihl;
	unsigned udp_len = be16(udp + 4);
	if (udp + 8 > ip + ip_len || be16(udp + 2) != ECHO_PORT || udp_len < 8 ||
	    udp_len > ip_len - ihl)
		return;
	uint8_t *eth = buf + HDR;
	memcpy(eth, eth + 6, 6);
	memcpy(eth + 6, my_mac, 6);
	uint16_t port = be16(udp);
	put16(udp, ECHO_PORT);
	put16(udp + 2, port);
	memcpy(ip + 16, ip + 12, 4);
	put32(ip + 12, my_ip);
	ip[8] = 64;
	put16(ip + 10, 0);
	put16(ip + 10, inet_csum(ip, ihl));
	memset(buf, 0, HDR);
	put16(udp + 6, 0);
	if (s->udp_csum != UDP_CSUM_NONE) {
		/* pseudo-header: addresses, protocol, UDP length */
		uint16_t pseudo = csum_add(17u + udp_len, ip + 12, 8);
		if (s->udp_csum == UDP_CSUM_OFFLOAD) {
			struct virtio_net_hdr_v1 *h = (void *)buf;
			h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
			h->csum_start = (uint16_t)(14 + ihl); /* from the Ethernet header */
			h->csum_offset = 6;
			put16(udp + 6, pseudo);
		} else {
			uint16_t c = (uint16_t)~csum_add(pseudo, udp, udp_len);
			put16(udp + 6, c ? c : 0xffff); /* 0 would mean none */
		}
	}
	if (net_send(s->d, buf, (uint32_t)(HDR + 14 + ip_len))) {
		s->echoed++;
		s->offloaded += s->udp_csum == UDP_CSUM_OFFLOAD;
	}
}

static void handle_frame(struct net_state *s, uint8_t *buf, uint32_t len)
{
	const struct virtio_net_hdr_v1 *h = (const void *)buf;
	if (len < HDR + 14 || len > BUF_SIZE || h->num_buffers != 1) {
		s->bad++;
		return;
	}
	uint8_t *eth = buf + HDR, *p = eth + 14;
	unsigned plen = len - HDR - 14;
	if (be16(eth + 12) == ETH_ARP) {
		handle_arp(s, p, plen);
		return;
	}
	if (be16(eth + 12) != ETH_IP || plen < 20 || (p[0] >> 4) != 4 || be32(p + 16) != my_ip)
		return;
	unsigned ip_len = be16(p + 2), ihl = (p[0] & 0xf) * 4u;
	if (ip_len > plen || ihl < 20 || ihl + 8 > ip_len || inet_csum(p, ihl) != 0) {
		s->bad++;
		return;
	}
	if (p[9] == 1 && p[ihl] == 0 && be16(p + ihl + 4) == ICMP_ID &&
	    inet_csum(p + ihl, ip_len - ihl) == 0)
		s->ping_reply = true;
	else if (p[9] == 17)
		echo_udp(s, buf, p, ip_len);
}

/* Handle frames until done() or ms milliseconds without progress on it. */
static void net_wait(struct net_state *s, unsigned ms, bool (*done)(const struct net_state *))
{
	struct vq *vq = s->d->queues[RXQ];
	lapic_timer_start(ms);
	uint32_t timer = irq_timer_count;
	while (!done(s) && irq_timer_count == timer) {
		if (*(volatile uint16_t *)&vq->used.idx == vq->last_used) {
			irq_wait();
			vq_drain_interrupts();
			continue;
		}
		compiler_barrier();
		uint32_t i = vq->used.ring[vq->last_used % vq->size].id;
		uint32_t len = vq->used.ring[vq->last_used % vq->size].len;
		vq->last_used++;
		unsigned before = s->echoed;
		if (i < vq->size)
			handle_frame(s, rx_bufs[i], len);
		if (i < vq->size)
			post_rx(vq, i);
		vdev_write(s->d, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);
		if (s->echoed != before) { /* progress: the time limit starts again */
			lapic_timer_start(ms);
			timer = irq_timer_count;
		}
	}
	lapic_timer_stop();
	vq_drain_interrupts();
}

static bool arp_done(const struct net_state *s)
{
	return s->arp_reply;
}

static bool ping_done(const struct net_state *s)
{
	return s->ping_reply;
}

static unsigned echo_goal;
static bool echo_done(const struct net_state *s)
{
	return s->echoed >= echo_goal;
}

static bool send_ping(struct vdev *d, uint16_t seq)
{
	uint8_t *ip = eth_start(tx_buf, gw_mac, ETH_IP);
	uint8_t *icmp = ip_start(ip, 1, gw_ip, 8 + 32);
	memset(icmp, 0, 8);
	icmp[0] = 8; /* echo request */
	put16(icmp + 4, ICMP_ID);
	put16(icmp + 6, seq);
	for (unsigned i = 0; i < 32; i++)
		icmp[8 + i] = (uint8_t)('a' + i % 26);
	put16(icmp + 2, inet_csum(icmp, 8 + 32));
	return net_send(d, tx_buf, HDR + 14 + 20 + 8 + 32);
}

/* net-csum-offload: the device took every echo sent with NEEDS_CSUM, without NEEDS_RESET. */
static void report_csum_offload(const struct net_state *s, const struct virtio_options *vo,
				bool negotiated)
{
	bool reset = vdev_read(s->d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
	if (!vo->net_csum_offload)
		report_skip(CHECK_NET_CSUM_OFFLOAD, "net_csum_offload not given");
	else if (!negotiated)
		report_skip(CHECK_NET_CSUM_OFFLOAD, "VIRTIO_NET_F_CSUM not offered: %u echoes with "
			    "UDP checksums computed by the guest", s->echoed);
	else if (!vo->net_udp_echo)
		report_skip(CHECK_NET_CSUM_OFFLOAD, "VIRTIO_NET_F_CSUM negotiated, but no "
			    "net_udp_echo= to send with it");
	else if (reset || s->offloaded < echo_goal)
		report_fail(CHECK_NET_CSUM_OFFLOAD, "%u of %u echoes with NEEDS_CSUM taken%s",
			    s->offloaded, echo_goal, reset ? ", device needs a reset" : "");
	else
		report_ok(CHECK_NET_CSUM_OFFLOAD, "VIRTIO_NET_F_CSUM negotiated, %u echoes sent with "
			  "NEEDS_CSUM (csum_start at the UDP header, csum_offset 6)", s->offloaded);
}

#define IP4(a) (unsigned)((a) >> 24), (unsigned)((a) >> 16 & 255), (unsigned)((a) >> 8 & 255), \
		(unsigned)((a) & 255)

void virtio_net_checks(const struct virtio_options *vo)
{
	struct vdev *d = virtio_find(VIRTIO_ID_NET, 0);
	if (!d) {
		report_fail(CHECK_NET_MAC, "net parameters given, but no network device");
		return;
	}
	uint32_t lo = vdev_config32(d, 0), hi = vdev_config32(d, 4);
	for (unsigned i = 0; i < 6; i++)
		my_mac[i] = (uint8_t)((i < 4 ? lo >> (8 * i) : hi >> (8 * (i - 4))));
	char mac_text[18];
	for (unsigned i = 0; i < 6; i++) {
		mac_text[3 * i] = "0123456789abcdef"[my_mac[i] >> 4];
		mac_text[3 * i + 1] = "0123456789abcdef"[my_mac[i] & 15];
		mac_text[3 * i + 2] = i < 5 ? ':' : '\0';
	}
	if (!(d->accepted & (1ull << VIRTIO_NET_F_MAC)))
		report_fail(CHECK_NET_MAC, "VIRTIO_NET_F_MAC not offered");
	else if (vo->has_expect_mac && memcmp(my_mac, vo->expect_mac, 6) != 0)
		report_fail(CHECK_NET_MAC, "MAC %s, expected another", mac_text);
	else
		report_ok(CHECK_NET_MAC, "MAC %s%s", mac_text,
			  vo->has_expect_mac ? " as expected" : "");

	my_ip = vo->net_ip_set ? vo->net_ip : 0x0a00020f;
	gw_ip = vo->net_gw_set ? vo->net_gw : 0x0a000202;
	struct vq *rx = d->queues[RXQ];
	for (unsigned i = 0; i < rx->size; i++)
		post_rx(rx, i);
	vdev_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, RXQ);

	bool csum_negotiated = d->accepted & (1ull << VIRTIO_NET_F_CSUM);
	struct net_state s = { .d = d };
	if (vo->net_csum_offload)
		s.udp_csum = csum_negotiated ? UDP_CSUM_OFFLOAD : UDP_CSUM_FULL;
	for (unsigned tries = 0; tries < 5 && !s.arp_reply; tries++) {
		send_arp(d, 1, NULL, gw_ip);
		net_wait(&s, 1000, arp_done);
	}
	if (!s.arp_reply) {
		report_fail(CHECK_NET_ARP, "no ARP reply from %u.%u.%u.%u in 5 tries", IP4(gw_ip));
		return;
	}
	report_ok(CHECK_NET_ARP, "%u.%u.%u.%u is at %02x:%02x:%02x:%02x:%02x:%02x", IP4(gw_ip), gw_mac[0],
		  gw_mac[1], gw_mac[2], gw_mac[3], gw_mac[4], gw_mac[5]);
	for (uint16_t seq = 1; seq <= 5 && !s.ping_reply; seq++) {
		send_ping(d, seq);
		net_wait(&s, 1000, ping_done);
	}
	if (s.ping_reply)
		report_ok(CHECK_NET_PING, "echo reply from %u.%u.%u.%u", IP4(gw_ip));
	else
		report_fail(CHECK_NET_PING, "no echo reply from %u.%u.%u.%u in 5 tries", IP4(gw_ip));
	if (vo->net_udp_echo) {
		echo_goal = (unsigned)vo->net_udp_echo;
		net_wait(&s, 30000, echo_done); /* 30 s without a datagram: give up */
		static const char *const how[] = { "no UDP checksum", "UDP checksums computed",
						   "UDP checksums offloaded" };
		if (s.echoed >= echo_goal)
			report_ok(CHECK_NET_UDP_ECHO, "%u datagrams echoed, %s", s.echoed,
				  how[s.udp_csum]);
		else
			report_fail(CHECK_NET_UDP_ECHO, "%u of %u datagrams echoed", s.echoed,
				    echo_goal);
	}
	report_csum_offload(&s, vo, csum_negotiated);
	if (s.bad)
		report_info("virtio-net: %u malformed frames dropped", s.bad);
}
