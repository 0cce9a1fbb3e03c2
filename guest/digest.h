/* SPDX-License-Identifier: BSD-2-Clause */
/* Sums and hashes over guest memory: MP table checksums and the initrd's FNV-1a. */
#ifndef REFGUEST_DIGEST_H
#define REFGUEST_DIGEST_H

#include <stddef.h>
#include <stdint.h>

/* The 8-bit sum of n bytes (MP structures are valid when it is 0). */
uint8_t byte_sum(const void *data, size_t n);

/* FNV-1a, 32 bits. About four instructions a byte: keep hashed test initrds small. */
uint32_t fnv1a32(const void *data, size_t n);

#endif
