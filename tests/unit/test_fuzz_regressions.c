/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The fuzz targets' inputs, replayed by the ordinary test suite (gcc, and under ASan + UBSan
 * with `make check-asan`), so a fixed fuzzer finding stays fixed without clang or libFuzzer:
 *
 *  - every seed (fuzz/corpus/<target>/) and every kept crash input (fuzz/regressions/
 *    <target>/) goes through the very harness libFuzzer runs (fuzz/fuzz_<target>.c, included
 *    below with its entry points renamed), oracles included: a harness aborts on a violation;
 *  - one hand-written case per finding in docs/fuzzing.md, against the monitor's API.
 *
 * Paths are relative to the repository root, where tests/run.sh runs the tests. The flame
 * tool's target (fuzz_tslog) is replayed by `make fuzz-regress`: the tool is not part of
 * libmillivm.a (its F2 case includes the one file it needs).
 */
#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

/* ------------------------------------------------------------ the harnesses, renamed */

#define LLVMFuzzerInitialize pvh_elf_init
#define LLVMFuzzerTestOneInput pvh_elf_one
#include "../../fuzz/fuzz_pvh_elf.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput

#define FUZZ_REPLAY_KEEP_STDOUT /* cmocka reports on stdout: --help may print there */
#define LLVMFuzzerInitialize options_init
#define LLVMFuzzerTestOneInput options_one
#include "../../fuzz/fuzz_options.c"
#undef LLVMFuzzerInitialize
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput guest_trace_one
#include "../../fuzz/fuzz_guest_trace.c"
#undef LLVMFuzzerTestOneInput
#include "../../tools/flame/tslog.c" /* the parser its round-trip oracle uses */
#include "../../tools/flame/svg_axis.c" /* F2 */

#define LLVMFuzzerTestOneInput virtqueue_one
#include "../../fuzz/fuzz_virtqueue.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput virtio_token_one
#include "../../fuzz/fuzz_virtio_token.c"
#undef LLVMFuzzerTestOneInput

#define LLVMFuzzerTestOneInput http_one
#include "../../fuzz/fuzz_http.c"
#undef LLVMFuzzerTestOneInput

/* ---------------------------------------------------------------------- the replayer */

typedef int (*one_input_fn)(const uint8_t *data, size_t size);

static uint8_t *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n == cap) {
			cap = cap ? 2 * cap : 4096;
			uint8_t *grown = realloc(buf, cap);
			if (!grown)
				break;
			buf = grown;
		}
		size_t got = fread(buf + n, 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	/* An exact-size copy, as libFuzzer passes inputs: reads past the end are ASan reports. */
	uint8_t *exact = malloc(n ? n : 1);
	if (exact && n)
		memcpy(exact, buf, n);
	free(buf);
	*size = n;
	return exact;
}

/* Run every regular file of dir through fn; returns how many, or -1 if dir is missing. */
static int replay_dir(const char *dir, one_input_fn fn)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int count = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		size_t size = 0;
		uint8_t *data = read_file(path, &size);
		assert_non_null(data);
		print_message("replay %s\n", path);
		fn(data, size); /* aborts on a finding */
		free(data);
		count++;
	}
	closedir(d);
	return count;
}

static void replay_target(const char *target, one_input_fn fn)
{
	char dir[256];
	snprintf(dir, sizeof(dir), "fuzz/corpus/%s", target);
	int seeds = replay_dir(dir, fn);
	snprintf(dir, sizeof(dir), "fuzz/regressions/%s", target);
	int kept = replay_dir(dir, fn);
	if (seeds < 0)
		skip(); /* not run from the repository root */
	assert_true(seeds > 0);
	(void)kept;
}

static void replay_pvh_elf(void **state)
{
	(void)state;
	pvh_elf_init(NULL, NULL);
	replay_target("pvh_elf", pvh_elf_one);
}

static void replay_options(void **state)
{
	(void)state;
	options_init(NULL, NULL);
	replay_target("options", options_one);
}

static void replay_guest_trace(void **state)
{
	(void)state;
	replay_target("guest_trace", guest_trace_one);
}

static void replay_virtqueue(void **state)
{
	(void)state;
	replay_target("virtqueue", virtqueue_one);
}

static void replay_virtio_token(void **state)
{
	(void)state;
	replay_target("virtio_token", virtio_token_one);
}

static void replay_http(void **state)
{
	(void)state;
	replay_target("http", http_one);
}

/* ------------------------------------------ findings (docs/fuzzing.md), one case each */

/*
 * F1 (fuzz_options): getopt_long keeps its position inside an option group ("-hk", "-ee")
 * between calls; options_parse() reset only optind = 1, so the next call went on from the
 * previous argv's leftover letters. Fixed with optind = 0 (glibc's full reset).
 */
static void f1_options_parse_twice_starts_afresh(void **state)
{
	(void)state;
	struct vm_config cfg;
	struct error err;
	char a0[] = "millivm", help_group[] = "-hk";
	char *first[] = { a0, help_group, NULL };
	assert_int_equal(options_parse(2, first, &cfg, &err), OPTIONS_EXIT);

	/* The first argv is still alive: a leftover "k" would take "512M" as the kernel. */
	char m[] = "-m", size[] = "512M", k[] = "-k", kernel[] = "vmlinux";
	char *second[] = { a0, m, size, k, kernel, NULL };
	assert_int_equal(options_parse(5, second, &cfg, &err), OPTIONS_RUN);
	assert_int_equal(cfg.mem_size, MiB(512));
	assert_string_equal(cfg.kernel_path, "vmlinux");

	/* An unknown letter inside a group: the same answer every time, naming the letter. */
	char bad_group[] = "-ee";
	char *third[] = { a0, bad_group, NULL };
	struct error err2;
	assert_int_equal(options_parse(2, third, &cfg, &err), OPTIONS_ERROR);
	assert_int_equal(options_parse(2, third, &cfg, &err2), OPTIONS_ERROR);
	assert_string_equal(err.msg, err2.msg);
	assert_non_null(strstr(err.msg, "-e"));
	assert_null(strstr(err.msg, "millivm"));
}

/*
 * F2 (fuzz_tslog): the flame tool hung drawing the time axis when the trace's length in
 * milliseconds overflowed to infinity (a TSC kHz as small as 5e-308, which --tsc-khz and the
 * timeline JSON accept): svg_axis_step()'s "while (decade * 10 <= raw)" never ends for an
 * infinite raw. Fixed by clamping raw to 1e300. A hang here is turned into a failure by the
 * alarm.
 */
static void f2_axis_of_an_infinite_trace_ends(void **state)
{
	(void)state;
	alarm(10);
	int decimals = -1;
	double step = svg_axis_step(INFINITY, &decimals);
	assert_true(step > 0 && isfinite(step));
	assert_true(decimals >= 0);
	step = svg_axis_step(1000.0 / 5e-308, &decimals); /* how the chart computes it */
	assert_true(step > 0 && isfinite(step));
	FILE *out = fopen("/dev/null", "w");
	assert_non_null(out);
	svg_axis_write(out, INFINITY, 10, 1190, 88, 500);
	svg_axis_write(out, 1e308, 10, 1190, 88, 500);
	fclose(out);
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replay_pvh_elf),
		cmocka_unit_test(replay_options),
		cmocka_unit_test(replay_guest_trace),
		cmocka_unit_test(replay_virtqueue),
		cmocka_unit_test(replay_virtio_token),
		cmocka_unit_test(replay_http),
		cmocka_unit_test(f1_options_parse_twice_starts_afresh),
		cmocka_unit_test(f2_axis_of_an_infinite_trace_ends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
