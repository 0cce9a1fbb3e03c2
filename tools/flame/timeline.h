/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The TSC frequency from millivm's timeline JSON: the number under the key "tsc_khz".
 * No JSON library: a scanner that steps over strings (so a "tsc_khz" inside a value or an
 * escaped quote cannot fool it) and takes the key at the shallowest nesting level.
 */
#ifndef MILLIVM_FLAME_TIMELINE_H
#define MILLIVM_FLAME_TIMELINE_H

#include <stddef.h>

#define TIMELINE_MAX_BYTES (16u << 20) /* the monitor writes a few hundred bytes */

enum timeline_result {
	TIMELINE_OK = 0,
	TIMELINE_NO_KEY = -1,    /* no "tsc_khz" key */
	TIMELINE_BAD_VALUE = -2, /* the key's value is not a positive number */
};

/* Pure: scans json[0..n). On TIMELINE_OK, *khz > 0. */
int timeline_find_tsc_khz(const char *json, size_t n, double *khz);

/* Reads path (at most TIMELINE_MAX_BYTES). 0 on success, else -1 with a reason in why. */
int timeline_read_tsc_khz(const char *path, double *khz, char *why, size_t why_len);

#endif
