/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <getopt.h>
#include <string.h>

#include "core/parse.h"
#include "core/version.h"

enum long_only_option {
	OPT_CPUID_DISABLE = 0x100,
	OPT_TIMELINE,
	OPT_TIMELINE_JSON,
	OPT_TRACE_OUT,
};

static const struct option long_options[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "memory", required_argument, NULL, 'm' },
	{ "append", required_argument, NULL, 'a' },
	{ "initrd", required_argument, NULL, 'i' },
	{ "cpus", required_argument, NULL, 'c' },
	{ "cpuid-disable", required_argument, NULL, OPT_CPUID_DISABLE },
	{ "timeline", no_argument, NULL, OPT_TIMELINE },
	{ "timeline-json", required_argument, NULL, OPT_TIMELINE_JSON },
	{ "trace-out", required_argument, NULL, OPT_TRACE_OUT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fprintf(out,
		"usage: millivm -k KERNEL [options]\n"
		"Boot a PVH ELF kernel in a KVM microVM. The guest's exit status (debug-exit port\n"
		"0xf4) becomes millivm's.\n"
		"\n"
		"  -k, --kernel FILE        PVH ELF kernel (ELF32 or ELF64 with a Xen PHYS32_ENTRY note)\n"
		"  -m, --memory SIZE        guest RAM, e.g. 256M, 4G; a bare number is MiB (default 256M)\n"
		"  -a, --append CMDLINE     kernel command line (at most %llu bytes)\n"
		"  -i, --initrd FILE        initial ramdisk, handed over as PVH module 0\n"
		"  -c, --cpus N             number of vCPUs, 1-%d (default 1)\n"
		"      --cpuid-disable LIST hide CPU features from the guest: comma-separated names\n"
		"                           or LEAF[.SUBLEAF]:REG:BIT (e.g. xsave,smap,0x7.0:ebx:20);\n"
		"                           names: %s\n"
		"      --timeline           print the boot timeline on stderr at exit\n"
		"      --timeline-json FILE write the boot timeline as JSON\n"
		"      --trace-out FILE     write the guest's boot trace in tslog text format\n"
		"  -h, --help               this text\n"
		"  -V, --version            version\n"
		"\n"
		"Exit status: the guest's debug-exit value; 0 after a guest reset or power-off;\n"
		"1 for bad input or a monitor error; %d when the VM crashed (KVM failure, triple\n"
		"fault), with a register dump on stderr.\n",
		LAYOUT_CMDLINE_MAX - 1, VM_MAX_VCPUS, cpuid_feature_names(), MILLIVM_EXIT_CRASH);
}

static int add_cpuid_masks(struct vm_config *cfg, const char *list, struct error *err)
{
	char buf[1024];
	if (strlen(list) >= sizeof(buf))
		return error_set(err, "--cpuid-disable: list too long");
	strcpy(buf, list);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (cfg->ncpuid_masks >= CPUID_MAX_MASKS)
			return error_set(err, "--cpuid-disable: more than %d features",
					 CPUID_MAX_MASKS);
		if (cpuid_parse_mask(tok, &cfg->cpuid_masks[cfg->ncpuid_masks], err) < 0)
			return error_prefix(err, "--cpuid-disable");
		cfg->ncpuid_masks++;
	}
	return 0;
}

static int apply_option(struct vm_config *cfg, int opt, const char *arg, struct error *err)
{
	unsigned long n;
	switch (opt) {
	case 'k':
		cfg->kernel_path = arg;
		return 0;
	case 'i':
		cfg->initrd_path = arg;
		return 0;
	case 'a':
		if (strlen(arg) + 1 > LAYOUT_CMDLINE_MAX)
			return error_set(err, "--append: command line is %zu bytes, limit %llu",
					 strlen(arg), LAYOUT_CMDLINE_MAX - 1);
		cfg->cmdline = arg;
		return 0;
	case 'm':
		if (parse_mem_size(arg, &cfg->mem_size, err) < 0)
			return error_prefix(err, "--memory");
		if (cfg->mem_size < VM_MIN_MEM || cfg->mem_size > VM_MAX_MEM)
			return error_set(err, "--memory %s: must be between %llu MiB and %llu GiB",
					 arg, VM_MIN_MEM >> 20, VM_MAX_MEM >> 30);
		if (cfg->mem_size & 0xfff)
			return error_set(err, "--memory %s: not a multiple of 4 KiB", arg);
		return 0;
	case 'c':
		if (parse_uint_range(arg, 1, VM_MAX_VCPUS, &n, err) < 0)
			return error_prefix(err, "--cpus");
		cfg->vcpus = (unsigned)n;
		return 0;
	case OPT_CPUID_DISABLE:
		return add_cpuid_masks(cfg, arg, err);
	case OPT_TIMELINE:
		cfg->timeline = true;
		return 0;
	case OPT_TIMELINE_JSON:
		cfg->timeline_json = arg;
		return 0;
	case OPT_TRACE_OUT:
		cfg->trace_out = arg;
		return 0;
	}
	return error_set(err, "internal error: unhandled option %d", opt);
}

enum options_result options_parse(int argc, char **argv, struct vm_config *cfg,
				  struct error *err)
{
	vm_config_defaults(cfg);
	opterr = 0; /* we word the errors ourselves, one line each */
	optind = 1;
	int opt;
	while ((opt = getopt_long(argc, argv, ":k:m:a:i:c:hV", long_options, NULL)) != -1) {
		switch (opt) {
		case 'h':
			options_usage(stdout);
			return OPTIONS_EXIT;
		case 'V':
			printf("millivm %s\n", MILLIVM_VERSION);
			return OPTIONS_EXIT;
		case ':':
			error_set(err, "option '%s' needs a value (see --help)", argv[optind - 1]);
			return OPTIONS_ERROR;
		case '?':
			error_set(err, "unknown option '%s' (see --help)", argv[optind - 1]);
			return OPTIONS_ERROR;
		default:
			if (apply_option(cfg, opt, optarg, err) < 0)
				return OPTIONS_ERROR;
		}
	}
	if (optind < argc) {
		error_set(err, "unexpected argument '%s' (see --help)", argv[optind]);
		return OPTIONS_ERROR;
	}
	if (!cfg->kernel_path) {
		error_set(err, "no kernel given: use -k KERNEL (see --help)");
		return OPTIONS_ERROR;
	}
	return OPTIONS_RUN;
}

void vm_config_defaults(struct vm_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mem_size = VM_DEFAULT_MEM;
	cfg->vcpus = 1;
	cfg->cmdline = "";
}
