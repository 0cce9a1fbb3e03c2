/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_devices.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "devices/virtio_console.h"
#include "devices/net_slirp.h"
#include "devices/net_tap.h"
#include "devices/virtio_mmio_token.h"
#include "devices/virtio_net.h"
#include "devices/virtio_rng.h"
#include "devices/virtio_vsock.h"
#include "millivm/layout.h"

struct irq_line {
	struct vm *vm;
	unsigned irq;
};

/* One VM per process: what was created, for the console hookup and for tests to undo. */
static struct attached {
	struct virtio_mmio *t;
	void (*destroy)(struct virtio_mmio *t);
	struct irq_line *line;
} attached[LAYOUT_VIRTIO_MMIO_MAX];
static unsigned nattached;
static struct virtio_mmio *the_console;
static struct virtio_mmio *the_drives[VM_MAX_DRIVES]; /* in --drive order */
static unsigned ndrives;

static void set_irq_line(void *opaque, int level)
{
	struct irq_line *line = opaque;
	vm_set_irq_line(line->vm, line->irq, level);
}

static int append_token(char *extra, size_t cap, uint64_t base, unsigned irq,
			struct error *err)
{
	size_t used = strlen(extra);
	struct virtio_mmio_token tok = { .size = VIRTIO_MMIO_WINDOW, .base = base, .irq = irq };
	if (used + 1 >= cap || virtio_mmio_format_token(extra + used + 1, cap - used - 1, &tok) < 0) {
		extra[used] = '\0';
		return error_set(err, "kernel command line too long for the virtio-mmio device at "
				      "0x%llx", (unsigned long long)base);
	}
	extra[used] = ' ';
	return 0;
}

/* Place t in the next slot: window, IRQ, command-line token, bus. On failure t is gone. */
static int attach(struct vm *vm, struct virtio_mmio *t, void (*destroy)(struct virtio_mmio *),
		  char *extra, size_t cap, struct error *err)
{
	if (!t)
		return -1;
	unsigned slot = nattached;
	uint64_t base = LAYOUT_VIRTIO_MMIO_BASE + slot * LAYOUT_VIRTIO_MMIO_STRIDE;
	size_t extra_len = strlen(extra);
	struct irq_line *line = NULL;
	int irq = -1;
	if (slot >= LAYOUT_VIRTIO_MMIO_MAX) {
		error_set(err, "%s: more than %d virtio devices", t->name, LAYOUT_VIRTIO_MMIO_MAX);
		goto fail;
	}
	irq = vm_alloc_irq(vm, LAYOUT_VIRTIO_FIRST_IRQ + slot, true);
	if (irq < 0) {
		error_set(err, "%s: no free IRQ left", t->name);
		goto fail;
	}
	line = malloc(sizeof(*line));
	if (!line) {
		error_set(err, "%s: out of memory", t->name);
		goto fail;
	}
	*line = (struct irq_line){ vm, (unsigned)irq };
	virtio_mmio_set_irq(t, set_irq_line, line);
	if (append_token(extra, cap, base, (unsigned)irq, err) < 0)
		goto fail;
	if (bus_register(&vm->mmio, base, VIRTIO_MMIO_WINDOW, virtio_mmio_access, t, t->name,
			 err) < 0) {
		extra[extra_len] = '\0';
		goto fail;
	}
	attached[nattached++] = (struct attached){ t, destroy, line };
	return 0;
fail:
	free(line);
	destroy(t);
	return -1;
}

static struct virtio_mmio *create_net(struct vm *vm, const struct vm_config *cfg, unsigned i,
				      struct error *err)
{
	const struct net_config *nc = &cfg->nets[i];
	struct net_backend *be = nc->kind == NET_TAP ? net_tap_create(nc->tap_name, err)
						     : net_slirp_create(nc, err);
	if (!be)
		return NULL;
	uint8_t mac[6];
	if (nc->mac_set)
		memcpy(mac, nc->mac, sizeof(mac));
	else
		virtio_net_default_mac(cfg->vm_id, nc, i, mac);
	return virtio_net_create(&vm->mem, be, mac, i, err);
}

int virtio_devices_create(struct vm *vm, const struct vm_config *cfg, char *cmdline_extra,
			  size_t cap, struct error *err)
{
	for (unsigned i = 0; i < cfg->ndrives; i++) {
		struct virtio_mmio *t = virtio_blk_create(&vm->mem, &cfg->drives[i], i, err);
		if (!t)
			return error_prefix(err, "--drive");
		if (attach(vm, t, virtio_blk_destroy, cmdline_extra, cap, err) < 0)
			return -1;
		the_drives[ndrives++] = t;
	}
	for (unsigned i = 0; i < cfg->nnets; i++) {
		struct virtio_mmio *t = create_net(vm, cfg, i, err);
		if (!t)
			return error_prefix(err, "--net");
		if (attach(vm, t, virtio_net_destroy, cmdline_extra, cap, err) < 0)
			return -1;
	}
	if (cfg->rng && attach(vm, virtio_rng_create(&vm->mem, err), virtio_rng_destroy,
			       cmdline_extra, cap, err) < 0)
		return -1;
	if (cfg->vsock.enabled &&
	    attach(vm, virtio_vsock_create(&vm->mem, &cfg->vsock, err), virtio_vsock_destroy,
		   cmdline_extra, cap, err) < 0)
		return error_prefix(err, "--vsock uds=%s", cfg->vsock.uds_path);
	if (cfg->console == CONSOLE_VIRTIO) {
		struct virtio_mmio *t = virtio_console_create(&vm->mem, STDOUT_FILENO, err);
		if (attach(vm, t, virtio_console_destroy, cmdline_extra, cap, err) < 0)
			return -1;
		the_console = t;
	}
	return 0;
}

unsigned virtio_devices_windows(struct virtio_device_window *out, unsigned max)
{
	for (unsigned i = 0; i < nattached && i < max; i++)
		out[i] = (struct virtio_device_window){
			.base = LAYOUT_VIRTIO_MMIO_BASE + i * LAYOUT_VIRTIO_MMIO_STRIDE,
			.size = VIRTIO_MMIO_WINDOW,
			.irq = attached[i].line->irq,
		};
	return nattached;
}

struct virtio_mmio *virtio_devices_console(void)
{
	return the_console;
}

struct virtio_mmio *virtio_devices_drive(unsigned index)
{
	return index < ndrives ? the_drives[index] : NULL;
}

void virtio_devices_destroy(void)
{
	while (nattached) {
		struct attached *a = &attached[--nattached];
		a->destroy(a->t);
		free(a->line);
	}
	the_console = NULL;
	ndrives = 0;
}
