/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Firecracker's endpoints (see docs/api.md): the paths, methods, bodies, status codes and
 * pre-boot/post-boot rules of its OpenAPI document. Success is 204 (200 with a body for
 * GETs); every failure is 400 with {"fault_message": "..."}, endpoints millivm does not
 * implement included.
 */
#ifndef MILLIVM_API_ROUTES_H
#define MILLIVM_API_ROUTES_H

#include "api/api_server.h"
#include "api/http.h"

/* The API server's handler (API thread). */
void api_routes_handle(const struct http_request *req, struct api_reply *reply);

#endif
