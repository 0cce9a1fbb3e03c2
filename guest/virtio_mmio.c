// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-mmio transport, version 2 (virtio 1.x 4.2): the devices the command line announces
 * with virtio_mmio.device=<size>@<base>:<irq>[:<id>] tokens (design.md section 6), probed and
 * brought up in the order of the spec's 3.1.1, then the checks the command line asks for.
 * Every register access is an exit to the monitor (~15 us here): no more of them than needed.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <millivm/layout.h>

#include "ioapic.h"
#include "report.h"
#include "strings.h"
#include "virtio.h"
#include "virtio_blk_bench.h"

#define VIRTIO_MMIO_MAGIC 0x74726976u /* "virt" */
#define VIRTIO_MMIO_LEGACY 1
#define VIRTIO_MMIO_MODERN 2
#define VIRTIO_MMIO_MIN_SIZE 0x100 /* the registers; device config follows */

#define VIRTIO_F_VERSION_1_BIT (1ull << VIRTIO_F_VERSION_1)
#define VIRTIO_BLK_F_RO_BIT (1ull << 5)
#define VIRTIO_BLK_F_FLUSH_BIT (1ull << 9)

struct vdev virtio_devices[VIRTIO_MAX_DEVICES];
unsigned virtio_ndevices;
static struct vq queue_memory[VIRTIO_MAX_DEVICES][VIRTIO_MAX_QUEUES];

uint32_t vdev_read(const struct vdev *d, unsigned offset)
{
	return *(volatile uint32_t *)(uintptr_t)(d->base + offset);
}

void vdev_write(const struct vdev *d, unsigned offset, uint32_t value)
{
	*(volatile uint32_t *)(uintptr_t)(d->base + offset) = value;
}

uint32_t vdev_config32(const struct vdev *d, unsigned offset)
{
	return vdev_read(d, VIRTIO_MMIO_CONFIG + offset);
}

static const char *device_name(uint32_t id)
{
	switch (id) {
	case VIRTIO_ID_BLOCK: return "block";
	case VIRTIO_ID_CONSOLE: return "console";
	case VIRTIO_ID_RNG: return "entropy";
	case VIRTIO_ID_NET: return "network";
	case VIRTIO_ID_VSOCK: return "vsock";
	default: return "unknown";
	}
}

static unsigned queues_of(uint32_t id)
{
	return id == VIRTIO_ID_CONSOLE || id == VIRTIO_ID_NET ? 2 : id == VIRTIO_ID_VSOCK ? 3 : 1;
}

/* The device features the driver takes when offered (VERSION_1 is required, not wanted). */
bool virtio_accept_indirect;
bool virtio_net_accept_csum;

static uint64_t wanted_features(uint32_t id)
{
	uint64_t indirect = virtio_accept_indirect ? 1ull << VIRTIO_RING_F_INDIRECT_DESC : 0;

	if (id == VIRTIO_ID_NET) /* MAC and MRG_RXBUF (virtio_net.c), CSUM if asked */
		return indirect | 1ull << 5 | 1ull << 15 | (virtio_net_accept_csum ? 1ull : 0);
	return indirect | (id == VIRTIO_ID_BLOCK ? VIRTIO_BLK_F_RO_BIT | VIRTIO_BLK_F_FLUSH_BIT : 0);
}

void vdev_reset(const struct vdev *d)
{
	vdev_write(d, VIRTIO_MMIO_STATUS, 0);
	/* virtio 1.x 4.2.3.1: the reset is done when the status reads 0. */
	for (unsigned tries = 0; tries < 100 && vdev_read(d, VIRTIO_MMIO_STATUS); tries++)
		;
}

bool vdev_negotiate(struct vdev *d, const char **why)
{
	uint32_t status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	d->live = false;
	vdev_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdev_write(d, VIRTIO_MMIO_STATUS, status);
	vdev_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	d->offered = vdev_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
	vdev_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	d->offered |= (uint64_t)vdev_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	if (!(d->offered & VIRTIO_F_VERSION_1_BIT)) {
		*why = "VIRTIO_F_VERSION_1 not offered";
		vdev_write(d, VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_FAILED);
		return false;
	}
	/* No EVENT_IDX, no INDIRECT_DESC: an interrupt for every used buffer, plain chains. */
	d->accepted = VIRTIO_F_VERSION_1_BIT | (d->offered & wanted_features(d->device_id));
	vdev_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdev_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)d->accepted);
	vdev_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdev_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(d->accepted >> 32));
	status |= VIRTIO_CONFIG_S_FEATURES_OK;
	vdev_write(d, VIRTIO_MMIO_STATUS, status);
	if (!(vdev_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		*why = "FEATURES_OK not taken";
		vdev_write(d, VIRTIO_MMIO_STATUS, status | VIRTIO_CONFIG_S_FAILED);
		return false;
	}
	return true;
}

static void write64(const struct vdev *d, unsigned low_offset, uint64_t value)
{
	vdev_write(d, low_offset, (uint32_t)value);
	vdev_write(d, low_offset + 4, (uint32_t)(value >> 32));
}

bool vdev_setup_queue(struct vdev *d, unsigned q, uint32_t num, const char **why)
{
	struct vq *vq = &queue_memory[d - virtio_devices][q];

	vdev_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	if (vdev_read(d, VIRTIO_MMIO_QUEUE_READY)) {
		*why = "queue ready before set-up";
		return false;
	}
	uint32_t max = vdev_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	if (num == VQ_AUTO) {
		if (!max) {
			*why = "QueueNumMax is 0";
			return false;
		}
		num = max < VQ_SIZE ? max : VQ_SIZE;
	}
	memset(vq, 0, sizeof(*vq));
	vq->size = (uint16_t)(num < VQ_SIZE ? num : VQ_SIZE);
	d->queues[q] = vq;
	vdev_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
	write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)vq->desc);
	write64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uintptr_t)&vq->avail);
	write64(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uintptr_t)&vq->used);
	vdev_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	if (!vdev_read(d, VIRTIO_MMIO_QUEUE_READY)) {
		*why = "QueueReady reads 0 after set-up";
		return false;
	}
	return true;
}

bool vdev_init(struct vdev *d, const char **why)
{
	vdev_reset(d);
	d->live = false;
	if (!vdev_negotiate(d, why))
		return false;
	d->nqueues = queues_of(d->device_id);
	for (unsigned q = 0; q < d->nqueues; q++)
		if (!vdev_setup_queue(d, q, VQ_AUTO, why))
			return false;
	uint32_t status = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
			  VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK;
	vdev_write(d, VIRTIO_MMIO_STATUS, status);
	uint32_t now = vdev_read(d, VIRTIO_MMIO_STATUS);
	if ((now & (VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_NEEDS_RESET)) !=
	    VIRTIO_CONFIG_S_DRIVER_OK) {
		*why = "DRIVER_OK not taken";
		return false;
	}
	d->live = true;
	return true;
}

/* "<size>[K|M|G]@<base>:<irq>[:<id>]" */
static bool parse_token(const char *p, struct vdev *d)
{
	uint64_t irq, id;

	if (!parse_u64(&p, true, &d->size) || *p++ != '@' || !parse_u64(&p, false, &d->base) ||
	    *p++ != ':' || !parse_u64(&p, false, &irq) || irq >= 24)
		return false;
	if (*p == ':' && (p++, !parse_u64(&p, false, &id)))
		return false;
	d->irq = (uint32_t)irq;
	return (unsigned char)*p <= ' ';
}

static void token_text(const char *token, char *out, size_t max)
{
	size_t n = 0;

	while (n + 1 < max && (unsigned char)token[n] > ' ') {
		out[n] = token[n];
		n++;
	}
	out[n] = 0;
}

static bool probe(struct vdev *d, const char *token)
{
	char text[48];
	const char *why;

	token_text(token, text, sizeof(text));
	if (!parse_token(token, d)) {
		report_fail(CHECK_VIRTIO_PROBE, "cannot parse virtio_mmio.device=%s", text);
		return false;
	}
	/* The identity map covers 0..8 GiB; the registers need 0x100 bytes. */
	if (d->size < VIRTIO_MMIO_MIN_SIZE || d->base + d->size > GiB(8) || (d->base & 3)) {
		report_fail(CHECK_VIRTIO_PROBE, "%s: window unusable", text);
		return false;
	}
	uint32_t magic = vdev_read(d, VIRTIO_MMIO_MAGIC_VALUE);
	uint32_t version = vdev_read(d, VIRTIO_MMIO_VERSION);

	if (magic != VIRTIO_MMIO_MAGIC) {
		report_fail(CHECK_VIRTIO_PROBE, "%s: magic 0x%x, expected 0x%x", text, magic,
			    VIRTIO_MMIO_MAGIC);
		return false;
	}
	if (version == VIRTIO_MMIO_LEGACY) {
		report_fail(CHECK_VIRTIO_PROBE, "%s: legacy virtio-mmio (version 1), only version 2 "
			    "is supported", text);
		return false;
	}
	if (version != VIRTIO_MMIO_MODERN) {
		report_fail(CHECK_VIRTIO_PROBE, "%s: version %u, expected 2", text, version);
		return false;
	}
	d->device_id = vdev_read(d, VIRTIO_MMIO_DEVICE_ID);
	if (!d->device_id) {
		report_info("virtio %s: no device behind the window", text);
		return true;
	}
	if (!vdev_init(d, &why)) {
		report_fail(CHECK_VIRTIO_PROBE, "%s: %s device: %s", text, device_name(d->device_id),
			    why);
		return false;
	}
	report_ok(CHECK_VIRTIO_PROBE, "%s: %s device, features 0x%lx of 0x%lx, %u queue(s) of %u",
		  text, device_name(d->device_id), (unsigned long)d->accepted,
		  (unsigned long)d->offered, d->nqueues, d->queues[0]->size);
	return true;
}

struct vdev *virtio_find(uint32_t device_id, unsigned nth)
{
	for (unsigned i = 0; i < virtio_ndevices; i++)
		if (virtio_devices[i].device_id == device_id && virtio_devices[i].live && !nth--)
			return &virtio_devices[i];
	return NULL;
}

static bool anything_asked(const struct virtio_options *vo)
{
	return vo->ntokens || vo->nblk_modes || vo->rng_bytes || vo->console_text || vo->hostile ||
	       vo->bench.nphases || vo->net_asked || vo->vsock_listen || vo->vsock_connect ||
	       vo->expect_cid;
}

void virtio_run_checks(const struct hvm_start_info *si, const struct virtio_options *vo)
{
	if (!anything_asked(vo))
		return;
	if (!vo->ntokens) {
		report_fail(CHECK_VIRTIO_PROBE, "virtio checks asked for, but no virtio_mmio.device=");
		return;
	}
	if (vo->too_many_tokens)
		report_fail(CHECK_VIRTIO_PROBE, "more than %u virtio_mmio.device= tokens",
			    VIRTIO_MAX_DEVICES);
	lapic_init();
	virtio_net_accept_csum = vo->net_csum_offload;
	for (unsigned i = 0; i < vo->ntokens; i++)
		if (probe(&virtio_devices[virtio_ndevices], vo->tokens[i]))
			virtio_ndevices++;
	vq_interrupts_init();
	if (vo->bench.nphases) /* right after the probe (virtio_blk_bench.c) */
		virtio_blk_bench(si, &vo->bench);
	virtio_blk_checks(vo);
	if (vo->rng_bytes)
		virtio_rng_check(vo);
	if (vo->console_text)
		virtio_console_check(vo);
	if (vo->hostile & HOSTILE_BLK_MASK)
		virtio_hostile_checks(si, vo);
	if (vo->net_asked)
		virtio_net_checks(vo);
	if (vo->vsock_listen || vo->vsock_connect || vo->expect_cid ||
	    (vo->hostile & ~HOSTILE_BLK_MASK))
		virtio_vsock_checks(vo);
}
