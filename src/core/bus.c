/* SPDX-License-Identifier: BSD-2-Clause */
#include "bus.h"

#include <string.h>

int bus_register(struct bus *bus, uint64_t base, uint64_t len, bus_access_fn access,
		 void *opaque, const char *name, struct error *err)
{
	if (len == 0 || base + len < base)
		return error_set(err, "%s: bad %s range 0x%llx+0x%llx", name, bus->name,
				 (unsigned long long)base, (unsigned long long)len);
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		if (base < r->base + r->len && r->base < base + len)
			return error_set(err, "%s: %s range 0x%llx+0x%llx overlaps %s", name,
					 bus->name, (unsigned long long)base,
					 (unsigned long long)len, r->name);
	}
	if (bus->count >= BUS_MAX_REGIONS)
		return error_set(err, "%s: too many %s devices", name, bus->name);
	bus->regions[bus->count++] = (struct bus_region){ base, len, access, opaque, name };
	return 0;
}

bool bus_dispatch(const struct bus *bus, uint64_t addr, uint8_t *data, uint32_t len,
		  bool is_write)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct bus_region *r = &bus->regions[i];
		uint64_t off = addr - r->base;
		if (addr >= r->base && off < r->len && len <= r->len - off) {
			r->access(r->opaque, off, data, len, is_write);
			return true;
		}
	}
	if (!is_write)
		memset(data, 0xff, len);
	return false;
}
