/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The `--net user` backend: libslirp gives the guest a NATed network (gateway, DHCP, DNS
 * forwarding, TCP/UDP port forwards from the host) with no privileges, as QEMU's
 * -netdev user does.
 *
 * Threads: libslirp is not thread-safe, so every slirp_* call after creation happens on the
 * backend's own thread ("net-user"), which runs slirp's poll loop. Other threads never touch
 * slirp: the vCPU's send() copies the guest's frame into tx_queue and rx_ready() only wakes
 * the thread, both through `wake_fd` (an eventfd the loop polls with slirp's sockets).
 * slirp_new and the host forwards are set up by the creating thread before the backend thread
 * exists (pthread_create orders them), so a port already in use fails the start of the VM.
 */
#include "devices/net_slirp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_net.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "core/wakeup.h"
#include "devices/net_user_opts.h"
#include "devices/slirp_lib.h"

#define VNET_HDR_LEN sizeof(struct virtio_net_hdr_v1)
#define ETH_HDR_LEN 14
#define FRAME_MAX 65536u    /* no TSO offered: real frames are MTU-sized; more is hostile */
#define TX_QUEUE_MAX 256u   /* guest frames waiting for the backend thread */
#define RX_QUEUE_MAX 64u    /* frames for a guest with no receive buffer, then dropped */
#define POLL_MAX_MS 1000u   /* the loop wakes at least this often even with no timer due */
#define GUEST_ERRORS_SHOWN 8 /* slirp's complaints about guest frames: a hostile guest could
			      * produce endless ones */

struct frame {
	size_t len;
	uint8_t data[];
};

struct slirp_timer {
	SlirpTimerCb cb;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
	struct slirp_timer *next;
};

struct frame_ring {
	struct frame **slots;
	unsigned cap, head, count;
};

struct net_slirp {
	struct net_backend be;
	const struct slirp_lib *lib;
	Slirp *slirp;
	struct net_user_opts opts;
	int wake_fd;
	pthread_t thread;
	bool started;
	net_deliver_fn deliver;
	void *deliver_opaque;

	pthread_mutex_t lock; /* tx queue and stop: shared with the vCPU and main threads */
	struct frame_ring tx;
	bool stop;

	/* Owned by the backend thread. */
	struct frame_ring rx;
	atomic_bool rx_waiting; /* rx has (or may be about to have) frames: rx_ready must wake */
	atomic_bool rx_kick;    /* rx_ready was called: try rx again */
	struct slirp_timer *timers;
	struct pollfd *pfds;
	unsigned npfds, pfds_cap;
	unsigned guest_errors;
	uint64_t tx_dropped, rx_dropped;
};

static struct net_slirp *from_be(struct net_backend *be)
{
	return (struct net_slirp *)((char *)be - offsetof(struct net_slirp, be));
}

static int ring_init(struct frame_ring *r, unsigned cap)
{
	r->slots = calloc(cap, sizeof(*r->slots));
	r->cap = cap;
	r->head = r->count = 0;
	return r->slots ? 0 : -1;
}

static bool ring_push(struct frame_ring *r, struct frame *f)
{
	if (r->count == r->cap)
		return false;
	r->slots[(r->head + r->count++) % r->cap] = f;
	return true;
}

static struct frame *ring_peek(const struct frame_ring *r)
{
	return r->count ? r->slots[r->head] : NULL;
}

static void ring_drop_head(struct frame_ring *r)
{
	r->head = (r->head + 1) % r->cap;
	r->count--;
}

static void ring_free(struct frame_ring *r)
{
	while (r->count) {
		free(ring_peek(r));
		ring_drop_head(r);
	}
	free(r->slots);
	r->slots = NULL;
}

static void wake(struct net_slirp *s)
{
	wakeup_signal(s->wake_fd);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- host -> guest ---- */

static bool deliver_frame(struct net_slirp *s, const void *buf, size_t len)
{
	if (!s->deliver)
		return false;
	struct virtio_net_hdr_v1 hdr;
	memset(&hdr, 0, sizeof(hdr)); /* offloads are off: complete frames, no checksum to do */
	struct iovec iov[2] = {
		{ .iov_base = &hdr, .iov_len = sizeof(hdr) },
		{ .iov_base = (void *)buf, .iov_len = len },
	};
	return s->deliver(s->deliver_opaque, iov, 2);
}

static void flush_rx(struct net_slirp *s)
{
	struct frame *f;
	while ((f = ring_peek(&s->rx)) && deliver_frame(s, f->data, f->len)) {
		ring_drop_head(&s->rx);
		free(f);
	}
	atomic_store(&s->rx_waiting, s->rx.count != 0);
}

static ssize_t cb_send_packet(const void *buf, size_t len, void *opaque)
{
	struct net_slirp *s = opaque;
	if (s->rx.count == 0) {
		/* Raised before trying: an rx_ready that races with a refusal still wakes us. */
		atomic_store(&s->rx_waiting, true);
		if (deliver_frame(s, buf, len)) {
			atomic_store(&s->rx_waiting, false);
			return (ssize_t)len;
		}
	}
	struct frame *f = malloc(sizeof(*f) + len);
	if (!f || !ring_push(&s->rx, f)) {
		free(f);
		s->rx_dropped++; /* as a NIC with a full ring would */
		return (ssize_t)len;
	}
	f->len = len;
	memcpy(f->data, buf, len);
	return (ssize_t)len;
}

/* ---- libslirp's other callbacks (all on the backend thread, or at creation) ---- */

static void cb_guest_error(const char *msg, void *opaque)
{
	struct net_slirp *s = opaque;
	if (s->guest_errors++ < GUEST_ERRORS_SHOWN)
		fprintf(stderr, "millivm: net %s: guest error: %s\n", s->be.name, msg);
}

static int64_t cb_clock_get_ns(void *opaque)
{
	(void)opaque;
	return now_ns();
}

static void *cb_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	struct net_slirp *s = opaque;
	struct slirp_timer *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cb = cb;
	t->cb_opaque = cb_opaque;
	t->expire_ms = -1;
	t->next = s->timers;
	s->timers = t;
	return t;
}

static void cb_timer_free(void *timer, void *opaque)
{
	struct net_slirp *s = opaque;
	for (struct slirp_timer **p = &s->timers; *p; p = &(*p)->next) {
		if (*p == timer) {
			*p = (*p)->next;
			free(timer);
			return;
		}
	}
}

/* expire_time is in milliseconds of clock_get_ns's clock. */
static void cb_timer_mod(void *timer, int64_t expire_time, void *opaque)
{
	(void)opaque;
	((struct slirp_timer *)timer)->expire_ms = expire_time;
}

static void cb_poll_fd(int fd, void *opaque)
{
	(void)fd; /* the loop asks slirp for its descriptors on every turn */
	(void)opaque;
}

static void cb_notify(void *opaque)
{
	(void)opaque; /* only ever called from our own thread, which refills before polling */
}

static const SlirpCb callbacks = {
	.send_packet = cb_send_packet,
	.guest_error = cb_guest_error,
	.clock_get_ns = cb_clock_get_ns,
	.timer_new = cb_timer_new,
	.timer_free = cb_timer_free,
	.timer_mod = cb_timer_mod,
	.register_poll_fd = cb_poll_fd,
	.unregister_poll_fd = cb_poll_fd,
	.notify = cb_notify,
};

/* ---- the backend thread's poll loop ---- */

static int cb_add_poll(int fd, int events, void *opaque)
{
	struct net_slirp *s = opaque;
	if (s->npfds == s->pfds_cap) {
		unsigned cap = s->pfds_cap * 2;
		struct pollfd *p = realloc(s->pfds, cap * sizeof(*p));
		if (!p)
			return -1; /* slirp skips this socket for one turn */
		s->pfds = p;
		s->pfds_cap = cap;
	}
	short ev = 0;
	if (events & SLIRP_POLL_IN)
		ev |= POLLIN;
	if (events & SLIRP_POLL_OUT)
		ev |= POLLOUT;
	if (events & SLIRP_POLL_PRI)
		ev |= POLLPRI;
	s->pfds[s->npfds] = (struct pollfd){ .fd = fd, .events = ev };
	return (int)s->npfds++;
}

static int cb_get_revents(int idx, void *opaque)
{
	struct net_slirp *s = opaque;
	if (idx < 0 || (unsigned)idx >= s->npfds)
		return 0;
	short rev = s->pfds[idx].revents;
	int out = 0;
	if (rev & POLLIN)
		out |= SLIRP_POLL_IN;
	if (rev & POLLOUT)
		out |= SLIRP_POLL_OUT;
	if (rev & POLLPRI)
		out |= SLIRP_POLL_PRI;
	if (rev & (POLLERR | POLLNVAL))
		out |= SLIRP_POLL_ERR;
	if (rev & POLLHUP)
		out |= SLIRP_POLL_HUP;
	return out;
}

static uint32_t next_timer_ms(const struct net_slirp *s)
{
	int64_t now = now_ns() / 1000000;
	uint32_t timeout = POLL_MAX_MS;
	for (const struct slirp_timer *t = s->timers; t; t = t->next) {
		if (t->expire_ms < 0)
			continue;
		int64_t left = t->expire_ms - now;
		if (left <= 0)
			return 0;
		if ((uint64_t)left < timeout)
			timeout = (uint32_t)left;
	}
	return timeout;
}

static void run_timers(struct net_slirp *s)
{
	int64_t now = now_ns() / 1000000;
	/* A callback may re-arm, free or create timers: restart the walk after each one. */
	for (bool fired = true; fired;) {
		fired = false;
		for (struct slirp_timer *t = s->timers; t; t = t->next) {
			if (t->expire_ms >= 0 && t->expire_ms <= now) {
				t->expire_ms = -1;
				t->cb(t->cb_opaque);
				fired = true;
				break;
			}
		}
	}
}

static void drain_tx(struct net_slirp *s)
{
	for (;;) {
		pthread_mutex_lock(&s->lock);
		struct frame *f = ring_peek(&s->tx);
		if (f)
			ring_drop_head(&s->tx);
		pthread_mutex_unlock(&s->lock);
		if (!f)
			return;
		s->lib->input(s->slirp, f->data, (int)f->len);
		free(f);
	}
}

static bool should_stop(struct net_slirp *s)
{
	pthread_mutex_lock(&s->lock);
	bool stop = s->stop;
	pthread_mutex_unlock(&s->lock);
	return stop;
}

static void *backend_thread(void *arg)
{
	struct net_slirp *s = arg;
	sandbox_thread_start(SANDBOX_NET, "net-user");
	while (!should_stop(s)) {
		uint32_t timeout = next_timer_ms(s);
		s->npfds = 0;
		cb_add_poll(s->wake_fd, SLIRP_POLL_IN, s); /* index 0: capacity is at least 16 */
		s->lib->pollfds_fill(s->slirp, &timeout, cb_add_poll, s);
		int n = poll(s->pfds, s->npfds, (int)timeout);
		s->lib->pollfds_poll(s->slirp, n < 0, cb_get_revents, s);
		if (n > 0 && (s->pfds[0].revents & POLLIN))
			wakeup_drain(s->wake_fd);
		run_timers(s);
		if (atomic_exchange(&s->rx_kick, false))
			flush_rx(s); /* before new frames: those the guest refuses wait for a kick */
		drain_tx(s);
	}
	return NULL;
}

/* ---- the net_backend interface ---- */

static int slirp_start(struct net_backend *be, net_deliver_fn deliver, void *opaque,
		       struct error *err)
{
	struct net_slirp *s = from_be(be);
	s->deliver = deliver;
	s->deliver_opaque = opaque;
	atomic_store(&s->rx_kick, s->rx.count != 0); /* frames slirp sent before the start */
	int rc = pthread_create(&s->thread, NULL, backend_thread, s);
	if (rc != 0)
		return error_set(err, "net %s: cannot start its thread: %s", be->name,
				 strerror(rc));
	s->started = true;
	return 0;
}

/* Guest -> host, on the vCPU thread: copy past the virtio header and let the thread send it. */
static int slirp_send(struct net_backend *be, const struct iovec *iov, unsigned iovcnt)
{
	struct net_slirp *s = from_be(be);
	size_t total = 0;
	for (unsigned i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (total < VNET_HDR_LEN + ETH_HDR_LEN || total - VNET_HDR_LEN > FRAME_MAX)
		return -1;
	size_t len = total - VNET_HDR_LEN;
	struct frame *f = malloc(sizeof(*f) + len);
	if (!f)
		return -1;
	f->len = len;
	size_t skip = VNET_HDR_LEN, at = 0;
	for (unsigned i = 0; i < iovcnt; i++) {
		const uint8_t *p = iov[i].iov_base;
		size_t n = iov[i].iov_len;
		size_t k = skip < n ? skip : n;
		skip -= k;
		memcpy(f->data + at, p + k, n - k);
		at += n - k;
	}
	pthread_mutex_lock(&s->lock);
	bool was_empty = s->tx.count == 0;
	bool queued = ring_push(&s->tx, f);
	if (!queued)
		s->tx_dropped++;
	pthread_mutex_unlock(&s->lock);
	if (!queued) {
		free(f);
		return -1;
	}
	if (was_empty)
		wake(s); /* otherwise an earlier frame's wake is still pending */
	return 0;
}

static void slirp_rx_ready(struct net_backend *be)
{
	struct net_slirp *s = from_be(be);
	if (atomic_load(&s->rx_waiting)) {
		atomic_store(&s->rx_kick, true);
		wake(s);
	}
}

static int slirp_set_offloads(struct net_backend *be, uint32_t offloads)
{
	(void)be;
	return offloads == 0 ? 0 : -1; /* slirp takes and gives complete frames only */
}

static void slirp_destroy(struct net_backend *be)
{
	struct net_slirp *s = from_be(be);
	if (s->started) {
		pthread_mutex_lock(&s->lock);
		s->stop = true;
		pthread_mutex_unlock(&s->lock);
		wake(s);
		pthread_join(s->thread, NULL);
	}
	if (s->slirp)
		s->lib->cleanup(s->slirp);
	while (s->timers)
		cb_timer_free(s->timers, s);
	ring_free(&s->tx);
	ring_free(&s->rx);
	free(s->pfds);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static const struct net_backend_ops slirp_ops = {
	.start = slirp_start,
	.send = slirp_send,
	.rx_ready = slirp_rx_ready,
	.set_offloads = slirp_set_offloads,
	.destroy = slirp_destroy,
};

/* libslirp does not say why a forward failed: bind the same way to find out. */
static const char *bind_error(const struct net_user_fwd *f)
{
	int fd = socket(AF_INET, f->udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (fd < 0)
		return strerror(errno);
	int one = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)); /* as libslirp does */
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(f->host_port),
				 .sin_addr = f->host_addr };
	const char *why = "refused by libslirp";
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || (!f->udp && listen(fd, 1) < 0))
		why = strerror(errno);
	close(fd);
	return why;
}

static int add_forwards(struct net_slirp *s, struct error *err)
{
	for (unsigned i = 0; i < s->opts.nfwds; i++) {
		const struct net_user_fwd *f = &s->opts.fwds[i];
		if (s->lib->add_hostfwd(s->slirp, f->udp, f->host_addr, f->host_port,
					f->guest_addr, f->guest_port) < 0) {
			char host[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &f->host_addr, host, sizeof(host));
			return error_set(err, "user: hostfwd %s %s:%u: cannot listen there: %s",
					 f->udp ? "udp" : "tcp", host, f->host_port,
					 bind_error(f));
		}
	}
	return 0;
}

static int setup(struct net_slirp *s, const struct net_config *cfg, struct error *err)
{
	if (net_user_opts_parse(cfg->user_opts, &s->opts, err) < 0)
		return error_prefix(err, "user");
	s->lib = slirp_lib_load(err);
	if (!s->lib)
		return error_prefix(err, "user");
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0)
		return error_set(err, "user: eventfd: %s", strerror(errno));
	s->pfds_cap = 16;
	s->pfds = calloc(s->pfds_cap, sizeof(*s->pfds));
	if (!s->pfds || ring_init(&s->tx, TX_QUEUE_MAX) < 0 || ring_init(&s->rx, RX_QUEUE_MAX) < 0)
		return error_set(err, "user: out of memory");

	SlirpConfig c;
	memset(&c, 0, sizeof(c));
	c.version = 1; /* the fields below are all version 1's */
	c.restricted = s->opts.restricted;
	c.in_enabled = true;
	c.vnetwork = s->opts.net;
	c.vnetmask = s->opts.mask;
	c.vhost = s->opts.host;
	c.in6_enabled = false; /* the reference guest and smolBSD's setups use IPv4 */
	c.vdhcp_start = s->opts.dhcp_start;
	c.vnameserver = s->opts.dns;
	c.if_mtu = 1500;
	c.if_mru = 1500;
	c.disable_host_loopback = false;
	s->slirp = s->lib->new_(&c, &callbacks, s);
	if (!s->slirp)
		return error_set(err, "user: libslirp refused the network configuration");
	return add_forwards(s, err);
}

struct net_backend *net_slirp_create(const struct net_config *cfg, struct error *err)
{
	struct net_slirp *s = calloc(1, sizeof(*s));
	if (!s) {
		error_set(err, "user: out of memory");
		return NULL;
	}
	s->be.ops = &slirp_ops;
	s->be.offloads = 0;
	s->be.name = "user";
	s->wake_fd = -1;
	pthread_mutex_init(&s->lock, NULL);
	atomic_init(&s->rx_waiting, false);
	atomic_init(&s->rx_kick, false);
	if (setup(s, cfg, err) < 0) {
		slirp_destroy(&s->be);
		return NULL;
	}
	return &s->be;
}
