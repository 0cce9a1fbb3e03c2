/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the API thread and the main thread share: the Firecracker-side description, the
 * instance's state, and the InstanceStart hand-over. The main thread builds and runs the VM
 * (the same code path as the command line); the API thread only describes it, asks for the
 * start, and waits for the outcome so that InstanceStart answers 204 only once the vCPUs
 * run, or 400 with the reason.
 */
#ifndef MILLIVM_API_STATE_H
#define MILLIVM_API_STATE_H

#include <stdbool.h>

#include "api/fc_config.h"
#include "core/error.h"
#include "core/vm.h"
#include "core/vm_config.h"
#include "millivm/layout.h"

enum instance_state {
	INSTANCE_NOT_STARTED, /* configuring */
	INSTANCE_STARTING,    /* handed to the main thread */
	INSTANCE_RUNNING,     /* vCPUs started (maybe paused) */
	INSTANCE_FAILED,      /* the start failed; the process is ending */
};

struct api_state {
	struct fc_config fc;
	struct vm_config base;  /* the command line's monitor options */
	struct vm_config built; /* what the main thread runs */
	char cmdline[LAYOUT_CMDLINE_MAX];
	enum instance_state state; /* written under the lock, read by the API thread */
	struct vm *vm;             /* set once running */
};

extern struct api_state api_state;

/* Main thread: build `built` from fc and mark the instance starting (--config-file). */
int api_state_prepare_start(struct error *err);

/* API thread, InstanceStart: prepare, wake the main thread, wait for the outcome. */
int api_state_request_start(struct error *err);

/* Main thread, API mode without a config file: wait for InstanceStart. */
void api_state_wait_for_start(void);

/* Main thread: the outcome. */
void api_state_started(struct vm *vm);
void api_state_start_failed(const struct error *err);

enum instance_state api_state_get(void);

#endif
