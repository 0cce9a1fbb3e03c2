/* SPDX-License-Identifier: BSD-2-Clause */
#include "net_options.h"

#include <string.h>

#include "core/parse.h"

int net_parse_mac(const char *text, uint8_t mac[6], struct error *err)
{
	const char *p = text;
	for (int i = 0; i < 6; i++) {
		int hi = parse_hex_digit(p[0]), lo = hi < 0 ? -1 : parse_hex_digit(p[1]);
		if (lo < 0 || (i < 5 && p[2] != ':') || (i == 5 && p[2] != '\0'))
			return error_set(err, "MAC '%s': use six hex bytes like 02:00:00:aa:bb:cc",
					 text);
		mac[i] = (uint8_t)(hi << 4 | lo);
		p += 3;
	}
	if (mac[0] & 1)
		return error_set(err, "MAC '%s': multicast (lowest bit of the first byte set), "
				      "not an interface address", text);
	static const uint8_t zero[6];
	if (memcmp(mac, zero, 6) == 0)
		return error_set(err, "MAC '%s': the all-zero address is not valid", text);
	return 0;
}

/* tap=NAME[,mac=..]: the tap name may not contain commas (interface names cannot). */
static int parse_tap(struct net_config *n, char *spec, struct error *err)
{
	char *save = NULL;
	char *first = strtok_r(spec, ",", &save);
	n->kind = NET_TAP;
	n->tap_name = first + 4;
	if (!*n->tap_name)
		return error_set(err, "--net tap=: no tap device name");
	for (char *opt = strtok_r(NULL, ",", &save); opt; opt = strtok_r(NULL, ",", &save)) {
		if (strncmp(opt, "mac=", 4) == 0) {
			if (net_parse_mac(opt + 4, n->mac, err) < 0)
				return error_prefix(err, "--net tap=%s", n->tap_name);
			n->mac_set = true;
		} else {
			return error_set(err, "--net tap=%s: unknown option '%s' (mac=XX:XX:XX:XX:XX:XX)",
					 n->tap_name, opt);
		}
	}
	return 0;
}

/* user[,KEY=VALUE...]: mac= is the device's; the rest is for the backend (net_user_opts.c). */
static int parse_user(struct net_config *n, char *spec, struct error *err)
{
	n->kind = NET_USER;
	n->user_opts = spec[4] ? spec + 5 : NULL;
	for (const char *opt = n->user_opts; opt; opt = strchr(opt, ',') ? strchr(opt, ',') + 1 : NULL) {
		if (strncmp(opt, "mac=", 4) != 0)
			continue;
		char mac[32];
		size_t len = strcspn(opt + 4, ",");
		if (len >= sizeof(mac))
			return error_set(err, "--net user: 'mac=%.*s': not a MAC address", (int)len,
					 opt + 4);
		memcpy(mac, opt + 4, len);
		mac[len] = '\0';
		if (net_parse_mac(mac, n->mac, err) < 0)
			return error_prefix(err, "--net user");
		n->mac_set = true;
	}
	return 0;
}

int net_options_add(struct vm_config *cfg, char *spec, struct error *err)
{
	if (cfg->nnets >= VM_MAX_NETS)
		return error_set(err, "--net: more than %d interfaces", VM_MAX_NETS);
	struct net_config *n = &cfg->nets[cfg->nnets];
	memset(n, 0, sizeof(*n));
	if (strncmp(spec, "tap=", 4) == 0) {
		if (parse_tap(n, spec, err) < 0)
			return -1;
	} else if (strcmp(spec, "user") == 0 || strncmp(spec, "user,", 5) == 0) {
		if (parse_user(n, spec, err) < 0)
			return -1;
	} else {
		return error_set(err, "--net '%s': use tap=NAME[,mac=..] or user[,mac=..,hostfwd=..]", spec);
	}
	cfg->nnets++;
	return 0;
}
