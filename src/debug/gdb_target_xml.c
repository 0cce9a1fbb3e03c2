/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * target.xml, generated from the register tables in gdb_regs.c so the description and the
 * 'g' packet layout cannot disagree. Feature and register names are the ones gdb's i386 and
 * amd64 code look up; the flag types only make `info registers` readable.
 */
#include "debug/gdb_regs.h"

#include <stdarg.h>
#include <stdio.h>

struct xml_out {
	char *buf;
	size_t cap, len;
	bool overflow;
};

static void emit(struct xml_out *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit(struct xml_out *x, const char *fmt, ...)
{
	if (x->overflow)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(x->buf + x->len, x->cap - x->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= x->cap - x->len) {
		x->overflow = true;
		return;
	}
	x->len += (size_t)n;
}

struct flag_bit {
	const char *name;
	unsigned bit;
};

#define FLAGS(a) a, sizeof(a) / sizeof((a)[0])

static const struct flag_bit eflags_bits[] = {
	{ "CF", 0 },  { "", 1 },    { "PF", 2 },   { "AF", 4 },   { "ZF", 6 },   { "SF", 7 },
	{ "TF", 8 },  { "IF", 9 },  { "DF", 10 },  { "OF", 11 },  { "NT", 14 },  { "RF", 16 },
	{ "VM", 17 }, { "AC", 18 }, { "VIF", 19 }, { "VIP", 20 }, { "ID", 21 },
};

static const struct flag_bit mxcsr_bits[] = {
	{ "IE", 0 },  { "DE", 1 },  { "ZE", 2 },  { "OE", 3 },  { "UE", 4 },  { "PE", 5 },
	{ "DAZ", 6 }, { "IM", 7 },  { "DM", 8 },  { "ZM", 9 },  { "OM", 10 }, { "UM", 11 },
	{ "PM", 12 }, { "FZ", 15 },
};

static const struct flag_bit cr0_bits[] = {
	{ "PE", 0 },  { "MP", 1 },  { "EM", 2 },  { "TS", 3 },  { "ET", 4 },  { "NE", 5 },
	{ "WP", 16 }, { "AM", 18 }, { "NW", 29 }, { "CD", 30 }, { "PG", 31 },
};

static const struct flag_bit cr4_bits[] = {
	{ "VME", 0 },      { "PVI", 1 },       { "TSD", 2 },         { "DE", 3 },
	{ "PSE", 4 },      { "PAE", 5 },       { "MCE", 6 },         { "PGE", 7 },
	{ "PCE", 8 },      { "OSFXSR", 9 },    { "OSXMMEXCPT", 10 }, { "UMIP", 11 },
	{ "LA57", 12 },    { "VMXE", 13 },     { "SMXE", 14 },       { "FSGSBASE", 16 },
	{ "PCIDE", 17 },   { "OSXSAVE", 18 },  { "SMEP", 20 },       { "SMAP", 21 },
	{ "PKE", 22 },
};

static const struct flag_bit efer_bits[] = {
	{ "SCE", 0 }, { "LME", 8 }, { "LMA", 10 }, { "NXE", 11 }, { "SVME", 12 }, { "FFXSR", 14 },
};

static void emit_flags(struct xml_out *x, const char *id, unsigned size,
		       const struct flag_bit *bits, size_t n)
{
	emit(x, "<flags id=\"%s\" size=\"%u\">\n", id, size);
	for (size_t i = 0; i < n; i++)
		emit(x, "  <field name=\"%s\" start=\"%u\" end=\"%u\"/>\n", bits[i].name,
		     bits[i].bit, bits[i].bit);
	emit(x, "</flags>\n");
}

static void emit_vector_types(struct xml_out *x)
{
	static const struct {
		const char *id, *type, *field;
		unsigned count;
	} vectors[] = {
		{ "v4f", "ieee_single", "v4_float", 4 },
		{ "v2d", "ieee_double", "v2_double", 2 },
		{ "v16i8", "int8", "v16_int8", 16 },
		{ "v8i16", "int16", "v8_int16", 8 },
		{ "v4i32", "int32", "v4_int32", 4 },
		{ "v2i64", "int64", "v2_int64", 2 },
	};
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		emit(x, "<vector id=\"%s\" type=\"%s\" count=\"%u\"/>\n", vectors[i].id,
		     vectors[i].type, vectors[i].count);
	emit(x, "<union id=\"vec128\">\n");
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		emit(x, "  <field name=\"%s\" type=\"%s\"/>\n", vectors[i].field, vectors[i].id);
	emit(x, "  <field name=\"uint128\" type=\"uint128\"/>\n</union>\n");
}

static void emit_types(struct xml_out *x, enum gdb_feature feature)
{
	switch (feature) {
	case GDB_FEATURE_CORE:
		emit_flags(x, "i386_eflags", 4, FLAGS(eflags_bits));
		break;
	case GDB_FEATURE_SSE:
		emit_vector_types(x);
		emit_flags(x, "i386_mxcsr", 4, FLAGS(mxcsr_bits));
		break;
	case GDB_FEATURE_SEGMENTS:
		break;
	case GDB_FEATURE_SYS:
		emit_flags(x, "millivm_cr0", 8, FLAGS(cr0_bits));
		emit_flags(x, "millivm_cr4", 8, FLAGS(cr4_bits));
		emit_flags(x, "millivm_efer", 8, FLAGS(efer_bits));
		break;
	}
}

static const char *feature_name(enum gdb_feature feature)
{
	switch (feature) {
	case GDB_FEATURE_CORE:
		return "org.gnu.gdb.i386.core";
	case GDB_FEATURE_SSE:
		return "org.gnu.gdb.i386.sse";
	case GDB_FEATURE_SEGMENTS:
		return "org.gnu.gdb.i386.segments";
	case GDB_FEATURE_SYS:
		break;
	}
	return "org.millivm.sys";
}

size_t gdb_target_xml(enum gdb_arch arch, char *out, size_t cap)
{
	struct xml_out x = { out, cap, 0, cap == 0 };
	emit(&x, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
		 "<target version=\"1.0\">\n<architecture>%s</architecture>\n",
	     gdb_arch_name(arch));
	unsigned n = gdb_regs_count(arch);
	/* The tables keep each feature's registers together, in this order. */
	for (unsigned i = 0; i < n;) {
		enum gdb_feature feature = gdb_reg_info(arch, i)->feature;
		emit(&x, "<feature name=\"%s\">\n", feature_name(feature));
		emit_types(&x, feature);
		for (; i < n && gdb_reg_info(arch, i)->feature == feature; i++) {
			const struct gdb_reg_info *r = gdb_reg_info(arch, i);
			emit(&x, "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\" regnum=\"%u\"",
			     r->name, r->bits, r->type, i);
			if (r->group)
				emit(&x, " group=\"%s\"", r->group);
			emit(&x, "/>\n");
		}
		emit(&x, "</feature>\n");
	}
	emit(&x, "</target>\n");
	return x.overflow ? 0 : x.len;
}
