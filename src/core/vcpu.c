/* SPDX-License-Identifier: BSD-2-Clause */
#include "vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "api/metrics.h"
#include "core/vcpu_pause.h"
#include "core/sandbox.h"
#include "core/version.h"
#include "debug/gdbstub.h"
#include "debug/regdump.h"
#include "debug/timeline.h"
#include "x86/soft_int.h"

#define VCPU_KICK_SIGNAL SIGUSR1

static void kick_handler(int sig)
{
	(void)sig; /* only there to make KVM_RUN return EINTR */
}

int vcpu_signals_init(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = kick_handler;
	sigemptyset(&sa.sa_mask);
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL);
}

void vcpu_kick(struct vcpu *v)
{
	if (!v->run)
		return;
	v->run->immediate_exit = 1;
	if (v->thread_started && !pthread_equal(v->thread, pthread_self()))
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
}

static void handle_io(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	/* String I/O (rep outs/ins) arrives as count back-to-back items. */
	for (uint32_t i = 0; i < run->io.count; i++) {
		bus_dispatch(&v->vm->pio, run->io.port, data, run->io.size, is_write);
		data += run->io.size;
	}
}

static void handle_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	uint32_t len = run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : 0;
	bus_dispatch(&v->vm->mmio, run->mmio.phys_addr, run->mmio.data, len,
		     run->mmio.is_write);
}

/* The VM cannot go on: say why, dump the registers, end with the crash status. */
static void crash(struct vcpu *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void crash(struct vcpu *v, const char *fmt, ...)
{
	char reason[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	fprintf(stderr, "millivm: vCPU %u: %s\n", v->id, reason);
	if (ioctl(v->fd, KVM_GET_REGS, &regs) == 0 && ioctl(v->fd, KVM_GET_SREGS, &sregs) == 0)
		regdump_print(stderr, NULL, &regs, &sregs, &v->vm->mem);
	vm_request_exit(v->vm, MILLIVM_EXIT_CRASH);
}

/*
 * int3 or int n that the host's KVM could not emulate (design.md section 10): deliver it as
 * the CPU would. On by default, with one notice the first time; --no-emulate-soft-int keeps
 * the crash and its register dump. Returns true when the vCPU can run on.
 */
static bool deliver_soft_int(struct vcpu *v)
{
	static atomic_flag noticed = ATOMIC_FLAG_INIT, noticed_fwait = ATOMIC_FLAG_INIT;
	enum soft_int_mode mode = v->vm->cfg->emulate_soft_int;
	if (mode == SOFT_INT_OFF)
		return false;
	struct soft_int si;
	uint64_t rip = 0;
	switch (soft_int_deliver(v->fd, &v->vm->mem, &si, &rip)) {
	case SOFT_INT_DELIVERED:
		break;
	case SOFT_INT_FAILED:
		fprintf(stderr, "millivm: vCPU %u: cannot deliver a software interrupt: %s\n",
			v->id, strerror(errno));
		return false;
	case SOFT_INT_NOT_HANDLED:
		return false;
	}
	if (si.fwait) {
		if (mode == SOFT_INT_AUTO && !atomic_flag_test_and_set(&noticed_fwait))
			fprintf(stderr, "millivm: vCPU %u: KVM cannot emulate fwait at RIP 0x%llx on "
				"this host: millivm completes it itself (notice shown once)\n",
				v->id, (unsigned long long)rip);
		return true;
	}
	if (mode == SOFT_INT_AUTO && !atomic_flag_test_and_set(&noticed))
		fprintf(stderr, "millivm: vCPU %u: KVM cannot emulate %s at RIP 0x%llx on this host: "
			"millivm delivers software interrupts itself (notice shown once; "
			"--no-emulate-soft-int stops with a register dump instead)\n", v->id,
			si.int3 ? "int3" : "int n", (unsigned long long)rip);
	return true;
}

static bool handle_internal_error(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION && deliver_soft_int(v))
		return true;
	char data[160] = "";
	size_t used = 0;
	uint32_t n = run->internal.ndata;
	if (n > sizeof(run->internal.data) / sizeof(run->internal.data[0]))
		n = sizeof(run->internal.data) / sizeof(run->internal.data[0]);
	for (uint32_t i = 0; i < n && used < sizeof(data) - 20; i++)
		used += (size_t)snprintf(data + used, sizeof(data) - used, " 0x%llx",
					 (unsigned long long)run->internal.data[i]);
	crash(v, "KVM internal error: suberror %u (%s)%s%s", run->internal.suberror,
	      regdump_internal_error_name(run->internal.suberror), n ? ", data" : "", data);
	return false;
}

static void handle_system_event(struct vcpu *v)
{
	switch (v->run->system_event.type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
	case KVM_SYSTEM_EVENT_RESET:
		vm_request_exit(v->vm, 0);
		break;
	default:
		crash(v, "unexpected system event %u", v->run->system_event.type);
	}
}

/* Returns false when the vCPU must stop. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;
	metrics_vcpu_exit(run); /* Firecracker-style exit counters (a relaxed atomic add) */
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		handle_io(v);
		return true;
	case KVM_EXIT_MMIO:
		handle_mmio(v);
		return true;
	case KVM_EXIT_INTR:
		return true;
	case KVM_EXIT_SHUTDOWN:
		crash(v, "triple fault (KVM_EXIT_SHUTDOWN)");
		return false;
	case KVM_EXIT_INTERNAL_ERROR:
		return handle_internal_error(v);
	case KVM_EXIT_FAIL_ENTRY:
		crash(v, "KVM entry failed: hardware reason 0x%llx",
		      (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return false;
	case KVM_EXIT_SYSTEM_EVENT:
		handle_system_event(v);
		return false;
	case KVM_EXIT_DEBUG: /* a breakpoint or single-step the gdb stub asked for */
		if (gdbstub_vcpu_debug_exit(v))
			return true;
		crash(v, "debug exit without a debugger");
		return false;
	default:
		crash(v, "unexpected KVM exit %u (%s)", run->exit_reason,
		      regdump_exit_reason_name(run->exit_reason));
		return false;
	}
}

void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct vm *vm = v->vm;
	char name[16];
	snprintf(name, sizeof(name), "vcpu%u", v->id);
	sandbox_thread_start(SANDBOX_VCPU, name);
	if (v->id == 0)
		timeline_mark(TL_GUEST_ENTRY);
	while (!atomic_load(&vm->exiting)) {
		if (vm->gdb && gdbstub_vcpu_checkpoint(v))
			continue; /* was parked for the debugger: look at vm->exiting again */
		if (vcpu_pause_checkpoint(v))
			continue; /* was paused by the API (PATCH /vm) */
		if (ioctl(v->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN) {
				v->run->immediate_exit = 0;
				continue;
			}
			crash(v, "KVM_RUN: %s", strerror(errno));
			break;
		}
		if (!handle_exit(v))
			break;
	}
	return NULL;
}
