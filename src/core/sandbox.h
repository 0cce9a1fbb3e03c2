/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seccomp filters, one per thread role: each thread, once its setup is done, enters its
 * role and from then on may make only the system calls (and, for ioctl, the requests) that
 * role needs. A forbidden call kills the whole process (SIGSYS): a hostile guest that takes
 * over a vCPU thread through a device bug cannot open files, sockets or new processes.
 * Built with libseccomp.
 */
#ifndef MILLIVM_SANDBOX_H
#define MILLIVM_SANDBOX_H

#include "core/error.h"

enum sandbox_role {
	SANDBOX_VCPU,   /* KVM_RUN loop, devices emulated on the exit path */
	SANDBOX_DEVICE, /* console input, io_uring completions */
	SANDBOX_API,    /* the Firecracker-style API server */
	SANDBOX_GDB,    /* the gdb stub */
	SANDBOX_MAIN,   /* waits for the end, writes reports, exits */
	SANDBOX_NET,    /* a network backend's thread: libslirp's sockets and poll loop */
	SANDBOX_VSOCK,  /* virtio-vsock's host side: Unix sockets on an epoll loop */
	SANDBOX_ROLE_COUNT,
};

/* Sanitizer runtimes (ASan's leak checker, UBSan's reports) make system calls of their own
 * that no production filter should allow. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MILLIVM_SANITIZER_BUILD 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
	__has_feature(undefined_behavior_sanitizer)
#define MILLIVM_SANITIZER_BUILD 1
#endif
#endif

enum sandbox_mode {
	SANDBOX_DEFAULT, /* SANDBOX_ENFORCE; SANDBOX_LOG in sanitizer builds */
	SANDBOX_ENFORCE, /* forbidden calls kill the process */
	SANDBOX_LOG,     /* --seccomp-log: forbidden calls are allowed and logged by the kernel */
	SANDBOX_OFF,     /* --no-seccomp */
};

/* Once, before any thread enters a role. */
void sandbox_set_mode(enum sandbox_mode mode);

/* When the process will change user later (--uid): glibc makes every thread call setresuid
 * and friends itself, so each role must allow those (without CAP_SETUID, after the drop,
 * they can only fail). */
void sandbox_allow_setid(void);
enum sandbox_mode sandbox_mode(void);

/* Install the role's filter on the calling thread (and threads it creates later). */
int sandbox_enter(enum sandbox_role role, struct error *err);

/*
 * For threads: name the calling thread (audit logs show it), leave SIGINT/SIGTERM/SIGHUP/
 * SIGQUIT to main() (unless this is main), enter the role, and end the process with a
 * message if that fails: a thread never runs unfiltered by accident.
 */
void sandbox_thread_start(enum sandbox_role role, const char *thread_name);

const char *sandbox_role_name(enum sandbox_role role);

/* How many system calls, and ioctl requests, the role allows (for the documentation). */
unsigned sandbox_syscall_count(enum sandbox_role role);
unsigned sandbox_ioctl_count(enum sandbox_role role);

#endif
