/* SPDX-License-Identifier: BSD-2-Clause */
#include "core/vcpu_pause.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "core/vcpu.h"

/* How often a parked vCPU re-checks vm->exiting: vm_request_exit kicks, it does not signal
 * our condition variable. */
#define PARK_POLL_NS 50000000L

atomic_bool vcpu_pause_requested;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed; /* parked count or request changed; CLOCK_MONOTONIC */
static pthread_once_t once = PTHREAD_ONCE_INIT;
static unsigned nparked;
static bool paused; /* every vCPU reached the park at least once since the request */

static void init_cond(void)
{
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&changed, &attr);
	pthread_condattr_destroy(&attr);
}

static struct timespec deadline_after(long ns)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ns / 1000000000L;
	t.tv_nsec += ns % 1000000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

bool vcpu_pause_park(struct vcpu *v)
{
	pthread_once(&once, init_cond);
	struct vm *vm = v->vm;
	pthread_mutex_lock(&lock);
	if (!atomic_load(&vcpu_pause_requested)) {
		pthread_mutex_unlock(&lock);
		return false;
	}
	nparked++;
	pthread_cond_broadcast(&changed);
	while (atomic_load(&vcpu_pause_requested) && !atomic_load(&vm->exiting)) {
		struct timespec until = deadline_after(PARK_POLL_NS);
		pthread_cond_timedwait(&changed, &lock, &until);
	}
	nparked--;
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
	return true;
}

int vcpu_pause_all(struct vm *vm, int timeout_ms)
{
	pthread_once(&once, init_cond);
	pthread_mutex_lock(&lock);
	if (paused) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	atomic_store(&vcpu_pause_requested, true);
	pthread_mutex_unlock(&lock);
	/* After the request is visible: a vCPU between its checkpoint and KVM_RUN sees
	 * immediate_exit, one inside KVM_RUN gets the signal. */
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpus[i]);

	struct timespec until = deadline_after((long)timeout_ms * 1000000L);
	pthread_mutex_lock(&lock);
	int rc = 0;
	while (nparked < vm->nvcpus && !atomic_load(&vm->exiting) && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&changed, &lock, &until);
	paused = nparked == vm->nvcpus;
	if (!paused) {
		atomic_store(&vcpu_pause_requested, false);
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
	return paused ? 0 : -1;
}

void vcpu_resume_all(struct vm *vm)
{
	(void)vm;
	pthread_once(&once, init_cond);
	pthread_mutex_lock(&lock);
	paused = false;
	atomic_store(&vcpu_pause_requested, false);
	pthread_cond_broadcast(&changed);
	pthread_mutex_unlock(&lock);
}

bool vcpu_paused(void)
{
	pthread_mutex_lock(&lock);
	bool p = paused;
	pthread_mutex_unlock(&lock);
	return p;
}
