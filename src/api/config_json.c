/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/config_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/config_json_net.h"
#include "api/json_fields.h"
#include "millivm/layout.h"

#define NO_DEVICE "no such device in millivm yet"

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void replace(char **slot, char *value)
{
	free(*slot);
	*slot = value;
}

bool config_json_valid_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > FC_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

json_t *config_json_parse_text(const char *text, size_t len, const char *where,
			       struct error *err)
{
	json_error_t jerr;
	/* Duplicate keys are an error: which of the two values counts would be a guess. */
	json_t *v = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v)
		error_set(err, "%s: invalid JSON at line %d column %d: %s", where, jerr.line,
			  jerr.column, jerr.text);
	return v;
}

/* ---- boot-source ---- */

int config_json_boot_source(const json_t *body, struct fc_config *fc, bool check_files,
			    struct error *err)
{
	static const char *const keys[] = { "kernel_image_path", "boot_args", "initrd_path", NULL };
	const char *where = "boot-source";
	const char *kernel = NULL, *args = NULL, *initrd = NULL;
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_string(body, "kernel_image_path", where, true, &kernel, err) < 0 ||
	    json_get_string(body, "boot_args", where, false, &args, err) < 0 ||
	    json_get_string(body, "initrd_path", where, false, &initrd, err) < 0)
		return -1;
	if (!*kernel)
		return error_set(err, "%s: 'kernel_image_path' is empty", where);
	if (initrd && !*initrd)
		return error_set(err, "%s: 'initrd_path' is empty", where);
	if (args && strlen(args) + 1 > LAYOUT_CMDLINE_MAX)
		return error_set(err, "%s: 'boot_args' is %zu bytes, limit %llu", where,
				 strlen(args), LAYOUT_CMDLINE_MAX - 1);
	if (check_files) {
		struct fc_config probe = { .kernel = (char *)kernel, .initrd = (char *)initrd };
		if (fc_config_check_boot_files(&probe, err) < 0)
			return error_prefix(err, "%s", where);
	}
	char *k = strdup(kernel), *i = dup_or_null(initrd), *a = dup_or_null(args);
	if (!k || (initrd && !i) || (args && !a)) {
		free(k);
		free(i);
		free(a);
		return error_set(err, "%s: out of memory", where);
	}
	replace(&fc->kernel, k);
	replace(&fc->initrd, i);
	replace(&fc->boot_args, a);
	fc->have_boot_source = true;
	return 0;
}

/* ---- machine-config ---- */

int config_json_machine_config(const json_t *body, bool partial, struct fc_config *fc,
			       struct error *err)
{
	static const char *const keys[] = { "vcpu_count", "mem_size_mib", "smt", "track_dirty_pages",
					     "cpu_template", "huge_pages", NULL };
	static const char *const none_only[] = { "None", NULL };
	const char *where = "machine-config";
	uint64_t vcpus = partial ? fc->vcpus : FC_DEFAULT_VCPUS;
	uint64_t mem = partial ? fc->mem_mib : FC_DEFAULT_MEM_MIB;
	bool smt = false, dirty = false;
	unsigned choice;
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_uint(body, "vcpu_count", where, !partial, 1, VM_MAX_VCPUS, &vcpus, err) < 0 ||
	    json_get_uint(body, "mem_size_mib", where, !partial, VM_MIN_MEM >> 20,
			  VM_MAX_MEM >> 20, &mem, err) < 0 ||
	    json_get_bool(body, "smt", where, false, &smt, err) < 0 ||
	    json_get_bool(body, "track_dirty_pages", where, false, &dirty, err) < 0 ||
	    json_get_choice(body, "cpu_template", where, false, none_only, &choice, err) < 0 ||
	    json_get_choice(body, "huge_pages", where, false, none_only, &choice, err) < 0)
		return -1;
	if (smt)
		return error_set(err, "%s: 'smt' true is not supported by millivm (one thread "
				      "per core)", where);
	if (dirty)
		return error_set(err, "%s: 'track_dirty_pages' true is not supported by millivm "
				      "(no snapshots)", where);
	fc->vcpus = (unsigned)vcpus;
	fc->mem_mib = mem;
	return 0;
}

/* ---- drives ---- */

static int parse_drive(const json_t *body, const char *where, struct fc_drive *d,
		       struct error *err)
{
	static const char *const keys[] = { "drive_id", "path_on_host", "is_root_device",
					     "is_read_only", "partuuid", "cache_type", "io_engine",
					     "rate_limiter", "socket", NULL };
	static const char *const caches[] = { "Unsafe", "Writeback", NULL };
	static const char *const engines[] = { "Sync", "Async", NULL };
	const char *id = NULL, *path = NULL, *partuuid = NULL;
	unsigned cache = 0, engine = 0;
	int have_engine;
	memset(d, 0, sizeof(*d));
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_string(body, "drive_id", where, true, &id, err) < 0 ||
	    json_refuse(body, "socket", where, "vhost-user-block", err) < 0 ||
	    json_refuse(body, "rate_limiter", where, "no rate limiters", err) < 0 ||
	    json_get_string(body, "path_on_host", where, true, &path, err) < 0 ||
	    json_get_bool(body, "is_root_device", where, true, &d->is_root, err) < 0 ||
	    json_get_bool(body, "is_read_only", where, false, &d->read_only, err) < 0 ||
	    json_get_string(body, "partuuid", where, false, &partuuid, err) < 0 ||
	    json_get_choice(body, "cache_type", where, false, caches, &cache, err) < 0 ||
	    (have_engine = json_get_choice(body, "io_engine", where, false, engines, &engine,
					   err)) < 0)
		return -1;
	if (!config_json_valid_id(id))
		return error_set(err, "%s: 'drive_id' \"%.80s\" must be 1-%d letters, digits or '_'",
				 where, id, FC_ID_MAX);
	if (!*path)
		return error_set(err, "%s: 'path_on_host' is empty", where);
	if (partuuid && (!*partuuid || strlen(partuuid) > 64 ||
			 strspn(partuuid, "0123456789abcdefABCDEF-") != strlen(partuuid)))
		return error_set(err, "%s: 'partuuid' must be hex digits and dashes", where);
	d->writeback = cache == 1;
	d->engine = !have_engine ? DRIVE_ENGINE_DEFAULT
		    : engine == 0 ? DRIVE_ENGINE_SYNC
				  : DRIVE_ENGINE_URING;
	d->id = strdup(id);
	d->path = strdup(path);
	d->partuuid = dup_or_null(partuuid);
	if (!d->id || !d->path || (partuuid && !d->partuuid)) {
		fc_drive_free(d);
		return error_set(err, "%s: out of memory", where);
	}
	return 0;
}

int config_json_drive(const json_t *body, const char *path_id, const char *where,
		      struct fc_config *fc, bool check_files, struct error *err)
{
	struct fc_drive d;
	if (parse_drive(body, where, &d, err) < 0)
		return -1;
	if (check_files && fc_drive_check_file(&d, err) < 0) {
		fc_drive_free(&d);
		return -1;
	}
	if (path_id && strcmp(path_id, d.id) != 0) {
		error_set(err, "%s: the drive_id in the body (\"%s\") differs from the path's (\"%s\")",
			  where, d.id, path_id);
		fc_drive_free(&d);
		return -1;
	}
	if (fc_config_put_drive(fc, &d, err) < 0) {
		fc_drive_free(&d);
		return -1;
	}
	return 0;
}

int config_json_drive_patch(const json_t *body, const char *path_id, const char **new_path,
			    struct error *err)
{
	static const char *const keys[] = { "drive_id", "path_on_host", "rate_limiter", NULL };
	const char *where = "drive";
	const char *id = NULL;
	*new_path = NULL;
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_string(body, "drive_id", where, true, &id, err) < 0 ||
	    json_get_string(body, "path_on_host", where, false, new_path, err) < 0 ||
	    json_refuse(body, "rate_limiter", where, "no rate limiters", err) < 0)
		return -1;
	if (strcmp(id, path_id) != 0)
		return error_set(err, "%s: the drive_id in the body (\"%.80s\") differs from the "
				      "path's (\"%s\")", where, id, path_id);
	if (*new_path && !**new_path)
		return error_set(err, "%s: 'path_on_host' is empty", where);
	return 0;
}

/* ---- entropy, logger, metrics ---- */

int config_json_entropy(const json_t *body, struct fc_config *fc, struct error *err)
{
	static const char *const keys[] = { "rate_limiter", NULL };
	if (json_check_object(body, "entropy", keys, err) < 0 ||
	    json_refuse(body, "rate_limiter", "entropy", "no rate limiters", err) < 0)
		return -1;
	fc->entropy = true;
	return 0;
}

int config_json_vsock(const json_t *body, struct fc_config *fc, struct error *err)
{
	static const char *const keys[] = { "guest_cid", "uds_path", "vsock_id", NULL };
	const char *where = "vsock";
	const char *uds = NULL, *id = NULL;
	uint64_t cid;
	/* CIDs 0-2 are the hypervisor's and the host's, 2^32-1 is VMADDR_CID_ANY. */
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_uint(body, "guest_cid", where, true, 3, 0xfffffffeu, &cid, err) < 0 ||
	    json_get_string(body, "uds_path", where, true, &uds, err) < 0 ||
	    json_get_string(body, "vsock_id", where, false, &id, err) < 0)
		return -1;
	if (!*uds)
		return error_set(err, "%s: 'uds_path' is empty", where);
	fc->vsock = true;
	fc->vsock_cid = cid;
	replace(&fc->vsock_uds, strdup(uds));
	replace(&fc->vsock_id, dup_or_null(id));
	return 0;
}

int config_json_logger(const json_t *body, struct fc_logger *out, struct error *err)
{
	static const char *const keys[] = { "log_path", "level", "show_level", "show_log_origin",
					     "module", NULL };
	const char *where = "logger";
	const char *path = NULL, *level = NULL, *module = NULL;
	struct fc_logger l = { .set = true, .level = LOG_INFO };
	if (json_check_object(body, where, keys, err) < 0 ||
	    json_get_string(body, "log_path", where, true, &path, err) < 0 ||
	    json_get_string(body, "level", where, false, &level, err) < 0 ||
	    json_get_bool(body, "show_level", where, false, &l.show_level, err) < 0 ||
	    json_get_bool(body, "show_log_origin", where, false, &l.show_origin, err) < 0 ||
	    json_get_string(body, "module", where, false, &module, err) < 0)
		return -1;
	if (level && log_level_parse(level, &l.level) < 0)
		return error_set(err, "%s: 'level' is \"%.32s\", must be one of Error, Warning, "
				      "Info, Debug, Trace, Off", where, level);
	l.path = strdup(path);
	l.module = dup_or_null(module);
	free(out->path);
	free(out->module);
	*out = l;
	return 0;
}

int config_json_metrics(const json_t *body, char **path, struct error *err)
{
	static const char *const keys[] = { "metrics_path", NULL };
	const char *p = NULL;
	if (json_check_object(body, "metrics", keys, err) < 0 ||
	    json_get_string(body, "metrics_path", "metrics", true, &p, err) < 0)
		return -1;
	replace(path, strdup(p));
	return 0;
}

/* ---- the whole document ---- */

static int unsupported_section(const json_t *doc, const char *key, struct error *err)
{
	json_t *v = json_object_get(doc, key);
	if (!v || json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0))
		return 0;
	return error_set(err, "section '%s' is not supported by millivm (" NO_DEVICE ")", key);
}

static int document_drives(const json_t *drives, struct fc_config *fc, bool check_files,
			   struct error *err)
{
	if (!drives || json_is_null(drives))
		return 0;
	if (!json_is_array(drives))
		return error_set(err, "drives: must be an array");
	size_t i;
	json_t *d;
	json_array_foreach(drives, i, d) {
		char where[32];
		snprintf(where, sizeof(where), "drives[%zu]", i);
		struct fc_drive drive;
		if (parse_drive(d, where, &drive, err) < 0)
			return -1;
		if (check_files && fc_drive_check_file(&drive, err) < 0) {
			fc_drive_free(&drive);
			return error_prefix(err, "%s", where);
		}
		if (fc_config_find_drive(fc, drive.id)) {
			error_set(err, "%s: drive_id \"%s\" appears twice", where, drive.id);
			fc_drive_free(&drive);
			return -1;
		}
		if (fc_config_put_drive(fc, &drive, err) < 0) {
			fc_drive_free(&drive);
			return -1;
		}
	}
	return 0;
}

int config_json_document(const json_t *doc, struct fc_config *fc, bool check_files,
			 struct error *err)
{
	static const char *const sections[] = {
		"boot-source", "drives", "machine-config", "network-interfaces", "vsock", "entropy",
		"logger", "metrics", "balloon", "mmds-config", "cpu-config", "serial", "pmem",
		"memory-hotplug", NULL,
	};
	static const char *const unsupported[] = { "balloon",
						   "mmds-config", "cpu-config", "serial", "pmem",
						   "memory-hotplug", NULL };
	if (!json_is_object(doc))
		return error_set(err, "the document must be a JSON object");
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)doc, key, value) {
		bool known = false;
		for (const char *const *s = sections; *s && !known; s++)
			known = strcmp(key, *s) == 0;
		if (!known)
			return error_set(err, "unknown section '%.64s'", key);
	}
	for (const char *const *s = unsupported; *s; s++)
		if (unsupported_section(doc, *s, err) < 0)
			return -1;
	json_t *v;
	if ((v = json_object_get(doc, "boot-source")) && !json_is_null(v) &&
	    config_json_boot_source(v, fc, check_files, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "machine-config")) && !json_is_null(v) &&
	    config_json_machine_config(v, false, fc, err) < 0)
		return -1;
	if (document_drives(json_object_get(doc, "drives"), fc, check_files, err) < 0)
		return -1;
	if (config_json_document_nets(json_object_get(doc, "network-interfaces"), fc, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "entropy")) && !json_is_null(v) &&
	    config_json_entropy(v, fc, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "vsock")) && !json_is_null(v) &&
	    config_json_vsock(v, fc, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "logger")) && !json_is_null(v) &&
	    config_json_logger(v, &fc->logger, err) < 0)
		return -1;
	if ((v = json_object_get(doc, "metrics")) && !json_is_null(v) &&
	    config_json_metrics(v, &fc->metrics_path, err) < 0)
		return -1;
	return 0;
}

int config_json_load_file(const char *path, struct fc_config *fc, struct error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error_set(err, "--config-file %s: %s", path, strerror(errno));
	char *text = malloc(CONFIG_FILE_MAX + 1);
	size_t len = text ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
	bool read_error = ferror(f);
	fclose(f);
	int rc = -1;
	if (!text)
		error_set(err, "--config-file %s: out of memory", path);
	else if (read_error)
		error_set(err, "--config-file %s: read error", path);
	else if (len > CONFIG_FILE_MAX)
		error_set(err, "--config-file %s: larger than %d bytes", path, CONFIG_FILE_MAX);
	else {
		json_t *doc = config_json_parse_text(text, len, "JSON", err);
		rc = doc ? config_json_document(doc, fc, true, err) : -1;
		json_decref(doc);
		if (rc < 0)
			error_prefix(err, "--config-file %s", path);
	}
	free(text);
	return rc;
}
