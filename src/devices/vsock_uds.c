/* SPDX-License-Identifier: BSD-2-Clause */
#include "vsock_uds.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_vsock.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "core/wakeup.h"
#include "devices/virtio_log.h"
#include "devices/virtio_vsock.h"

/* Host clients that connected but have not sent their CONNECT line yet. */
#define PENDING_MAX 64
#define CONNECT_LINE_MAX 32 /* "CONNECT 4294967295\n" is 19 bytes */
#define CONNECT_LINE_TIMEOUT_MS 5000
/* How long the guest has to answer the host's REQUEST (Firecracker waits 2 s). */
#define GUEST_ACCEPT_TIMEOUT_MS 5000
#define OK_LINE_MAX 24

enum ev_kind { EV_LISTEN = 1, EV_WAKE, EV_PENDING, EV_CONN };

struct uds_conn {
	int fd;
	uint32_t events;   /* epoll interest now */
	bool registered;   /* in the epoll set */
	bool hup;          /* the peer hung up: stay out of epoll unless there is work */
	bool write_shut;   /* shutdown(SHUT_WR) done after the guest's SHUTDOWN(SEND) */
	bool dirty;        /* the thread must look at it */
	uint8_t *buf;      /* guest -> host bytes not yet written (a ring) */
	uint32_t head, len;
	uint32_t ok_len;   /* bytes of the "OK" line still in buf (not guest credit) */
	uint64_t deadline_ms; /* HOST_CONNECTING */
};
#define BUF_CAP (VSOCK_BUF_ALLOC + OK_LINE_MAX)

struct pending {
	int fd; /* -1: free */
	uint64_t deadline_ms;
};

struct vsock_uds {
	char *path;
	int listen_fd, epoll_fd, wake_fd;
	struct virtio_vsock *dev;
	pthread_t thread;
	bool started, stop;
	bool any_dirty;
	struct pending pending[PENDING_MAX];
	struct uds_conn conns[VSOCK_MAX_CONNS];
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t ev_data(enum ev_kind kind, unsigned index, uint32_t generation)
{
	return (uint64_t)kind << 56 | (uint64_t)index << 32 | generation;
}

static struct uds_conn *uc_of(struct vsock_uds *u, const struct vsock_conn *c)
{
	return &u->conns[vsock_table_index(&u->dev->table, c)];
}

static void wake(struct vsock_uds *u)
{
	int rc = wakeup_signal(u->wake_fd);
	if (rc < 0)
		virtio_log("virtio-vsock: cannot wake the host thread: %s", strerror(-rc));
}

static void mark_dirty(struct vsock_uds *u, struct vsock_conn *c)
{
	uc_of(u, c)->dirty = true;
	if (!u->any_dirty) {
		u->any_dirty = true;
		wake(u);
	}
}

/* --- guest -> host bytes --- */

static void buf_put(struct uds_conn *uc, const uint8_t *p, uint32_t n)
{
	while (n) {
		uint32_t tail = (uc->head + uc->len) % BUF_CAP;
		uint32_t run = BUF_CAP - tail < n ? BUF_CAP - tail : n;
		memcpy(uc->buf + tail, p, run);
		uc->len += run;
		p += run;
		n -= run;
	}
}

/*
 * Write what is buffered without blocking. Returns -1 if the peer is gone (the connection
 * was reset and freed), else 0.
 */
static int flush(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	uint32_t forwarded = 0;
	while (uc->len) {
		uint32_t run = BUF_CAP - uc->head < uc->len ? BUF_CAP - uc->head : uc->len;
		ssize_t n = write(uc->fd, uc->buf + uc->head, run);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) { /* EPIPE, ECONNRESET: the host peer is gone */
			virtio_vsock_reset_conn(u->dev, c);
			return -1;
		}
		uint32_t done = (uint32_t)n;
		uint32_t ok = done < uc->ok_len ? done : uc->ok_len;
		uc->ok_len -= ok;
		forwarded += done - ok;
		uc->head = (uc->head + done) % BUF_CAP;
		uc->len -= done;
	}
	if (forwarded && vsock_conn_forwarded(c, forwarded))
		virtio_vsock_send_ctrl(u->dev, c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0);
	return 0;
}

static int alloc_buf(struct uds_conn *uc)
{
	if (!uc->buf)
		uc->buf = malloc(BUF_CAP);
	uc->head = uc->len = uc->ok_len = 0;
	return uc->buf ? 0 : -1;
}

/* --- epoll interest --- */

static void set_interest(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	uint32_t want = 0;
	if (c->state == VSOCK_GUEST_CONNECTING)
		want = EPOLLOUT;
	if (c->state == VSOCK_ESTABLISHED) {
		if (uc->len)
			want |= EPOLLOUT;
		if (!(c->local_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) &&
		    !(c->peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_RCV) && vsock_conn_peer_free(c) &&
		    !u->dev->rx_starved)
			want |= EPOLLIN; /* off without credit: the guest's CREDIT_UPDATE resumes */
	}
	/* A hung-up socket reports EPOLLHUP whatever we ask: keep it out while idle. */
	bool listed = want || !uc->hup;
	struct epoll_event ev = {
		.events = want,
		.data.u64 = ev_data(EV_CONN, vsock_table_index(&u->dev->table, c), c->generation),
	};
	if (listed && !uc->registered) {
		if (epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, uc->fd, &ev) == 0)
			uc->registered = true;
	} else if (listed && want != uc->events) {
		epoll_ctl(u->epoll_fd, EPOLL_CTL_MOD, uc->fd, &ev);
	} else if (!listed && uc->registered) {
		epoll_ctl(u->epoll_fd, EPOLL_CTL_DEL, uc->fd, NULL);
		uc->registered = false;
	}
	uc->events = want;
}

/* --- guest-initiated connections: PATH_port --- */

static void connected(struct vsock_uds *u, struct vsock_conn *c)
{
	if (alloc_buf(uc_of(u, c)) < 0) {
		virtio_vsock_reset_conn(u->dev, c);
		return;
	}
	c->state = VSOCK_ESTABLISHED;
	virtio_vsock_send_ctrl(u->dev, c, VIRTIO_VSOCK_OP_RESPONSE, 0);
}

static void start_connect(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int len = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s_%u", u->path, c->host_port);
	if (len < 0 || (size_t)len >= sizeof(sa.sun_path)) {
		virtio_log("virtio-vsock: %s_%u: path too long", u->path, c->host_port);
		virtio_vsock_reset_conn(u->dev, c);
		return;
	}
	uc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (uc->fd < 0) {
		virtio_log("virtio-vsock: socket: %s", strerror(errno));
		virtio_vsock_reset_conn(u->dev, c);
		return;
	}
	if (connect(uc->fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		connected(u, c);
		return;
	}
	if (errno != EINPROGRESS) {
		/* Nobody listens on PATH_port (or its backlog is full: EAGAIN, nothing pending
		 * then): the guest's connect() fails, as on Firecracker. */
		virtio_vsock_reset_conn(u->dev, c);
		return;
	}
}

/* Everything the thread does for one connection after a change. The lock is held. */
static void process(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	uc->dirty = false;
	if (c->state == VSOCK_GUEST_CONNECTING && uc->fd < 0)
		start_connect(u, c);
	if (c->state == VSOCK_FREE)
		return;
	if (c->state == VSOCK_ESTABLISHED) {
		if (flush(u, c) < 0)
			return;
		if (!uc->len && (c->peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) && !uc->write_shut) {
			shutdown(uc->fd, SHUT_WR); /* the host reads EOF */
			uc->write_shut = true;
		}
		bool guest_done = c->peer_shutdown == (VIRTIO_VSOCK_SHUTDOWN_RCV |
						       VIRTIO_VSOCK_SHUTDOWN_SEND);
		bool both_sent = (c->peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) &&
				 (c->local_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND);
		if (!uc->len && (guest_done || both_sent)) {
			/* Nothing more either way: the RST ends it for the guest (5.10.6.6). */
			virtio_vsock_reset_conn(u->dev, c);
			return;
		}
	}
	set_interest(u, c);
}

/* Socket readable (or hung up): move data to the guest as far as it can take it. */
static void host_readable(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	if (c->local_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND) {
		process(u, c); /* a hang-up after our EOF: the next write finds the peer gone */
		return;
	}
	switch (virtio_vsock_rx_from_fd(u->dev, c, uc->fd)) {
	case VSOCK_RX_AGAIN:
	case VSOCK_RX_NO_CREDIT:
	case VSOCK_RX_STARVED:
	case VSOCK_RX_BUSY:
	case VSOCK_RX_EOF: /* the SHUTDOWN(SEND) went out in the chain */
		break;
	case VSOCK_RX_ERROR: /* the RST went out in the chain */
		vsock_uds_closed(u, c);
		vsock_table_release(&u->dev->table, c);
		return;
	}
	process(u, c);
}

static void conn_event(struct vsock_uds *u, unsigned index, uint32_t generation,
		       uint32_t events)
{
	struct vsock_conn *c = &u->dev->conns[index];
	struct uds_conn *uc = &u->conns[index];
	if (c->state == VSOCK_FREE || c->generation != generation || uc->fd < 0)
		return; /* closed since the event was reported */
	if (events & (EPOLLHUP | EPOLLERR))
		uc->hup = true;
	switch (c->state) {
	case VSOCK_GUEST_CONNECTING: {
		int so_error = 0;
		socklen_t len = sizeof(so_error);
		if (getsockopt(uc->fd, SOL_SOCKET, SO_ERROR, &so_error, &len) < 0 || so_error ||
		    (events & (EPOLLHUP | EPOLLERR)))
			virtio_vsock_reset_conn(u->dev, c);
		else
			connected(u, c);
		if (c->state != VSOCK_FREE)
			process(u, c);
		return;
	}
	case VSOCK_HOST_CONNECTING:
		if (events & (EPOLLHUP | EPOLLERR)) /* the host client gave up */
			virtio_vsock_reset_conn(u->dev, c);
		return;
	case VSOCK_ESTABLISHED:
		if (events & EPOLLOUT) {
			process(u, c);
			if (c->state == VSOCK_FREE || c->generation != generation)
				return;
		}
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			host_readable(u, c);
		else
			process(u, c);
		return;
	case VSOCK_FREE:
		return;
	}
}

/* --- host-initiated connections: CONNECT <port>\n --- */

static void drop_pending(struct pending *p)
{
	close(p->fd); /* also leaves the epoll set */
	p->fd = -1;
}

/* Strictly "CONNECT <decimal port>\n". */
static bool parse_connect(const char *line, size_t len, uint32_t *port)
{
	static const char prefix[] = "CONNECT ";
	size_t n = sizeof(prefix) - 1;
	if (len < n + 2 || memcmp(line, prefix, n) != 0 || line[len - 1] != '\n')
		return false;
	uint64_t value = 0;
	size_t i = n;
	for (; i < len - 1; i++) {
		if (line[i] < '0' || line[i] > '9' || i - n >= 10)
			return false;
		value = value * 10 + (uint64_t)(line[i] - '0');
	}
	if (value > UINT32_MAX)
		return false;
	*port = (uint32_t)value;
	return true;
}

static void pending_event(struct vsock_uds *u, unsigned index)
{
	struct pending *p = &u->pending[index];
	if (p->fd < 0)
		return;
	char line[CONNECT_LINE_MAX];
	ssize_t n = recv(p->fd, line, sizeof(line), MSG_PEEK);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		drop_pending(p);
		return;
	}
	char *nl = memchr(line, '\n', (size_t)n);
	if (!nl) {
		if ((size_t)n == sizeof(line)) {
			virtio_log("virtio-vsock: host client sent no CONNECT line: closed");
			drop_pending(p);
		}
		return; /* the rest of the line is on its way */
	}
	size_t len = (size_t)(nl - line) + 1;
	uint32_t port;
	if (recv(p->fd, line, len, 0) != (ssize_t)len || !parse_connect(line, len, &port)) {
		virtio_log("virtio-vsock: host client sent a bad line (expected \"CONNECT "
			   "<port>\\n\"): closed");
		drop_pending(p);
		return;
	}
	int fd = p->fd;
	epoll_ctl(u->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	p->fd = -1;

	struct virtio_vsock *v = u->dev;
	pthread_mutex_lock(&v->transport.lock);
	struct vsock_conn *c = virtio_mmio_driver_ok(&v->transport)
				       ? vsock_table_open_host(&v->table, port)
				       : NULL;
	if (!c) {
		pthread_mutex_unlock(&v->transport.lock);
		close(fd); /* no guest driver, or the table is full (logged) */
		return;
	}
	struct uds_conn *uc = uc_of(u, c);
	*uc = (struct uds_conn){ .fd = fd, .buf = uc->buf,
				 .deadline_ms = now_ms() + GUEST_ACCEPT_TIMEOUT_MS };
	c->peer_buf_alloc = 0; /* the guest's RESPONSE tells */
	virtio_vsock_send_ctrl(v, c, VIRTIO_VSOCK_OP_REQUEST, 0);
	set_interest(u, c); /* no events: just hang-ups */
	pthread_mutex_unlock(&v->transport.lock);
}

static void accept_clients(struct vsock_uds *u)
{
	for (;;) {
		int fd = accept4(u->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN, or a client that went away already */
		unsigned i = 0;
		while (i < PENDING_MAX && u->pending[i].fd >= 0)
			i++;
		if (i == PENDING_MAX) {
			virtio_log("virtio-vsock: %d host clients already waiting to send CONNECT: "
				   "closing a new one", PENDING_MAX);
			close(fd);
			continue;
		}
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ev_data(EV_PENDING, i, 0) };
		if (epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		u->pending[i] = (struct pending){ fd, now_ms() + CONNECT_LINE_TIMEOUT_MS };
	}
}

/* Time limits: CONNECT lines, and guests that never answer a REQUEST. Returns the epoll
 * timeout until the next one (-1: none). */
static int expire(struct vsock_uds *u)
{
	uint64_t now = now_ms(), next = UINT64_MAX;
	for (unsigned i = 0; i < PENDING_MAX; i++) {
		struct pending *p = &u->pending[i];
		if (p->fd < 0)
			continue;
		if (p->deadline_ms <= now)
			drop_pending(p);
		else if (p->deadline_ms < next)
			next = p->deadline_ms;
	}
	struct virtio_vsock *v = u->dev;
	pthread_mutex_lock(&v->transport.lock);
	for (unsigned i = 0; i < v->table.cap; i++) {
		struct vsock_conn *c = &v->conns[i];
		if (c->state != VSOCK_HOST_CONNECTING)
			continue;
		if (u->conns[i].deadline_ms <= now) {
			virtio_log("virtio-vsock: guest did not answer the connection to its port %u",
				   c->guest_port);
			virtio_vsock_reset_conn(v, c);
		} else if (u->conns[i].deadline_ms < next) {
			next = u->conns[i].deadline_ms;
		}
	}
	pthread_mutex_unlock(&v->transport.lock);
	return next == UINT64_MAX ? -1 : (int)(next - now);
}

static void run_dirty(struct vsock_uds *u)
{
	if (wakeup_drain(u->wake_fd) < 0)
		return;
	struct virtio_vsock *v = u->dev;
	pthread_mutex_lock(&v->transport.lock);
	u->any_dirty = false;
	for (unsigned i = 0; i < v->table.cap; i++)
		if (u->conns[i].dirty && v->conns[i].state != VSOCK_FREE)
			process(u, &v->conns[i]);
	pthread_mutex_unlock(&v->transport.lock);
}

static void *host_thread(void *arg)
{
	struct vsock_uds *u = arg;
	sandbox_thread_start(SANDBOX_VSOCK, "vsock");
	struct epoll_event events[32];
	while (!__atomic_load_n(&u->stop, __ATOMIC_ACQUIRE)) {
		int timeout = expire(u);
		int n = epoll_wait(u->epoll_fd, events, 32, timeout);
		for (int i = 0; i < n; i++) {
			uint64_t d = events[i].data.u64;
			unsigned index = (unsigned)(d >> 32) & 0xffffff;
			switch ((enum ev_kind)(d >> 56)) {
			case EV_LISTEN:
				accept_clients(u);
				break;
			case EV_WAKE:
				run_dirty(u);
				break;
			case EV_PENDING:
				pending_event(u, index);
				break;
			case EV_CONN:
				pthread_mutex_lock(&u->dev->transport.lock);
				conn_event(u, index, (uint32_t)d, events[i].events);
				pthread_mutex_unlock(&u->dev->transport.lock);
				break;
			}
		}
	}
	return NULL;
}

/* --- from the device (lock held) --- */

void vsock_uds_connect(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	*uc = (struct uds_conn){ .fd = -1, .buf = uc->buf };
	mark_dirty(u, c); /* connect() is the thread's: the vCPU makes no socket calls */
}

void vsock_uds_established(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	if (alloc_buf(uc) < 0) {
		virtio_vsock_reset_conn(u->dev, c);
		return;
	}
	char ok[OK_LINE_MAX];
	int n = snprintf(ok, sizeof(ok), "OK %u\n", c->host_port);
	buf_put(uc, (const uint8_t *)ok, (uint32_t)n);
	uc->ok_len = (uint32_t)n; /* first in the buffer: the client sees it before any data */
	if (flush(u, c) == 0)
		mark_dirty(u, c);
}

void vsock_uds_data(struct vsock_uds *u, struct vsock_conn *c, const struct vq_chain *chain,
		    uint64_t off, uint32_t len)
{
	struct uds_conn *uc = uc_of(u, c);
	/* The credit check (vsock_conn.c) keeps len within the buffer's free space. */
	while (len) {
		uint32_t tail = (uc->head + uc->len) % BUF_CAP;
		uint32_t run = BUF_CAP - tail < len ? BUF_CAP - tail : len;
		size_t got = vq_chain_read(chain, off, uc->buf + tail, run);
		uc->len += (uint32_t)got;
		off += got;
		len -= (uint32_t)got;
		if (got < run)
			break;
	}
	bool was_waiting = uc->events & EPOLLOUT;
	/* Straight to the socket when it takes it: one thread hop less per packet. */
	if (flush(u, c) < 0)
		return;
	/* Unread bytes need EPOLLOUT; fresh guest credit (every header carries it) may let
	 * the thread read the host socket again. */
	if ((uc->len && !was_waiting) || (!(uc->events & EPOLLIN) && vsock_conn_peer_free(c)))
		mark_dirty(u, c);
}

void vsock_uds_changed(struct vsock_uds *u, struct vsock_conn *c)
{
	mark_dirty(u, c);
}

void vsock_uds_closed(struct vsock_uds *u, struct vsock_conn *c)
{
	struct uds_conn *uc = uc_of(u, c);
	if (uc->fd >= 0)
		close(uc->fd); /* also leaves the epoll set */
	uc->fd = -1;
	uc->registered = false;
	uc->events = 0;
	uc->dirty = false;
	uc->len = uc->ok_len = 0;
	free(uc->buf); /* 256 KiB each: only live connections keep one */
	uc->buf = NULL;
}

void vsock_uds_rx_ready(struct vsock_uds *u)
{
	struct virtio_vsock *v = u->dev;
	for (unsigned i = 0; i < v->table.cap; i++)
		if (v->conns[i].state == VSOCK_ESTABLISHED)
			mark_dirty(u, &v->conns[i]);
}

/* --- set-up --- */

static int bind_listener(struct vsock_uds *u, const char *path, struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path) - 12) /* room for "_4294967295" */
		return error_set(err, "%s: path too long for a Unix socket", path);
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return error_set(err, "%s: exists and is not a socket (refusing to replace it)",
					 path);
		unlink(path); /* a stale socket from an earlier run */
	}
	u->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (u->listen_fd < 0)
		return error_set(err, "%s: socket: %s", path, strerror(errno));
	if (bind(u->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return error_set(err, "%s: cannot bind: %s", path, strerror(errno));
	if (listen(u->listen_fd, 64) < 0)
		return error_set(err, "%s: cannot listen: %s", path, strerror(errno));
	return 0;
}

struct vsock_uds *vsock_uds_open(const char *path, struct error *err)
{
	struct vsock_uds *u = calloc(1, sizeof(*u));
	if (!u) {
		error_set(err, "virtio-vsock: out of memory");
		return NULL;
	}
	u->listen_fd = u->epoll_fd = u->wake_fd = -1;
	for (unsigned i = 0; i < PENDING_MAX; i++)
		u->pending[i].fd = -1;
	for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++)
		u->conns[i].fd = -1;
	u->path = strdup(path);
	if (!u->path) {
		error_set(err, "virtio-vsock: out of memory");
		goto fail;
	}
	if (bind_listener(u, path, err) < 0)
		goto fail;
	u->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	u->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (u->epoll_fd < 0 || u->wake_fd < 0) {
		error_set(err, "virtio-vsock: epoll/eventfd: %s", strerror(errno));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = ev_data(EV_LISTEN, 0, 0) };
	struct epoll_event wake_ev = { .events = EPOLLIN, .data.u64 = ev_data(EV_WAKE, 0, 0) };
	if (epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, u->listen_fd, &ev) < 0 ||
	    epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, u->wake_fd, &wake_ev) < 0) {
		error_set(err, "virtio-vsock: epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	return u;
fail:
	vsock_uds_destroy(u);
	return NULL;
}

int vsock_uds_start(struct vsock_uds *u, struct virtio_vsock *dev, struct error *err)
{
	u->dev = dev;
	int rc = pthread_create(&u->thread, NULL, host_thread, u);
	if (rc)
		return error_set(err, "virtio-vsock: cannot start its thread: %s", strerror(rc));
	u->started = true;
	return 0;
}

void vsock_uds_destroy(struct vsock_uds *u)
{
	if (!u)
		return;
	if (u->started) {
		__atomic_store_n(&u->stop, true, __ATOMIC_RELEASE);
		wake(u);
		pthread_join(u->thread, NULL);
	}
	for (unsigned i = 0; i < PENDING_MAX; i++)
		if (u->pending[i].fd >= 0)
			close(u->pending[i].fd);
	for (unsigned i = 0; i < VSOCK_MAX_CONNS; i++) {
		if (u->conns[i].fd >= 0)
			close(u->conns[i].fd);
		free(u->conns[i].buf);
	}
	if (u->listen_fd >= 0)
		close(u->listen_fd);
	if (u->epoll_fd >= 0)
		close(u->epoll_fd);
	if (u->wake_fd >= 0)
		close(u->wake_fd);
	free(u->path);
	free(u);
}
