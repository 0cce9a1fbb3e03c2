/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The registers gdb sees and the target description (target.xml) that tells it their layout,
 * for two architectures:
 *   GDB_ARCH_I386    "i386": 32-bit general registers, for ELF32 kernels;
 *   GDB_ARCH_X86_64  "i386:x86-64": 64-bit registers plus fs_base/gs_base, for ELF64 kernels.
 * Both carry the segment selectors, x87 and SSE registers, and a feature of our own,
 * "org.millivm.sys", with cr0, cr2, cr3, cr4 and efer as 64-bit registers.
 *
 * The view is independent of the mode the vCPU runs in: the i386 view of a vCPU in long mode
 * shows the low halves (and writes keep the high halves); the x86-64 view of a vCPU still in
 * 32-bit PVH entry mode shows the full registers, whose high halves are then zero.
 * Register numbers are positions in the description, as used by the g, G, p and P packets.
 */
#ifndef MILLIVM_DEBUG_GDB_REGS_H
#define MILLIVM_DEBUG_GDB_REGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/kvm.h>

enum gdb_arch {
	GDB_ARCH_I386,
	GDB_ARCH_X86_64,
};

/* Everything the registers are read from and written to. */
struct gdb_cpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;
	bool fpu_valid; /* KVM_GET_FPU worked; else x87/SSE registers read as unavailable */
};

/* What a write changed, so only those parts go back to KVM. */
#define GDB_DIRTY_REGS 0x1u
#define GDB_DIRTY_SREGS 0x2u
#define GDB_DIRTY_FPU 0x4u

#define GDB_REG_MAX_BYTES 16

/* Number of registers, and their total size in bytes (the 'g' packet holds twice as many
 * hex digits). */
unsigned gdb_regs_count(enum gdb_arch arch);
size_t gdb_regs_total_size(enum gdb_arch arch);

/* Size in bytes of register regno, 0 if there is no such register. */
size_t gdb_reg_size(enum gdb_arch arch, unsigned regno);

/* Which target description feature a register belongs to. */
enum gdb_feature {
	GDB_FEATURE_CORE,     /* org.gnu.gdb.i386.core */
	GDB_FEATURE_SSE,      /* org.gnu.gdb.i386.sse */
	GDB_FEATURE_SEGMENTS, /* org.gnu.gdb.i386.segments: fs_base, gs_base (x86-64 only) */
	GDB_FEATURE_SYS,      /* org.millivm.sys: control registers and EFER */
};

/* Where a register's value lives in struct gdb_cpu_state. */
enum gdb_reg_kind {
	GDB_REG_GPR,      /* index: a KVM_GPR_* slot of struct kvm_regs */
	GDB_REG_RIP,
	GDB_REG_RFLAGS,
	GDB_REG_SEGMENT,  /* selector; index: GDB_SEG_* */
	GDB_REG_SEG_BASE, /* index: GDB_SEG_FS or GDB_SEG_GS */
	GDB_REG_ST,       /* index: 0-7, stack order */
	GDB_REG_X87,      /* index: GDB_X87_* */
	GDB_REG_XMM,      /* index: 0-15 */
	GDB_REG_MXCSR,
	GDB_REG_CR,       /* index: 0, 2, 3 or 4 */
	GDB_REG_EFER,
};

enum { GDB_SEG_CS, GDB_SEG_SS, GDB_SEG_DS, GDB_SEG_ES, GDB_SEG_FS, GDB_SEG_GS };
enum { GDB_X87_FCTRL, GDB_X87_FSTAT, GDB_X87_FTAG, GDB_X87_FISEG, GDB_X87_FIOFF,
       GDB_X87_FOSEG, GDB_X87_FOOFF, GDB_X87_FOP };

struct gdb_reg_info {
	const char *name;
	const char *type;  /* target description type */
	const char *group; /* register group, NULL for gdb's default */
	uint8_t feature;   /* enum gdb_feature */
	uint8_t kind;      /* enum gdb_reg_kind */
	uint8_t index;
	uint8_t bits;
};

/* Description of register regno, NULL if there is none. */
const struct gdb_reg_info *gdb_reg_info(enum gdb_arch arch, unsigned regno);

/* Little-endian value of register regno into out (gdb_reg_size bytes). False if there is no
 * such register or its value is not available. */
bool gdb_reg_get(enum gdb_arch arch, const struct gdb_cpu_state *state, unsigned regno,
		 uint8_t *out);

/*
 * Store a little-endian value into the state. Returns a GDB_DIRTY_* mask (0 if the value is
 * unchanged) or -1 for a register that does not exist or is not available. Segment selectors
 * change only the selector (the hidden descriptor stays); fiseg and foseg are ignored (KVM's
 * 64-bit FPU image has no room for them).
 */
int gdb_reg_set(enum gdb_arch arch, struct gdb_cpu_state *state, unsigned regno,
		const uint8_t *in);

/* The target description XML; returns its length, or 0 if cap is too small. */
size_t gdb_target_xml(enum gdb_arch arch, char *out, size_t cap);

/* "i386" or "i386:x86-64". */
const char *gdb_arch_name(enum gdb_arch arch);

/* x87 tag word conversions between FXSAVE's abridged form (one bit per register) and the full
 * two-bit form gdb shows; exposed for the unit tests. */
uint16_t gdb_fpu_full_tag(const struct kvm_fpu *fpu);
uint8_t gdb_fpu_abridged_tag(uint16_t full_tag);

#endif
