/* SPDX-License-Identifier: BSD-2-Clause */
/* Small strict parsers for option values. */
#ifndef MILLIVM_PARSE_H
#define MILLIVM_PARSE_H

#include <stdint.h>

#include "core/error.h"

/*
 * A memory size as QEMU takes it: a number with an optional K, M, G or T suffix (also KiB,
 * MiB, GiB, TiB, and B for bytes); a bare number means MiB. Rejects negative, empty,
 * overflowing and trailing-garbage input.
 */
int parse_mem_size(const char *text, uint64_t *bytes, struct error *err);

/* The value of a hexadecimal digit (either case), or -1. */
int parse_hex_digit(int c);

/* A decimal unsigned integer in [min, max]. */
int parse_uint_range(const char *text, unsigned long min, unsigned long max,
		     unsigned long *out, struct error *err);

#endif
