/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * `--net user`: the option parser (QEMU's -netdev user syntax, good and bad tokens) and the
 * libslirp backend driven directly with hand-built Ethernet frames, no device and no KVM:
 * ARP for the gateway, DHCP DISCOVER -> OFFER, a frame held while the "guest" has no receive
 * buffer, a UDP forward both ways through a real host socket, and a forward to a busy port.
 * The backend thread runs in its seccomp role (enforced), so a system call missing from the
 * "net" allowlist kills this test.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/virtio_net.h>

#include "devices/net_slirp.h"
#include "devices/net_user_opts.h"

/* ---- option parser ---- */

static uint32_t ip(const char *text)
{
	struct in_addr a;
	assert_int_equal(inet_pton(AF_INET, text, &a), 1);
	return a.s_addr;
}

static void test_opts_defaults(void **state)
{
	(void)state;
	struct net_user_opts o;
	struct error err;
	assert_int_equal(net_user_opts_parse(NULL, &o, &err), 0);
	assert_int_equal(o.net.s_addr, ip("10.0.2.0"));
	assert_int_equal(o.mask.s_addr, ip("255.255.255.0"));
	assert_int_equal(o.host.s_addr, ip("10.0.2.2"));
	assert_int_equal(o.dns.s_addr, ip("10.0.2.3"));
	assert_int_equal(o.dhcp_start.s_addr, ip("10.0.2.15"));
	assert_false(o.restricted);
	assert_int_equal(o.nfwds, 0);
	assert_int_equal(net_user_opts_parse("", &o, &err), 0);
}

static void test_opts_hostfwd(void **state)
{
	(void)state;
	struct net_user_opts o;
	struct error err;
	assert_int_equal(net_user_opts_parse("hostfwd=tcp::2222-:22,hostfwd=udp::5353-:53,"
					     "hostfwd=udp:127.0.0.1:7000-10.0.2.20:7,"
					     "hostfwd=::8080-:80",
					     &o, &err),
			 0);
	assert_int_equal(o.nfwds, 4);
	assert_false(o.fwds[0].udp);
	assert_int_equal(o.fwds[0].host_addr.s_addr, INADDR_ANY);
	assert_int_equal(o.fwds[0].host_port, 2222);
	assert_int_equal(o.fwds[0].guest_addr.s_addr, ip("10.0.2.15"));
	assert_int_equal(o.fwds[0].guest_port, 22);
	assert_true(o.fwds[1].udp);
	assert_int_equal(o.fwds[1].host_port, 5353);
	assert_int_equal(o.fwds[1].guest_port, 53);
	assert_int_equal(o.fwds[2].host_addr.s_addr, ip("127.0.0.1"));
	assert_int_equal(o.fwds[2].guest_addr.s_addr, ip("10.0.2.20"));
	assert_false(o.fwds[3].udp); /* QEMU: no protocol means tcp */
	assert_int_equal(o.fwds[3].host_port, 8080);
}

static void test_opts_net(void **state)
{
	(void)state;
	struct net_user_opts o;
	struct error err;
	assert_int_equal(net_user_opts_parse("net=192.168.76.0/24,restrict=on", &o, &err), 0);
	assert_int_equal(o.host.s_addr, ip("192.168.76.2"));
	assert_int_equal(o.dns.s_addr, ip("192.168.76.3"));
	assert_int_equal(o.dhcp_start.s_addr, ip("192.168.76.15"));
	assert_true(o.restricted);
	/* Order does not matter: host= before net=, a dotted mask, forwards follow dhcpstart. */
	assert_int_equal(net_user_opts_parse("host=10.9.0.1,hostfwd=udp::7-:7,net=10.9.0.0/"
					     "255.255.0.0,dhcpstart=10.9.1.1,dns=10.9.0.53",
					     &o, &err),
			 0);
	assert_int_equal(o.mask.s_addr, ip("255.255.0.0"));
	assert_int_equal(o.host.s_addr, ip("10.9.0.1"));
	assert_int_equal(o.dns.s_addr, ip("10.9.0.53"));
	assert_int_equal(o.fwds[0].guest_addr.s_addr, ip("10.9.1.1"));
	assert_int_equal(net_user_opts_parse("net=10.1.0.0", &o, &err), 0);
	assert_int_equal(o.mask.s_addr, ip("255.255.255.0"));
}

struct bad_case {
	const char *text;
	const char *expect; /* a substring of the message: the token and the reason */
};

static void test_opts_bad(void **state)
{
	(void)state;
	static const struct bad_case cases[] = {
		{ "hostfwd=tcp::22x-:22", "host port '22x'" },
		{ "hostfwd=tcp::0-:22", "host port '0'" },
		{ "hostfwd=tcp::2222-:70000", "guest port '70000'" },
		{ "hostfwd=sctp::1-:2", "protocol 'sctp'" },
		{ "hostfwd=tcp:1.2.3:1-:2", "host address '1.2.3'" },
		{ "hostfwd=tcp::1-bad:2", "guest address 'bad'" },
		{ "hostfwd=tcp::2222:22", "'hostfwd=tcp::2222:22': expected" },
		{ "hostfwd=tcp", "'hostfwd=tcp': expected" },
		{ "net=10.0.2.0/33", "prefix '33'" },
		{ "net=10.0.2.0/255.0.255.0", "not contiguous" },
		{ "net=10.0.2.1/24", "host bits" },
		{ "net=ten", "'ten' is not an IPv4 address" },
		{ "host=10.0.3.2", "'host=10.0.3.2': not inside net=10.0.2.0/24" },
		{ "dns=1.1.1.1", "'dns=1.1.1.1': not inside" },
		{ "restrict=maybe", "'restrict=maybe'" },
		{ "foo=1", "unknown option 'foo'" },
		{ "hostfwd", "'hostfwd': expected KEY=VALUE" },
		{ "hostfwd=tcp::1-:2,,net=10.0.2.0/24", "empty option" },
		{ "hostfwd=tcp::1-:2,", "empty option at the end" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct net_user_opts o;
		struct error err;
		err.msg[0] = '\0';
		assert_int_equal(net_user_opts_parse(cases[i].text, &o, &err), -1);
		if (!strstr(err.msg, cases[i].expect))
			fail_msg("'%s': message '%s' lacks '%s'", cases[i].text, err.msg,
				 cases[i].expect);
		assert_null(strchr(err.msg, '\n'));
	}
	/* Too many forwards, too long a token. */
	char text[4096] = "";
	for (int i = 0; i <= NET_USER_MAX_FWDS; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%shostfwd=udp::%d-:7",
			 i ? "," : "", 1000 + i);
	struct net_user_opts o;
	struct error err;
	assert_int_equal(net_user_opts_parse(text, &o, &err), -1);
	assert_non_null(strstr(err.msg, "more than"));
	memset(text, 'a', 300);
	memcpy(text, "net=", 4);
	text[300] = '\0';
	assert_int_equal(net_user_opts_parse(text, &o, &err), -1);
	assert_non_null(strstr(err.msg, "too long"));
}

/* ---- the backend, with hand-built frames ---- */

#define VNET_HDR sizeof(struct virtio_net_hdr_v1)
#define WAIT_MS 10000 /* a safety net only: frames normally come in microseconds */

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

struct captured {
	uint8_t data[2048];
	size_t len;
};

struct sink {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct captured frames[32];
	unsigned count;
	int refuse; /* deliveries to refuse, as a guest with no receive buffer */
	unsigned refused;
};

static bool sink_deliver(void *opaque, const struct iovec *iov, unsigned iovcnt)
{
	struct sink *k = opaque;
	pthread_mutex_lock(&k->lock);
	if (k->refuse > 0) {
		k->refuse--;
		k->refused++;
		pthread_mutex_unlock(&k->lock);
		return false;
	}
	struct captured *c = &k->frames[k->count % 32];
	size_t at = 0;
	for (unsigned i = 0; i < iovcnt; i++) {
		size_t n = iov[i].iov_len;
		if (at + n > sizeof(c->data))
			n = sizeof(c->data) - at;
		memcpy(c->data + at, iov[i].iov_base, n);
		at += n;
	}
	c->len = at;
	k->count++;
	pthread_cond_broadcast(&k->cond);
	pthread_mutex_unlock(&k->lock);
	return true;
}

/* The first frame after `*seen` that MATCH accepts; NULL after WAIT_MS. */
typedef bool (*frame_match)(const uint8_t *eth, size_t len, const void *arg);

static bool wait_frame(struct sink *k, unsigned *seen, frame_match match, const void *arg,
		       struct captured *out)
{
	struct timespec deadline;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += WAIT_MS / 1000;
	pthread_mutex_lock(&k->lock);
	for (;;) {
		while (*seen < k->count) {
			struct captured *c = &k->frames[(*seen)++ % 32];
			const struct virtio_net_hdr_v1 *h = (const void *)c->data;
			assert_true(c->len > VNET_HDR);
			assert_int_equal(h->flags, 0);
			assert_int_equal(h->gso_type, VIRTIO_NET_HDR_GSO_NONE);
			if (match(c->data + VNET_HDR, c->len - VNET_HDR, arg)) {
				*out = *c;
				pthread_mutex_unlock(&k->lock);
				return true;
			}
		}
		if (pthread_cond_timedwait(&k->cond, &k->lock, &deadline) == ETIMEDOUT) {
			pthread_mutex_unlock(&k->lock);
			return false;
		}
	}
}

struct fixture {
	struct sink sink;
	struct net_backend *be;
	unsigned seen;
};

static struct fixture *start_backend(const char *opts)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	pthread_mutex_init(&f->sink.lock, NULL);
	pthread_cond_init(&f->sink.cond, NULL);
	struct net_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.kind = NET_USER;
	cfg.user_opts = opts;
	struct error err;
	f->be = net_slirp_create(&cfg, &err);
	if (!f->be)
		fail_msg("net_slirp_create: %s", err.msg);
	assert_int_equal(f->be->offloads, 0);
	assert_int_equal(f->be->ops->set_offloads(f->be, 0), 0);
	assert_int_equal(f->be->ops->set_offloads(f->be, NET_OFFLOAD_CSUM), -1);
	assert_int_equal(f->be->ops->start(f->be, sink_deliver, &f->sink, &err), 0);
	return f;
}

static void stop_backend(struct fixture *f)
{
	f->be->ops->destroy(f->be);
	pthread_cond_destroy(&f->sink.cond);
	pthread_mutex_destroy(&f->sink.lock);
	free(f);
}

/* Guest -> backend: the frame behind a zeroed header, split over two iovecs. */
static void guest_send(struct fixture *f, const uint8_t *eth, size_t len)
{
	struct virtio_net_hdr_v1 hdr;
	memset(&hdr, 0, sizeof(hdr));
	struct iovec iov[3] = {
		{ .iov_base = &hdr, .iov_len = 5 },
		{ .iov_base = (uint8_t *)&hdr + 5, .iov_len = sizeof(hdr) - 5 },
		{ .iov_base = (void *)eth, .iov_len = len },
	};
	assert_int_equal(f->be->ops->send(f->be, iov, 3), 0);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_ip(uint8_t *p, const char *text)
{
	uint32_t a = ip(text);
	memcpy(p, &a, 4);
}

static size_t build_arp_request(uint8_t *f, const char *target)
{
	memset(f, 0, 42);
	memset(f, 0xff, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, 0x0806);
	put16(f + 14, 1);      /* Ethernet */
	put16(f + 16, 0x0800); /* IPv4 */
	f[18] = 6;
	f[19] = 4;
	put16(f + 20, 1); /* request */
	memcpy(f + 22, guest_mac, 6);
	put_ip(f + 28, "10.0.2.15");
	put_ip(f + 38, target);
	return 42;
}

static uint16_t ip_checksum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* Ethernet + IPv4 + UDP (checksum 0: none) around PAYLOAD; returns the frame length. */
static size_t build_udp(uint8_t *f, const uint8_t dst_mac[6], const char *src, uint16_t sport,
			const char *dst, uint16_t dport, const void *payload, size_t plen)
{
	memcpy(f, dst_mac, 6);
	memcpy(f + 6, guest_mac, 6);
	put16(f + 12, 0x0800);
	uint8_t *iph = f + 14;
	memset(iph, 0, 20);
	iph[0] = 0x45;
	put16(iph + 2, (uint16_t)(20 + 8 + plen));
	iph[8] = 64;
	iph[9] = 17;
	put_ip(iph + 12, src);
	put_ip(iph + 16, dst);
	put16(iph + 10, ip_checksum(iph, 20));
	uint8_t *udp = iph + 20;
	put16(udp, sport);
	put16(udp + 2, dport);
	put16(udp + 4, (uint16_t)(8 + plen));
	put16(udp + 6, 0);
	memcpy(udp + 8, payload, plen);
	return 14 + 20 + 8 + plen;
}

static bool is_arp_reply_from_gateway(const uint8_t *e, size_t len, const void *arg)
{
	(void)arg;
	return len >= 42 && get16(e + 12) == 0x0806 && get16(e + 20) == 2 &&
	       memcmp(e + 28, &(uint32_t){ ip("10.0.2.2") }, 4) == 0;
}

static bool is_arp_reply_from_dns(const uint8_t *e, size_t len, const void *arg)
{
	(void)arg;
	return len >= 42 && get16(e + 12) == 0x0806 && get16(e + 20) == 2 &&
	       memcmp(e + 28, &(uint32_t){ ip("10.0.2.3") }, 4) == 0;
}

static void expect_arp_reply(struct fixture *f)
{
	struct captured c;
	assert_true(wait_frame(&f->sink, &f->seen, is_arp_reply_from_gateway, NULL, &c));
	const uint8_t *e = c.data + VNET_HDR;
	assert_memory_equal(e, guest_mac, 6);         /* to the guest */
	assert_memory_equal(e + 32, guest_mac, 6);    /* target hardware address */
	assert_memory_equal(e + 6, e + 22, 6);        /* from the gateway's MAC */
	assert_memory_equal(e + 38, &(uint32_t){ ip("10.0.2.15") }, 4);
}

static void test_arp_gateway(void **state)
{
	(void)state;
	struct fixture *f = start_backend(NULL);
	uint8_t frame[64];
	guest_send(f, frame, build_arp_request(frame, "10.0.2.2"));
	expect_arp_reply(f);
	stop_backend(f);
}

/* No receive buffer: the reply waits in the backend until rx_ready, then arrives. */
static void test_held_until_rx_ready(void **state)
{
	(void)state;
	struct fixture *f = start_backend(NULL);
	pthread_mutex_lock(&f->sink.lock);
	f->sink.refuse = 1;
	pthread_mutex_unlock(&f->sink.lock);
	uint8_t frame[64];
	guest_send(f, frame, build_arp_request(frame, "10.0.2.2"));
	for (int i = 0; i < WAIT_MS; i++) {
		pthread_mutex_lock(&f->sink.lock);
		unsigned refused = f->sink.refused;
		pthread_mutex_unlock(&f->sink.lock);
		if (refused)
			break;
		usleep(1000);
	}
	pthread_mutex_lock(&f->sink.lock);
	assert_int_equal(f->sink.refused, 1);
	assert_int_equal(f->sink.count, 0);
	pthread_mutex_unlock(&f->sink.lock);
	f->be->ops->rx_ready(f->be);
	expect_arp_reply(f);
	stop_backend(f);
}

/* Runt and oversized frames from a hostile guest are refused, and the backend keeps going. */
static void test_bad_frames(void **state)
{
	(void)state;
	struct fixture *f = start_backend(NULL);
	uint8_t small[VNET_HDR + 4] = { 0 };
	struct iovec iov = { .iov_base = small, .iov_len = sizeof(small) };
	assert_int_equal(f->be->ops->send(f->be, &iov, 1), -1);
	static uint8_t big[VNET_HDR + 70000];
	iov = (struct iovec){ .iov_base = big, .iov_len = sizeof(big) };
	assert_int_equal(f->be->ops->send(f->be, &iov, 1), -1);
	uint8_t junk[VNET_HDR + 60];
	memset(junk, 0xa5, sizeof(junk));
	iov = (struct iovec){ .iov_base = junk, .iov_len = sizeof(junk) };
	assert_int_equal(f->be->ops->send(f->be, &iov, 1), 0); /* queued; slirp ignores it */
	uint8_t frame[64];
	guest_send(f, frame, build_arp_request(frame, "10.0.2.2"));
	expect_arp_reply(f);
	stop_backend(f);
}

static const uint8_t broadcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static bool is_dhcp_offer(const uint8_t *e, size_t len, const void *arg)
{
	(void)arg;
	if (len < 14 + 20 + 8 + 240 || get16(e + 12) != 0x0800 || e[14 + 9] != 17)
		return false;
	const uint8_t *udp = e + 14 + (e[14] & 0xf) * 4;
	return get16(udp) == 67 && get16(udp + 2) == 68;
}

static void test_dhcp_offer(void **state)
{
	(void)state;
	struct fixture *f = start_backend(NULL);
	uint8_t bootp[300];
	memset(bootp, 0, sizeof(bootp));
	bootp[0] = 1; /* BOOTREQUEST */
	bootp[1] = 1;
	bootp[2] = 6;
	memcpy(bootp + 4, "\x12\x34\x56\x78", 4); /* xid */
	memcpy(bootp + 28, guest_mac, 6);
	memcpy(bootp + 236, "\x63\x82\x53\x63", 4);
	memcpy(bootp + 240, "\x35\x01\x01\xff", 4); /* DHCPDISCOVER, end */
	uint8_t frame[400];
	size_t len = build_udp(frame, broadcast, "0.0.0.0", 68, "255.255.255.255", 67, bootp,
			       sizeof(bootp));
	guest_send(f, frame, len);
	struct captured c;
	assert_true(wait_frame(&f->sink, &f->seen, is_dhcp_offer, NULL, &c));
	const uint8_t *e = c.data + VNET_HDR;
	const uint8_t *reply = e + 14 + (e[14] & 0xf) * 4 + 8;
	assert_int_equal(reply[0], 2); /* BOOTREPLY */
	assert_memory_equal(reply + 4, "\x12\x34\x56\x78", 4);
	assert_memory_equal(reply + 16, &(uint32_t){ ip("10.0.2.15") }, 4); /* yiaddr */
	assert_memory_equal(reply + 28, guest_mac, 6);
	/* Option 53 (message type) says OFFER. */
	const uint8_t *opt = reply + 240, *end = e + c.len - VNET_HDR;
	bool offer = false;
	while (opt + 2 <= end && opt[0] != 255) {
		if (opt[0] == 0) {
			opt++;
			continue;
		}
		if (opt[0] == 53 && opt[1] == 1)
			offer = opt[2] == 2;
		opt += 2 + opt[1];
	}
	assert_true(offer);
	stop_backend(f);
}

static uint16_t free_udp_port(void)
{
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t alen = sizeof(a);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	close(s);
	return ntohs(a.sin_port);
}

struct udp_want {
	uint16_t dport;
	const char *payload;
};

static bool is_udp_to_guest(const uint8_t *e, size_t len, const void *arg)
{
	const struct udp_want *w = arg;
	if (len < 14 + 20 + 8 || get16(e + 12) != 0x0800 || e[14 + 9] != 17)
		return false;
	const uint8_t *udp = e + 14 + (e[14] & 0xf) * 4;
	size_t plen = strlen(w->payload);
	return get16(udp + 2) == w->dport && get16(udp + 4) == 8 + plen &&
	       memcmp(udp + 8, w->payload, plen) == 0;
}

/* hostfwd=udp: a host datagram reaches the guest's port 7, the guest's answer the host. */
static void test_udp_hostfwd(void **state)
{
	(void)state;
	uint16_t port = free_udp_port();
	char opts[64];
	snprintf(opts, sizeof(opts), "hostfwd=udp:127.0.0.1:%u-:7", port);
	struct fixture *f = start_backend(opts);
	/* The guest makes itself known (slirp learns its MAC from its ARP request). */
	uint8_t frame[256];
	guest_send(f, frame, build_arp_request(frame, "10.0.2.2"));
	expect_arp_reply(f);
	uint8_t gw_mac[6];
	memcpy(gw_mac, f->sink.frames[0].data + VNET_HDR + 6, 6);

	int s = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(s >= 0);
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_in fwd = { .sin_family = AF_INET, .sin_port = htons(port),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(sendto(s, "ping-from-host", 14, 0, (struct sockaddr *)&fwd,
				sizeof(fwd)),
			 14);
	struct udp_want want = { 7, "ping-from-host" };
	struct captured c;
	assert_true(wait_frame(&f->sink, &f->seen, is_udp_to_guest, &want, &c));
	const uint8_t *e = c.data + VNET_HDR;
	assert_memory_equal(e, guest_mac, 6);
	assert_memory_equal(e + 14 + 16, &(uint32_t){ ip("10.0.2.15") }, 4);
	char src[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, e + 14 + 12, src, sizeof(src));
	uint16_t sport = get16(e + 14 + 20);

	/* The guest echoes it back from port 7 to where it came from. */
	size_t len = build_udp(frame, gw_mac, "10.0.2.15", 7, src, sport, "pong-from-guest", 15);
	guest_send(f, frame, len);
	char buf[64];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	ssize_t n = recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
	assert_int_equal(n, 15);
	assert_memory_equal(buf, "pong-from-guest", 15);
	assert_int_equal(ntohs(from.sin_port), port);
	close(s);
	stop_backend(f);
}

/*
 * Outbound: the guest's datagram to the gateway reaches a host socket on 127.0.0.1 (slirp's
 * host loopback) and the answer comes back to the guest's port. Then a DNS query to 10.0.2.3,
 * which makes slirp read /etc/resolv.conf and open a socket on its thread: the seccomp role
 * must allow that (the thread is still alive and answering ARP afterwards).
 */
static void test_udp_outbound_and_dns(void **state)
{
	(void)state;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t alen = sizeof(a);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	struct timeval tv = { .tv_sec = WAIT_MS / 1000 };
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	struct fixture *f = start_backend(NULL);
	uint8_t frame[256];
	guest_send(f, frame, build_arp_request(frame, "10.0.2.2"));
	expect_arp_reply(f);
	uint8_t gw_mac[6];
	memcpy(gw_mac, f->sink.frames[0].data + VNET_HDR + 6, 6);
	size_t len = build_udp(frame, gw_mac, "10.0.2.15", 4444, "10.0.2.2", ntohs(a.sin_port),
			       "to-the-host", 11);
	guest_send(f, frame, len);
	char buf[64];
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	assert_int_equal(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen), 11);
	assert_memory_equal(buf, "to-the-host", 11);
	assert_int_equal(from.sin_addr.s_addr, htonl(INADDR_LOOPBACK));
	assert_int_equal(sendto(s, "back-to-guest", 13, 0, (struct sockaddr *)&from, flen), 13);
	struct udp_want want = { 4444, "back-to-guest" };
	struct captured c;
	assert_true(wait_frame(&f->sink, &f->seen, is_udp_to_guest, &want, &c));
	const uint8_t *e = c.data + VNET_HDR;
	assert_memory_equal(e + 14 + 12, &(uint32_t){ ip("10.0.2.2") }, 4);
	assert_int_equal(get16(e + 14 + 20), ntohs(a.sin_port));

	static const uint8_t query[] = { 0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0,
					 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0, 0, 1, 0, 1 };
	len = build_udp(frame, gw_mac, "10.0.2.15", 5353, "10.0.2.3", 53, query, sizeof(query));
	guest_send(f, frame, len);
	guest_send(f, frame, build_arp_request(frame, "10.0.2.3"));
	struct captured arp;
	assert_true(wait_frame(&f->sink, &f->seen, is_arp_reply_from_dns, NULL, &arp));
	close(s);
	stop_backend(f);
}

/* A forward to a host port that is taken fails creation with one clear line. */
static void test_hostfwd_port_in_use(void **state)
{
	(void)state;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	socklen_t alen = sizeof(a);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &alen), 0);
	char opts[64];
	snprintf(opts, sizeof(opts), "hostfwd=udp:127.0.0.1:%u-:7", ntohs(a.sin_port));
	struct net_config cfg = { .kind = NET_USER, .user_opts = opts };
	struct error err;
	assert_null(net_slirp_create(&cfg, &err));
	char port[16];
	snprintf(port, sizeof(port), ":%u", ntohs(a.sin_port));
	assert_non_null(strstr(err.msg, "hostfwd udp 127.0.0.1"));
	assert_non_null(strstr(err.msg, port));
	assert_non_null(strstr(err.msg, "Address already in use"));
	assert_null(strchr(err.msg, '\n'));
	close(s);
	cfg.user_opts = "hostfwd=udp::1x-:7";
	assert_null(net_slirp_create(&cfg, &err));
	assert_string_equal(err.msg, "user: 'hostfwd=udp::1x-:7': host port '1x' is not "
				     "a number 1-65535");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_opts_defaults),
		cmocka_unit_test(test_opts_hostfwd),
		cmocka_unit_test(test_opts_net),
		cmocka_unit_test(test_opts_bad),
		cmocka_unit_test(test_arp_gateway),
		cmocka_unit_test(test_held_until_rx_ready),
		cmocka_unit_test(test_bad_frames),
		cmocka_unit_test(test_dhcp_offer),
		cmocka_unit_test(test_udp_hostfwd),
		cmocka_unit_test(test_udp_outbound_and_dns),
		cmocka_unit_test(test_hostfwd_port_in_use),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
