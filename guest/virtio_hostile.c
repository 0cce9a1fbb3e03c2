// SPDX-License-Identifier: BSD-2-Clause
/*
 * hostile=KIND[,KIND...] or hostile=all: malformed requests to the first block device, one
 * kind after the other (hostile_names in virtio_options.c lists them). Each gets one line saying what the device answered (status byte and
 * used length, NEEDS_RESET, or nothing); it passes when the bad request failed or the device
 * flagged NEEDS_RESET (for queue set-up: the queue did not go ready; for a notify before
 * DRIVER_OK: anything but a broken device). After each, the device is reset, brought up
 * again and must serve a good read (hostile-recover).
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <millivm/layout.h>

#include "report.h"
#include "strings.h"
#include "virtio.h"

#define HOSTILE_TIMEOUT_MS 500
#define GOOD_TIMEOUT_MS 2000
#define SECTOR 512u
#define LEN_4G 0xfffffe00u /* ~4 GiB, still a whole number of sectors */

static const char *const kind_names[HOSTILE_KINDS] = {
	[HOSTILE_OOB] = "oob",       [HOSTILE_MMIO] = "mmio",
	[HOSTILE_HOLE] = "hole",     [HOSTILE_LOOP] = "loop",
	[HOSTILE_LEN4G] = "len4g",   [HOSTILE_QSIZE0] = "qsize0",
	[HOSTILE_QSIZE_BIG] = "qsizemax", [HOSTILE_EARLY_NOTIFY] = "notify",
	[HOSTILE_PAST_END] = "pastend", [HOSTILE_BAD_SIZE] = "badsize",
	[HOSTILE_INDIRECT_LOOP] = "indloop", [HOSTILE_INDIRECT_BIG] = "indbig",
	[HOSTILE_AVAIL_JUMP] = "availjump", [HOSTILE_BAD_HEAD] = "badhead",
};

/* What bad_request does to an otherwise good chain before the notify. */
enum mutation {
	MUT_NONE,
	MUT_LOOP,          /* the tail's next points back at the head */
	MUT_INDIRECT_LOOP, /* the chain moves into an indirect table that loops */
	MUT_INDIRECT_BIG,  /* a ~4 GiB indirect table */
	MUT_AVAIL_JUMP,    /* avail.idx 1000 further on */
	MUT_BAD_HEAD,      /* the avail entry names descriptor 200 */
};
static const char *const mutation_names[] = {
	[MUT_NONE] = "", [MUT_LOOP] = ", chain loops",
	[MUT_INDIRECT_LOOP] = ", indirect table loops", [MUT_INDIRECT_BIG] = ", indirect table 0xfffffff0 bytes",
	[MUT_AVAIL_JUMP] = ", avail.idx +1000", [MUT_BAD_HEAD] = ", head descriptor 200",
};

static struct virtio_blk_outhdr header;
static uint8_t status_byte;
static uint8_t sector_buffer[SECTOR] __attribute__((aligned(512)));
static struct vq_desc indirect_table[3] __attribute__((aligned(16)));

/* The end of the highest RAM entry: the first address past guest RAM. */
static uint64_t ram_top(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *e =
		(const struct hvm_memmap_table_entry *)(uintptr_t)si->memmap_paddr;
	uint64_t top = 0;

	for (uint32_t i = 0; si->memmap_paddr && i < si->memmap_entries && i < 32; i++)
		if (e[i].type == HVM_MEMMAP_RAM && e[i].addr + e[i].size > top)
			top = e[i].addr + e[i].size;
	return top ? top : GiB(1);
}

static const char *status_name(uint8_t s)
{
	switch (s) {
	case VIRTIO_BLK_S_OK: return "OK";
	case VIRTIO_BLK_S_IOERR: return "IOERR";
	case VIRTIO_BLK_S_UNSUPP: return "UNSUPP";
	case BLK_NO_STATUS: return "not written";
	default: return "unknown";
	}
}

/* A read of sector 0 whose data descriptor is (addr, len); loop: the chain's tail points
 * back at its head. Reports the answer; true if the device behaved. */
static void mutate(struct vdev *d, enum mutation m)
{
	struct vq *vq = d->queues[0];

	switch (m) {
	case MUT_NONE:
		break;
	case MUT_LOOP:
		vq->desc[2].flags |= VRING_DESC_F_NEXT;
		vq->desc[2].next = 0;
		break;
	case MUT_INDIRECT_LOOP:
	case MUT_INDIRECT_BIG:
		memcpy(indirect_table, vq->desc, sizeof(indirect_table));
		indirect_table[2].flags |= VRING_DESC_F_NEXT;
		indirect_table[2].next = 0;
		vq->desc[0] = (struct vq_desc){
			.addr = (uintptr_t)indirect_table,
			.len = m == MUT_INDIRECT_BIG ? 0xfffffff0u : sizeof(indirect_table),
			.flags = VRING_DESC_F_INDIRECT,
		};
		break;
	case MUT_AVAIL_JUMP:
		vq->avail.idx += 1000;
		break;
	case MUT_BAD_HEAD:
		vq->avail.ring[(uint16_t)(vq->avail.idx - 1) % vq->size] = 200;
		break;
	}
}

static bool bad_request(struct vdev *d, const char *kind, uint64_t addr, uint32_t len,
			enum mutation m)
{
	struct vq_buf bufs[3] = {
		{ (uintptr_t)&header, sizeof(header), false },
		{ addr, len, true },
		{ (uintptr_t)&status_byte, 1, true },
	};
	uint32_t used_len = 0xffffffff;

	header = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN };
	status_byte = BLK_NO_STATUS;
	vq_submit(d, 0, bufs, 3, false);
	mutate(d, m);
	vdev_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	enum vq_result r = vq_wait(d, 0, HOSTILE_TIMEOUT_MS, &used_len);
	uint32_t status = vdev_read(d, VIRTIO_MMIO_STATUS);
	uint8_t s = *(volatile uint8_t *)&status_byte;
	bool needs_reset = status & VIRTIO_CONFIG_S_NEEDS_RESET;

	if (r == VQ_USED && s != VIRTIO_BLK_S_OK) {
		report_ok(CHECK_HOSTILE, "%s: data 0x%lx+0x%x%s: status %u (%s), used len %u, "
			  "device status 0x%x%s", kind, (unsigned long)addr, len, mutation_names[m], s,
			  status_name(s), used_len, status, needs_reset ? " NEEDS_RESET" : "");
		return true;
	}
	if (needs_reset) {
		report_ok(CHECK_HOSTILE, "%s: data 0x%lx+0x%x%s: NEEDS_RESET (device status 0x%x)%s",
			  kind, (unsigned long)addr, len, mutation_names[m], status,
			  r == VQ_USED ? ", chain returned too" : ", chain not returned");
		return true;
	}
	if (r == VQ_USED)
		report_fail(CHECK_HOSTILE, "%s: data 0x%lx+0x%x%s: the device answered OK (used "
			    "len %u)", kind, (unsigned long)addr, len, mutation_names[m], used_len);
	else
		report_fail(CHECK_HOSTILE, "%s: data 0x%lx+0x%x%s: no answer and no NEEDS_RESET in "
			    "%u ms (device status 0x%x)", kind, (unsigned long)addr, len,
			    mutation_names[m], HOSTILE_TIMEOUT_MS, status);
	return false;
}

/* Well-formed chains the device must answer with a failed status (IOERR): a read past the
 * end of the disk, a write that is not a whole number of sectors. */
static bool failed_request(struct vdev *d, const char *kind, bool past_end)
{
	uint64_t sectors = vdev_config32(d, 0) | (uint64_t)vdev_config32(d, 4) << 32;
	uint32_t used_len = 0xffffffff;
	uint64_t sector = past_end ? sectors : 0;
	uint32_t len = past_end ? SECTOR : 100;
	uint8_t s = blk_request(d, past_end ? VIRTIO_BLK_T_IN : VIRTIO_BLK_T_OUT, sector,
				sector_buffer, len, HOSTILE_TIMEOUT_MS, &used_len);
	uint32_t status = vdev_read(d, VIRTIO_MMIO_STATUS);

	if (s == VIRTIO_BLK_S_OK || s == BLK_NO_STATUS || s == BLK_NO_ANSWER) {
		report_fail(CHECK_HOSTILE, "%s: %s of 0x%x bytes at sector %lu: %s (device status "
			    "0x%x)", kind, past_end ? "read" : "write", len, (unsigned long)sector,
			    s == BLK_NO_ANSWER ? "no answer" : status_name(s), status);
		return false;
	}
	report_ok(CHECK_HOSTILE, "%s: %s of 0x%x bytes at sector %lu: status %u (%s), used len %u, "
		  "device status 0x%x", kind, past_end ? "read" : "write", len,
		  (unsigned long)sector, s, status_name(s), used_len, status);
	return true;
}

/* QueueNum num (0, or QueueNumMax + 1) at set-up: the queue must not go ready, nor the device
 * live on it. */
static bool bad_queue_size(struct vdev *d, const char *kind, bool zero)
{
	const char *why = "";

	vdev_reset(d);
	if (!vdev_negotiate(d, &why)) {
		report_fail(CHECK_HOSTILE, "%s: negotiation failed: %s", kind, why);
		return false;
	}
	vdev_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t max = vdev_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX);
	uint32_t num = zero ? 0 : max + 1;
	bool ready = vdev_setup_queue(d, 0, num, &why);
	vdev_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
		   VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK);
	uint32_t status = vdev_read(d, VIRTIO_MMIO_STATUS);

	if (ready) {
		report_fail(CHECK_HOSTILE, "%s: QueueNum %u (max %u) accepted: QueueReady reads 1 "
			    "(device status 0x%x)", kind, num, max, status);
		return false;
	}
	report_ok(CHECK_HOSTILE, "%s: QueueNum %u (max %u) refused: QueueReady reads 0; device "
		  "status 0x%x after DRIVER_OK%s", kind, num, max, status,
		  status & VIRTIO_CONFIG_S_NEEDS_RESET ? " NEEDS_RESET" : "");
	return true;
}

/* A good read notified before DRIVER_OK (virtio 1.x 3.1.1: the driver MUST NOT). */
static bool early_notify(struct vdev *d)
{
	const char *why = "";
	uint32_t used_len = 0;

	vdev_reset(d);
	if (!vdev_negotiate(d, &why) || !vdev_setup_queue(d, 0, VQ_AUTO, &why)) {
		report_fail(CHECK_HOSTILE, "notify: set-up failed: %s", why);
		return false;
	}
	struct vq_buf bufs[3] = {
		{ (uintptr_t)&header, sizeof(header), false },
		{ (uintptr_t)sector_buffer, SECTOR, true },
		{ (uintptr_t)&status_byte, 1, true },
	};
	header = (struct virtio_blk_outhdr){ .type = VIRTIO_BLK_T_IN };
	status_byte = BLK_NO_STATUS;
	vq_submit(d, 0, bufs, 3, true);
	enum vq_result r = vq_wait(d, 0, HOSTILE_TIMEOUT_MS / 2, &used_len);
	uint32_t status = vdev_read(d, VIRTIO_MMIO_STATUS);

	report_ok(CHECK_HOSTILE, "notify: before DRIVER_OK: %s (device status 0x%x)",
		  r == VQ_USED		? "served anyway"
		  : r == VQ_NEEDS_RESET ? "NEEDS_RESET"
					: "ignored",
		  status);
	return true;
}

/* Reset, bring up, one good read of sector 0. */
static bool recover(struct vdev *d, const char *kind)
{
	const char *why = "";

	if (!vdev_init(d, &why)) {
		report_fail(CHECK_HOSTILE_RECOVER, "after %s: device does not come back: %s", kind,
			    why);
		return false;
	}
	uint8_t s = blk_request(d, VIRTIO_BLK_T_IN, 0, sector_buffer, SECTOR, GOOD_TIMEOUT_MS,
				NULL);
	if (s != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_HOSTILE_RECOVER, "after %s: good read status %u (%s)", kind, s,
			    s == BLK_NO_ANSWER ? "no answer" : status_name(s));
		return false;
	}
	return true;
}

/* While disk 0 is broken, another disk must still serve (once, after the first case). */
static void other_disk(const char *kind)
{
	struct vdev *other = virtio_find(VIRTIO_ID_BLOCK, 1);

	if (!other)
		return;
	uint8_t s = blk_request(other, VIRTIO_BLK_T_IN, 0, sector_buffer, SECTOR, GOOD_TIMEOUT_MS,
				NULL);
	if (s != VIRTIO_BLK_S_OK)
		report_fail(CHECK_HOSTILE_RECOVER, "after %s on disk 0: disk 1 read status %u", kind,
			    s);
	else
		report_ok(CHECK_HOSTILE_RECOVER, "after %s on disk 0, before its reset: disk 1 "
			  "still serves a read", kind);
}

void virtio_hostile_checks(const struct hvm_start_info *si, const struct virtio_options *vo)
{
	struct vdev *d = virtio_find(VIRTIO_ID_BLOCK, 0);
	uint64_t past_ram = ram_top(si);
	unsigned cases = 0, recovered = 0;

	if (!d) {
		report_fail(CHECK_HOSTILE, "hostile= needs a block device");
		return;
	}
	/* The indirect cases need INDIRECT_DESC: bring disk 0 up again with it. */
	if (vo->hostile & (1u << HOSTILE_INDIRECT_LOOP | 1u << HOSTILE_INDIRECT_BIG)) {
		const char *why = "";

		virtio_accept_indirect = true;
		if (!vdev_init(d, &why)) {
			report_fail(CHECK_HOSTILE, "disk 0 does not come up with INDIRECT_DESC: %s", why);
			return;
		}
	}
	for (unsigned k = 0; k < HOSTILE_KINDS; k++) {
		if (!(vo->hostile & HOSTILE_BLK_MASK & (1u << k)))
			continue; /* the vsock kinds are virtio_vsock.c's */
		const char *kind = kind_names[k];

		switch (k) {
		case HOSTILE_OOB:
			bad_request(d, kind, past_ram, SECTOR, MUT_NONE);
			break;
		case HOSTILE_MMIO:
			bad_request(d, kind, LAYOUT_VIRTIO_MMIO_BASE, SECTOR, MUT_NONE);
			break;
		case HOSTILE_HOLE:
			bad_request(d, kind, LAYOUT_BOOT_TIMER, SECTOR, MUT_NONE);
			break;
		case HOSTILE_LOOP:
			bad_request(d, kind, (uintptr_t)sector_buffer, SECTOR, MUT_LOOP);
			break;
		case HOSTILE_LEN4G:
			bad_request(d, kind, (uintptr_t)sector_buffer, LEN_4G, MUT_NONE);
			break;
		case HOSTILE_QSIZE0:
		case HOSTILE_QSIZE_BIG:
			bad_queue_size(d, kind, k == HOSTILE_QSIZE0);
			break;
		case HOSTILE_EARLY_NOTIFY:
			early_notify(d);
			break;
		case HOSTILE_PAST_END:
		case HOSTILE_BAD_SIZE:
			failed_request(d, kind, k == HOSTILE_PAST_END);
			break;
		case HOSTILE_INDIRECT_LOOP:
		case HOSTILE_INDIRECT_BIG:
			if (!(d->accepted & (1ull << VIRTIO_RING_F_INDIRECT_DESC))) {
				report_skip(CHECK_HOSTILE, "%s: INDIRECT_DESC not offered", kind);
				break;
			}
			bad_request(d, kind, (uintptr_t)sector_buffer, SECTOR,
				    k == HOSTILE_INDIRECT_LOOP ? MUT_INDIRECT_LOOP : MUT_INDIRECT_BIG);
			break;
		case HOSTILE_AVAIL_JUMP:
		case HOSTILE_BAD_HEAD:
			bad_request(d, kind, (uintptr_t)sector_buffer, SECTOR,
				    k == HOSTILE_AVAIL_JUMP ? MUT_AVAIL_JUMP : MUT_BAD_HEAD);
			break;
		}
		if (!cases++)
			other_disk(kind);
		recovered += recover(d, kind);
	}
	if (recovered == cases)
		report_ok(CHECK_HOSTILE_RECOVER, "reset and re-initialised after each of %u case(s): "
			  "a good read served every time", cases);
}
