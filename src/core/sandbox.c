/* SPDX-License-Identifier: BSD-2-Clause */
#include "sandbox.h"

#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <seccomp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>

#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/kvm.h>

#include "core/version.h"

/* Every thread: memory for malloc, locks, signals for kicks and exits, stderr. */
static const char *const base_syscalls[] = {
	"futex", "rt_sigreturn", "rt_sigprocmask", "restart_syscall", "exit", "exit_group",
	"mmap", "munmap", "mprotect", "madvise", "brk", "write", "writev",
	"clock_gettime", "clock_nanosleep", "nanosleep", "gettid", "getpid", "tgkill",
	"sched_yield", "close",
};

/* The exit path of a vCPU: KVM, the devices emulated there (disks, entropy, console). */
static const char *const vcpu_syscalls[] = {
	"ioctl", "read", "pread64", "pwrite64", "preadv", "pwritev", "fdatasync", "fsync",
	"fallocate", "io_uring_enter", "getrandom",
};
static const unsigned long vcpu_ioctls[] = {
	KVM_RUN, KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS, KVM_GET_FPU,
	KVM_SET_FPU, KVM_SET_GUEST_DEBUG, KVM_IRQ_LINE, KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS,
	TUNSETOFFLOAD, /* virtio-net: the offloads the guest accepted, at DRIVER_OK */
};

/* Console input and io_uring completions: read, wake, raise an interrupt. */
static const char *const device_syscalls[] = {
	"ioctl", "read", "poll", "ppoll", "io_uring_enter",
};
static const unsigned long device_ioctls[] = { KVM_IRQ_LINE };

/* The API server: its socket, the logger/metrics files and new drive images it opens. */
static const char *const api_syscalls[] = {
	"ioctl", "read", "poll", "ppoll", "accept", "accept4", "recvfrom", "recvmsg", "sendto",
	"sendmsg", "shutdown", "openat", "fstat", "newfstatat", "fcntl", "lseek", "unlink",
	"flock", "pread64", "pwrite64", "fdatasync", "timerfd_settime", "eventfd2", "dup",
	/* PATCH /drives swaps a disk's image, then starts the requests the guest queued during
	 * the swap on this thread: the vCPU's disk calls (sync engine, DISCARD) or a submit to
	 * io_uring (virtio_blk.c, swap_locked). */
	"preadv", "pwritev", "fallocate", "io_uring_enter",
};
static const unsigned long api_ioctls[] = { KVM_IRQ_LINE, BLKGETSIZE64 };

/* The gdb stub: its socket, and the stopped vCPUs' state through their descriptors. */
static const char *const gdb_syscalls[] = {
	"ioctl", "read", "poll", "ppoll", "accept", "accept4", "recvfrom", "sendto", "shutdown",
	"fcntl", "setsockopt",
};
static const unsigned long gdb_ioctls[] = {
	KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS, KVM_GET_FPU, KVM_SET_FPU,
	KVM_SET_GUEST_DEBUG,
};

/* --net user: libslirp's poll loop and the host sockets it opens for the guest's traffic and
 * the forwards (it reads /etc/resolv.conf when the guest first asks its DNS address), the
 * eventfd that wakes it, and the interrupt it raises as it fills the guest's rx queue. */
static const char *const net_syscalls[] = {
	"ioctl", "read", "poll", "ppoll", "socket", "connect", "bind", "listen", "accept",
	"accept4", "sendto", "recvfrom", "sendmsg", "recvmsg", "setsockopt", "getsockopt",
	"getsockname", "getpeername", "shutdown", "fcntl", "openat", "fstat", "newfstatat",
	"lseek", "getrandom",
};
static const unsigned long net_ioctls[] = { KVM_IRQ_LINE, FIONREAD };

/* main(): waits for the end, writes the reports it opened before, restores the terminal,
 * forks the teardown child (which only closes descriptors and waits to be killed). */
static const char *const main_syscalls[] = {
	"ioctl", "read", "poll", "ppoll", "clone", "clone3", "close_range", "prctl", "getppid",
	"pause", "wait4", "fstat", "newfstatat", "lseek", "unlink", "fsync", "fdatasync",
	"set_robust_list", "rseq", "mincore", "sysinfo",
};
static const unsigned long main_ioctls[] = { TCGETS, TCSETSW };

/* virtio-vsock's host side (src/devices/vsock_uds.c): accepts host clients, connects to
 * PATH_port for the guest, moves bytes between sockets and the guest's rx buffers. */
static const char *const vsock_syscalls[] = {
	"ioctl", "read", "readv", "epoll_wait", "epoll_pwait", "epoll_ctl", "accept4",
	"recvfrom", "socket", "connect", "getsockopt", "shutdown",
};
static const unsigned long vsock_ioctls[] = { KVM_IRQ_LINE };

/* Every role: a thread that faults (SIGSEGV, SIGBUS, ...) runs the handler that restores the
 * terminal before the process dies (src/core/console.c). */
static const unsigned long base_ioctls[] = { TCSETS };

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct role_policy {
	const char *name;
	const char *const *syscalls;
	unsigned nsyscalls;
	const unsigned long *ioctls; /* NULL: ioctl is not in the role's syscalls */
	unsigned nioctls;
};

static const struct role_policy policies[SANDBOX_ROLE_COUNT] = {
	[SANDBOX_VCPU] = { "vcpu", vcpu_syscalls, COUNT(vcpu_syscalls), vcpu_ioctls,
			   COUNT(vcpu_ioctls) },
	[SANDBOX_DEVICE] = { "device", device_syscalls, COUNT(device_syscalls), device_ioctls,
			     COUNT(device_ioctls) },
	[SANDBOX_API] = { "api", api_syscalls, COUNT(api_syscalls), api_ioctls,
			  COUNT(api_ioctls) },
	[SANDBOX_GDB] = { "gdb", gdb_syscalls, COUNT(gdb_syscalls), gdb_ioctls,
			  COUNT(gdb_ioctls) },
	[SANDBOX_MAIN] = { "main", main_syscalls, COUNT(main_syscalls), main_ioctls,
			   COUNT(main_ioctls) },
	[SANDBOX_NET] = { "net", net_syscalls, COUNT(net_syscalls), net_ioctls,
			  COUNT(net_ioctls) },
	[SANDBOX_VSOCK] = { "vsock", vsock_syscalls, COUNT(vsock_syscalls), vsock_ioctls,
			    COUNT(vsock_ioctls) },
};

#ifdef MILLIVM_SANITIZER_BUILD
#define SANDBOX_DEFAULT_MODE SANDBOX_LOG
#else
#define SANDBOX_DEFAULT_MODE SANDBOX_ENFORCE
#endif

static enum sandbox_mode current_mode = SANDBOX_DEFAULT_MODE;
static bool setid_allowed;
/* glibc makes every thread repeat an id change, even the jail's failing setuid(0) check:
 * threads started before the drop (the --net backends') need them all. */
static const char *const setid_syscalls[] = { "setresuid", "setresgid", "setgroups", "setuid" };

void sandbox_allow_setid(void)
{
	setid_allowed = true;
}

void sandbox_set_mode(enum sandbox_mode mode)
{
	current_mode = mode == SANDBOX_DEFAULT ? SANDBOX_DEFAULT_MODE : mode;
}

enum sandbox_mode sandbox_mode(void)
{
	return current_mode;
}

const char *sandbox_role_name(enum sandbox_role role)
{
	return role < SANDBOX_ROLE_COUNT ? policies[role].name : "unknown";
}

unsigned sandbox_syscall_count(enum sandbox_role role)
{
	return COUNT(base_syscalls) + policies[role].nsyscalls;
}

unsigned sandbox_ioctl_count(enum sandbox_role role)
{
	return COUNT(base_ioctls) + policies[role].nioctls;
}

static int allow_names(scmp_filter_ctx ctx, const char *const *names, unsigned n,
		       struct error *err)
{
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(names[i], "ioctl") == 0)
			continue; /* allowed per request below */
		int nr = seccomp_syscall_resolve_name(names[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture (e.g. clone3 on old headers) */
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
		if (rc < 0)
			return error_set(err, "seccomp: cannot allow %s: %s", names[i], strerror(-rc));
	}
	return 0;
}

/* ioctl's request is an unsigned int: compare the low 32 bits only. */
static int allow_ioctls(scmp_filter_ctx ctx, const unsigned long *requests, unsigned n,
			struct error *err)
{
	for (unsigned i = 0; i < n; i++) {
		int rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
					  SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffu, requests[i]));
		if (rc < 0)
			return error_set(err, "seccomp: cannot allow ioctl 0x%lx: %s", requests[i],
					 strerror(-rc));
	}
	return 0;
}

/*
 * SIGINT, SIGTERM, SIGHUP and SIGQUIT are for main() only: their handler restores the
 * terminal, and main() may also be waiting for the API's InstanceStart when they arrive.
 */
static void leave_termination_signals_to_main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

void sandbox_thread_start(enum sandbox_role role, const char *thread_name)
{
	pthread_setname_np(pthread_self(), thread_name);
	if (role != SANDBOX_MAIN)
		leave_termination_signals_to_main();
	struct error err;
	if (sandbox_enter(role, &err) < 0) {
		fprintf(stderr, "millivm: %s thread: %s\n", thread_name, err.msg);
		exit(MILLIVM_EXIT_ERROR);
	}
}

int sandbox_enter(enum sandbox_role role, struct error *err)
{
	if (current_mode == SANDBOX_OFF)
		return 0;
	if (role >= SANDBOX_ROLE_COUNT)
		return error_set(err, "seccomp: unknown role %d", (int)role);
	const struct role_policy *p = &policies[role];
	uint32_t deny = current_mode == SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx = seccomp_init(deny);
	if (!ctx)
		return error_set(err, "seccomp: cannot create the %s filter", p->name);
	int rc = -1;
	if (allow_names(ctx, base_syscalls, COUNT(base_syscalls), err) == 0 &&
	    allow_names(ctx, p->syscalls, p->nsyscalls, err) == 0 &&
	    allow_ioctls(ctx, base_ioctls, COUNT(base_ioctls), err) == 0 &&
	    allow_ioctls(ctx, p->ioctls, p->nioctls, err) == 0 &&
	    (!setid_allowed || allow_names(ctx, setid_syscalls, COUNT(setid_syscalls), err) == 0)) {
		int load = seccomp_load(ctx);
		if (load < 0)
			error_set(err, "seccomp: cannot load the %s filter: %s", p->name,
				  strerror(-load));
		else
			rc = 0;
	}
	seccomp_release(ctx);
	return rc;
}
