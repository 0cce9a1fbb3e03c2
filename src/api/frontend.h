/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Firecracker-compatible front end, as main() sees it: four calls around the one run
 * sequence the command line also uses.
 *
 *   --config-file FILE --no-api   the VM comes from FILE; no socket
 *   --api-sock PATH               serve the API; wait for PUT /actions InstanceStart
 *   --api-sock PATH --config-file FILE
 *                                 start at once from FILE; the API serves the running VM
 *
 * Without those options every call is a no-op and the command line is the description.
 */
#ifndef MILLIVM_API_FRONTEND_H
#define MILLIVM_API_FRONTEND_H

#include "core/error.h"
#include "core/vm.h"
#include "core/vm_config.h"

/*
 * After options_parse: load the config file, start the API server, and wait for
 * InstanceStart if nothing configures the VM yet. On return cfg describes the VM to run
 * (the command line's monitor options kept: --timeline, --gdb, --cpuid-disable, ...).
 */
int api_frontend_setup(struct vm_config *cfg, struct error *err);

/* The vCPUs run: InstanceStart gets its 204, runtime requests now reach vm. */
void api_frontend_started(struct vm *vm);

/* Building or starting the VM failed: a waiting InstanceStart gets a 400 with err's
 * message before the process exits; the socket is removed. */
void api_frontend_start_failed(const struct error *err);

/* The VM has ended: a last metrics line, stop the API, remove the socket. */
void api_frontend_finish(struct vm *vm);

#endif
