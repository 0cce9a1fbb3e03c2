/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * virtio-blk on a raw image file or block device: IN, OUT, FLUSH (fdatasync), GET_ID,
 * DISCARD and WRITE_ZEROES (fallocate), read-only disks. Requests that do not fit the disk
 * or the protocol fail with IOERR/UNSUPP; a broken ring makes the device need a reset.
 */
#ifndef MILLIVM_VIRTIO_BLK_H
#define MILLIVM_VIRTIO_BLK_H

#include "core/error.h"
#include "core/guest_mem.h"
#include "core/vm_config.h"
#include "devices/virtio_mmio.h"

/* Open the image and build the device; index names it ("virtio-blk0", "millivm-disk0"). */
struct virtio_mmio *virtio_blk_create(const struct guest_mem *mem, const struct drive_config *d,
				      unsigned index, struct error *err);

/*
 * A new backing file for a running disk (Firecracker's PATCH /drives/{id} path_on_host):
 * opened as the drive was (read-only or read-write) and locked the same way; the guest sees
 * the new image and its capacity, and gets a config-change interrupt. Requests in flight end
 * on the old file first (see virtio_blk.c); the old file is closed and its lock released.
 * The same file again only re-reads its size. On failure (err set) the old image stays.
 * Any thread but one that holds the device lock.
 */
int virtio_blk_swap_image(struct virtio_mmio *t, const char *path, struct error *err);

/* Stop the engine, close the image, free the device (tests; the monitor just exits). */
void virtio_blk_destroy(struct virtio_mmio *t);

/* The engine DRIVE_ENGINE_DEFAULT stands for, and the names for messages. */
enum drive_engine virtio_blk_default_engine(void);
const char *virtio_blk_engine_name(const struct virtio_mmio *t);

#endif
