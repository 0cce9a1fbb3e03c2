/* SPDX-License-Identifier: BSD-2-Clause */
#include "devices/net_user_opts.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "core/parse.h"

/* One comma-separated token, copied so it can be cut up and still be quoted in messages. */
#define TOKEN_MAX 128

struct seen {
	bool net, host, dhcp_start, dns;
};

static int parse_addr(const char *text, struct in_addr *out)
{
	return inet_pton(AF_INET, text, out) == 1 ? 0 : -1;
}

static int parse_port(const char *text, uint16_t *port)
{
	struct error ignored;
	unsigned long v;
	if (parse_uint_range(text, 1, 65535, &v, &ignored) < 0)
		return -1;
	*port = (uint16_t)v;
	return 0;
}

/* ADDR/PREFIX or ADDR/MASK (contiguous), or ADDR alone with QEMU's /24. */
static int parse_net(const char *token, char *value, struct net_user_opts *o, struct error *err)
{
	char *slash = strchr(value, '/');
	uint32_t mask = 0xffffff00u;
	if (slash) {
		*slash = '\0';
		const char *m = slash + 1;
		struct in_addr dotted;
		unsigned long prefix;
		struct error ignored;
		if (parse_uint_range(m, 1, 30, &prefix, &ignored) == 0) {
			mask = 0xffffffffu << (32 - prefix);
		} else if (strchr(m, '.') && parse_addr(m, &dotted) == 0) {
			mask = ntohl(dotted.s_addr);
			if (mask == 0 || (~mask & (~mask + 1)) != 0 || (mask & 3) != 0)
				return error_set(err, "'%s': netmask '%s' is not contiguous /1-/30",
						 token, m);
		} else {
			return error_set(err, "'%s': prefix '%s' is not a number 1-30 or a netmask",
					 token, m);
		}
	}
	if (parse_addr(value, &o->net) < 0)
		return error_set(err, "'%s': '%s' is not an IPv4 address", token, value);
	if ((ntohl(o->net.s_addr) & ~mask) != 0)
		return error_set(err, "'%s': host bits set in the network address", token);
	o->mask.s_addr = htonl(mask);
	return 0;
}

/* [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT */
static int parse_hostfwd(const char *token, char *value, struct net_user_opts *o,
			 struct error *err)
{
	if (o->nfwds == NET_USER_MAX_FWDS)
		return error_set(err, "'%s': more than %d forwards", token, NET_USER_MAX_FWDS);
	struct net_user_fwd *f = &o->fwds[o->nfwds];
	memset(f, 0, sizeof(*f));
	char *proto = value, *hostaddr = strchr(value, ':');
	if (!hostaddr)
		return error_set(err, "'%s': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
				 token);
	*hostaddr++ = '\0';
	if (strcmp(proto, "udp") == 0)
		f->udp = true;
	else if (strcmp(proto, "tcp") != 0 && proto[0] != '\0')
		return error_set(err, "'%s': protocol '%s' is not tcp or udp", token, proto);
	char *hostport = strchr(hostaddr, ':');
	char *dash = hostport ? strchr(hostport, '-') : NULL;
	char *guestport = dash ? strrchr(dash, ':') : NULL;
	if (!hostport || !dash || !guestport)
		return error_set(err, "'%s': expected [tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT",
				 token);
	*hostport++ = '\0';
	*dash = '\0';
	char *guestaddr = dash + 1;
	*guestport++ = '\0';
	if (hostaddr[0] != '\0' && parse_addr(hostaddr, &f->host_addr) < 0)
		return error_set(err, "'%s': host address '%s' is not an IPv4 address", token,
				 hostaddr);
	if (parse_port(hostport, &f->host_port) < 0)
		return error_set(err, "'%s': host port '%s' is not a number 1-65535", token,
				 hostport);
	if (guestaddr[0] != '\0' && parse_addr(guestaddr, &f->guest_addr) < 0)
		return error_set(err, "'%s': guest address '%s' is not an IPv4 address", token,
				 guestaddr);
	if (parse_port(guestport, &f->guest_port) < 0)
		return error_set(err, "'%s': guest port '%s' is not a number 1-65535", token,
				 guestport);
	o->nfwds++;
	return 0;
}

static int parse_token(const char *token, struct net_user_opts *o, struct seen *seen,
		       struct error *err)
{
	char buf[TOKEN_MAX];
	if (strlen(token) >= sizeof(buf))
		return error_set(err, "'%.40s...': option too long", token);
	strcpy(buf, token);
	char *value = strchr(buf, '=');
	if (!value)
		return error_set(err, "'%s': expected KEY=VALUE", token);
	*value++ = '\0';
	const char *key = buf;
	struct in_addr *addr = NULL;
	if (strcmp(key, "hostfwd") == 0)
		return parse_hostfwd(token, value, o, err);
	if (strcmp(key, "mac") == 0)
		return 0; /* the device's, taken by --net's own parser (src/core/net_options.c) */
	if (strcmp(key, "net") == 0) {
		seen->net = true;
		return parse_net(token, value, o, err);
	}
	if (strcmp(key, "restrict") == 0) {
		if (strcmp(value, "on") == 0 || strcmp(value, "yes") == 0)
			o->restricted = true;
		else if (strcmp(value, "off") == 0 || strcmp(value, "no") == 0)
			o->restricted = false;
		else
			return error_set(err, "'%s': expected restrict=on or restrict=off", token);
		return 0;
	}
	if (strcmp(key, "host") == 0) {
		addr = &o->host;
		seen->host = true;
	} else if (strcmp(key, "dhcpstart") == 0) {
		addr = &o->dhcp_start;
		seen->dhcp_start = true;
	} else if (strcmp(key, "dns") == 0) {
		addr = &o->dns;
		seen->dns = true;
	} else {
		return error_set(err, "'%s': unknown option '%s' (known: hostfwd, net, host, "
				      "dhcpstart, dns, restrict, mac)", token, key);
	}
	if (parse_addr(value, addr) < 0)
		return error_set(err, "'%s': '%s' is not an IPv4 address", token, value);
	return 0;
}

static struct in_addr in_net(const struct net_user_opts *o, uint32_t host_part)
{
	struct in_addr a = { .s_addr = htonl(ntohl(o->net.s_addr) | host_part) };
	return a;
}

static bool inside(const struct net_user_opts *o, struct in_addr a)
{
	return (a.s_addr & o->mask.s_addr) == o->net.s_addr;
}

/* QEMU derives the gateway, DNS and DHCP addresses from net= unless they are given. */
static int finish(struct net_user_opts *o, const struct seen *seen, struct error *err)
{
	if (!seen->host)
		o->host = in_net(o, 2);
	if (!seen->dns)
		o->dns = in_net(o, 3);
	if (!seen->dhcp_start)
		o->dhcp_start = in_net(o, 15);
	static const char *const names[] = { "host", "dns", "dhcpstart" };
	const struct in_addr addrs[] = { o->host, o->dns, o->dhcp_start };
	for (unsigned i = 0; i < 3; i++) {
		if (!inside(o, addrs[i])) {
			char a[INET_ADDRSTRLEN], n[INET_ADDRSTRLEN];
			inet_ntop(AF_INET, &addrs[i], a, sizeof(a));
			inet_ntop(AF_INET, &o->net, n, sizeof(n));
			return error_set(err, "'%s=%s': not inside net=%s/%d", names[i], a, n,
					 __builtin_popcount(o->mask.s_addr));
		}
	}
	for (unsigned i = 0; i < o->nfwds; i++)
		if (o->fwds[i].guest_addr.s_addr == INADDR_ANY)
			o->fwds[i].guest_addr = o->dhcp_start;
	return 0;
}

int net_user_opts_parse(const char *text, struct net_user_opts *opts, struct error *err)
{
	memset(opts, 0, sizeof(*opts));
	opts->net.s_addr = htonl(0x0a000200u); /* 10.0.2.0/24 */
	opts->mask.s_addr = htonl(0xffffff00u);
	struct seen seen = { 0 };
	const char *p = text ? text : "";
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char token[TOKEN_MAX + 1];
		if (len == 0)
			return error_set(err, "empty option in '%s'", text);
		if (len > TOKEN_MAX)
			return error_set(err, "'%.40s...': option too long", p);
		memcpy(token, p, len);
		token[len] = '\0';
		if (parse_token(token, opts, &seen, err) < 0)
			return -1;
		p += len;
		if (*p == ',' && *++p == '\0')
			return error_set(err, "empty option at the end of '%s'", text);
	}
	return finish(opts, &seen, err);
}
