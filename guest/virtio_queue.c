// SPDX-License-Identifier: BSD-2-Clause
/*
 * Split virtqueues with one request in flight: the chain always starts at descriptor 0, so
 * there is no free list to keep. Completion is waited for with sti; hlt: the device's
 * level-triggered interrupt (or the local APIC timer, for the time limit) ends the hlt; the
 * interrupt is then acknowledged at the device (InterruptStatus, InterruptACK) before the EOI,
 * so the line is low when the IOAPIC looks at it again.
 */
#include <linux/virtio_config.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "cpu.h"
#include "ioapic.h"
#include "virtio.h"

static uint32_t irq_device_seen;
unsigned irq_without_status;

void vq_interrupts_init(void)
{
	for (unsigned i = 0; i < virtio_ndevices; i++)
		if (virtio_devices[i].live)
			ioapic_route_level(virtio_devices[i].irq, IRQ_VECTOR_DEVICE);
}

/* After a device interrupt: find who raised it, acknowledge, then EOI (level-triggered). */
static void take_device_interrupt(void)
{
	bool any = false;

	irq_device_seen = irq_device_count;
	for (unsigned i = 0; i < virtio_ndevices; i++) {
		struct vdev *d = &virtio_devices[i];

		if (!d->device_id)
			continue;
		uint32_t isr = vdev_read(d, VIRTIO_MMIO_INTERRUPT_STATUS);
		if (isr) {
			vdev_write(d, VIRTIO_MMIO_INTERRUPT_ACK, isr);
			d->isr_seen |= isr;
			d->irqs++;
			any = true;
		}
	}
	/* Level-triggered: after InterruptACK the line is low, so an interrupt with nothing
	 * pending means the line stayed up (or rose without an InterruptStatus bit). */
	if (!any)
		irq_without_status++;
	lapic_eoi();
}

void vq_drain_interrupts(void)
{
	irq_window();
	if (irq_device_count != irq_device_seen)
		take_device_interrupt();
}

void vq_submit(struct vdev *d, unsigned q, const struct vq_buf *bufs, unsigned n, bool notify)
{
	struct vq *vq = d->queues[q];

	for (unsigned i = 0; i < n; i++) {
		vq->desc[i].addr = bufs[i].addr;
		vq->desc[i].len = bufs[i].len;
		vq->desc[i].flags = (uint16_t)((i + 1 < n ? VRING_DESC_F_NEXT : 0) |
					       (bufs[i].writable ? VRING_DESC_F_WRITE : 0));
		vq->desc[i].next = (uint16_t)(i + 1 < n ? i + 1 : 0);
	}
	vq->avail.ring[vq->avail.idx % vq->size] = 0;
	compiler_barrier(); /* x86 keeps stores in order: the ring entry before the index */
	vq->avail.idx++;
	compiler_barrier();
	d->isr_seen = 0;
	if (notify)
		vdev_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

static uint16_t used_index(const struct vq *vq)
{
	return *(volatile const uint16_t *)&vq->used.idx;
}

/*
 * Done when the used ring has advanced and the interrupt for it was taken, or when the device
 * says NEEDS_RESET. When the time runs out with the ring advanced but no interrupt, the
 * request still counts as used (blk-irq then says the interrupt is missing).
 */
enum vq_result vq_wait(struct vdev *d, unsigned q, unsigned timeout_ms, uint32_t *used_len)
{
	struct vq *vq = d->queues[q];
	uint32_t timer_start = irq_timer_count;
	enum vq_result result;

	lapic_timer_start(timeout_ms);
	for (;;) {
		bool used = used_index(vq) != vq->last_used;

		if (used && (d->isr_seen & VIRTIO_MMIO_INT_VRING)) {
			result = VQ_USED;
			break;
		}
		if (vdev_read(d, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET) {
			result = VQ_NEEDS_RESET;
			break;
		}
		if (irq_timer_count != timer_start) {
			result = used ? VQ_USED : VQ_TIMEOUT;
			break;
		}
		irq_wait();
		if (irq_device_count != irq_device_seen)
			take_device_interrupt();
	}
	lapic_timer_stop();
	if (result == VQ_USED) {
		compiler_barrier();
		if (used_len)
			*used_len = vq->used.ring[vq->last_used % vq->size].len;
		vq->last_used++;
	}
	return result;
}
