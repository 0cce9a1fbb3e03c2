/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker-style metrics (PUT /metrics, the "metrics" section of --config-file): one JSON
 * object per line, written every 60 s, on PUT /actions FlushMetrics and at exit, to an
 * existing file or named pipe. Counters are reported as Firecracker reports them: the
 * increase since the previous line. Gauges (start-up and boot times, pause latency) are the
 * last value. See docs/api.md for the keys.
 *
 * Counting is always on (a relaxed atomic add; a VM exit costs microseconds), writing only
 * once a destination is configured.
 */
#ifndef MILLIVM_API_METRICS_H
#define MILLIVM_API_METRICS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include "core/error.h"

/* Counters: section, key. */
#define METRICS_COUNTERS(X)                                                  \
	X(M_GET_INSTANCE_INFO, "get_api_requests", "instance_info_count")    \
	X(M_GET_MACHINE_CFG, "get_api_requests", "machine_cfg_count")        \
	X(M_GET_VMM_VERSION, "get_api_requests", "vmm_version_count")        \
	X(M_GET_VM_CONFIG, "get_api_requests", "vm_config_count")            \
	X(M_PUT_ACTIONS, "put_api_requests", "actions_count")                \
	X(M_PUT_ACTIONS_FAIL, "put_api_requests", "actions_fails")           \
	X(M_PUT_BOOT_SOURCE, "put_api_requests", "boot_source_count")        \
	X(M_PUT_BOOT_SOURCE_FAIL, "put_api_requests", "boot_source_fails")   \
	X(M_PUT_DRIVE, "put_api_requests", "drive_count")                    \
	X(M_PUT_DRIVE_FAIL, "put_api_requests", "drive_fails")               \
	X(M_PUT_LOGGER, "put_api_requests", "logger_count")                  \
	X(M_PUT_LOGGER_FAIL, "put_api_requests", "logger_fails")             \
	X(M_PUT_MACHINE_CFG, "put_api_requests", "machine_cfg_count")        \
	X(M_PUT_MACHINE_CFG_FAIL, "put_api_requests", "machine_cfg_fails")   \
	X(M_PUT_METRICS, "put_api_requests", "metrics_count")                \
	X(M_PUT_METRICS_FAIL, "put_api_requests", "metrics_fails")           \
	X(M_PUT_ENTROPY, "put_api_requests", "entropy_count")                \
	X(M_PUT_ENTROPY_FAIL, "put_api_requests", "entropy_fails")           \
	X(M_PUT_NETWORK, "put_api_requests", "network_count")                \
	X(M_PUT_NETWORK_FAIL, "put_api_requests", "network_fails")           \
	X(M_PUT_VSOCK, "put_api_requests", "vsock_count")                    \
	X(M_PUT_VSOCK_FAIL, "put_api_requests", "vsock_fails")               \
	X(M_PUT_UNSUPPORTED, "put_api_requests", "unsupported_count")        \
	X(M_PATCH_DRIVE, "patch_api_requests", "drive_count")                \
	X(M_PATCH_DRIVE_FAIL, "patch_api_requests", "drive_fails")           \
	X(M_PATCH_MACHINE_CFG, "patch_api_requests", "machine_cfg_count")    \
	X(M_PATCH_MACHINE_CFG_FAIL, "patch_api_requests", "machine_cfg_fails") \
	X(M_PATCH_VM, "patch_api_requests", "vm_count")                      \
	X(M_PATCH_VM_FAIL, "patch_api_requests", "vm_fails")                 \
	X(M_PATCH_NETWORK, "patch_api_requests", "network_count")            \
	X(M_PATCH_NETWORK_FAIL, "patch_api_requests", "network_fails")       \
	X(M_API_BAD_REQUESTS, "api_server", "bad_requests")                  \
	X(M_API_TIMEOUTS, "api_server", "slow_client_timeouts")              \
	X(M_API_EVICTIONS, "api_server", "connections_evicted")              \
	X(M_EXIT_IO_IN, "vcpu", "exit_io_in")                                \
	X(M_EXIT_IO_OUT, "vcpu", "exit_io_out")                              \
	X(M_EXIT_MMIO_READ, "vcpu", "exit_mmio_read")                        \
	X(M_EXIT_MMIO_WRITE, "vcpu", "exit_mmio_write")                      \
	X(M_EXIT_INTR, "vcpu", "exit_intr")                                  \
	X(M_EXIT_SYSTEM_EVENT, "vcpu", "exit_system_event")                  \
	X(M_EXIT_OTHER, "vcpu", "exit_other")                                \
	X(M_VCPU_FAILURES, "vcpu", "failures")                               \
	X(M_LOGGER_MISSED_METRICS, "logger", "missed_metrics_count")         \
	X(M_LOGGER_METRICS_FAILS, "logger", "metrics_fails")                 \
	X(M_LOGGER_MISSED_LOG, "logger", "missed_log_count")

/* Gauges: section, key (microseconds). */
#define METRICS_GAUGES(X)                                                    \
	X(G_STARTUP_US, "api_server", "process_startup_time_us")             \
	X(G_STARTUP_CPU_US, "api_server", "process_startup_time_cpu_us")     \
	X(G_PAUSE_US, "latencies_us", "pause_vm")                            \
	X(G_RESUME_US, "latencies_us", "resume_vm")

#define METRICS_ENUM(id, section, key) id,
enum metric_counter { METRICS_COUNTERS(METRICS_ENUM) M_COUNT };
enum metric_gauge { METRICS_GAUGES(METRICS_ENUM) G_COUNT };
#undef METRICS_ENUM

extern _Atomic uint64_t metrics_counters[M_COUNT];

static inline void metrics_inc(enum metric_counter id)
{
	atomic_fetch_add_explicit(&metrics_counters[id], 1, memory_order_relaxed);
}

/* vCPU thread, once per exit from KVM_RUN. */
static inline void metrics_vcpu_exit(const struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		metrics_inc(run->io.direction == KVM_EXIT_IO_OUT ? M_EXIT_IO_OUT : M_EXIT_IO_IN);
		break;
	case KVM_EXIT_MMIO:
		metrics_inc(run->mmio.is_write ? M_EXIT_MMIO_WRITE : M_EXIT_MMIO_READ);
		break;
	case KVM_EXIT_INTR:
		metrics_inc(M_EXIT_INTR);
		break;
	case KVM_EXIT_SYSTEM_EVENT:
		metrics_inc(M_EXIT_SYSTEM_EVENT);
		break;
	case KVM_EXIT_SHUTDOWN:
	case KVM_EXIT_INTERNAL_ERROR:
	case KVM_EXIT_FAIL_ENTRY:
		metrics_inc(M_VCPU_FAILURES);
		break;
	default:
		metrics_inc(M_EXIT_OTHER);
	}
}

void metrics_set_gauge(enum metric_gauge id, uint64_t value);

/*
 * Block devices, as Firecracker's BlockDeviceMetrics: one set of counters per drive, reported
 * under "block_<drive id>", and their sum under "block". Only the counters millivm keeps are
 * reported (no rate limiter, no latency aggregates). Ops and bytes count requests that
 * completed OK; a failed transfer counts in execute_fails, a request refused before any I/O
 * (malformed, out of range, unsupported, a write to a read-only disk) in invalid_reqs_count;
 * queue_event_count counts QueueNotify, no_avail_buffer the notifies that found nothing,
 * update_count/update_fails the image swaps (PATCH path_on_host), io_engine_throttled_events
 * the times io_uring had no room left. Firecracker's order.
 */
#define BLOCK_METRICS(X)                                        \
	X(BM_NO_AVAIL_BUFFER, "no_avail_buffer")                \
	X(BM_EXECUTE_FAILS, "execute_fails")                    \
	X(BM_INVALID_REQS, "invalid_reqs_count")                \
	X(BM_FLUSH_COUNT, "flush_count")                        \
	X(BM_QUEUE_EVENT_COUNT, "queue_event_count")            \
	X(BM_UPDATE_COUNT, "update_count")                      \
	X(BM_UPDATE_FAILS, "update_fails")                      \
	X(BM_READ_BYTES, "read_bytes")                          \
	X(BM_WRITE_BYTES, "write_bytes")                        \
	X(BM_READ_COUNT, "read_count")                          \
	X(BM_WRITE_COUNT, "write_count")                        \
	X(BM_IO_ENGINE_THROTTLED, "io_engine_throttled_events")

#define BLOCK_METRICS_ENUM(id, key) id,
enum block_metric { BLOCK_METRICS(BLOCK_METRICS_ENUM) BM_COUNT };
#undef BLOCK_METRICS_ENUM

#define METRICS_MAX_BLOCK 8 /* VM_MAX_DRIVES */
#define METRICS_BLOCK_NAME_MAX 64 /* FC_ID_MAX */

struct block_metrics {
	char name[METRICS_BLOCK_NAME_MAX + 1];
	_Atomic uint64_t v[BM_COUNT];
};

/*
 * The counters of drive `name` (created on first use; the same name gives the same set, as a
 * device re-created in tests). Past METRICS_MAX_BLOCK names, one spare set that counts only
 * in the "block" sum. Never NULL.
 */
struct block_metrics *metrics_block(const char *name);

static inline void metrics_block_add(struct block_metrics *m, enum block_metric id, uint64_t n)
{
	atomic_fetch_add_explicit(&m->v[id], n, memory_order_relaxed);
}

/* Open the destination; only once per process, as in Firecracker. */
int metrics_configure(const char *path, struct error *err);
bool metrics_configured(void);

/* Write one line now. Returns -1 (err set) when not configured or the line was lost. */
int metrics_flush(struct error *err);

/* The line itself, for tests: a malloc'd JSON string without the newline. */
char *metrics_render(void);

#endif
