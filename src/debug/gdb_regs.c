/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_regs.h"

#include <stddef.h>
#include <string.h>

/* struct kvm_regs general registers, in its field order. */
enum {
	KVM_GPR_RAX, KVM_GPR_RBX, KVM_GPR_RCX, KVM_GPR_RDX, KVM_GPR_RSI, KVM_GPR_RDI,
	KVM_GPR_RSP, KVM_GPR_RBP, KVM_GPR_R8, KVM_GPR_R9, KVM_GPR_R10, KVM_GPR_R11,
	KVM_GPR_R12, KVM_GPR_R13, KVM_GPR_R14, KVM_GPR_R15,
};

static const size_t gpr_offset[] = {
	offsetof(struct kvm_regs, rax), offsetof(struct kvm_regs, rbx),
	offsetof(struct kvm_regs, rcx), offsetof(struct kvm_regs, rdx),
	offsetof(struct kvm_regs, rsi), offsetof(struct kvm_regs, rdi),
	offsetof(struct kvm_regs, rsp), offsetof(struct kvm_regs, rbp),
	offsetof(struct kvm_regs, r8),  offsetof(struct kvm_regs, r9),
	offsetof(struct kvm_regs, r10), offsetof(struct kvm_regs, r11),
	offsetof(struct kvm_regs, r12), offsetof(struct kvm_regs, r13),
	offsetof(struct kvm_regs, r14), offsetof(struct kvm_regs, r15),
};

#define REG(n, f, k, i, b, t, g) { n, t, g, f, k, i, b }
#define GPR(n, i, b, t) REG(n, GDB_FEATURE_CORE, GDB_REG_GPR, i, b, t, NULL)
#define SEG(n, i) REG(n, GDB_FEATURE_CORE, GDB_REG_SEGMENT, i, 32, "int32", NULL)
#define ST(i) REG("st" #i, GDB_FEATURE_CORE, GDB_REG_ST, i, 80, "i387_ext", NULL)
#define X87(n, i) REG(n, GDB_FEATURE_CORE, GDB_REG_X87, i, 32, "int", "float")
#define XMM(i) REG("xmm" #i, GDB_FEATURE_SSE, GDB_REG_XMM, i, 128, "vec128", NULL)
#define X87_REGS                                                                          \
	ST(0), ST(1), ST(2), ST(3), ST(4), ST(5), ST(6), ST(7), X87("fctrl", GDB_X87_FCTRL),  \
		X87("fstat", GDB_X87_FSTAT), X87("ftag", GDB_X87_FTAG),                       \
		X87("fiseg", GDB_X87_FISEG), X87("fioff", GDB_X87_FIOFF),                     \
		X87("foseg", GDB_X87_FOSEG), X87("fooff", GDB_X87_FOOFF),                     \
		X87("fop", GDB_X87_FOP)
#define SEGMENT_REGS                                                                      \
	SEG("cs", GDB_SEG_CS), SEG("ss", GDB_SEG_SS), SEG("ds", GDB_SEG_DS),                  \
		SEG("es", GDB_SEG_ES), SEG("fs", GDB_SEG_FS), SEG("gs", GDB_SEG_GS)
#define MXCSR REG("mxcsr", GDB_FEATURE_SSE, GDB_REG_MXCSR, 0, 32, "i386_mxcsr", "vector")
#define SYS_REGS                                                                          \
	REG("cr0", GDB_FEATURE_SYS, GDB_REG_CR, 0, 64, "millivm_cr0", NULL),                  \
		REG("cr2", GDB_FEATURE_SYS, GDB_REG_CR, 2, 64, "int64", NULL),             \
		REG("cr3", GDB_FEATURE_SYS, GDB_REG_CR, 3, 64, "int64", NULL),                \
		REG("cr4", GDB_FEATURE_SYS, GDB_REG_CR, 4, 64, "millivm_cr4", NULL),          \
		REG("efer", GDB_FEATURE_SYS, GDB_REG_EFER, 0, 64, "millivm_efer", NULL)

/* gdb's i386 order: eax ecx edx ebx esp ebp esi edi (the instruction encoding's). */
static const struct gdb_reg_info i386_regs[] = {
	GPR("eax", KVM_GPR_RAX, 32, "int32"),
	GPR("ecx", KVM_GPR_RCX, 32, "int32"),
	GPR("edx", KVM_GPR_RDX, 32, "int32"),
	GPR("ebx", KVM_GPR_RBX, 32, "int32"),
	GPR("esp", KVM_GPR_RSP, 32, "data_ptr"),
	GPR("ebp", KVM_GPR_RBP, 32, "data_ptr"),
	GPR("esi", KVM_GPR_RSI, 32, "int32"),
	GPR("edi", KVM_GPR_RDI, 32, "int32"),
	REG("eip", GDB_FEATURE_CORE, GDB_REG_RIP, 0, 32, "code_ptr", NULL),
	REG("eflags", GDB_FEATURE_CORE, GDB_REG_RFLAGS, 0, 32, "i386_eflags", NULL),
	SEGMENT_REGS,
	X87_REGS,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	MXCSR,
	SYS_REGS,
};

/* gdb's amd64 order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15. */
static const struct gdb_reg_info x86_64_regs[] = {
	GPR("rax", KVM_GPR_RAX, 64, "int64"),
	GPR("rbx", KVM_GPR_RBX, 64, "int64"),
	GPR("rcx", KVM_GPR_RCX, 64, "int64"),
	GPR("rdx", KVM_GPR_RDX, 64, "int64"),
	GPR("rsi", KVM_GPR_RSI, 64, "int64"),
	GPR("rdi", KVM_GPR_RDI, 64, "int64"),
	GPR("rbp", KVM_GPR_RBP, 64, "data_ptr"),
	GPR("rsp", KVM_GPR_RSP, 64, "data_ptr"),
	GPR("r8", KVM_GPR_R8, 64, "int64"),
	GPR("r9", KVM_GPR_R9, 64, "int64"),
	GPR("r10", KVM_GPR_R10, 64, "int64"),
	GPR("r11", KVM_GPR_R11, 64, "int64"),
	GPR("r12", KVM_GPR_R12, 64, "int64"),
	GPR("r13", KVM_GPR_R13, 64, "int64"),
	GPR("r14", KVM_GPR_R14, 64, "int64"),
	GPR("r15", KVM_GPR_R15, 64, "int64"),
	REG("rip", GDB_FEATURE_CORE, GDB_REG_RIP, 0, 64, "code_ptr", NULL),
	REG("eflags", GDB_FEATURE_CORE, GDB_REG_RFLAGS, 0, 32, "i386_eflags", NULL),
	SEGMENT_REGS,
	X87_REGS,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	MXCSR,
	REG("fs_base", GDB_FEATURE_SEGMENTS, GDB_REG_SEG_BASE, GDB_SEG_FS, 64, "int", NULL),
	REG("gs_base", GDB_FEATURE_SEGMENTS, GDB_REG_SEG_BASE, GDB_SEG_GS, 64, "int", NULL),
	SYS_REGS,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

unsigned gdb_regs_count(enum gdb_arch arch)
{
	return arch == GDB_ARCH_I386 ? COUNT(i386_regs) : COUNT(x86_64_regs);
}

const struct gdb_reg_info *gdb_reg_info(enum gdb_arch arch, unsigned regno)
{
	if (regno >= gdb_regs_count(arch))
		return NULL;
	return arch == GDB_ARCH_I386 ? &i386_regs[regno] : &x86_64_regs[regno];
}

size_t gdb_reg_size(enum gdb_arch arch, unsigned regno)
{
	const struct gdb_reg_info *info = gdb_reg_info(arch, regno);
	return info ? info->bits / 8u : 0;
}

size_t gdb_regs_total_size(enum gdb_arch arch)
{
	size_t total = 0;
	for (unsigned i = 0; i < gdb_regs_count(arch); i++)
		total += gdb_reg_size(arch, i);
	return total;
}

const char *gdb_arch_name(enum gdb_arch arch)
{
	return arch == GDB_ARCH_I386 ? "i386" : "i386:x86-64";
}

static void put_le(uint8_t *out, uint64_t value, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

static uint64_t get_le(const uint8_t *in, size_t n)
{
	uint64_t value = 0;
	for (size_t i = 0; i < n && i < 8; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

static struct kvm_segment *segment(struct kvm_sregs *s, unsigned index)
{
	struct kvm_segment *segs[] = { &s->cs, &s->ss, &s->ds, &s->es, &s->fs, &s->gs };
	return index < COUNT(segs) ? segs[index] : NULL;
}

static __u64 *control_register(struct kvm_sregs *s, unsigned index)
{
	switch (index) {
	case 0:
		return &s->cr0;
	case 2:
		return &s->cr2;
	case 3:
		return &s->cr3;
	case 4:
		return &s->cr4;
	}
	return NULL;
}

/* The classification an FSAVE tag word holds: 0 valid, 1 zero, 2 special, 3 empty. */
static unsigned x87_tag_of(const uint8_t *reg)
{
	unsigned exponent = (unsigned)(reg[9] & 0x7f) << 8 | reg[8];
	uint64_t mantissa = get_le(reg, 8);
	if (exponent == 0x7fff)
		return 2;
	if (exponent == 0)
		return mantissa == 0 ? 1 : 2;
	return (mantissa >> 63) ? 0 : 2; /* no integer bit: unnormal */
}

uint16_t gdb_fpu_full_tag(const struct kvm_fpu *fpu)
{
	unsigned top = (fpu->fsw >> 11) & 7;
	uint16_t tag = 0;
	/* Abridged bit p is physical register p; fpr[] is in stack order, ST(i) = (top+i)%8. */
	for (unsigned phys = 0; phys < 8; phys++) {
		unsigned t = 3;
		if (fpu->ftwx & (1u << phys))
			t = x87_tag_of(fpu->fpr[(phys - top) & 7]);
		tag |= (uint16_t)(t << (2 * phys));
	}
	return tag;
}

uint8_t gdb_fpu_abridged_tag(uint16_t full_tag)
{
	uint8_t abridged = 0;
	for (unsigned phys = 0; phys < 8; phys++)
		if (((full_tag >> (2 * phys)) & 3) != 3)
			abridged |= (uint8_t)(1u << phys);
	return abridged;
}

static uint64_t x87_get(const struct kvm_fpu *fpu, unsigned index)
{
	switch (index) {
	case GDB_X87_FCTRL:
		return fpu->fcw;
	case GDB_X87_FSTAT:
		return fpu->fsw;
	case GDB_X87_FTAG:
		return gdb_fpu_full_tag(fpu);
	case GDB_X87_FIOFF:
		return (uint32_t)fpu->last_ip;
	case GDB_X87_FOOFF:
		return (uint32_t)fpu->last_dp;
	case GDB_X87_FOP:
		return fpu->last_opcode;
	}
	return 0; /* fiseg, foseg: not in the 64-bit FXSAVE image KVM gives */
}

/* Returns true if the value changed. */
static bool x87_set(struct kvm_fpu *fpu, unsigned index, uint32_t v)
{
	struct kvm_fpu before = *fpu;
	switch (index) {
	case GDB_X87_FCTRL:
		fpu->fcw = (uint16_t)v;
		break;
	case GDB_X87_FSTAT:
		fpu->fsw = (uint16_t)v;
		break;
	case GDB_X87_FTAG:
		fpu->ftwx = gdb_fpu_abridged_tag((uint16_t)v);
		break;
	case GDB_X87_FIOFF:
		fpu->last_ip = (fpu->last_ip & ~0xffffffffull) | v;
		break;
	case GDB_X87_FOOFF:
		fpu->last_dp = (fpu->last_dp & ~0xffffffffull) | v;
		break;
	case GDB_X87_FOP:
		fpu->last_opcode = (uint16_t)(v & 0x7ff);
		break;
	}
	return memcmp(&before, fpu, sizeof(before)) != 0;
}

static bool is_fpu_kind(unsigned kind)
{
	return kind == GDB_REG_ST || kind == GDB_REG_X87 || kind == GDB_REG_XMM ||
	       kind == GDB_REG_MXCSR;
}

bool gdb_reg_get(enum gdb_arch arch, const struct gdb_cpu_state *state, unsigned regno,
		 uint8_t *out)
{
	const struct gdb_reg_info *info = gdb_reg_info(arch, regno);
	if (!info || (is_fpu_kind(info->kind) && !state->fpu_valid))
		return false;
	size_t n = info->bits / 8u;
	struct kvm_sregs sregs = state->sregs; /* segment(), control_register() take it writable */
	uint64_t v = 0;
	switch (info->kind) {
	case GDB_REG_GPR:
		memcpy(&v, (const uint8_t *)&state->regs + gpr_offset[info->index], sizeof(v));
		break;
	case GDB_REG_RIP:
		v = state->regs.rip;
		break;
	case GDB_REG_RFLAGS:
		v = state->regs.rflags;
		break;
	case GDB_REG_SEGMENT:
		v = segment(&sregs, info->index)->selector;
		break;
	case GDB_REG_SEG_BASE:
		v = segment(&sregs, info->index)->base;
		break;
	case GDB_REG_ST:
		memcpy(out, state->fpu.fpr[info->index], n);
		return true;
	case GDB_REG_X87:
		v = x87_get(&state->fpu, info->index);
		break;
	case GDB_REG_XMM:
		memcpy(out, state->fpu.xmm[info->index], n);
		return true;
	case GDB_REG_MXCSR:
		v = state->fpu.mxcsr;
		break;
	case GDB_REG_CR:
		v = *control_register(&sregs, info->index);
		break;
	case GDB_REG_EFER:
		v = state->sregs.efer;
		break;
	}
	put_le(out, v, n);
	return true;
}

/* A narrower view (i386 registers of a 64-bit vCPU) replaces only the low bits. */
static uint64_t merge(uint64_t old, uint64_t value, unsigned bits)
{
	if (bits >= 64)
		return value;
	uint64_t mask = (1ull << bits) - 1;
	return (old & ~mask) | (value & mask);
}

static int set_u64(__u64 *field, uint64_t value, unsigned bits, int dirty)
{
	uint64_t v = merge(*field, value, bits);
	if (v == *field)
		return 0;
	*field = v;
	return dirty;
}

int gdb_reg_set(enum gdb_arch arch, struct gdb_cpu_state *state, unsigned regno,
		const uint8_t *in)
{
	const struct gdb_reg_info *info = gdb_reg_info(arch, regno);
	if (!info || (is_fpu_kind(info->kind) && !state->fpu_valid))
		return -1;
	size_t n = info->bits / 8u;
	uint64_t v = get_le(in, n);
	uint8_t *gpr;
	__u64 old;
	struct kvm_segment *seg;
	int dirty;
	switch (info->kind) {
	case GDB_REG_GPR:
		gpr = (uint8_t *)&state->regs + gpr_offset[info->index];
		memcpy(&old, gpr, sizeof(old));
		dirty = set_u64(&old, v, info->bits, GDB_DIRTY_REGS);
		memcpy(gpr, &old, sizeof(old));
		return dirty;
	case GDB_REG_RIP:
		return set_u64(&state->regs.rip, v, info->bits, GDB_DIRTY_REGS);
	case GDB_REG_RFLAGS:
		return set_u64(&state->regs.rflags, v, info->bits, GDB_DIRTY_REGS);
	case GDB_REG_SEGMENT:
		seg = segment(&state->sregs, info->index);
		if (seg->selector == (uint16_t)v)
			return 0;
		seg->selector = (uint16_t)v;
		return GDB_DIRTY_SREGS;
	case GDB_REG_SEG_BASE:
		return set_u64(&segment(&state->sregs, info->index)->base, v, 64, GDB_DIRTY_SREGS);
	case GDB_REG_ST:
	case GDB_REG_XMM: {
		uint8_t *dst = info->kind == GDB_REG_ST ? state->fpu.fpr[info->index]
							: state->fpu.xmm[info->index];
		if (memcmp(dst, in, n) == 0)
			return 0;
		memcpy(dst, in, n);
		return GDB_DIRTY_FPU;
	}
	case GDB_REG_X87:
		return x87_set(&state->fpu, info->index, (uint32_t)v) ? GDB_DIRTY_FPU : 0;
	case GDB_REG_MXCSR:
		if (state->fpu.mxcsr == (uint32_t)v)
			return 0;
		state->fpu.mxcsr = (uint32_t)v;
		return GDB_DIRTY_FPU;
	case GDB_REG_CR:
		return set_u64(control_register(&state->sregs, info->index), v, 64,
			       GDB_DIRTY_SREGS);
	case GDB_REG_EFER:
		return set_u64(&state->sregs.efer, v, 64, GDB_DIRTY_SREGS);
	}
	return -1;
}
