/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/config_json_net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/config_json.h"
#include "api/json_fields.h"
#include "core/net_options.h"

#define NO_RATE_LIMITERS "no rate limiters"

static const char *const net_keys[] = { "iface_id", "host_dev_name", "guest_mac",
					"rx_rate_limiter", "tx_rate_limiter", NULL };

static struct fc_net *find_net(struct fc_config *fc, const char *id)
{
	for (unsigned i = 0; i < fc->nnets; i++)
		if (strcmp(fc->nets[i].id, id) == 0)
			return &fc->nets[i];
	return NULL;
}

int config_json_net(const json_t *body, const char *path_id, const char *where,
		    struct fc_config *fc, struct error *err)
{
	const char *id = NULL, *dev = NULL, *mac_text = NULL;
	struct fc_net n = { 0 };
	if (json_check_object(body, where, net_keys, err) < 0 ||
	    json_get_string(body, "iface_id", where, true, &id, err) < 0 ||
	    json_get_string(body, "host_dev_name", where, true, &dev, err) < 0 ||
	    json_get_string(body, "guest_mac", where, false, &mac_text, err) < 0 ||
	    json_refuse(body, "rx_rate_limiter", where, NO_RATE_LIMITERS, err) < 0 ||
	    json_refuse(body, "tx_rate_limiter", where, NO_RATE_LIMITERS, err) < 0)
		return -1;
	if (!config_json_valid_id(id))
		return error_set(err, "%s: 'iface_id' \"%.80s\" must be 1-%d letters, digits or '_'",
				 where, id, FC_ID_MAX);
	if (path_id && strcmp(id, path_id) != 0)
		return error_set(err, "%s: the iface_id in the body (\"%s\") differs from the "
				      "path's (\"%.80s\")", where, id, path_id);
	if (!*dev || strlen(dev) >= 16)
		return error_set(err, "%s: 'host_dev_name' \"%.80s\" must be 1-15 characters", where,
				 dev);
	if (mac_text && net_parse_mac(mac_text, n.mac, err) < 0)
		return error_prefix(err, "%s: 'guest_mac'", where);
	n.mac_set = mac_text != NULL;
	struct fc_net *slot = find_net(fc, id);
	for (unsigned i = 0; i < fc->nnets; i++)
		if (&fc->nets[i] != slot && strcmp(fc->nets[i].host_dev_name, dev) == 0)
			return error_set(err, "%s: host_dev_name '%s' is already used by '%s'", where,
					 dev, fc->nets[i].id);
	if (!slot && fc->nnets >= VM_MAX_NETS)
		return error_set(err, "%s: at most %d network interfaces", where, VM_MAX_NETS);
	n.id = strdup(id);
	n.host_dev_name = strdup(dev);
	if (!n.id || !n.host_dev_name) {
		free(n.id);
		free(n.host_dev_name);
		return error_set(err, "%s: out of memory", where);
	}
	if (!slot)
		slot = &fc->nets[fc->nnets++];
	free(slot->id);
	free(slot->host_dev_name);
	*slot = n;
	return 0;
}

int config_json_net_patch(const json_t *body, const char *path_id, struct error *err)
{
	const char *where = "network-interface";
	const char *id = NULL;
	if (json_check_object(body, where, net_keys, err) < 0 ||
	    json_get_string(body, "iface_id", where, true, &id, err) < 0)
		return -1;
	if (strcmp(id, path_id) != 0)
		return error_set(err, "%s: the iface_id in the body (\"%.80s\") differs from the "
				      "path's (\"%s\")", where, id, path_id);
	return error_set(err, "%s: PATCH only updates rate limiters, which millivm does not "
			      "support", where);
}

int config_json_document_nets(const json_t *nets, struct fc_config *fc, struct error *err)
{
	if (!nets || json_is_null(nets))
		return 0;
	if (!json_is_array(nets))
		return error_set(err, "network-interfaces: must be an array");
	size_t i;
	json_t *v;
	json_array_foreach(nets, i, v) {
		char where[48];
		snprintf(where, sizeof(where), "network-interfaces[%zu]", i);
		const char *id;
		if (json_is_object(v) && (id = json_string_value(json_object_get(v, "iface_id"))) &&
		    find_net(fc, id))
			return error_set(err, "%s: iface_id \"%.80s\" appears twice", where, id);
		if (config_json_net(v, NULL, where, fc, err) < 0)
			return -1;
	}
	return 0;
}

json_t *config_json_nets_export(const struct fc_config *fc)
{
	json_t *a = json_array();
	for (unsigned i = 0; i < fc->nnets; i++) {
		const struct fc_net *n = &fc->nets[i];
		json_t *mac = json_null();
		if (n->mac_set) {
			char text[18];
			snprintf(text, sizeof(text), "%02x:%02x:%02x:%02x:%02x:%02x", n->mac[0],
				 n->mac[1], n->mac[2], n->mac[3], n->mac[4], n->mac[5]);
			mac = json_string(text);
		}
		json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:n, s:n}", "iface_id", n->id,
						   "host_dev_name", n->host_dev_name, "guest_mac",
						   mac, "rx_rate_limiter", "tx_rate_limiter"));
	}
	return a;
}
