/* SPDX-License-Identifier: BSD-2-Clause */
#include "options.h"

#include <ctype.h>
#include <getopt.h>
#include <string.h>

#include "core/net_options.h"
#include "core/parse.h"
#include "core/version.h"

enum long_only_option {
	OPT_CPUID_DISABLE = 0x100,
	OPT_TIMELINE,
	OPT_TIMELINE_JSON,
	OPT_TRACE_OUT,
	OPT_RNG,
	OPT_CONSOLE,
	OPT_ACPI,
	OPT_ACPI_DUMP,
	OPT_GDB,
	OPT_GDB_WAIT,
	OPT_SYNC_TEARDOWN,
	OPT_NO_SECCOMP,
	OPT_SECCOMP_LOG,
	OPT_UID,
	OPT_GID,
	OPT_CHROOT,
	OPT_CONFIG_FILE,
	OPT_API_SOCK,
	OPT_NO_API,
	OPT_EMULATE_SOFT_INT,
	OPT_NO_EMULATE_SOFT_INT,
	OPT_NET,
	OPT_ID,
	OPT_VSOCK,
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
	{ "drive", required_argument, NULL, 'd' },
	{ "rng", no_argument, NULL, OPT_RNG },
	{ "net", required_argument, NULL, OPT_NET },
	{ "id", required_argument, NULL, OPT_ID },
	{ "vsock", required_argument, NULL, OPT_VSOCK },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "acpi", no_argument, NULL, OPT_ACPI },
	{ "acpi-dump", required_argument, NULL, OPT_ACPI_DUMP }, /* debugging: not in --help */
	{ "gdb", required_argument, NULL, OPT_GDB },
	{ "gdb-wait", no_argument, NULL, OPT_GDB_WAIT },
	{ "sync-teardown", no_argument, NULL, OPT_SYNC_TEARDOWN },
	{ "no-seccomp", no_argument, NULL, OPT_NO_SECCOMP },
	{ "seccomp-log", no_argument, NULL, OPT_SECCOMP_LOG },
	{ "uid", required_argument, NULL, OPT_UID },
	{ "gid", required_argument, NULL, OPT_GID },
	{ "chroot", required_argument, NULL, OPT_CHROOT },
	{ "config-file", required_argument, NULL, OPT_CONFIG_FILE },
	{ "api-sock", required_argument, NULL, OPT_API_SOCK },
	{ "no-api", no_argument, NULL, OPT_NO_API },
	{ "emulate-soft-int", no_argument, NULL, OPT_EMULATE_SOFT_INT },
	{ "no-emulate-soft-int", no_argument, NULL, OPT_NO_EMULATE_SOFT_INT },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

void options_usage(FILE *out)
{
	fprintf(out,
		"usage: millivm -k KERNEL [options]\n"
		"Boot a PVH ELF kernel or a Linux bzImage in a KVM microVM. The guest's exit status\n"
		"(debug-exit port 0xf4) becomes millivm's.\n"
		"\n"
		"  -k, --kernel FILE        PVH ELF kernel (ELF32 or ELF64 with a Xen PHYS32_ENTRY note)\n"
		"                           or Linux bzImage (64-bit boot protocol 2.12 or later)\n"
		"  -m, --memory SIZE        guest RAM, e.g. 256M, 4G; a bare number is MiB (default 256M)\n"
		"  -a, --append CMDLINE     kernel command line (at most %llu bytes)\n"
		"  -i, --initrd FILE        initial ramdisk, handed over as PVH module 0\n"
		"  -c, --cpus N             number of vCPUs, 1-%d (default 1)\n"
		"  -d, --drive FILE[,ro][,serial=ID][,engine=sync|uring]\n"
		"                           virtio-blk disk on a raw image (repeatable, up to %d)\n"
		"      --rng                virtio-rng entropy device (host getrandom)\n"
		"      --net tap=NAME[,mac=XX:XX:XX:XX:XX:XX]\n"
		"                           virtio-net on an existing tap device (repeatable, up to\n"
		"                           %d); without mac=, a locally administered MAC derived\n"
		"                           from --id and the interface's index (or the tap name)\n"
		"      --net user[,OPTIONS] virtio-net on user-mode networking (libslirp): mac= as for\n"
		"                           tap, and QEMU's -netdev user options: hostfwd=tcp|udp:\n"
		"                           [ADDR]:PORT-[ADDR]:PORT (repeatable), net=, host=, dns=,\n"
		"                           dhcpstart=, restrict=on|off (docs/net-user.md)\n"
		"      --id NAME            the VM's id (Firecracker's --id): generated MACs follow it\n"
		"      --vsock cid=N,uds=PATH\n"
		"                           virtio-vsock with Firecracker's hybrid sockets: the host\n"
		"                           connects to PATH and sends \"CONNECT <port>\\n\"; guest\n"
		"                           connections to host port P reach PATH_P (N: 3..2^32-2)\n"
		"      --console serial|virtio|none\n"
		"                           where stdin/stdout go: COM1 (default) or virtio-console\n"
		"                           (guest: console=hvc0 or console=viocon; COM1 output is\n"
		"                           then discarded, as with kvmtool)\n"
		"      --acpi               ACPI tables (RSDP, XSDT, FADT, MADT, DSDT with the\n"
		"                           virtio-mmio devices) and ACPI power-off/reset, for\n"
		"                           kernels that find devices only through ACPI\n"
		"      --cpuid-disable LIST hide CPU features from the guest: comma-separated names\n"
		"                           or LEAF[.SUBLEAF]:REG:BIT (e.g. xsave,smap,0x7.0:ebx:20);\n"
		"                           names: %s\n"
		"      --emulate-soft-int   deliver int3 and int n that KVM cannot emulate (some\n"
		"                           nested hosts) to the guest's IDT; on by default, with a\n"
		"                           notice the first time; this flag drops the notice\n"
		"      --no-emulate-soft-int\n"
		"                           stop with the crash status and register dump instead\n"
		"      --timeline           print the boot timeline on stderr at exit\n"
		"      --timeline-json FILE write the boot timeline as JSON\n"
		"      --trace-out FILE     write the guest's boot trace in tslog text format\n"
		"      --gdb tcp:[HOST:]PORT|unix:PATH\n"
		"                           serve the GDB remote protocol (target description\n"
		"                           follows the kernel's ELF class: i386 or x86-64)\n"
		"      --gdb-wait           start halted until gdb continues (like qemu -S -s)\n"
		"      --sync-teardown      exit only after KVM has destroyed the VM (by default a\n"
		"                           short-lived child does that, so the exit is not delayed)\n"
		"      --config-file FILE   Firecracker JSON config (boot-source, drives, ...)\n"
		"      --api-sock PATH      Firecracker REST API on a Unix socket; without\n"
		"                           --config-file, waits for PUT /actions InstanceStart\n"
		"      --no-api             no API socket (needs --config-file); see docs/api.md\n"
		"      --no-seccomp         run without the per-thread seccomp filters\n"
		"      --seccomp-log        log forbidden system calls (kernel audit log) instead\n"
		"                           of killing the process\n"
		"      --uid UID --gid GID  started as root: once everything is open, become this\n"
		"                           user and group, with no capabilities left\n"
		"      --chroot DIR         ...and chroot into DIR first (needs --uid and --gid)\n"
		"  -h, --help               this text\n"
		"  -V, --version            version\n"
		"\n"
		"Exit status: the guest's debug-exit value; 0 after a guest reset or power-off;\n"
		"1 for bad input or a monitor error; %d when the VM crashed (KVM failure, triple\n"
		"fault), with a register dump on stderr.\n",
		LAYOUT_CMDLINE_MAX - 1, VM_MAX_VCPUS, VM_MAX_DRIVES, VM_MAX_NETS, cpuid_feature_names(),
		MILLIVM_EXIT_CRASH);
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

/* FILE[,ro][,serial=ID]: the path may not contain commas (QEMU's -drive has the same rule). */
static int add_drive(struct vm_config *cfg, char *spec, struct error *err)
{
	if (cfg->ndrives >= VM_MAX_DRIVES)
		return error_set(err, "--drive: more than %d drives", VM_MAX_DRIVES);
	struct drive_config *d = &cfg->drives[cfg->ndrives];
	memset(d, 0, sizeof(*d));
	char *save = NULL;
	char *path = strtok_r(spec, ",", &save);
	if (!path || path != spec) /* strtok_r skips leading commas: ",ro" has no file */
		return error_set(err, "--drive: no file given");
	d->path = path;
	for (char *opt = strtok_r(NULL, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (strcmp(opt, "ro") == 0 || strcmp(opt, "readonly") == 0)
			d->read_only = true;
		else if (strcmp(opt, "rw") == 0)
			d->read_only = false;
		else if (strncmp(opt, "serial=", 7) == 0 && strlen(opt + 7) <= 20)
			d->serial = opt + 7;
		else if (strncmp(opt, "serial=", 7) == 0)
			return error_set(err, "--drive %s: serial '%s' is longer than 20 bytes", path,
					 opt + 7);
		else if (strcmp(opt, "engine=sync") == 0)
			d->engine = DRIVE_ENGINE_SYNC;
		else if (strcmp(opt, "engine=uring") == 0 || strcmp(opt, "engine=io_uring") == 0)
			d->engine = DRIVE_ENGINE_URING;
		else
			return error_set(err,
					 "--drive %s: unknown option '%s' (ro, rw, serial=ID, "
					 "engine=sync|uring)",
					 path, opt);
	}
	cfg->ndrives++;
	return 0;
}

/* cid=N,uds=PATH (either order); Firecracker's limits on the CID. */
static int parse_vsock(struct vm_config *cfg, char *spec, struct error *err)
{
	if (cfg->vsock.enabled)
		return error_set(err, "--vsock: given twice (one vsock device per VM)");
	bool have_cid = false;
	char *save = NULL;
	for (char *opt = strtok_r(spec, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		unsigned long n;
		if (strncmp(opt, "cid=", 4) == 0) {
			if (parse_uint_range(opt + 4, 3, 0xfffffffeul, &n, err) < 0)
				return error_prefix(err, "--vsock cid");
			cfg->vsock.guest_cid = n;
			have_cid = true;
		} else if (strncmp(opt, "uds=", 4) == 0 && opt[4]) {
			cfg->vsock.uds_path = opt + 4;
		} else {
			return error_set(err, "--vsock: unknown option '%s' (cid=N,uds=PATH)", opt);
		}
	}
	if (!have_cid || !cfg->vsock.uds_path)
		return error_set(err, "--vsock: needs cid=N and uds=PATH");
	cfg->vsock.enabled = true;
	return 0;
}

static int parse_console(struct vm_config *cfg, const char *arg, struct error *err)
{
	if (strcmp(arg, "serial") == 0 || strcmp(arg, "com1") == 0)
		cfg->console = CONSOLE_SERIAL;
	else if (strcmp(arg, "virtio") == 0)
		cfg->console = CONSOLE_VIRTIO;
	else if (strcmp(arg, "none") == 0)
		cfg->console = CONSOLE_NONE;
	else
		return error_set(err, "--console '%s': use serial, virtio or none", arg);
	return 0;
}

static int parse_gdb_address(struct vm_config *cfg, const char *arg, struct error *err)
{
	if (strncmp(arg, "unix:", 5) == 0 && arg[5]) {
		cfg->gdb_address = arg;
		return 0;
	}
	if (strncmp(arg, "tcp:", 4) == 0) {
		const char *port = strrchr(arg + 4, ':');
		port = port ? port + 1 : arg + 4;
		unsigned long n;
		if (parse_uint_range(port, 1, 65535, &n, err) < 0)
			return error_prefix(err, "--gdb %s: port", arg);
		cfg->gdb_address = arg;
		return 0;
	}
	return error_set(err, "--gdb '%s': use tcp:[HOST:]PORT or unix:PATH", arg);
}

static int apply_option(struct vm_config *cfg, int opt, char *arg, struct error *err)
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
	case 'd':
		return add_drive(cfg, arg, err);
	case OPT_RNG:
		cfg->rng = true;
		return 0;
	case OPT_NET:
		return net_options_add(cfg, arg, err);
	case OPT_ID:
		if (!*arg || strlen(arg) > 64)
			return error_set(err, "--id '%s': 1 to 64 characters", arg);
		cfg->vm_id = arg;
		return 0;
	case OPT_VSOCK:
		return parse_vsock(cfg, arg, err);
	case OPT_CONSOLE:
		return parse_console(cfg, arg, err);
	case OPT_ACPI:
		cfg->acpi = true;
		return 0;
	case OPT_ACPI_DUMP:
		cfg->acpi = true;
		cfg->acpi_dump_dir = arg;
		return 0;
	case OPT_GDB:
		return parse_gdb_address(cfg, arg, err);
	case OPT_GDB_WAIT:
		cfg->gdb_wait = true;
		return 0;
	case OPT_SYNC_TEARDOWN:
		cfg->sync_teardown = true;
		return 0;
	case OPT_NO_SECCOMP:
		cfg->seccomp = SANDBOX_OFF;
		return 0;
	case OPT_SECCOMP_LOG:
		cfg->seccomp = SANDBOX_LOG;
		return 0;
	case OPT_UID:
	case OPT_GID:
		if (parse_uint_range(arg, 1, 4294967294ul, &n, err) < 0)
			return error_prefix(err, opt == OPT_UID ? "--uid" : "--gid");
		if (opt == OPT_UID)
			cfg->jail.uid = (uid_t)n;
		else
			cfg->jail.gid = (gid_t)n;
		cfg->jail.drop_user = cfg->jail.uid && cfg->jail.gid;
		return 0;
	case OPT_CHROOT:
		cfg->jail.chroot_dir = arg;
		return 0;
	case OPT_CONFIG_FILE:
		cfg->config_file = arg;
		return 0;
	case OPT_API_SOCK:
		cfg->api_sock = arg;
		return 0;
	case OPT_NO_API:
		cfg->no_api = true;
		return 0;
	case OPT_EMULATE_SOFT_INT:
		cfg->emulate_soft_int = SOFT_INT_ON;
		return 0;
	case OPT_NO_EMULATE_SOFT_INT:
		cfg->emulate_soft_int = SOFT_INT_OFF;
		return 0;
	}
	return error_set(err, "internal error: unhandled option %d", opt);
}

enum options_result options_parse(int argc, char **argv, struct vm_config *cfg,
				  struct error *err)
{
	vm_config_defaults(cfg);
	opterr = 0; /* we word the errors ourselves, one line each */
	optind = 0; /* 0, not 1: also resets getopt's position inside an option cluster */
	int opt;
	while ((opt = getopt_long(argc, argv, ":k:m:a:i:c:d:hV", long_options, NULL)) != -1) {
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
			/* optopt is set for an unknown letter, possibly inside a group (-zk) */
			/* optopt is a letter for an unknown short option (also inside a group: -zk);
			 * for a long option given a value it takes none (--rng=1), it is the
			 * option's internal code, and the word itself says it better */
			if (optopt > 0 && optopt < 0x80 && isalnum(optopt))
				error_set(err, "unknown option '-%c' (see --help)", optopt);
			else if (optopt)
				error_set(err, "option '%s' takes no value (see --help)", argv[optind - 1]);
			else
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
	/* With the Firecracker front end the JSON names the kernel (src/api/frontend.c). */
	if (!cfg->kernel_path && !cfg->config_file && !cfg->api_sock && !cfg->no_api) {
		error_set(err, "no kernel given: use -k KERNEL (see --help)");
		return OPTIONS_ERROR;
	}
	if ((cfg->jail.uid != 0) != (cfg->jail.gid != 0)) {
		error_set(err, "--uid and --gid go together");
		return OPTIONS_ERROR;
	}
	if (cfg->gdb_wait && !cfg->gdb_address) {
		error_set(err, "--gdb-wait needs --gdb ADDRESS");
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
