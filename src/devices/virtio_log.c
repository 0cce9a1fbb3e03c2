/* SPDX-License-Identifier: BSD-2-Clause */
#include "virtio_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define LOG_BURST 10 /* lines allowed at once */
#define LOG_REFILL_NS 1000000000ll /* one more line per second after that */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static long long tokens = LOG_BURST;
static long long last_refill_ns;
static unsigned long suppressed, suppressed_total;

/* Lines dropped since the last one printed, told at the next line or at exit: every bad
 * request shows up, as a line or in a count. */
static void report_suppressed(void)
{
	if (suppressed)
		fprintf(stderr, "millivm: (%lu virtio messages suppressed)\n", suppressed);
	suppressed = 0;
}

static void report_suppressed_at_exit(void)
{
	/* Another thread may be stuck holding the lock as the process ends: do not wait. */
	bool locked = pthread_mutex_trylock(&log_lock) == 0;
	report_suppressed();
	if (locked)
		pthread_mutex_unlock(&log_lock);
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

void virtio_log(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&log_lock);
	long long now = now_ns();
	if (last_refill_ns == 0)
		last_refill_ns = now;
	long long earned = (now - last_refill_ns) / LOG_REFILL_NS;
	if (earned > 0) {
		tokens = tokens + earned > LOG_BURST ? LOG_BURST : tokens + earned;
		last_refill_ns += earned * LOG_REFILL_NS;
	}
	if (tokens == 0) {
		static bool exit_report;
		if (!exit_report)
			exit_report = atexit(report_suppressed_at_exit) == 0;
		suppressed++;
		suppressed_total++;
	} else {
		tokens--;
		report_suppressed();
		fprintf(stderr, "millivm: %s\n", line);
	}
	pthread_mutex_unlock(&log_lock);
}

unsigned long virtio_log_suppressed(void)
{
	pthread_mutex_lock(&log_lock);
	unsigned long n = suppressed_total;
	pthread_mutex_unlock(&log_lock);
	return n;
}
