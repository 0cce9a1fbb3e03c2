/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The host side of virtio-vsock, Firecracker's hybrid protocol (its docs/vsock.md):
 *  - host-initiated: a client connects to the Unix socket PATH, writes "CONNECT <port>\n",
 *    and once the guest accepts reads "OK <host_port>\n"; then the stream is raw.
 *  - guest-initiated: a guest connection to host port P becomes a connection to "PATH_P".
 * One thread (seccomp role "vsock") runs an epoll loop over the listener and every socket.
 * Nothing here ever blocks: a slow host peer fills its connection's buffer (as large as the
 * credit we advertise), a vanished one gets the guest an RST.
 */
#ifndef MILLIVM_VSOCK_UDS_H
#define MILLIVM_VSOCK_UDS_H

#include <stdint.h>

#include "core/error.h"
#include "devices/virtqueue.h"
#include "devices/vsock_conn.h"

struct virtio_vsock;
struct vsock_uds;

/* Bind and listen on path (a stale socket file there is replaced; anything else refused). */
struct vsock_uds *vsock_uds_open(const char *path, struct error *err);
int vsock_uds_start(struct vsock_uds *u, struct virtio_vsock *dev, struct error *err);
/* Stop the thread (if started), close every socket. */
void vsock_uds_destroy(struct vsock_uds *u);

/* --- From the device, with the transport lock held --- */
void vsock_uds_connect(struct vsock_uds *u, struct vsock_conn *c);     /* guest REQUEST */
void vsock_uds_established(struct vsock_uds *u, struct vsock_conn *c); /* guest RESPONSE */
/* len accepted payload bytes at offset off of the chain's readable part. */
void vsock_uds_data(struct vsock_uds *u, struct vsock_conn *c, const struct vq_chain *chain,
		    uint64_t off, uint32_t len);
void vsock_uds_changed(struct vsock_uds *u, struct vsock_conn *c); /* shutdown, credit */
void vsock_uds_closed(struct vsock_uds *u, struct vsock_conn *c);  /* slot about to go */
void vsock_uds_rx_ready(struct vsock_uds *u); /* rx buffers are back */

#endif
