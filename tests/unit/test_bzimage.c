/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bzImage loader (Linux x86 boot protocol, 64-bit entry) on images built in memory: a
 * valid kernel lands at 1 MiB byte for byte, the zero page carries the file's setup header
 * with our command line, e820 map, initrd and RSDP, the entry runs on a flat GDT and an
 * identity map of 4 GiB, and every malformed or unsuitable image is refused with one line
 * that names the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <asm/bootparam.h>

#include "assert_msg.h"
#include "boot/bzimage.h"
#include "boot/initrd.h"
#include "boot/memmap.h"
#include "core/guest_mem.h"
#include "fake_ram.h"
#include "millivm/abi.h"
#include "millivm/layout.h"
#include "x86/boot_cpu.h"

#define RAM_SIZE MiB(64)
#define SETUP_SECTS 3
#define PM_SIZE 8192u /* the protected-mode kernel in the test images */
#define IMAGE_MAX (64u * 1024u)
#define PREF MiB(16) /* LOAD_PHYSICAL_ADDR of x86-64 defconfig */
#define INIT_SIZE MiB(8)
#define HDR_AT 0x1f1

struct fixture {
	uint8_t image[IMAGE_MAX];
	size_t size;
	struct setup_header hdr; /* what build() writes at 0x1f1 */
	uint8_t header_end;      /* the byte at 0x201: the header ends at 0x202 + this */
	struct guest_mem mem;
	struct bzimage_kernel k;
	struct error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (fake_guest_ram_alloc(&f->mem, RAM_SIZE) < 0) {
		free(f);
		return -1;
	}
	/* What Linux 6.1's arch/x86/boot/header.S says for an x86-64 relocatable kernel. */
	struct setup_header *h = &f->hdr;
	h->setup_sects = SETUP_SECTS;
	h->syssize = PM_SIZE / 16;
	h->boot_flag = 0xaa55;
	h->jump = 0x66eb; /* jmp short to 0x268: the header's end */
	h->header = 0x53726448;
	h->version = 0x020f;
	h->loadflags = LOADED_HIGH;
	h->code32_start = 0x100000;
	h->initrd_addr_max = 0x7fffffff;
	h->kernel_alignment = 0x200000;
	h->relocatable_kernel = 1;
	h->min_alignment = 21;
	h->xloadflags = XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G;
	h->cmdline_size = 2047;
	h->pref_address = PREF;
	h->init_size = INIT_SIZE;
	f->header_end = 0x66;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	fake_guest_ram_free(&f->mem);
	free(f);
	return 0;
}

/* The image: setup sectors (header at 0x1f1), then PM_SIZE bytes of a recognisable kernel. */
static void build(struct fixture *f)
{
	size_t setup = (size_t)(f->hdr.setup_sects + 1) * 512;
	f->size = setup + PM_SIZE;
	memset(f->image, 0, sizeof(f->image));
	memcpy(f->image + HDR_AT, &f->hdr, sizeof(f->hdr));
	f->image[0x201] = f->header_end;
	for (size_t i = 0; i < PM_SIZE; i++)
		f->image[setup + i] = (uint8_t)(i * 7 + 3);
}

static int load_size(struct fixture *f, size_t size)
{
	struct file_reader r;
	memory_reader_init(&r, "bzImage", f->image, size);
	memset(f->err.msg, 0, sizeof(f->err.msg));
	return bzimage_load(&r, &f->mem, &f->k, &f->err);
}

static int load(struct fixture *f)
{
	build(f);
	return load_size(f, f->size);
}

static void assert_refused(struct fixture *f, const char *reason)
{
	if (load(f) == 0)
		fail_msg("loaded, expected a refusal mentioning '%s'", reason);
	assert_msg_contains(f->err.msg, reason);
}

/* ------------------------------------------------------------------------ loading */

static void test_detect(void **state)
{
	struct fixture *f = *state;
	build(f);
	struct file_reader r;
	memory_reader_init(&r, "bzImage", f->image, f->size);
	assert_true(bzimage_detect(&r));
	memory_reader_init(&r, "short", f->image, 0x1ff); /* the flag is cut off */
	assert_false(bzimage_detect(&r));
	f->image[0x1fe] = 0x55 ^ 1;
	memory_reader_init(&r, "bzImage", f->image, f->size);
	assert_false(bzimage_detect(&r));
}

static void test_load_valid(void **state)
{
	struct fixture *f = *state;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(f->k.load_addr, MiB(1));
	assert_int_equal(f->k.load_size, PM_SIZE);
	assert_int_equal(f->k.entry, MiB(1) + 0x200);
	assert_int_equal(f->k.run_addr, PREF); /* relocatable, but never below pref_address */
	assert_int_equal(f->k.kernel_end, PREF + INIT_SIZE);
	assert_int_equal(f->k.initrd_limit, 0x80000000ull);
	size_t setup = (SETUP_SECTS + 1) * 512;
	assert_memory_equal(gpa_range(&f->mem, MiB(1), PM_SIZE), f->image + setup, PM_SIZE);
	assert_int_equal(f->k.hdr.version, 0x020f);
	assert_int_equal(f->k.hdr.init_size, INIT_SIZE);
	/* nothing was written below 1 MiB: the boot structures come later */
	for (uint64_t a = 0; a < MiB(1); a += 4096)
		assert_int_equal(f->mem.host[a], 0);
}

static void test_load_setup_sects_zero_means_four(void **state)
{
	struct fixture *f = *state;
	f->hdr.setup_sects = 4;
	build(f);
	f->image[HDR_AT] = 0; /* same layout, the old way of saying 4 */
	if (load_size(f, 5 * 512 + PM_SIZE) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(f->k.load_size, PM_SIZE);
	assert_memory_equal(gpa_range(&f->mem, MiB(1), PM_SIZE), f->image + 5 * 512, PM_SIZE);
}

static void test_run_address(void **state)
{
	struct fixture *f = *state;
	/* a kernel that is not relocatable always runs at LOAD_PHYSICAL_ADDR */
	f->hdr.relocatable_kernel = 0;
	f->hdr.pref_address = MiB(2);
	f->hdr.init_size = MiB(4);
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(f->k.run_addr, MiB(2));
	assert_int_equal(f->k.kernel_end, MiB(6));
	/* relocatable with pref_address 1 MiB: 1 MiB aligned up to kernel_alignment */
	f->hdr.relocatable_kernel = 1;
	f->hdr.pref_address = MiB(1);
	f->hdr.kernel_alignment = MiB(2);
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(f->k.run_addr, MiB(2));
}

static void test_newer_header_is_read_to_its_end(void **state)
{
	struct fixture *f = *state;
	/* protocol 2.12's header ends before kernel_info_offset: the byte after it is code */
	f->hdr.version = 0x020c;
	f->hdr.kernel_info_offset = 0x12345678;
	f->header_end = (uint8_t)(offsetof(struct setup_header, kernel_info_offset) + HDR_AT -
				  0x202);
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(f->k.hdr.kernel_info_offset, 0);
	assert_int_equal(f->k.hdr.handover_offset, f->hdr.handover_offset);
}

/* ------------------------------------------------------------------------ refusals */

static void test_refuse_truncated(void **state)
{
	struct fixture *f = *state;
	build(f);
	assert_int_equal(load_size(f, 0x100), -1);
	assert_msg_contains(f->err.msg, "truncated");
	assert_int_equal(load_size(f, 0x210), -1); /* the header is cut after the version */
	assert_msg_contains(f->err.msg, "truncated");
	assert_int_equal(load_size(f, (SETUP_SECTS + 1) * 512), -1); /* no kernel at all */
	assert_msg_contains(f->err.msg, "truncated");
	assert_int_equal(load_size(f, f->size - 16), -1); /* syssize says 16 bytes more */
	assert_msg_contains(f->err.msg, "truncated");
	assert_msg_contains(f->err.msg, "header says 8192");
}

static void test_refuse_magic(void **state)
{
	struct fixture *f = *state;
	f->hdr.boot_flag = 0x55aa;
	assert_refused(f, "boot flag 0x55aa, expected 0xaa55");
	f->hdr.boot_flag = 0xaa55;
	f->hdr.header = 0x53726449;
	assert_refused(f, "no \"HdrS\" signature");
}

static void test_refuse_old_protocol(void **state)
{
	struct fixture *f = *state;
	f->hdr.version = 0x020b;
	assert_refused(f, "protocol 2.11 is too old");
	f->hdr.version = 0x0204;
	assert_refused(f, "protocol 2.04 is too old");
}

static void test_refuse_not_64bit(void **state)
{
	struct fixture *f = *state;
	f->hdr.xloadflags = XLF_CAN_BE_LOADED_ABOVE_4G;
	assert_refused(f, "not a 64-bit kernel");
}

static void test_refuse_zimage(void **state)
{
	struct fixture *f = *state;
	f->hdr.loadflags = 0;
	assert_refused(f, "lacks LOADED_HIGH");
}

static void test_refuse_bad_header_fields(void **state)
{
	struct fixture *f = *state;
	f->hdr.init_size = 0;
	assert_refused(f, "no init_size");
	f->hdr.init_size = INIT_SIZE;
	f->hdr.pref_address = 0x9000;
	assert_refused(f, "below 1 MiB");
}

static void test_refuse_too_big_for_ram(void **state)
{
	struct fixture *f = *state;
	f->hdr.init_size = RAM_SIZE - PREF + 1; /* decompresses one byte past the end of RAM */
	assert_refused(f, "too big for guest RAM");
	assert_msg_contains(f->err.msg, "-m 64 MiB");
	f->hdr.init_size = RAM_SIZE - PREF; /* exactly fits */
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	f->hdr.pref_address = GiB(8); /* a run address outside RAM */
	assert_refused(f, "too big for guest RAM");
}

/* ------------------------------------------------------------------------ zero page */

static struct boot_params *zero_page(struct fixture *f)
{
	return gpa_range(&f->mem, LAYOUT_MEMMAP, sizeof(struct boot_params));
}

static void test_zero_page(void **state)
{
	struct fixture *f = *state;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	memset(zero_page(f), 0xee, sizeof(struct boot_params)); /* must all be rewritten */
	struct pvh_boot_info info = {
		.cmdline = "console=ttyS0 root=/dev/vda",
		.initrd_gpa = MiB(40),
		.initrd_size = 12345,
		.rsdp_gpa = 0xe0000,
	};
	if (bzimage_write_boot_params(&f->mem, &f->k, &info, &f->err) != 0)
		fail_msg("bzimage_write_boot_params: %s", f->err.msg);
	struct boot_params *bp = zero_page(f);
	assert_int_equal(bp->hdr.boot_flag, 0xaa55);
	assert_int_equal(bp->hdr.header, 0x53726448);
	assert_int_equal(bp->hdr.version, 0x020f);
	assert_int_equal(bp->hdr.init_size, INIT_SIZE);
	assert_int_equal(bp->hdr.xloadflags, f->hdr.xloadflags);
	assert_int_equal(bp->hdr.type_of_loader, 0xff);
	assert_int_equal(bp->hdr.code32_start, MiB(1));
	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_string_equal((const char *)gpa_range(&f->mem, LAYOUT_CMDLINE, 1), info.cmdline);
	assert_int_equal(bp->hdr.ramdisk_image, MiB(40));
	assert_int_equal(bp->hdr.ramdisk_size, 12345);
	assert_int_equal(bp->acpi_rsdp_addr, 0xe0000);
	assert_int_equal(bp->sentinel, 0);
	assert_int_equal(bp->ext_cmd_line_ptr, 0);
	assert_int_equal(bp->ext_ramdisk_image, 0);
	assert_int_equal(bp->screen_info.orig_video_isVGA, 0);

	struct hvm_memmap_table_entry map[LAYOUT_MEMMAP_MAX];
	size_t n = memmap_build(RAM_SIZE, map, LAYOUT_MEMMAP_MAX);
	assert_int_equal(bp->e820_entries, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(bp->e820_table[i].addr, map[i].addr);
		assert_int_equal(bp->e820_table[i].size, map[i].size);
		assert_int_equal(bp->e820_table[i].type, map[i].type);
	}
	assert_int_equal(bp->e820_table[0].type, 1); /* E820_RAM at 0 */
	assert_int_equal(bp->e820_table[1].addr, LAYOUT_EBDA_START);
	assert_int_equal(bp->e820_table[1].type, 2); /* reserved: the MP table */
	assert_int_equal(bp->e820_table[n].size, 0);
}

static void test_zero_page_without_initrd_or_acpi(void **state)
{
	struct fixture *f = *state;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	struct pvh_boot_info info = { .cmdline = NULL };
	if (bzimage_write_boot_params(&f->mem, &f->k, &info, &f->err) != 0)
		fail_msg("bzimage_write_boot_params: %s", f->err.msg);
	struct boot_params *bp = zero_page(f);
	assert_int_equal(bp->hdr.ramdisk_image, 0);
	assert_int_equal(bp->hdr.ramdisk_size, 0);
	assert_int_equal(bp->acpi_rsdp_addr, 0);
	assert_int_equal(bp->hdr.cmd_line_ptr, LAYOUT_CMDLINE);
	assert_string_equal((const char *)gpa_range(&f->mem, LAYOUT_CMDLINE, 1), "");
}

static void test_cmdline_size_limit(void **state)
{
	struct fixture *f = *state;
	f->hdr.cmdline_size = 10;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	struct pvh_boot_info info = { .cmdline = "0123456789" };
	assert_int_equal(bzimage_write_boot_params(&f->mem, &f->k, &info, &f->err), 0);
	info.cmdline = "0123456789a";
	assert_int_equal(bzimage_write_boot_params(&f->mem, &f->k, &info, &f->err), -1);
	assert_msg_contains(f->err.msg, "11 bytes, this kernel takes at most 10");
}

static void test_boot_gdt_and_page_tables(void **state)
{
	struct fixture *f = *state;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	struct pvh_boot_info info = { .cmdline = "" };
	if (bzimage_write_boot_params(&f->mem, &f->k, &info, &f->err) != 0)
		fail_msg("bzimage_write_boot_params: %s", f->err.msg);
	const uint64_t *gdt = gpa_range(&f->mem, LAYOUT_BOOT_GDT, 32);
	assert_int_equal(gdt[0], 0);
	assert_int_equal(gdt[LINUX64_BOOT_CS >> 3], 0x00af9b000000ffffull); /* 64-bit code */
	assert_int_equal(gdt[LINUX64_BOOT_DS >> 3], 0x00cf93000000ffffull); /* flat data */

	const uint64_t *pml4 = gpa_range(&f->mem, LAYOUT_BOOT_PAGE_TABLES, 4096);
	const uint64_t *pdpt = gpa_range(&f->mem, LAYOUT_BOOT_PAGE_TABLES + 4096, 4096);
	const uint64_t *pd = gpa_range(&f->mem, LAYOUT_BOOT_PAGE_TABLES + 2 * 4096, 4 * 4096);
	assert_int_equal(pml4[0], (LAYOUT_BOOT_PAGE_TABLES + 4096) | 3);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(pml4[i], 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(pdpt[i], (LAYOUT_BOOT_PAGE_TABLES + (2 + i) * 4096) | 3);
	assert_int_equal(pdpt[4], 0);
	for (uint64_t i = 0; i < 2048; i++)
		assert_int_equal(pd[i], (i << 21) | 0x83);
}

/* The entry CPU state agrees with the GDT: what KVM loads is what the table says. */
static void test_entry_state(void **state)
{
	(void)state;
	struct kvm_sregs s;
	memset(&s, 0xff, sizeof(s));
	s.apic_base = 0xfee00900;
	linux64_entry_sregs(&s, LAYOUT_BOOT_GDT, LAYOUT_BOOT_IDT, LAYOUT_BOOT_PAGE_TABLES);
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.cs.base, 0);
	assert_int_equal(s.ds.selector, 0x18);
	assert_int_equal(s.ss.selector, 0x18);
	assert_int_equal(s.es.selector, 0x18);
	assert_int_equal(s.ds.limit, 0xffffffff);
	assert_int_equal(s.gdt.base, LAYOUT_BOOT_GDT);
	assert_int_equal(s.gdt.limit, 31);
	assert_int_equal(s.idt.base, LAYOUT_BOOT_IDT);
	assert_int_equal(s.cr3, LAYOUT_BOOT_PAGE_TABLES);
	assert_int_equal(s.cr0, 0x80000011ull);
	assert_int_equal(s.cr4, 0x20);
	assert_int_equal(s.efer, 0x500);
	assert_int_equal(s.tr.type, 0xb);
	assert_int_equal(s.apic_base, 0xfee00900); /* kept */

	struct kvm_regs r;
	memset(&r, 0xff, sizeof(r));
	linux64_entry_regs(&r, MiB(1) + 0x200, LAYOUT_MEMMAP, LAYOUT_BOOT_STACK);
	assert_int_equal(r.rip, MiB(1) + 0x200);
	assert_int_equal(r.rsi, LAYOUT_MEMMAP);
	assert_int_equal(r.rsp, LAYOUT_BOOT_STACK);
	assert_int_equal(r.rflags, 2);
	assert_int_equal(r.rax | r.rbx | r.rcx | r.rdx | r.rdi | r.rbp, 0);
}

/* The initrd goes above the kernel's decompression area and below initrd_addr_max. */
static void test_initrd_limits(void **state)
{
	struct fixture *f = *state;
	f->hdr.initrd_addr_max = MiB(32) - 1;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	static const char data[5000] = "070701";
	struct file_reader r;
	memory_reader_init(&r, "initrd", data, sizeof(data));
	uint64_t gpa = 0;
	assert_int_equal(initrd_load_below(&r, &f->mem, f->k.kernel_end, f->k.initrd_limit, &gpa,
					   &f->err), 0);
	assert_int_equal(gpa, (MiB(32) - sizeof(data)) & ~4095ull);
	assert_true(gpa >= f->k.kernel_end);
	/* below the kernel's end there is no room: refused, naming the limit */
	f->hdr.initrd_addr_max = PREF + INIT_SIZE + 100;
	if (load(f) != 0)
		fail_msg("bzimage_load: %s", f->err.msg);
	assert_int_equal(initrd_load_below(&r, &f->mem, f->k.kernel_end, f->k.initrd_limit, &gpa,
					   &f->err), -1);
	assert_msg_contains(f->err.msg, "does not fit");
	assert_msg_contains(f->err.msg, "the kernel can reach");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
		T(test_detect),
		T(test_load_valid),
		T(test_load_setup_sects_zero_means_four),
		T(test_run_address),
		T(test_newer_header_is_read_to_its_end),
		T(test_refuse_truncated),
		T(test_refuse_magic),
		T(test_refuse_old_protocol),
		T(test_refuse_not_64bit),
		T(test_refuse_zimage),
		T(test_refuse_bad_header_fields),
		T(test_refuse_too_big_for_ram),
		T(test_zero_page),
		T(test_zero_page_without_initrd_or_acpi),
		T(test_cmdline_size_limit),
		T(test_boot_gdt_and_page_tables),
		T(test_initrd_limits),
		cmocka_unit_test(test_entry_state),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
