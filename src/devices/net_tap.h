/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The tap backend of virtio-net: an existing tap device (Firecracker's host_dev_name), opened
 * with IFF_VNET_HDR so frames cross with the 12-byte virtio_net_hdr_v1 and offloads work
 * end to end. One reader thread per tap delivers frames to the guest.
 */
#ifndef MILLIVM_NET_TAP_H
#define MILLIVM_NET_TAP_H

#include "core/error.h"
#include "devices/net_backend.h"

/* Opens the tap named name (it must exist and be unused). */
struct net_backend *net_tap_create(const char *name, struct error *err);

#endif
