/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The PVH ELF loader (design.md section 1) on images built in memory by elf_builder.h: valid
 * ELF64 and ELF32 kernels land at p_paddr byte for byte with their bss untouched, the
 * PHYS32_ENTRY note is found however it is padded, and every malformed image is refused
 * with a message that names the reason.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "assert_msg.h"
#include "boot/pvh_elf.h"
#include "core/guest_mem.h"
#include "fake_ram.h"
#include "elf_builder.h"
#include "millivm/abi.h"
#include "millivm/layout.h"

#define RAM_SIZE MiB(16)
#define RAM_FILL 0xee /* what guest RAM holds before the load: bss must still hold it */
#define KERNEL_AT MiB(1)

struct fixture {
	struct elf_builder b;
	struct guest_mem mem;
	struct pvh_kernel k;
	struct error err;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (fake_guest_ram_alloc_filled(&f->mem, RAM_SIZE, RAM_FILL) < 0) {
		free(f);
		return -1;
	}
	eb_init(&f->b, true);
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

/* ------------------------------------------------------------------------ helpers */

static int load(struct fixture *f)
{
	eb_finish(&f->b);
	struct file_reader r;
	eb_reader(&f->b, &r);
	memset(f->err.msg, 0, sizeof(f->err.msg));
	return pvh_elf_load(&r, &f->mem, &f->k, &f->err);
}

static void assert_load_fails(struct fixture *f, const char *reason)
{
	int rc = load(f);
	if (rc == 0)
		fail_msg("load succeeded; expected an error mentioning '%s'", reason);
	assert_int_equal(rc, -1);
	assert_msg_contains(f->err.msg, reason);
}

static void fill_pattern(uint8_t *p, size_t len, uint8_t seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7);
}

/* Every byte of guest RAM in [gpa, gpa + len) equals value. */
static void assert_ram_is(struct fixture *f, uint64_t gpa, uint64_t len, uint8_t value)
{
	const uint8_t *p = gpa_range(&f->mem, gpa, len);
	assert_non_null(p);
	for (uint64_t i = 0; i < len; i++) {
		if (p[i] != value)
			fail_msg("RAM at 0x%llx is 0x%02x, expected 0x%02x",
				 (unsigned long long)(gpa + i), p[i], value);
	}
}

/* A kernel the loader accepts: text+data at 1 MiB with a bss, PVH entry 0x100010. */
static void add_kernel(struct fixture *f, uint8_t *text, size_t len, uint64_t memsz)
{
	fill_pattern(text, len, 0x11);
	eb_add_load(&f->b, KERNEL_AT, text, len, memsz);
}

/* ------------------------------------------------------------------------ valid kernels */

static void check_valid_kernel(struct fixture *f, bool elf64)
{
	eb_init(&f->b, elf64);
	uint8_t text[300], data[100];
	fill_pattern(text, sizeof(text), 0x21);
	fill_pattern(data, sizeof(data), 0x5a);
	eb_add_pvh_note(&f->b, KERNEL_AT + 0x10, 4, 4);
	eb_add_load(&f->b, KERNEL_AT, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, MiB(2), data, sizeof(data), 0x3000); /* 0x3000 - 100 bytes of bss */

	assert_int_equal(load(f), 0);
	assert_int_equal(f->k.entry, KERNEL_AT + 0x10);
	assert_int_equal(f->k.load_start, KERNEL_AT);
	assert_int_equal(f->k.load_end, MiB(2) + 0x3000);
	assert_int_equal(f->k.elf32, !elf64);
	assert_memory_equal(gpa_range(&f->mem, KERNEL_AT, sizeof(text)), text, sizeof(text));
	assert_memory_equal(gpa_range(&f->mem, MiB(2), sizeof(data)), data, sizeof(data));
	/* bss left alone (fresh guest RAM reads as zero), nothing written around the segments */
	assert_ram_is(f, MiB(2) + sizeof(data), 0x3000 - sizeof(data), RAM_FILL);
	assert_ram_is(f, KERNEL_AT - 0x100, 0x100, RAM_FILL);
	assert_ram_is(f, KERNEL_AT + sizeof(text), 0x100, RAM_FILL);
	assert_ram_is(f, MiB(2) + 0x3000, 0x100, RAM_FILL);
}

static void test_valid_elf64(void **state)
{
	check_valid_kernel(*state, true);
}

static void test_valid_elf32(void **state)
{
	check_valid_kernel(*state, false);
}

static void test_is_elf(void **state)
{
	struct fixture *f = *state;
	struct file_reader r;
	eb_finish(&f->b);
	eb_reader(&f->b, &r);
	assert_true(pvh_elf_is_elf(&r));

	static const uint8_t bzimage[] = { 0x4d, 0x5a, 0x00, 0x00, 0x00, 0x00 };
	memory_reader_init(&r, "bzImage", bzimage, sizeof(bzimage));
	assert_false(pvh_elf_is_elf(&r));
	memory_reader_init(&r, "short", "\177EL", 3);
	assert_false(pvh_elf_is_elf(&r));
}

/* Zero-sized PT_LOADs (some linkers emit them for empty sections) are skipped. */
static void test_empty_load_segment_ignored(void **state)
{
	struct fixture *f = *state;
	uint8_t text[64];
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_phdr(&f->b, PT_LOAD, EB_DATA_START, 0x1000, 0, 0, 0x1000); /* below 1 MiB, empty */
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->k.load_start, KERNEL_AT);
	assert_ram_is(f, 0x1000, 0x100, RAM_FILL);
}

/* ------------------------------------------------------------------------ the PVH note */

/* Other notes first (Xen GUEST_OS "NetBSD", a GNU build id), then the entry, same padding. */
static size_t notes_with_entry(uint8_t *out, size_t cap, size_t align, uint32_t entry)
{
	static const uint8_t build_id[20] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
					      15, 16, 17, 18, 19, 20 };
	size_t n = eb_note(out, cap, align, "Xen", 4, 6 /* GUEST_OS */, "NetBSD", 7);
	n += eb_note(out + n, cap - n, align, "GNU", 4, 3 /* NT_GNU_BUILD_ID */, build_id,
		     sizeof(build_id));
	n += eb_note(out + n, cap - n, align, "Xen", 4, 1 /* INFO */, "x", 1);
	n += eb_note(out + n, cap - n, align, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	return n;
}

static void test_note_4byte_aligned(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, notes[256];
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = notes_with_entry(notes, sizeof(notes), 4, KERNEL_AT + 0x44);
	assert_true(len > 0);
	eb_add_notes(&f->b, notes, len, 4);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->k.entry, KERNEL_AT + 0x44);
}

/*
 * 8-byte aligned notes (p_align 8): the descriptor starts at align_up(12 + namesz, 8) — at
 * offset 16 for "Xen" — and each note ends at the next multiple of 8 (gABI; binutils'
 * ELF_NOTE_DESC_OFFSET, Linux's parse_elf_property).
 */
static void test_note_8byte_aligned(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, notes[256];
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = notes_with_entry(notes, sizeof(notes), 8, KERNEL_AT + 0x48);
	assert_true(len > 0);
	eb_add_notes(&f->b, notes, len, 8);
	int rc = load(f);
	if (rc != 0)
		fail_msg("8-byte aligned notes refused: %s", f->err.msg);
	assert_int_equal(f->k.entry, KERNEL_AT + 0x48);
}

static void test_note_8byte_aligned_alone(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT + 0x80, 4, 8);
	int rc = load(f);
	if (rc != 0)
		fail_msg("8-byte aligned PVH note refused: %s", f->err.msg);
	assert_int_equal(f->k.entry, KERNEL_AT + 0x80);
}

/* Linux x86-64 emits the entry as a .quad */
static void test_note_8byte_descriptor(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT + 0x20, 8, 4);
	assert_int_equal(load(f), 0);
	assert_int_equal(f->k.entry, KERNEL_AT + 0x20);
}

static void test_note_8byte_descriptor_above_4g(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, (1ull << 32) | (KERNEL_AT + 0x20), 8, 4);
	assert_load_fails(f, "above 4 GiB");
}

static void test_note_bad_descriptor_size(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 2, 4);
	assert_load_fails(f, "2-byte descriptor");
}

static void test_missing_note(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	assert_load_fails(f, "no PVH entry note");
}

static void test_note_segment_without_pvh_note(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, note[64];
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = eb_note(note, sizeof(note), 4, "GNU", 4, 3, "abcdefgh", 8);
	eb_add_notes(&f->b, note, len, 4);
	assert_load_fails(f, "no PVH entry note");
}

static void test_wrong_note_name(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, note[64];
	uint32_t entry = KERNEL_AT;
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = eb_note(note, sizeof(note), 4, "Xem", 4, XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	eb_add_notes(&f->b, note, len, 4);
	assert_load_fails(f, "no PVH entry note");
}

static void test_wrong_note_name_length(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, note[64];
	uint32_t entry = KERNEL_AT;
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = eb_note(note, sizeof(note), 4, "Xen\0\0", 5, XEN_ELFNOTE_PHYS32_ENTRY, &entry,
			     4);
	eb_add_notes(&f->b, note, len, 4);
	assert_load_fails(f, "no PVH entry note");
}

static void test_wrong_note_type(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, note[64];
	uint32_t entry = KERNEL_AT;
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = eb_note(note, sizeof(note), 4, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY - 1,
			     &entry, 4);
	eb_add_notes(&f->b, note, len, 4);
	assert_load_fails(f, "no PVH entry note");
}

static void test_malformed_note(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, note[64];
	uint32_t entry = KERNEL_AT;
	add_kernel(f, text, sizeof(text), sizeof(text));
	size_t len = eb_note(note, sizeof(note), 4, "Xen", 4, XEN_ELFNOTE_PHYS32_ENTRY, &entry, 4);
	uint32_t huge = 0xfffffff0u;
	memcpy(note, &huge, 4); /* namesz runs far past the segment */
	eb_add_notes(&f->b, note, len, 4);
	assert_load_fails(f, "malformed ELF note");
}

static void test_note_segment_past_eof(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	unsigned i = eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.ph[i].offset = f->b.size - 8; /* 20 bytes of note, 8 left in the file */
	assert_load_fails(f, "past the end of the file");
}

/* ------------------------------------------------------------------------ bad headers */

static void test_truncated_ident(void **state)
{
	struct fixture *f = *state;
	eb_finish(&f->b);
	f->b.size = 10;
	struct file_reader r;
	eb_reader(&f->b, &r);
	assert_int_equal(pvh_elf_load(&r, &f->mem, &f->k, &f->err), -1);
	assert_msg_contains(f->err.msg, "truncated ELF header");
}

static void check_truncated_header(struct fixture *f, bool elf64, const char *reason)
{
	eb_init(&f->b, elf64);
	eb_finish(&f->b);
	f->b.size = EI_NIDENT + 4; /* the identification, not the rest */
	struct file_reader r;
	eb_reader(&f->b, &r);
	assert_int_equal(pvh_elf_load(&r, &f->mem, &f->k, &f->err), -1);
	assert_msg_contains(f->err.msg, reason);
}

static void test_truncated_header(void **state)
{
	check_truncated_header(*state, true, "truncated ELF64 header");
	check_truncated_header(*state, false, "truncated ELF32 header");
}

static void test_truncated_program_headers(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.phoff = f->b.size - 10;
	assert_load_fails(f, "past the end of the file");
}

static void test_program_headers_offset_overflow(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	eb_finish(&f->b);
	uint64_t phoff = UINT64_MAX - 8;
	eb_put(&f->b, offsetof(Elf64_Ehdr, e_phoff), &phoff, sizeof(phoff));
	struct file_reader r;
	eb_reader(&f->b, &r);
	assert_int_equal(pvh_elf_load(&r, &f->mem, &f->k, &f->err), -1);
	assert_msg_contains(f->err.msg, "past the end of the file");
}

static void test_absurd_phnum(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.phnum = 0xffff; /* PN_XNUM */
	assert_load_fails(f, "program headers (limit");
	f->b.phnum = PVH_MAX_PHDRS + 1;
	assert_load_fails(f, "program headers (limit");
}

static void test_no_program_headers(void **state)
{
	struct fixture *f = *state;
	f->b.phnum = 0;
	assert_load_fails(f, "no program headers");
}

static void test_not_x86(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.machine = EM_AARCH64;
	assert_load_fails(f, "not x86-64");

	eb_init(&f->b, false);
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.machine = EM_ARM;
	assert_load_fails(f, "not i386");
}

static void test_big_endian(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.ei_data = ELFDATA2MSB;
	assert_load_fails(f, "not a little-endian");
}

static void test_not_exec(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.type = ET_DYN;
	assert_load_fails(f, "not an executable");
	f->b.type = ET_REL;
	assert_load_fails(f, "not an executable");
}

static void test_not_elf(void **state)
{
	struct fixture *f = *state;
	eb_finish(&f->b);
	f->b.buf[1] = 'X';
	struct file_reader r;
	eb_reader(&f->b, &r);
	assert_int_equal(pvh_elf_load(&r, &f->mem, &f->k, &f->err), -1);
	assert_msg_contains(f->err.msg, "not an ELF file");
}

static void test_bad_class_and_version(void **state)
{
	struct fixture *f = *state;
	f->b.ei_class = 7;
	assert_load_fails(f, "unknown ELF class 7");
	eb_init(&f->b, true);
	f->b.ei_version = 2;
	assert_load_fails(f, "unknown ELF version 2");
}

static void test_bad_phentsize(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	f->b.phentsize = sizeof(Elf32_Phdr); /* ELF64 header, ELF32-sized entries */
	assert_load_fails(f, "program header size");
}

/* ------------------------------------------------------------------------ bad segments */

static void test_segment_data_past_eof(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	unsigned i = eb_add_load(&f->b, KERNEL_AT, text, sizeof(text), 0x10000);
	f->b.ph[i].filesz = 0x8000; /* more than the file has */
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "past the end of the file");
}

static void test_segment_offset_past_eof(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	unsigned i = eb_add_load(&f->b, KERNEL_AT, text, sizeof(text), sizeof(text));
	f->b.ph[i].offset = UINT64_MAX - 16;
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "past the end of the file");
}

static void test_filesz_greater_than_memsz(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), 128);
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "exceeds memory size");
}

static void test_overlapping_segments(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, data[256] = { 0 };
	add_kernel(f, text, sizeof(text), 0x2000);
	eb_add_load(&f->b, KERNEL_AT + 0x1fff, data, sizeof(data), sizeof(data)); /* in the bss */
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "segments 0 and 1 overlap");
}

static void test_adjacent_segments(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, data[256] = { 0 };
	add_kernel(f, text, sizeof(text), 0x2000);
	fill_pattern(data, sizeof(data), 0x77);
	eb_add_load(&f->b, KERNEL_AT + 0x2000, data, sizeof(data), sizeof(data));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_int_equal(load(f), 0);
	assert_memory_equal(gpa_range(&f->mem, KERNEL_AT + 0x2000, sizeof(data)), data,
			    sizeof(data));
}

static void test_segment_outside_ram(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, RAM_SIZE - 0x80, text, sizeof(text), sizeof(text)); /* crosses the end */
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");

	eb_init(&f->b, true);
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, GiB(1), text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");
}

static void test_segment_larger_than_ram(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), RAM_SIZE + 1);
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "larger than guest RAM");
}

static void test_segment_address_wraps(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, UINT64_MAX - 0x10, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");
}

static void test_segment_below_1mib(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, LAYOUT_START_INFO, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "below 1 MiB");

	eb_init(&f->b, true);
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, KERNEL_AT - 0x100, text, 0x10, 0x10);
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "below 1 MiB");
}

/* Validation comes first: a bad second segment leaves the first one unloaded. */
static void test_nothing_loaded_on_error(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, 0x1000, text, 0x10, 0x10);
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "below 1 MiB");
	assert_ram_is(f, KERNEL_AT, sizeof(text), RAM_FILL);
}

static void test_entry_outside_segments(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), 0x1000);
	eb_add_pvh_note(&f->b, KERNEL_AT + 0x1000, 4, 4); /* one past the end */
	assert_load_fails(f, "not inside a loaded segment");

	eb_init(&f->b, true);
	add_kernel(f, text, sizeof(text), 0x1000);
	eb_add_pvh_note(&f->b, KERNEL_AT - 1, 4, 4);
	assert_load_fails(f, "not inside a loaded segment");
}

static void test_no_loadable_segments(void **state)
{
	struct fixture *f = *state;
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "no loadable segments");
}

/* ------------------------------------------------------------------------ above 3 GiB */

/* 4 GiB of RAM: [0, 3 GiB) and [4 GiB, 5 GiB); the hole in between is not RAM. */
static int setup_big(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	if (guest_mem_alloc(&f->mem, GiB(4)) < 0) {
		free(f);
		return -1;
	}
	eb_init(&f->b, true);
	*state = f;
	return 0;
}

static int teardown_big(void **state)
{
	struct fixture *f = *state;
	guest_mem_free(&f->mem);
	free(f);
	return 0;
}

static void test_segment_in_mmio_hole(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, LAYOUT_MMIO_HOLE_START, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");

	eb_init(&f->b, true); /* straddling the start of the hole */
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, LAYOUT_MMIO_HOLE_START - 0x80, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");

	eb_init(&f->b, true); /* straddling its end */
	add_kernel(f, text, sizeof(text), sizeof(text));
	eb_add_load(&f->b, LAYOUT_HIGH_RAM_START - 0x80, text, sizeof(text), sizeof(text));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_load_fails(f, "outside guest RAM");
}

static void test_segment_in_high_ram(void **state)
{
	struct fixture *f = *state;
	uint8_t text[256] = { 0 }, data[256] = { 0 };
	add_kernel(f, text, sizeof(text), sizeof(text));
	fill_pattern(data, sizeof(data), 0x3c);
	eb_add_load(&f->b, LAYOUT_HIGH_RAM_START + 0x1000, data, sizeof(data), sizeof(data));
	eb_add_pvh_note(&f->b, KERNEL_AT, 4, 4);
	assert_int_equal(load(f), 0);
	assert_memory_equal(gpa_range(&f->mem, LAYOUT_HIGH_RAM_START + 0x1000, sizeof(data)),
			    data, sizeof(data));
	/* high RAM follows low RAM in the host mapping */
	assert_ptr_equal(gpa_range(&f->mem, LAYOUT_HIGH_RAM_START, 1),
			 f->mem.host + LAYOUT_MMIO_HOLE_START);
	assert_int_equal(f->k.load_end, LAYOUT_HIGH_RAM_START + 0x1000 + sizeof(data));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_elf64, setup, teardown),
		cmocka_unit_test_setup_teardown(test_valid_elf32, setup, teardown),
		cmocka_unit_test_setup_teardown(test_is_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_load_segment_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_4byte_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_8byte_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_8byte_aligned_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_8byte_descriptor, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_8byte_descriptor_above_4g, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_note_bad_descriptor_size, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_segment_without_pvh_note, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_wrong_note_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_note_name_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_note_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed_note, setup, teardown),
		cmocka_unit_test_setup_teardown(test_note_segment_past_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_ident, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_program_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_program_headers_offset_overflow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_absurd_phnum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_program_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_x86, setup, teardown),
		cmocka_unit_test_setup_teardown(test_big_endian, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_exec, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_elf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_class_and_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_phentsize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_data_past_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_offset_past_eof, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filesz_greater_than_memsz, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overlapping_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adjacent_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_larger_than_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_address_wraps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_below_1mib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nothing_loaded_on_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_outside_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_loadable_segments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segment_in_mmio_hole, setup_big,
						teardown_big),
		cmocka_unit_test_setup_teardown(test_segment_in_high_ram, setup_big, teardown_big),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
