/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A strict, bounded HTTP/1.1 request parser for the API socket, and the response writer.
 * Pure functions over a caller's buffer: no I/O, no allocation, so the unit tests and a
 * fuzzer can drive them directly.
 *
 * What is accepted: `METHOD SP target SP HTTP/1.x CRLF`, headers `Name: value CRLF` (no
 * obsolete line folding, no space before the colon), an empty line, then exactly
 * Content-Length bytes of body (none without the header). Lines end in CRLF; a bare LF,
 * a NUL or another control byte in the head is an error. Leading empty lines are skipped
 * (RFC 9112 2.2: some clients send a CRLF after a body). Transfer-Encoding (chunked) is
 * refused with 501: the API's bodies are small and every client we know of sends a length.
 */
#ifndef MILLIVM_API_HTTP_H
#define MILLIVM_API_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_MAX_HEAD 8192   /* request line + headers + the empty line */
#define HTTP_MAX_HEADERS 32
#define HTTP_MAX_BODY 51200  /* Firecracker's default --http-api-max-payload-size */
#define HTTP_MAX_REQUEST (HTTP_MAX_HEAD + HTTP_MAX_BODY)
#define HTTP_MAX_PATH 1024
#define HTTP_MAX_METHOD 16

enum http_method {
	HTTP_GET,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_OTHER, /* a well-formed method we do not serve (POST, DELETE, ...): routes answer */
};

struct http_request {
	enum http_method method;
	char method_name[HTTP_MAX_METHOD + 1];
	char path[HTTP_MAX_PATH + 1]; /* origin form, query string removed */
	const char *body;             /* into the caller's buffer; NULL when body_len is 0 */
	size_t body_len;
	bool has_content_length;
	bool keep_alive;      /* HTTP/1.1 unless "Connection: close"; 1.0 only with keep-alive */
	bool expect_continue; /* "Expect: 100-continue": set as soon as the head is complete */
};

enum http_parse_result {
	HTTP_PARSE_DONE,       /* one whole request: *consumed bytes */
	HTTP_PARSE_INCOMPLETE, /* need more bytes */
	HTTP_PARSE_ERROR,      /* answer err->status and close: the framing is lost */
};

struct http_error {
	int status; /* 400, 413, 417, 431, 501 or 505 */
	char msg[160];
};

enum http_parse_result http_parse_request(const char *buf, size_t len, struct http_request *req,
					  size_t *consumed, struct http_error *err);

/* The reason phrase of a status the API uses ("Unknown" otherwise). */
const char *http_reason(int status);

/*
 * Write a whole response into out: status line, Server, Connection, and for statuses other
 * than 1xx/204 a JSON Content-Type and Content-Length with the body. Returns the length, or
 * 0 if it does not fit in cap.
 */
size_t http_format_response(char *out, size_t cap, int status, const char *body,
			    size_t body_len, bool keep_alive);

#endif
