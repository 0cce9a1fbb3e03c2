/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_host_probe.h"

#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "x86/boot_cpu.h"

#define PROBE_MEM_SIZE 0x3000
#define PROBE_CODE 0x1000
#define PROBE_DATA 0x2000
#define PROBE_MAX_RUNS 4
#define DB_VECTOR 1
#define BP_VECTOR 3
/* DR7: bit 10 fixed, GE, G0, RW0 = write, LEN0 = 4 bytes. */
#define PROBE_DR7 (0x400ull | 0x200ull | 0x2ull | (1ull << 16) | (3ull << 18))

/* mov %eax, PROBE_DATA; int3; hlt */
static const unsigned char probe_code[] = {
	0xa3, PROBE_DATA & 0xff, (PROBE_DATA >> 8) & 0xff, 0, 0, 0xcc, 0xf4,
};

struct probe_vm {
	int vm_fd, vcpu_fd;
	void *mem;
	struct kvm_run *run;
	size_t run_size;
};

static int probe_setup(struct probe_vm *p, int kvm_fd)
{
	p->vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (p->vm_fd < 0)
		return -1;
	p->mem = mmap(NULL, PROBE_MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return -1;
	}
	memcpy((unsigned char *)p->mem + PROBE_CODE, probe_code, sizeof(probe_code));
	struct kvm_userspace_memory_region region = {
		.memory_size = PROBE_MEM_SIZE,
		.userspace_addr = (uint64_t)(uintptr_t)p->mem,
	};
	int mmap_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ioctl(p->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0 || mmap_size <= 0)
		return -1;
	p->vcpu_fd = ioctl(p->vm_fd, KVM_CREATE_VCPU, 0);
	if (p->vcpu_fd < 0)
		return -1;
	p->run_size = (size_t)mmap_size;
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, p->vcpu_fd, 0);
	if (p->run == MAP_FAILED) {
		p->run = NULL;
		return -1;
	}
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(p->vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	pvh_entry_sregs(&sregs);
	pvh_entry_regs(&regs, PROBE_CODE, 0);
	struct kvm_guest_debug debug = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP | KVM_GUESTDBG_USE_HW_BP,
	};
	debug.arch.debugreg[0] = PROBE_DATA;
	debug.arch.debugreg[7] = PROBE_DR7;
	if (ioctl(p->vcpu_fd, KVM_SET_SREGS, &sregs) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(p->vcpu_fd, KVM_SET_GUEST_DEBUG, &debug) < 0)
		return -1;
	return 0;
}

static void probe_teardown(struct probe_vm *p)
{
	if (p->run)
		munmap(p->run, p->run_size);
	if (p->vcpu_fd >= 0)
		close(p->vcpu_fd);
	if (p->vm_fd >= 0)
		close(p->vm_fd);
	if (p->mem)
		munmap(p->mem, PROBE_MEM_SIZE);
}

/* Straight-line code ending in hlt: a handful of exits at most, whatever the host does. */
static void probe_run(struct probe_vm *p, struct gdb_host_caps *caps)
{
	for (int i = 0; i < PROBE_MAX_RUNS; i++) {
		if (ioctl(p->vcpu_fd, KVM_RUN, 0) < 0 || p->run->exit_reason != KVM_EXIT_DEBUG)
			return;
		const struct kvm_debug_exit_arch *d = &p->run->debug.arch;
		if (d->exception == DB_VECTOR && (d->dr6 & 1))
			caps->data_breakpoints = true;
		else if (d->exception == BP_VECTOR)
			caps->int3_traps = true;
		if (caps->int3_traps) /* the int3 comes after the write */
			return;
	}
}

void gdb_probe_host(int kvm_fd, struct gdb_host_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	int debug2 = ioctl(kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_SET_GUEST_DEBUG2);
	caps->block_irq = debug2 > 0 && (debug2 & KVM_GUESTDBG_BLOCKIRQ);
	struct probe_vm p = { .vm_fd = -1, .vcpu_fd = -1 };
	if (probe_setup(&p, kvm_fd) == 0)
		probe_run(&p, caps);
	probe_teardown(&p);
}
