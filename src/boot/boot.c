/* SPDX-License-Identifier: BSD-2-Clause */
#include "boot.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "boot/file_reader.h"
#include "boot/initrd.h"
#include "boot/pvh_elf.h"
#include "boot/pvh_start_info.h"
#include "millivm/layout.h"
#include "x86/boot_cpu.h"
#include "x86/mptable.h"

int boot_write_mptable(struct vm *vm, struct error *err)
{
	struct mptable_config mc = {
		.cpus = vm->nvcpus,
		.cpu_signature = vm->cpu_signature,
		.cpu_features = vm->cpu_features,
		.level_irqs = vm->level_irqs,
	};
	size_t size = mptable_size(mc.cpus);
	uint8_t *dst = gpa_range(&vm->mem, LAYOUT_MPTABLE, size);
	if (size > LAYOUT_MPTABLE_MAX || !dst)
		return error_set(err, "MP table for %u CPUs does not fit below 1 MiB", mc.cpus);
	if (mptable_build(dst, size, (uint32_t)LAYOUT_MPTABLE, &mc) == 0)
		return error_set(err, "cannot build the MP table for %u CPUs", mc.cpus);
	return 0;
}

static int load_initrd(struct vm *vm, uint64_t kernel_end, struct pvh_boot_info *info,
		       struct error *err)
{
	const char *path = vm->cfg->initrd_path;
	if (!path)
		return 0;
	struct file_reader r;
	if (file_reader_open(&r, path) < 0)
		return error_set(err, "initrd %s: %s", path, strerror(errno));
	int rc = initrd_load(&r, &vm->mem, kernel_end, &info->initrd_gpa, err);
	info->initrd_size = r.size;
	file_reader_close(&r);
	if (rc < 0)
		return error_prefix(err, "initrd %s", path);
	return 0;
}

static int set_entry_state(struct vm *vm, uint32_t entry, uint32_t start_info,
			   struct error *err)
{
	struct vcpu *boot_cpu = &vm->vcpus[0];
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	if (ioctl(boot_cpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return error_set(err, "KVM_GET_SREGS: %s", strerror(errno));
	pvh_entry_sregs(&sregs);
	if (ioctl(boot_cpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return error_set(err, "KVM_SET_SREGS: %s", strerror(errno));
	pvh_entry_regs(&regs, entry, start_info);
	if (ioctl(boot_cpu->fd, KVM_SET_REGS, &regs) < 0)
		return error_set(err, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

int boot_load(struct vm *vm, const char *cmdline, struct error *err)
{
	const char *path = vm->cfg->kernel_path;
	struct file_reader kernel;
	if (file_reader_open(&kernel, path) < 0)
		return error_set(err, "kernel %s: %s", path, strerror(errno));
	struct pvh_kernel pvh;
	int rc = pvh_elf_load(&kernel, &vm->mem, &pvh, err);
	file_reader_close(&kernel);
	if (rc < 0)
		return error_prefix(err, "kernel %s", path);
	vm->kernel_elf32 = pvh.elf32;

	struct pvh_boot_info info = { .cmdline = cmdline };
	uint64_t start_info;
	if (load_initrd(vm, pvh.load_end, &info, err) < 0 ||
	    pvh_write_start_info(&vm->mem, &info, &start_info, err) < 0 ||
	    boot_write_mptable(vm, err) < 0)
		return -1;
	return set_entry_state(vm, pvh.entry, (uint32_t)start_info, err);
}
