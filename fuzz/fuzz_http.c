/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the API socket's HTTP/1.1 request parser (src/api/http.c) on a byte
 * stream a client sent, in one exact-size heap buffer (ASan sees any read past what was
 * received), parsed as the server does: request after request (pipelining) until the
 * parser wants more bytes or gives up.
 *
 * Oracles: a parsed request lies inside the bytes it consumed (body too), its path and
 * method are terminated and bounded, Content-Length agrees with the body; every strict
 * prefix of a request that parsed is INCOMPLETE (the server reads in arbitrary pieces: a
 * prefix must never be answered or refused); INCOMPLETE never holds more than
 * HTTP_MAX_REQUEST bytes (else a client could make the server buffer without bound); an
 * error carries one of the documented statuses and a message. The response writer gets the
 * parsed body back, into exact-size buffers: it fits exactly or reports 0.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_REQUESTS 64

static void check_prefixes(const char *buf, size_t consumed)
{
	const size_t cuts[] = { consumed - 1, consumed / 2, 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		if (cuts[i] == 0 || cuts[i] >= consumed)
			continue;
		struct http_request req;
		struct http_error err;
		size_t used = 0;
		/* The prefix in its own exact-size buffer: no peeking at the bytes after it. */
		char *p = malloc(cuts[i]);
		if (!p)
			abort();
		memcpy(p, buf, cuts[i]);
		if (http_parse_request(p, cuts[i], &req, &used, &err) != HTTP_PARSE_INCOMPLETE)
			abort();
		free(p);
	}
}

static void check_response(const struct http_request *req, int status)
{
	static char full[HTTP_MAX_BODY + 1024];
	size_t n = http_format_response(full, sizeof(full), status, req->body, req->body_len,
					 req->keep_alive);
	if (n == 0 || n > sizeof(full) || memcmp(full, "HTTP/1.1 ", 9) != 0)
		abort();
	char *exact = malloc(n);
	if (!exact)
		abort();
	/* Exactly n bytes: written whole, or refused (snprintf wants room for its NUL). */
	size_t m = http_format_response(exact, n, status, req->body, req->body_len, req->keep_alive);
	if (m != n && m != 0)
		abort();
	if (req->body_len && memcmp(full + n - req->body_len, req->body, req->body_len) != 0)
		abort(); /* the body is the response's tail */
	if (http_format_response(exact, n - 1, status, req->body, req->body_len, req->keep_alive) !=
	    0)
		abort(); /* one byte short cannot hold it */
	free(exact);
}

static void check_request(const char *buf, size_t avail, size_t consumed,
			  const struct http_request *req)
{
	if (consumed == 0 || consumed > avail || consumed > HTTP_MAX_REQUEST)
		abort();
	if (strnlen(req->path, sizeof(req->path)) == sizeof(req->path) || req->path[0] != '/' ||
	    strchr(req->path, '?'))
		abort();
	size_t mlen = strnlen(req->method_name, sizeof(req->method_name));
	if (mlen == 0 || mlen == sizeof(req->method_name))
		abort();
	if ((req->method == HTTP_GET) != (strcmp(req->method_name, "GET") == 0) ||
	    (req->method == HTTP_PUT) != (strcmp(req->method_name, "PUT") == 0) ||
	    (req->method == HTTP_PATCH) != (strcmp(req->method_name, "PATCH") == 0))
		abort();
	if (req->body_len > HTTP_MAX_BODY || (req->body_len && !req->has_content_length))
		abort();
	if (req->body_len == 0 ? req->body != NULL
			       : (req->body < buf || req->body + req->body_len != buf + consumed))
		abort(); /* the body is the last body_len bytes of the request */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	size_t off = 0;
	for (int n = 0; n < MAX_REQUESTS && off < size; n++) {
		struct http_request req;
		struct http_error err;
		size_t consumed = 0;
		err.status = 0;
		err.msg[0] = '\0';
		enum http_parse_result r = http_parse_request(buf + off, size - off, &req, &consumed,
							      &err);
		if (r == HTTP_PARSE_INCOMPLETE) {
			if (size - off >= HTTP_MAX_REQUEST)
				abort(); /* would buffer without bound */
			break;
		}
		if (r == HTTP_PARSE_ERROR) {
			static const int statuses[] = { 400, 413, 417, 431, 501, 505 };
			bool known = false;
			for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
				known |= err.status == statuses[i];
			if (!known || err.msg[0] == '\0' || strnlen(err.msg, sizeof(err.msg)) ==
								     sizeof(err.msg))
				abort();
			if (http_reason(err.status) == NULL)
				abort();
			break;
		}
		if (r != HTTP_PARSE_DONE)
			abort();
		check_request(buf + off, size - off, consumed, &req);
		check_prefixes(buf + off, consumed);
		check_response(&req, req.body_len ? 200 : 204);
		off += consumed;
	}
	free(buf);
	return 0;
}
