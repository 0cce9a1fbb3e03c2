/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Page tables, prebuilt as initialised data: an identity map of 0..8 GiB with 2 MiB pages.
 * The first 4 GiB reach low RAM, the boot-timer page, the IOAPIC and the local APIC; the
 * next 4 reach high RAM for up to -m 7G (RAM resumes at 4 GiB). Building them at run time
 * would cost thousands of emulated instructions (design.md section 10); as data they cost
 * nothing. memmap_probe.c adds 1 GiB entries above 8 GiB when the CPU has pdpe1gb.
 */
#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80
#define PTE_TABLE (PTE_PRESENT | PTE_WRITE)
#define PTE_2MIB_PAGE (PTE_PRESENT | PTE_WRITE | PTE_LARGE)
#define STATIC_MAP_GIB 8
/* PCD | PWT: PAT entry 3, uncacheable in the power-on PAT. The 32-bit MMIO hole (3-4 GiB:
 * boot timer, virtio-mmio, IOAPIC, local APIC) is device memory: no firmware MTRRs here. */
#define PTE_UNCACHED 0x18
#define MMIO_HOLE_FIRST_PAGE (3 * 512)
#define MMIO_HOLE_END_PAGE (4 * 512)

	.section .pagetables, "aw", @progbits
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + PTE_TABLE
	.fill 511, 8, 0

	.balign 4096
	.globl boot_pdpt
boot_pdpt:
	.set gib, 0
	.rept STATIC_MAP_GIB
	.quad boot_pd + gib * 4096 + PTE_TABLE
	.set gib, gib + 1
	.endr
	.fill 512 - STATIC_MAP_GIB, 8, 0

	.balign 4096
boot_pd:
	.set page, 0
	.rept STATIC_MAP_GIB * 512
	.if page >= MMIO_HOLE_FIRST_PAGE && page < MMIO_HOLE_END_PAGE
	.quad page * 0x200000 + PTE_2MIB_PAGE + PTE_UNCACHED
	.else
	.quad page * 0x200000 + PTE_2MIB_PAGE
	.endif
	.set page, page + 1
	.endr

	.section .note.GNU-stack, "", @progbits
