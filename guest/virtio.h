/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The reference guest's virtio-mmio driver (version 2 only): transport probe and set-up
 * (virtio_mmio.c), split virtqueues with one request in flight (virtio_queue.c), and the
 * checks per device kind (virtio_blk.c, virtio_rng.c, virtio_console.c, virtio_hostile.c).
 * Register offsets, status bits and request layouts come from the Linux UAPI headers.
 */
#ifndef REFGUEST_VIRTIO_H
#define REFGUEST_VIRTIO_H

#include <millivm/abi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_options.h"

/* Small queues: one request in flight, at most a few descriptors. */
#define VQ_SIZE 8
#define VIRTIO_MAX_QUEUES 3 /* vsock: rx, tx, event */

#define VIRTIO_ID_NET 1
#define VIRTIO_ID_BLOCK 2
#define VIRTIO_ID_CONSOLE 3
#define VIRTIO_ID_RNG 4
#define VIRTIO_ID_VSOCK 19

/* Split virtqueue rings, laid out as virtio 1.x 2.7 wants (desc 16-, avail 2-, used 4-aligned). */
struct vq_desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

struct vq {
	struct vq_desc desc[VQ_SIZE];
	struct {
		uint16_t flags, idx, ring[VQ_SIZE], used_event;
	} avail;
	uint16_t pad;
	struct {
		uint16_t flags, idx;
		struct {
			uint32_t id, len;
		} ring[VQ_SIZE];
		uint16_t avail_event;
	} used __attribute__((aligned(4)));
	uint16_t size;      /* what the driver told the device */
	uint16_t last_used; /* used.idx we have consumed up to */
} __attribute__((aligned(16)));

struct vdev {
	uint64_t base, size;
	uint32_t irq, device_id;
	uint64_t offered, accepted; /* features */
	unsigned nqueues;
	struct vq *queues[VIRTIO_MAX_QUEUES];
	bool live;          /* DRIVER_OK accepted */
	uint32_t isr_seen;  /* InterruptStatus bits taken through the interrupt since the submit */
	unsigned irqs;      /* interrupts taken for this device */
};

/* A buffer of a request: device-readable unless writable. */
struct vq_buf {
	uint64_t addr;
	uint32_t len;
	bool writable;
};

enum vq_result {
	VQ_USED,        /* the device returned the chain */
	VQ_NEEDS_RESET, /* the device set DEVICE_NEEDS_RESET instead */
	VQ_TIMEOUT,     /* neither within the time limit */
};

/* virtio_mmio.c */
uint32_t vdev_read(const struct vdev *d, unsigned offset);
void vdev_write(const struct vdev *d, unsigned offset, uint32_t value);
uint32_t vdev_config32(const struct vdev *d, unsigned offset);
void vdev_reset(const struct vdev *d);
/* Feature negotiation up to FEATURES_OK: false (reason printed) if the device refuses. */
bool vdev_negotiate(struct vdev *d, const char **why);
/* QueueSel, QueueNum (VQ_AUTO: min(VQ_SIZE, QueueNumMax)), the ring addresses, QueueReady:
 * false if the queue does not go ready. */
#define VQ_AUTO 0xffffffffu
bool vdev_setup_queue(struct vdev *d, unsigned q, uint32_t num, const char **why);
/* Reset, negotiate, queues, DRIVER_OK. */
bool vdev_init(struct vdev *d, const char **why);
/* Negotiate VIRTIO_RING_F_INDIRECT_DESC when offered (hostile mode's indirect cases only). */
extern bool virtio_accept_indirect;
/* Take VIRTIO_NET_F_CSUM when offered (net_csum_offload). */
extern bool virtio_net_accept_csum;
/* The devices probed (virtio_probe), in command-line order. */
extern struct vdev virtio_devices[VIRTIO_MAX_DEVICES];
extern unsigned virtio_ndevices;

/* virtio_queue.c */
/* Builds the chain at descriptor 0 from bufs, offers it and notifies (unless !notify). */
void vq_submit(struct vdev *d, unsigned q, const struct vq_buf *bufs, unsigned n, bool notify);
/* Waits (sti; hlt) for the chain to come back, for NEEDS_RESET, or for timeout_ms. */
enum vq_result vq_wait(struct vdev *d, unsigned q, unsigned timeout_ms, uint32_t *used_len);
/* Interrupt plumbing: route every device's pin, enable the local APIC. */
void vq_interrupts_init(void);
/* Takes any pending device interrupts (acknowledged at the device), then leaves IF clear. */
void vq_drain_interrupts(void);
/* Device interrupts taken while no device had an InterruptStatus bit set. */
extern unsigned irq_without_status;

/* virtio_blk.c */
/* One request; returns the status byte (0xff: the device did not write it, 0xfe: no answer). */
#define BLK_NO_STATUS 0xff
#define BLK_NO_ANSWER 0xfe
uint8_t blk_request(struct vdev *d, uint32_t type, uint64_t sector, void *data, uint32_t len,
		    unsigned timeout_ms, uint32_t *used_len);
void virtio_blk_checks(const struct virtio_options *vo);
/* blk_reread: disk 0's capacity and the start of its sector 0, once more (main.c, after spin=). */
void virtio_blk_reread(void);

/* virtio_rng.c, virtio_console.c, virtio_hostile.c */
void virtio_rng_check(const struct virtio_options *vo);
void virtio_console_check(const struct virtio_options *vo);
void virtio_hostile_checks(const struct hvm_start_info *si, const struct virtio_options *vo);

/* virtio_net.c */
void virtio_net_checks(const struct virtio_options *vo);
/* virtio_vsock.c: vsock_listen=, vsock_connect=, expect_cid=, hostile=vsock* */
void virtio_vsock_checks(const struct virtio_options *vo);

/* The first live device of a kind, or NULL. */
struct vdev *virtio_find(uint32_t device_id, unsigned nth);

/* Everything the command line asks for: probe, then the checks (main.c calls this). */
void virtio_run_checks(const struct hvm_start_info *si, const struct virtio_options *vo);

#endif
