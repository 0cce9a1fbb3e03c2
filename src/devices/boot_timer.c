/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's boot timer: a guest (or its init) writes BOOT_TIMER_MAGIC to the first byte
 * of this page when it considers itself booted; the timeline records the moment.
 */
#include "devices/platform.h"

#include <string.h>

#include "debug/timeline.h"
#include "millivm/abi.h"
#include "millivm/layout.h"

static void boot_timer_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write)
{
	(void)opaque;
	if (!is_write) {
		memset(data, 0, len);
		return;
	}
	if (offset == 0 && data[0] == BOOT_TIMER_MAGIC)
		timeline_mark(TL_BOOT_TIMER);
}

int boot_timer_create(struct vm *vm, struct error *err)
{
	return bus_register(&vm->mmio, LAYOUT_BOOT_TIMER, LAYOUT_BOOT_TIMER_SIZE,
			    boot_timer_access, vm, "boot-timer", err);
}
