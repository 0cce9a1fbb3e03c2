/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-line warnings about what a guest did to a virtio device. A hostile guest can trigger
 * them at will, so they are rate-limited process-wide: a burst of ten lines, then at most
 * one a second. What is dropped is counted in a "(N virtio messages suppressed)" line, at the
 * next line printed or at exit, so every event shows up one way or the other.
 */
#ifndef MILLIVM_VIRTIO_LOG_H
#define MILLIVM_VIRTIO_LOG_H

void virtio_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Lines dropped by the limiter so far (for tests). */
unsigned long virtio_log_suppressed(void);

#endif
