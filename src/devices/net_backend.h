/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What virtio-net (src/devices/virtio_net.c) needs from a host network backend: the tap
 * device (net_tap.c) or user-mode networking through libslirp (net_slirp.c).
 *
 * Frames cross this interface with the 12-byte struct virtio_net_hdr_v1 in front (the modern
 * virtio header; a tap opened with IFF_VNET_HDR and TUNSETVNETHDRSZ 12 speaks it natively, so
 * the tap path passes guest buffers straight through). A backend that cannot take offloaded
 * frames says so in `offloads` and the device does not offer those features.
 */
#ifndef MILLIVM_NET_BACKEND_H
#define MILLIVM_NET_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/error.h"

struct net_backend;

/*
 * Host -> guest: hand one frame (virtio_net_hdr_v1 first) to the device, from the backend's
 * own thread. Returns false when the guest has no receive buffer: the backend keeps the frame
 * (or drops it, as a NIC would) and waits for rx_ready before delivering again.
 */
typedef bool (*net_deliver_fn)(void *opaque, const struct iovec *iov, unsigned iovcnt);

/* Offloads a backend accepts from the guest and may hand to it (virtio-net feature bits). */
#define NET_OFFLOAD_CSUM (1u << 0) /* partial checksums both ways (VIRTIO_NET_F_CSUM/GUEST_CSUM) */
#define NET_OFFLOAD_TSO (1u << 1)  /* TCP segmentation, IPv4 and IPv6 (HOST_TSO*, GUEST_TSO*) */
#define NET_OFFLOAD_UFO (1u << 2)  /* UDP fragmentation (HOST_UFO, GUEST_UFO) */
#define NET_OFFLOAD_ECN (1u << 3)  /* TSO with ECN (HOST_ECN, GUEST_ECN) */

struct net_backend_ops {
	/* Start delivering (spawns the backend's thread). */
	int (*start)(struct net_backend *be, net_deliver_fn deliver, void *opaque,
		     struct error *err);
	/* Guest -> host: one frame, virtio_net_hdr_v1 first. 0, or -1 when it was dropped. */
	int (*send)(struct net_backend *be, const struct iovec *iov, unsigned iovcnt);
	/* The guest added receive buffers: deliver again. Thread-safe, cheap when not waiting. */
	void (*rx_ready)(struct net_backend *be);
	/* The device accepted these NET_OFFLOAD_* from the guest's features (tap: TUNSETOFFLOAD). */
	int (*set_offloads)(struct net_backend *be, uint32_t offloads);
	/* Stop the thread and free everything. */
	void (*destroy)(struct net_backend *be);
};

struct net_backend {
	const struct net_backend_ops *ops;
	uint32_t offloads; /* NET_OFFLOAD_* the backend supports */
	const char *name;  /* "tap0", "user": messages */
};

#endif
