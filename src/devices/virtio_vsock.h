/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-vsock (virtio 1.2, 5.10) in the monitor, stream sockets only, with Firecracker's
 * hybrid host side (vsock_uds.c): the guest's AF_VSOCK connections end on Unix sockets.
 * Queues: rx (device -> guest packets), tx (guest -> device, handled on the vCPU's notify),
 * event (buffers kept, nothing sent). The packet rules live in vsock_conn.c.
 *
 * Everything runs under the transport lock: the vCPU's tx work and the host thread's socket
 * events (which take it themselves, as virtio_console.c's input does).
 */
#ifndef MILLIVM_VIRTIO_VSOCK_H
#define MILLIVM_VIRTIO_VSOCK_H

#include <linux/virtio_vsock.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "core/vm_config.h"
#include "devices/virtio_mmio.h"
#include "devices/vsock_conn.h"

#define VSOCK_RXQ 0
#define VSOCK_TXQ 1
#define VSOCK_EVQ 2
/* Control packets (REQUEST, RESPONSE, SHUTDOWN, RST, CREDIT_*) waiting for rx buffers. */
#define VSOCK_CTRL_QUEUE 4096u

struct vsock_uds;

struct virtio_vsock {
	struct virtio_mmio transport;
	struct virtio_vsock_config config;
	struct vsock_table table;
	struct vsock_conn conns[VSOCK_MAX_CONNS];
	struct virtio_vsock_hdr ctrl[VSOCK_CTRL_QUEUE];
	unsigned ctrl_head, ctrl_count;
	bool ctrl_overflow_logged;
	bool rx_starved; /* the host side stopped reading for want of rx buffers */
	struct vsock_uds *host;
};

/* Creates the device and its host side (listening on cfg->uds_path, thread started). */
struct virtio_mmio *virtio_vsock_create(const struct guest_mem *mem,
					const struct vsock_config *cfg, struct error *err);
void virtio_vsock_destroy(struct virtio_mmio *t);

/* --- For the host side, with transport.lock held --- */

/* Queue a control packet on c for the guest and deliver what fits. */
void virtio_vsock_send_ctrl(struct virtio_vsock *v, struct vsock_conn *c, uint16_t op,
			    uint32_t flags);
/* Reset c towards the guest (RST), tell the host side, free the slot. */
void virtio_vsock_reset_conn(struct virtio_vsock *v, struct vsock_conn *c);

enum vsock_rx_result {
	VSOCK_RX_AGAIN,     /* the socket has nothing more for now */
	VSOCK_RX_NO_CREDIT, /* the guest must consume first (CREDIT_UPDATE resumes) */
	VSOCK_RX_STARVED,   /* no rx buffers (the driver's next rx notify resumes) */
	VSOCK_RX_EOF,       /* the host peer will send nothing more */
	VSOCK_RX_ERROR,     /* reading failed (errno) */
	VSOCK_RX_BUSY,      /* delivered a few packets; come back for more (fairness) */
};
/* Read from fd straight into the guest's rx buffers, as far as credit and buffers allow. */
enum vsock_rx_result virtio_vsock_rx_from_fd(struct virtio_vsock *v, struct vsock_conn *c,
					     int fd);

#endif
