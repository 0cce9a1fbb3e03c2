/* SPDX-License-Identifier: BSD-2-Clause */
/* `--net user`: user-mode networking through libslirp (src/devices/net_slirp.c). */
#ifndef MILLIVM_NET_SLIRP_H
#define MILLIVM_NET_SLIRP_H

#include "core/error.h"
#include "core/vm_config.h"
#include "devices/net_backend.h"

struct net_backend *net_slirp_create(const struct net_config *cfg, struct error *err);

#endif
