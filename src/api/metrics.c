/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/metrics.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "api/fc_config.h"
#include "api/output_file.h"
#include "core/vm_config.h"
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

_Static_assert(METRICS_MAX_BLOCK >= VM_MAX_DRIVES, "a counter set per drive");
_Static_assert(METRICS_BLOCK_NAME_MAX >= FC_ID_MAX, "room for a drive id");

#define BLOCK_METRICS_KEY(id, key) [id] = key,
static const char *const block_keys[BM_COUNT] = { BLOCK_METRICS(BLOCK_METRICS_KEY) };
#undef BLOCK_METRICS_KEY

/* Per-drive counters (lock held to add a name; counted with relaxed atomics). The spare set
 * takes the names past the limit and is reported in the sum only. */
static struct block_metrics blocks[METRICS_MAX_BLOCK + 1];
static uint64_t blocks_reported[METRICS_MAX_BLOCK + 1][BM_COUNT];
static unsigned nblocks;

struct block_metrics *metrics_block(const char *name)
{
	pthread_mutex_lock(&lock);
	struct block_metrics *m = &blocks[METRICS_MAX_BLOCK];
	for (unsigned i = 0; i < nblocks; i++)
		if (strcmp(blocks[i].name, name) == 0)
			m = &blocks[i];
	if (m == &blocks[METRICS_MAX_BLOCK] && nblocks < METRICS_MAX_BLOCK &&
	    strlen(name) <= METRICS_BLOCK_NAME_MAX) {
		m = &blocks[nblocks++];
		strcpy(m->name, name);
	}
	pthread_mutex_unlock(&lock);
	return m;
}

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

/* "block_<id>" per drive (in the order the drives were created), then their sum "block",
 * always present as in Firecracker (lock held). */
static void render_blocks(json_t *root, bool commit)
{
	uint64_t sum[BM_COUNT] = { 0 };
	for (unsigned i = 0; i <= METRICS_MAX_BLOCK; i++) {
		if (i >= nblocks && i != METRICS_MAX_BLOCK)
			continue;
		json_t *s = NULL;
		if (i < nblocks) {
			char key[sizeof("block_") + METRICS_BLOCK_NAME_MAX];
			snprintf(key, sizeof(key), "block_%.*s", METRICS_BLOCK_NAME_MAX,
				 blocks[i].name);
			s = section(root, key);
		}
		for (int k = 0; k < BM_COUNT; k++) {
			uint64_t now = atomic_load_explicit(&blocks[i].v[k], memory_order_relaxed);
			uint64_t delta = now - blocks_reported[i][k];
			sum[k] += delta;
			if (s)
				json_object_set_new(s, block_keys[k], json_integer((json_int_t)delta));
			if (commit)
				blocks_reported[i][k] = now;
		}
	}
	json_t *all = section(root, "block");
	for (int k = 0; k < BM_COUNT; k++)
		json_object_set_new(all, block_keys[k], json_integer((json_int_t)sum[k]));
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
	render_blocks(root, commit);
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
