/* SPDX-License-Identifier: BSD-2-Clause */
#include "vm.h"

#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/vcpu.h"
#include "debug/timeline.h"
#include "millivm/abi.h"
#include "millivm/layout.h"

#define KVM_PATH "/dev/kvm"
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MISC_ENABLE_FAST_STRING 0x1
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MTRR_ENABLE_WRITEBACK ((1u << 11) | 6)
#define APIC_LVT0 0x350
#define APIC_LVT1 0x360
#define APIC_DELIVERY_NMI 4
#define APIC_DELIVERY_EXTINT 7

static int kvm_check_api(struct vm *vm, struct error *err)
{
	vm->kvm_fd = open(KVM_PATH, O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0)
		return error_set(err, "%s: %s", KVM_PATH, strerror(errno));
	int version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION)
		return error_set(err, "%s: KVM API version %d, need %d", KVM_PATH, version,
				 KVM_API_VERSION);
	static const struct {
		int cap;
		const char *name;
	} needed[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
	};
	for (size_t i = 0; i < sizeof(needed) / sizeof(needed[0]); i++)
		if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, needed[i].cap) <= 0)
			return error_set(err, "%s: this KVM lacks %s", KVM_PATH, needed[i].name);
	vm->run_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vm->run_size < (int)sizeof(struct kvm_run))
		return error_set(err, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
	return 0;
}

static void add_route(struct kvm_irq_routing *r, uint32_t gsi, uint32_t chip, uint32_t pin)
{
	struct kvm_irq_routing_entry *e = &r->entries[r->nr++];
	memset(e, 0, sizeof(*e));
	e->gsi = gsi;
	e->type = KVM_IRQ_ROUTING_IRQCHIP;
	e->u.irqchip.irqchip = chip;
	e->u.irqchip.pin = pin;
}

/*
 * Route GSIs as the MP table describes them: ISA IRQ n to PIC input n and IOAPIC pin n,
 * except the timer (IRQ 0) on IOAPIC pin 2 and nothing on the cascade, IRQ 2.
 */
static int setup_irq_routing(struct vm *vm, struct error *err)
{
	enum { MAX_ROUTES = 16 + MP_IOAPIC_PINS };
	struct kvm_irq_routing *table =
		calloc(1, sizeof(*table) + MAX_ROUTES * sizeof(table->entries[0]));
	if (!table)
		return error_set(err, "out of memory");
	for (uint32_t irq = 0; irq < 16; irq++) {
		if (irq == 2)
			continue;
		add_route(table, irq, irq < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
			  irq % 8);
	}
	for (uint32_t irq = 0; irq < MP_IOAPIC_PINS; irq++) {
		if (irq == 2)
			continue;
		add_route(table, irq, KVM_IRQCHIP_IOAPIC, irq == 0 ? 2 : irq);
	}
	int rc = ioctl(vm->vm_fd, KVM_SET_GSI_ROUTING, table);
	free(table);
	if (rc < 0)
		return error_set(err, "KVM_SET_GSI_ROUTING: %s", strerror(errno));
	return 0;
}

static int create_vm(struct vm *vm, struct error *err)
{
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0)
		return error_set(err, "KVM_CREATE_VM: %s", strerror(errno));
	return 0;
}

static int create_chips(struct vm *vm, struct error *err)
{
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, (unsigned long)LAYOUT_KVM_TSS) < 0)
		return error_set(err, "KVM_SET_TSS_ADDR: %s", strerror(errno));
	uint64_t identity = LAYOUT_KVM_IDENTITY_MAP;
	if (ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return error_set(err, "KVM_SET_IDENTITY_MAP_ADDR: %s", strerror(errno));
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return error_set(err, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit) < 0)
		return error_set(err, "KVM_CREATE_PIT2: %s", strerror(errno));
	return setup_irq_routing(vm, err);
}

static int set_memory_slot(struct vm *vm, uint32_t slot, uint64_t gpa, uint64_t size,
			   void *host, struct error *err)
{
	struct kvm_userspace_memory_region region = {
		.slot = slot,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
	};
	if (ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return error_set(err, "KVM_SET_USER_MEMORY_REGION (slot %u, %llu MiB): %s", slot,
				 (unsigned long long)(size >> 20), strerror(errno));
	return 0;
}

static int setup_memory(struct vm *vm, struct error *err)
{
	if (guest_mem_alloc(&vm->mem, vm->cfg->mem_size) < 0)
		return error_set(err, "cannot map %llu MiB of guest RAM: %s",
				 (unsigned long long)(vm->cfg->mem_size >> 20), strerror(errno));
	if (set_memory_slot(vm, 0, 0, vm->mem.low_size, vm->mem.host, err) < 0)
		return -1;
	uint64_t high = vm->mem.size - vm->mem.low_size;
	if (high && set_memory_slot(vm, 1, LAYOUT_HIGH_RAM_START, high,
				    vm->mem.host + vm->mem.low_size, err) < 0)
		return -1;
	return 0;
}

static int fetch_cpuid(struct vm *vm, struct error *err)
{
	vm->supported_cpuid.nent = CPUID_MAX_ENTRIES;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid_kvm(&vm->supported_cpuid)) < 0)
		return error_set(err, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	struct kvm_cpuid_entry2 *leaf1 = cpuid_find(&vm->supported_cpuid, 1, 0);
	if (leaf1) {
		vm->cpu_signature = leaf1->eax;
		vm->cpu_features = leaf1->edx;
	}
	return 0;
}

static int create_vcpus(struct vm *vm, struct error *err)
{
	vm->nvcpus = vm->cfg->vcpus;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		v->vm = vm;
		v->id = i;
		v->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, (unsigned long)i);
		if (v->fd < 0)
			return error_set(err, "KVM_CREATE_VCPU %u: %s", i, strerror(errno));
		v->run = mmap(NULL, (size_t)vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			      v->fd, 0);
		if (v->run == MAP_FAILED)
			return error_set(err, "mmap of vCPU %u: %s", i, strerror(errno));
	}
	int khz = ioctl(vm->vcpus[0].fd, KVM_GET_TSC_KHZ, 0);
	vm->tsc_khz = khz > 0 ? (uint32_t)khz : 0; /* 0: the guest must calibrate */
	timeline_set_tsc_khz(vm->tsc_khz);
	return 0;
}

int vm_create(struct vm *vm, const struct vm_config *cfg, struct error *err)
{
	memset(vm, 0, sizeof(*vm));
	vm->cfg = cfg;
	vm->kvm_fd = vm->vm_fd = -1;
	vm->pio.name = "port";
	vm->mmio.name = "MMIO";
	vm->used_irqs = 1u << 0 | 1u << 2; /* PIT, cascade */
	vm->exit_eventfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->exit_eventfd < 0)
		return error_set(err, "eventfd: %s", strerror(errno));
	/* Memory before the interrupt controllers: a memslot added to a VM that already has
	 * its in-kernel devices costs milliseconds more (SRCU synchronisation), measured. */
	if (kvm_check_api(vm, err) < 0 || create_vm(vm, err) < 0 || setup_memory(vm, err) < 0 ||
	    create_chips(vm, err) < 0 || fetch_cpuid(vm, err) < 0 || create_vcpus(vm, err) < 0)
		return -1;
	return 0;
}

/* Virtual-wire mode, as firmware leaves it: the 8259 on LINT0, NMI on LINT1. */
static int setup_lapic_lint(struct vcpu *v, struct error *err)
{
	struct kvm_lapic_state lapic;
	if (ioctl(v->fd, KVM_GET_LAPIC, &lapic) < 0)
		return error_set(err, "KVM_GET_LAPIC: %s", strerror(errno));
	uint32_t lvt0, lvt1;
	memcpy(&lvt0, &lapic.regs[APIC_LVT0], 4);
	memcpy(&lvt1, &lapic.regs[APIC_LVT1], 4);
	lvt0 = (lvt0 & ~0x700u) | (APIC_DELIVERY_EXTINT << 8);
	lvt1 = (lvt1 & ~0x700u) | (APIC_DELIVERY_NMI << 8);
	memcpy(&lapic.regs[APIC_LVT0], &lvt0, 4);
	memcpy(&lapic.regs[APIC_LVT1], &lvt1, 4);
	if (ioctl(v->fd, KVM_SET_LAPIC, &lapic) < 0)
		return error_set(err, "KVM_SET_LAPIC: %s", strerror(errno));
	return 0;
}

/* Firmware defaults: fast strings on, MTRRs on with write-back default. Best effort: some
 * hosts refuse MSRs the guest does not need to boot. */
static void setup_boot_msrs(struct vcpu *v)
{
	static const struct kvm_msr_entry boot_msrs[] = {
		{ .index = MSR_IA32_MISC_ENABLE, .data = MSR_IA32_MISC_ENABLE_FAST_STRING },
		{ .index = MSR_MTRR_DEF_TYPE, .data = MTRR_ENABLE_WRITEBACK },
	};
	union {
		struct kvm_msrs head;
		uint8_t bytes[sizeof(struct kvm_msrs) + sizeof(boot_msrs)];
	} msrs;
	memset(&msrs, 0, sizeof(msrs));
	msrs.head.nmsrs = sizeof(boot_msrs) / sizeof(boot_msrs[0]);
	memcpy(msrs.head.entries, boot_msrs, sizeof(boot_msrs));
	(void)ioctl(v->fd, KVM_SET_MSRS, &msrs);
}

int vm_setup_vcpus(struct vm *vm, struct error *err)
{
	struct cpuid_config cc = { .tsc_khz = vm->tsc_khz, .vcpus = vm->nvcpus };
	memcpy(cc.masks, vm->cfg->cpuid_masks, sizeof(cc.masks));
	cc.nmasks = vm->cfg->ncpuid_masks;
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct cpuid_table table;
		memcpy(&table, &vm->supported_cpuid, sizeof(table));
		if (cpuid_build(&table, &cc, i, err) < 0)
			return -1;
		if (ioctl(v->fd, KVM_SET_CPUID2, cpuid_kvm(&table)) < 0)
			return error_set(err, "KVM_SET_CPUID2 (vCPU %u): %s", i, strerror(errno));
		if (setup_lapic_lint(v, err) < 0)
			return -1;
		setup_boot_msrs(v);
	}
	return 0;
}

int vm_start(struct vm *vm, struct error *err)
{
	for (unsigned i = 0; i < vm->nvcpus; i++) {
		struct vcpu *v = &vm->vcpus[i];
		int rc = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (rc != 0)
			return error_set(err, "cannot start vCPU %u thread: %s", i, strerror(rc));
		v->thread_started = true;
	}
	return 0;
}

void vm_set_irq_line(struct vm *vm, unsigned irq, int level)
{
	struct kvm_irq_level line = { .irq = irq, .level = (uint32_t)level };
	(void)ioctl(vm->vm_fd, KVM_IRQ_LINE, &line);
}

int vm_alloc_irq(struct vm *vm, unsigned first, bool level_triggered)
{
	for (unsigned irq = first; irq < MP_IOAPIC_PINS; irq++) {
		if (vm->used_irqs & (1u << irq))
			continue;
		vm->used_irqs |= 1u << irq;
		if (level_triggered)
			vm->level_irqs |= 1u << irq;
		return (int)irq;
	}
	return -1;
}

void vm_request_exit(struct vm *vm, int status)
{
	bool expected = false;
	if (!atomic_compare_exchange_strong(&vm->exiting, &expected, true))
		return;
	vm->exit_status = status;
	timeline_mark(TL_GUEST_EXIT);
	uint64_t one = 1;
	(void)!write(vm->exit_eventfd, &one, sizeof(one));
	for (unsigned i = 0; i < vm->nvcpus; i++)
		vcpu_kick(&vm->vcpus[i]);
}
