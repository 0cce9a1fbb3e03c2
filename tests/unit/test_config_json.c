/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's JSON onto the VM description: the fixture documents, each section's keys,
 * types and ranges, the refusals (one line naming the key), the all-or-nothing updates of
 * the API, the vm_config that comes out (root drive first, root= on the command line), the
 * export of GET /vm/config (which must itself be a valid config file), and the file checks.
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
#include "api/config_json.h"
#include "api/fc_config.h"
#include "millivm/layout.h"

#define FIXTURES "tests/fixtures/api/"

/* A fixture with its placeholders replaced by fixed fake paths. */
static char *load_fixture(const char *name)
{
	char path[256];
	snprintf(path, sizeof(path), FIXTURES "%s", name);
	FILE *f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	static char raw[8192];
	size_t n = fread(raw, 1, sizeof(raw) - 1, f);
	fclose(f);
	raw[n] = '\0';
	static const char *const from[] = { "@KERNEL@", "@DISK1@", "@DISK2@", "@LOG@", "@METRICS@" };
	static const char *const to[] = { "/k/vmlinux", "/d/root.img", "/d/data.img", "/l/log",
					  "/l/metrics" };
	char *out = calloc(1, sizeof(raw) * 2);
	assert_non_null(out);
	size_t len = 0;
	for (const char *p = raw; *p;) {
		bool replaced = false;
		for (size_t i = 0; i < sizeof(from) / sizeof(from[0]) && !replaced; i++)
			if (strncmp(p, from[i], strlen(from[i])) == 0) {
				memcpy(out + len, to[i], strlen(to[i]));
				len += strlen(to[i]);
				p += strlen(from[i]);
				replaced = true;
			}
		if (!replaced)
			out[len++] = *p++;
	}
	return out;
}

/* Parse a document; returns 0 or -1 with err set. fc is initialised here. */
static int document(const char *text, struct fc_config *fc, struct error *err)
{
	fc_config_init(fc);
	json_t *doc = config_json_parse_text(text, strlen(text), "JSON", err);
	if (!doc)
		return -1;
	int rc = config_json_document(doc, fc, false, err);
	json_decref(doc);
	return rc;
}

static void expect_document_error(const char *text, const char *words)
{
	struct fc_config fc;
	struct error err = { "" };
	if (document(text, &fc, &err) == 0)
		fail_msg("accepted: %s", text);
	assert_msg_contains(err.msg, words);
	assert_null(strchr(err.msg, '\n'));
	fc_config_free(&fc);
}

static void test_full_fixture(void **state)
{
	(void)state;
	char *text = load_fixture("vm-full.json");
	struct fc_config fc;
	struct error err = { "" };
	if (document(text, &fc, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(fc.have_boot_source);
	assert_string_equal(fc.kernel, "/k/vmlinux");
	assert_null(fc.initrd);
	assert_string_equal(fc.boot_args, "quiet expect_mem=128M");
	assert_int_equal(fc.vcpus, 2);
	assert_int_equal(fc.mem_mib, 128);
	assert_int_equal(fc.ndrives, 2);
	assert_string_equal(fc.drives[0].id, "data");
	assert_true(fc.drives[0].read_only);
	assert_true(fc.drives[0].writeback);
	assert_int_equal(fc.drives[0].engine, DRIVE_ENGINE_SYNC);
	assert_string_equal(fc.drives[1].id, "rootfs");
	assert_true(fc.drives[1].is_root);
	assert_int_equal(fc.drives[1].engine, DRIVE_ENGINE_DEFAULT);
	assert_true(fc.entropy);
	assert_true(fc.logger.set);
	assert_int_equal(fc.logger.level, LOG_DEBUG);
	assert_true(fc.logger.show_level && fc.logger.show_origin);
	assert_string_equal(fc.metrics_path, "/l/metrics");
	fc_config_free(&fc);
	free(text);
}

static void test_minimal_fixture_defaults(void **state)
{
	(void)state;
	char *text = load_fixture("vm-minimal.json");
	struct fc_config fc;
	struct error err = { "" };
	assert_int_equal(document(text, &fc, &err), 0);
	assert_int_equal(fc.vcpus, FC_DEFAULT_VCPUS);
	assert_int_equal(fc.mem_mib, FC_DEFAULT_MEM_MIB);
	assert_int_equal(fc.ndrives, 0);
	assert_false(fc.entropy);
	assert_false(fc.logger.set);
	assert_null(fc.metrics_path);
	fc_config_free(&fc);
	free(text);
}

static void test_bad_fixtures(void **state)
{
	(void)state;
	static const struct {
		const char *file, *words;
	} cases[] = {
		{ "bad-unknown-section.json", "unknown section 'mmds'" },
		{ "bad-unknown-key.json", "machine-config: unknown key 'vcpus'" },
		{ "bad-wrong-type.json", "'mem_size_mib' must be an integer, not a string" },
		{ "bad-network.json", "network-interfaces[0]: 'rx_rate_limiter' is not supported" },
		{ "bad-two-roots.json", "drive 'a' is already the root device" },
		{ "bad-syntax.json", "invalid JSON at line 4" },
		{ "bad-duplicate-key.json", "duplicate object key" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *text = load_fixture(cases[i].file);
		expect_document_error(text, cases[i].words);
		free(text);
	}
}

static void test_document_shape(void **state)
{
	(void)state;
	expect_document_error("[]", "must be a JSON object");
	expect_document_error("{} {}", "invalid JSON");
	expect_document_error("{\"boot-source\": {\"kernel_image_path\": \"/k\"}} x", "invalid JSON");
	expect_document_error("{\"drives\": {}}", "drives: must be an array");
	expect_document_error("{\"boot-source\": []}", "boot-source: must be an object");
	expect_document_error("{\"vsock\": {\"guest_cid\": 2, \"uds_path\": \"/v\"}}",
			      "guest_cid");
	expect_document_error("{\"vsock\": {\"guest_cid\": 3}}",
			      "vsock: missing required key 'uds_path'");
	expect_document_error("{\"vsock\": {\"guest_cid\": 3, \"uds_path\": \"\"}}",
			      "'uds_path' is empty");
	expect_document_error("{\"balloon\": {\"amount_mib\": 0, \"deflate_on_oom\": false}}",
			      "section 'balloon'");
	expect_document_error("{\"logger\": {\"level\": \"Info\"}}", "logger: missing required key 'log_path'");
	expect_document_error("{\"metrics\": {}}", "metrics: missing required key 'metrics_path'");
	expect_document_error("{\"entropy\": {\"rate_limiter\": {\"bandwidth\": {}}}}",
			      "'rate_limiter' is not supported");
	/* Absent, null and empty forms of the unsupported sections are fine. */
	struct fc_config fc;
	struct error err = { "" };
	assert_int_equal(document("{\"vsock\": null, \"network-interfaces\": [], \"balloon\": null, "
				  "\"mmds-config\": null, \"entropy\": null, \"drives\": null}",
				  &fc, &err), 0);
	assert_false(fc.entropy);
	assert_false(fc.vsock);
	fc_config_free(&fc);
	assert_int_equal(document("{\"vsock\": {\"guest_cid\": 9, \"uds_path\": \"/v.sock\", "
				  "\"vsock_id\": \"v0\"}}", &fc, &err), 0);
	assert_true(fc.vsock);
	assert_int_equal(fc.vsock_cid, 9);
	assert_string_equal(fc.vsock_uds, "/v.sock");
	assert_string_equal(fc.vsock_id, "v0");
	fc_config_free(&fc);
}

static void test_boot_source(void **state)
{
	(void)state;
	expect_document_error("{\"boot-source\": {}}", "missing required key 'kernel_image_path'");
	expect_document_error("{\"boot-source\": {\"kernel_image_path\": 5}}",
			      "'kernel_image_path' must be a string, not an integer");
	expect_document_error("{\"boot-source\": {\"kernel_image_path\": \"\"}}", "is empty");
	expect_document_error("{\"boot-source\": {\"kernel_image_path\": \"/k\", \"cmdline\": \"x\"}}",
			      "boot-source: unknown key 'cmdline'");
	char *big = malloc(LAYOUT_CMDLINE_MAX + 100);
	assert_non_null(big);
	int n = sprintf(big, "{\"boot-source\": {\"kernel_image_path\": \"/k\", \"boot_args\": \"");
	memset(big + n, 'a', LAYOUT_CMDLINE_MAX);
	strcpy(big + n + LAYOUT_CMDLINE_MAX, "\"}}");
	expect_document_error(big, "'boot_args' is 2048 bytes");
	free(big);
}

static void test_machine_config(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "{\"vcpu_count\": 0, \"mem_size_mib\": 128}", "'vcpu_count' is 0, must be between 1" },
		{ "{\"vcpu_count\": 255, \"mem_size_mib\": 128}", "'vcpu_count' is 255" },
		{ "{\"vcpu_count\": -1, \"mem_size_mib\": 128}", "'vcpu_count' is -1" },
		{ "{\"vcpu_count\": 1, \"mem_size_mib\": 1}", "'mem_size_mib' is 1" },
		{ "{\"vcpu_count\": 1, \"mem_size_mib\": 128.5}", "a number with a fraction" },
		{ "{\"vcpu_count\": 1}", "missing required key 'mem_size_mib'" },
		{ "{\"vcpu_count\": true, \"mem_size_mib\": 128}", "must be an integer, not a boolean" },
		{ "{\"vcpu_count\": 2, \"mem_size_mib\": 128, \"smt\": true}", "'smt' true" },
		{ "{\"vcpu_count\": 2, \"mem_size_mib\": 128, \"smt\": 1}", "'smt' must be true or false" },
		{ "{\"vcpu_count\": 1, \"mem_size_mib\": 128, \"track_dirty_pages\": true}", "snapshots" },
		{ "{\"vcpu_count\": 1, \"mem_size_mib\": 128, \"cpu_template\": \"T2\"}",
		  "'cpu_template' is \"T2\", must be one of None" },
		{ "{\"vcpu_count\": 1, \"mem_size_mib\": 128, \"huge_pages\": \"2M\"}", "'huge_pages'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[256];
		snprintf(doc, sizeof(doc), "{\"machine-config\": %s}", cases[i][0]);
		expect_document_error(doc, cases[i][1]);
	}
}

static json_t *body(const char *text)
{
	json_error_t e;
	json_t *v = json_loads(text, 0, &e);
	if (!v)
		fail_msg("bad test JSON %s: %s", text, e.text);
	return v;
}

static void test_put_and_patch_machine_config(void **state)
{
	(void)state;
	struct fc_config fc;
	struct error err;
	fc_config_init(&fc);
	json_t *b = body("{\"vcpu_count\": 4, \"mem_size_mib\": 512}");
	assert_int_equal(config_json_machine_config(b, false, &fc, &err), 0);
	json_decref(b);
	assert_int_equal(fc.vcpus, 4);
	/* PATCH changes only what it names. */
	b = body("{\"mem_size_mib\": 256}");
	assert_int_equal(config_json_machine_config(b, true, &fc, &err), 0);
	json_decref(b);
	assert_int_equal(fc.vcpus, 4);
	assert_int_equal(fc.mem_mib, 256);
	/* PUT needs both required keys; a failed update changes nothing. */
	b = body("{\"vcpu_count\": 2}");
	assert_int_equal(config_json_machine_config(b, false, &fc, &err), -1);
	json_decref(b);
	b = body("{\"vcpu_count\": 2, \"mem_size_mib\": 128, \"smt\": true}");
	assert_int_equal(config_json_machine_config(b, false, &fc, &err), -1);
	json_decref(b);
	assert_int_equal(fc.vcpus, 4);
	assert_int_equal(fc.mem_mib, 256);
	json_t *exp = config_json_machine_export(&fc);
	char *s = json_dumps(exp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(s, "{\"vcpu_count\":4,\"mem_size_mib\":256,\"smt\":false,"
			       "\"track_dirty_pages\":false,\"huge_pages\":\"None\"}");
	free(s);
	json_decref(exp);
	fc_config_free(&fc);
}

static void test_drives(void **state)
{
	(void)state;
	const char *cases[][2] = {
		{ "{\"path_on_host\": \"/d\", \"is_root_device\": true}", "missing required key 'drive_id'" },
		{ "{\"drive_id\": \"r\", \"is_root_device\": true}", "missing required key 'path_on_host'" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\"}", "missing required key 'is_root_device'" },
		{ "{\"drive_id\": \"r-1\", \"path_on_host\": \"/d\", \"is_root_device\": true}",
		  "'drive_id' \"r-1\" must be 1-64 letters" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, "
		  "\"cache_type\": \"None\"}", "must be one of Unsafe, Writeback" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, "
		  "\"io_engine\": \"Uring\"}", "must be one of Sync, Async" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, "
		  "\"rate_limiter\": {\"ops\": {\"size\": 1, \"refill_time\": 1}}}",
		  "'rate_limiter' is not supported" },
		{ "{\"drive_id\": \"r\", \"socket\": \"/s\", \"is_root_device\": true}",
		  "'socket' is not supported by millivm (vhost-user-block)" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, "
		  "\"partuuid\": \"zz\"}", "'partuuid' must be hex digits" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, "
		  "\"is_read_only\": \"yes\"}", "'is_read_only' must be true or false" },
		{ "{\"drive_id\": \"r\", \"path_on_host\": \"/d\", \"is_root_device\": true, \"x\": 1}",
		  "unknown key 'x'" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char doc[512];
		snprintf(doc, sizeof(doc), "{\"drives\": [%s]}", cases[i][0]);
		expect_document_error(doc, cases[i][1]);
	}
	expect_document_error("{\"drives\": [{\"drive_id\": \"a\", \"path_on_host\": \"/d\", "
			      "\"is_root_device\": false}, {\"drive_id\": \"a\", \"path_on_host\": "
			      "\"/e\", \"is_root_device\": false}]}",
			      "drive_id \"a\" appears twice");
	char doc[4096] = "{\"drives\": [";
	for (int i = 0; i <= VM_MAX_DRIVES; i++)
		snprintf(doc + strlen(doc), sizeof(doc) - strlen(doc),
			 "%s{\"drive_id\": \"d%d\", \"path_on_host\": \"/d\", \"is_root_device\": false}",
			 i ? ", " : "", i);
	strcat(doc, "]}");
	expect_document_error(doc, "at most 8 drives");
}

static void test_put_drive_api(void **state)
{
	(void)state;
	struct fc_config fc;
	struct error err = { "" };
	fc_config_init(&fc);
	json_t *b = body("{\"drive_id\": \"rootfs\", \"path_on_host\": \"/a\", \"is_root_device\": true,"
			 " \"is_read_only\": false}");
	assert_int_equal(config_json_drive(b, "rootfs", "drive", &fc, false, &err), 0);
	assert_int_equal(config_json_drive(b, "other", "drive", &fc, false, &err), -1);
	assert_msg_contains(err.msg, "differs from the path's (\"other\")");
	json_decref(b);
	/* Updating the same id replaces it, and may keep it the root device. */
	b = body("{\"drive_id\": \"rootfs\", \"path_on_host\": \"/b\", \"is_root_device\": true}");
	assert_int_equal(config_json_drive(b, "rootfs", "drive", &fc, false, &err), 0);
	json_decref(b);
	assert_int_equal(fc.ndrives, 1);
	assert_string_equal(fc.drives[0].path, "/b");
	/* A second root is refused and leaves everything as it was. */
	b = body("{\"drive_id\": \"two\", \"path_on_host\": \"/c\", \"is_root_device\": true}");
	assert_int_equal(config_json_drive(b, "two", "drive", &fc, false, &err), -1);
	json_decref(b);
	assert_msg_contains(err.msg, "already the root device");
	assert_int_equal(fc.ndrives, 1);
	/* With the file check, a missing file is refused at PUT time. */
	b = body("{\"drive_id\": \"two\", \"path_on_host\": \"/nonexistent/x.img\", "
		 "\"is_root_device\": false}");
	assert_int_equal(config_json_drive(b, "two", "drive", &fc, true, &err), -1);
	json_decref(b);
	assert_msg_contains(err.msg, "'/nonexistent/x.img' cannot be opened read-write");
	assert_int_equal(fc.ndrives, 1);
	fc_config_free(&fc);
}

static void test_drive_patch(void **state)
{
	(void)state;
	struct error err = { "" };
	const char *path;
	json_t *b = body("{\"drive_id\": \"rootfs\"}");
	assert_int_equal(config_json_drive_patch(b, "rootfs", &path, &err), 0);
	assert_null(path);
	json_decref(b);
	b = body("{\"drive_id\": \"rootfs\", \"path_on_host\": \"/n\"}");
	assert_int_equal(config_json_drive_patch(b, "rootfs", &path, &err), 0);
	assert_string_equal(path, "/n");
	assert_int_equal(config_json_drive_patch(b, "x", &path, &err), -1);
	json_decref(b);
	b = body("{\"drive_id\": \"rootfs\", \"is_read_only\": true}");
	assert_int_equal(config_json_drive_patch(b, "rootfs", &path, &err), -1);
	assert_msg_contains(err.msg, "unknown key 'is_read_only'");
	json_decref(b);
}

static void test_to_vm(void **state)
{
	(void)state;
	char *text = load_fixture("vm-full.json");
	struct fc_config fc;
	struct error err = { "" };
	assert_int_equal(document(text, &fc, &err), 0);
	free(text);
	struct vm_config base, out;
	vm_config_defaults(&base);
	base.timeline = true;
	base.timeline_json = "/t.json";
	char cmdline[LAYOUT_CMDLINE_MAX];
	assert_int_equal(fc_config_to_vm(&fc, &base, &out, cmdline, sizeof(cmdline), &err), 0);
	assert_string_equal(out.kernel_path, "/k/vmlinux");
	assert_null(out.initrd_path);
	assert_string_equal(out.cmdline, "quiet expect_mem=128M root=/dev/vda rw");
	assert_int_equal(out.mem_size, 128ull << 20);
	assert_int_equal(out.vcpus, 2);
	assert_true(out.rng);
	assert_true(out.timeline);
	assert_string_equal(out.timeline_json, "/t.json");
	assert_int_equal(out.ndrives, 2);
	assert_string_equal(out.drives[0].path, "/d/root.img"); /* the root drive is vda */
	assert_false(out.drives[0].read_only);
	assert_string_equal(out.drives[0].serial, "rootfs");
	assert_string_equal(out.drives[1].path, "/d/data.img");
	assert_true(out.drives[1].read_only);
	assert_int_equal(out.drives[1].engine, DRIVE_ENGINE_SYNC);

	/* PARTUUID and a read-only root; Firecracker's default command line. */
	json_t *b = body("{\"drive_id\": \"rootfs\", \"path_on_host\": \"/d/root.img\", "
			 "\"is_root_device\": true, \"is_read_only\": true, \"partuuid\": "
			 "\"0eaa91a0-01\"}");
	assert_int_equal(config_json_drive(b, "rootfs", "drive", &fc, false, &err), 0);
	json_decref(b);
	free(fc.boot_args);
	fc.boot_args = NULL;
	assert_int_equal(fc_config_to_vm(&fc, &base, &out, cmdline, sizeof(cmdline), &err), 0);
	assert_string_equal(out.cmdline, FC_DEFAULT_BOOT_ARGS " root=PARTUUID=0eaa91a0-01 ro");

	/* The root= words must still fit. */
	fc.boot_args = malloc(LAYOUT_CMDLINE_MAX);
	memset(fc.boot_args, 'a', LAYOUT_CMDLINE_MAX - 10);
	fc.boot_args[LAYOUT_CMDLINE_MAX - 10] = '\0';
	assert_int_equal(fc_config_to_vm(&fc, &base, &out, cmdline, sizeof(cmdline), &err), -1);
	assert_msg_contains(err.msg, "root device");
	fc_config_free(&fc);

	fc_config_init(&fc);
	assert_int_equal(fc_config_to_vm(&fc, &base, &out, cmdline, sizeof(cmdline), &err), -1);
	assert_msg_contains(err.msg, "no boot source");
}

static void test_export_is_a_config_file(void **state)
{
	(void)state;
	char *text = load_fixture("vm-full.json");
	struct fc_config fc, again;
	struct error err = { "" };
	assert_int_equal(document(text, &fc, &err), 0);
	free(text);
	json_t *exp = config_json_vm_export(&fc);
	char *s = json_dumps(exp, JSON_COMPACT);
	json_decref(exp);
	if (document(s, &again, &err) < 0)
		fail_msg("GET /vm/config output is not a valid config file: %s\n%s", err.msg, s);
	assert_string_equal(again.kernel, fc.kernel);
	assert_string_equal(again.boot_args, fc.boot_args);
	assert_int_equal(again.vcpus, fc.vcpus);
	assert_int_equal(again.mem_mib, fc.mem_mib);
	assert_int_equal(again.ndrives, fc.ndrives);
	for (unsigned i = 0; i < fc.ndrives; i++) {
		assert_string_equal(again.drives[i].id, fc.drives[i].id);
		assert_string_equal(again.drives[i].path, fc.drives[i].path);
		assert_int_equal(again.drives[i].is_root, fc.drives[i].is_root);
		assert_int_equal(again.drives[i].read_only, fc.drives[i].read_only);
		assert_int_equal(again.drives[i].writeback, fc.drives[i].writeback);
	}
	assert_int_equal(again.entropy, fc.entropy);
	assert_int_equal(again.logger.level, fc.logger.level);
	assert_string_equal(again.metrics_path, fc.metrics_path);
	free(s);
	fc_config_free(&fc);
	fc_config_free(&again);
}

static void test_logger_and_metrics(void **state)
{
	(void)state;
	struct fc_logger l = { 0 };
	struct error err = { "" };
	json_t *b = body("{\"log_path\": \"/l\", \"level\": \"warning\"}");
	assert_int_equal(config_json_logger(b, &l, &err), 0);
	json_decref(b);
	assert_int_equal(l.level, LOG_WARNING);
	assert_false(l.show_level);
	b = body("{\"log_path\": \"/l\", \"level\": \"Loud\"}");
	assert_int_equal(config_json_logger(b, &l, &err), -1);
	json_decref(b);
	assert_msg_contains(err.msg, "'level' is \"Loud\"");
	assert_int_equal(l.level, LOG_WARNING); /* unchanged */
	free(l.path);
	free(l.module);
	enum log_level level;
	assert_int_equal(log_level_parse("TRACE", &level), 0);
	assert_int_equal(level, LOG_TRACE);
	assert_string_equal(log_level_name(LOG_ERROR), "Error");
	char *path = NULL;
	b = body("{\"metrics_path\": 3}");
	assert_int_equal(config_json_metrics(b, &path, &err), -1);
	json_decref(b);
	assert_null(path);
}

static void test_file_checks(void **state)
{
	(void)state;
	char doc[256];
	snprintf(doc, sizeof(doc), "{\"boot-source\": {\"kernel_image_path\": \"/nonexistent/k\"}}");
	struct fc_config fc;
	struct error err = { "" };
	fc_config_init(&fc);
	json_t *d = body(doc);
	assert_int_equal(config_json_document(d, &fc, true, &err), -1);
	assert_msg_contains(err.msg, "kernel_image_path '/nonexistent/k' cannot be opened");
	json_decref(d);
	fc_config_free(&fc);
	/* A readable file passes; so does the fixture once its paths exist. */
	d = body("{\"boot-source\": {\"kernel_image_path\": \"/dev/null\", \"initrd_path\": "
		 "\"/nonexistent/i\"}}");
	assert_int_equal(config_json_document(d, &fc, true, &err), -1);
	assert_msg_contains(err.msg, "initrd_path '/nonexistent/i'");
	json_decref(d);
	fc_config_free(&fc);
	assert_int_equal(config_json_load_file("/nonexistent/vm.json", &fc, &err), -1);
	assert_msg_contains(err.msg, "--config-file /nonexistent/vm.json");
	fc_config_free(&fc);
}

static void test_ids(void **state)
{
	(void)state;
	assert_true(config_json_valid_id("rootfs"));
	assert_true(config_json_valid_id("Disk_2"));
	assert_false(config_json_valid_id(""));
	assert_false(config_json_valid_id("a/b"));
	assert_false(config_json_valid_id("a b"));
	char long_id[FC_ID_MAX + 2];
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[FC_ID_MAX + 1] = '\0';
	assert_false(config_json_valid_id(long_id));
	long_id[FC_ID_MAX] = '\0';
	assert_true(config_json_valid_id(long_id));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_fixture),
		cmocka_unit_test(test_minimal_fixture_defaults),
		cmocka_unit_test(test_bad_fixtures),
		cmocka_unit_test(test_document_shape),
		cmocka_unit_test(test_boot_source),
		cmocka_unit_test(test_machine_config),
		cmocka_unit_test(test_put_and_patch_machine_config),
		cmocka_unit_test(test_drives),
		cmocka_unit_test(test_put_drive_api),
		cmocka_unit_test(test_drive_patch),
		cmocka_unit_test(test_to_vm),
		cmocka_unit_test(test_export_is_a_config_file),
		cmocka_unit_test(test_logger_and_metrics),
		cmocka_unit_test(test_file_checks),
		cmocka_unit_test(test_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
