/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The options of `--net user,...` in QEMU's -netdev user syntax, parsed without libslirp so
 * the unit tests and the command line can check them before anything is loaded:
 *   hostfwd=[tcp|udp]:[HOSTADDR]:HOSTPORT-[GUESTADDR]:GUESTPORT   (repeatable)
 *   net=ADDR[/PREFIX|/MASK]  host=ADDR  dhcpstart=ADDR  dns=ADDR  restrict=on|off
 * Defaults are QEMU's: net 10.0.2.0/24, gateway .2, DNS .3, DHCP from .15; a forward with no
 * guest address goes to the first DHCP address, one with no host address listens on all.
 */
#ifndef MILLIVM_NET_USER_OPTS_H
#define MILLIVM_NET_USER_OPTS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define NET_USER_MAX_FWDS 32

struct net_user_fwd {
	bool udp;
	struct in_addr host_addr; /* INADDR_ANY: all host addresses */
	uint16_t host_port;
	struct in_addr guest_addr;
	uint16_t guest_port;
};

struct net_user_opts {
	struct in_addr net, mask; /* network byte order, like every in_addr */
	struct in_addr host;      /* the gateway the guest sees (and the host's own address) */
	struct in_addr dhcp_start;
	struct in_addr dns;
	bool restricted; /* restrict=on: the guest reaches only the forwards, never the outside */
	struct net_user_fwd fwds[NET_USER_MAX_FWDS];
	unsigned nfwds;
};

/* Parse TEXT (may be NULL or empty: all defaults). On error, one line naming the token. */
int net_user_opts_parse(const char *text, struct net_user_opts *opts, struct error *err);

#endif
