/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The guest-visible ABI of millivm: every structure and magic number that both the monitor
 * and a guest (our reference guest in guest/) read or write. One definition, used by both
 * sides, so the two cannot drift apart. Freestanding: needs only <stdint.h>.
 *
 * Sources: Xen's arch-x86/hvm/start_info.h (PVH), the Intel MultiProcessor Specification 1.4
 * (MP table), KVM's paravirt ABI (pvclock), ACPI 6.3 (the --acpi tables). Facts in
 * ../shared/design.md sections 1-5 and 7.
 */
#ifndef MILLIVM_ABI_H
#define MILLIVM_ABI_H

#include <stdint.h>

#define MILLIVM_PACKED __attribute__((packed))

/* ---------------------------------------------------------------- PVH (Xen HVM direct boot) */

#define XEN_ELFNOTE_PHYS32_ENTRY 18 /* note type; descriptor = 32-bit physical entry */
#define PVH_NOTE_NAME "Xen"         /* namesz 4, including the NUL */

#define HVM_START_MAGIC_VALUE 0x336ec578u
#define HVM_START_INFO_VERSION 1 /* version 1 adds the memory map; NetBSD needs it */

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr; /* never 0: NetBSD copies it unconditionally */
	uint64_t rsdp_paddr;    /* 0: no ACPI */
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
};

struct hvm_memmap_table_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};

enum hvm_memmap_type {
	HVM_MEMMAP_RAM = 1,
	HVM_MEMMAP_RESERVED = 2,
	HVM_MEMMAP_ACPI = 3,
	HVM_MEMMAP_NVS = 4,
	HVM_MEMMAP_UNUSABLE = 5,
	HVM_MEMMAP_DISABLED = 6,
	HVM_MEMMAP_PMEM = 7,
};

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info is 56 bytes");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "module entry is 32 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "memmap entry is 24 bytes");

/* ---------------------------------------------------- Intel MP table (MP specification 1.4) */

#define MPF_SIGNATURE "_MP_"
#define MPC_SIGNATURE "PCMP"
#define MPC_SPEC_REVISION 4 /* 1.4 */

struct mpf_intel { /* floating pointer structure, 16 bytes, 16-byte aligned */
	char signature[4];
	uint32_t physptr; /* the configuration table */
	uint8_t length;   /* in 16-byte units: 1 */
	uint8_t specification;
	uint8_t checksum; /* all 16 bytes sum to 0 */
	uint8_t feature1; /* 0: a configuration table is present */
	uint8_t feature2; /* bit 7 IMCR: 0, virtual wire mode */
	uint8_t feature3[3];
} MILLIVM_PACKED;

struct mpc_table { /* configuration table header, 44 bytes */
	char signature[4];
	uint16_t length; /* base table, header included */
	uint8_t spec;
	uint8_t checksum; /* base table sums to 0 */
	char oem[8];
	char productid[12];
	uint32_t oemptr;
	uint16_t oemsize;
	uint16_t oemcount; /* number of entries in the base table */
	uint32_t lapic;    /* local APIC address */
	uint16_t reserved; /* extended table length (0) */
	uint8_t ext_checksum;
	uint8_t reserved2;
} MILLIVM_PACKED;

enum mp_entry_type {
	MP_PROCESSOR = 0,
	MP_BUS = 1,
	MP_IOAPIC = 2,
	MP_INTSRC = 3,
	MP_LINTSRC = 4,
};

#define MP_CPU_ENABLED 0x01
#define MP_CPU_BSP 0x02
#define MP_IOAPIC_USABLE 0x01

struct mpc_cpu { /* 20 bytes */
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t cpuflag;
	uint32_t cpufeature; /* CPUID 1 EAX: family/model/stepping */
	uint32_t featureflag; /* CPUID 1 EDX */
	uint32_t reserved[2];
} MILLIVM_PACKED;

struct mpc_bus { /* 8 bytes */
	uint8_t type;
	uint8_t busid;
	char bustype[6]; /* "ISA   " */
} MILLIVM_PACKED;

struct mpc_ioapic { /* 8 bytes */
	uint8_t type;
	uint8_t apicid;
	uint8_t apicver;
	uint8_t flags;
	uint32_t apicaddr;
} MILLIVM_PACKED;

enum mp_irq_type {
	MP_INT = 0,    /* vectored interrupt */
	MP_NMI = 1,
	MP_SMI = 2,
	MP_EXTINT = 3, /* 8259-compatible */
};

/* I/O and local interrupt entry flags: polarity bits 1:0, trigger mode bits 3:2 */
#define MP_IRQPOL_DEFAULT 0x0
#define MP_IRQPOL_ACTIVE_HIGH 0x1
#define MP_IRQPOL_ACTIVE_LOW 0x3
#define MP_IRQTRIG_DEFAULT 0x0
#define MP_IRQTRIG_EDGE 0x4
#define MP_IRQTRIG_LEVEL 0xc

struct mpc_intsrc { /* 8 bytes */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbus;
	uint8_t srcbusirq;
	uint8_t dstapic;
	uint8_t dstirq;
} MILLIVM_PACKED;

#define MP_APIC_ALL 0xff

struct mpc_lintsrc { /* 8 bytes */
	uint8_t type;
	uint8_t irqtype;
	uint16_t irqflag;
	uint8_t srcbusid;
	uint8_t srcbusirq;
	uint8_t destapic; /* 0xff: every local APIC */
	uint8_t destapiclint;
} MILLIVM_PACKED;

_Static_assert(sizeof(struct mpf_intel) == 16, "MP floating pointer is 16 bytes");
_Static_assert(sizeof(struct mpc_table) == 44, "MP config header is 44 bytes");
_Static_assert(sizeof(struct mpc_cpu) == 20, "MP processor entry is 20 bytes");
_Static_assert(sizeof(struct mpc_bus) == 8, "MP bus entry is 8 bytes");
_Static_assert(sizeof(struct mpc_ioapic) == 8, "MP IOAPIC entry is 8 bytes");
_Static_assert(sizeof(struct mpc_intsrc) == 8, "MP interrupt entry is 8 bytes");
_Static_assert(sizeof(struct mpc_lintsrc) == 8, "MP local interrupt entry is 8 bytes");

#define MP_IOAPIC_VERSION 0x11
#define MP_LAPIC_VERSION 0x14
#define MP_IOAPIC_PINS 24
#define MP_ISA_BUS_ID 0

/* ------------------------------------------------------------------ CPUID (design.md §5) */

#define CPUID_HV_SIGNATURE 0x40000000u /* EAX = highest leaf, EBX/ECX/EDX = "KVMKVMKVM\0\0\0" */
#define CPUID_HV_FEATURES 0x40000001u  /* KVM paravirt features */
#define CPUID_HV_TIMING 0x40000010u    /* EAX = TSC kHz, EBX = APIC bus kHz */
#define KVM_APIC_BUS_KHZ 1000000u      /* KVM's local APIC timer runs at 1 GHz */

/* pvclock (KVM's MSR_KVM_SYSTEM_TIME_NEW page): the layout of Linux's pvclock-abi.h, which
 * is not part of the UAPI headers. 32 bytes. */
struct pvclock_vcpu_time_info {
	uint32_t version; /* odd while the host updates it */
	uint32_t pad0;
	uint64_t tsc_timestamp;
	uint64_t system_time; /* ns */
	uint32_t tsc_to_system_mul;
	int8_t tsc_shift;
	uint8_t flags;
	uint8_t pad[2];
} MILLIVM_PACKED;

_Static_assert(sizeof(struct pvclock_vcpu_time_info) == 32, "pvclock page entry is 32 bytes");

/* --------------------------------------------------------------- I/O ports (design.md §3) */

#define COM1_PORT 0x3f8
#define COM1_IRQ 4
#define I8042_DATA_PORT 0x60
#define I8042_COMMAND_PORT 0x64
#define I8042_CMD_RESET 0xfe
/* QEMU isa-debug-exit compatible: a byte V written here ends the VM. millivm exits with V;
 * QEMU (iobase=0xf4,iosize=4) exits with (V << 1) | 1. */
#define DEBUG_EXIT_PORT 0xf4

/* ------------------------------------------------------- boot timer (Firecracker-compatible) */

#define BOOT_TIMER_MAGIC 123 /* a byte write of this value to the boot-timer page: boot done */

/* ------------------------------------------------------- guest trace channel (design.md §7) */
/*
 * A guest records tslog-style events in a buffer in its own RAM and, once, writes the
 * buffer's guest-physical address (32 bits, below 4 GiB) to MILLIVM_TRACE_PORT. The monitor
 * copies the records out at that moment (bounds-checked against guest RAM) and writes them
 * in tslog text with --trace-out. One exit for the whole trace, so tracing costs the guest
 * nothing measurable. Under QEMU the write goes nowhere.
 */
#define MILLIVM_TRACE_PORT 0xf8
#define MILLIVM_TRACE_MAGIC 0x474c5354u /* "TSLG" */
#define MILLIVM_TRACE_VERSION 1
#define MILLIVM_TRACE_NAME_LEN 40

enum millivm_trace_kind {
	MILLIVM_TRACE_ENTER = 1,
	MILLIVM_TRACE_EXIT = 2,
	MILLIVM_TRACE_EVENT = 3,
	MILLIVM_TRACE_THREAD = 4,
};

struct millivm_trace_header {
	uint32_t magic;
	uint32_t version;
	uint32_t count;    /* records that follow the header */
	uint32_t capacity; /* records the buffer has room for (count <= capacity) */
};

struct millivm_trace_record {
	uint64_t tsc;
	uint32_t kind;   /* enum millivm_trace_kind */
	uint32_t thread; /* CPU number for our guest; printed as the tslog thread id */
	char name[MILLIVM_TRACE_NAME_LEN]; /* NUL-padded; not necessarily NUL-terminated */
};

_Static_assert(sizeof(struct millivm_trace_header) == 16, "trace header is 16 bytes");
_Static_assert(sizeof(struct millivm_trace_record) == 56, "trace record is 56 bytes");

#define MILLIVM_TRACE_MAX_RECORDS 65536 /* the monitor refuses larger counts */

/* ------------------------------------------ ACPI (--acpi; ACPI 6.3, hardware-reduced profile) */
/*
 * The tables millivm builds (src/x86/acpi.c): RSDP -> XSDT -> FADT (-> DSDT) and MADT. Only
 * with --acpi: NetBSD MICROVM and the reference guest need none of it. Little-endian, packed,
 * laid out as the specification's tables are.
 */
#define ACPI_RSDP_SIGNATURE "RSD PTR "
#define ACPI_RSDP_REVISION 2   /* ACPI 2.0 and later: the XSDT and the extended checksum */
#define ACPI_RSDP_V1_LENGTH 20 /* the bytes the first checksum covers */
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR_REVISION 3 /* FADT 6.3 */
#define ACPI_MADT_REVISION 5
#define ACPI_XSDT_REVISION 1
#define ACPI_DSDT_REVISION 2 /* 64-bit AML integers */

struct acpi_rsdp { /* 36 bytes, 16-byte aligned */
	char signature[8];
	uint8_t checksum; /* the first 20 bytes sum to 0 */
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address; /* 0: no RSDT, the XSDT alone lists the tables */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum; /* all 36 bytes sum to 0 */
	uint8_t reserved[3];
} MILLIVM_PACKED;

struct acpi_header { /* every table but the RSDP starts with it; 36 bytes */
	char signature[4];
	uint32_t length; /* the whole table, header included */
	uint8_t revision;
	uint8_t checksum; /* the whole table sums to 0 */
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} MILLIVM_PACKED;

struct acpi_gas { /* Generic Address Structure, 12 bytes */
	uint8_t space_id; /* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size; /* 1 byte, 2 word, 3 dword, 4 qword */
	uint64_t address;
} MILLIVM_PACKED;

#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_ACCESS_BYTE 1

struct acpi_fadt { /* "FACP", 276 bytes (revision 6) */
	struct acpi_header header;
	uint32_t firmware_ctrl; /* FACS: none in the hardware-reduced profile */
	uint32_t dsdt;
	uint8_t reserved0;
	uint8_t preferred_pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt_blk, pm1b_evt_blk, pm1a_cnt_blk, pm1b_cnt_blk;
	uint32_t pm2_cnt_blk, pm_tmr_blk, gpe0_blk, gpe1_blk;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len;
	uint8_t gpe0_blk_len, gpe1_blk_len, gpe1_base, cst_cnt;
	uint16_t p_lvl2_lat, p_lvl3_lat, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alrm, mon_alrm, century;
	uint16_t iapc_boot_arch; /* ACPI_IAPC_* */
	uint8_t reserved1;
	uint32_t flags; /* ACPI_FADT_* */
	struct acpi_gas reset_reg;
	uint8_t reset_value;
	uint16_t arm_boot_arch;
	uint8_t minor_version;
	uint64_t x_firmware_ctrl;
	uint64_t x_dsdt;
	struct acpi_gas x_pm1a_evt_blk, x_pm1b_evt_blk, x_pm1a_cnt_blk, x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk, x_pm_tmr_blk, x_gpe0_blk, x_gpe1_blk;
	struct acpi_gas sleep_control_reg; /* hardware-reduced: how S5 (power off) is entered */
	struct acpi_gas sleep_status_reg;
	uint64_t hypervisor_vendor_id;
} MILLIVM_PACKED;

#define ACPI_FADT_PWR_BUTTON (1u << 4)     /* set: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON (1u << 5)     /* set: no fixed-feature sleep button */
#define ACPI_FADT_RESET_REG_SUP (1u << 10) /* RESET_REG/RESET_VALUE reset the machine */
#define ACPI_FADT_HW_REDUCED (1u << 20)    /* no PM1/GPE blocks, no SCI, no FACS */
#define ACPI_IAPC_LEGACY_DEVICES (1u << 0) /* ISA devices: COM1, the i8042 */
#define ACPI_IAPC_8042 (1u << 1)           /* an i8042 is there (ours resets the machine) */
#define ACPI_IAPC_VGA_NOT_PRESENT (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

struct acpi_madt { /* "APIC": this header, then entries */
	struct acpi_header header;
	uint32_t lapic_address;
	uint32_t flags; /* ACPI_MADT_PCAT_COMPAT */
} MILLIVM_PACKED;

#define ACPI_MADT_PCAT_COMPAT 1u /* dual 8259s are there too (KVM's in-kernel PIC) */

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_OVERRIDE = 2, /* interrupt source override */
	ACPI_MADT_LAPIC_NMI = 4,
};

#define ACPI_MADT_LAPIC_ENABLED 1u
#define ACPI_MADT_ALL_PROCESSORS 0xff /* processor UID of a LAPIC NMI entry for every CPU */

struct acpi_madt_lapic { /* 8 bytes */
	uint8_t type, length;
	uint8_t processor_uid;
	uint8_t apic_id;
	uint32_t flags;
} MILLIVM_PACKED;

struct acpi_madt_ioapic { /* 12 bytes */
	uint8_t type, length;
	uint8_t ioapic_id;
	uint8_t reserved;
	uint32_t address;
	uint32_t gsi_base;
} MILLIVM_PACKED;

/* flags: the MP table's encoding (MPS INTI flags), MP_IRQPOL_* | MP_IRQTRIG_* */
struct acpi_madt_override { /* 10 bytes */
	uint8_t type, length;
	uint8_t bus; /* 0: ISA */
	uint8_t source; /* ISA IRQ */
	uint32_t gsi;
	uint16_t flags;
} MILLIVM_PACKED;

struct acpi_madt_lapic_nmi { /* 6 bytes */
	uint8_t type, length;
	uint8_t processor_uid;
	uint16_t flags;
	uint8_t lint;
} MILLIVM_PACKED;

_Static_assert(sizeof(struct acpi_rsdp) == 36, "RSDP is 36 bytes");
_Static_assert(sizeof(struct acpi_header) == 36, "ACPI table header is 36 bytes");
_Static_assert(sizeof(struct acpi_gas) == 12, "generic address is 12 bytes");
_Static_assert(sizeof(struct acpi_fadt) == 276, "FADT revision 6 is 276 bytes");
_Static_assert(__builtin_offsetof(struct acpi_fadt, flags) == 112, "FADT flags at 112");
_Static_assert(__builtin_offsetof(struct acpi_fadt, reset_reg) == 116, "RESET_REG at 116");
_Static_assert(__builtin_offsetof(struct acpi_fadt, x_dsdt) == 140, "X_DSDT at 140");
_Static_assert(__builtin_offsetof(struct acpi_fadt, sleep_control_reg) == 244,
	       "SLEEP_CONTROL_REG at 244");
_Static_assert(sizeof(struct acpi_madt) == 44, "MADT header is 44 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic) == 8, "MADT LAPIC entry is 8 bytes");
_Static_assert(sizeof(struct acpi_madt_ioapic) == 12, "MADT IOAPIC entry is 12 bytes");
_Static_assert(sizeof(struct acpi_madt_override) == 10, "MADT override entry is 10 bytes");
_Static_assert(sizeof(struct acpi_madt_lapic_nmi) == 6, "MADT LAPIC NMI entry is 6 bytes");

/*
 * Power off and reset (ours): three byte-wide I/O ports the FADT points at. A write of
 * SLP_EN | (5 << 2) to the sleep control register enters S5 (the DSDT's \_S5 says SLP_TYP 5):
 * millivm exits with 0. A write of ACPI_RESET_VALUE to the reset register resets, which ends a
 * microVM with 0 too (as the i8042 reset does). The sleep status register reads 0.
 */
#define ACPI_SLEEP_CONTROL_PORT 0x600
#define ACPI_SLEEP_STATUS_PORT 0x601
#define ACPI_RESET_PORT 0x602
#define ACPI_RESET_VALUE 0x01
#define ACPI_SLP_EN 0x20
#define ACPI_SLP_TYP_SHIFT 2
#define ACPI_SLP_TYP_MASK 0x1c
#define ACPI_S5_SLP_TYP 5

#endif
