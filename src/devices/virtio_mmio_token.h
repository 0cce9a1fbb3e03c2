/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The kernel command-line announcement of a virtio-mmio device (design.md section 6):
 * `virtio_mmio.device=<size>[K|M|G]@<base>:<irq>[:<id>]`, as QEMU microvm writes it and
 * Linux, NetBSD and FreeBSD (`virtio_mmio.device_N=`) read it. Pure functions: unit tests and
 * fuzzers drive them directly.
 */
#ifndef MILLIVM_VIRTIO_MMIO_TOKEN_H
#define MILLIVM_VIRTIO_MMIO_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct virtio_mmio_token {
	uint64_t size; /* register window, bytes (512) */
	uint64_t base; /* guest-physical */
	unsigned irq;
	bool has_id;
	unsigned id;   /* platform device id, when given */
};

/*
 * "virtio_mmio.device=512@0xfeb00000:5" (with ":id" when has_id), NUL-terminated. Returns the
 * length, or -1 if it does not fit in cap bytes (buf is then an empty string if cap > 0).
 */
int virtio_mmio_format_token(char *buf, size_t cap, const struct virtio_mmio_token *tok);

/*
 * Parse one token, with or without its "virtio_mmio.device=" / "virtio_mmio.device_N="
 * prefix. Numbers follow Linux (memparse and %lli): base auto-detection (0x hex, leading 0
 * octal, else decimal); the size takes a K, M, G or T suffix; irq and id are decimal.
 * Rejects empty fields, overflow, a zero size or irq, base + size past 2^64, and any
 * trailing text.
 */
int virtio_mmio_parse_token(const char *text, struct virtio_mmio_token *tok, struct error *err);

#endif
