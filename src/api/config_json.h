/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's JSON, both ways: the --config-file document and the API request bodies into
 * a struct fc_config, and fc_config back into the JSON of GET /machine-config and
 * GET /vm/config. Strict: an unknown key, a wrong type, an out-of-range value or a section
 * millivm does not support is a one-line error naming it; an update that fails changes
 * nothing (Firecracker's "the whole update fails").
 *
 * Supported: boot-source, drives (virtio-blk), machine-config, entropy, logger, metrics.
 * Refused unless empty or null: network-interfaces, vsock, balloon, mmds-config, cpu-config,
 * serial, pmem, memory-hotplug (no such devices in millivm yet).
 */
#ifndef MILLIVM_API_CONFIG_JSON_H
#define MILLIVM_API_CONFIG_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "api/fc_config.h"
#include "core/error.h"

#define CONFIG_FILE_MAX (1 << 20)

/* Parse text (len bytes) as one JSON value; err names the line and column on failure. */
json_t *config_json_parse_text(const char *text, size_t len, const char *where,
			       struct error *err);

/*
 * A whole config file's document into a fresh fc (fc_config_init'ed by the caller). With
 * check_files, the kernel, initrd and drive files must open as asked (Firecracker checks
 * them when they are configured, not at boot).
 */
int config_json_document(const json_t *doc, struct fc_config *fc, bool check_files,
			 struct error *err);

/* Read and parse a config file (at most CONFIG_FILE_MAX bytes); errors start with path. */
int config_json_load_file(const char *path, struct fc_config *fc, struct error *err);

/* API bodies: each updates fc only when the whole body is valid (and, with check_files,
 * the files it names open). */
int config_json_boot_source(const json_t *body, struct fc_config *fc, bool check_files,
			    struct error *err);
int config_json_machine_config(const json_t *body, bool partial, struct fc_config *fc,
			       struct error *err);
/* path_id: the {drive_id} of the URL, which must match the body's (NULL: config file). */
int config_json_drive(const json_t *body, const char *path_id, const char *where,
		      struct fc_config *fc, bool check_files, struct error *err);
int config_json_entropy(const json_t *body, struct fc_config *fc, struct error *err);
/* {"guest_cid", "uds_path", optional deprecated "vsock_id"} (PUT /vsock, "vsock"). */
int config_json_vsock(const json_t *body, struct fc_config *fc, struct error *err);
int config_json_logger(const json_t *body, struct fc_logger *out, struct error *err);
int config_json_metrics(const json_t *body, char **path, struct error *err);

/* PATCH /drives/{id}: what it asks for; *new_path NULL when it changes nothing. */
int config_json_drive_patch(const json_t *body, const char *path_id, const char **new_path,
			    struct error *err);

/* A Firecracker resource id: 1-64 of [A-Za-z0-9_]. */
bool config_json_valid_id(const char *id);

json_t *config_json_machine_export(const struct fc_config *fc);
json_t *config_json_vm_export(const struct fc_config *fc);

#endif
