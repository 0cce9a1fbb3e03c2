/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/http.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static enum http_parse_result fail(struct http_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum http_parse_result fail(struct http_error *err, int status, const char *fmt, ...)
{
	err->status = status;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return HTTP_PARSE_ERROR;
}

/* RFC 9110 5.6.2 token characters. */
static bool is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return true;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool all_tchars(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_tchar((unsigned char)s[i]))
			return false;
	return n > 0;
}

static bool equals_nocase(const char *s, size_t n, const char *word)
{
	return strlen(word) == n && strncasecmp(s, word, n) == 0;
}

/*
 * Find the end of the head (just past the empty line), checking every byte on the way so a
 * bad request fails as early as possible instead of waiting for more bytes. Returns 0 when
 * the head is not complete yet, or (size_t)-1 on error.
 */
static size_t find_head_end(const char *buf, size_t start, size_t len, struct http_error *err)
{
	for (size_t i = start; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (i + 1 > HTTP_MAX_HEAD) {
			fail(err, 431, "request head is longer than %d bytes", HTTP_MAX_HEAD);
			return (size_t)-1;
		}
		if (c == '\n') {
			if (i == start || buf[i - 1] != '\r') {
				fail(err, 400, "bare LF in the request head (lines end with CRLF)");
				return (size_t)-1;
			}
			if (i - start >= 3 && buf[i - 2] == '\n' && buf[i - 3] == '\r')
				return i + 1;
		} else if (c == '\r') {
			if (i + 1 < len && buf[i + 1] != '\n') {
				fail(err, 400, "CR without LF in the request head");
				return (size_t)-1;
			}
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			fail(err, 400, "control byte 0x%02x in the request head", c);
			return (size_t)-1;
		}
	}
	return 0;
}

/* The target in origin form ("/path?query") or absolute form ("http://host/path"). */
static enum http_parse_result parse_target(const char *t, size_t n, struct http_request *req,
					   struct http_error *err)
{
	if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', n - 7);
		if (!slash) {
			t = "/";
			n = 1;
		} else {
			n -= (size_t)(slash - t);
			t = slash;
		}
	}
	if (n == 0 || t[0] != '/')
		return fail(err, 400, "request target must start with '/'");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)t[i] <= 0x20 || (unsigned char)t[i] >= 0x7f)
			return fail(err, 400, "bad byte in the request target");
	size_t path_len = 0;
	while (path_len < n && t[path_len] != '?' && t[path_len] != '#')
		path_len++;
	if (path_len > HTTP_MAX_PATH)
		return fail(err, 414, "request path is longer than %d bytes", HTTP_MAX_PATH);
	memcpy(req->path, t, path_len);
	req->path[path_len] = '\0';
	return HTTP_PARSE_DONE;
}

/* "METHOD SP target SP HTTP/1.x"; sets *minor to the version's minor digit. */
static enum http_parse_result parse_request_line(const char *line, size_t n,
						 struct http_request *req, int *minor,
						 struct http_error *err)
{
	const char *sp1 = memchr(line, ' ', n);
	if (!sp1)
		return fail(err, 400, "malformed request line");
	size_t mlen = (size_t)(sp1 - line);
	if (!all_tchars(line, mlen))
		return fail(err, 400, "malformed request method");
	if (mlen > HTTP_MAX_METHOD)
		return fail(err, 501, "request method is longer than %d bytes", HTTP_MAX_METHOD);
	memcpy(req->method_name, line, mlen);
	req->method_name[mlen] = '\0';
	req->method = strcmp(req->method_name, "GET") == 0     ? HTTP_GET
		      : strcmp(req->method_name, "PUT") == 0   ? HTTP_PUT
		      : strcmp(req->method_name, "PATCH") == 0 ? HTTP_PATCH
							       : HTTP_OTHER;
	const char *target = sp1 + 1;
	const char *end = line + n;
	const char *sp2 = memchr(target, ' ', (size_t)(end - target));
	if (!sp2 || sp2 == target)
		return fail(err, 400, "malformed request line");
	const char *version = sp2 + 1;
	size_t vlen = (size_t)(end - version);
	if (vlen == 8 && memcmp(version, "HTTP/1.", 7) == 0 &&
	    (version[7] == '0' || version[7] == '1'))
		*minor = version[7] - '0';
	else if (vlen == 8 && memcmp(version, "HTTP/", 5) == 0 && version[5] >= '0' &&
		 version[5] <= '9' && version[6] == '.' && version[7] >= '0' && version[7] <= '9')
		return fail(err, 505, "HTTP version %.8s is not supported (use HTTP/1.1)", version);
	else
		return fail(err, 400, "malformed request line");
	return parse_target(target, (size_t)(sp2 - target), req, err);
}

struct head_state {
	int minor;
	unsigned nheaders;
	bool close, keep_alive;
	uint64_t content_length;
};

static enum http_parse_result parse_content_length(const char *v, size_t n,
						   struct http_request *req,
						   struct head_state *st, struct http_error *err)
{
	if (n == 0 || n > 19)
		return fail(err, 400, "malformed Content-Length");
	uint64_t value = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return fail(err, 400, "malformed Content-Length");
		value = value * 10 + (uint64_t)(v[i] - '0');
	}
	if (req->has_content_length && value != st->content_length)
		return fail(err, 400, "conflicting Content-Length headers");
	if (value > HTTP_MAX_BODY)
		return fail(err, 413, "request body of %llu bytes is over the %d-byte limit",
			    (unsigned long long)value, HTTP_MAX_BODY);
	req->has_content_length = true;
	st->content_length = value;
	return HTTP_PARSE_DONE;
}

static void parse_connection(const char *v, size_t n, struct head_state *st)
{
	size_t i = 0;
	while (i < n) {
		while (i < n && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		size_t start = i;
		while (i < n && v[i] != ',' && v[i] != ' ' && v[i] != '\t')
			i++;
		if (equals_nocase(v + start, i - start, "close"))
			st->close = true;
		else if (equals_nocase(v + start, i - start, "keep-alive"))
			st->keep_alive = true;
	}
}

static enum http_parse_result parse_header(const char *line, size_t n, struct http_request *req,
					   struct head_state *st, struct http_error *err)
{
	if (++st->nheaders > HTTP_MAX_HEADERS)
		return fail(err, 431, "more than %d header fields", HTTP_MAX_HEADERS);
	const char *colon = memchr(line, ':', n);
	if (!colon)
		return fail(err, 400, "header line without a colon");
	size_t name_len = (size_t)(colon - line);
	/* Leading white space is obsolete line folding; white space before the colon is
	 * forbidden (RFC 9112 5.1): both are request-smuggling vectors. */
	if (!all_tchars(line, name_len))
		return fail(err, 400, "malformed header name");
	const char *v = colon + 1;
	const char *end = line + n;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	size_t vlen = (size_t)(end - v);

	if (equals_nocase(line, name_len, "Content-Length"))
		return parse_content_length(v, vlen, req, st, err);
	if (equals_nocase(line, name_len, "Transfer-Encoding"))
		return fail(err, 501, "Transfer-Encoding is not supported: send a Content-Length");
	if (equals_nocase(line, name_len, "Connection"))
		parse_connection(v, vlen, st);
	else if (equals_nocase(line, name_len, "Expect")) {
		if (!equals_nocase(v, vlen, "100-continue"))
			return fail(err, 417, "only 'Expect: 100-continue' is supported");
		req->expect_continue = true;
	}
	return HTTP_PARSE_DONE;
}

enum http_parse_result http_parse_request(const char *buf, size_t len, struct http_request *req,
					  size_t *consumed, struct http_error *err)
{
	memset(req, 0, sizeof(*req));
	*consumed = 0;
	size_t start = 0;
	while (start + 1 < len && buf[start] == '\r' && buf[start + 1] == '\n')
		start += 2;
	if (start > HTTP_MAX_HEAD)
		return fail(err, 431, "request head is longer than %d bytes", HTTP_MAX_HEAD);
	size_t head_end = find_head_end(buf, start, len, err);
	if (head_end == (size_t)-1)
		return HTTP_PARSE_ERROR;
	if (head_end == 0)
		return HTTP_PARSE_INCOMPLETE;

	struct head_state st = { 0 };
	const char *line = buf + start;
	const char *head_stop = buf + head_end - 2; /* the empty line's CRLF */
	bool first = true;
	while (line < head_stop) {
		const char *eol = memchr(line, '\r', (size_t)(head_stop - line));
		size_t n = (size_t)(eol - line); /* find_head_end guarantees the CRLF */
		enum http_parse_result r =
			first ? parse_request_line(line, n, req, &st.minor, err)
			      : parse_header(line, n, req, &st, err);
		if (r == HTTP_PARSE_ERROR)
			return r;
		first = false;
		line = eol + 2;
	}
	req->keep_alive = st.minor == 1 ? !st.close : st.keep_alive && !st.close;

	if (len - head_end < st.content_length)
		return HTTP_PARSE_INCOMPLETE;
	req->body_len = (size_t)st.content_length;
	req->body = req->body_len ? buf + head_end : NULL;
	*consumed = head_end + req->body_len;
	return HTTP_PARSE_DONE;
}

const char *http_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 408: return "Request Timeout";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 417: return "Expectation Failed";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "Unknown";
	}
}

size_t http_format_response(char *out, size_t cap, int status, const char *body,
			    size_t body_len, bool keep_alive)
{
	bool has_body = status >= 200 && status != 204;
	int n;
	if (has_body)
		n = snprintf(out, cap,
			     "HTTP/1.1 %d %s\r\nServer: millivm\r\nConnection: %s\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			     status, http_reason(status), keep_alive ? "keep-alive" : "close",
			     body_len);
	else
		n = snprintf(out, cap, "HTTP/1.1 %d %s\r\nServer: millivm\r\nConnection: %s\r\n\r\n",
			     status, http_reason(status), keep_alive ? "keep-alive" : "close");
	if (n < 0 || (size_t)n >= cap)
		return 0;
	size_t used = (size_t)n;
	if (!has_body)
		return used;
	if (body_len > cap - used)
		return 0;
	if (body_len)
		memcpy(out + used, body, body_len);
	return used + body_len;
}
