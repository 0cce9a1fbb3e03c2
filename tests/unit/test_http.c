/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The API's HTTP/1.1 request parser: well-formed requests, every byte-by-byte prefix being
 * incomplete (never an error), pipelining, each refusal with its status, and random input
 * that must never read out of bounds (run under ASan by make check-asan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "api/http.h"

struct parsed {
	enum http_parse_result r;
	struct http_request req;
	struct http_error err;
	size_t used;
};

/* Parse from a heap copy of exactly len bytes, so ASan sees any read past the end. */
static struct parsed parse_n(const char *text, size_t len)
{
	struct parsed p;
	char *copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, text, len);
	memset(&p.err, 0, sizeof(p.err));
	p.r = http_parse_request(copy, len, &p.req, &p.used, &p.err);
	if (p.r == HTTP_PARSE_DONE && p.req.body) {
		/* re-point the body into the caller's text for the checks below */
		p.req.body = text + (p.req.body - copy);
	}
	free(copy);
	return p;
}

static struct parsed parse(const char *text)
{
	return parse_n(text, strlen(text));
}

static void expect_error(const char *text, int status, const char *words)
{
	struct parsed p = parse(text);
	if (p.r != HTTP_PARSE_ERROR)
		fail_msg("expected error %d for <%s>, got result %d", status, text, p.r);
	if (p.err.status != status)
		fail_msg("expected status %d for <%s>, got %d (%s)", status, text, p.err.status,
			 p.err.msg);
	if (words && !strstr(p.err.msg, words))
		fail_msg("message '%s' lacks '%s'", p.err.msg, words);
}

static void test_get(void **state)
{
	(void)state;
	const char *t = "GET / HTTP/1.1\r\nHost: localhost\r\nAccept: */*\r\n\r\n";
	struct parsed p = parse(t);
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.method, HTTP_GET);
	assert_string_equal(p.req.method_name, "GET");
	assert_string_equal(p.req.path, "/");
	assert_true(p.req.keep_alive);
	assert_int_equal(p.req.body_len, 0);
	assert_null(p.req.body);
	assert_int_equal(p.used, strlen(t));
}

static void test_put_with_body(void **state)
{
	(void)state;
	const char *t = "PUT /actions HTTP/1.1\r\nContent-Type: application/json\r\n"
			"Content-Length: 32\r\n\r\n{\"action_type\": \"InstanceStart\"}";
	struct parsed p = parse(t);
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.method, HTTP_PUT);
	assert_string_equal(p.req.path, "/actions");
	assert_true(p.req.has_content_length);
	assert_int_equal(p.req.body_len, 32);
	assert_memory_equal(p.req.body, "{\"action_type\": \"InstanceStart\"}", 32);
	assert_int_equal(p.used, strlen(t));
}

static void test_every_prefix_is_incomplete(void **state)
{
	(void)state;
	const char *t = "PATCH /vm HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n\r\n"
			"{\"state\": \"Paused\"}\n";
	size_t len = strlen(t);
	for (size_t n = 0; n < len; n++) {
		struct parsed p = parse_n(t, n);
		if (p.r != HTTP_PARSE_INCOMPLETE)
			fail_msg("prefix of %zu bytes: result %d (%s)", n, p.r, p.err.msg);
	}
	struct parsed p = parse_n(t, len);
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.method, HTTP_PATCH);
	assert_int_equal(p.req.body_len, 20);
}

static void test_pipelined(void **state)
{
	(void)state;
	const char *t = "GET /version HTTP/1.1\r\n\r\n"
			"PUT /machine-config HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}"
			"GET /machine-config HTTP/1.1\r\nConnection: close\r\n\r\n";
	size_t off = 0, len = strlen(t);
	const char *paths[] = { "/version", "/machine-config", "/machine-config" };
	for (int i = 0; i < 3; i++) {
		struct parsed p = parse_n(t + off, len - off);
		assert_int_equal(p.r, HTTP_PARSE_DONE);
		assert_string_equal(p.req.path, paths[i]);
		assert_int_equal(p.req.keep_alive, i < 2);
		off += p.used;
	}
	assert_int_equal(off, len);
}

static void test_leading_crlf_skipped(void **state)
{
	(void)state;
	struct parsed p = parse("\r\n\r\nGET / HTTP/1.1\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.used, 4 + 18);
}

static void test_targets(void **state)
{
	(void)state;
	struct parsed p = parse("GET http://localhost/machine-config HTTP/1.1\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_string_equal(p.req.path, "/machine-config");
	p = parse("GET http://localhost HTTP/1.1\r\n\r\n");
	assert_string_equal(p.req.path, "/");
	p = parse("GET /vm/config?x=1#frag HTTP/1.1\r\n\r\n");
	assert_string_equal(p.req.path, "/vm/config");
	expect_error("GET * HTTP/1.1\r\n\r\n", 400, "target");
	expect_error("GET vm HTTP/1.1\r\n\r\n", 400, "target");
	char big[HTTP_MAX_PATH + 64];
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /", 5);
	strcpy(big + HTTP_MAX_PATH + 10, " HTTP/1.1\r\n\r\n");
	expect_error(big, 414, "path");
}

static void test_connection_semantics(void **state)
{
	(void)state;
	struct parsed p = parse("GET / HTTP/1.0\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_false(p.req.keep_alive);
	p = parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
	assert_true(p.req.keep_alive);
	p = parse("GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n");
	assert_false(p.req.keep_alive);
}

static void test_methods(void **state)
{
	(void)state;
	struct parsed p = parse("DELETE /drives/x HTTP/1.1\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.method, HTTP_OTHER);
	assert_string_equal(p.req.method_name, "DELETE");
	p = parse("get / HTTP/1.1\r\n\r\n"); /* methods are case-sensitive */
	assert_int_equal(p.req.method, HTTP_OTHER);
	expect_error("GETTHISVERYLONGMETHOD / HTTP/1.1\r\n\r\n", 501, "method");
	expect_error("G(T / HTTP/1.1\r\n\r\n", 400, "method");
	expect_error(" GET / HTTP/1.1\r\n\r\n", 400, NULL);
	expect_error("GET  / HTTP/1.1\r\n\r\n", 400, "request line");
	expect_error("GET /\r\n\r\n", 400, "request line");
	expect_error("GET / a HTTP/1.1\r\n\r\n", 400, "request line");
}

static void test_versions(void **state)
{
	(void)state;
	expect_error("GET / HTTP/2.0\r\n\r\n", 505, "HTTP/2.0");
	expect_error("GET / HTTP/1.1x\r\n\r\n", 400, NULL);
	expect_error("GET / http/1.1\r\n\r\n", 400, NULL);
}

static void test_line_endings_and_bytes(void **state)
{
	(void)state;
	expect_error("GET / HTTP/1.1\n\n", 400, "bare LF");
	expect_error("GET / HTTP/1.1\r\nHost: x\n\r\n", 400, "bare LF");
	expect_error("GET / HTTP/1.1\rX\r\n\r\n", 400, "CR without LF");
	expect_error("GET / HTTP/1.1\r\nX-A: a\x01" "b\r\n\r\n", 400, "control byte");
	struct parsed p = parse_n("GET / HTTP/1.1\r\nX: \0\r\n\r\n", 24);
	assert_int_equal(p.r, HTTP_PARSE_ERROR);
	/* An error shows as soon as the bad byte arrives, without waiting for the end. */
	expect_error("GET / HTTP/1.1\n", 400, "bare LF");
}

static void test_headers(void **state)
{
	(void)state;
	expect_error("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400, "colon");
	expect_error("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400, "header name");
	expect_error("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400, NULL);
	expect_error("GET / HTTP/1.1\r\n: x\r\n\r\n", 400, "header name");
	struct parsed p = parse("GET / HTTP/1.1\r\nX-Empty:\r\nX-Tab:\t v \t\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_DONE);

	char buf[4096] = "GET / HTTP/1.1\r\n";
	for (int i = 0; i < HTTP_MAX_HEADERS; i++)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "X-%d: v\r\n", i);
	strcat(buf, "\r\n");
	assert_int_equal(parse(buf).r, HTTP_PARSE_DONE);
	buf[strlen(buf) - 2] = '\0';
	strcat(buf, "X-last: v\r\n\r\n");
	expect_error(buf, 431, "header fields");
}

static void test_head_size_limit(void **state)
{
	(void)state;
	size_t len = HTTP_MAX_HEAD + 100;
	char *t = malloc(len + 1);
	assert_non_null(t);
	strcpy(t, "GET / HTTP/1.1\r\nX-Big: ");
	memset(t + strlen(t), 'a', len - strlen(t));
	t[len] = '\0';
	expect_error(t, 431, "head");
	/* Just under the limit is fine. */
	size_t fill = HTTP_MAX_HEAD - strlen("GET / HTTP/1.1\r\nX-Big: ") - 4;
	strcpy(t, "GET / HTTP/1.1\r\nX-Big: ");
	memset(t + strlen(t), 'a', fill);
	strcpy(t + strlen("GET / HTTP/1.1\r\nX-Big: ") + fill, "\r\n\r\n");
	assert_int_equal(strlen(t), HTTP_MAX_HEAD);
	assert_int_equal(parse(t).r, HTTP_PARSE_DONE);
	free(t);
}

static void test_content_length(void **state)
{
	(void)state;
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: 51201\r\n\r\n", 413, "51201");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", 400,
		     "Content-Length");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, "Content-Length");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", 400, "Content-Length");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length:\r\n\r\n", 400, "Content-Length");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", 400,
		     "conflicting");
	struct parsed p = parse("PUT /x HTTP/1.1\r\ncontent-length: 2\r\nContent-Length: 2\r\n\r\n{}");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.body_len, 2);
	/* The largest body allowed is accepted. */
	size_t head = (size_t)snprintf(NULL, 0, "PUT /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n",
				       HTTP_MAX_BODY);
	char *t = malloc(head + HTTP_MAX_BODY + 1);
	assert_non_null(t);
	snprintf(t, head + 1, "PUT /x HTTP/1.1\r\nContent-Length: %d\r\n\r\n", HTTP_MAX_BODY);
	memset(t + head, 'x', HTTP_MAX_BODY);
	p = parse_n(t, head + HTTP_MAX_BODY);
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_int_equal(p.req.body_len, HTTP_MAX_BODY);
	free(t);
	/* Without Content-Length a request has no body: what follows is the next request. */
	p = parse("PUT /actions HTTP/1.1\r\n\r\n{\"action_type\"}");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	assert_false(p.req.has_content_length);
	assert_int_equal(p.req.body_len, 0);
	assert_int_equal(p.used, 25);
}

static void test_transfer_encoding_refused(void **state)
{
	(void)state;
	expect_error("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501,
		     "Content-Length");
	expect_error("PUT /x HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: identity\r\n\r\n{}",
		     501, "Transfer-Encoding");
}

static void test_expect(void **state)
{
	(void)state;
	struct parsed p = parse("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
	assert_int_equal(p.r, HTTP_PARSE_INCOMPLETE);
	assert_true(p.req.expect_continue);
	p = parse("PUT /x HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}");
	assert_int_equal(p.r, HTTP_PARSE_DONE);
	expect_error("PUT /x HTTP/1.1\r\nExpect: something\r\n\r\n", 417, "100-continue");
}

static void test_format_response(void **state)
{
	(void)state;
	char out[512];
	size_t n = http_format_response(out, sizeof(out), 204, NULL, 0, true);
	out[n] = '\0';
	assert_string_equal(out, "HTTP/1.1 204 No Content\r\nServer: millivm\r\n"
				 "Connection: keep-alive\r\n\r\n");
	const char *body = "{\"fault_message\": \"x\"}";
	n = http_format_response(out, sizeof(out), 400, body, strlen(body), false);
	out[n] = '\0';
	assert_non_null(strstr(out, "HTTP/1.1 400 Bad Request\r\n"));
	assert_non_null(strstr(out, "Connection: close\r\n"));
	assert_non_null(strstr(out, "Content-Length: 22\r\n\r\n{\"fault_message\""));
	assert_int_equal(http_format_response(out, 40, 400, body, strlen(body), false), 0);
	assert_int_equal(http_format_response(out, 120, 400, body, strlen(body), false), 0);
	assert_string_equal(http_reason(431), "Request Header Fields Too Large");
}

/* xorshift: deterministic random input. */
static uint32_t next_random(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void test_random_input_is_safe(void **state)
{
	(void)state;
	static const char *const pieces[] = {
		"GET ", "PUT ", "PATCH ", "/", "/actions", " HTTP/1.1", " HTTP/1.0", "\r\n", "\n",
		"\r", "Content-Length: ", "7", "0", "99999", "Transfer-Encoding: chunked",
		"Connection: close", "Expect: 100-continue", ": ", " ", "\t", "x", "{}", "\0",
		"\x80", "?", "http://h",
	};
	uint32_t seed = 0x1234567;
	char buf[512];
	for (int iter = 0; iter < 20000; iter++) {
		size_t len = 0;
		int count = (int)(next_random(&seed) % 24);
		for (int i = 0; i < count; i++) {
			const char *p = pieces[next_random(&seed) % (sizeof(pieces) / sizeof(pieces[0]))];
			size_t plen = *p ? strlen(p) : 1;
			if (len + plen > sizeof(buf))
				break;
			memcpy(buf + len, p, plen);
			len += plen;
		}
		struct parsed p = parse_n(buf, len);
		if (p.r == HTTP_PARSE_DONE) {
			assert_true(p.used <= len);
			assert_true(p.used > 0);
			assert_true(p.req.body_len <= len);
		} else if (p.r == HTTP_PARSE_ERROR) {
			assert_true(p.err.status >= 400 && p.err.status <= 505);
			assert_true(p.err.msg[0] != '\0');
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get),
		cmocka_unit_test(test_put_with_body),
		cmocka_unit_test(test_every_prefix_is_incomplete),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_leading_crlf_skipped),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_connection_semantics),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_line_endings_and_bytes),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_head_size_limit),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_transfer_encoding_refused),
		cmocka_unit_test(test_expect),
		cmocka_unit_test(test_format_response),
		cmocka_unit_test(test_random_input_is_safe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
