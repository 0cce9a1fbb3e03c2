/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_run_control.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "core/vcpu.h"

/* How often a waiting stub re-checks that the VM is not ending instead (vCPU threads that
 * see vm->exiting leave without parking). */
#define STOP_POLL_NS 20000000L

int gdb_run_control_init(struct gdb_run_control *rc, struct vm *vm, int wake_fd)
{
	memset(rc, 0, sizeof(*rc));
	rc->vm = vm;
	rc->wake_fd = wake_fd;
	pthread_condattr_t attr;
	if (pthread_condattr_init(&attr) != 0)
		return -1;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	int rc1 = pthread_mutex_init(&rc->lock, NULL);
	int rc2 = pthread_cond_init(&rc->resume_cond, NULL);
	int rc3 = pthread_cond_init(&rc->parked_cond, &attr);
	pthread_condattr_destroy(&attr);
	return rc1 || rc2 || rc3 ? -1 : 0;
}

void gdb_run_control_destroy(struct gdb_run_control *rc)
{
	pthread_cond_destroy(&rc->parked_cond);
	pthread_cond_destroy(&rc->resume_cond);
	pthread_mutex_destroy(&rc->lock);
}

static void wake_stub(struct gdb_run_control *rc)
{
	uint64_t one = 1;
	(void)!write(rc->wake_fd, &one, sizeof(one));
}

void gdb_run_control_park(struct gdb_run_control *rc, struct vcpu *v)
{
	/* KVM finishes an I/O or MMIO exit on the next KVM_RUN, before it checks immediate_exit:
	 * do that now so the registers the debugger reads are whole. No guest code runs. */
	v->run->immediate_exit = 1;
	(void)ioctl(v->fd, KVM_RUN, 0);
	v->run->immediate_exit = 0;

	pthread_mutex_lock(&rc->lock);
	rc->nparked++;
	pthread_cond_broadcast(&rc->parked_cond);
	while (atomic_load(&rc->hold[v->id]) && !rc->released && !atomic_load(&rc->vm->exiting))
		pthread_cond_wait(&rc->resume_cond, &rc->lock);
	rc->nparked--;
	pthread_mutex_unlock(&rc->lock);
}

static void hold_all(struct gdb_run_control *rc)
{
	for (unsigned i = 0; i < rc->vm->nvcpus; i++)
		atomic_store(&rc->hold[i], true);
	atomic_store(&rc->any_hold, true);
}

static void kick_all(struct gdb_run_control *rc)
{
	for (unsigned i = 0; i < rc->vm->nvcpus; i++)
		vcpu_kick(&rc->vm->vcpus[i]);
}

void gdb_run_control_debug_exit(struct gdb_run_control *rc, struct vcpu *v)
{
	const struct kvm_debug_exit_arch *d = &v->run->debug.arch;
	pthread_mutex_lock(&rc->lock);
	bool first = !rc->have_event && !rc->released;
	if (first) {
		rc->have_event = true;
		rc->event = (struct gdb_stop_event){ v->id, d->exception, d->pc, d->dr6 };
		hold_all(rc);
	}
	pthread_mutex_unlock(&rc->lock);
	if (!first)
		return;
	kick_all(rc); /* this vCPU parks at its next checkpoint anyway */
	wake_stub(rc);
}

void gdb_run_control_hold_all(struct gdb_run_control *rc)
{
	pthread_mutex_lock(&rc->lock);
	hold_all(rc);
	pthread_mutex_unlock(&rc->lock);
}

void gdb_run_control_stop_all(struct gdb_run_control *rc)
{
	pthread_mutex_lock(&rc->lock);
	hold_all(rc);
	pthread_mutex_unlock(&rc->lock);
	kick_all(rc);

	pthread_mutex_lock(&rc->lock);
	while (rc->nparked < rc->vm->nvcpus && !atomic_load(&rc->vm->exiting)) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_nsec += STOP_POLL_NS;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&rc->parked_cond, &rc->lock, &until);
	}
	pthread_mutex_unlock(&rc->lock);
}

void gdb_run_control_resume(struct gdb_run_control *rc, const bool *run)
{
	pthread_mutex_lock(&rc->lock);
	rc->have_event = false;
	bool any = false;
	for (unsigned i = 0; i < rc->vm->nvcpus; i++) {
		atomic_store(&rc->hold[i], !run[i]);
		any |= !run[i];
	}
	atomic_store(&rc->any_hold, any);
	pthread_cond_broadcast(&rc->resume_cond);
	pthread_mutex_unlock(&rc->lock);
}

bool gdb_run_control_take_event(struct gdb_run_control *rc, struct gdb_stop_event *event)
{
	pthread_mutex_lock(&rc->lock);
	bool have = rc->have_event;
	if (have)
		*event = rc->event;
	rc->have_event = false;
	pthread_mutex_unlock(&rc->lock);
	return have;
}

void gdb_run_control_release(struct gdb_run_control *rc)
{
	pthread_mutex_lock(&rc->lock);
	rc->released = true;
	for (unsigned i = 0; i < rc->vm->nvcpus; i++)
		atomic_store(&rc->hold[i], false);
	atomic_store(&rc->any_hold, false);
	pthread_cond_broadcast(&rc->resume_cond);
	pthread_mutex_unlock(&rc->lock);
}
