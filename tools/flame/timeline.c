/* SPDX-License-Identifier: BSD-2-Clause */
#include "timeline.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY "tsc_khz"
#define MAX_NUMBER_CHARS 64

static bool is_json_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
	while (i < n && is_json_space(s[i]))
		i++;
	return i;
}

/* Index of the quote closing the string whose opening quote is at i, or n if unterminated. */
static size_t string_end(const char *s, size_t n, size_t i)
{
	for (i++; i < n; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i;
	}
	return n;
}

/* A JSON number at s[i..n) that is finite and positive; anything else is a bad value. */
static bool parse_positive_number(const char *s, size_t n, size_t i, double *out)
{
	char buf[MAX_NUMBER_CHARS + 1];
	size_t len = 0;
	char *end;
	double v;

	while (i + len < n && len < MAX_NUMBER_CHARS && s[i + len] != '\0' &&
	       strchr("+-0123456789.eE", s[i + len]) != NULL)
		len++;
	if (len == 0 || len == MAX_NUMBER_CHARS || s[i] == '+')
		return false;
	memcpy(buf, s + i, len);
	buf[len] = '\0';
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0' || errno != 0 || !isfinite(v) || v <= 0)
		return false;
	*out = v;
	return true;
}

int timeline_find_tsc_khz(const char *json, size_t n, double *khz)
{
	int best_depth = INT_MAX, depth = 0, result = TIMELINE_NO_KEY;

	for (size_t i = 0; i < n; i++) {
		char c = json[i];

		if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth > 0) {
			depth--;
		} else if (c == '"') {
			size_t end = string_end(json, n, i), after;
			bool is_ours;

			if (end == n)
				break;
			after = skip_space(json, n, end + 1);
			is_ours = end - i - 1 == strlen(KEY) && memcmp(json + i + 1, KEY, strlen(KEY)) == 0;
			if (is_ours && after < n && json[after] == ':' && depth < best_depth) {
				double v;

				best_depth = depth;
				if (parse_positive_number(json, n, skip_space(json, n, after + 1), &v)) {
					*khz = v;
					result = TIMELINE_OK;
				} else {
					result = TIMELINE_BAD_VALUE;
				}
			}
			i = end;
		}
	}
	return result;
}

/* The whole file, read in growing steps so that a small file costs little. */
static char *slurp(FILE *fp, size_t *len, const char **why)
{
	size_t cap = 0, n = 0;
	char *buf = NULL;

	for (;;) {
		size_t got;

		if (n == cap) {
			size_t want = cap ? cap * 2 : 4096;
			char *grown;

			if (cap > TIMELINE_MAX_BYTES) {
				*why = "file too large";
				break;
			}
			grown = realloc(buf, want);
			if (grown == NULL) {
				*why = "out of memory";
				break;
			}
			buf = grown;
			cap = want;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0) {
			if (!ferror(fp)) {
				*len = n;
				return buf;
			}
			*why = "read error";
			break;
		}
	}
	free(buf);
	return NULL;
}

int timeline_read_tsc_khz(const char *path, double *khz, char *why, size_t why_len)
{
	FILE *fp = fopen(path, "rb");
	const char *failure = NULL;
	char *buf;
	size_t n = 0;
	int rc = -1;

	if (fp == NULL) {
		snprintf(why, why_len, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = slurp(fp, &n, &failure);
	fclose(fp);
	if (buf == NULL) {
		snprintf(why, why_len, "%s: %s", path, failure);
		return -1;
	}
	switch (timeline_find_tsc_khz(buf, n, khz)) {
	case TIMELINE_OK:
		rc = 0;
		break;
	case TIMELINE_BAD_VALUE:
		snprintf(why, why_len, "%s: \"" KEY "\" is not a positive number", path);
		break;
	default:
		snprintf(why, why_len, "%s: no \"" KEY "\" key", path);
		break;
	}
	free(buf);
	return rc;
}
