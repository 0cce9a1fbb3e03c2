/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Every guest-physical address millivm uses, in one place (design.md section 3).
 * Low memory follows Firecracker, the device window follows QEMU microvm. Shared by the
 * monitor and the reference guest: a guest check and the monitor cannot disagree.
 */
#ifndef MILLIVM_LAYOUT_H
#define MILLIVM_LAYOUT_H

#define KiB(x) ((x) * 1024ull)
#define MiB(x) ((x) * 1024ull * 1024ull)
#define GiB(x) ((x) * 1024ull * 1024ull * 1024ull)

/* Boot structures below 1 MiB */
#define LAYOUT_BOOT_GDT 0x500ull           /* Linux 64-bit entry only */
#define LAYOUT_BOOT_IDT 0x520ull
#define LAYOUT_START_INFO 0x6000ull        /* struct hvm_start_info */
#define LAYOUT_MODLIST 0x6040ull           /* struct hvm_modlist_entry[] */
#define LAYOUT_MODLIST_MAX 4
#define LAYOUT_MEMMAP 0x7000ull            /* PVH memory map, or the Linux zero page */
#define LAYOUT_MEMMAP_MAX 32
#define LAYOUT_BOOT_STACK 0x8ff0ull        /* Linux entry */
#define LAYOUT_BOOT_PAGE_TABLES 0x9000ull  /* Linux entry */
/*
 * The reference guest's AP start-up code: a 4 KiB page the SIPI vector names (vector =
 * address >> 12), below 1 MiB and 4 KiB aligned as the MP specification requires. Between the
 * Linux-entry page tables and the command line, in RAM of the memory map, used by nothing the
 * monitor writes. A guest that starts no APs leaves it untouched.
 */
#define LAYOUT_AP_TRAMPOLINE 0x10000ull
#define LAYOUT_AP_TRAMPOLINE_SIZE 0x1000ull
#define LAYOUT_CMDLINE 0x20000ull
#define LAYOUT_CMDLINE_MAX 2048ull         /* bytes, including the terminating NUL */

/* [LAYOUT_EBDA_START, 1 MiB): reserved in the memory map; MP tables, then ACPI (--acpi) */
#define LAYOUT_EBDA_START 0x9fc00ull
#define LAYOUT_MPTABLE LAYOUT_EBDA_START   /* MP floating pointer, config table follows */
#define LAYOUT_MPTABLE_MAX (LAYOUT_ACPI - LAYOUT_MPTABLE) /* 254 vCPUs: 5.3 KiB */
/*
 * ACPI tables (--acpi): the RSDP first, then XSDT, FADT, MADT and DSDT. 0xe0000 is 16-byte
 * aligned inside the BIOS read-only area, so a kernel that scans [0xe0000, 1 MiB) for
 * "RSD PTR " (Linux, the BSDs) finds it even without start_info's rsdp_paddr. 128 KiB; 254
 * vCPUs and 32 devices take under 5 KiB.
 */
#define LAYOUT_ACPI 0xe0000ull
#define LAYOUT_ACPI_MAX (LAYOUT_HIMEM_START - LAYOUT_ACPI)
#define LAYOUT_HIMEM_START MiB(1)          /* RAM resumes; lowest kernel load address */

/* The 32-bit MMIO hole: RAM above 3 GiB continues at 4 GiB */
#define LAYOUT_MMIO_HOLE_START GiB(3)
#define LAYOUT_MMIO_HOLE_END GiB(4)
#define LAYOUT_HIGH_RAM_START GiB(4)

#define LAYOUT_BOOT_TIMER 0xc0000000ull    /* Firecracker-compatible boot-timer page */
#define LAYOUT_BOOT_TIMER_SIZE 0x1000ull

#define LAYOUT_VIRTIO_MMIO_BASE 0xfeb00000ull
#define LAYOUT_VIRTIO_MMIO_STRIDE 0x200ull /* also each device's window size */
#define LAYOUT_VIRTIO_MMIO_MAX 32
#define LAYOUT_VIRTIO_FIRST_IRQ 5          /* device i: next free IRQ from 5 + i */

/* KVM's private pages (VMX real-mode TSS and identity map): inside the hole, below the BIOS area */
#define LAYOUT_KVM_IDENTITY_MAP 0xfeffc000ull
#define LAYOUT_KVM_TSS 0xfeffd000ull       /* three pages */

#define LAYOUT_IOAPIC 0xfec00000ull
#define LAYOUT_LAPIC 0xfee00000ull

#endif
