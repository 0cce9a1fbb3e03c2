/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One-line error messages that name the input and the reason. Parsers and loaders fill a
 * struct error instead of printing, so the unit tests and fuzzers can check them and main()
 * decides how to report.
 */
#ifndef MILLIVM_ERROR_H
#define MILLIVM_ERROR_H

#include <stddef.h>

#define ERROR_MSG_MAX 512

struct error {
	char msg[ERROR_MSG_MAX];
};

/* Set the message (printf-style) and return -1, so callers can `return error_set(...)`. */
int error_set(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefix the existing message with "context: ". Returns -1 too. */
int error_prefix(struct error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
