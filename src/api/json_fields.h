/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Strict access to JSON object members (jansson): every key must be one the caller knows,
 * every value must have the declared type. A JSON null counts as absent (Firecracker's
 * optional fields accept null). Errors are one line naming the section and the key.
 */
#ifndef MILLIVM_API_JSON_FIELDS_H
#define MILLIVM_API_JSON_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "core/error.h"

/* obj must be an object whose keys are all in known (NULL-terminated). */
int json_check_object(const json_t *obj, const char *where, const char *const *known,
		      struct error *err);

/* Each returns 1 when the key is present, 0 when absent (or null), -1 on a type error or,
 * with required, when absent. */
int json_get_string(const json_t *obj, const char *key, const char *where, bool required,
		    const char **out, struct error *err);
int json_get_bool(const json_t *obj, const char *key, const char *where, bool required,
		  bool *out, struct error *err);
int json_get_uint(const json_t *obj, const char *key, const char *where, bool required,
		  uint64_t min, uint64_t max, uint64_t *out, struct error *err);

/* The key may only be absent or null: millivm has no support for what it configures. */
int json_refuse(const json_t *obj, const char *key, const char *where, const char *why,
		struct error *err);

/* Like json_get_string, and the value must be one of choices (NULL-terminated); *index is
 * its position. Exact spelling, as Firecracker's enums. */
int json_get_choice(const json_t *obj, const char *key, const char *where, bool required,
		    const char *const *choices, unsigned *index, struct error *err);

#endif
