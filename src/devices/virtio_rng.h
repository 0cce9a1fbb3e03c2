/* SPDX-License-Identifier: BSD-2-Clause */
/* virtio-rng (entropy device): every writable buffer the driver queues is filled from the
 * host's getrandom(2). */
#ifndef MILLIVM_VIRTIO_RNG_H
#define MILLIVM_VIRTIO_RNG_H

#include "core/error.h"
#include "core/guest_mem.h"
#include "devices/virtio_mmio.h"

struct virtio_mmio *virtio_rng_create(const struct guest_mem *mem, struct error *err);
void virtio_rng_destroy(struct virtio_mmio *t);

#endif
