/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/frontend.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "api/api_routes.h"
#include "api/api_server.h"
#include "api/api_state.h"
#include "api/config_json.h"
#include "api/logger.h"
#include "api/metrics.h"
#include "core/version.h"
#include "debug/timeline.h"

#define METRICS_PERIOD_MS 60000 /* Firecracker's */

static bool active;

static void metrics_tick(void)
{
	if (metrics_configured())
		metrics_flush(NULL);
}

/* The command line may add monitor options, but the VM itself comes from the JSON/API. */
static int check_no_vm_options(const struct vm_config *cfg, struct error *err)
{
	struct vm_config d;
	vm_config_defaults(&d);
	const char *which = cfg->kernel_path          ? "-k/--kernel"
			    : cfg->initrd_path        ? "-i/--initrd"
			    : cfg->cmdline[0]         ? "-a/--append"
			    : cfg->mem_size != d.mem_size ? "-m/--memory"
			    : cfg->vcpus != d.vcpus   ? "-c/--cpus"
			    : cfg->ndrives            ? "-d/--drive"
			    : cfg->rng                ? "--rng"
						      : NULL;
	if (which)
		return error_set(err, "%s cannot be combined with --config-file or --api-sock: "
				      "the VM is described by the JSON", which);
	if (cfg->no_api && !cfg->config_file)
		return error_set(err, "--no-api needs --config-file");
	if (cfg->no_api && cfg->api_sock)
		return error_set(err, "--no-api and --api-sock exclude each other");
	return 0;
}

static void record_startup(void)
{
	timeline_mark(TL_API_READY);
	struct timespec cpu;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	int64_t wall = timeline_ns(TL_API_READY);
	metrics_set_gauge(G_STARTUP_US, wall > 0 ? (uint64_t)wall / 1000 : 0);
	metrics_set_gauge(G_STARTUP_CPU_US,
			  (uint64_t)cpu.tv_sec * 1000000 + (uint64_t)cpu.tv_nsec / 1000);
}

/* The logger and metrics sections of a config file take effect at once. */
static int open_outputs(const struct fc_config *fc, const char *file, struct error *err)
{
	if (fc->logger.set) {
		struct logger_config lc = { fc->logger.path, fc->logger.level, fc->logger.show_level,
					    fc->logger.show_origin, fc->logger.module };
		if (logger_configure(&lc, err) < 0)
			return error_prefix(err, "--config-file %s", file);
	}
	if (fc->metrics_path && metrics_configure(fc->metrics_path, err) < 0)
		return error_prefix(err, "--config-file %s", file);
	return 0;
}

int api_frontend_setup(struct vm_config *cfg, struct error *err)
{
	if (!cfg->config_file && !cfg->api_sock && !cfg->no_api)
		return 0;
	if (check_no_vm_options(cfg, err) < 0)
		return -1;
	active = true;
	fc_config_init(&api_state.fc);
	api_state.base = *cfg;
	if (cfg->config_file) {
		if (config_json_load_file(cfg->config_file, &api_state.fc, err) < 0 ||
		    open_outputs(&api_state.fc, cfg->config_file, err) < 0)
			return -1;
		log_info("Running millivm v%s from %s", MILLIVM_VERSION, cfg->config_file);
		if (api_state_prepare_start(err) < 0)
			return error_prefix(err, "--config-file %s", cfg->config_file);
	}
	/* The thread serves the socket and flushes metrics every minute: without either,
	 * there is nothing for it to do. */
	struct api_server_config sc = {
		.socket_path = cfg->api_sock,
		.handler = api_routes_handle,
		.tick = metrics_tick,
		.tick_ms = METRICS_PERIOD_MS,
	};
	if ((cfg->api_sock || metrics_configured()) && api_server_start(&sc, err) < 0)
		return -1;
	if (cfg->api_sock)
		record_startup();
	if (!cfg->config_file)
		api_state_wait_for_start();
	*cfg = api_state.built;
	return 0;
}

void api_frontend_started(struct vm *vm)
{
	if (active)
		api_state_started(vm);
}

void api_frontend_start_failed(const struct error *err)
{
	if (!active)
		return;
	log_error("The microVM failed to start: %s", err->msg);
	api_state_start_failed(err);
	api_server_stop(); /* joins the API thread: the 400 is on its way before we exit */
}

void api_frontend_finish(struct vm *vm)
{
	if (!active)
		return;
	int64_t entry = timeline_ns(TL_GUEST_ENTRY), start = timeline_ns(TL_INSTANCE_START);
	int64_t booted = timeline_ns(TL_BOOT_TIMER);
	if (booted >= 0 && start >= 0)
		log_info("Guest-boot-time = %lld us (InstanceStart to the boot-timer write)",
			 (long long)(booted - start) / 1000);
	if (entry >= 0 && start >= 0)
		log_info("InstanceStart to guest entry = %lld us", (long long)(entry - start) / 1000);
	log_info("The microVM ended with status %d", vm->exit_status);
	api_server_stop();
	metrics_tick();
}
