/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/api_server.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "api/logger.h"
#include "api/metrics.h"

#define OUT_CAP (2 * (API_RESPONSE_MAX + 512))
#define OUT_ROOM_TO_READ (API_RESPONSE_MAX + 512) /* one more response must fit */

struct conn {
	int fd;
	size_t in_len;
	size_t out_len, out_off;
	int64_t request_start; /* first byte of the request being received; 0: none pending */
	int64_t write_stall;   /* since when output waits on the client; 0: none */
	int64_t last_active;
	bool continue_sent; /* "100 Continue" already sent for the pending request */
	bool closing;       /* close once the output is flushed */
	char in[HTTP_MAX_REQUEST];
	char out[OUT_CAP];
};

static struct {
	struct api_server_config cfg;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	int wake_fd;
	pthread_t thread;
	bool running;
	struct conn *conns[API_MAX_CONNS];
	int64_t next_tick;
} srv = { .listen_fd = -1, .wake_fd = -1 };

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void conn_close(int slot)
{
	struct conn *c = srv.conns[slot];
	close(c->fd);
	free(c);
	srv.conns[slot] = NULL;
}

static void fault_body(char *buf, size_t cap, const char *msg)
{
	/* msg comes from the parser: plain ASCII without quotes or backslashes is not
	 * guaranteed, so escape what JSON needs. */
	size_t n = (size_t)snprintf(buf, cap, "{\"fault_message\": \"");
	for (const char *p = msg; *p && n + 8 < cap; p++) {
		unsigned char ch = (unsigned char)*p;
		if (ch == '"' || ch == '\\')
			n += (size_t)snprintf(buf + n, cap - n, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			n += (size_t)snprintf(buf + n, cap - n, "\\u%04x", ch);
		else
			buf[n++] = (char)ch;
	}
	snprintf(buf + n, cap - n, "\"}");
}

static void queue(struct conn *c, int status, const char *body, size_t len, bool keep_alive)
{
	size_t n = http_format_response(c->out + c->out_len, sizeof(c->out) - c->out_len, status,
					body, len, keep_alive);
	if (n == 0) { /* cannot happen: reading stops while there is no room for a response */
		c->closing = true;
		return;
	}
	c->out_len += n;
	if (!keep_alive)
		c->closing = true;
}

static void queue_error(struct conn *c, int status, const char *msg)
{
	char body[512];
	fault_body(body, sizeof(body), msg);
	queue(c, status, body, strlen(body), false);
	metrics_inc(M_API_BAD_REQUESTS);
}

static void handle(struct conn *c, const struct http_request *req)
{
	struct api_reply reply = { 500, NULL };
	srv.cfg.handler(req, &reply);
	size_t len = reply.body ? strlen(reply.body) : 0;
	if (len > API_RESPONSE_MAX) {
		free(reply.body);
		reply.body = NULL;
		queue_error(c, 500, "response too large");
		return;
	}
	queue(c, reply.status, reply.body, len, req->keep_alive);
	free(reply.body);
}

/* Answer every complete request in the input, in order, while there is room for replies. */
static void serve(struct conn *c)
{
	while (!c->closing && c->in_len > 0 && sizeof(c->out) - c->out_len >= OUT_ROOM_TO_READ) {
		struct http_request req;
		struct http_error perr;
		size_t used;
		enum http_parse_result r = http_parse_request(c->in, c->in_len, &req, &used, &perr);
		if (r == HTTP_PARSE_ERROR) {
			queue_error(c, perr.status, perr.msg);
			return;
		}
		if (r == HTTP_PARSE_INCOMPLETE) {
			if (req.expect_continue && !c->continue_sent) {
				static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
				memcpy(c->out + c->out_len, cont, sizeof(cont) - 1);
				c->out_len += sizeof(cont) - 1;
				c->continue_sent = true;
			}
			return;
		}
		handle(c, &req);
		memmove(c->in, c->in + used, c->in_len - used);
		c->in_len -= used;
		c->continue_sent = false;
		c->request_start = c->in_len ? now_ms() : 0;
	}
}

static void flush_out(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) { /* the peer is gone: drop what is left */
			c->closing = true;
			c->out_off = c->out_len;
		}
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
		c->write_stall = 0;
	}
	if (c->out_off == c->out_len) {
		c->out_off = c->out_len = 0;
		c->write_stall = 0;
	} else if (!c->write_stall) {
		c->write_stall = now_ms();
	}
}

/* Returns false when the connection is to be closed now. */
static bool on_readable(struct conn *c)
{
	size_t room = sizeof(c->in) - c->in_len;
	ssize_t n = room ? recv(c->fd, c->in + c->in_len, room, MSG_DONTWAIT) : 0;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		/* The client is done sending: a request cut short still gets an answer. */
		if (c->in_len > 0)
			queue_error(c, 400, "truncated request: the connection was shut down mid-request");
		c->closing = true;
		return c->out_len > c->out_off;
	}
	if (c->in_len == 0)
		c->request_start = now_ms();
	c->in_len += (size_t)n;
	c->last_active = now_ms();
	serve(c);
	return true;
}

/* All slots busy: make room by closing the connection idle the longest, if any is idle. */
static int evict_idle(void)
{
	int victim = -1;
	for (int i = 0; i < API_MAX_CONNS; i++) {
		struct conn *c = srv.conns[i];
		if (c->in_len == 0 && c->out_len == c->out_off &&
		    (victim < 0 || c->last_active < srv.conns[victim]->last_active))
			victim = i;
	}
	if (victim >= 0) {
		conn_close(victim);
		metrics_inc(M_API_EVICTIONS);
	}
	return victim;
}

static void on_accept(void)
{
	/* A bounded batch per wake-up: a connect flood cannot keep the thread from serving. */
	for (int batch = 0; batch < 2 * API_MAX_CONNS; batch++) {
		int fd = accept4(srv.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		int slot = -1;
		for (int i = 0; i < API_MAX_CONNS && slot < 0; i++)
			if (!srv.conns[i])
				slot = i;
		if (slot < 0)
			slot = evict_idle();
		struct conn *c = slot >= 0 ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			static const char msg[] = "{\"fault_message\": \"too many API connections busy\"}";
			char busy[256];
			size_t len = http_format_response(busy, sizeof(busy), 503, msg, sizeof(msg) - 1,
							  false);
			(void)!send(fd, busy, len, MSG_NOSIGNAL | MSG_DONTWAIT);
			close(fd);
			continue;
		}
		c->fd = fd;
		c->last_active = now_ms();
		srv.conns[slot] = c;
	}
}

static void check_timeouts(int64_t now)
{
	for (int i = 0; i < API_MAX_CONNS; i++) {
		struct conn *c = srv.conns[i];
		if (!c)
			continue;
		if (c->write_stall && now - c->write_stall >= API_WRITE_TIMEOUT_MS) {
			metrics_inc(M_API_TIMEOUTS);
			conn_close(i);
		} else if (c->request_start && !c->closing &&
			   now - c->request_start >= API_REQUEST_TIMEOUT_MS) {
			metrics_inc(M_API_TIMEOUTS);
			queue_error(c, 408, "the request did not arrive in time");
			flush_out(c);
			conn_close(i); /* best effort: the 408 went out if the socket took it */
		}
	}
}

static int poll_timeout(int64_t now)
{
	int64_t next = srv.cfg.tick ? srv.next_tick : INT64_MAX;
	for (int i = 0; i < API_MAX_CONNS; i++) {
		struct conn *c = srv.conns[i];
		if (c && c->write_stall && c->write_stall + API_WRITE_TIMEOUT_MS < next)
			next = c->write_stall + API_WRITE_TIMEOUT_MS;
		if (c && c->request_start && c->request_start + API_REQUEST_TIMEOUT_MS < next)
			next = c->request_start + API_REQUEST_TIMEOUT_MS;
	}
	if (next == INT64_MAX)
		return -1;
	return next <= now ? 0 : (int)(next - now < 60000 ? next - now : 60000);
}

static void *server_thread(void *arg)
{
	(void)arg;
	sandbox_thread_start(SANDBOX_API, "fc_api");
	logger_set_thread_name("fc_api");
	struct pollfd pfd[2 + API_MAX_CONNS];
	int slot_of[2 + API_MAX_CONNS];
	for (;;) {
		int n = 0;
		pfd[n++] = (struct pollfd){ .fd = srv.wake_fd, .events = POLLIN };
		if (srv.listen_fd >= 0)
			pfd[n++] = (struct pollfd){ .fd = srv.listen_fd, .events = POLLIN };
		int first_conn = n;
		for (int i = 0; i < API_MAX_CONNS; i++) {
			struct conn *c = srv.conns[i];
			if (!c)
				continue;
			short ev = 0;
			if (!c->closing && c->in_len < sizeof(c->in) &&
			    sizeof(c->out) - c->out_len >= OUT_ROOM_TO_READ)
				ev |= POLLIN;
			if (c->out_len > c->out_off)
				ev |= POLLOUT;
			slot_of[n] = i;
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = ev };
		}
		int rc = poll(pfd, (nfds_t)n, poll_timeout(now_ms()));
		if (rc < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			break; /* api_server_stop */
		for (int k = first_conn; rc > 0 && k < n; k++) {
			int i = slot_of[k];
			struct conn *c = srv.conns[i];
			if (!pfd[k].revents)
				continue;
			bool keep = true;
			if (pfd[k].revents & (POLLIN | POLLHUP | POLLERR))
				keep = on_readable(c);
			if (keep && !(pfd[k].revents & POLLIN) && (pfd[k].revents & (POLLHUP | POLLERR)))
				keep = false; /* hung up with nothing left to read */
			if (keep) {
				serve(c); /* output may have drained: room for more replies */
				flush_out(c);
			}
			if (!keep || (c->closing && c->out_len == c->out_off))
				conn_close(i);
		}
		if (srv.listen_fd >= 0 && rc > 0 && (pfd[1].revents & POLLIN))
			on_accept();
		int64_t now = now_ms();
		check_timeouts(now);
		if (srv.cfg.tick && now >= srv.next_tick) {
			srv.cfg.tick();
			srv.next_tick = now + srv.cfg.tick_ms;
		}
	}
	return NULL;
}

static int listen_on(const char *path, struct error *err)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(addr.sun_path))
		return error_set(err, "--api-sock %s: path longer than %zu bytes", path,
				 sizeof(addr.sun_path) - 1);
	strcpy(addr.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(err, "--api-sock: socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0) {
		int e = errno;
		close(fd);
		if (e == EADDRINUSE)
			return error_set(err, "--api-sock %s: the file exists (remove a stale socket "
					      "first)", path);
		return error_set(err, "--api-sock %s: %s", path, strerror(e));
	}
	if (listen(fd, 64) < 0) { /* a burst of connects must not see EAGAIN */
		int e = errno;
		close(fd);
		unlink(path);
		return error_set(err, "--api-sock %s: listen: %s", path, strerror(e));
	}
	snprintf(srv.path, sizeof(srv.path), "%s", path);
	return fd;
}

int api_server_start(const struct api_server_config *config, struct error *err)
{
	srv.cfg = *config;
	srv.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (srv.wake_fd < 0)
		return error_set(err, "eventfd: %s", strerror(errno));
	if (config->socket_path && (srv.listen_fd = listen_on(config->socket_path, err)) < 0)
		return -1;
	srv.next_tick = now_ms() + config->tick_ms;
	int rc = pthread_create(&srv.thread, NULL, server_thread, NULL);
	if (rc != 0) {
		api_server_stop();
		return error_set(err, "cannot start the API thread: %s", strerror(rc));
	}
	pthread_setname_np(srv.thread, "fc_api");
	srv.running = true;
	return 0;
}

void api_server_stop(void)
{
	if (srv.running) {
		uint64_t one = 1;
		(void)!write(srv.wake_fd, &one, sizeof(one));
		pthread_join(srv.thread, NULL);
		srv.running = false;
	}
	for (int i = 0; i < API_MAX_CONNS; i++)
		if (srv.conns[i])
			conn_close(i);
	if (srv.listen_fd >= 0) {
		close(srv.listen_fd);
		unlink(srv.path);
		srv.listen_fd = -1;
	}
	if (srv.wake_fd >= 0) {
		close(srv.wake_fd);
		srv.wake_fd = -1;
	}
}
