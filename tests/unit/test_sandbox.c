/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The seccomp roles: a forbidden system call (or ioctl request) from a thread in a role kills
 * the whole process with SIGSYS; allowed calls work; --seccomp-log and --no-seccomp do not
 * kill. Each case runs in a child process, since a filter cannot be removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/kvm.h>

#include "core/sandbox.h"

enum probe {
	PROBE_SOCKET,        /* never allowed to a vCPU */
	PROBE_OPEN,          /* never allowed to a vCPU */
	PROBE_FORBIDDEN_IOCTL,
	PROBE_ALLOWED_IOCTL, /* KVM_RUN on a bad descriptor: EBADF, not death */
	PROBE_WRITE,
};

struct probe_args {
	enum sandbox_role role;
	enum probe probe;
	int result; /* 0: the call returned as expected */
};

static void *probe_thread(void *arg)
{
	struct probe_args *a = arg;
	struct error err;
	if (sandbox_enter(a->role, &err) < 0) {
		a->result = 2;
		return NULL;
	}
	switch (a->probe) {
	case PROBE_SOCKET:
		a->result = socket(AF_INET, SOCK_STREAM, 0) >= 0 ? 0 : 3;
		break;
	case PROBE_OPEN:
		a->result = open("/dev/null", O_RDONLY) >= 0 ? 0 : 3;
		break;
	case PROBE_FORBIDDEN_IOCTL:
		a->result = ioctl(-1, KVM_CREATE_VM, 0) < 0 && errno == EBADF ? 0 : 3;
		break;
	case PROBE_ALLOWED_IOCTL:
		a->result = ioctl(-1, KVM_RUN, 0) < 0 && errno == EBADF ? 0 : 3;
		break;
	case PROBE_WRITE:
		a->result = write(STDERR_FILENO, "", 0) == 0 ? 0 : 3;
		break;
	}
	return NULL;
}

/* Run the probe on a thread of a child process; returns the child's wait status. */
static int run_probe(enum sandbox_mode mode, enum sandbox_role role, enum probe probe)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sandbox_set_mode(mode);
		struct probe_args a = { role, probe, 1 };
		pthread_t t;
		if (pthread_create(&t, NULL, probe_thread, &a) != 0)
			_exit(4);
		pthread_join(t, NULL);
		_exit(a.result);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static void assert_killed_by_sigsys(int status)
{
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

static void assert_exited_zero(int status)
{
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_vcpu_socket_kills_process(void **state)
{
	(void)state;
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_VCPU, PROBE_SOCKET));
}

static void test_vcpu_open_kills_process(void **state)
{
	(void)state;
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_VCPU, PROBE_OPEN));
}

static void test_vcpu_forbidden_ioctl_kills_process(void **state)
{
	(void)state;
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_VCPU, PROBE_FORBIDDEN_IOCTL));
}

/* Threads of sanitizer builds make calls of the runtime's own that the filters refuse. */
static bool sanitizer_build(void)
{
#ifdef MILLIVM_SANITIZER_BUILD
	print_message("skipped: a sanitizer runtime makes system calls the filters refuse\n");
	return true;
#else
	return false;
#endif
}

static void test_vcpu_allowed_calls_work(void **state)
{
	(void)state;
	if (sanitizer_build())
		skip();
	assert_exited_zero(run_probe(SANDBOX_ENFORCE, SANDBOX_VCPU, PROBE_ALLOWED_IOCTL));
	assert_exited_zero(run_probe(SANDBOX_ENFORCE, SANDBOX_VCPU, PROBE_WRITE));
}

static void test_device_and_gdb_roles_refuse_open(void **state)
{
	(void)state;
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_DEVICE, PROBE_OPEN));
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_GDB, PROBE_OPEN));
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_MAIN, PROBE_SOCKET));
}

static void test_api_role_may_open_files(void **state)
{
	(void)state; /* logger/metrics files and new drive images are opened by the API */
	if (sanitizer_build())
		skip();
	assert_exited_zero(run_probe(SANDBOX_ENFORCE, SANDBOX_API, PROBE_OPEN));
	assert_killed_by_sigsys(run_probe(SANDBOX_ENFORCE, SANDBOX_API, PROBE_SOCKET));
}

static void test_log_mode_does_not_kill(void **state)
{
	(void)state;
	assert_exited_zero(run_probe(SANDBOX_LOG, SANDBOX_VCPU, PROBE_OPEN));
}

static void test_off_mode_does_not_filter(void **state)
{
	(void)state;
	assert_exited_zero(run_probe(SANDBOX_OFF, SANDBOX_VCPU, PROBE_SOCKET));
}

static void test_role_sizes(void **state)
{
	(void)state;
	for (int r = 0; r < SANDBOX_ROLE_COUNT; r++) {
		assert_true(sandbox_syscall_count((enum sandbox_role)r) > 20);
		assert_true(sandbox_syscall_count((enum sandbox_role)r) < 60);
		assert_true(sandbox_ioctl_count((enum sandbox_role)r) >= 1);
	}
	assert_string_equal(sandbox_role_name(SANDBOX_VCPU), "vcpu");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vcpu_socket_kills_process),
		cmocka_unit_test(test_vcpu_open_kills_process),
		cmocka_unit_test(test_vcpu_forbidden_ioctl_kills_process),
		cmocka_unit_test(test_vcpu_allowed_calls_work),
		cmocka_unit_test(test_device_and_gdb_roles_refuse_open),
		cmocka_unit_test(test_api_role_may_open_files),
		cmocka_unit_test(test_log_mode_does_not_kill),
		cmocka_unit_test(test_off_mode_does_not_filter),
		cmocka_unit_test(test_role_sizes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
