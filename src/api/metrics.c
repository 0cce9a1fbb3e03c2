/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api/output_file.h"
#include "debug/timeline.h"

_Atomic uint64_t metrics_counters[M_COUNT];
static _Atomic uint64_t gauges[G_COUNT];

struct metric_name {
	const char *section;
	const char *key;
};

#define METRICS_NAME(id, section, key) [id] = { section, key },
static const struct metric_name counter_names[M_COUNT] = { METRICS_COUNTERS(METRICS_NAME) };
static const struct metric_name gauge_names[G_COUNT] = { METRICS_GAUGES(METRICS_NAME) };
#undef METRICS_NAME

/* Flushes come from the API thread and from main at exit: one at a time. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t reported[M_COUNT];
static int metrics_fd = -1;

void metrics_set_gauge(enum metric_gauge id, uint64_t value)
{
	atomic_store_explicit(&gauges[id], value, memory_order_relaxed);
}

int metrics_configure(const char *path, struct error *err)
{
	pthread_mutex_lock(&lock);
	bool already = metrics_fd >= 0;
	pthread_mutex_unlock(&lock);
	if (already)
		return error_set(err, "metrics: already configured (only once per process)");
	int fd = output_file_open(path, "metrics: metrics_path", err);
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&lock);
	metrics_fd = fd;
	pthread_mutex_unlock(&lock);
	return 0;
}

bool metrics_configured(void)
{
	pthread_mutex_lock(&lock);
	bool yes = metrics_fd >= 0;
	pthread_mutex_unlock(&lock);
	return yes;
}

static json_t *section(json_t *root, const char *name)
{
	json_t *s = json_object_get(root, name);
	if (!s) {
		s = json_object();
		json_object_set_new(root, name, s);
	}
	return s;
}

static uint64_t us_since_start(enum timeline_event ev)
{
	int64_t ns = timeline_ns(ev);
	return ns < 0 ? 0 : (uint64_t)ns / 1000;
}

/* Build the line; with commit, the counters' baseline moves (lock held). */
static char *render(bool commit)
{
	json_t *root = json_object();
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	json_object_set_new(root, "utc_timestamp_ms",
			    json_integer((json_int_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000));
	for (int i = 0; i < G_COUNT; i++)
		json_object_set_new(section(root, gauge_names[i].section), gauge_names[i].key,
				    json_integer((json_int_t)atomic_load(&gauges[i])));
	for (int i = 0; i < M_COUNT; i++) {
		uint64_t now = atomic_load_explicit(&metrics_counters[i], memory_order_relaxed);
		json_object_set_new(section(root, counter_names[i].section), counter_names[i].key,
				    json_integer((json_int_t)(now - reported[i])));
		if (commit)
			reported[i] = now;
	}
	/* millivm's own: the boot milestones, microseconds since the process started. */
	json_t *boot = section(root, "boot");
	json_object_set_new(boot, "api_ready_us", json_integer((json_int_t)us_since_start(TL_API_READY)));
	json_object_set_new(boot, "instance_start_us",
			    json_integer((json_int_t)us_since_start(TL_INSTANCE_START)));
	json_object_set_new(boot, "guest_entry_us",
			    json_integer((json_int_t)us_since_start(TL_GUEST_ENTRY)));
	json_object_set_new(boot, "boot_timer_us",
			    json_integer((json_int_t)us_since_start(TL_BOOT_TIMER)));
	char *text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	return text;
}

char *metrics_render(void)
{
	pthread_mutex_lock(&lock);
	char *text = render(false);
	pthread_mutex_unlock(&lock);
	return text;
}

int metrics_flush(struct error *err)
{
	pthread_mutex_lock(&lock);
	if (metrics_fd < 0) {
		pthread_mutex_unlock(&lock);
		return error_set(err, "metrics: not configured (PUT /metrics first)");
	}
	char *text = render(true);
	bool ok = false;
	if (text) {
		size_t len = strlen(text);
		char *line = realloc(text, len + 2);
		if (line) {
			text = line;
			text[len] = '\n';
			ok = output_file_write_line(metrics_fd, text, len + 1);
		}
	}
	int saved = errno;
	free(text);
	pthread_mutex_unlock(&lock);
	if (!ok) {
		metrics_inc(saved == EAGAIN ? M_LOGGER_MISSED_METRICS : M_LOGGER_METRICS_FAILS);
		return error_set(err, "metrics: line lost: %s",
				 saved == EAGAIN ? "the pipe is full" : strerror(saved));
	}
	return 0;
}
