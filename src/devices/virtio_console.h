/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-console, port 0 only (no MULTIPORT): transmitq goes to an output fd (stdout), host
 * input (stdin, through core/console.c) goes to receiveq. The guest names it hvc0 (Linux)
 * or viocon0 (NetBSD).
 */
#ifndef MILLIVM_VIRTIO_CONSOLE_H
#define MILLIVM_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/guest_mem.h"
#include "devices/virtio_mmio.h"

struct virtio_mmio *virtio_console_create(const struct guest_mem *mem, int out_fd,
					  struct error *err);
void virtio_console_destroy(struct virtio_mmio *t);

/*
 * Host input for the guest (a console_input_fn; opaque is the transport). Buffered until the
 * driver has receive buffers; blocks while the buffer is full. Thread-safe.
 */
void virtio_console_input(void *opaque, const uint8_t *buf, size_t len);

#endif
