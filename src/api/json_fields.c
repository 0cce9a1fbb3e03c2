/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/json_fields.h"

#include <string.h>

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	}
	return "?";
}

int json_check_object(const json_t *obj, const char *where, const char *const *known,
		      struct error *err)
{
	if (!json_is_object(obj))
		return error_set(err, "%s: must be an object, not %s", where, type_name(obj));
	const char *key;
	json_t *value;
	json_object_foreach((json_t *)obj, key, value) {
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(key, *k) == 0;
		if (!ok)
			return error_set(err, "%s: unknown key '%.64s'", where, key);
	}
	return 0;
}

/* The member if present and not null; 0 when absent, -1 when required and absent. */
static int member(const json_t *obj, const char *key, const char *where, bool required,
		  json_t **out, struct error *err)
{
	*out = json_object_get(obj, key);
	if (*out && !json_is_null(*out))
		return 1;
	if (required)
		return error_set(err, "%s: missing required key '%s'", where, key);
	return 0;
}

int json_get_string(const json_t *obj, const char *key, const char *where, bool required,
		    const char **out, struct error *err)
{
	json_t *v;
	int r = member(obj, key, where, required, &v, err);
	if (r <= 0)
		return r;
	if (!json_is_string(v))
		return error_set(err, "%s: '%s' must be a string, not %s", where, key, type_name(v));
	*out = json_string_value(v);
	return 1;
}

int json_get_bool(const json_t *obj, const char *key, const char *where, bool required,
		  bool *out, struct error *err)
{
	json_t *v;
	int r = member(obj, key, where, required, &v, err);
	if (r <= 0)
		return r;
	if (!json_is_boolean(v))
		return error_set(err, "%s: '%s' must be true or false, not %s", where, key,
				 type_name(v));
	*out = json_is_true(v);
	return 1;
}

int json_get_uint(const json_t *obj, const char *key, const char *where, bool required,
		  uint64_t min, uint64_t max, uint64_t *out, struct error *err)
{
	json_t *v;
	int r = member(obj, key, where, required, &v, err);
	if (r <= 0)
		return r;
	if (!json_is_integer(v))
		return error_set(err, "%s: '%s' must be an integer, not %s", where, key,
				 type_name(v));
	json_int_t n = json_integer_value(v);
	if (n < 0 || (uint64_t)n < min || (uint64_t)n > max)
		return error_set(err, "%s: '%s' is %lld, must be between %llu and %llu", where, key,
				 (long long)n, (unsigned long long)min, (unsigned long long)max);
	*out = (uint64_t)n;
	return 1;
}

int json_refuse(const json_t *obj, const char *key, const char *where, const char *why,
		struct error *err)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_null(v))
		return error_set(err, "%s: '%s' is not supported by millivm (%s)", where, key, why);
	return 0;
}

int json_get_choice(const json_t *obj, const char *key, const char *where, bool required,
		    const char *const *choices, unsigned *index, struct error *err)
{
	const char *s;
	int r = json_get_string(obj, key, where, required, &s, err);
	if (r <= 0)
		return r;
	for (unsigned i = 0; choices[i]; i++)
		if (strcmp(s, choices[i]) == 0) {
			*index = i;
			return 1;
		}
	char list[160] = "";
	for (unsigned i = 0; choices[i]; i++) {
		strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
		strncat(list, choices[i], sizeof(list) - strlen(list) - 1);
	}
	return error_set(err, "%s: '%s' is \"%.64s\", must be one of %s", where, key, s, list);
}
