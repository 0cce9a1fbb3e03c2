/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/api_state.h"

#include <pthread.h>
#include <string.h>

#include "debug/timeline.h"

struct api_state api_state;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool start_requested, start_done, start_ok;
static struct error start_err;

static int prepare_locked(struct error *err)
{
	if (api_state.state != INSTANCE_NOT_STARTED)
		return error_set(err, "The requested operation is not supported after starting "
				      "the microVM.");
	if (fc_config_to_vm(&api_state.fc, &api_state.base, &api_state.built, api_state.cmdline,
			    sizeof(api_state.cmdline), err) < 0)
		return -1;
	/* The files were checked when configured; check again, they may have gone since. */
	if (fc_config_check_boot_files(&api_state.fc, err) < 0)
		return -1;
	for (unsigned i = 0; i < api_state.fc.ndrives; i++)
		if (fc_drive_check_file(&api_state.fc.drives[i], err) < 0)
			return -1;
	api_state.state = INSTANCE_STARTING;
	timeline_mark(TL_INSTANCE_START);
	return 0;
}

int api_state_prepare_start(struct error *err)
{
	pthread_mutex_lock(&lock);
	int rc = prepare_locked(err);
	pthread_mutex_unlock(&lock);
	return rc;
}

int api_state_request_start(struct error *err)
{
	pthread_mutex_lock(&lock);
	int rc = prepare_locked(err);
	if (rc == 0) {
		start_requested = true;
		pthread_cond_broadcast(&cond);
		while (!start_done)
			pthread_cond_wait(&cond, &lock);
		if (!start_ok) {
			*err = start_err;
			rc = -1;
		}
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

void api_state_wait_for_start(void)
{
	pthread_mutex_lock(&lock);
	while (!start_requested)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

void api_state_started(struct vm *vm)
{
	pthread_mutex_lock(&lock);
	api_state.vm = vm;
	api_state.state = INSTANCE_RUNNING;
	start_done = start_ok = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

void api_state_start_failed(const struct error *err)
{
	pthread_mutex_lock(&lock);
	if (api_state.state == INSTANCE_STARTING) {
		api_state.state = INSTANCE_FAILED;
		start_err = *err;
		start_done = true;
		start_ok = false;
		pthread_cond_broadcast(&cond);
	}
	pthread_mutex_unlock(&lock);
}

enum instance_state api_state_get(void)
{
	pthread_mutex_lock(&lock);
	enum instance_state s = api_state.state;
	pthread_mutex_unlock(&lock);
	return s;
}
