/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A tiny AML (ACPI Machine Language) emitter: just what millivm's DSDT needs (ACPI 6.3
 * section 20): names, integers, strings, EISA ids, packages, buffers, scopes and devices, and
 * the resource descriptors of virtio-mmio windows and of the legacy ISA devices. Appends to a caller's buffer; running out of
 * room or a bad name sets a sticky error instead of writing past the end.
 */
#ifndef MILLIVM_AML_H
#define MILLIVM_AML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct aml {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool error; /* out of room, a bad name or a package too large: the output is unusable */
};

void aml_init(struct aml *a, uint8_t *buf, size_t cap);

void aml_byte(struct aml *a, uint8_t byte);
void aml_bytes(struct aml *a, const void *data, size_t len);

/*
 * A NameString: an optional leading '\' (the root), then NameSegs separated by '.'. A seg is
 * 1-4 characters, [A-Z_] then [A-Z0-9_], padded with '_' ("_SB" is "_SB_").
 */
void aml_name_string(struct aml *a, const char *name);

/* The shortest encoding: ZeroOp, OneOp, or a Byte/Word/DWord/QWord constant. */
void aml_integer(struct aml *a, uint64_t value);

/* A String constant (printable ASCII, NUL-terminated in the AML). */
void aml_string(struct aml *a, const char *s);

/*
 * The 32-bit compressed EISA id of "PNPxxxx"-style ids (three letters, four hex digits), as
 * ASL's EisaId() makes it. Returns false (and emits nothing) if id has another shape.
 */
bool aml_eisa_id_value(const char *id, uint32_t *value);
void aml_eisa_id(struct aml *a, const char *id);

/* Name(name, ...): the caller emits the data object that follows. */
void aml_name(struct aml *a, const char *name);

/*
 * Objects with a PkgLength: begin returns a mark for the matching aml_end, which encodes the
 * length once the contents are known (moving them if the length needs more than one byte).
 */
size_t aml_scope_begin(struct aml *a, const char *name);
size_t aml_device_begin(struct aml *a, const char *name);
size_t aml_package_begin(struct aml *a, uint8_t elements);
void aml_end(struct aml *a, size_t mark);

/* Buffer(len) { data } */
void aml_buffer(struct aml *a, const void *data, size_t len);

/*
 * The PkgLength in front of body bytes: it counts itself too, so it takes 1-4 bytes. Writes
 * them to out and returns how many, or 0 if the package is too large (2^28 bytes).
 */
size_t aml_pkg_length(uint8_t out[4], size_t body);

/* Resource descriptors (ACPI 6.3 section 6.4), for a ResourceTemplate's buffer. */
#define AML_RES_MEMORY32_FIXED_SIZE 12
#define AML_RES_INTERRUPT_SIZE 9 /* one interrupt */
#define AML_RES_END_SIZE 2
#define AML_RES_IO_SIZE 8
#define AML_RES_IRQ_NOFLAGS_SIZE 3

/* Memory32Fixed(ReadWrite or ReadOnly, base, length) */
void aml_res_memory32_fixed(uint8_t out[AML_RES_MEMORY32_FIXED_SIZE], bool writable,
			    uint32_t base, uint32_t length);

/* Interrupt(ResourceConsumer, Level or Edge, ActiveHigh or ActiveLow, Exclusive) { gsi } */
void aml_res_interrupt(uint8_t out[AML_RES_INTERRUPT_SIZE], bool level, bool active_low,
		       uint32_t gsi);

/* IO(Decode16, port, port, 0, length): a fixed range of I/O ports */
void aml_res_io(uint8_t out[AML_RES_IO_SIZE], uint16_t port, uint8_t length);

/* IRQNoFlags() { irq }: an ISA IRQ, edge-triggered, active high (irq 0-15) */
void aml_res_irq_noflags(uint8_t out[AML_RES_IRQ_NOFLAGS_SIZE], unsigned irq);

/* The end tag; checksum 0 (the descriptors are not summed). */
void aml_res_end(uint8_t out[AML_RES_END_SIZE]);

#endif
