/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/regdump.h"

#include <inttypes.h>
#include <stdbool.h>

#include "debug/page_walk.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#define CR0_PE (1ull << 0)
#define EFER_LMA (1ull << 10)
#define RFLAGS_VM (1ull << 17)
#define LOW32(x) ((x) & 0xffffffffull)

struct bit_name {
	unsigned bit;
	const char *name;
};

static const struct bit_name cr0_bits[] = {
	{0, "PE"}, {1, "MP"}, {2, "EM"}, {3, "TS"}, {4, "ET"}, {5, "NE"},
	{16, "WP"}, {18, "AM"}, {29, "NW"}, {30, "CD"}, {31, "PG"},
};

static const struct bit_name cr4_bits[] = {
	{0, "VME"}, {1, "PVI"}, {2, "TSD"}, {3, "DE"}, {4, "PSE"}, {5, "PAE"},
	{6, "MCE"}, {7, "PGE"}, {8, "PCE"}, {9, "OSFXSR"}, {10, "OSXMMEXCPT"},
	{11, "UMIP"}, {12, "LA57"}, {13, "VMXE"}, {14, "SMXE"}, {16, "FSGSBASE"},
	{17, "PCIDE"}, {18, "OSXSAVE"}, {19, "KL"}, {20, "SMEP"}, {21, "SMAP"},
	{22, "PKE"}, {23, "CET"}, {24, "PKS"},
};

static const struct bit_name efer_bits[] = {
	{0, "SCE"}, {8, "LME"}, {10, "LMA"}, {11, "NXE"}, {12, "SVME"},
	{13, "LMSLE"}, {14, "FFXSR"}, {15, "TCE"},
};

static const struct bit_name apic_base_bits[] = {
	{8, "BSP"}, {10, "EXTD"}, {11, "EN"},
};

/* RFLAGS bits beyond the arithmetic/control letters; IOPL is printed as a number. */
static const struct bit_name rflags_extra_bits[] = {
	{14, "NT"}, {16, "RF"}, {17, "VM"}, {18, "AC"}, {19, "VIF"}, {20, "VIP"}, {21, "ID"},
};

/* The letters of QEMU's flag field, most significant first: O D I T S Z A P C. */
static const struct {
	unsigned bit;
	char letter;
} rflags_letters[] = {
	{11, 'O'}, {10, 'D'}, {9, 'I'}, {8, 'T'}, {7, 'S'}, {6, 'Z'}, {4, 'A'}, {2, 'P'}, {0, 'C'},
};

enum cpu_mode {
	MODE_REAL,
	MODE_VM86,
	MODE_PROTECTED16,
	MODE_PROTECTED32,
	MODE_COMPAT16,
	MODE_COMPAT32,
	MODE_LONG64,
};

/* ------------------------------------------------------------------------------ names */

const char *regdump_exit_reason_name(uint32_t exit_reason)
{
	/* Newer reasons are guarded: the build must not depend on the kernel headers' age. */
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN",
		[KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO",
		[KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
		[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR",
		[KVM_EXIT_SET_TPR] = "SET_TPR",
		[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
		[KVM_EXIT_S390_SIEIC] = "S390_SIEIC",
		[KVM_EXIT_S390_RESET] = "S390_RESET",
		[KVM_EXIT_DCR] = "DCR",
		[KVM_EXIT_NMI] = "NMI",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
		[KVM_EXIT_OSI] = "OSI",
		[KVM_EXIT_PAPR_HCALL] = "PAPR_HCALL",
		[KVM_EXIT_S390_UCONTROL] = "S390_UCONTROL",
		[KVM_EXIT_WATCHDOG] = "WATCHDOG",
		[KVM_EXIT_S390_TSCH] = "S390_TSCH",
		[KVM_EXIT_EPR] = "EPR",
		[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
#ifdef KVM_EXIT_S390_STSI
		[KVM_EXIT_S390_STSI] = "S390_STSI",
#endif
#ifdef KVM_EXIT_IOAPIC_EOI
		[KVM_EXIT_IOAPIC_EOI] = "IOAPIC_EOI",
#endif
#ifdef KVM_EXIT_HYPERV
		[KVM_EXIT_HYPERV] = "HYPERV",
#endif
#ifdef KVM_EXIT_ARM_NISV
		[KVM_EXIT_ARM_NISV] = "ARM_NISV",
#endif
#ifdef KVM_EXIT_X86_RDMSR
		[KVM_EXIT_X86_RDMSR] = "X86_RDMSR",
#endif
#ifdef KVM_EXIT_X86_WRMSR
		[KVM_EXIT_X86_WRMSR] = "X86_WRMSR",
#endif
#ifdef KVM_EXIT_DIRTY_RING_FULL
		[KVM_EXIT_DIRTY_RING_FULL] = "DIRTY_RING_FULL",
#endif
#ifdef KVM_EXIT_AP_RESET_HOLD
		[KVM_EXIT_AP_RESET_HOLD] = "AP_RESET_HOLD",
#endif
#ifdef KVM_EXIT_X86_BUS_LOCK
		[KVM_EXIT_X86_BUS_LOCK] = "X86_BUS_LOCK",
#endif
#ifdef KVM_EXIT_XEN
		[KVM_EXIT_XEN] = "XEN",
#endif
#ifdef KVM_EXIT_RISCV_SBI
		[KVM_EXIT_RISCV_SBI] = "RISCV_SBI",
#endif
#ifdef KVM_EXIT_RISCV_CSR
		[KVM_EXIT_RISCV_CSR] = "RISCV_CSR",
#endif
#ifdef KVM_EXIT_NOTIFY
		[KVM_EXIT_NOTIFY] = "NOTIFY",
#endif
#ifdef KVM_EXIT_LOONGARCH_IOCSR
		[KVM_EXIT_LOONGARCH_IOCSR] = "LOONGARCH_IOCSR",
#endif
#ifdef KVM_EXIT_MEMORY_FAULT
		[KVM_EXIT_MEMORY_FAULT] = "MEMORY_FAULT",
#endif
	};
	if (exit_reason < ARRAY_LEN(names) && names[exit_reason])
		return names[exit_reason];
	return "unknown";
}

const char *regdump_internal_error_name(uint32_t suberror)
{
	switch (suberror) {
	case KVM_INTERNAL_ERROR_EMULATION:
		return "emulation failure";
	case KVM_INTERNAL_ERROR_SIMUL_EX:
		return "simultaneous exceptions";
	case KVM_INTERNAL_ERROR_DELIVERY_EV:
		return "event delivery failure";
#ifdef KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON
	case KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON:
		return "unexpected exit reason";
#endif
	}
	return "unknown";
}

/* --------------------------------------------------------------------------- CPU mode */

static bool long_mode_active(const struct kvm_sregs *sregs)
{
	return (sregs->efer & EFER_LMA) != 0;
}

static enum cpu_mode cpu_mode(const struct kvm_regs *regs, const struct kvm_sregs *sregs)
{
	if (!(sregs->cr0 & CR0_PE))
		return MODE_REAL;
	if (long_mode_active(sregs)) {
		if (sregs->cs.l)
			return MODE_LONG64;
		return sregs->cs.db ? MODE_COMPAT32 : MODE_COMPAT16;
	}
	if (regs->rflags & RFLAGS_VM)
		return MODE_VM86;
	return sregs->cs.db ? MODE_PROTECTED32 : MODE_PROTECTED16;
}

static const char *cpu_mode_name(enum cpu_mode mode)
{
	switch (mode) {
	case MODE_REAL:
		return "real";
	case MODE_VM86:
		return "vm86";
	case MODE_PROTECTED16:
		return "protected 16-bit";
	case MODE_PROTECTED32:
		return "protected 32-bit";
	case MODE_COMPAT16:
		return "compat 16-bit";
	case MODE_COMPAT32:
		return "compat 32-bit";
	case MODE_LONG64:
		break;
	}
	return "long 64-bit";
}

/* SS.DPL is the CPL in protected mode; CS.DPL is not, for conforming code segments. */
static unsigned current_privilege_level(enum cpu_mode mode, const struct kvm_sregs *sregs)
{
	if (mode == MODE_REAL)
		return 0;
	if (mode == MODE_VM86)
		return 3;
	return sregs->ss.dpl & 3;
}

/* ------------------------------------------------------------------- value formatting */

static void print_bit_names(FILE *out, uint64_t value, const struct bit_name *names, size_t count)
{
	const char *separator = "";
	fputs(" [", out);
	for (size_t i = 0; i < count; i++) {
		if ((value >> names[i].bit) & 1) {
			fprintf(out, "%s%s", separator, names[i].name);
			separator = " ";
		}
	}
	fputc(']', out);
}

/* Long mode registers are 16 hex digits wide, else 8 (wider values still print in full). */
static int hex_width(bool wide)
{
	return wide ? 16 : 8;
}

/* ------------------------------------------------------------------ general registers */

static void print_general_registers(FILE *out, const struct kvm_regs *regs, bool wide)
{
	static const char *const names64[] = {
		"RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "RBP", "RSP",
		"R8 ", "R9 ", "R10", "R11", "R12", "R13", "R14", "R15",
	};
	static const char *const names32[] = {
		"EAX", "EBX", "ECX", "EDX", "ESI", "EDI", "EBP", "ESP",
	};
	const uint64_t values[] = {
		regs->rax, regs->rbx, regs->rcx, regs->rdx,
		regs->rsi, regs->rdi, regs->rbp, regs->rsp,
		regs->r8, regs->r9, regs->r10, regs->r11,
		regs->r12, regs->r13, regs->r14, regs->r15,
	};
	/* Outside long mode the guest sees only the low halves, and no R8-R15 (like QEMU). */
	size_t count = wide ? ARRAY_LEN(names64) : ARRAY_LEN(names32);

	for (size_t i = 0; i < count; i++) {
		uint64_t value = wide ? values[i] : LOW32(values[i]);
		fprintf(out, "%s=%0*" PRIx64 "%c", wide ? names64[i] : names32[i], hex_width(wide),
			value, (i % 4 == 3) ? '\n' : ' ');
	}
}

static void print_rflags(FILE *out, uint64_t rflags)
{
	char letters[ARRAY_LEN(rflags_letters) + 1];

	for (size_t i = 0; i < ARRAY_LEN(rflags_letters); i++) {
		bool set = (rflags >> rflags_letters[i].bit) & 1;
		letters[i] = set ? rflags_letters[i].letter : '-';
	}
	letters[ARRAY_LEN(rflags_letters)] = '\0';

	fprintf(out, "RFL=%08" PRIx64 " [%s]", rflags, letters);
	unsigned iopl = (rflags >> 12) & 3;
	if (iopl)
		fprintf(out, " IOPL=%u", iopl);
	for (size_t i = 0; i < ARRAY_LEN(rflags_extra_bits); i++) {
		if ((rflags >> rflags_extra_bits[i].bit) & 1)
			fprintf(out, " %s", rflags_extra_bits[i].name);
	}
}

static void print_instruction_pointer(FILE *out, const struct kvm_regs *regs, bool wide)
{
	fprintf(out, "%s=%0*" PRIx64 " ", wide ? "RIP" : "EIP", hex_width(wide),
		(uint64_t)(wide ? regs->rip : LOW32(regs->rip)));
	print_rflags(out, regs->rflags);
	fputc('\n', out);
}

/* ------------------------------------------------------------------------- segments */

/* The attribute bits as they sit in a descriptor's high dword (bits 8-23), like QEMU shows. */
static uint32_t segment_attributes(const struct kvm_segment *seg)
{
	return (uint32_t)(seg->type & 0xf) << 8 | (uint32_t)!!seg->s << 12 |
	       (uint32_t)(seg->dpl & 3) << 13 | (uint32_t)!!seg->present << 15 |
	       (uint32_t)!!seg->avl << 20 | (uint32_t)!!seg->l << 21 |
	       (uint32_t)!!seg->db << 22 | (uint32_t)!!seg->g << 23;
}

/* System descriptor types (S=0); long mode redefines the 32-bit ones as 64-bit. */
static const char *system_type_name(unsigned type, bool long_mode)
{
	static const char *const legacy[16] = {
		"reserved", "TSS16-avail", "LDT", "TSS16-busy", "call-gate16", "task-gate",
		"int-gate16", "trap-gate16", "reserved", "TSS32-avail", "reserved", "TSS32-busy",
		"call-gate32", "reserved", "int-gate32", "trap-gate32",
	};
	static const char *const in_long_mode[16] = {
		"reserved", "reserved", "LDT", "reserved", "reserved", "reserved",
		"reserved", "reserved", "reserved", "TSS64-avail", "reserved", "TSS64-busy",
		"call-gate64", "reserved", "int-gate64", "trap-gate64",
	};
	return long_mode ? in_long_mode[type & 0xf] : legacy[type & 0xf];
}

static void print_code_or_data_type(FILE *out, const struct kvm_segment *seg)
{
	unsigned type = seg->type & 0xf;
	bool code = type & 8;

	if (code) {
		const char *size = seg->l ? "code64" : (seg->db ? "code32" : "code16");
		/* C: conforming, R: readable, A: accessed */
		fprintf(out, " %s [%c%c%c]", size, (type & 4) ? 'C' : '-', (type & 2) ? 'R' : '-',
			(type & 1) ? 'A' : '-');
	} else {
		/* E: expand-down, W: writable, A: accessed */
		fprintf(out, " %s [%c%c%c]", seg->db ? "data32" : "data16", (type & 4) ? 'E' : '-',
			(type & 2) ? 'W' : '-', (type & 1) ? 'A' : '-');
	}
}

static void print_segment_flags(FILE *out, const struct kvm_segment *seg)
{
	const struct {
		bool set;
		const char *name;
	} flags[] = {
		{seg->present, "P"}, {!seg->present, "NP"}, {seg->s, "S"}, {seg->db, "DB"},
		{seg->l, "L"}, {seg->g, "G"}, {seg->avl, "AVL"}, {seg->unusable, "unusable"},
	};
	for (size_t i = 0; i < ARRAY_LEN(flags); i++) {
		if (flags[i].set)
			fprintf(out, " %s", flags[i].name);
	}
}

static void print_segment(FILE *out, const char *name, const struct kvm_segment *seg, bool wide)
{
	fprintf(out, "%-3s=%04x %0*" PRIx64 " %08" PRIx32 " %08" PRIx32 " DPL=%u", name,
		seg->selector, hex_width(wide), (uint64_t)seg->base, seg->limit,
		segment_attributes(seg), seg->dpl & 3u);
	if (seg->s)
		print_code_or_data_type(out, seg);
	else
		fprintf(out, " %s", system_type_name(seg->type, wide));
	print_segment_flags(out, seg);
	fputc('\n', out);
}

static void print_segments(FILE *out, const struct kvm_sregs *sregs, bool wide)
{
	print_segment(out, "ES", &sregs->es, wide);
	print_segment(out, "CS", &sregs->cs, wide);
	print_segment(out, "SS", &sregs->ss, wide);
	print_segment(out, "DS", &sregs->ds, wide);
	print_segment(out, "FS", &sregs->fs, wide);
	print_segment(out, "GS", &sregs->gs, wide);
	print_segment(out, "LDT", &sregs->ldt, wide);
	print_segment(out, "TR", &sregs->tr, wide);
	fprintf(out, "GDT=     %0*" PRIx64 " %08x\n", hex_width(wide), (uint64_t)sregs->gdt.base,
		(unsigned)sregs->gdt.limit);
	fprintf(out, "IDT=     %0*" PRIx64 " %08x\n", hex_width(wide), (uint64_t)sregs->idt.base,
		(unsigned)sregs->idt.limit);
}

/* ---------------------------------------------------------------- control registers */

static void print_control_registers(FILE *out, const struct kvm_sregs *sregs, bool wide)
{
	fprintf(out, "CR0=%08" PRIx64, (uint64_t)sregs->cr0);
	print_bit_names(out, sregs->cr0, cr0_bits, ARRAY_LEN(cr0_bits));
	fprintf(out, "\nCR2=%0*" PRIx64 " CR3=%0*" PRIx64 " CR8=%" PRIx64 "\n", hex_width(wide),
		(uint64_t)sregs->cr2, hex_width(wide), (uint64_t)sregs->cr3,
		(uint64_t)sregs->cr8);
	fprintf(out, "CR4=%08" PRIx64, (uint64_t)sregs->cr4);
	print_bit_names(out, sregs->cr4, cr4_bits, ARRAY_LEN(cr4_bits));
	fprintf(out, "\nEFER=%016" PRIx64, (uint64_t)sregs->efer);
	print_bit_names(out, sregs->efer, efer_bits, ARRAY_LEN(efer_bits));
	fprintf(out, "\nAPIC_BASE=%016" PRIx64, (uint64_t)sregs->apic_base);
	print_bit_names(out, sregs->apic_base, apic_base_bits, ARRAY_LEN(apic_base_bits));
	fputc('\n', out);
}

/* KVM reports an injected-but-undelivered external interrupt here (at most one bit). */
static void print_pending_interrupts(FILE *out, const struct kvm_sregs *sregs)
{
	bool any = false;

	for (unsigned vector = 0; vector < KVM_NR_INTERRUPTS; vector++) {
		if (!((sregs->interrupt_bitmap[vector / 64] >> (vector % 64)) & 1))
			continue;
		fprintf(out, "%s 0x%02x", any ? "" : "Pending interrupt vectors:", vector);
		any = true;
	}
	if (any)
		fputc('\n', out);
}

/* ------------------------------------------------------------------ guest memory views */

/* CS:RIP as a linear address: 64-bit code ignores CS.base, other modes wrap at 4 GiB. */
static uint64_t code_linear_address(enum cpu_mode mode, const struct kvm_regs *regs,
				    const struct kvm_sregs *sregs)
{
	if (mode == MODE_LONG64)
		return regs->rip;
	return LOW32(sregs->cs.base + LOW32(regs->rip));
}

static void print_code_location(FILE *out, const struct guest_mem *mem,
				const struct kvm_sregs *sregs, uint64_t linear, bool wide)
{
	uint64_t gpa;

	fprintf(out, "CS:RIP linear=%0*" PRIx64, hex_width(wide), linear);
	if (guest_linear_to_phys(mem, sregs, linear, &gpa) == 0)
		fprintf(out, " phys=%0*" PRIx64 "\n", hex_width(wide), gpa);
	else
		fputs(" phys=unmapped\n", out);
}

static void print_code(FILE *out, enum cpu_mode mode, const struct kvm_regs *regs,
		       const struct kvm_sregs *sregs, const struct guest_mem *mem, bool wide)
{
	enum { TOTAL = REGDUMP_CODE_BYTES_BEFORE + REGDUMP_CODE_BYTES_AFTER };
	uint8_t bytes[TOTAL];
	bool readable[TOTAL];
	uint64_t linear = code_linear_address(mode, regs, sregs);

	print_code_location(out, mem, sregs, linear, wide);
	guest_read_linear(mem, sregs, linear - REGDUMP_CODE_BYTES_BEFORE, bytes, readable, TOTAL);
	if (!readable[REGDUMP_CODE_BYTES_BEFORE]) {
		fputs("Code=<unavailable: RIP not mapped>\n", out);
		return;
	}

	fputs("Code=", out);
	for (size_t i = 0; i < TOTAL; i++) {
		const char *separator = (i + 1 < TOTAL) ? " " : "\n";
		bool at_rip = i == REGDUMP_CODE_BYTES_BEFORE;
		if (!readable[i])
			fprintf(out, "??%s", separator);
		else if (at_rip)
			fprintf(out, "<%02x>%s", bytes[i], separator);
		else
			fprintf(out, "%02x%s", bytes[i], separator);
	}
}

/* Stack slot width: 8 in 64-bit code, else SS.B picks ESP (4) or SP (2). */
static unsigned stack_word_size(enum cpu_mode mode, const struct kvm_sregs *sregs)
{
	if (mode == MODE_LONG64)
		return 8;
	return sregs->ss.db ? 4 : 2;
}

static uint64_t stack_linear_address(enum cpu_mode mode, const struct kvm_regs *regs,
				     const struct kvm_sregs *sregs, unsigned word_size)
{
	if (mode == MODE_LONG64)
		return regs->rsp;
	uint64_t offset = word_size == 4 ? LOW32(regs->rsp) : (regs->rsp & 0xffff);
	return LOW32(sregs->ss.base + offset);
}

static bool all_readable(const bool *readable, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		if (!readable[i])
			return false;
	}
	return true;
}

static uint64_t little_endian_value(const uint8_t *bytes, unsigned size)
{
	uint64_t value = 0;
	for (unsigned i = 0; i < size; i++)
		value |= (uint64_t)bytes[i] << (8 * i);
	return value;
}

static void print_stack_word(FILE *out, const uint8_t *bytes, const bool *readable,
			     unsigned word_size)
{
	if (all_readable(readable, word_size))
		fprintf(out, " %0*" PRIx64, (int)(2 * word_size),
			little_endian_value(bytes, word_size));
	else
		fprintf(out, " %.*s", (int)(2 * word_size), "????????????????");
}

static void print_stack(FILE *out, enum cpu_mode mode, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs, const struct guest_mem *mem, bool wide)
{
	enum { WORDS_PER_LINE = 4, MAX_BYTES = REGDUMP_STACK_WORDS * 8 };
	uint8_t bytes[MAX_BYTES];
	bool readable[MAX_BYTES];
	unsigned word_size = stack_word_size(mode, sregs);
	uint64_t linear = stack_linear_address(mode, regs, sregs, word_size);
	uint64_t address_mask = mode == MODE_LONG64 ? UINT64_MAX : 0xffffffffull;

	guest_read_linear(mem, sregs, linear, bytes, readable, REGDUMP_STACK_WORDS * word_size);
	if (!all_readable(readable, word_size)) {
		fprintf(out, "Stack=<unavailable: RSP not mapped> linear=%0*" PRIx64 "\n",
			hex_width(wide), linear);
		return;
	}

	for (unsigned i = 0; i < REGDUMP_STACK_WORDS; i++) {
		size_t offset = (size_t)i * word_size;
		if (i % WORDS_PER_LINE == 0)
			fprintf(out, "Stack %0*" PRIx64 ":", hex_width(wide),
				(linear + offset) & address_mask);
		print_stack_word(out, bytes + offset, readable + offset, word_size);
		if (i % WORDS_PER_LINE == WORDS_PER_LINE - 1 || i + 1 == REGDUMP_STACK_WORDS)
			fputc('\n', out);
	}
}

/* ------------------------------------------------------------------------ entry point */

void regdump_print(FILE *out, const char *reason, const struct kvm_regs *regs,
		   const struct kvm_sregs *sregs, const struct guest_mem *mem)
{
	/* A header, not the bare reason: callers usually print that line themselves first. */
	fprintf(out, "Register dump%s%s\n", reason ? ": " : "", reason ? reason : "");
	if (!regs || !sregs) {
		fputs("<registers unavailable>\n", out);
		return;
	}

	enum cpu_mode mode = cpu_mode(regs, sregs);
	bool wide = long_mode_active(sregs);

	fprintf(out, "Mode: %s, CPL=%u, paging %s\n", cpu_mode_name(mode),
		current_privilege_level(mode, sregs),
		guest_paging_mode_name(guest_paging_mode(sregs)));
	print_general_registers(out, regs, wide);
	print_instruction_pointer(out, regs, wide);
	print_segments(out, sregs, wide);
	print_control_registers(out, sregs, wide);
	print_pending_interrupts(out, sregs);
	if (!mem) {
		fputs("Code=<unavailable: no guest memory>\n", out);
		return;
	}
	print_code(out, mode, regs, sregs, mem, wide);
	print_stack(out, mode, regs, sregs, mem, wide);
}
