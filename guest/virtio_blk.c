// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-blk checks (virtio_blk=MODE,... one mode per disk, in command-line order):
 *   rw: GET_ID, write 8 sectors of pattern at blk_sector, FLUSH, read them back and compare;
 *   ro: GET_ID, the device says VIRTIO_BLK_F_RO, a read works, a write fails with IOERR;
 *   id: GET_ID only.
 * Sector s of the pattern holds "MILLIVM-PATTERN-<s>\n" then zeros: the tests rebuild it on
 * the host. Every request waits for the device's interrupt; blk-irq says whether each came.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_mmio.h>

#include "cpu.h"
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define SECTOR 512u
#define PATTERN_SECTORS 8u
#define PATTERN_BYTES (PATTERN_SECTORS * SECTOR)
#define REQUEST_TIMEOUT_MS 2000
#define VIRTIO_BLK_ID_BYTES 20

static struct virtio_blk_outhdr request_header;
static uint8_t request_status;
static uint8_t write_buffer[PATTERN_BYTES] __attribute__((aligned(512)));
static uint8_t read_buffer[PATTERN_BYTES] __attribute__((aligned(512)));
static unsigned requests, interrupts_missing;

uint8_t blk_request(struct vdev *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
		    unsigned timeout_ms, uint32_t *used_len)
{
	struct vq_buf bufs[3] = {
		{ (uintptr_t)&request_header, sizeof(request_header), false },
	};
	unsigned n = 1;

	request_header.type = type;
	request_header.ioprio = 0;
	request_header.sector = sector;
	request_status = BLK_NO_STATUS;
	if (len)
		bufs[n++] = (struct vq_buf){ (uintptr_t)data, len, type != VIRTIO_BLK_T_OUT };
	bufs[n++] = (struct vq_buf){ (uintptr_t)&request_status, 1, true };
	vq_submit(d, 0, bufs, n, true);
	enum vq_result r = vq_wait(d, 0, timeout_ms, used_len);
	requests++;
	if (r != VQ_USED)
		return BLK_NO_ANSWER;
	if (!(d->isr_seen & 1))
		interrupts_missing++;
	return *(volatile uint8_t *)&request_status;
}

static uint64_t capacity(const struct vdev *d)
{
	return vdev_config32(d, 0) | (uint64_t)vdev_config32(d, 4) << 32;
}

/* Writes s in decimal at p, returns the end. */
static char *put_decimal(char *p, uint64_t s)
{
	char digits[20];
	unsigned n = 0;

	do
		digits[n++] = (char)('0' + s % 10);
	while (s /= 10);
	while (n)
		*p++ = digits[--n];
	return p;
}

static void build_pattern(uint64_t first)
{
	memset(write_buffer, 0, sizeof(write_buffer));
	for (unsigned i = 0; i < PATTERN_SECTORS; i++) {
		char *p = (char *)write_buffer + i * SECTOR;

		memcpy(p, "MILLIVM-PATTERN-", 16);
		p = put_decimal(p + 16, first + i);
		*p = '\n';
	}
}

/* One string instruction rather than a byte loop: 8 bytes a step. */
static bool same_bytes(const void *a, const void *b, size_t n)
{
	size_t words = n / 8;
	bool equal;

	__asm__ volatile("repe cmpsq" : "=@cce"(equal), "+S"(a), "+D"(b), "+c"(words) : : "memory");
	return equal;
}

static void get_id(struct vdev *d, unsigned disk)
{
	char id[VIRTIO_BLK_ID_BYTES + 1];

	memset(read_buffer, 0, VIRTIO_BLK_ID_BYTES);
	uint8_t s = blk_request(d, VIRTIO_BLK_T_GET_ID, 0, read_buffer, VIRTIO_BLK_ID_BYTES,
				REQUEST_TIMEOUT_MS, NULL);
	if (s != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_BLK_ID, "disk %u: GET_ID status %u", disk, s);
		return;
	}
	memcpy(id, read_buffer, VIRTIO_BLK_ID_BYTES);
	id[VIRTIO_BLK_ID_BYTES] = 0;
	report_ok(CHECK_BLK_ID, "disk %u: serial \"%s\"", disk, id);
}

_Noreturn static void hold(void)
{
	report_info("blk: holding after the flush (blk_hold)");
	for (;;)
		__asm__ volatile("cli; hlt");
}

static void read_write(struct vdev *d, unsigned disk, const struct virtio_options *vo)
{
	uint64_t sector = vo->blk_sector, cap = capacity(d);

	if (sector + PATTERN_SECTORS > cap) {
		report_fail(CHECK_BLK_WRITE, "disk %u: %lu sectors, no room for 8 at %lu", disk,
			    (unsigned long)cap, (unsigned long)sector);
		return;
	}
	build_pattern(sector);
	uint8_t s = blk_request(d, VIRTIO_BLK_T_OUT, sector, write_buffer, PATTERN_BYTES,
				REQUEST_TIMEOUT_MS, NULL);
	if (s != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_BLK_WRITE, "disk %u: write of 8 sectors at %lu: status %u", disk,
			    (unsigned long)sector, s);
		return;
	}
	report_ok(CHECK_BLK_WRITE, "disk %u: 8 sectors of MILLIVM-PATTERN at sector %lu (of %lu)",
		  disk, (unsigned long)sector, (unsigned long)cap);
	if (!(d->accepted & (1ull << VIRTIO_BLK_F_FLUSH))) {
		report_fail(CHECK_BLK_FLUSH, "disk %u: VIRTIO_BLK_F_FLUSH not offered", disk);
	} else if ((s = blk_request(d, VIRTIO_BLK_T_FLUSH, 0, NULL, 0, REQUEST_TIMEOUT_MS,
				    NULL)) != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_BLK_FLUSH, "disk %u: FLUSH status %u", disk, s);
	} else {
		report_ok(CHECK_BLK_FLUSH, "disk %u: flushed", disk);
		if (vo->blk_hold)
			hold();
	}
	memset(read_buffer, 0, sizeof(read_buffer));
	s = blk_request(d, VIRTIO_BLK_T_IN, sector, read_buffer, PATTERN_BYTES, REQUEST_TIMEOUT_MS,
			NULL);
	if (s != VIRTIO_BLK_S_OK)
		report_fail(CHECK_BLK_READ, "disk %u: read status %u", disk, s);
	else if (!same_bytes(read_buffer, write_buffer, PATTERN_BYTES))
		report_fail(CHECK_BLK_READ, "disk %u: read back differs from the pattern", disk);
	else
		report_ok(CHECK_BLK_READ, "disk %u: 8 sectors read back, same as written", disk);
}

static void read_only(struct vdev *d, unsigned disk)
{
	if (!(d->accepted & (1ull << VIRTIO_BLK_F_RO))) {
		report_fail(CHECK_BLK_RO, "disk %u: VIRTIO_BLK_F_RO not offered", disk);
		return;
	}
	uint8_t s = blk_request(d, VIRTIO_BLK_T_IN, 0, read_buffer, SECTOR, REQUEST_TIMEOUT_MS,
				NULL);
	if (s != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_BLK_RO, "disk %u: read of sector 0: status %u", disk, s);
		return;
	}
	memset(write_buffer, 0x5a, SECTOR);
	s = blk_request(d, VIRTIO_BLK_T_OUT, 0, write_buffer, SECTOR, REQUEST_TIMEOUT_MS, NULL);
	if (s != VIRTIO_BLK_S_IOERR)
		report_fail(CHECK_BLK_RO, "disk %u: write to a read-only disk: status %u, expected "
			    "IOERR (1)", disk, s);
	else
		report_ok(CHECK_BLK_RO, "disk %u: F_RO offered, read OK, write -> IOERR", disk);
}

/*
 * blk_reread: disk 0 once more, late (after spin=): its capacity, read as the configuration
 * generation says (the same before and after), and the first bytes of sector 0, printable,
 * so that a test sees what a swap of the image on the host (PATCH /drives) did.
 */
void virtio_blk_reread(void)
{
	struct vdev *d = virtio_find(VIRTIO_ID_BLOCK, 0);
	char text[33];
	uint32_t generation;
	uint64_t cap;

	if (!d) {
		report_fail(CHECK_BLK_READ, "blk_reread: there is no disk 0");
		return;
	}
	do {
		generation = vdev_read(d, VIRTIO_MMIO_CONFIG_GENERATION);
		cap = capacity(d);
	} while (generation != vdev_read(d, VIRTIO_MMIO_CONFIG_GENERATION));
	memset(read_buffer, 0, SECTOR);
	uint8_t s = blk_request(d, VIRTIO_BLK_T_IN, 0, read_buffer, SECTOR, REQUEST_TIMEOUT_MS,
				NULL);
	if (s != VIRTIO_BLK_S_OK) {
		report_fail(CHECK_BLK_READ, "disk 0 read again: status %u", s);
		return;
	}
	for (unsigned i = 0; i < sizeof(text) - 1; i++) {
		char c = (char)read_buffer[i];

		text[i] = c >= ' ' && c < 127 ? c : '.';
	}
	text[sizeof(text) - 1] = 0;
	report_ok(CHECK_BLK_READ, "disk 0 read again: %lu sectors, sector 0 starts \"%s\"",
		  (unsigned long)cap, text);
}

void virtio_blk_checks(const struct virtio_options *vo)
{
	for (unsigned i = 0; i < vo->nblk_modes; i++) {
		struct vdev *d = virtio_find(VIRTIO_ID_BLOCK, i);

		if (vo->blk_modes[i] == BLK_MODE_NONE)
			continue;
		if (!d) {
			report_fail(CHECK_VIRTIO_PROBE, "virtio_blk= names disk %u, which is not there",
				    i);
			continue;
		}
		get_id(d, i);
		if (vo->blk_modes[i] == BLK_MODE_RW)
			read_write(d, i, vo);
		else if (vo->blk_modes[i] == BLK_MODE_RO)
			read_only(d, i);
	}
	if (!requests)
		return;
	vq_drain_interrupts(); /* a line left up after the last ACK shows here */
	if (interrupts_missing)
		report_fail(CHECK_BLK_IRQ, "%u of %u requests completed without an interrupt",
			    interrupts_missing, requests);
	else if (irq_without_status > requests) /* a line that stays up: a storm of them */
		report_fail(CHECK_BLK_IRQ, "%u interrupts with no InterruptStatus bit set for %u "
			    "requests: line not dropped on InterruptACK?", irq_without_status,
			    requests);
	else /* QEMU's split irqchip shows the odd one after a FLUSH: counted, not failed */
		report_ok(CHECK_BLK_IRQ, "%u requests, each completed by its interrupt (%u "
			  "interrupt(s) with nothing pending)", requests, irq_without_status);
}
