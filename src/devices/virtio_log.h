/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-line warnings about what a guest did to a virtio device. A hostile guest can trigger
 * them at will, so they are rate-limited process-wide: a burst of a few lines, then at most
 * one a second, with a count of what was dropped.
 */
#ifndef MILLIVM_VIRTIO_LOG_H
#define MILLIVM_VIRTIO_LOG_H

void virtio_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lines dropped by the limiter so far (for tests). */
unsigned long virtio_log_suppressed(void);

#endif
