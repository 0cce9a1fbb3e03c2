/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/api_routes.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api/api_state.h"
#include "api/config_json.h"
#include "api/config_json_net.h"
#include "api/json_fields.h"
#include "api/logger.h"
#include "api/metrics.h"
#include "core/vcpu_pause.h"
#include "core/version.h"
#include "devices/platform.h"
#include "devices/virtio_blk.h"
#include "devices/virtio_devices.h"

#define PAUSE_TIMEOUT_MS 1000
#define MSG_POST_BOOT "The requested operation is not supported after starting the microVM."
#define MSG_PRE_BOOT "The requested operation is not supported before starting the microVM."

/* ---- replies ---- */

static void reply_json(struct api_reply *r, int status, json_t *body)
{
	r->status = status;
	r->body = body ? json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(body);
	if (body && !r->body)
		r->status = 500;
}

static void reply_fault(struct api_reply *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reply_fault(struct api_reply *r, const char *fmt, ...)
{
	char msg[ERROR_MSG_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("API request failed: %s", msg);
	reply_json(r, 400, json_pack("{s:s}", "fault_message", msg));
}

static void reply_ok(struct api_reply *r)
{
	r->status = 204;
	r->body = NULL;
}

/* Count the request and, if the reply is a failure, its failure counter too. */
static void count(const struct api_reply *r, enum metric_counter total, enum metric_counter fails)
{
	metrics_inc(total);
	if (r->status >= 400 && fails != total)
		metrics_inc(fails);
}

/* ---- pre-boot / post-boot ---- */

static bool pre_boot(struct api_reply *r)
{
	if (api_state_get() == INSTANCE_NOT_STARTED)
		return true;
	reply_fault(r, MSG_POST_BOOT);
	return false;
}

static bool post_boot(struct api_reply *r)
{
	if (api_state_get() == INSTANCE_RUNNING)
		return true;
	reply_fault(r, MSG_PRE_BOOT);
	return false;
}

/* ---- GET ---- */

static const char *state_name(void)
{
	switch (api_state_get()) {
	case INSTANCE_RUNNING:
		return vcpu_paused() ? "Paused" : "Running";
	default:
		return "Not started";
	}
}

static void get_instance_info(struct api_reply *r)
{
	/* --id, as Firecracker's; generated MACs follow it too */
	const char *id = api_state.base.vm_id ? api_state.base.vm_id : "anonymous-instance";
	reply_json(r, 200, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "state",
				     state_name(), "vmm_version", MILLIVM_VERSION, "app_name",
				     "millivm"));
}

static void get_version(struct api_reply *r)
{
	reply_json(r, 200, json_pack("{s:s}", "firecracker_version", MILLIVM_VERSION));
}

/* ---- PUT/PATCH of the description ---- */

static void put_boot_source(const json_t *body, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) && config_json_boot_source(body, &api_state.fc, true, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_machine_config(const json_t *body, bool partial, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) && config_json_machine_config(body, partial, &api_state.fc, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_drive(const char *id, const json_t *body, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) &&
	    config_json_drive(body, id, "drive", &api_state.fc, true, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

/*
 * A new backing file for a running drive: the device swaps it (virtio_blk_swap_image), then
 * the description follows so that GET /vm/config shows it. The string the VM was built with
 * stays: the vm_config copies point to it.
 */
static void swap_drive(struct fc_drive *d, const char *path, struct api_reply *r)
{
	struct error err;
	struct virtio_mmio *t = virtio_devices_drive(fc_config_drive_index(&api_state.fc, d));
	char *copy = strdup(path);
	if (!t || !copy) {
		free(copy);
		reply_fault(r, "drive '%s': %s", d->id, t ? "out of memory" : "no such device");
		return;
	}
	if (virtio_blk_swap_image(t, path, &err) < 0) {
		free(copy);
		reply_fault(r, "drive '%s': path_on_host: %s", d->id, err.msg);
		return;
	}
	bool built_with = false;
	for (unsigned i = 0; i < api_state.built.ndrives; i++)
		built_with |= api_state.built.drives[i].path == d->path;
	if (!built_with)
		free(d->path);
	d->path = copy;
	log_info("Drive '%s' now uses %s", d->id, path);
}

static void patch_drive(const char *id, const json_t *body, struct api_reply *r)
{
	struct error err;
	const char *new_path;
	if (!post_boot(r))
		return;
	if (config_json_drive_patch(body, id, &new_path, &err) < 0) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	struct fc_drive *d = fc_config_find_drive(&api_state.fc, id);
	if (!d) {
		reply_fault(r, "drive '%s' does not exist", id);
		return;
	}
	if (new_path)
		swap_drive(d, new_path, r);
}

static void put_network(const char *id, const json_t *body, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) &&
	    config_json_net(body, id, "network-interface", &api_state.fc, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void patch_network(const char *id, const json_t *body, struct api_reply *r)
{
	struct error err;
	if (post_boot(r) && config_json_net_patch(body, id, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_entropy(const json_t *body, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) && config_json_entropy(body, &api_state.fc, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_vsock(const json_t *body, struct api_reply *r)
{
	struct error err;
	if (pre_boot(r) && config_json_vsock(body, &api_state.fc, &err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_logger(const json_t *body, struct api_reply *r)
{
	struct error err;
	struct fc_logger l = { 0 };
	if (!pre_boot(r))
		return;
	if (config_json_logger(body, &l, &err) < 0) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	struct logger_config lc = { l.path, l.level, l.show_level, l.show_origin, l.module };
	if (logger_configure(&lc, &err) < 0) {
		free(l.path);
		free(l.module);
		reply_fault(r, "%s", err.msg);
		return;
	}
	free(api_state.fc.logger.path);
	free(api_state.fc.logger.module);
	api_state.fc.logger = l;
	log_info("Logger configured (level %s)", log_level_name(l.level));
}

static void put_metrics(const json_t *body, struct api_reply *r)
{
	struct error err;
	char *path = NULL;
	if (!pre_boot(r))
		return;
	if (config_json_metrics(body, &path, &err) < 0 || metrics_configure(path, &err) < 0) {
		free(path);
		reply_fault(r, "%s", err.msg);
		return;
	}
	free(api_state.fc.metrics_path);
	api_state.fc.metrics_path = path;
}

/* ---- actions and VM state ---- */

static void action_instance_start(struct api_reply *r)
{
	struct error err;
	if (api_state_request_start(&err) < 0) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	log_info("InstanceStart: the microVM is running");
}

static void action_ctrl_alt_del(struct api_reply *r)
{
	if (!post_boot(r))
		return;
	if (i8042_send_ctrl_alt_del(api_state.vm) < 0)
		reply_fault(r, "SendCtrlAltDel: the keyboard buffer is full (the guest does not "
			       "read it)");
}

static void action_flush_metrics(struct api_reply *r)
{
	struct error err;
	if (metrics_flush(&err) < 0)
		reply_fault(r, "%s", err.msg);
}

static void put_actions(const json_t *body, struct api_reply *r)
{
	static const char *const keys[] = { "action_type", NULL };
	static const char *const actions[] = { "InstanceStart", "SendCtrlAltDel", "FlushMetrics",
					       NULL };
	struct error err;
	unsigned action = 0;
	if (json_check_object(body, "actions", keys, &err) < 0 ||
	    json_get_choice(body, "action_type", "actions", true, actions, &action, &err) < 0) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	if (action == 0)
		action_instance_start(r);
	else if (action == 1)
		action_ctrl_alt_del(r);
	else
		action_flush_metrics(r);
}

static uint64_t elapsed_us(const struct timespec *t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (uint64_t)((t1.tv_sec - t0->tv_sec) * 1000000 + (t1.tv_nsec - t0->tv_nsec) / 1000);
}

static void patch_vm(const json_t *body, struct api_reply *r)
{
	static const char *const keys[] = { "state", NULL };
	static const char *const states[] = { "Paused", "Resumed", NULL };
	struct error err;
	unsigned state = 0;
	if (json_check_object(body, "vm", keys, &err) < 0 ||
	    json_get_choice(body, "state", "vm", true, states, &state, &err) < 0) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	if (!post_boot(r))
		return;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (state == 1) {
		vcpu_resume_all(api_state.vm);
		metrics_set_gauge(G_RESUME_US, elapsed_us(&t0));
		log_info("The microVM was resumed");
		return;
	}
	if (vcpu_paused())
		return; /* already: nothing to measure */
	if (vcpu_pause_all(api_state.vm, PAUSE_TIMEOUT_MS) < 0) {
		reply_fault(r, "the vCPUs did not stop within %d ms (is the VM ending?)",
			    PAUSE_TIMEOUT_MS);
		return;
	}
	metrics_set_gauge(G_PAUSE_US, elapsed_us(&t0));
	log_info("The microVM was paused");
}

/* ---- dispatch ---- */

/* "/drives/ID" -> ID, when the rest is a single valid id. */
static const char *path_id(const char *path, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0)
		return NULL;
	return path + n;
}

static bool is(const char *path, const char *want)
{
	return strcmp(path, want) == 0;
}

/* Firecracker paths millivm knows but does not implement. */
static const char *unsupported_reason(const char *path)
{
	static const struct {
		const char *prefix;
		bool exact;
		const char *why;
	} table[] = {
		{ "/balloon", false, "no balloon device" },
		{ "/mmds", false, "no MMDS" },
		{ "/snapshot/", false, "no snapshots" },
		{ "/cpu-config", true, "no CPU templates; use --cpuid-disable" },
		{ "/serial", true, "the serial console is stdout" },
		{ "/pmem/", false, "no virtio-pmem device" },
		{ "/hotplug/memory", true, "no memory hot-plug" },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		size_t n = strlen(table[i].prefix);
		if (table[i].exact ? is(path, table[i].prefix) : strncmp(path, table[i].prefix, n) == 0)
			return table[i].why;
	}
	return NULL;
}

static void invalid(const struct http_request *req, struct api_reply *r)
{
	reply_fault(r, "Invalid request method and/or path: %s %s.", req->method_name, req->path);
	metrics_inc(M_API_BAD_REQUESTS);
}

static void handle_get(const struct http_request *req, struct api_reply *r)
{
	const char *p = req->path;
	if (is(p, "/")) {
		get_instance_info(r);
		metrics_inc(M_GET_INSTANCE_INFO);
	} else if (is(p, "/version")) {
		get_version(r);
		metrics_inc(M_GET_VMM_VERSION);
	} else if (is(p, "/machine-config")) {
		reply_json(r, 200, config_json_machine_export(&api_state.fc));
		metrics_inc(M_GET_MACHINE_CFG);
	} else if (is(p, "/vm/config")) {
		reply_json(r, 200, config_json_vm_export(&api_state.fc));
		metrics_inc(M_GET_VM_CONFIG);
	} else {
		invalid(req, r);
	}
}

static void handle_put(const struct http_request *req, const json_t *body,
		       struct api_reply *r)
{
	const char *p = req->path;
	const char *id;
	if (is(p, "/actions")) {
		put_actions(body, r);
		count(r, M_PUT_ACTIONS, M_PUT_ACTIONS_FAIL);
	} else if (is(p, "/boot-source")) {
		put_boot_source(body, r);
		count(r, M_PUT_BOOT_SOURCE, M_PUT_BOOT_SOURCE_FAIL);
	} else if (is(p, "/machine-config")) {
		put_machine_config(body, false, r);
		count(r, M_PUT_MACHINE_CFG, M_PUT_MACHINE_CFG_FAIL);
	} else if ((id = path_id(p, "/drives/"))) {
		put_drive(id, body, r);
		count(r, M_PUT_DRIVE, M_PUT_DRIVE_FAIL);
	} else if ((id = path_id(p, "/network-interfaces/"))) {
		put_network(id, body, r);
		count(r, M_PUT_NETWORK, M_PUT_NETWORK_FAIL);
	} else if (is(p, "/logger")) {
		put_logger(body, r);
		count(r, M_PUT_LOGGER, M_PUT_LOGGER_FAIL);
	} else if (is(p, "/metrics")) {
		put_metrics(body, r);
		count(r, M_PUT_METRICS, M_PUT_METRICS_FAIL);
	} else if (is(p, "/entropy")) {
		put_entropy(body, r);
		count(r, M_PUT_ENTROPY, M_PUT_ENTROPY_FAIL);
	} else if (is(p, "/vsock")) {
		put_vsock(body, r);
		count(r, M_PUT_VSOCK, M_PUT_VSOCK_FAIL);
	} else {
		invalid(req, r);
	}
}

static void handle_patch(const struct http_request *req, const json_t *body,
			 struct api_reply *r)
{
	const char *p = req->path;
	const char *id;
	if (is(p, "/vm")) {
		patch_vm(body, r);
		count(r, M_PATCH_VM, M_PATCH_VM_FAIL);
	} else if (is(p, "/machine-config")) {
		put_machine_config(body, true, r);
		count(r, M_PATCH_MACHINE_CFG, M_PATCH_MACHINE_CFG_FAIL);
	} else if ((id = path_id(p, "/drives/"))) {
		patch_drive(id, body, r);
		count(r, M_PATCH_DRIVE, M_PATCH_DRIVE_FAIL);
	} else if ((id = path_id(p, "/network-interfaces/"))) {
		patch_network(id, body, r);
		count(r, M_PATCH_NETWORK, M_PATCH_NETWORK_FAIL);
	} else {
		invalid(req, r);
	}
}

void api_routes_handle(const struct http_request *req, struct api_reply *r)
{
	reply_ok(r);
	log_debug("The API server received a %s request on \"%s\".", req->method_name, req->path);
	const char *why = unsupported_reason(req->path);
	if (why) {
		reply_fault(r, "%s %s is not supported by millivm (%s).", req->method_name,
			    req->path, why);
		metrics_inc(M_PUT_UNSUPPORTED);
		return;
	}
	/* A drive id in the path must be a valid id before anything else looks at it. */
	const char *id = path_id(req->path, "/drives/");
	if (id && !config_json_valid_id(id)) {
		reply_fault(r, "Invalid drive id \"%.80s\": 1-%d letters, digits or '_'.", id,
			    FC_ID_MAX);
		return;
	}
	id = path_id(req->path, "/network-interfaces/");
	if (id && !config_json_valid_id(id)) {
		reply_fault(r, "Invalid iface id \"%.80s\": 1-%d letters, digits or '_'.", id,
			    FC_ID_MAX);
		return;
	}
	if (req->method == HTTP_GET) {
		if (req->body_len)
			reply_fault(r, "GET request cannot have a body.");
		else
			handle_get(req, r);
		return;
	}
	if (req->method != HTTP_PUT && req->method != HTTP_PATCH) {
		invalid(req, r);
		return;
	}
	if (req->body_len == 0) {
		reply_fault(r, "Empty %s request.", req->method_name);
		return;
	}
	struct error err;
	json_t *body = config_json_parse_text(req->body, req->body_len, "request body", &err);
	if (!body) {
		reply_fault(r, "%s", err.msg);
		return;
	}
	if (req->method == HTTP_PUT)
		handle_put(req, body, r);
	else
		handle_patch(req, body, r);
	json_decref(body);
}
