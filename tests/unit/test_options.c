/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The command line: options_parse() option by option, and the value parsers under it
 * (parse_mem_size, parse_uint_range). Every refusal names the option and the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "core/options.h"
#include "core/parse.h"
#include "millivm/layout.h"

#define MAX_ARGS 48

/* argv as main() gets it: writable strings (--drive is split in place), NULL-terminated. */
struct fixture {
	char *argv[MAX_ARGS + 1];
	int argc;
	struct vm_config cfg;
	struct error err;
};

static void free_args(struct fixture *f)
{
	for (int i = 0; i < f->argc; i++)
		free(f->argv[i]);
	f->argc = 0;
	f->argv[0] = NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free_args(f);
	free(f);
	return 0;
}

/* Parse "millivm" followed by the NULL-terminated arguments. */
static enum options_result parse_argv(struct fixture *f, const char *const *args)
{
	free_args(f);
	f->argv[f->argc++] = strdup("millivm");
	for (; *args; args++) {
		assert_true(f->argc < MAX_ARGS);
		f->argv[f->argc++] = strdup(*args);
	}
	f->argv[f->argc] = NULL;
	memset(f->err.msg, 0, sizeof(f->err.msg));
	return options_parse(f->argc, f->argv, &f->cfg, &f->err);
}

#define PARSE(f, ...) parse_argv((f), (const char *const[]){ __VA_ARGS__, NULL })

static void assert_run(struct fixture *f, enum options_result r)
{
	if (r != OPTIONS_RUN)
		fail_msg("options refused (%d): %s", r, f->err.msg);
}

static void assert_error(struct fixture *f, enum options_result r, const char *reason)
{
	if (r != OPTIONS_ERROR)
		fail_msg("options accepted (%d); expected an error mentioning '%s'", r, reason);
	assert_msg_contains(f->err.msg, reason);
}

/* ------------------------------------------------------------------------ basics */

static void test_defaults(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "kernel.elf"));
	assert_string_equal(f->cfg.kernel_path, "kernel.elf");
	assert_null(f->cfg.initrd_path);
	assert_string_equal(f->cfg.cmdline, "");
	assert_int_equal(f->cfg.mem_size, MiB(256));
	assert_int_equal(f->cfg.vcpus, 1);
	assert_int_equal(f->cfg.ndrives, 0);
	assert_int_equal(f->cfg.ncpuid_masks, 0);
	assert_int_equal(f->cfg.console, CONSOLE_SERIAL);
	assert_false(f->cfg.rng);
	assert_false(f->cfg.timeline);
	assert_null(f->cfg.gdb_address);
	assert_false(f->cfg.gdb_wait);
}

static void test_long_options(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "--kernel", "k", "--memory", "1G", "--append", "console=com0",
			    "--initrd", "i.img", "--cpus", "4", "--timeline", "--timeline-json",
			    "t.json", "--trace-out", "t.tslog", "--rng", "--console", "virtio",
			    "--gdb", "tcp:1234", "--gdb-wait", "--cpuid-disable", "xsave"));
	assert_string_equal(f->cfg.kernel_path, "k");
	assert_int_equal(f->cfg.mem_size, GiB(1));
	assert_string_equal(f->cfg.cmdline, "console=com0");
	assert_string_equal(f->cfg.initrd_path, "i.img");
	assert_int_equal(f->cfg.vcpus, 4);
	assert_true(f->cfg.timeline);
	assert_string_equal(f->cfg.timeline_json, "t.json");
	assert_string_equal(f->cfg.trace_out, "t.tslog");
	assert_true(f->cfg.rng);
	assert_int_equal(f->cfg.console, CONSOLE_VIRTIO);
	assert_string_equal(f->cfg.gdb_address, "tcp:1234");
	assert_true(f->cfg.gdb_wait);
	assert_int_equal(f->cfg.ncpuid_masks, 1);
}

static void test_short_options_attached(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-kkernel", "-m512M", "-c2", "-ainit=/sbin/init"));
	assert_string_equal(f->cfg.kernel_path, "kernel");
	assert_int_equal(f->cfg.mem_size, MiB(512));
	assert_int_equal(f->cfg.vcpus, 2);
	assert_string_equal(f->cfg.cmdline, "init=/sbin/init");
}

static void test_missing_kernel(void **state)
{
	struct fixture *f = *state;
	assert_error(f, parse_argv(f, (const char *const[]){ NULL }), "no kernel given");
	assert_error(f, PARSE(f, "-m", "512M"), "no kernel given");
}

static void test_unknown_option(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k", "k", "--bogus"), "unknown option '--bogus'");
	assert_error(f, PARSE(f, "-k", "k", "-z"), "unknown option '-z'");
	assert_error(f, PARSE(f, "--bogus=1", "-k", "k"), "unknown option '--bogus=1'");
}

/* An unknown letter in a cluster: the message must name it, not some other argument. */
static void test_unknown_option_in_cluster(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-zk", "kernel"), "unknown option '-z'");
}

static void test_missing_value(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k"), "option '-k' needs a value");
	assert_error(f, PARSE(f, "-k", "k", "-m"), "option '-m' needs a value");
	assert_error(f, PARSE(f, "-k", "k", "--memory"), "option '--memory' needs a value");
	assert_error(f, PARSE(f, "-k", "k", "--drive"), "option '--drive' needs a value");
}

static void test_unexpected_argument(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k", "k", "extra"), "unexpected argument 'extra'");
}

/* options_parse() may run more than once per process (tests, fuzzers, a config reload). */
static void test_parse_twice(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "a", "-d", "disk.img", "-c", "3"));
	assert_int_equal(f->cfg.ndrives, 1);
	assert_run(f, PARSE(f, "-k", "b"));
	assert_string_equal(f->cfg.kernel_path, "b");
	assert_int_equal(f->cfg.ndrives, 0); /* defaults again, nothing carried over */
	assert_int_equal(f->cfg.vcpus, 1);
}

/* ------------------------------------------------------------------------ --help, --version */

/* Run a parse with stdout sent to a temporary file; returns what was printed. */
static char *parse_capturing_stdout(struct fixture *f, const char *arg, enum options_result *r)
{
	fflush(stdout);
	FILE *tmp = tmpfile();
	assert_non_null(tmp);
	int saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(tmp), STDOUT_FILENO) >= 0);
	*r = PARSE(f, arg);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	long len = ftell(tmp);
	assert_true(len >= 0);
	char *out = calloc(1, (size_t)len + 1);
	assert_non_null(out);
	rewind(tmp);
	assert_int_equal(fread(out, 1, (size_t)len, tmp), (size_t)len);
	fclose(tmp);
	return out;
}

static void test_help(void **state)
{
	struct fixture *f = *state;
	static const char *const args[] = { "--help", "-h" };
	for (size_t i = 0; i < 2; i++) {
		enum options_result r;
		char *out = parse_capturing_stdout(f, args[i], &r);
		assert_int_equal(r, OPTIONS_EXIT);
		assert_non_null(strstr(out, "usage: millivm"));
		assert_non_null(strstr(out, "--kernel"));
		assert_non_null(strstr(out, "at most 2047 bytes"));
		assert_non_null(strstr(out, "xsave")); /* the feature names */
		free(out);
	}
}

static void test_version(void **state)
{
	struct fixture *f = *state;
	static const char *const args[] = { "--version", "-V" };
	for (size_t i = 0; i < 2; i++) {
		enum options_result r;
		char *out = parse_capturing_stdout(f, args[i], &r);
		assert_int_equal(r, OPTIONS_EXIT);
		assert_true(strncmp(out, "millivm ", 8) == 0);
		assert_non_null(strchr(out, '\n'));
		free(out);
	}
}

/* A parse that stops inside an option cluster must not leak into the next one. */
static void test_parse_after_stop_in_cluster(void **state)
{
	struct fixture *f = *state;
	enum options_result r;
	free(parse_capturing_stdout(f, "-Vc4", &r)); /* stops at V, "c4" unread */
	assert_int_equal(r, OPTIONS_EXIT);
	assert_run(f, PARSE(f, "-k", "kernel"));
	assert_string_equal(f->cfg.kernel_path, "kernel");
	assert_int_equal(f->cfg.vcpus, 1);
}

/* ------------------------------------------------------------------------ -m */

static void test_memory_accepted(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		uint64_t bytes;
	} ok[] = {
		{ "256M", MiB(256) }, { "4G", GiB(4) },       { "1024", GiB(1) },
		{ "8M", MiB(8) },     { "8192K", MiB(8) },    { "1T", GiB(1024) },
		{ "256MiB", MiB(256) }, { "256mb", MiB(256) }, { "2g", GiB(2) },
		{ "8388608B", MiB(8) }, { "3G", GiB(3) },      { "8200K", KiB(8200) },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_run(f, PARSE(f, "-k", "k", "-m", ok[i].text));
		if (f->cfg.mem_size != ok[i].bytes)
			fail_msg("-m %s gave %llu bytes", ok[i].text,
				 (unsigned long long)f->cfg.mem_size);
	}
}

static void test_memory_refused(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "64K", "must be between 8 MiB and 1024 GiB" },
		{ "0", "must be between" },
		{ "7M", "must be between" },
		{ "1025G", "must be between" },
		{ "2T", "must be between" },
		{ "256Q", "unknown suffix 'Q'" },
		{ "256Mx", "unknown suffix 'Mx'" },
		{ "256 M", "unknown suffix" },
		{ "0x100", "unknown suffix" },
		{ "-1", "is not a size" },
		{ "-256M", "is not a size" },
		{ "", "is not a size" },
		{ "M", "is not a size" },
		{ " 256M", "is not a size" },
		{ "99999999999999999999", "too large" },
		{ "16777216T", "too large" },
		{ "8388609B", "not a multiple of 4 KiB" },
		{ "8197K", "not a multiple of 4 KiB" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum options_result r = PARSE(f, "-k", "k", "-m", bad[i].text);
		if (r != OPTIONS_ERROR)
			fail_msg("-m '%s' accepted", bad[i].text);
		assert_msg_contains(f->err.msg, "--memory");
		assert_msg_contains(f->err.msg, bad[i].reason);
	}
}

static void test_parse_mem_size(void **state)
{
	(void)state;
	struct error err;
	uint64_t v = 0;
	assert_int_equal(parse_mem_size("64K", &v, &err), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(parse_mem_size("1024", &v, &err), 0);
	assert_int_equal(v, GiB(1));
	assert_int_equal(parse_mem_size("1B", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(parse_mem_size("16777215T", &v, &err), 0); /* largest in T */
	assert_int_equal(v, 16777215ull << 40);
	assert_int_equal(parse_mem_size("18446744073709551615B", &v, &err), 0);
	assert_int_equal(v, UINT64_MAX);

	v = 42;
	assert_int_equal(parse_mem_size("18446744073709551616B", &v, &err), -1);
	assert_msg_contains(err.msg, "too large");
	assert_int_equal(parse_mem_size("17592186044416M", &v, &err), -1); /* 2^44 MiB */
	assert_msg_contains(err.msg, "too large");
	assert_int_equal(parse_mem_size(NULL, &v, &err), -1);
	assert_msg_contains(err.msg, "not a size");
	assert_int_equal(parse_mem_size("12KB3", &v, &err), -1);
	assert_msg_contains(err.msg, "unknown suffix");
	assert_int_equal(v, 42); /* untouched on error */
}

/* ------------------------------------------------------------------------ -c and numbers */

static void test_parse_uint_range(void **state)
{
	(void)state;
	struct error err;
	unsigned long v = 7;
	assert_int_equal(parse_uint_range("4", 1, 254, &v, &err), 0);
	assert_int_equal(v, 4);
	assert_int_equal(parse_uint_range("1", 1, 254, &v, &err), 0);
	assert_int_equal(parse_uint_range("254", 1, 254, &v, &err), 0);
	assert_int_equal(v, 254);

	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "0", "0 is out of range [1, 254]" },
		{ "255", "255 is out of range [1, 254]" },
		{ "abc", "'abc' is not a number" },
		{ "", "is not a number" },
		{ "-1", "is not a number" },
		{ "+4", "is not a number" },
		{ " 4", "is not a number" },
		{ "4x", "'4x' is not a number" },
		{ "4 ", "is not a number" },
		{ "0x10", "is not a number" },
		{ "99999999999999999999999", "is not a number" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		if (parse_uint_range(bad[i].text, 1, 254, &v, &err) != -1)
			fail_msg("'%s' accepted", bad[i].text);
		assert_msg_contains(err.msg, bad[i].reason);
		assert_int_equal(v, 7);
	}
	assert_int_equal(parse_uint_range(NULL, 1, 254, &v, &err), -1);
}

static void test_cpus(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "-c", "254"));
	assert_int_equal(f->cfg.vcpus, 254);
	assert_error(f, PARSE(f, "-k", "k", "-c", "0"), "--cpus: 0 is out of range");
	assert_error(f, PARSE(f, "-k", "k", "-c", "255"), "--cpus: 255 is out of range");
	assert_error(f, PARSE(f, "-k", "k", "--cpus", "two"), "--cpus: 'two' is not a number");
}

static void test_append_limit(void **state)
{
	struct fixture *f = *state;
	char *line = malloc(LAYOUT_CMDLINE_MAX + 1);
	assert_non_null(line);
	memset(line, 'a', LAYOUT_CMDLINE_MAX - 1);
	line[LAYOUT_CMDLINE_MAX - 1] = '\0';
	assert_run(f, PARSE(f, "-k", "k", "-a", line));
	assert_int_equal(strlen(f->cfg.cmdline), 2047);
	line[LAYOUT_CMDLINE_MAX - 1] = 'a';
	line[LAYOUT_CMDLINE_MAX] = '\0';
	assert_error(f, PARSE(f, "-k", "k", "-a", line), "2048 bytes, limit 2047");
	free(line);
}

/* ------------------------------------------------------------------------ devices */

static void test_drive_specs(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "-d", "root.img", "--drive", "data.img,ro",
			    "-d", "b.img,readonly,serial=disk-b", "-d", "c.img,ro,rw",
			    "-d", "d.img,serial=12345678901234567890"));
	assert_int_equal(f->cfg.ndrives, 5);
	assert_string_equal(f->cfg.drives[0].path, "root.img");
	assert_false(f->cfg.drives[0].read_only);
	assert_null(f->cfg.drives[0].serial);
	assert_string_equal(f->cfg.drives[1].path, "data.img");
	assert_true(f->cfg.drives[1].read_only);
	assert_string_equal(f->cfg.drives[2].path, "b.img");
	assert_true(f->cfg.drives[2].read_only);
	assert_string_equal(f->cfg.drives[2].serial, "disk-b");
	assert_false(f->cfg.drives[3].read_only); /* the last word wins */
	assert_string_equal(f->cfg.drives[4].serial, "12345678901234567890"); /* 20: the max */
}

static void test_vsock(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "--vsock", "cid=3,uds=/run/v.sock"));
	assert_true(f->cfg.vsock.enabled);
	assert_int_equal(f->cfg.vsock.guest_cid, 3);
	assert_string_equal(f->cfg.vsock.uds_path, "/run/v.sock");
	assert_run(f, PARSE(f, "-k", "k", "--vsock", "uds=v,cid=4294967294"));
	assert_int_equal(f->cfg.vsock.guest_cid, 4294967294u);
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=2,uds=v"), "--vsock cid: 2 is out of range");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=4294967295,uds=v"), "out of range");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=-3,uds=v"), "not a number");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=3"), "needs cid=N and uds=PATH");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "uds=v"), "needs cid=N and uds=PATH");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=3,uds="), "unknown option 'uds='");
	assert_error(f, PARSE(f, "-k", "k", "--vsock", "cid=3,uds=v", "--vsock", "cid=4,uds=w"),
		     "given twice");
}

static void test_drive_refused(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k", "k", "-d", "a.img,serial=123456789012345678901"),
		     "longer than 20 bytes");
	assert_error(f, PARSE(f, "-k", "k", "-d", "a.img,bogus"), "unknown option 'bogus'");
	assert_error(f, PARSE(f, "-k", "k", "-d", ""), "no file given");
	assert_error(f, PARSE(f, "-k", "k", "-d", ","), "no file given");
}

/* ",ro" has an empty file name: it must not become a drive on a file called "ro". */
static void test_drive_empty_path_with_options(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k", "k", "-d", ",ro"), "no file given");
}

static void test_drive_count_limit(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "-d", "0", "-d", "1", "-d", "2", "-d", "3", "-d", "4",
			    "-d", "5", "-d", "6", "-d", "7"));
	assert_int_equal(f->cfg.ndrives, 8);
	assert_error(f, PARSE(f, "-k", "k", "-d", "0", "-d", "1", "-d", "2", "-d", "3", "-d",
			      "4", "-d", "5", "-d", "6", "-d", "7", "-d", "8"),
		     "more than 8 drives");
}

static void test_net_and_id(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "--id", "vm_1", "--net", "tap=tap0,mac=02:00:00:00:00:09",
			    "--net", "user,hostfwd=udp::5555-:7", "--net", "tap=tap1"));
	assert_string_equal(f->cfg.vm_id, "vm_1");
	assert_int_equal(f->cfg.nnets, 3);
	assert_string_equal(f->cfg.nets[0].tap_name, "tap0");
	assert_true(f->cfg.nets[0].mac_set);
	assert_int_equal(f->cfg.nets[0].mac[5], 9);
	assert_int_equal(f->cfg.nets[1].kind, NET_USER);
	assert_string_equal(f->cfg.nets[1].user_opts, "hostfwd=udp::5555-:7");
	assert_false(f->cfg.nets[2].mac_set);
	assert_error(f, PARSE(f, "-k", "k", "--net", "tap=t,mac=ff:ff:ff:ff:ff:ff"), "multicast");
	assert_error(f, PARSE(f, "-k", "k", "--net", "tap=t,vhost=on"), "unknown option 'vhost=on'");
	assert_error(f, PARSE(f, "-k", "k", "--net", "socket"), "use tap=NAME");
	/* user mode takes the device's mac= too; the backend sees (and skips) it */
	assert_run(f, PARSE(f, "-k", "k", "--net", "user,hostfwd=tcp::2222-:22,mac=02:00:00:00:00:0a"));
	assert_true(f->cfg.nets[0].mac_set);
	assert_int_equal(f->cfg.nets[0].mac[5], 10);
	assert_string_equal(f->cfg.nets[0].user_opts, "hostfwd=tcp::2222-:22,mac=02:00:00:00:00:0a");
	assert_error(f, PARSE(f, "-k", "k", "--net", "user,mac=03:00:00:00:00:01"), "multicast");
	assert_error(f, PARSE(f, "-k", "k", "--net", "user,mac=02:00:00:00:00:01:02:03:04:05:06:07:08"),
		     "not a MAC address");
	assert_error(f, PARSE(f, "-k", "k", "--id", ""), "1 to 64 characters");
	assert_error(f, PARSE(f, "-k", "k", "--net"), "option '--net' needs a value");
}

static void test_console(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *text;
		enum console_kind kind;
	} ok[] = {
		{ "serial", CONSOLE_SERIAL }, { "com1", CONSOLE_SERIAL },
		{ "virtio", CONSOLE_VIRTIO }, { "none", CONSOLE_NONE },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_run(f, PARSE(f, "-k", "k", "--console", ok[i].text));
		assert_int_equal(f->cfg.console, ok[i].kind);
	}
	assert_error(f, PARSE(f, "-k", "k", "--console", "vga"),
		     "--console 'vga': use serial, virtio or none");
	assert_error(f, PARSE(f, "-k", "k", "--console", ""), "use serial, virtio or none");
}

/* The software-interrupt fallback: on by default (with a notice), quiet, or off. */
static void test_emulate_soft_int(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k"));
	assert_int_equal(f->cfg.emulate_soft_int, SOFT_INT_AUTO);
	assert_run(f, PARSE(f, "-k", "k", "--emulate-soft-int"));
	assert_int_equal(f->cfg.emulate_soft_int, SOFT_INT_ON);
	assert_run(f, PARSE(f, "-k", "k", "--no-emulate-soft-int"));
	assert_int_equal(f->cfg.emulate_soft_int, SOFT_INT_OFF);
	assert_run(f, PARSE(f, "-k", "k", "--no-emulate-soft-int", "--emulate-soft-int"));
	assert_int_equal(f->cfg.emulate_soft_int, SOFT_INT_ON); /* the last one wins */
}

static void test_gdb_addresses(void **state)
{
	struct fixture *f = *state;
	static const char *const ok[] = { "tcp:1234", "tcp:localhost:1234", "tcp:[::1]:1",
					  "tcp:0.0.0.0:65535", "unix:/tmp/gdb.sock" };
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_run(f, PARSE(f, "-k", "k", "--gdb", ok[i]));
		assert_string_equal(f->cfg.gdb_address, ok[i]);
	}
	static const struct {
		const char *text, *reason;
	} bad[] = {
		{ "tcp:0", "port: 0 is out of range" },
		{ "tcp:65536", "port: 65536 is out of range" },
		{ "tcp:", "port: '' is not a number" },
		{ "tcp:host:", "is not a number" },
		{ "tcp:host:http", "'http' is not a number" },
		{ "unix:", "use tcp:[HOST:]PORT or unix:PATH" },
		{ "1234", "use tcp:[HOST:]PORT or unix:PATH" },
		{ "udp:1234", "use tcp:[HOST:]PORT or unix:PATH" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum options_result r = PARSE(f, "-k", "k", "--gdb", bad[i].text);
		if (r != OPTIONS_ERROR)
			fail_msg("--gdb '%s' accepted", bad[i].text);
		assert_msg_contains(f->err.msg, "--gdb");
		assert_msg_contains(f->err.msg, bad[i].reason);
	}
}

static void test_gdb_wait_needs_gdb(void **state)
{
	struct fixture *f = *state;
	assert_error(f, PARSE(f, "-k", "k", "--gdb-wait"), "--gdb-wait needs --gdb");
	assert_run(f, PARSE(f, "--gdb-wait", "-k", "k", "--gdb", "unix:/tmp/s"));
	assert_true(f->cfg.gdb_wait);
}

static void test_cpuid_disable(void **state)
{
	struct fixture *f = *state;
	assert_run(f, PARSE(f, "-k", "k", "--cpuid-disable", "xsave,smap",
			    "--cpuid-disable", "0x7.0:ebx:20"));
	assert_int_equal(f->cfg.ncpuid_masks, 3);
	assert_int_equal(f->cfg.cpuid_masks[0].leaf, 1);
	assert_int_equal(f->cfg.cpuid_masks[0].bit, 26);
	assert_int_equal(f->cfg.cpuid_masks[2].leaf, 7);
	assert_int_equal(f->cfg.cpuid_masks[2].bit, 20);
	assert_error(f, PARSE(f, "-k", "k", "--cpuid-disable", "xsave,bogus"),
		     "--cpuid-disable: unknown CPU feature 'bogus'");

	char list[33 * 6 + 1] = "";
	for (int i = 0; i < 33; i++)
		strcat(list, i ? ",cx16" : "cx16");
	assert_error(f, PARSE(f, "-k", "k", "--cpuid-disable", list), "more than 32 features");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_short_options_attached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_kernel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_option, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_option_in_cluster, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_value, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unexpected_argument, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_after_stop_in_cluster, setup, teardown),
		cmocka_unit_test_setup_teardown(test_help, setup, teardown),
		cmocka_unit_test_setup_teardown(test_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_refused, setup, teardown),
		cmocka_unit_test(test_parse_mem_size),
		cmocka_unit_test(test_parse_uint_range),
		cmocka_unit_test_setup_teardown(test_cpus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_append_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drive_specs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drive_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drive_empty_path_with_options, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_drive_count_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_net_and_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console, setup, teardown),
		cmocka_unit_test_setup_teardown(test_emulate_soft_int, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gdb_addresses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gdb_wait_needs_gdb, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpuid_disable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_vsock, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
