/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fc_config back into Firecracker's JSON: GET /machine-config and GET /vm/config. The
 * latter has FullVmConfiguration's shape and is itself a valid --config-file (the unit test
 * feeds one back in).
 */
#include "api/config_json.h"

#include "api/config_json_net.h"
#include "devices/virtio_blk.h"

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *config_json_machine_export(const struct fc_config *fc)
{
	return json_pack("{s:I, s:I, s:b, s:b, s:s}", "vcpu_count", (json_int_t)fc->vcpus,
			 "mem_size_mib", (json_int_t)fc->mem_mib, "smt", fc->smt,
			 "track_dirty_pages", fc->track_dirty_pages, "huge_pages", "None");
}

static const char *engine_name(enum drive_engine e)
{
	if (e == DRIVE_ENGINE_DEFAULT)
		e = virtio_blk_default_engine();
	return e == DRIVE_ENGINE_URING ? "Async" : "Sync";
}

static json_t *drive_export(const struct fc_drive *d)
{
	return json_pack("{s:s, s:o, s:b, s:s, s:b, s:s, s:n, s:s, s:n}", "drive_id", d->id,
			 "partuuid", string_or_null(d->partuuid), "is_root_device", d->is_root,
			 "cache_type", d->writeback ? "Writeback" : "Unsafe", "is_read_only",
			 d->read_only, "path_on_host", d->path, "rate_limiter", "io_engine",
			 engine_name(d->engine), "socket");
}

json_t *config_json_vm_export(const struct fc_config *fc)
{
	json_t *root = json_object();
	json_t *boot = json_null();
	if (fc->have_boot_source)
		boot = json_pack("{s:s, s:o, s:o}", "kernel_image_path", fc->kernel, "initrd_path",
				 string_or_null(fc->initrd), "boot_args",
				 string_or_null(fc->boot_args));
	json_object_set_new(root, "balloon", json_null());
	json_t *drives = json_array();
	for (unsigned i = 0; i < fc->ndrives; i++)
		json_array_append_new(drives, drive_export(&fc->drives[i]));
	json_object_set_new(root, "drives", drives);
	json_object_set_new(root, "boot-source", boot);
	json_object_set_new(root, "cpu-config", json_null());
	json_object_set_new(root, "logger",
			    fc->logger.set
				    ? json_pack("{s:s, s:s, s:b, s:b, s:o}", "log_path",
						fc->logger.path, "level",
						log_level_name(fc->logger.level), "show_level",
						fc->logger.show_level, "show_log_origin",
						fc->logger.show_origin, "module",
						string_or_null(fc->logger.module))
				    : json_null());
	json_object_set_new(root, "machine-config", config_json_machine_export(fc));
	json_object_set_new(root, "metrics",
			    fc->metrics_path ? json_pack("{s:s}", "metrics_path", fc->metrics_path)
					     : json_null());
	json_object_set_new(root, "mmds-config", json_null());
	json_object_set_new(root, "network-interfaces", config_json_nets_export(fc));
	json_t *vsock = json_null();
	if (fc->vsock) {
		vsock = json_pack("{s:I, s:s}", "guest_cid", (json_int_t)fc->vsock_cid, "uds_path",
				  fc->vsock_uds);
		if (fc->vsock_id)
			json_object_set_new(vsock, "vsock_id", json_string(fc->vsock_id));
	}
	json_object_set_new(root, "vsock", vsock);
	json_object_set_new(root, "entropy",
			    fc->entropy ? json_pack("{s:n}", "rate_limiter") : json_null());
	return root;
}
