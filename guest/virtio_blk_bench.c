// SPDX-License-Identifier: BSD-2-Clause
/*
 * blk_bench=seqread:SIZE,seqwrite:SIZE,rand4k:COUNT,...: virtio-blk throughput and request
 * rate seen from the guest, on block device 0, one "blk-bench" line per phase.
 *
 * For the benchmark the device is brought up again with a queue of its own (up to 128
 * descriptors) so that blk_bench_depth requests are in flight at once; each request slot
 * owns three fixed descriptors (header, data, status) and a data buffer at
 * BENCH_BUFFER_BASE, so submitting a request is a store of its sector, a status sentinel and
 * an avail ring entry. Completions are found by polling the used ring, interrupts off: the
 * avail ring says VRING_AVAIL_F_NO_INTERRUPT and the device's IOAPIC pin is masked meanwhile.
 * All completions seen in one look are refilled, then published with a single QueueNotify
 * (skipped when the device sets VRING_USED_F_NO_NOTIFY). Every guest instruction is
 * expensive on the development host and every notify is an exit: the per-request path is a
 * few dozen instructions. Timing is RDTSC over the TSC kHz of CPUID 0x40000010 (or
 * tsc_khz=); integer arithmetic only. The normal queue is restored afterwards, so the other
 * virtio_blk= checks can follow.
 */
#include "virtio_blk_bench.h"

#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>
#include <millivm/layout.h>

#include "checks.h"
#include "cpu.h"
#include "ioapic.h"
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define SECTOR 512u
#define BENCH_QUEUE_SIZE 128u /* descriptors: three per request slot */
#define BENCH_MAX_DEPTH 32u
#define BENCH_DEFAULT_DEPTH 16u
#define BENCH_DEFAULT_BLOCK KiB(128)
#define BENCH_MAX_BLOCK MiB(1)
#define BENCH_RANDOM_BLOCK KiB(4)
#define BENCH_MAX_PHASE_BYTES GiB(16) /* keeps bytes * 10^9 inside 64 bits */
#define BENCH_MAX_PHASE_REQUESTS 100000000ull
/* Data buffers, one per request slot: RAM above the guest's image (checked in the map). */
#define BENCH_BUFFER_BASE MiB(4)
#define BENCH_STALL_MS 10000 /* no completion for this long: the phase fails */

/* The benchmark's own split ring (virtio 1.x 2.7: desc 16-, avail 2-, used 4-aligned). */
static struct {
	struct vq_desc desc[BENCH_QUEUE_SIZE];
	struct {
		uint16_t flags, idx, ring[BENCH_QUEUE_SIZE], used_event;
	} avail;
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[BENCH_QUEUE_SIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
} ring __attribute__((aligned(16)));

static struct virtio_blk_outhdr headers[BENCH_MAX_DEPTH];
static volatile uint8_t statuses[BENCH_MAX_DEPTH];

struct bench_queue {
	struct vdev *dev;
	uint16_t mask;      /* QueueNum - 1 */
	uint16_t avail_idx; /* avail.idx once the pending entries are published */
	uint16_t used_seen; /* used.idx consumed up to */
	unsigned depth;     /* request slots */
	unsigned notifies;  /* QueueNotify writes in the current phase */
};

/* Where the next request of a phase goes. */
struct bench_cursor {
	uint64_t sector;      /* sequential: the next one */
	uint64_t step;        /* sectors per request */
	uint64_t last_start;  /* sequential: the last sector a request may start at */
	uint64_t random_mask; /* random: 4 KiB blocks in the span - 1; 0 for sequential */
	uint64_t random_state;
};

static const char *const phase_names[] = {
	[BLK_BENCH_SEQREAD] = "seqread",
	[BLK_BENCH_SEQWRITE] = "seqwrite",
	[BLK_BENCH_RAND4K] = "rand4k",
	[BLK_BENCH_RAND4KWRITE] = "rand4kwrite",
};

/* ---- parameters ---- */

static bool at_word_end(const char *p)
{
	return (unsigned char)*p <= ' ';
}

/* PHASE:AMOUNT[,PHASE:AMOUNT...] */
static bool parse_phases(const char *p, struct blk_bench_options *bo)
{
	for (;;) {
		enum blk_bench_kind kind;
		const char *value;
		uint64_t amount;

		if ((value = skip_prefix(p, "seqread:")))
			kind = BLK_BENCH_SEQREAD;
		else if ((value = skip_prefix(p, "seqwrite:")))
			kind = BLK_BENCH_SEQWRITE;
		else if ((value = skip_prefix(p, "rand4kwrite:")))
			kind = BLK_BENCH_RAND4KWRITE;
		else if ((value = skip_prefix(p, "rand4k:")))
			kind = BLK_BENCH_RAND4K;
		else
			return false;
		bool sequential = kind == BLK_BENCH_SEQREAD || kind == BLK_BENCH_SEQWRITE;
		if (!parse_u64(&value, sequential, &amount) || !amount ||
		    amount > (sequential ? BENCH_MAX_PHASE_BYTES : BENCH_MAX_PHASE_REQUESTS) ||
		    (sequential && amount % SECTOR) || bo->nphases == BLK_BENCH_MAX_PHASES)
			return false;
		bo->phases[bo->nphases++] = (struct blk_bench_phase){ kind, amount };
		if (*value != ',')
			return at_word_end(value);
		p = value + 1;
	}
}

static bool parse_bounded(const char *value, bool size_suffix, uint64_t min, uint64_t max,
			  uint32_t *out)
{
	uint64_t n;

	if (!parse_u64(&value, size_suffix, &n) || !at_word_end(value) || n < min || n > max)
		return false;
	*out = (uint32_t)n;
	return true;
}

bool blk_bench_option(const char *word, struct blk_bench_options *bo)
{
	const char *value;

	if ((value = skip_prefix(word, "blk_bench=")))
		return parse_phases(value, bo);
	if ((value = skip_prefix(word, "blk_bench_depth=")))
		return parse_bounded(value, false, 1, BENCH_MAX_DEPTH, &bo->depth);
	if ((value = skip_prefix(word, "blk_bench_block=")))
		return parse_bounded(value, true, SECTOR, BENCH_MAX_BLOCK, &bo->block) &&
		       bo->block % SECTOR == 0;
	if ((value = skip_prefix(word, "tsc_khz=")))
		return parse_bounded(value, false, 1, UINT32_MAX, &bo->tsc_khz);
	return true; /* not ours */
}

/* ---- the device, with the benchmark's queue ---- */

static void write64(const struct vdev *d, unsigned low_offset, uint64_t value)
{
	vdev_write(d, low_offset, (uint32_t)value);
	vdev_write(d, low_offset + 4, (uint32_t)(value >> 32));
}

/* Reset, negotiate, queue 0 = our ring (as large as the device allows, up to 128), DRIVER_OK.
 * Sets bq->mask and lowers bq->depth to what the queue holds. */
static bool bench_queue_start(struct vdev *d, struct bench_queue *bq, const char **why)
{
	vdev_reset(d);
	if (!vdev_negotiate(d, why))
		return false;
	vdev_write(d, VIRTIO_MMIO_QUEUE_SEL, 0);
	uint32_t max = vdev_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX), num = BENCH_QUEUE_SIZE;

	while (num > max) /* split rings: a power of two */
		num >>= 1;
	if (num < 4) {
		*why = "QueueNumMax below 4";
		return false;
	}
	memset(&ring, 0, sizeof(ring));
	ring.avail.flags = VRING_AVAIL_F_NO_INTERRUPT; /* we poll the used ring */
	vdev_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
	write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uintptr_t)ring.desc);
	write64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, (uintptr_t)&ring.avail);
	write64(d, VIRTIO_MMIO_QUEUE_USED_LOW, (uintptr_t)&ring.used);
	vdev_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	vdev_write(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
						  VIRTIO_CONFIG_S_FEATURES_OK |
						  VIRTIO_CONFIG_S_DRIVER_OK);
	if ((vdev_read(d, VIRTIO_MMIO_STATUS) &
	     (VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_NEEDS_RESET)) != VIRTIO_CONFIG_S_DRIVER_OK) {
		*why = "DRIVER_OK not taken";
		return false;
	}
	bq->dev = d;
	bq->mask = (uint16_t)(num - 1);
	bq->avail_idx = bq->used_seen = 0;
	if (bq->depth > num / 3)
		bq->depth = num / 3;
	return true;
}

/* Chains of every slot for a phase: header -> data (request_bytes) -> status. */
static void bench_chains(const struct bench_queue *bq, bool write, uint32_t request_bytes)
{
	for (unsigned i = 0; i < bq->depth; i++) {
		struct vq_desc *c = &ring.desc[3 * i];

		headers[i] = (struct virtio_blk_outhdr){ .type = write ? VIRTIO_BLK_T_OUT
								      : VIRTIO_BLK_T_IN };
		c[0] = (struct vq_desc){ (uintptr_t)&headers[i], sizeof(headers[i]),
					 VRING_DESC_F_NEXT, (uint16_t)(3 * i + 1) };
		c[1] = (struct vq_desc){ BENCH_BUFFER_BASE + (uint64_t)i * request_bytes,
					 request_bytes,
					 (uint16_t)(VRING_DESC_F_NEXT | (write ? 0 : VRING_DESC_F_WRITE)),
					 (uint16_t)(3 * i + 2) };
		c[2] = (struct vq_desc){ (uintptr_t)&statuses[i], 1, VRING_DESC_F_WRITE, 0 };
	}
}

static inline uint64_t next_sector(struct bench_cursor *c)
{
	if (c->random_mask) { /* xorshift64: a fixed sequence, the same under every monitor */
		uint64_t x = c->random_state;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		c->random_state = x;
		return (x & c->random_mask) * (BENCH_RANDOM_BLOCK / SECTOR);
	}
	uint64_t s = c->sector;

	c->sector = s + c->step > c->last_start ? 0 : s + c->step; /* wraps at the disk's end */
	return s;
}

/* Queues slot's request at sector; bench_publish makes it visible to the device. */
static inline void bench_submit(uint16_t *avail_idx, uint16_t mask, unsigned slot,
				uint64_t sector)
{
	headers[slot].sector = sector;
	statuses[slot] = BLK_NO_STATUS;
	ring.avail.ring[(*avail_idx)++ & mask] = (uint16_t)(3 * slot);
}

static void bench_publish(struct bench_queue *bq, uint16_t avail_idx)
{
	compiler_barrier(); /* headers and ring entries before the index (x86: stores in order) */
	*(volatile uint16_t *)&ring.avail.idx = avail_idx;
	/* virtio 1.x 2.7.13.3: the index store must be visible before used.flags is read. */
	__asm__ volatile("mfence" : : : "memory");
	if (!(*(volatile uint16_t *)&ring.used.flags & VRING_USED_F_NO_NOTIFY)) {
		vdev_write(bq->dev, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
		bq->notifies++;
	}
}

struct phase_result {
	uint64_t ticks;
	const char *error; /* NULL: every request came back OK */
};

/*
 * requests requests, bq->depth in flight, each refilled as it completes. The loop state is
 * in locals (registers): every guest instruction counts. Used entries are read with volatile
 * loads after the volatile used.idx load, which x86 keeps in order.
 */
static struct phase_result run_phase(struct bench_queue *bq, const struct bench_cursor *where,
				     uint64_t requests, uint64_t stall_ticks)
{
	struct phase_result r = { 0, NULL };
	struct bench_cursor cursor = *where;
	const uint16_t mask = bq->mask;
	const unsigned depth = bq->depth;
	uint16_t avail_idx = bq->avail_idx, used_seen = bq->used_seen;
	unsigned first = requests < depth ? (unsigned)requests : depth;
	uint64_t to_submit = requests - first, completed = 0;
	uint64_t start = rdtsc(), last_progress = start;

	bq->notifies = 0;
	for (unsigned slot = 0; slot < first; slot++)
		bench_submit(&avail_idx, mask, slot, next_sector(&cursor));
	bench_publish(bq, avail_idx);
	while (completed < requests) {
		uint16_t used = *(volatile uint16_t *)&ring.used.idx;

		if (used == used_seen) {
			if (rdtsc() - last_progress > stall_ticks) {
				r.error = "no completion for 10 s";
				break;
			}
			continue;
		}
		uint64_t refill_from = to_submit;
		do {
			unsigned slot =
				*(volatile uint32_t *)&ring.used.ring[used_seen++ & mask].id / 3;

			if (slot >= depth) {
				r.error = "used ring names a descriptor that is no request's head";
				goto out;
			}
			uint8_t status = statuses[slot];
			if (status != VIRTIO_BLK_S_OK) {
				r.error = status == BLK_NO_STATUS ? "status byte not written"
								  : "status not OK";
				goto out;
			}
			completed++;
			if (to_submit) {
				to_submit--;
				bench_submit(&avail_idx, mask, slot, next_sector(&cursor));
			}
		} while (used_seen != used);
		if (to_submit != refill_from)
			bench_publish(bq, avail_idx);
		last_progress = rdtsc();
	}
	r.ticks = rdtsc() - start;
out:
	bq->avail_idx = avail_idx;
	bq->used_seen = used_seen;
	return r;
}

/* ---- the run ---- */

static uint64_t capacity(const struct vdev *d)
{
	return vdev_config32(d, 0) | (uint64_t)vdev_config32(d, 4) << 32;
}

/* CPUID 0x40000010 (KVM's timing leaf, QEMU with +invtsc) unless tsc_khz= says otherwise. */
static uint32_t tsc_khz(const struct blk_bench_options *bo)
{
	if (bo->tsc_khz)
		return bo->tsc_khz;
	if (cpuid(CPUID_HV_SIGNATURE).eax >= CPUID_HV_TIMING)
		return cpuid(CPUID_HV_TIMING).eax;
	return 0;
}

/* "blk-bench <phase> bytes= ns= MiB/s= IOPS= requests= block= depth= notifies=" */
static void print_phase(const struct bench_queue *bq, enum blk_bench_kind kind,
			uint64_t requests, uint32_t request_bytes, uint64_t ns)
{
	uint64_t bytes = requests * request_bytes;
	uint64_t bytes_per_s = ns ? bytes * 1000000000ull / ns : 0;
	uint64_t mib_per_s_x100 = bytes_per_s * 100 >> 20;
	uint64_t iops = ns ? requests * 1000000000ull / ns : 0;

	report_text("blk-bench %s bytes=%lu ns=%lu MiB/s=%lu.%02lu IOPS=%lu requests=%lu "
		    "block=%u depth=%u notifies=%u", phase_names[kind], (unsigned long)bytes,
		    (unsigned long)ns, (unsigned long)(mib_per_s_x100 / 100),
		    (unsigned long)(mib_per_s_x100 % 100), (unsigned long)iops,
		    (unsigned long)requests, request_bytes, bq->depth, bq->notifies);
}

static void run_phases(const struct hvm_start_info *si, const struct blk_bench_options *bo,
		       struct bench_queue *bq, uint32_t khz)
{
	uint32_t block = bo->block ? bo->block : BENCH_DEFAULT_BLOCK;
	uint64_t cap = capacity(bq->dev), span = 1;
	uint64_t buffer_bytes = (uint64_t)bq->depth * (block > BENCH_RANDOM_BLOCK ? block
										  : BENCH_RANDOM_BLOCK);

	if (!memmap_covers_ram(si, BENCH_BUFFER_BASE, buffer_bytes)) {
		report_fail(CHECK_BLK_BENCH, "buffers [0x%lx, 0x%lx) are not RAM: more -m, or a "
			    "smaller blk_bench_depth/blk_bench_block", (unsigned long)BENCH_BUFFER_BASE,
			    (unsigned long)(BENCH_BUFFER_BASE + buffer_bytes));
		return;
	}
	if (cap < block / SECTOR || cap < BENCH_RANDOM_BLOCK / SECTOR) {
		report_fail(CHECK_BLK_BENCH, "disk 0: %lu sectors, smaller than one request",
			    (unsigned long)cap);
		return;
	}
	while (span * 2 <= cap / (BENCH_RANDOM_BLOCK / SECTOR))
		span *= 2;
	/* Untimed: one read into every slot's whole buffer, so that no phase pays for the first
	 * touch of guest RAM by the monitor (a host page fault per page). */
	struct bench_cursor warm_up = { .step = 0, .last_start = cap };

	bench_chains(bq, false, (uint32_t)(buffer_bytes / bq->depth));
	if (run_phase(bq, &warm_up, bq->depth, (uint64_t)khz * BENCH_STALL_MS).error) {
		report_fail(CHECK_BLK_BENCH, "disk 0: the warm-up reads failed");
		return;
	}
	report_text("blk-bench disk=0 sectors=%lu queue=%u depth=%u block=%u tsc_khz=%u (%s) "
		    "completions=polled", (unsigned long)cap, bq->mask + 1u, bq->depth, block, khz,
		    bo->tsc_khz ? "tsc_khz=" : "cpuid");
	for (unsigned i = 0; i < bo->nphases; i++) {
		const struct blk_bench_phase *p = &bo->phases[i];
		bool sequential = p->kind == BLK_BENCH_SEQREAD || p->kind == BLK_BENCH_SEQWRITE;
		bool write = p->kind == BLK_BENCH_SEQWRITE || p->kind == BLK_BENCH_RAND4KWRITE;
		uint32_t request_bytes = sequential ? block : BENCH_RANDOM_BLOCK;
		uint64_t requests = sequential ? (p->amount + block - 1) / block : p->amount;
		struct bench_cursor cursor = {
			.step = request_bytes / SECTOR,
			.last_start = cap - request_bytes / SECTOR,
			/* 0 (sequential) too on a disk of less than two 4 KiB blocks */
			.random_mask = sequential ? 0 : span - 1,
			.random_state = 0x9e3779b97f4a7c15ull,
		};

		bench_chains(bq, write, request_bytes);
		struct phase_result r = run_phase(bq, &cursor, requests,
						  (uint64_t)khz * BENCH_STALL_MS);
		if (r.error) {
			report_fail(CHECK_BLK_BENCH, "%s: %s", phase_names[p->kind], r.error);
			return;
		}
		print_phase(bq, p->kind, requests, request_bytes, r.ticks * 1000000ull / khz);
	}
	report_ok(CHECK_BLK_BENCH, "disk 0: %u phase(s), every request OK", bo->nphases);
}

void virtio_blk_bench(const struct hvm_start_info *si, const struct blk_bench_options *bo)
{
	struct vdev *d = virtio_find(VIRTIO_ID_BLOCK, 0);
	struct bench_queue bq = { .depth = bo->depth ? bo->depth : BENCH_DEFAULT_DEPTH };
	const char *why;
	uint32_t khz = tsc_khz(bo);

	if (!d) {
		report_fail(CHECK_BLK_BENCH, "blk_bench= needs a block device");
		return;
	}
	if (!khz) {
		report_fail(CHECK_BLK_BENCH, "no TSC frequency: CPUID 0x40000010 missing or 0; "
			    "give tsc_khz=");
		return;
	}
	ioapic_mask(d->irq); /* polling: no interrupt from this device meanwhile */
	if (!bench_queue_start(d, &bq, &why))
		report_fail(CHECK_BLK_BENCH, "disk 0: bringing up the benchmark queue: %s", why);
	else
		run_phases(si, bo, &bq, khz);
	/* Back to the driver's normal queue for whatever checks follow. */
	if (!vdev_init(d, &why))
		report_fail(CHECK_BLK_BENCH, "disk 0: re-initialising after the benchmark: %s", why);
	ioapic_route_level(d->irq, IRQ_VECTOR_DEVICE);
}
