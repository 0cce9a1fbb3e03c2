/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Linux bzImage kernels through the x86 boot protocol's 64-bit entry (Linux's
 * Documentation/x86/boot.rst): the setup header is checked (boot flag 0xAA55, "HdrS", protocol
 * 2.12 or later, XLF_KERNEL_64, LOADED_HIGH), the protected-mode kernel goes to 1 MiB, and
 * the zero page (struct boot_params at LAYOUT_MEMMAP) carries the e820 map, the command line,
 * the initrd and the ACPI RSDP. The entry itself (long mode, identity page tables, the boot
 * GDT) is in x86/boot_cpu.h. The real-mode setup code is never run.
 */
#ifndef MILLIVM_BZIMAGE_H
#define MILLIVM_BZIMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include <asm/bootparam.h>

#include "boot/file_reader.h"
#include "boot/pvh_start_info.h"
#include "core/error.h"
#include "core/guest_mem.h"

#define BZIMAGE_MIN_VERSION 0x020c /* 2.12: xloadflags, so XLF_KERNEL_64 can be checked */
#define BZIMAGE_LOAD_ADDR LAYOUT_HIMEM_START /* the protected-mode kernel, as QEMU loads it */
#define BZIMAGE_ENTRY64_OFFSET 0x200         /* startup_64 from the start of that kernel */

struct bzimage_kernel {
	struct setup_header hdr; /* the file's setup header, validated */
	uint64_t load_addr;      /* where the protected-mode kernel is: BZIMAGE_LOAD_ADDR */
	uint64_t load_size;      /* its size in the file */
	uint64_t run_addr;       /* where it decompresses to and runs: pref_address */
	uint64_t entry;          /* load_addr + 0x200 */
	uint64_t kernel_end;     /* one past the highest byte the kernel needs while it boots */
	uint64_t initrd_limit;   /* one past the last byte an initrd may use */
};

/* Does the file carry the 0xAA55 boot flag of an x86 boot sector (a bzImage, presumably)? */
bool bzimage_detect(const struct file_reader *kernel);

/*
 * Validate the setup header and the image against guest RAM, then copy the protected-mode
 * kernel to BZIMAGE_LOAD_ADDR. One-line reasons for: a truncated file, a wrong boot flag or
 * signature, a protocol older than 2.12, a kernel without the 64-bit entry or not loadable
 * high, and a kernel that does not fit in guest RAM.
 */
int bzimage_load(const struct file_reader *kernel, const struct guest_mem *mem,
		 struct bzimage_kernel *out, struct error *err);

/*
 * Write the zero page at LAYOUT_MEMMAP (the setup header from the file, then e820 from the
 * memory map, the command line at LAYOUT_CMDLINE, the initrd and RSDP from info), and the
 * boot GDT, IDT and identity page tables the 64-bit entry runs on. Fails when the command
 * line is longer than the kernel accepts (cmdline_size).
 */
int bzimage_write_boot_params(const struct guest_mem *mem, const struct bzimage_kernel *kernel,
			      const struct pvh_boot_info *info, struct error *err);

#endif
