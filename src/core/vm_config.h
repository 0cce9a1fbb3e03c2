/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM description. The command line (options.c) and, later, the Firecracker-style config
 * file and API build one of these; everything below them reads only this.
 */
#ifndef MILLIVM_VM_CONFIG_H
#define MILLIVM_VM_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "millivm/layout.h"
#include "core/jail.h"
#include "core/sandbox.h"
#include "x86/cpuid.h"

#define VM_DEFAULT_MEM MiB(256)
#define VM_MIN_MEM MiB(8)
#define VM_MAX_MEM GiB(1024)
#define VM_MAX_VCPUS 254
#define VM_MAX_DRIVES 8
#define VM_MAX_NETS 4

enum console_kind {
	CONSOLE_SERIAL,     /* COM1 on stdin/stdout (default) */
	CONSOLE_VIRTIO,     /* virtio-console port 0 on stdin/stdout; COM1 output discarded */
	CONSOLE_NONE,
};

enum drive_engine {
	DRIVE_ENGINE_DEFAULT, /* chosen by measurement (see src/devices/virtio_blk.c) */
	DRIVE_ENGINE_SYNC,    /* preadv/pwritev on the vCPU thread */
	DRIVE_ENGINE_URING,   /* io_uring, completions on a per-disk thread */
};

/* int3 / int n that the host's KVM cannot emulate (src/x86/soft_int.h) */
enum soft_int_mode {
	SOFT_INT_AUTO, /* default: millivm delivers them, with a notice the first time */
	SOFT_INT_ON,   /* --emulate-soft-int: the same, without the notice */
	SOFT_INT_OFF,  /* --no-emulate-soft-int: the VM stops with the register dump */
};

struct drive_config {
	const char *path;
	bool read_only;
	const char *serial; /* VIRTIO_BLK_T_GET_ID answer; NULL: derived from the index */
	const char *id;     /* drive_id: metrics "block_<id>"; NULL: the device's name */
	enum drive_engine engine;
};

enum net_kind {
	NET_TAP,  /* --net tap=NAME: an existing tap device (Firecracker's host_dev_name) */
	NET_USER, /* --net user[,...]: user-mode networking through libslirp, no privileges */
};

struct net_config {
	enum net_kind kind;
	const char *tap_name;  /* NET_TAP */
	const char *user_opts; /* NET_USER: the text after "user," (hostfwd=..., net=...); may be NULL */
	uint8_t mac[6];
	bool mac_set;          /* false: generated, stable per VM (src/devices/virtio_net.c) */
	const char *id;        /* iface_id: metrics "net_<id>"; NULL: the device's name */
};

/* --vsock cid=N,uds=PATH: Firecracker's hybrid vsock (src/devices/virtio_vsock.h) */
struct vsock_config {
	bool enabled;
	uint64_t guest_cid; /* >= 3 */
	const char *uds_path;
};

struct vm_config {
	const char *vm_id;    /* --id: Firecracker's instance id; generated MACs follow it */
	const char *kernel_path;
	const char *initrd_path;
	const char *cmdline;  /* as the user gave it; devices may append tokens */
	uint64_t mem_size;
	unsigned vcpus;
	struct cpuid_bit cpuid_masks[CPUID_MAX_MASKS];
	unsigned ncpuid_masks;
	enum soft_int_mode emulate_soft_int;

	/* devices */
	struct drive_config drives[VM_MAX_DRIVES];
	unsigned ndrives;
	bool rng;
	struct net_config nets[VM_MAX_NETS];
	unsigned nnets;
	struct vsock_config vsock;
	enum console_kind console;
	bool acpi;                 /* --acpi: ACPI tables and the power-off/reset ports */
	const char *acpi_dump_dir; /* --acpi-dump DIR (debugging, implies acpi): table files */

	/* seeing the boot */
	bool timeline;
	const char *timeline_json;
	const char *trace_out;
	const char *gdb_address; /* "tcp:PORT", "tcp:HOST:PORT" or "unix:PATH"; NULL: no stub */
	bool gdb_wait;           /* start halted until the debugger continues */
	bool sync_teardown;          /* wait for KVM to destroy the VM before exiting */
	enum sandbox_mode seccomp;   /* SANDBOX_DEFAULT: enforced */
	struct jail_config jail;     /* --uid, --gid, --chroot */

	/* Firecracker front end (src/api/frontend.h): the VM comes from JSON, not the above */
	const char *config_file; /* --config-file: Firecracker's JSON */
	const char *api_sock;    /* --api-sock: serve Firecracker's REST API here */
	bool no_api;             /* --no-api: Firecracker's flag, needs --config-file */
};

void vm_config_defaults(struct vm_config *cfg);

#endif
