/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Queue-notification cost on this host (not a test): what a virtio-mmio QueueNotify write
 * costs the vCPU when it exits to the monitor (device work on the vCPU thread, millivm's
 * choice) versus when KVM completes it in the kernel through an ioeventfd (device work on
 * another thread), and how long that other thread takes to wake up.
 *
 * A 32-bit flat guest writes N times to 0xfeb00050 (a QueueNotify address) and leaves
 * through port 0xf4. Run the same guest with an empty loop to subtract the instructions.
 *
 *   cc -O2 -std=c11 -D_GNU_SOURCE bench/notify_cost.c -lpthread -o build/notify_cost
 *   build/notify_cost [N]
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define NOTIFY_GPA 0xfeb00050u
#define CODE_GPA 0x1000u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what)
{
	perror(what);
	exit(1);
}

struct vm {
	int kvm, fd, vcpu;
	struct kvm_run *run;
	uint8_t *ram;
};

static void vm_create(struct vm *vm)
{
	vm->kvm = open("/dev/kvm", O_RDWR);
	if (vm->kvm < 0)
		die("/dev/kvm");
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		die("KVM_CREATE_VM");
	vm->ram = mmap(NULL, 1 << 21, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region r = { .slot = 0, .memory_size = 1 << 21,
						 .userspace_addr = (uintptr_t)vm->ram };
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
		die("KVM_SET_USER_MEMORY_REGION");
	ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000ul);
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		die("KVM_CREATE_IRQCHIP");
	vm->vcpu = ioctl(vm->fd, KVM_CREATE_VCPU, 0);
	int size = ioctl(vm->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	vm->run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->vcpu, 0);
	if (vm->vcpu < 0 || vm->run == MAP_FAILED)
		die("KVM_CREATE_VCPU");
}

/* mov ecx, n; 1: [mov dword [NOTIFY_GPA], 0]; dec ecx; jnz 1b; out 0xf4, al; hlt */
static void load_guest(struct vm *vm, uint32_t n, int with_write)
{
	uint8_t *p = vm->ram + CODE_GPA;
	*p++ = 0xb9;
	memcpy(p, &n, 4);
	p += 4;
	uint8_t *loop = p;
	if (with_write) {
		*p++ = 0xc7;
		*p++ = 0x05;
		uint32_t a = NOTIFY_GPA, zero = 0;
		memcpy(p, &a, 4);
		memcpy(p + 4, &zero, 4);
		p += 8;
	}
	*p++ = 0x49;
	*p++ = 0x75;
	*p = (uint8_t)(loop - (p + 1));
	p++;
	*p++ = 0xe6;
	*p++ = 0xf4;
	*p++ = 0xf4;

	struct kvm_sregs s;
	ioctl(vm->vcpu, KVM_GET_SREGS, &s);
	struct kvm_segment code = { .base = 0, .limit = 0xffffffff, .selector = 8, .type = 0xb,
				    .present = 1, .dpl = 0, .db = 1, .s = 1, .g = 1 };
	struct kvm_segment data = code;
	data.selector = 0x10;
	data.type = 3;
	s.cs = code;
	s.ds = s.es = s.ss = s.fs = s.gs = data;
	s.cr0 = 1;
	ioctl(vm->vcpu, KVM_SET_SREGS, &s);
	struct kvm_regs r = { .rip = CODE_GPA, .rflags = 2 };
	ioctl(vm->vcpu, KVM_SET_REGS, &r);
}

/* Run to the 0xf4 write; returns the userspace MMIO exits seen. */
static unsigned long run_guest(struct vm *vm)
{
	unsigned long mmio_exits = 0;
	for (;;) {
		if (ioctl(vm->vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		if (vm->run->exit_reason == KVM_EXIT_MMIO) {
			mmio_exits++;
			continue;
		}
		if (vm->run->exit_reason == KVM_EXIT_IO && vm->run->io.port == 0xf4)
			return mmio_exits;
		fprintf(stderr, "unexpected exit %u\n", vm->run->exit_reason);
		exit(1);
	}
}

static int notify_fd;
static volatile unsigned long wakeups;

static void *device_thread(void *arg)
{
	(void)arg;
	uint64_t v;
	while (read(notify_fd, &v, sizeof(v)) == sizeof(v))
		wakeups++;
	return NULL;
}

/* Two threads bounce a token through eventfds: half a round trip is one wake-up. */
static int ping_fd, pong_fd;
static void *ponger(void *arg)
{
	long n = (long)arg;
	uint64_t v;
	for (long i = 0; i < n; i++) {
		if (read(ping_fd, &v, sizeof(v)) != sizeof(v))
			break;
		v = 1;
		(void)!write(pong_fd, &v, sizeof(v));
	}
	return NULL;
}

static double wakeup_us(long n)
{
	ping_fd = eventfd(0, 0);
	pong_fd = eventfd(0, 0);
	pthread_t t;
	pthread_create(&t, NULL, ponger, (void *)n);
	double start = now();
	for (long i = 0; i < n; i++) {
		uint64_t v = 1;
		(void)!write(ping_fd, &v, sizeof(v));
		(void)!read(pong_fd, &v, sizeof(v));
	}
	double t_total = now() - start;
	pthread_join(t, NULL);
	return t_total / (double)n / 2 * 1e6;
}

static double time_guest(struct vm *vm, uint32_t n, int with_write, unsigned long *exits)
{
	load_guest(vm, n, with_write);
	double start = now();
	*exits = run_guest(vm);
	return now() - start;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)atoi(argv[1]) : 20000;
	struct vm vm;
	vm_create(&vm);
	unsigned long exits;
	double base = time_guest(&vm, n, 0, &exits);
	double user = time_guest(&vm, n, 1, &exits);
	printf("loop without the write:         %8.2f us/iteration\n", base / n * 1e6);
	printf("write, exit to userspace:       %8.2f us/write (%lu exits)\n",
	       (user - base) / n * 1e6, exits);

	notify_fd = eventfd(0, EFD_CLOEXEC);
	struct kvm_ioeventfd io = { .addr = NOTIFY_GPA, .len = 4, .fd = notify_fd };
	if (ioctl(vm.fd, KVM_IOEVENTFD, &io) < 0)
		die("KVM_IOEVENTFD");
	pthread_t t;
	pthread_create(&t, NULL, device_thread, NULL);
	double kern = time_guest(&vm, n, 1, &exits);
	usleep(100000);
	printf("write, ioeventfd in the kernel: %8.2f us/write (%lu exits, %lu thread wake-ups)\n",
	       (kern - base) / n * 1e6, exits, wakeups);
	printf("eventfd wake-up of a thread:    %8.2f us\n", wakeup_us(20000));
	return 0;
}
