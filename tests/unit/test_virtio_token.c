/* SPDX-License-Identifier: BSD-2-Clause */
/* The virtio_mmio.device= command-line token: formatting, parsing, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "devices/virtio_mmio_token.h"
#include "millivm/layout.h"

static void test_format_like_qemu_microvm(void **state)
{
	(void)state;
	char buf[64];
	struct virtio_mmio_token tok = { .size = 512, .base = 0xfeb00000, .irq = 5 };
	int n = virtio_mmio_format_token(buf, sizeof(buf), &tok);
	assert_string_equal(buf, "virtio_mmio.device=512@0xfeb00000:5");
	assert_int_equal(n, strlen(buf));
	tok.base = 0xfeb00200;
	tok.irq = 12;
	tok.has_id = true;
	tok.id = 3;
	virtio_mmio_format_token(buf, sizeof(buf), &tok);
	assert_string_equal(buf, "virtio_mmio.device=512@0xfeb00200:12:3");
}

static void test_format_does_not_overflow(void **state)
{
	(void)state;
	char buf[36];
	struct virtio_mmio_token tok = { .size = 512, .base = 0xfeb00000, .irq = 5 };
	/* The token is 35 characters: 36 bytes fit it with its NUL, 35 do not. */
	assert_int_equal(virtio_mmio_format_token(buf, 36, &tok), 35);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(virtio_mmio_format_token(buf, 35, &tok), -1);
	assert_string_equal(buf, "");
	assert_int_equal(virtio_mmio_format_token(buf, 0, &tok), -1);
	assert_int_equal(buf[0], '\0'); /* untouched with no room at all */
}

static void assert_parses(const char *text, uint64_t size, uint64_t base, unsigned irq,
			  int id)
{
	struct virtio_mmio_token tok;
	struct error err = { "" };
	if (virtio_mmio_parse_token(text, &tok, &err) < 0)
		fail_msg("'%s' refused: %s", text, err.msg);
	assert_int_equal(tok.size, size);
	assert_int_equal(tok.base, base);
	assert_int_equal(tok.irq, irq);
	assert_int_equal(tok.has_id, id >= 0);
	if (id >= 0)
		assert_int_equal(tok.id, id);
}

static void test_parse(void **state)
{
	(void)state;
	assert_parses("virtio_mmio.device=512@0xfeb00000:5", 512, 0xfeb00000, 5, -1);
	assert_parses("512@0xfeb00000:5", 512, 0xfeb00000, 5, -1);
	assert_parses("virtio_mmio.device_1=512@0xfeb00200:6", 512, 0xfeb00200, 6, -1);
	assert_parses("virtio_mmio.device_12=4K@0x1000:3:7", 4096, 0x1000, 3, 7);
	assert_parses("4k@4096:3", 4096, 4096, 3, -1);
	assert_parses("1M@0XFEB00000:23", MiB(1), 0xfeb00000, 23, -1);
	assert_parses("2G@0x100000000:9", GiB(2), 0x100000000ull, 9, -1);
	assert_parses("1T@0:1", 1ull << 40, 0, 1, -1);
	assert_parses("0x200@0x0:1", 512, 0, 1, -1);
	assert_parses("01000@010:1:0", 512, 8, 1, 0); /* leading 0: octal, as Linux reads it */
	assert_parses("512@0xfffffffffffffdff:5", 512, 0xfffffffffffffdffull, 5, -1);
}

static void assert_refused(const char *text)
{
	struct virtio_mmio_token tok;
	struct error err = { "" };
	if (virtio_mmio_parse_token(text, &tok, &err) == 0)
		fail_msg("'%s' accepted", text);
	assert_true(err.msg[0] != '\0');
}

static void test_parse_refuses(void **state)
{
	(void)state;
	assert_refused("");
	assert_refused("virtio_mmio.device=");
	assert_refused("512");
	assert_refused("512@");
	assert_refused("512@0xfeb00000");
	assert_refused("512@0xfeb00000:");
	assert_refused("512@0xfeb00000:0");   /* no IRQ 0, as Linux */
	assert_refused("0@0xfeb00000:5");     /* empty window */
	assert_refused("512@0xfeb00000:5:");  /* empty id */
	assert_refused("512@0xfeb00000:5:x");
	assert_refused("512@0xfeb00000:5 ");  /* trailing text */
	assert_refused("512@0xfeb00000:5:1:2");
	assert_refused("-512@0xfeb00000:5");
	assert_refused("512@-1:5");
	assert_refused("512@0x:5");
	assert_refused("512@0xfeb00000:0x5"); /* irq is decimal */
	assert_refused("512X@0xfeb00000:5");
	assert_refused("512@0xfffffffffffffe01:5");      /* base + size wraps */
	assert_refused("99999999999999999999@0:5");      /* overflow */
	assert_refused("16777216T@0:5");                  /* overflow through the suffix */
	assert_refused("512@0x10000000000000000:5");     /* 2^64 */
	assert_refused("512@0:99999999999");
	assert_refused("512@0:5:99999999999");
	assert_refused("virtio_mmio.device_=512@0:5");   /* prefix without its number */
	assert_refused("virtio_mmio.devices=512@0:5");
	assert_refused("0x@0:5");
	assert_refused("08@0:5"); /* not an octal digit */
}

static void test_round_trip(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 32; i++) {
		struct virtio_mmio_token in = { .size = 512, .base = 0xfeb00000ull + 0x200ull * i,
						.irq = 5 + i, .has_id = i % 2, .id = i };
		char buf[64];
		assert_true(virtio_mmio_format_token(buf, sizeof(buf), &in) > 0);
		struct virtio_mmio_token out;
		struct error err;
		assert_int_equal(virtio_mmio_parse_token(buf, &out, &err), 0);
		assert_int_equal(out.size, in.size);
		assert_int_equal(out.base, in.base);
		assert_int_equal(out.irq, in.irq);
		assert_int_equal(out.has_id, in.has_id);
		assert_int_equal(out.id, in.has_id ? in.id : 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_like_qemu_microvm),
		cmocka_unit_test(test_format_does_not_overflow),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
