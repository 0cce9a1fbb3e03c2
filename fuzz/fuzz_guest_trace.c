/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the guest trace channel (src/debug/guest_trace.c). A hostile guest hands
 * the monitor a buffer address; the monitor validates and copies the records out of guest
 * RAM and later writes them as tslog text.
 *
 * Input: 8 bytes little-endian, the guest-physical address the guest wrote (the port takes
 * 32 bits; capture takes 64, so overflowing addresses are tried too), then the contents of a
 * fake guest RAM of exactly the remaining size (its own heap buffer: ASan sees any read past
 * the end of RAM).
 *
 * On a successful capture the tslog text is written to memory and read back line by line
 * with the flame tool's parser (tools/flame/tslog.c): every record of a known kind must come
 * back as one well-formed line with the same thread, stamp, kind and (sanitised) name.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "debug/guest_trace.h"
#include "millivm/abi.h"
#include "../tools/flame/tslog.h" /* relative: also builds without -Itools/flame */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static enum tslog_kind expected_kind(uint32_t kind)
{
	switch (kind) {
	case MILLIVM_TRACE_ENTER: return TSLOG_ENTER;
	case MILLIVM_TRACE_EXIT: return TSLOG_EXIT;
	case MILLIVM_TRACE_EVENT: return TSLOG_EVENT;
	case MILLIVM_TRACE_THREAD: return TSLOG_THREAD;
	default: return 0;
	}
}

/* What print_name() should have written for a record's name. */
static size_t expected_name(const char *name, char *out)
{
	size_t len = strnlen(name, MILLIVM_TRACE_NAME_LEN);
	if (len == 0) {
		memcpy(out, "(unnamed)", 9);
		return 9;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];
		out[i] = c > ' ' && c < 0x7f ? (char)c : '?';
	}
	return len;
}

static void check_round_trip(const struct guest_trace *t)
{
	char *text = NULL;
	size_t text_len = 0;
	FILE *out = open_memstream(&text, &text_len);
	if (!out)
		return;
	if (guest_trace_write_tslog(t, out) != 0)
		abort();
	if (fclose(out) != 0)
		abort();

	const char *p = text, *end = text + text_len;
	for (uint32_t i = 0; i < t->count; i++) {
		const struct millivm_trace_record *r = &t->records[i];
		enum tslog_kind kind = expected_kind(r->kind);
		if (!kind)
			continue; /* skipped by the writer */
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			abort(); /* a record without its line */
		struct tslog_record rec;
		if (tslog_parse_line(p, (size_t)(nl - p), &rec) != TSLOG_PARSE_OK)
			abort(); /* the flame tool could not read the monitor's output */
		char name[MILLIVM_TRACE_NAME_LEN + 16];
		size_t name_len = expected_name(r->name, name);
		if (rec.thread != r->thread || rec.tsc != r->tsc || rec.kind != kind ||
		    rec.name_len != name_len || memcmp(rec.name, name, name_len) != 0 ||
		    rec.arg != NULL)
			abort();
		p = nl + 1;
	}
	if (p != end)
		abort(); /* lines for records that should have been skipped */
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t gpa;
	memcpy(&gpa, data, 8);
	size_t ram_size = size - 8;
	uint8_t *ram = malloc(ram_size ? ram_size : 1);
	if (!ram)
		return 0;
	memcpy(ram, data + 8, ram_size);
	struct guest_mem mem;
	guest_mem_init_layout(&mem, ram, ram_size);

	struct guest_trace t = { NULL, 0 };
	struct error err;
	err.msg[0] = '\0';
	if (guest_trace_capture(&mem, gpa, &t, &err) == 0) {
		if (t.count > MILLIVM_TRACE_MAX_RECORDS || !t.records)
			abort();
		check_round_trip(&t);
		/* A second hand-over replaces the first (the port device keeps the last one). */
		if (guest_trace_capture(&mem, gpa, &t, &err) != 0)
			abort();
	} else if (err.msg[0] == '\0') {
		abort();
	}
	guest_trace_free(&t);
	free(ram);
	return 0;
}
