/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Build small ELF32/ELF64 executables in memory for the loader tests: an ELF header, up to
 * EB_MAX_PHDRS program headers and the segment data behind them. Fill a builder, tweak the
 * public fields to break what a test wants broken, call eb_finish(), then hand eb_reader() to
 * the loader. Notes follow the gABI (and binutils' ELF_NOTE_DESC_OFFSET): the descriptor
 * starts at align_up(12 + namesz, align) from the note, the next note at
 * align_up(desc + descsz, align).
 */
#ifndef MILLIVM_TEST_ELF_BUILDER_H
#define MILLIVM_TEST_ELF_BUILDER_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "boot/file_reader.h"

#define EB_MAX_PHDRS 16
#define EB_MAX_SIZE (256u * 1024u)
#define EB_DATA_START 0x400u /* room for the ELF64 header and EB_MAX_PHDRS headers */

_Static_assert(sizeof(Elf64_Ehdr) + EB_MAX_PHDRS * sizeof(Elf64_Phdr) <= EB_DATA_START,
	       "program headers must fit before the data");

struct eb_phdr {
	uint32_t type;
	uint64_t offset, paddr, filesz, memsz, align;
};

struct elf_builder {
	bool elf64;
	/* Header fields eb_finish() writes; tests may change them first. */
	uint8_t ei_class, ei_data, ei_version;
	uint16_t type, machine, phentsize;
	int phnum;         /* -1: the number of program headers added */
	uint64_t phoff;    /* where the program headers go */
	uint64_t e_entry;  /* ignored by a PVH loader, set to something plausible */
	struct eb_phdr ph[EB_MAX_PHDRS];
	unsigned nph;
	size_t size; /* file size handed to the reader; tests may truncate it */
	uint8_t buf[EB_MAX_SIZE];
};

static inline uint64_t eb_align_up(uint64_t v, uint64_t a)
{
	return a > 1 ? (v + a - 1) / a * a : v;
}

static inline void eb_init(struct elf_builder *b, bool elf64)
{
	memset(b, 0, sizeof(*b));
	b->elf64 = elf64;
	b->ei_class = elf64 ? ELFCLASS64 : ELFCLASS32;
	b->ei_data = ELFDATA2LSB;
	b->ei_version = EV_CURRENT;
	b->type = ET_EXEC;
	b->machine = elf64 ? EM_X86_64 : EM_386;
	b->phentsize = elf64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	b->phnum = -1;
	b->phoff = elf64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	b->e_entry = 0x100000;
	b->size = EB_DATA_START;
}

/* Append raw bytes to the file at the next multiple of align; returns their file offset. */
static inline uint64_t eb_append(struct elf_builder *b, const void *data, size_t len,
				 size_t align)
{
	size_t at = (size_t)eb_align_up(b->size, align ? align : 1);
	if (at + len > sizeof(b->buf))
		return UINT64_MAX; /* the test asked for too much: its asserts will say so */
	memcpy(b->buf + at, data, len);
	b->size = at + len;
	return at;
}

static inline unsigned eb_add_phdr(struct elf_builder *b, uint32_t type, uint64_t offset,
				   uint64_t paddr, uint64_t filesz, uint64_t memsz,
				   uint64_t align)
{
	unsigned i = b->nph < EB_MAX_PHDRS ? b->nph++ : EB_MAX_PHDRS - 1;
	b->ph[i] = (struct eb_phdr){ type, offset, paddr, filesz, memsz, align };
	return i;
}

/* A PT_LOAD segment with filesz bytes of data, memsz - filesz bytes of bss. */
static inline unsigned eb_add_load(struct elf_builder *b, uint64_t paddr, const void *data,
				   size_t filesz, uint64_t memsz)
{
	uint64_t off = eb_append(b, data, filesz, 16);
	return eb_add_phdr(b, PT_LOAD, off, paddr, filesz, memsz, 0x1000);
}

/* Write one note into out (room for cap bytes); returns its padded size, 0 if no room. */
static inline size_t eb_note(uint8_t *out, size_t cap, size_t align, const char *name,
			     uint32_t namesz, uint32_t type, const void *desc, uint32_t descsz)
{
	size_t desc_at = (size_t)eb_align_up(12 + namesz, align);
	size_t next = (size_t)eb_align_up(desc_at + descsz, align);
	if (next > cap)
		return 0;
	memset(out, 0, next);
	memcpy(out, &namesz, 4);
	memcpy(out + 4, &descsz, 4);
	memcpy(out + 8, &type, 4);
	memcpy(out + 12, name, namesz);
	memcpy(out + desc_at, desc, descsz);
	return next;
}

/* A PT_NOTE segment holding notes already laid out in data; p_align says their padding. */
static inline unsigned eb_add_notes(struct elf_builder *b, const void *data, size_t len,
				    uint64_t align)
{
	uint64_t off = eb_append(b, data, len, align);
	return eb_add_phdr(b, PT_NOTE, off, 0, len, 0, align);
}

/* The PVH entry note alone in its own PT_NOTE segment; descsz 4 or 8 (Linux's .quad). */
static inline unsigned eb_add_pvh_note(struct elf_builder *b, uint64_t entry, uint32_t descsz,
				       size_t align)
{
	uint8_t note[64];
	size_t len = eb_note(note, sizeof(note), align, "Xen", 4, 18 /* PHYS32_ENTRY */, &entry,
			     descsz);
	return eb_add_notes(b, note, len, align);
}

static inline void eb_put(struct elf_builder *b, uint64_t off, const void *v, size_t len)
{
	if (off <= sizeof(b->buf) && len <= sizeof(b->buf) - off)
		memcpy(b->buf + off, v, len);
}

/* Write the ELF header and program headers; returns the file size. */
static inline size_t eb_finish(struct elf_builder *b)
{
	uint16_t phnum = (uint16_t)(b->phnum < 0 ? (int)b->nph : b->phnum);
	unsigned char ident[EI_NIDENT] = { ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3 };
	ident[EI_CLASS] = b->ei_class;
	ident[EI_DATA] = b->ei_data;
	ident[EI_VERSION] = b->ei_version;
	if (b->elf64) {
		Elf64_Ehdr eh = { .e_type = b->type, .e_machine = b->machine,
				  .e_version = EV_CURRENT, .e_entry = b->e_entry,
				  .e_phoff = b->phoff, .e_ehsize = sizeof(Elf64_Ehdr),
				  .e_phentsize = b->phentsize, .e_phnum = phnum };
		memcpy(eh.e_ident, ident, EI_NIDENT);
		eb_put(b, 0, &eh, sizeof(eh));
		for (unsigned i = 0; i < b->nph; i++) {
			const struct eb_phdr *p = &b->ph[i];
			Elf64_Phdr ph = { .p_type = p->type, .p_flags = PF_R | PF_X,
					  .p_offset = p->offset, .p_vaddr = p->paddr,
					  .p_paddr = p->paddr, .p_filesz = p->filesz,
					  .p_memsz = p->memsz, .p_align = p->align };
			eb_put(b, b->phoff + i * sizeof(ph), &ph, sizeof(ph));
		}
	} else {
		Elf32_Ehdr eh = { .e_type = b->type, .e_machine = b->machine,
				  .e_version = EV_CURRENT, .e_entry = (Elf32_Addr)b->e_entry,
				  .e_phoff = (Elf32_Off)b->phoff, .e_ehsize = sizeof(Elf32_Ehdr),
				  .e_phentsize = b->phentsize, .e_phnum = phnum };
		memcpy(eh.e_ident, ident, EI_NIDENT);
		eb_put(b, 0, &eh, sizeof(eh));
		for (unsigned i = 0; i < b->nph; i++) {
			const struct eb_phdr *p = &b->ph[i];
			Elf32_Phdr ph = { .p_type = p->type, .p_flags = PF_R | PF_X,
					  .p_offset = (Elf32_Off)p->offset,
					  .p_vaddr = (Elf32_Addr)p->paddr,
					  .p_paddr = (Elf32_Addr)p->paddr,
					  .p_filesz = (Elf32_Word)p->filesz,
					  .p_memsz = (Elf32_Word)p->memsz,
					  .p_align = (Elf32_Word)p->align };
			eb_put(b, b->phoff + i * sizeof(ph), &ph, sizeof(ph));
		}
	}
	return b->size;
}

static inline void eb_reader(const struct elf_builder *b, struct file_reader *r)
{
	memory_reader_init(r, "test.elf", b->buf, b->size);
}

#endif
