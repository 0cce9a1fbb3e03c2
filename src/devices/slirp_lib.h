/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libslirp, loaded when the first `--net user` backend is created rather than linked: Debian
 * ships it (and glib) as shared libraries only, and a static millivm keeps its 1.4 MiB peak
 * RSS for every VM without user networking (measured: linking libslirp and glib dynamically
 * costs every boot ~2 MiB more; the numbers are in the README).
 */
#ifndef MILLIVM_SLIRP_LIB_H
#define MILLIVM_SLIRP_LIB_H

#include <slirp/libslirp.h>

#include "core/error.h"

/* The libslirp entry points net_slirp.c uses: field x is libslirp's slirp_x. */
struct slirp_lib {
	const char *(*version_string)(void);
	Slirp *(*new_)(const SlirpConfig *cfg, const SlirpCb *callbacks, void *opaque);
	void (*cleanup)(Slirp *slirp);
	void (*input)(Slirp *slirp, const uint8_t *pkt, int pkt_len);
	void (*pollfds_fill)(Slirp *slirp, uint32_t *timeout, SlirpAddPollCb add_poll,
			     void *opaque);
	void (*pollfds_poll)(Slirp *slirp, int select_error, SlirpGetREventsCb get_revents,
			     void *opaque);
	int (*add_hostfwd)(Slirp *slirp, int is_udp, struct in_addr host_addr, int host_port,
			   struct in_addr guest_addr, int guest_port);
};

/* Load libslirp.so.0 once (thread-safe); NULL and a one-line reason when it cannot be. */
const struct slirp_lib *slirp_lib_load(struct error *err);

#endif
