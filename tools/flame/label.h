/* SPDX-License-Identifier: BSD-2-Clause */
/* Fixed-size display labels, so that spans kept for the chart have a bounded size. */
#ifndef MILLIVM_FLAME_LABEL_H
#define MILLIVM_FLAME_LABEL_H

#include <stddef.h>

#define LABEL_ELLIPSIS "..."

/*
 * Writes "name" or, with an argument, "name(arg)" into dst[cap] (cap >= 8), always
 * NUL-terminated. Too long a label is cut at a UTF-8 character boundary and ends in "...".
 * arg may be NULL.
 */
void label_format(char *dst, size_t cap, const char *name, size_t name_len, const char *arg,
		  size_t arg_len);

#endif
