/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM's virtio-mmio devices from its configuration: disks (in --drive order), then the
 * entropy device, then vsock, then the console. Device i sits at LAYOUT_VIRTIO_MMIO_BASE + i * 0x200 on
 * the next free level-triggered IRQ from 5 + i, and is announced to the guest with a
 * `virtio_mmio.device=512@0x...:IRQ` token on the kernel command line (QEMU microvm's way).
 */
#ifndef MILLIVM_VIRTIO_DEVICES_H
#define MILLIVM_VIRTIO_DEVICES_H

#include <stddef.h>

#include "core/error.h"
#include "core/vm.h"
#include "core/vm_config.h"
#include "devices/virtio_mmio.h"

/*
 * Create the devices and append " virtio_mmio.device=..." for each to cmdline_extra (a
 * NUL-terminated string of capacity cap). Call before boot_load: the MP table it writes
 * marks the IRQs allocated here as level-triggered.
 */
int virtio_devices_create(struct vm *vm, const struct vm_config *cfg, char *cmdline_extra,
			  size_t cap, struct error *err);

/* Where a device sits, for the ACPI tables (one LNRO0005 device each). */
struct virtio_device_window {
	uint64_t base;
	uint64_t size;
	unsigned irq; /* level-triggered, active high */
};

/* Fill out[] with the devices in slot order (at most max); returns how many there are. */
unsigned virtio_devices_windows(struct virtio_device_window *out, unsigned max);

/* The virtio-console device, for the host input thread; NULL without --console virtio. */
struct virtio_mmio *virtio_devices_console(void);

/* Block device `index` (vm_config drives order), for PATCH /drives; NULL if none. */
struct virtio_mmio *virtio_devices_drive(unsigned index);

/*
 * Stop and free every device (their engines' threads, images). The VM must no longer run and
 * its MMIO bus must be dropped with it. The monitor just exits; tests clean up with this.
 */
void virtio_devices_destroy(void);

#endif
