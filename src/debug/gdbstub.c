/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdbstub.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "core/sandbox.h"
#include "debug/gdb_session.h"
#include "debug/gdb_socket.h"
#include "debug/gdb_stub_state.h"
#include "debug/gdb_target.h"

#define READ_CHUNK 4096

static void drain(int fd)
{
	uint64_t count;
	(void)!read(fd, &count, sizeof(count));
}

/* The debugger is gone but the VM goes on: no breakpoints, no stepping, everyone runs. */
static void let_vm_run(struct gdbstub *s)
{
	enum gdb_action all[VM_MAX_VCPUS];
	gdb_run_control_stop_all(&s->rc); /* guest-debug state is only changed on parked vCPUs */
	gdb_target_remove_all_breaks(s);
	for (unsigned i = 0; i < s->vm->nvcpus; i++)
		all[i] = GDB_ACTION_CONTINUE;
	gdb_target_resume(s, all);
}

/* One debugger at a time: a second one is closed at once rather than left hanging. */
static void refuse_second_client(struct gdbstub *s)
{
	int fd = gdb_socket_accept(s->listen_fd);
	if (fd < 0)
		return;
	close(fd);
	fprintf(stderr, "millivm: gdb: refused a second debugger connection (one at a time)\n");
}

static void serve(struct gdbstub *s, struct gdb_session *session, int fd)
{
	gdb_session_begin(session, s, fd);
	while (session->end == GDB_SESSION_OPEN) {
		struct pollfd p[3] = {
			{ fd, POLLIN, 0 }, { s->wake_fd, POLLIN, 0 }, { s->listen_fd, POLLIN, 0 }
		};
		if (poll(p, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			session->end = GDB_SESSION_GONE;
			break;
		}
		if (p[1].revents & POLLIN) {
			drain(s->wake_fd);
			if (atomic_load(&s->finishing)) {
				gdb_session_vm_exited(session, s->exit_status);
				return;
			}
			gdb_session_check_stop(session);
		}
		if (p[2].revents & POLLIN)
			refuse_second_client(s);
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			uint8_t buf[READ_CHUNK];
			ssize_t n = read(fd, buf, sizeof(buf));
			if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
				session->end = GDB_SESSION_GONE;
			else if (n > 0)
				gdb_session_input(session, buf, (size_t)n);
		}
	}
	if (session->end == GDB_SESSION_KILLED)
		vm_request_exit(s->vm, 0); /* like a power-off; the vCPUs go with the process */
	else
		let_vm_run(s);
}

static void *stub_thread(void *arg)
{
	struct gdbstub *s = arg;
	sandbox_thread_start(SANDBOX_GDB, "gdb");
	struct gdb_session *session = malloc(sizeof(*session));
	if (!session) {
		fprintf(stderr, "millivm: gdb: out of memory\n");
		return NULL;
	}
	while (!atomic_load(&s->finishing)) {
		struct pollfd p[2] = { { s->listen_fd, POLLIN, 0 }, { s->wake_fd, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN) {
			struct gdb_stop_event stale;
			drain(s->wake_fd); /* finishing, or a stop nobody is there to see */
			if (!atomic_load(&s->finishing) &&
			    gdb_run_control_take_event(&s->rc, &stale))
				let_vm_run(s);
			continue;
		}
		if (!(p[0].revents & POLLIN))
			continue;
		int fd = gdb_socket_accept(s->listen_fd);
		if (fd < 0)
			continue;
		serve(s, session, fd);
		close(fd);
	}
	free(session);
	return NULL;
}

/* What the host cannot do, said once at startup rather than left to gdb's generic errors. */
static void report_host_limits(const struct gdb_host_caps *caps)
{
	if (!caps->int3_traps)
		fprintf(stderr, "millivm: gdb: int3 does not trap on this host's KVM: software "
				"breakpoints use the 4 debug registers (shared with hbreak)\n");
	if (!caps->data_breakpoints)
		fprintf(stderr, "millivm: gdb: this host's KVM does not report data breakpoints: "
				"no hardware watchpoints (in gdb: set can-use-hw-watchpoints 0)\n");
}

int gdbstub_start(struct vm *vm, struct error *err)
{
	struct gdbstub *s = calloc(1, sizeof(*s));
	if (!s)
		return error_set(err, "--gdb: out of memory");
	s->vm = vm;
	s->address = vm->cfg->gdb_address;
	s->arch = vm->kernel_elf32 ? GDB_ARCH_I386 : GDB_ARCH_X86_64;
	s->listen_fd = -1;
	s->target_xml_len = gdb_target_xml(s->arch, s->target_xml, sizeof(s->target_xml));
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->target_xml_len == 0 || s->wake_fd < 0 ||
	    gdb_run_control_init(&s->rc, vm, s->wake_fd) < 0) {
		error_set(err, "--gdb: cannot set up the stub");
		goto fail;
	}
	s->listen_fd = gdb_socket_listen(s->address, err);
	if (s->listen_fd < 0)
		goto fail;
	gdb_probe_host(vm->kvm_fd, &s->caps);
	report_host_limits(&s->caps);
	if (vm->cfg->gdb_wait) {
		gdb_run_control_hold_all(&s->rc);
		fprintf(stderr, "millivm: waiting for gdb on %s\n", s->address);
	}
	vm->gdb = s;
	int rc = pthread_create(&s->thread, NULL, stub_thread, s);
	if (rc != 0) {
		vm->gdb = NULL;
		error_set(err, "--gdb: cannot start the stub thread: %s", strerror(rc));
		goto fail;
	}
	s->thread_started = true;
	return 0;
fail:
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		gdb_socket_unlink(s->address);
	}
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	free(s);
	return -1;
}

void gdbstub_finish(struct vm *vm)
{
	struct gdbstub *s = vm->gdb;
	if (!s)
		return;
	s->exit_status = vm->exit_status; /* published by the store below */
	atomic_store(&s->finishing, true);
	uint64_t one = 1;
	(void)!write(s->wake_fd, &one, sizeof(one));
	gdb_run_control_release(&s->rc);
	if (s->thread_started)
		pthread_join(s->thread, NULL);
	close(s->listen_fd);
	gdb_socket_unlink(s->address);
	/* The vCPU threads may still look at vm->gdb: the state stays until the process ends. */
}

bool gdbstub_vcpu_checkpoint(struct vcpu *v)
{
	struct gdbstub *s = v->vm->gdb;
	if (!gdb_run_control_must_park(&s->rc, v->id))
		return false;
	gdb_run_control_park(&s->rc, v);
	return true;
}

bool gdbstub_vcpu_debug_exit(struct vcpu *v)
{
	struct gdbstub *s = v->vm->gdb;
	if (!s)
		return false;
	gdb_run_control_debug_exit(&s->rc, v);
	return true;
}
