/* SPDX-License-Identifier: BSD-2-Clause */
/* --net tap=NAME[,mac=..] | user[,...] and MAC addresses, for the command line and the API. */
#ifndef MILLIVM_NET_OPTIONS_H
#define MILLIVM_NET_OPTIONS_H

#include <stdint.h>

#include "core/error.h"
#include "core/vm_config.h"

/* Add one interface from spec (kept: cfg points into it). 0, or -1 with a one-line message. */
int net_options_add(struct vm_config *cfg, char *spec, struct error *err);

/* "02:00:00:aa:bb:cc" -> mac: 0, or -1 with a message (bad hex, multicast, all zero). */
int net_parse_mac(const char *text, uint8_t mac[6], struct error *err);

#endif
