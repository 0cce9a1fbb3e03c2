/* SPDX-License-Identifier: BSD-2-Clause */
#include "net_tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "core/wakeup.h"
#include "devices/virtio_log.h"

/* One header and the largest frame the tap hands over with TSO: 64 KiB and some headers. */
#define TAP_FRAME_MAX (sizeof(struct virtio_net_hdr_v1) + 65536u + 256u)

struct tap {
	struct net_backend be;
	char name[IFNAMSIZ];
	int fd;
	int wake_fd; /* eventfd: rx_ready while waiting, and stop */
	pthread_t thread;
	bool started;
	net_deliver_fn deliver;
	void *opaque;
	int waiting; /* atomic: the guest had no buffer; rx_ready must wake the thread */
	int stop;    /* atomic */
	uint8_t frame[TAP_FRAME_MAX];
};

static struct tap *tap_of(struct net_backend *be)
{
	return (struct tap *)be;
}

static void wake(struct tap *tap)
{
	wakeup_signal(tap->wake_fd);
}

static void drain_wake(struct tap *tap)
{
	wakeup_drain(tap->wake_fd);
}

/* Until a wake-up (rx_ready or stop); with the tap too when read_tap. */
static void wait_for(struct tap *tap, bool read_tap)
{
	struct pollfd fds[2] = {
		{ .fd = tap->wake_fd, .events = POLLIN },
		{ .fd = tap->fd, .events = POLLIN },
	};
	if (poll(fds, read_tap ? 2 : 1, -1) > 0 && (fds[0].revents & POLLIN))
		drain_wake(tap);
}

/*
 * Read a frame, hand it over; when the guest has no buffer, keep the frame and stop reading
 * until rx_ready: the tap's own queue then fills and drops, as a NIC's would.
 */
static void *reader_thread(void *arg)
{
	struct tap *tap = arg;
	sandbox_thread_start(SANDBOX_DEVICE, "net-tap");
	bool have = false, broken = false;
	struct iovec iov = { tap->frame, 0 };
	while (!__atomic_load_n(&tap->stop, __ATOMIC_ACQUIRE)) {
		if (!have) {
			ssize_t n = broken ? -1 : read(tap->fd, tap->frame, sizeof(tap->frame));
			if (n > 0) {
				have = true;
				iov.iov_len = (size_t)n;
			} else if (!broken && n < 0 && (errno == EAGAIN || errno == EINTR)) {
				wait_for(tap, true);
				continue;
			} else {
				if (!broken) /* the tap was deleted, say: the guest's link goes quiet */
					virtio_log("%s: read: %s; no more frames for the guest",
						   tap->name, n < 0 ? strerror(errno) : "end of file");
				broken = true;
				wait_for(tap, false);
				continue;
			}
		}
		if (tap->deliver(tap->opaque, &iov, 1)) {
			have = false;
			continue;
		}
		/* Say we wait before the second try: an rx_ready from now on wakes us. */
		__atomic_store_n(&tap->waiting, 1, __ATOMIC_SEQ_CST);
		if (tap->deliver(tap->opaque, &iov, 1)) {
			__atomic_store_n(&tap->waiting, 0, __ATOMIC_SEQ_CST);
			have = false;
			continue;
		}
		wait_for(tap, false);
	}
	return NULL;
}

static int tap_start(struct net_backend *be, net_deliver_fn deliver, void *opaque,
		     struct error *err)
{
	struct tap *tap = tap_of(be);
	tap->deliver = deliver;
	tap->opaque = opaque;
	int rc = pthread_create(&tap->thread, NULL, reader_thread, tap);
	if (rc != 0)
		return error_set(err, "tap %s: cannot start the reader thread: %s", tap->name,
				 strerror(rc));
	tap->started = true;
	return 0;
}

static int tap_send(struct net_backend *be, const struct iovec *iov, unsigned iovcnt)
{
	struct tap *tap = tap_of(be);
	for (;;) {
		ssize_t n = writev(tap->fd, iov, (int)iovcnt);
		if (n >= 0)
			return 0;
		if (errno != EINTR)
			return -1; /* EAGAIN (queue full), EIO (link down), EINVAL (bad header) */
	}
}

static void tap_rx_ready(struct net_backend *be)
{
	struct tap *tap = tap_of(be);
	if (__atomic_exchange_n(&tap->waiting, 0, __ATOMIC_SEQ_CST))
		wake(tap);
}

static unsigned tun_flags(uint32_t offloads)
{
	unsigned f = 0;
	if (offloads & NET_OFFLOAD_CSUM)
		f |= TUN_F_CSUM;
	if (offloads & NET_OFFLOAD_TSO)
		f |= TUN_F_TSO4 | TUN_F_TSO6;
	if (offloads & NET_OFFLOAD_ECN)
		f |= TUN_F_TSO_ECN;
	if (offloads & NET_OFFLOAD_UFO)
		f |= TUN_F_UFO;
	return f;
}

/* What the tap may hand the guest: exactly the GUEST_* offloads the guest accepted. */
static int tap_set_offloads(struct net_backend *be, uint32_t offloads)
{
	struct tap *tap = tap_of(be);
	if (ioctl(tap->fd, TUNSETOFFLOAD, (unsigned long)tun_flags(offloads)) < 0) {
		virtio_log("%s: TUNSETOFFLOAD 0x%x: %s", tap->name, tun_flags(offloads),
			   strerror(errno));
		return -1;
	}
	return 0;
}

static void tap_destroy(struct net_backend *be)
{
	struct tap *tap = tap_of(be);
	if (tap->started) {
		__atomic_store_n(&tap->stop, 1, __ATOMIC_RELEASE);
		wake(tap);
		pthread_join(tap->thread, NULL);
	}
	if (tap->wake_fd >= 0)
		close(tap->wake_fd);
	if (tap->fd >= 0)
		close(tap->fd);
	free(tap);
}

static const struct net_backend_ops tap_ops = {
	.start = tap_start,
	.send = tap_send,
	.rx_ready = tap_rx_ready,
	.set_offloads = tap_set_offloads,
	.destroy = tap_destroy,
};

/* The offloads this kernel's tap takes, most first; it starts with none until the guest says. */
static uint32_t probe_offloads(int fd)
{
	static const uint32_t tries[] = {
		NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO | NET_OFFLOAD_ECN | NET_OFFLOAD_UFO,
		NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO | NET_OFFLOAD_ECN,
		NET_OFFLOAD_CSUM | NET_OFFLOAD_TSO,
		NET_OFFLOAD_CSUM,
	};
	uint32_t found = 0;
	for (size_t i = 0; i < sizeof(tries) / sizeof(tries[0]); i++) {
		if (ioctl(fd, TUNSETOFFLOAD, (unsigned long)tun_flags(tries[i])) == 0) {
			found = tries[i];
			break;
		}
	}
	ioctl(fd, TUNSETOFFLOAD, 0ul);
	return found;
}

static int open_tap(struct tap *tap, const char *name, struct error *err)
{
	if (!*name || strlen(name) >= IFNAMSIZ)
		return error_set(err, "tap '%s': interface names have 1 to %d characters", name,
				 IFNAMSIZ - 1);
	strcpy(tap->name, name);
	/* TUNSETIFF would create a missing tap (with CAP_NET_ADMIN): the tap must exist. */
	if (if_nametoindex(name) == 0)
		return error_set(err, "tap '%s': no such interface (create it first, e.g. ip tuntap "
				      "add dev %s mode tap)", name, name);
	tap->fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tap->fd < 0)
		return error_set(err, "tap '%s': /dev/net/tun: %s", name, strerror(errno));
	struct ifreq ifr;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, name);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(tap->fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		const char *why = e == EBUSY    ? "busy (another process has it open)"
				  : e == EPERM  ? "not allowed (the tap's owner/group, or "
						  "CAP_NET_ADMIN, is needed)"
				  : e == EINVAL ? "not a single-queue tap device"
						: strerror(e);
		return error_set(err, "tap '%s': %s", name, why);
	}
	int hdr_len = sizeof(struct virtio_net_hdr_v1);
	if (ioctl(tap->fd, TUNSETVNETHDRSZ, &hdr_len) < 0)
		return error_set(err, "tap '%s': TUNSETVNETHDRSZ: %s", name, strerror(errno));
	tap->be.offloads = probe_offloads(tap->fd);
	tap->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (tap->wake_fd < 0)
		return error_set(err, "tap '%s': eventfd: %s", name, strerror(errno));
	return 0;
}

struct net_backend *net_tap_create(const char *name, struct error *err)
{
	struct tap *tap = calloc(1, sizeof(*tap));
	if (!tap) {
		error_set(err, "tap '%s': out of memory", name);
		return NULL;
	}
	tap->fd = tap->wake_fd = -1;
	tap->be.ops = &tap_ops;
	tap->be.name = tap->name;
	if (open_tap(tap, name, err) < 0) {
		tap_destroy(&tap->be);
		return NULL;
	}
	return &tap->be;
}
