/* SPDX-License-Identifier: BSD-2-Clause */
/* User-mode networking (--net user) through libslirp: no privileges, NAT to the host. */
#ifndef MILLIVM_NET_SLIRP_H
#define MILLIVM_NET_SLIRP_H

#include "core/error.h"
#include "core/vm_config.h"
#include "devices/net_backend.h"

struct net_backend *net_slirp_create(const struct net_config *cfg, struct error *err);

#endif
