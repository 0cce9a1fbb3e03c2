/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tslog text records: `<thread id in hex> <tsc> ENTER|EXIT|THREAD|EVENT <name> [<arg>]`.
 *
 * Three dialects share that shape and differ only in the thread column:
 *   millivm  - CPU index, small hex number, with or without 0x ("0", "1", "0x1")
 *   NetBSD   - LWP id printed with "0x%x" ("0x1", "0x2b")
 *   FreeBSD  - thread pointer printed with "%p" ("0xfffff80003a1c740"); the boot loader's
 *              own records, which the kernel prepends, use "0x0"
 * so one parser reads all three. The parser is pure (no allocation, no globals, no I/O) so
 * that it can be driven by a fuzzer and by unit tests alike.
 */
#ifndef MILLIVM_FLAME_TSLOG_H
#define MILLIVM_FLAME_TSLOG_H

#include <stddef.h>
#include <stdint.h>

enum tslog_kind {
	TSLOG_ENTER = 1,
	TSLOG_EXIT,
	TSLOG_THREAD,
	TSLOG_EVENT,
};

/* One parsed line. name/arg point into the caller's line buffer and are not NUL-terminated. */
struct tslog_record {
	uint64_t thread;
	uint64_t tsc;
	enum tslog_kind kind;
	const char *name;
	size_t name_len; /* >= 1 */
	const char *arg; /* NULL when the line has no argument */
	size_t arg_len;
};

enum tslog_parse_result {
	TSLOG_PARSE_OK = 0,
	TSLOG_PARSE_BLANK = 1, /* empty or whitespace-only line: skipped, not an error */
	TSLOG_PARSE_BAD_THREAD = -1,
	TSLOG_PARSE_BAD_TSC = -2,
	TSLOG_PARSE_BAD_KIND = -3,
	TSLOG_PARSE_NO_NAME = -4,
	TSLOG_PARSE_NUL_BYTE = -5,
};

/*
 * Parse one line (without or with its trailing "\n" / "\r\n") of len bytes; line need not be
 * NUL-terminated. Returns TSLOG_PARSE_OK and fills *out, TSLOG_PARSE_BLANK, or a negative
 * enum tslog_parse_result (then *out is unspecified).
 */
int tslog_parse_line(const char *line, size_t len, struct tslog_record *out);

/* A short human reason for a negative tslog_parse_line() result. */
const char *tslog_parse_strerror(int result);

/* "ENTER", "EXIT", ... */
const char *tslog_kind_name(enum tslog_kind kind);

#endif
