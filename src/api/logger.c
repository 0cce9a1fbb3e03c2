/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/logger.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "api/metrics.h"
#include "api/output_file.h"

#define LOG_LINE_MAX 1024
#define INSTANCE_ID "anonymous-instance"

static const char *const level_names[] = {
	[LOG_OFF] = "Off",   [LOG_ERROR] = "Error", [LOG_WARNING] = "Warning",
	[LOG_INFO] = "Info", [LOG_DEBUG] = "Debug", [LOG_TRACE] = "Trace",
};

/* The level is read on every call without the lock: a disabled level costs one load. */
static _Atomic int current_level = LOG_OFF;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = -1;
static bool show_level, show_origin;
static char module[256];
static _Thread_local const char *thread_name;

int log_level_parse(const char *name, enum log_level *level)
{
	for (size_t i = 0; i < sizeof(level_names) / sizeof(level_names[0]); i++)
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum log_level)i;
			return 0;
		}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return (unsigned)level < sizeof(level_names) / sizeof(level_names[0]) ? level_names[level]
									      : "?";
}

int logger_configure(const struct logger_config *cfg, struct error *err)
{
	if (cfg->module && strlen(cfg->module) >= sizeof(module))
		return error_set(err, "logger: module is longer than %zu bytes", sizeof(module) - 1);
	int fd = output_file_open(cfg->path, "logger: log_path", err);
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&lock);
	if (log_fd >= 0)
		close(log_fd);
	log_fd = fd;
	show_level = cfg->show_level;
	show_origin = cfg->show_origin;
	snprintf(module, sizeof(module), "%s", cfg->module ? cfg->module : "");
	atomic_store(&current_level, (int)cfg->level);
	pthread_mutex_unlock(&lock);
	return 0;
}

void logger_set_thread_name(const char *name)
{
	thread_name = name;
}

bool logger_enabled(enum log_level level)
{
	return level != LOG_OFF && (int)level <= atomic_load_explicit(&current_level,
								      memory_order_relaxed);
}

static size_t format_prefix(char *buf, size_t cap, enum log_level level, const char *file,
			    int line)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	const char *thread = thread_name ? thread_name : "main";
	int n = snprintf(buf, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ld [%s:%s", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec,
			 INSTANCE_ID, thread);
	if (show_level && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, ":%s", log_level_name(level));
	if (show_origin && n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, ":%s:%d", file, line);
	if (n >= 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "] ");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

void logger_log(enum log_level level, const char *file, int line, const char *fmt, ...)
{
	if (!logger_enabled(level))
		return;
	char buf[LOG_LINE_MAX];
	pthread_mutex_lock(&lock);
	if (log_fd < 0 || (module[0] && strncmp(file, module, strlen(module)) != 0)) {
		pthread_mutex_unlock(&lock);
		return;
	}
	size_t n = format_prefix(buf, sizeof(buf), level, file, line);
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(buf + n, sizeof(buf) - n - 1, fmt, ap);
	va_end(ap);
	if (m > 0)
		n += (size_t)m < sizeof(buf) - n - 1 ? (size_t)m : sizeof(buf) - n - 2;
	buf[n++] = '\n';
	if (!output_file_write_line(log_fd, buf, n))
		metrics_inc(M_LOGGER_MISSED_LOG);
	pthread_mutex_unlock(&lock);
}
