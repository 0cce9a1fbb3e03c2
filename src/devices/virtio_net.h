/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-net (modern, one receiveq/transmitq pair, no control queue) on a struct net_backend:
 * a tap device (net_tap.c) or user-mode networking (net_slirp.c). Transmit runs on the
 * notifying vCPU's thread; receive comes from the backend's thread through the deliver
 * callback, under the transport lock.
 */
#ifndef MILLIVM_VIRTIO_NET_H
#define MILLIVM_VIRTIO_NET_H

#include <stdint.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "core/vm_config.h"
#include "devices/net_backend.h"
#include "devices/virtio_mmio.h"

/*
 * The device owns be from here on (also on failure) and starts it. mac is the address the
 * guest reads from the configuration space. index names the device ("virtio-net0").
 */
struct virtio_mmio *virtio_net_create(const struct guest_mem *mem, struct net_backend *be,
				      const uint8_t mac[6], unsigned index, struct error *err);
void virtio_net_destroy(struct virtio_mmio *t);

/*
 * The MAC of an interface given without mac=: locally administered, unicast, and stable: a
 * hash of the VM id (--id) and the interface index, or without an id of the tap name (or
 * "user") and the index.
 */
void virtio_net_default_mac(const char *vm_id, const struct net_config *cfg, unsigned index,
			    uint8_t mac[6]);

#endif
