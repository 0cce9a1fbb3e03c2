/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The API socket: one thread serving HTTP/1.1 on a Unix stream socket with poll(), at most
 * API_MAX_CONNS clients at a time, non-blocking throughout. A request is handled in full
 * before the next one is read (pipelined requests are answered in order). Guards against a
 * client that could stall the server:
 *  - a request must arrive whole within API_REQUEST_TIMEOUT_MS of its first byte (408);
 *  - a response the client does not read within API_WRITE_TIMEOUT_MS closes the connection;
 *  - a client pipelining faster than it reads is not read from until its responses drain;
 *  - when all slots are taken, the longest-idle connection is closed for a new one.
 * The same thread runs a periodic tick (the metrics flush), with or without a socket.
 */
#ifndef MILLIVM_API_SERVER_H
#define MILLIVM_API_SERVER_H

#include "api/http.h"
#include "core/error.h"

#define API_MAX_CONNS 8
#define API_REQUEST_TIMEOUT_MS 5000
#define API_WRITE_TIMEOUT_MS 5000
#define API_RESPONSE_MAX 32768 /* largest body a handler may return */

struct api_reply {
	int status;
	char *body; /* malloc'd JSON, or NULL for none; the server frees it */
};

typedef void (*api_handler_fn)(const struct http_request *req, struct api_reply *reply);
typedef void (*api_tick_fn)(void);

struct api_server_config {
	const char *socket_path; /* NULL: no socket, only the tick */
	api_handler_fn handler;
	api_tick_fn tick;        /* NULL: none */
	int tick_ms;
};

/* Bind and listen (the path must not exist: a stale socket is the caller's to remove, as
 * with Firecracker), then start the thread. */
int api_server_start(const struct api_server_config *config, struct error *err);

/* Stop the thread, close every connection, remove the socket file. Idempotent. */
void api_server_stop(void);

#endif
