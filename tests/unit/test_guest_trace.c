/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest trace channel (abi.h, design.md section 7): capturing a guest's trace buffer out
 * of its RAM with every bound checked, and writing it as tslog text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "core/guest_mem.h"
#include "fake_ram.h"
#include "debug/guest_trace.h"
#include "millivm/abi.h"

#define RAM_SIZE MiB(4)
#define TRACE_AT 0x200000ull

struct fixture {
	struct guest_mem mem;
	struct guest_trace trace;
	struct error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (fake_guest_ram_alloc(&f->mem, RAM_SIZE) < 0) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	guest_trace_free(&f->trace);
	fake_guest_ram_free(&f->mem);
	free(f);
	return 0;
}

/* Write a header at gpa; returns the guest's record array right behind it. */
static struct millivm_trace_record *put_header(struct fixture *f, uint64_t gpa, uint32_t count,
					       uint32_t capacity)
{
	struct millivm_trace_header *h = gpa_range(&f->mem, gpa, sizeof(*h));
	assert_non_null(h);
	*h = (struct millivm_trace_header){ MILLIVM_TRACE_MAGIC, MILLIVM_TRACE_VERSION, count,
					    capacity };
	return (struct millivm_trace_record *)(h + 1);
}

static void put_record(struct millivm_trace_record *r, uint64_t tsc, uint32_t kind,
		       uint32_t thread, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->tsc = tsc;
	r->kind = kind;
	r->thread = thread;
	memcpy(r->name, name, strnlen(name, MILLIVM_TRACE_NAME_LEN));
}

static int capture(struct fixture *f, uint64_t gpa)
{
	memset(f->err.msg, 0, sizeof(f->err.msg));
	return guest_trace_capture(&f->mem, gpa, &f->trace, &f->err);
}

static void assert_capture_fails(struct fixture *f, uint64_t gpa, const char *reason)
{
	if (capture(f, gpa) != -1)
		fail_msg("capture at 0x%llx succeeded; expected '%s'", (unsigned long long)gpa,
			 reason);
	assert_msg_contains(f->err.msg, reason);
}

/* The tslog text for the current trace (caller frees). */
static char *tslog(const struct guest_trace *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	assert_int_equal(guest_trace_write_tslog(t, out), 0);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* ------------------------------------------------------------------------ capture */

static void test_capture_and_write(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 4, 16);
	put_record(&r[0], 1000, MILLIVM_TRACE_ENTER, 0, "boot");
	put_record(&r[1], 1500, MILLIVM_TRACE_EVENT, 0, "start_info_ok");
	put_record(&r[2], 1800, MILLIVM_TRACE_THREAD, 0x1f, "ap1");
	put_record(&r[3], 123456789012ull, MILLIVM_TRACE_EXIT, 0, "boot");
	assert_int_equal(capture(f, TRACE_AT), 0);
	assert_int_equal(f->trace.count, 4);
	char *text = tslog(&f->trace);
	assert_string_equal(text, "0x0 1000 ENTER boot\n"
				  "0x0 1500 EVENT start_info_ok\n"
				  "0x1f 1800 THREAD ap1\n"
				  "0x0 123456789012 EXIT boot\n");
	free(text);
}

/* The capture is a copy: the guest may reuse its buffer right after the port write. */
static void test_capture_copies(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 1, 1);
	put_record(&r[0], 42, MILLIVM_TRACE_EVENT, 2, "mark");
	assert_int_equal(capture(f, TRACE_AT), 0);
	put_record(&r[0], 99, MILLIVM_TRACE_ENTER, 3, "changed");
	char *text = tslog(&f->trace);
	assert_string_equal(text, "0x2 42 EVENT mark\n");
	free(text);
}

static void test_empty_trace(void **state)
{
	struct fixture *f = *state;
	put_header(f, TRACE_AT, 0, 8);
	assert_int_equal(capture(f, TRACE_AT), 0);
	assert_int_equal(f->trace.count, 0);
	char *text = tslog(&f->trace);
	assert_string_equal(text, "");
	free(text);
}

/* A second hand-over replaces the first (ASan checks the old copy is freed). */
static void test_capture_replaces(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 2, 2);
	put_record(&r[0], 1, MILLIVM_TRACE_ENTER, 0, "a");
	put_record(&r[1], 2, MILLIVM_TRACE_EXIT, 0, "a");
	assert_int_equal(capture(f, TRACE_AT), 0);
	r = put_header(f, 0x1000, 1, 1);
	put_record(&r[0], 3, MILLIVM_TRACE_EVENT, 0, "b");
	assert_int_equal(capture(f, 0x1000), 0);
	assert_int_equal(f->trace.count, 1);
	assert_int_equal(f->trace.records[0].tsc, 3);
}

static void test_failed_capture_keeps_previous(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 1, 1);
	put_record(&r[0], 7, MILLIVM_TRACE_EVENT, 0, "kept");
	assert_int_equal(capture(f, TRACE_AT), 0);
	assert_capture_fails(f, RAM_SIZE, "outside guest RAM");
	assert_int_equal(f->trace.count, 1);
	assert_int_equal(f->trace.records[0].tsc, 7);
}

/* ------------------------------------------------------------------------ refusals */

static void test_bad_magic(void **state)
{
	struct fixture *f = *state;
	put_header(f, TRACE_AT, 1, 1);
	struct millivm_trace_header *h = gpa_range(&f->mem, TRACE_AT, sizeof(*h));
	h->magic = 0x12345678;
	assert_capture_fails(f, TRACE_AT, "bad magic 0x12345678");
	assert_null(f->trace.records);
}

static void test_bad_version(void **state)
{
	struct fixture *f = *state;
	put_header(f, TRACE_AT, 1, 1);
	struct millivm_trace_header *h = gpa_range(&f->mem, TRACE_AT, sizeof(*h));
	h->version = 2;
	assert_capture_fails(f, TRACE_AT, "version 2");
}

static void test_count_above_capacity(void **state)
{
	struct fixture *f = *state;
	put_header(f, TRACE_AT, 5, 4);
	assert_capture_fails(f, TRACE_AT, "5 records (capacity 4");
}

static void test_count_above_limit(void **state)
{
	struct fixture *f = *state;
	put_header(f, TRACE_AT, MILLIVM_TRACE_MAX_RECORDS + 1, UINT32_MAX);
	assert_capture_fails(f, TRACE_AT, "limit 65536");
	put_header(f, TRACE_AT, UINT32_MAX, UINT32_MAX);
	assert_capture_fails(f, TRACE_AT, "limit 65536");
}

static void test_header_outside_ram(void **state)
{
	struct fixture *f = *state;
	assert_capture_fails(f, RAM_SIZE, "outside guest RAM");
	assert_capture_fails(f, RAM_SIZE - 8, "outside guest RAM"); /* header straddles the end */
	assert_capture_fails(f, UINT64_MAX - 4, "outside guest RAM");
	assert_capture_fails(f, LAYOUT_MMIO_HOLE_START, "outside guest RAM");
}

static void test_records_cross_ram_end(void **state)
{
	struct fixture *f = *state;
	const size_t rec = sizeof(struct millivm_trace_record);
	uint64_t gpa = RAM_SIZE - sizeof(struct millivm_trace_header) - 3 * rec;
	put_header(f, gpa, 3, 8); /* exactly fits */
	assert_int_equal(capture(f, gpa), 0);
	assert_int_equal(f->trace.count, 3);
	put_header(f, gpa, 4, 8); /* the fourth record would run past the end */
	assert_capture_fails(f, gpa, "records run outside guest RAM");
}

/* ------------------------------------------------------------------------ tslog text */

static void test_names_sanitised(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 4, 4);
	put_record(&r[0], 1, MILLIVM_TRACE_EVENT, 0, "bad\nname\x01\x7f\xff");
	put_record(&r[1], 2, MILLIVM_TRACE_EVENT, 0, "two words");
	put_record(&r[2], 3, MILLIVM_TRACE_EVENT, 0, "");
	/* 40 visible characters, no NUL: printed in full, nothing read past the field */
	put_record(&r[3], 4, MILLIVM_TRACE_EVENT, 0, "");
	memset(r[3].name, 'n', MILLIVM_TRACE_NAME_LEN);
	assert_int_equal(capture(f, TRACE_AT), 0);
	char *text = tslog(&f->trace);
	assert_string_equal(text, "0x0 1 EVENT bad?name???\n"
				  "0x0 2 EVENT two?words\n"
				  "0x0 3 EVENT (unnamed)\n"
				  "0x0 4 EVENT nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn\n");
	free(text);
}

static void test_unknown_kinds_skipped(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 4, 4);
	put_record(&r[0], 1, 0, 0, "zero");
	put_record(&r[1], 2, MILLIVM_TRACE_ENTER, 0, "keep");
	put_record(&r[2], 3, 5, 0, "five");
	put_record(&r[3], 4, UINT32_MAX, 0, "max");
	assert_int_equal(capture(f, TRACE_AT), 0);
	assert_int_equal(f->trace.count, 4); /* captured as given, filtered on output */
	char *text = tslog(&f->trace);
	assert_string_equal(text, "0x0 2 ENTER keep\n");
	free(text);
}

static void test_write_error_reported(void **state)
{
	struct fixture *f = *state;
	struct millivm_trace_record *r = put_header(f, TRACE_AT, 1, 1);
	put_record(&r[0], 1, MILLIVM_TRACE_EVENT, 0, "x");
	assert_int_equal(capture(f, TRACE_AT), 0);
	FILE *ro = fopen("/dev/null", "r"); /* writes to a read-only stream fail */
	assert_non_null(ro);
	assert_int_equal(guest_trace_write_tslog(&f->trace, ro), -1);
	fclose(ro);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_capture_and_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_copies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_capture_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_capture_keeps_previous, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_magic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_above_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_above_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_header_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_records_cross_ram_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_sanitised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_kinds_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_error_reported, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
