/* SPDX-License-Identifier: BSD-2-Clause */
#include "devices/slirp_lib.h"

#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SLIRP_SONAME "libslirp.so.0"

static pthread_mutex_t load_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slirp_lib lib;
static bool loaded;
static char load_error[ERROR_MSG_MAX];

/*
 * A static millivm that loads a shared library brings the host's libc.so.6 in beside its own
 * copy of glibc; that only works when both are the same release (glibc's own rule for dlopen
 * from static programs). Refuse with a clear message rather than crash later.
 */
static int check_libc(struct error *err)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_LOCAL);
	if (!libc)
		return error_set(err, "cannot load libc.so.6: %s", dlerror());
	const char *(*version)(void) = (const char *(*)(void))dlsym(libc, "gnu_get_libc_version");
	const char *host = version ? version() : "unknown";
	int rc = 0;
	if (strcmp(host, gnu_get_libc_version()) != 0)
		rc = error_set(err, "millivm was built against glibc %s but this host has %s: "
				    "rebuild it here (or with `make STATIC=`) to use --net user",
			       gnu_get_libc_version(), host);
	dlclose(libc);
	return rc;
}

#define RESOLVE(field, symbol)                                                        \
	do {                                                                          \
		*(void **)&lib.field = dlsym(handle, symbol);                         \
		if (!lib.field)                                                       \
			return error_set(err, "%s has no %s", SLIRP_SONAME, symbol); \
	} while (0)

static int load(struct error *err)
{
	if (check_libc(err) < 0)
		return -1;
	void *handle = dlopen(SLIRP_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return error_set(err, "cannot load %s (Debian: apt-get install libslirp0): %s",
				 SLIRP_SONAME, dlerror());
	RESOLVE(version_string, "slirp_version_string");
	RESOLVE(new_, "slirp_new");
	RESOLVE(cleanup, "slirp_cleanup");
	RESOLVE(input, "slirp_input");
	RESOLVE(pollfds_fill, "slirp_pollfds_fill");
	RESOLVE(pollfds_poll, "slirp_pollfds_poll");
	RESOLVE(add_hostfwd, "slirp_add_hostfwd");
	return 0; /* the handle stays open for the life of the process */
}

const struct slirp_lib *slirp_lib_load(struct error *err)
{
	pthread_mutex_lock(&load_lock);
	if (!loaded && load_error[0] == '\0') {
		struct error e;
		if (load(&e) == 0)
			loaded = true;
		else
			snprintf(load_error, sizeof(load_error), "%s", e.msg);
	}
	pthread_mutex_unlock(&load_lock);
	if (!loaded) {
		error_set(err, "%s", load_error);
		return NULL;
	}
	return &lib;
}
