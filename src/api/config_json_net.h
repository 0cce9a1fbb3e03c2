/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's network interfaces: the config file's "network-interfaces" array, PUT and
 * PATCH /network-interfaces/{iface_id}, and their part of GET /vm/config. Each is a tap
 * device (host_dev_name) behind virtio-net; rate limiters are not supported.
 */
#ifndef MILLIVM_API_CONFIG_JSON_NET_H
#define MILLIVM_API_CONFIG_JSON_NET_H

#include <jansson.h>

#include "api/fc_config.h"
#include "core/error.h"

/* One interface body; path_id: the URL's {iface_id}, which must match (NULL: config file). */
int config_json_net(const json_t *body, const char *path_id, const char *where,
		    struct fc_config *fc, struct error *err);
/* PATCH after boot: Firecracker only updates rate limiters there, which millivm lacks. */
int config_json_net_patch(const json_t *body, const char *path_id, struct error *err);
/* The config file's array (absent or null: none). */
int config_json_document_nets(const json_t *nets, struct fc_config *fc, struct error *err);
json_t *config_json_nets_export(const struct fc_config *fc);

#endif
