/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the monitor's command line (src/core/options.c) and the value parsers
 * behind it (parse_mem_size, parse_uint_range in src/core/parse.c, cpuid_parse_mask in
 * src/x86/cpuid.c).
 *
 * The input is split at NUL bytes into arguments (so an argument is any C string, as argv can
 * hold), each in its own exact-size heap buffer so ASan sees reads past a terminator, and
 * handed to options_parse() after "millivm". Every argument is also fed to the value parsers
 * on its own. On OPTIONS_RUN the config is checked against what options.c promises.
 * options_parse() runs twice per input, as a config reload or a unit test calling it again
 * would: getopt's hidden state must not leak from one call into the next.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/options.h"
#include "core/parse.h"
#include "core/vm_config.h"
#include "x86/cpuid.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 32

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
#ifndef FUZZ_REPLAY_KEEP_STDOUT
	/* --help and --version print to stdout; libFuzzer reports on stderr. */
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
#endif
	return 0;
}

static void check_string(const char *s)
{
	if (s && strlen(s) > 1u << 20) /* touches every byte: ASan checks the pointer is live */
		abort();
}

static void check_config(const struct vm_config *cfg)
{
	/* The Firecracker front end (--config-file, --api-sock, --no-api) names the kernel in
	 * JSON and checks those three together itself (src/api/frontend.c). */
	if (!cfg->kernel_path && !cfg->config_file && !cfg->api_sock && !cfg->no_api)
		abort();
	check_string(cfg->kernel_path);
	check_string(cfg->config_file);
	check_string(cfg->api_sock);
	check_string(cfg->initrd_path);
	check_string(cfg->timeline_json);
	check_string(cfg->trace_out);
	check_string(cfg->gdb_address);
	if (!cfg->cmdline || strlen(cfg->cmdline) + 1 > LAYOUT_CMDLINE_MAX)
		abort();
	if (cfg->mem_size < VM_MIN_MEM || cfg->mem_size > VM_MAX_MEM || (cfg->mem_size & 0xfff))
		abort();
	if (cfg->vcpus < 1 || cfg->vcpus > VM_MAX_VCPUS)
		abort();
	if (cfg->ndrives > VM_MAX_DRIVES || cfg->ncpuid_masks > CPUID_MAX_MASKS)
		abort();
	for (unsigned i = 0; i < cfg->ndrives; i++) {
		const struct drive_config *d = &cfg->drives[i];
		if (!d->path || !d->path[0] || strchr(d->path, ','))
			abort();
		if (d->serial && strlen(d->serial) > 20)
			abort();
	}
	for (unsigned i = 0; i < cfg->ncpuid_masks; i++) {
		const struct cpuid_bit *b = &cfg->cpuid_masks[i];
		if (b->bit > 31 || (unsigned)b->reg > CPUID_EDX)
			abort();
	}
	if (cfg->gdb_wait && !cfg->gdb_address)
		abort();
	if (cfg->console != CONSOLE_SERIAL && cfg->console != CONSOLE_VIRTIO &&
	    cfg->console != CONSOLE_NONE)
		abort();
}

static void parse_values(const char *arg)
{
	struct error err;
	uint64_t bytes;
	if (parse_mem_size(arg, &bytes, &err) == 0 && arg[0] == '\0')
		abort();
	unsigned long n;
	if (parse_uint_range(arg, 1, VM_MAX_VCPUS, &n, &err) == 0 && (n < 1 || n > VM_MAX_VCPUS))
		abort();
	struct cpuid_bit bit;
	if (cpuid_parse_mask(arg, &bit, &err) == 0 && (bit.bit > 31 || (unsigned)bit.reg > CPUID_EDX))
		abort();
}

/* argv from the input: "millivm", then the NUL-separated pieces (at most MAX_ARGS). */
static int split_args(const uint8_t *data, size_t size, char **argv)
{
	int argc = 0;
	argv[argc] = strdup("millivm");
	if (!argv[argc])
		abort();
	argc++;
	size_t start = 0;
	while (start < size && argc < MAX_ARGS + 1) {
		const uint8_t *nul = memchr(data + start, '\0', size - start);
		size_t len = nul ? (size_t)(nul - (data + start)) : size - start;
		char *a = malloc(len + 1);
		if (!a)
			abort();
		memcpy(a, data + start, len);
		a[len] = '\0';
		argv[argc++] = a;
		start += len + 1;
	}
	argv[argc] = NULL;
	return argc;
}

static void free_args(char **argv, int argc)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
}

/* What one options_parse() call decided, in words: two calls on one argv must agree. */
struct outcome {
	enum options_result result;
	char text[4096];
};

static void describe(const struct vm_config *cfg, enum options_result r, const struct error *err,
		     struct outcome *o)
{
	o->result = r;
	if (r == OPTIONS_ERROR) {
		snprintf(o->text, sizeof(o->text), "error: %s", err->msg);
		return;
	}
	if (r == OPTIONS_EXIT) {
		snprintf(o->text, sizeof(o->text), "exit");
		return;
	}
	int n = snprintf(o->text, sizeof(o->text),
			 "k=%s i=%s a=%.64s m=%llu c=%u rng=%d con=%d tl=%d tj=%s to=%s gdb=%s gw=%d st=%d"
			 " cf=%s as=%s na=%d",
			 cfg->kernel_path ? cfg->kernel_path : "-", cfg->initrd_path ? cfg->initrd_path : "-", cfg->cmdline,
			 (unsigned long long)cfg->mem_size, cfg->vcpus, cfg->rng, (int)cfg->console,
			 cfg->timeline, cfg->timeline_json ? cfg->timeline_json : "-",
			 cfg->trace_out ? cfg->trace_out : "-",
			 cfg->gdb_address ? cfg->gdb_address : "-", cfg->gdb_wait, cfg->sync_teardown,
			 cfg->config_file ? cfg->config_file : "-", cfg->api_sock ? cfg->api_sock : "-",
			 cfg->no_api);
	for (unsigned i = 0; i < cfg->ndrives && n > 0 && (size_t)n < sizeof(o->text); i++)
		n += snprintf(o->text + n, sizeof(o->text) - (size_t)n, " d=%s,%d,%s,%d",
			      cfg->drives[i].path, cfg->drives[i].read_only,
			      cfg->drives[i].serial ? cfg->drives[i].serial : "-",
			      (int)cfg->drives[i].engine);
	for (unsigned i = 0; i < cfg->ncpuid_masks && n > 0 && (size_t)n < sizeof(o->text); i++)
		n += snprintf(o->text + n, sizeof(o->text) - (size_t)n, " x=%x.%x:%d:%u",
			      cfg->cpuid_masks[i].leaf, cfg->cpuid_masks[i].subleaf,
			      (int)cfg->cpuid_masks[i].reg, cfg->cpuid_masks[i].bit);
}

struct args {
	int argc;
	char *owned[MAX_ARGS + 2]; /* getopt_long permutes argv: what to free */
};

static void run_once(const uint8_t *data, size_t size, bool values, struct args *a,
		     struct outcome *o)
{
	char *argv[MAX_ARGS + 2];
	a->argc = split_args(data, size, argv);
	memcpy(a->owned, argv, sizeof(argv));

	for (int i = 1; values && i < a->argc; i++)
		parse_values(a->owned[i]);

	static struct vm_config cfg;
	struct error err;
	err.msg[0] = '\0';
	enum options_result r = options_parse(a->argc, argv, &cfg, &err);
	if (r == OPTIONS_RUN)
		check_config(&cfg);
	else if (r == OPTIONS_ERROR && err.msg[0] == '\0')
		abort(); /* every error comes with a message */
	describe(&cfg, r, &err, o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct outcome first, second;
	static struct args a1, a2;
	run_once(data, size, true, &a1, &first);
	/* The first call's strings stay alive (and intact) during the second: a pointer getopt
	 * kept into them would be read silently, not caught as a use after free. */
	run_once(data, size, false, &a2, &second);
	if (first.result != second.result || strcmp(first.text, second.text) != 0)
		abort(); /* state left over from the previous call changed the outcome */
	free_args(a1.owned, a1.argc);
	free_args(a2.owned, a2.argc);
	return 0;
}
