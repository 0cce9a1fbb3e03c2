/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's logger (PUT /logger, the "logger" section of --config-file): human-readable
 * lines with a level filter, to an existing file or named pipe. Until it is configured
 * nothing is written (millivm's own errors still go to stderr as always).
 *
 * Line format, as Firecracker's: `2026-01-02T03:04:05.123456789 [anonymous-instance:THREAD]
 * message`, with `:LEVEL` when show_level is set and `:FILE:LINE` when show_log_origin is.
 */
#ifndef MILLIVM_API_LOGGER_H
#define MILLIVM_API_LOGGER_H

#include <stdbool.h>

#include "core/error.h"

enum log_level { LOG_OFF, LOG_ERROR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_TRACE };

struct logger_config {
	const char *path;
	enum log_level level;
	bool show_level;
	bool show_origin;
	const char *module; /* only messages whose source path starts with this; NULL: all */
};

/* "Error", "Warning", "Info", "Debug", "Trace", "Off", in any case. */
int log_level_parse(const char *name, enum log_level *level);
const char *log_level_name(enum log_level level); /* as Firecracker spells it: "Info" */

/* Open the destination and switch to it (a reconfiguration replaces the old one). */
int logger_configure(const struct logger_config *cfg, struct error *err);

bool logger_enabled(enum log_level level);

/* The thread's name in log lines ("main" until set): Firecracker's are main, fc_api.
 * A thread-local, so logging never asks the kernel (the API thread may be sandboxed). */
void logger_set_thread_name(const char *name);

void logger_log(enum log_level level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define log_error(...) logger_log(LOG_ERROR, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) logger_log(LOG_WARNING, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) logger_log(LOG_INFO, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) logger_log(LOG_DEBUG, __FILE__, __LINE__, __VA_ARGS__)

#endif
