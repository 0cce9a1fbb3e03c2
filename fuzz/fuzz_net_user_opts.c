/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libFuzzer target: the `--net user,...` option parser (src/devices/net_user_opts.c).
 *
 * Input: the option text, as a NUL-terminated string in an exact-size heap buffer (a NUL
 * inside the input ends it, as argv would). On success the options must obey what the header
 * promises (contiguous /1-/30 net without host bits, gateway/DNS/DHCP inside it, 1-32
 * forwards with ports 1-65535 and a guest address) and survive format -> parse unchanged; on
 * failure the message is non-empty and one line (unless the input itself held a newline,
 * which the message quotes). Parsing the same text twice gives the same answer.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "devices/net_user_opts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool inside(const struct net_user_opts *o, struct in_addr a)
{
	return (a.s_addr & o->mask.s_addr) == o->net.s_addr;
}

static void check_opts(const struct net_user_opts *o)
{
	uint32_t mask = ntohl(o->mask.s_addr);
	int prefix = __builtin_popcount(mask);
	if (prefix < 1 || prefix > 30 || mask != 0xffffffffu << (32 - prefix))
		abort();
	if ((o->net.s_addr & ~o->mask.s_addr) != 0)
		abort();
	if (!inside(o, o->host) || !inside(o, o->dns) || !inside(o, o->dhcp_start))
		abort();
	if (o->nfwds > NET_USER_MAX_FWDS)
		abort();
	for (unsigned i = 0; i < o->nfwds; i++) {
		const struct net_user_fwd *f = &o->fwds[i];
		if (f->host_port == 0 || f->guest_port == 0 || f->guest_addr.s_addr == INADDR_ANY)
			abort();
	}
}

static bool same(const struct net_user_opts *a, const struct net_user_opts *b)
{
	if (a->net.s_addr != b->net.s_addr || a->mask.s_addr != b->mask.s_addr ||
	    a->host.s_addr != b->host.s_addr || a->dhcp_start.s_addr != b->dhcp_start.s_addr ||
	    a->dns.s_addr != b->dns.s_addr || a->restricted != b->restricted ||
	    a->nfwds != b->nfwds)
		return false;
	for (unsigned i = 0; i < a->nfwds; i++) {
		const struct net_user_fwd *f = &a->fwds[i], *g = &b->fwds[i];
		if (f->udp != g->udp || f->host_addr.s_addr != g->host_addr.s_addr ||
		    f->host_port != g->host_port || f->guest_addr.s_addr != g->guest_addr.s_addr ||
		    f->guest_port != g->guest_port)
			return false;
	}
	return true;
}

static size_t append(char *buf, size_t cap, size_t n, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static size_t append(char *buf, size_t cap, size_t n, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(buf + n, cap - n, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= cap - n)
		abort();
	return n + (size_t)w;
}

/* The options written back as text: parsing it must give them again. */
static void format_opts(const struct net_user_opts *o, char *buf, size_t cap)
{
	char net[INET_ADDRSTRLEN], host[INET_ADDRSTRLEN], dns[INET_ADDRSTRLEN],
		dhcp[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, &o->net, net, sizeof(net));
	inet_ntop(AF_INET, &o->host, host, sizeof(host));
	inet_ntop(AF_INET, &o->dns, dns, sizeof(dns));
	inet_ntop(AF_INET, &o->dhcp_start, dhcp, sizeof(dhcp));
	size_t n = append(buf, cap, 0, "net=%s/%d,host=%s,dns=%s,dhcpstart=%s,restrict=%s", net,
			  __builtin_popcount(o->mask.s_addr), host, dns, dhcp,
			  o->restricted ? "on" : "off");
	for (unsigned i = 0; i < o->nfwds; i++) {
		const struct net_user_fwd *f = &o->fwds[i];
		char ha[INET_ADDRSTRLEN] = "", ga[INET_ADDRSTRLEN];
		if (f->host_addr.s_addr != INADDR_ANY)
			inet_ntop(AF_INET, &f->host_addr, ha, sizeof(ha));
		inet_ntop(AF_INET, &f->guest_addr, ga, sizeof(ga));
		n = append(buf, cap, n, ",hostfwd=%s:%s:%u-%s:%u", f->udp ? "udp" : "tcp", ha,
			   f->host_port, ga, f->guest_port);
	}
}

static void check_error(const char *text, const struct error *err)
{
	if (err->msg[0] == '\0')
		abort(); /* every failure says why */
	if (strchr(err->msg, '\n') && !strchr(text, '\n'))
		abort(); /* one line */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';

	static struct net_user_opts first, second;
	struct error err1 = { { 0 } }, err2 = { { 0 } };
	int rc1 = net_user_opts_parse(text, &first, &err1);
	int rc2 = net_user_opts_parse(text, &second, &err2);
	if (rc1 != rc2 || (rc1 != 0 && rc1 != -1))
		abort();
	if (rc1 < 0) {
		check_error(text, &err1);
		if (strcmp(err1.msg, err2.msg) != 0)
			abort();
	} else {
		check_opts(&first);
		if (!same(&first, &second))
			abort();
		static char again[8192];
		format_opts(&first, again, sizeof(again));
		struct error err3 = { { 0 } };
		if (net_user_opts_parse(again, &second, &err3) != 0 || !same(&first, &second))
			abort(); /* what was accepted does not read back the same */
	}
	free(text);
	return 0;
}
