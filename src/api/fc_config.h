/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM as Firecracker's front ends describe it (config file sections, API resources),
 * before it becomes the monitor's struct vm_config. It keeps what vm_config has no room for:
 * drive ids, the root-device flag, the logger and metrics settings, whether a boot source
 * was given at all. Every string is owned here (malloc'd) and freed when replaced, so a
 * client that PUTs the same resource a million times uses no more memory.
 */
#ifndef MILLIVM_API_FC_CONFIG_H
#define MILLIVM_API_FC_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

#include "api/logger.h"
#include "core/error.h"
#include "core/vm_config.h"

#define FC_DEFAULT_MEM_MIB 128 /* Firecracker's defaults, not millivm's CLI ones */
#define FC_DEFAULT_VCPUS 1
#define FC_ID_MAX 64

/* Firecracker's command line when boot_args is absent. */
#define FC_DEFAULT_BOOT_ARGS                                                                   \
	"reboot=k panic=1 pci=off nomodule 8250.nr_uarts=0 i8042.noaux i8042.nomux i8042.nopnp " \
	"i8042.dumbkbd"

struct fc_drive {
	char *id;
	char *path;
	char *partuuid; /* NULL: root=/dev/vda */
	bool is_root;
	bool read_only;
	bool writeback; /* cache_type Writeback (flushes reach the disk either way here) */
	enum drive_engine engine;
};

/* network-interfaces: a tap behind virtio-net */
struct fc_net {
	char *id;
	char *host_dev_name;
	uint8_t mac[6];
	bool mac_set; /* false: generated (src/devices/virtio_net.h) */
};

struct fc_logger {
	bool set;
	char *path;
	enum log_level level;
	bool show_level, show_origin;
	char *module;
};

struct fc_config {
	bool have_boot_source;
	char *kernel;
	char *initrd;    /* NULL: none */
	char *boot_args; /* NULL: FC_DEFAULT_BOOT_ARGS */
	unsigned vcpus;
	uint64_t mem_mib;
	bool smt, track_dirty_pages;
	struct fc_drive drives[VM_MAX_DRIVES];
	unsigned ndrives;
	bool entropy;
	struct fc_net nets[VM_MAX_NETS];
	unsigned nnets;
	bool vsock;
	uint64_t vsock_cid;
	char *vsock_uds;
	char *vsock_id; /* deprecated in Firecracker, kept for GET /vm/config; may be NULL */
	struct fc_logger logger;
	char *metrics_path; /* NULL: not configured */
};

void fc_config_init(struct fc_config *fc);
void fc_config_free(struct fc_config *fc);

/* Replace or add a drive (moves d's strings into fc). At most one root device. */
int fc_config_put_drive(struct fc_config *fc, struct fc_drive *d, struct error *err);
struct fc_drive *fc_config_find_drive(struct fc_config *fc, const char *id);
void fc_drive_free(struct fc_drive *d);

/*
 * The monitor's description: out starts as a copy of base (the command line's monitor
 * options: timeline, gdb, cpuid masks...), then takes the VM from fc. The root drive comes
 * first (the guest's vda), and "root=/dev/vda rw" (or PARTUUID=, ro) is appended to the
 * command line, as Firecracker does. Strings point into fc and cmdline_buf.
 */
int fc_config_to_vm(const struct fc_config *fc, const struct vm_config *base,
		    struct vm_config *out, char *cmdline_buf, size_t cap, struct error *err);

/* The position of drive d among the VM's disks, in fc_config_to_vm's order (root first). */
unsigned fc_config_drive_index(const struct fc_config *fc, const struct fc_drive *d);

/* Check that the files named can be opened as asked (Firecracker does this at PUT time). */
int fc_config_check_boot_files(const struct fc_config *fc, struct error *err);
int fc_drive_check_file(const struct fc_drive *d, struct error *err);

#endif
