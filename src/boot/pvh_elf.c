/* SPDX-License-Identifier: BSD-2-Clause */
#include "pvh_elf.h"

#include <elf.h>
#include <string.h>

#include "millivm/abi.h"
#include "millivm/layout.h"

/* The parts of a program header we use, widened from either ELF class. */
struct segment {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz, align;
};

struct elf_image {
	bool elf32;
	uint64_t phoff;
	unsigned phnum;
	struct segment seg[PVH_MAX_PHDRS];
};

bool pvh_elf_is_elf(const struct file_reader *kernel)
{
	unsigned char ident[SELFMAG];
	return reader_read(kernel, 0, ident, sizeof(ident)) == 0 &&
	       memcmp(ident, ELFMAG, SELFMAG) == 0;
}

static int read_header(const struct file_reader *k, struct elf_image *img, struct error *err)
{
	unsigned char ident[EI_NIDENT];
	if (!pvh_elf_is_elf(k))
		return error_set(err, k->size < SELFMAG ? "truncated ELF header" : "not an ELF file");
	if (reader_read(k, 0, ident, sizeof(ident)) < 0)
		return error_set(err, "truncated ELF header");
	if (ident[EI_DATA] != ELFDATA2LSB)
		return error_set(err, "not a little-endian ELF file");
	if (ident[EI_VERSION] != EV_CURRENT)
		return error_set(err, "unknown ELF version %u", ident[EI_VERSION]);

	unsigned phentsize;
	uint16_t machine, type;
	if (ident[EI_CLASS] == ELFCLASS64) {
		Elf64_Ehdr eh;
		if (reader_read(k, 0, &eh, sizeof(eh)) < 0)
			return error_set(err, "truncated ELF64 header");
		img->elf32 = false;
		img->phoff = eh.e_phoff;
		img->phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		machine = eh.e_machine;
		type = eh.e_type;
		if (machine != EM_X86_64)
			return error_set(err, "ELF64 machine %u is not x86-64", machine);
		if (phentsize != sizeof(Elf64_Phdr))
			return error_set(err, "program header size %u, expected %zu", phentsize,
					 sizeof(Elf64_Phdr));
	} else if (ident[EI_CLASS] == ELFCLASS32) {
		Elf32_Ehdr eh;
		if (reader_read(k, 0, &eh, sizeof(eh)) < 0)
			return error_set(err, "truncated ELF32 header");
		img->elf32 = true;
		img->phoff = eh.e_phoff;
		img->phnum = eh.e_phnum;
		phentsize = eh.e_phentsize;
		machine = eh.e_machine;
		type = eh.e_type;
		if (machine != EM_386 && machine != EM_X86_64)
			return error_set(err, "ELF32 machine %u is not i386", machine);
		if (phentsize != sizeof(Elf32_Phdr))
			return error_set(err, "program header size %u, expected %zu", phentsize,
					 sizeof(Elf32_Phdr));
	} else {
		return error_set(err, "unknown ELF class %u", ident[EI_CLASS]);
	}
	if (type != ET_EXEC)
		return error_set(err, "ELF type %u is not an executable", type);
	if (img->phnum == 0)
		return error_set(err, "no program headers");
	if (img->phnum > PVH_MAX_PHDRS)
		return error_set(err, "%u program headers (limit %d)", img->phnum, PVH_MAX_PHDRS);
	return 0;
}

static int read_segments(const struct file_reader *k, struct elf_image *img, struct error *err)
{
	for (unsigned i = 0; i < img->phnum; i++) {
		struct segment *s = &img->seg[i];
		if (img->elf32) {
			Elf32_Phdr ph;
			if (reader_read(k, img->phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)) < 0)
				return error_set(err, "program header %u is past the end of the file", i);
			*s = (struct segment){ ph.p_type, ph.p_offset, ph.p_paddr,
					       ph.p_filesz, ph.p_memsz, ph.p_align };
		} else {
			Elf64_Phdr ph;
			if (img->phoff > UINT64_MAX - (uint64_t)(i + 1) * sizeof(ph) ||
			    reader_read(k, img->phoff + (uint64_t)i * sizeof(ph), &ph, sizeof(ph)) < 0)
				return error_set(err, "program header %u is past the end of the file", i);
			*s = (struct segment){ ph.p_type, ph.p_offset, ph.p_paddr,
					       ph.p_filesz, ph.p_memsz, ph.p_align };
		}
	}
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/*
 * Walk one PT_NOTE segment. Notes are padded to 4 bytes by the spec, but some linkers pad to
 * the segment's 8-byte alignment: the segment's p_align says which.
 * Returns 1 and sets *entry when the PVH note is found, 0 when absent, -1 on a bad note.
 */
static int scan_note_segment(const uint8_t *notes, uint64_t size, uint64_t align,
			     uint32_t *entry, struct error *err)
{
	uint64_t pos = 0;
	while (size - pos >= 12) {
		uint32_t namesz, descsz, type;
		memcpy(&namesz, notes + pos, 4);
		memcpy(&descsz, notes + pos + 4, 4);
		memcpy(&type, notes + pos + 8, 4);
		/* The name follows the 12-byte header, the descriptor and the next note start at
		 * the next aligned offset (with 8-byte alignment the header itself is not). */
		uint64_t name_at = pos + 12;
		uint64_t desc_at = align_up(name_at + namesz, align);
		uint64_t next = align_up(desc_at + descsz, align);
		if (desc_at > size || next > size || next <= pos)
			return error_set(err, "malformed ELF note at offset %llu of its segment",
					 (unsigned long long)pos);
		if (type == XEN_ELFNOTE_PHYS32_ENTRY && namesz == sizeof(PVH_NOTE_NAME) &&
		    memcmp(notes + name_at, PVH_NOTE_NAME, sizeof(PVH_NOTE_NAME)) == 0) {
			/* 4 bytes in most kernels; Linux x86-64 emits an 8-byte .quad */
			uint64_t value = 0;
			if (descsz == 4) {
				uint32_t v32;
				memcpy(&v32, notes + desc_at, 4);
				value = v32;
			} else if (descsz == 8) {
				memcpy(&value, notes + desc_at, 8);
			} else {
				return error_set(err, "PVH entry note has a %u-byte descriptor", descsz);
			}
			if (value > UINT32_MAX)
				return error_set(err, "PVH entry 0x%llx is above 4 GiB",
						 (unsigned long long)value);
			*entry = (uint32_t)value;
			return 1;
		}
		pos = next;
	}
	return 0;
}

static int find_pvh_entry(const struct file_reader *k, const struct elf_image *img,
			  uint32_t *entry, struct error *err)
{
	uint8_t notes[PVH_MAX_NOTE_BYTES];
	for (unsigned i = 0; i < img->phnum; i++) {
		const struct segment *s = &img->seg[i];
		if (s->type != PT_NOTE)
			continue;
		if (s->filesz > sizeof(notes))
			return error_set(err, "note segment %u is %llu bytes (limit %d)", i,
					 (unsigned long long)s->filesz, PVH_MAX_NOTE_BYTES);
		if (reader_read(k, s->offset, notes, s->filesz) < 0)
			return error_set(err, "note segment %u is past the end of the file", i);
		int found = scan_note_segment(notes, s->filesz, s->align == 8 ? 8 : 4, entry, err);
		if (found != 0)
			return found;
	}
	return error_set(err, "no PVH entry note (Xen ELF note type %d): not a PVH kernel",
			 XEN_ELFNOTE_PHYS32_ENTRY);
}

static int check_load_segment(const struct file_reader *k, const struct guest_mem *mem,
			      const struct segment *s, unsigned i, struct error *err)
{
	if (s->filesz > s->memsz)
		return error_set(err, "segment %u: file size 0x%llx exceeds memory size 0x%llx", i,
				 (unsigned long long)s->filesz, (unsigned long long)s->memsz);
	if (s->offset > k->size || s->filesz > k->size - s->offset)
		return error_set(err, "segment %u: data [0x%llx, +0x%llx) is past the end of the "
				 "file (%llu bytes)", i, (unsigned long long)s->offset,
				 (unsigned long long)s->filesz, (unsigned long long)k->size);
	if (s->memsz > mem->size)
		return error_set(err, "segment %u: size 0x%llx is larger than guest RAM", i,
				 (unsigned long long)s->memsz);
	if (s->paddr < LAYOUT_HIMEM_START)
		return error_set(err, "segment %u at 0x%llx is below 1 MiB, over the boot "
				 "structures", i, (unsigned long long)s->paddr);
	if (!gpa_is_ram(mem, s->paddr, s->memsz))
		return error_set(err, "segment %u [0x%llx, +0x%llx) is outside guest RAM "
				 "(-m %llu MiB)", i, (unsigned long long)s->paddr,
				 (unsigned long long)s->memsz,
				 (unsigned long long)(mem->size >> 20));
	return 0;
}

static bool overlaps(const struct segment *a, const struct segment *b)
{
	return a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz;
}

static int check_segments(const struct file_reader *k, const struct guest_mem *mem,
			  const struct elf_image *img, uint32_t entry, struct pvh_kernel *out,
			  struct error *err)
{
	bool entry_loaded = false;
	unsigned loads = 0;
	out->load_start = UINT64_MAX;
	out->load_end = 0;
	for (unsigned i = 0; i < img->phnum; i++) {
		const struct segment *s = &img->seg[i];
		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		if (check_load_segment(k, mem, s, i, err) < 0)
			return -1;
		for (unsigned j = 0; j < i; j++) {
			const struct segment *t = &img->seg[j];
			if (t->type == PT_LOAD && t->memsz && overlaps(s, t))
				return error_set(err, "segments %u and %u overlap", j, i);
		}
		if (entry >= s->paddr && entry - s->paddr < s->memsz)
			entry_loaded = true;
		if (s->paddr < out->load_start)
			out->load_start = s->paddr;
		if (s->paddr + s->memsz > out->load_end)
			out->load_end = s->paddr + s->memsz;
		loads++;
	}
	if (loads == 0)
		return error_set(err, "no loadable segments");
	if (!entry_loaded)
		return error_set(err, "PVH entry 0x%x is not inside a loaded segment", entry);
	return 0;
}

static int load_segments(const struct file_reader *k, const struct guest_mem *mem,
			 const struct elf_image *img, struct error *err)
{
	for (unsigned i = 0; i < img->phnum; i++) {
		const struct segment *s = &img->seg[i];
		if (s->type != PT_LOAD || s->memsz == 0)
			continue;
		uint8_t *dst = gpa_range(mem, s->paddr, s->memsz);
		if (reader_read(k, s->offset, dst, s->filesz) < 0)
			return error_set(err, "segment %u: read failed", i);
		/* The bss (memsz - filesz) is left alone: guest RAM is freshly mapped and reads as
		 * zero, and not touching it keeps those pages out of the monitor's RSS. */
	}
	return 0;
}

int pvh_elf_load(const struct file_reader *kernel, const struct guest_mem *mem,
		 struct pvh_kernel *out, struct error *err)
{
	struct elf_image img;
	memset(out, 0, sizeof(*out));
	if (read_header(kernel, &img, err) < 0 || read_segments(kernel, &img, err) < 0)
		return -1;
	uint32_t entry = 0;
	if (find_pvh_entry(kernel, &img, &entry, err) < 0)
		return -1;
	if (check_segments(kernel, mem, &img, entry, out, err) < 0)
		return -1;
	if (load_segments(kernel, mem, &img, err) < 0)
		return -1;
	out->entry = entry;
	out->elf32 = img.elf32;
	return 0;
}
