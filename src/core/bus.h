/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Port-I/O and MMIO dispatch. Devices register address ranges at setup; vCPU threads then
 * look them up without locks (the tables never change while vCPUs run).
 */
#ifndef MILLIVM_BUS_H
#define MILLIVM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"

#define BUS_MAX_REGIONS 64

/* offset is relative to the region's base; data holds len (1, 2, 4 or 8) bytes. */
typedef void (*bus_access_fn)(void *opaque, uint64_t offset, uint8_t *data, uint32_t len,
			      bool is_write);

struct bus_region {
	uint64_t base;
	uint64_t len;
	bus_access_fn access;
	void *opaque;
	const char *name;
};

struct bus {
	const char *name; /* "port" or "mmio", for messages */
	struct bus_region regions[BUS_MAX_REGIONS];
	unsigned count;
};

/* Fails on overlap with an existing region or when full. */
int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_access_fn access,
		 void *opaque, const char *name, struct error *err);

/*
 * Route one access. Returns false when nothing is there: then reads see all ones (an
 * open bus, as on real hardware) and writes are dropped.
 */
bool bus_dispatch(const struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		  bool is_write);

#endif
