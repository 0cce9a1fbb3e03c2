/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Waking a host thread's poll loop through a non-blocking eventfd: the tap reader, the
 * user-mode network thread and the vsock host thread each wait on one beside their sockets.
 */
#ifndef MILLIVM_WAKEUP_H
#define MILLIVM_WAKEUP_H

#include <errno.h>
#include <stdint.h>
#include <unistd.h>

/* Make fd readable. EAGAIN means the counter is already non-zero: the thread wakes anyway.
 * 0, or -errno. */
static inline int wakeup_signal(int fd)
{
	uint64_t one = 1;
	for (;;) {
		if (write(fd, &one, sizeof(one)) >= 0)
			return 0;
		if (errno != EINTR)
			return errno == EAGAIN ? 0 : -errno;
	}
}

/* Reset fd to not readable. 0 (also when it was not readable), or -errno. */
static inline int wakeup_drain(int fd)
{
	uint64_t count;
	for (;;) {
		if (read(fd, &count, sizeof(count)) >= 0)
			return 0;
		if (errno != EINTR)
			return errno == EAGAIN ? 0 : -errno;
	}
}

#endif
