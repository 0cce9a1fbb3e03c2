/* SPDX-License-Identifier: BSD-2-Clause */
#include "boot.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "boot/bzimage.h"
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

/* The initrd, if any, above kernel_end and ending at or below limit. */
static int load_initrd(struct vm *vm, uint64_t kernel_end, uint64_t limit,
		       struct pvh_boot_info *info, struct error *err)
{
	const char *path = vm->cfg->initrd_path;
	if (!path)
		return 0;
	struct file_reader r;
	if (file_reader_open(&r, path) < 0)
		return error_set(err, "initrd %s: %s", path, strerror(errno));
	int rc = initrd_load_below(&r, &vm->mem, kernel_end, limit, &info->initrd_gpa, err);
	info->initrd_size = r.size;
	file_reader_close(&r);
	if (rc < 0)
		return error_prefix(err, "initrd %s", path);
	return 0;
}

/* vCPU 0 at the entry: PVH's 32-bit state, or long mode for Linux's 64-bit protocol. */
static int set_entry_state(struct vm *vm, bool linux64, const struct kvm_regs *regs,
			   struct error *err)
{
	struct vcpu *boot_cpu = &vm->vcpus[0];
	struct kvm_sregs sregs;
	if (ioctl(boot_cpu->fd, KVM_GET_SREGS, &sregs) < 0)
		return error_set(err, "KVM_GET_SREGS: %s", strerror(errno));
	if (linux64)
		linux64_entry_sregs(&sregs, LAYOUT_BOOT_GDT, LAYOUT_BOOT_IDT,
				    LAYOUT_BOOT_PAGE_TABLES);
	else
		pvh_entry_sregs(&sregs);
	if (ioctl(boot_cpu->fd, KVM_SET_SREGS, &sregs) < 0)
		return error_set(err, "KVM_SET_SREGS: %s", strerror(errno));
	if (ioctl(boot_cpu->fd, KVM_SET_REGS, regs) < 0)
		return error_set(err, "KVM_SET_REGS: %s", strerror(errno));
	return 0;
}

/* A Linux bzImage (not ELF, boot flag 0xAA55): the 64-bit boot protocol. */
static int boot_load_bzimage(struct vm *vm, const struct file_reader *kernel,
			     const char *cmdline, struct error *err)
{
	struct bzimage_kernel bz;
	if (bzimage_load(kernel, &vm->mem, &bz, err) < 0)
		return error_prefix(err, "kernel %s", kernel->name);
	struct pvh_boot_info info = { .cmdline = cmdline };
	if (load_initrd(vm, bz.kernel_end, bz.initrd_limit, &info, err) < 0 ||
	    boot_write_acpi(vm, &info.rsdp_gpa, err) < 0 ||
	    bzimage_write_boot_params(&vm->mem, &bz, &info, err) < 0 ||
	    boot_write_mptable(vm, err) < 0)
		return -1;
	struct kvm_regs regs;
	linux64_entry_regs(&regs, bz.entry, LAYOUT_MEMMAP, LAYOUT_BOOT_STACK);
	return set_entry_state(vm, true, &regs, err);
}

int boot_load(struct vm *vm, const char *cmdline, struct error *err)
{
	const char *path = vm->cfg->kernel_path;
	struct file_reader kernel;
	if (file_reader_open(&kernel, path) < 0)
		return error_set(err, "kernel %s: %s", path, strerror(errno));
	if (!pvh_elf_is_elf(&kernel) && bzimage_detect(&kernel)) {
		int rc = boot_load_bzimage(vm, &kernel, cmdline, err);
		file_reader_close(&kernel);
		return rc;
	}
	struct pvh_kernel pvh;
	int rc = pvh_elf_load(&kernel, &vm->mem, &pvh, err);
	file_reader_close(&kernel);
	if (rc < 0)
		return error_prefix(err, "kernel %s", path);
	vm->kernel_elf32 = pvh.elf32;

	struct pvh_boot_info info = { .cmdline = cmdline };
	uint64_t start_info;
	if (load_initrd(vm, pvh.load_end, guest_mem_low_end(&vm->mem), &info, err) < 0 ||
	    boot_write_acpi(vm, &info.rsdp_gpa, err) < 0 ||
	    pvh_write_start_info(&vm->mem, &info, &start_info, err) < 0 ||
	    boot_write_mptable(vm, err) < 0)
		return -1;
	struct kvm_regs regs;
	pvh_entry_regs(&regs, pvh.entry, (uint32_t)start_info);
	return set_entry_state(vm, false, &regs, err);
}
