/* SPDX-License-Identifier: BSD-2-Clause */
#include "bzimage.h"

#include <stddef.h>
#include <string.h>

#include <asm/e820.h>

#include "boot/memmap.h"
#include "millivm/abi.h"
#include "millivm/layout.h"
#include "x86/boot_cpu.h"

/* Offsets in the file (boot.rst, "The Real-Mode Kernel Header"). */
#define SETUP_HEADER_AT offsetof(struct boot_params, hdr) /* 0x1f1 */
#define SETUP_HEADER_END_AT 0x201 /* the byte giving the header's end, counted from 0x202 */
#define HDR_OFFSET(field) (SETUP_HEADER_AT + offsetof(struct setup_header, field))
#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448 /* "HdrS" */
#define SECTOR 512
#define DEFAULT_SETUP_SECTS 4 /* setup_sects 0 means 4 (boot.rst) */
#define LOADER_TYPE_UNDEFINED 0xff
#define ZERO_PAGE_SIZE 4096

_Static_assert(sizeof(struct boot_params) == ZERO_PAGE_SIZE, "the zero page is one page");
_Static_assert(HDR_OFFSET(boot_flag) == 0x1fe && HDR_OFFSET(header) == 0x202 &&
		       HDR_OFFSET(xloadflags) == 0x236 && HDR_OFFSET(init_size) == 0x260,
	       "struct setup_header matches the boot protocol's offsets");
_Static_assert(HVM_MEMMAP_RAM == E820_RAM && HVM_MEMMAP_RESERVED == E820_RESERVED &&
		       HVM_MEMMAP_ACPI == E820_ACPI && HVM_MEMMAP_NVS == E820_NVS &&
		       HVM_MEMMAP_UNUSABLE == E820_UNUSABLE && HVM_MEMMAP_PMEM == E820_PMEM,
	       "the PVH memory map types are the e820 types");
_Static_assert(LAYOUT_BOOT_GDT + LINUX64_GDT_ENTRIES * 8 <= LAYOUT_BOOT_IDT,
	       "the boot GDT ends before the IDT");
_Static_assert(LAYOUT_MEMMAP + ZERO_PAGE_SIZE <= (LAYOUT_BOOT_STACK & ~0xfffull),
	       "the zero page ends below the boot stack's page");
_Static_assert(LAYOUT_BOOT_PAGE_TABLES + LINUX64_PAGE_TABLE_PAGES * 4096 <= LAYOUT_CMDLINE,
	       "the boot page tables end before the command line");

bool bzimage_detect(const struct file_reader *kernel)
{
	uint16_t flag;
	return reader_read(kernel, HDR_OFFSET(boot_flag), &flag, sizeof(flag)) == 0 &&
	       flag == BOOT_FLAG;
}

/* The setup header as the file has it: bytes [0x1f1, 0x202 + byte at 0x201), the rest 0. */
static int read_setup_header(const struct file_reader *k, struct setup_header *hdr,
			     struct error *err)
{
	memset(hdr, 0, sizeof(*hdr));
	uint8_t end_byte;
	if (reader_read(k, SETUP_HEADER_END_AT, &end_byte, 1) < 0)
		return error_set(err, "truncated: %llu bytes, too short for a Linux setup header",
				 (unsigned long long)k->size);
	size_t len = SETUP_HEADER_END_AT + 1 + end_byte - SETUP_HEADER_AT;
	if (len > sizeof(*hdr))
		len = sizeof(*hdr); /* a newer protocol's fields we do not know */
	/* Whatever the end byte says, read as far as the version: the checks name the problem
	 * (a short header of a new protocol leaves init_size 0, which is refused). */
	if (len < offsetof(struct setup_header, realmode_swtch))
		len = offsetof(struct setup_header, realmode_swtch);
	if (reader_read(k, SETUP_HEADER_AT, hdr, len) < 0)
		return error_set(err, "truncated: %llu bytes, too short for a Linux setup header",
				 (unsigned long long)k->size);
	return 0;
}

static int check_header(const struct setup_header *hdr, struct error *err)
{
	if (hdr->boot_flag != BOOT_FLAG)
		return error_set(err, "not a Linux bzImage: boot flag 0x%04x, expected 0xaa55",
				 hdr->boot_flag);
	if (hdr->header != HDRS_MAGIC)
		return error_set(err, "no \"HdrS\" signature: a Linux boot protocol older than 2.00 "
				      "(64-bit entry needs 2.12)");
	if (hdr->version < BZIMAGE_MIN_VERSION)
		return error_set(err, "Linux boot protocol %u.%02u is too old: the 64-bit entry "
				 "needs 2.12 or later (Linux 3.8)",
				 hdr->version >> 8, hdr->version & 0xff);
	if (!(hdr->xloadflags & XLF_KERNEL_64))
		return error_set(err, "not a 64-bit kernel: xloadflags 0x%x lacks XLF_KERNEL_64 "
				 "(32-bit kernels need the 32-bit entry, not supported)",
				 hdr->xloadflags);
	if (!(hdr->loadflags & LOADED_HIGH))
		return error_set(err, "a zImage (loadflags 0x%x lacks LOADED_HIGH): only bzImage "
				 "kernels, loaded at 1 MiB, are supported", hdr->loadflags);
	if (hdr->init_size == 0)
		return error_set(err, "setup header gives no init_size: malformed or cut short");
	if (hdr->pref_address < LAYOUT_HIMEM_START)
		return error_set(err, "preferred load address 0x%llx is below 1 MiB",
				 (unsigned long long)hdr->pref_address);
	return 0;
}

/* Where a 64-bit kernel decompresses itself and runs (arch/x86/boot/compressed/head_64.S):
 * a relocatable kernel at its load address aligned up to kernel_alignment, but never below
 * LOAD_PHYSICAL_ADDR (= pref_address); other kernels at LOAD_PHYSICAL_ADDR. */
static uint64_t run_address(const struct setup_header *hdr, uint64_t load)
{
	uint64_t at = load;
	uint64_t align = hdr->kernel_alignment;
	if (hdr->relocatable_kernel && align && !(align & (align - 1)))
		at = (load + align - 1) & ~(align - 1);
	if (!hdr->relocatable_kernel || at < hdr->pref_address)
		at = hdr->pref_address;
	return at;
}

static int check_fit(const struct file_reader *k, const struct guest_mem *mem,
		     struct bzimage_kernel *out, struct error *err)
{
	const struct setup_header *hdr = &out->hdr;
	uint64_t setup = ((uint64_t)(hdr->setup_sects ? hdr->setup_sects : DEFAULT_SETUP_SECTS) +
			  1) * SECTOR;
	if (setup >= k->size)
		return error_set(err, "truncated: %llu bytes, but the setup code alone takes %llu",
				 (unsigned long long)k->size, (unsigned long long)setup);
	out->load_size = k->size - setup;
	if ((uint64_t)hdr->syssize * 16 > out->load_size)
		return error_set(err, "truncated: the protected-mode kernel has %llu bytes, the "
				 "header says %llu", (unsigned long long)out->load_size,
				 (unsigned long long)hdr->syssize * 16);
	out->load_addr = BZIMAGE_LOAD_ADDR;
	out->run_addr = run_address(hdr, out->load_addr);
	out->entry = out->load_addr + BZIMAGE_ENTRY64_OFFSET;
	uint64_t load_end = out->load_addr + out->load_size;
	uint64_t run_end = out->run_addr + hdr->init_size;
	out->kernel_end = load_end > run_end ? load_end : run_end;
	if (out->load_size <= BZIMAGE_ENTRY64_OFFSET)
		return error_set(err, "truncated: a %llu-byte kernel has no 64-bit entry at +0x200",
				 (unsigned long long)out->load_size);
	if (!gpa_is_ram(mem, out->load_addr, out->load_size) ||
	    !gpa_is_ram(mem, out->run_addr, hdr->init_size) ||
	    out->kernel_end > LINUX64_IDENTITY_MAPPED)
		return error_set(err, "too big for guest RAM: it needs [0x%llx, 0x%llx) to "
				 "decompress and run, guest RAM below 4 GiB ends at 0x%llx (-m %llu MiB)",
				 (unsigned long long)out->load_addr,
				 (unsigned long long)out->kernel_end,
				 (unsigned long long)guest_mem_low_end(mem),
				 (unsigned long long)(mem->size >> 20));
	out->initrd_limit = (uint64_t)hdr->initrd_addr_max + 1; /* the last byte it may use */
	return 0;
}

int bzimage_load(const struct file_reader *kernel, const struct guest_mem *mem,
		 struct bzimage_kernel *out, struct error *err)
{
	memset(out, 0, sizeof(*out));
	if (read_setup_header(kernel, &out->hdr, err) < 0 || check_header(&out->hdr, err) < 0 ||
	    check_fit(kernel, mem, out, err) < 0)
		return -1;
	uint8_t *dst = gpa_range(mem, out->load_addr, out->load_size);
	if (reader_read(kernel, kernel->size - out->load_size, dst, out->load_size) < 0)
		return error_set(err, "read failed");
	return 0;
}

static int write_e820(const struct guest_mem *mem, struct boot_params *bp, struct error *err)
{
	struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX];
	size_t n = memmap_build(mem->size, map, LAYOUT_MEMMAP_MAX);
	if (n == 0 || n > E820_MAX_ENTRIES_ZEROPAGE)
		return error_set(err, "guest RAM of %llu bytes is too small for a memory map",
				 (unsigned long long)mem->size);
	for (size_t i = 0; i < n; i++)
		bp->e820_table[i] = (struct boot_e820_entry){ map[i].addr, map[i].size, map[i].type };
	bp->e820_entries = (uint8_t)n;
	return 0;
}

static int write_cpu_tables(const struct guest_mem *mem, struct error *err)
{
	uint64_t *gdt = gpa_range(mem, LAYOUT_BOOT_GDT, LINUX64_GDT_ENTRIES * 8);
	uint64_t *tables = gpa_range(mem, LAYOUT_BOOT_PAGE_TABLES, LINUX64_PAGE_TABLE_PAGES * 4096);
	if (!gdt || !tables)
		return error_set(err, "guest RAM too small for the boot page tables");
	linux64_boot_gdt(gdt);
	memset(tables, 0, LINUX64_PAGE_TABLE_PAGES * 4096);
	linux64_page_tables(tables, LAYOUT_BOOT_PAGE_TABLES);
	return 0;
}

int bzimage_write_boot_params(const struct guest_mem *mem, const struct bzimage_kernel *kernel,
			      const struct pvh_boot_info *info, struct error *err)
{
	const char *cmdline = info->cmdline ? info->cmdline : "";
	size_t len = strlen(cmdline);
	if (kernel->hdr.cmdline_size && len > kernel->hdr.cmdline_size)
		return error_set(err, "kernel command line is %zu bytes, this kernel takes at most %u",
				 len, kernel->hdr.cmdline_size);
	struct boot_params *bp = gpa_range(mem, LAYOUT_MEMMAP, sizeof(*bp));
	if (!bp)
		return error_set(err, "guest RAM too small for the zero page");
	memset(bp, 0, sizeof(*bp));
	bp->hdr = kernel->hdr;
	bp->hdr.type_of_loader = LOADER_TYPE_UNDEFINED;
	bp->hdr.code32_start = (uint32_t)kernel->load_addr;
	bp->hdr.cmd_line_ptr = (uint32_t)LAYOUT_CMDLINE;
	if (info->initrd_size) {
		bp->hdr.ramdisk_image = (uint32_t)info->initrd_gpa;
		bp->hdr.ramdisk_size = (uint32_t)info->initrd_size;
	}
	bp->acpi_rsdp_addr = info->rsdp_gpa; /* 0: no ACPI; Linux 5.0+ reads it (protocol 2.14) */
	if (write_e820(mem, bp, err) < 0 || boot_write_cmdline(mem, cmdline, err) < 0)
		return -1;
	return write_cpu_tables(mem, err);
}
