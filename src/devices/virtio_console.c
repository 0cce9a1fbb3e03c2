/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_console.h"

#include <errno.h>
#include <linux/virtio_console.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <unistd.h>

#include "debug/timeline.h"

#define RECEIVEQ 0
#define TRANSMITQ 1
#define RX_BUFFER 4096
#define CONSOLE_QUEUE_SIZE 128u

struct virtio_console {
	struct virtio_mmio transport;
	struct virtio_console_config config; /* all zero: no F_SIZE, no MULTIPORT */
	int out_fd;
	pthread_cond_t rx_space;
	uint8_t rx[RX_BUFFER];
	size_t rx_head, rx_count;
};

static void write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return; /* a closed or failing console drops output; the guest goes on */
		p += n;
		len -= (size_t)n;
	}
}

static uint32_t transmit_chain(struct virtio_mmio *t, const struct vq_chain *c)
{
	struct virtio_console *con = t->dev;
	if (c->read_len)
		timeline_mark(TL_FIRST_CONSOLE_BYTE);
	for (unsigned i = 0; i < c->nread; i++)
		write_all(con->out_fd, c->segs[i].host, c->segs[i].len);
	return 0; /* nothing written into the guest's buffers */
}

static bool input_pending(struct virtio_mmio *t)
{
	const struct virtio_console *con = t->dev;
	return con->rx_count != 0;
}

static uint32_t fill_input(struct virtio_mmio *t, const struct vq_chain *chain)
{
	struct virtio_console *con = t->dev;
	uint32_t done = 0;
	while (con->rx_count && done < chain->write_len) {
		size_t run = RX_BUFFER - con->rx_head < con->rx_count ? RX_BUFFER - con->rx_head
								     : con->rx_count;
		size_t n = vq_chain_write(chain, done, con->rx + con->rx_head, run);
		con->rx_head = (con->rx_head + n) % RX_BUFFER;
		con->rx_count -= n;
		done += (uint32_t)n;
	}
	return done;
}

/* Move buffered input into the driver's receive buffers (transport lock held). */
static void deliver_input(struct virtio_console *con)
{
	virtio_mmio_fill_queue(&con->transport, RECEIVEQ, input_pending, fill_input);
	pthread_cond_broadcast(&con->rx_space);
}

static void console_queue_notify(struct virtio_mmio *t, unsigned q)
{
	if (q == TRANSMITQ)
		virtio_mmio_process_queue(t, q, transmit_chain);
	else
		deliver_input(t->dev);
}

static void console_driver_ok(struct virtio_mmio *t)
{
	deliver_input(t->dev);
}

static const struct virtio_mmio_ops console_ops = {
	.device_id = VIRTIO_ID_CONSOLE,
	.features = 0,
	.num_queues = 2,
	.queue_max = CONSOLE_QUEUE_SIZE,
	.queue_notify = console_queue_notify,
	.driver_ok = console_driver_ok,
};

void virtio_console_input(void *opaque, const uint8_t *buf, size_t len)
{
	struct virtio_mmio *t = opaque;
	struct virtio_console *con = t->dev;
	pthread_mutex_lock(&t->lock);
	while (len) {
		while (con->rx_count == RX_BUFFER)
			pthread_cond_wait(&con->rx_space, &t->lock);
		size_t tail = (con->rx_head + con->rx_count) % RX_BUFFER;
		size_t room = RX_BUFFER - con->rx_count;
		size_t run = RX_BUFFER - tail < room ? RX_BUFFER - tail : room;
		size_t n = len < run ? len : run;
		for (size_t i = 0; i < n; i++)
			con->rx[tail + i] = buf[i];
		con->rx_count += n;
		buf += n;
		len -= n;
		deliver_input(con);
	}
	pthread_mutex_unlock(&t->lock);
}

struct virtio_mmio *virtio_console_create(const struct guest_mem *mem, int out_fd,
					  struct error *err)
{
	struct virtio_console *con = calloc(1, sizeof(*con));
	if (!con) {
		error_set(err, "virtio-console: out of memory");
		return NULL;
	}
	con->out_fd = out_fd;
	pthread_cond_init(&con->rx_space, NULL);
	virtio_mmio_init(&con->transport, &console_ops, con, mem, &con->config,
			 sizeof(con->config), "virtio-console");
	return &con->transport;
}

void virtio_console_destroy(struct virtio_mmio *t)
{
	if (!t)
		return;
	struct virtio_console *con = t->dev;
	pthread_cond_destroy(&con->rx_space);
	virtio_mmio_destroy(t);
	free(con);
}
