/* SPDX-License-Identifier: BSD-2-Clause */
#include "aml.h"

#include <string.h>

/* Opcodes and prefixes (ACPI 6.3 section 20.3) */
#define AML_ZERO 0x00
#define AML_ONE 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_DUAL_NAME_PREFIX 0x2e
#define AML_MULTI_NAME_PREFIX 0x2f
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR '\\'

#define AML_NAME_SEG_LEN 4
#define AML_MAX_SEGS 255

/* Resource descriptor tags (large items carry a 16-bit length after the tag) */
#define RES_IRQ_NOFLAGS 0x22 /* small item: IRQ, 2-byte mask */
#define RES_IO 0x47          /* small item: I/O port range, 7 bytes */
#define RES_END_TAG 0x79
#define RES_IO_DECODE16 0x01
#define RES_MEMORY32_FIXED 0x86
#define RES_EXTENDED_INTERRUPT 0x89
#define RES_MEM_WRITABLE 0x01
#define RES_IRQ_CONSUMER 0x01
#define RES_IRQ_EDGE 0x02
#define RES_IRQ_ACTIVE_LOW 0x04

void aml_init(struct aml *a, uint8_t *buf, size_t cap)
{
	*a = (struct aml){ .buf = buf, .cap = cap };
}

void aml_bytes(struct aml *a, const void *data, size_t len)
{
	if (a->error || len > a->cap - a->len) {
		a->error = true;
		return;
	}
	memcpy(a->buf + a->len, data, len);
	a->len += len;
}

void aml_byte(struct aml *a, uint8_t byte)
{
	aml_bytes(a, &byte, 1);
}

static void put_le(struct aml *a, uint64_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		aml_byte(a, (uint8_t)(value >> (8 * i)));
}

static bool seg_char_ok(char c, bool lead)
{
	return (c >= 'A' && c <= 'Z') || c == '_' || (!lead && c >= '0' && c <= '9');
}

/* The seg at *name up to '.' or the end, padded to 4 characters; advances *name. */
static bool take_seg(const char **name, char seg[AML_NAME_SEG_LEN])
{
	const char *p = *name;
	size_t n = 0;
	while (p[n] && p[n] != '.')
		n++;
	if (n == 0 || n > AML_NAME_SEG_LEN)
		return false;
	for (size_t i = 0; i < AML_NAME_SEG_LEN; i++) {
		seg[i] = i < n ? p[i] : '_';
		if (!seg_char_ok(seg[i], i == 0))
			return false;
	}
	*name = p[n] == '.' ? p + n + 1 : p + n;
	return p[n] != '.' || p[n + 1] != '\0'; /* no trailing dot */
}

void aml_name_string(struct aml *a, const char *name)
{
	char segs[AML_MAX_SEGS][AML_NAME_SEG_LEN];
	size_t count = 0;
	bool root = *name == AML_ROOT_CHAR;
	const char *p = name + root;
	while (*p) {
		if (count == AML_MAX_SEGS || !take_seg(&p, segs[count])) {
			a->error = true;
			return;
		}
		count++;
	}
	if (root)
		aml_byte(a, AML_ROOT_CHAR);
	if (count == 0) {
		aml_byte(a, AML_ZERO); /* NullName: the root alone */
		return;
	}
	if (count == 2) {
		aml_byte(a, AML_DUAL_NAME_PREFIX);
	} else if (count > 2) {
		aml_byte(a, AML_MULTI_NAME_PREFIX);
		aml_byte(a, (uint8_t)count);
	}
	aml_bytes(a, segs, count * AML_NAME_SEG_LEN);
}

void aml_integer(struct aml *a, uint64_t value)
{
	if (value == 0) {
		aml_byte(a, AML_ZERO);
	} else if (value == 1) {
		aml_byte(a, AML_ONE);
	} else if (value <= UINT8_MAX) {
		aml_byte(a, AML_BYTE_PREFIX);
		put_le(a, value, 1);
	} else if (value <= UINT16_MAX) {
		aml_byte(a, AML_WORD_PREFIX);
		put_le(a, value, 2);
	} else if (value <= UINT32_MAX) {
		aml_byte(a, AML_DWORD_PREFIX);
		put_le(a, value, 4);
	} else {
		aml_byte(a, AML_QWORD_PREFIX);
		put_le(a, value, 8);
	}
}

void aml_string(struct aml *a, const char *s)
{
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if (*c > 0x7f)
			a->error = true;
	aml_byte(a, AML_STRING_PREFIX);
	aml_bytes(a, s, strlen(s) + 1);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool aml_eisa_id_value(const char *id, uint32_t *value)
{
	if (strlen(id) != 7)
		return false;
	/* Big-endian: 0, three 5-bit letters ('A' = 1), four 4-bit hex digits. */
	uint32_t v = 0;
	for (int i = 0; i < 3; i++) {
		if (id[i] < 'A' || id[i] > 'Z')
			return false;
		v = v << 5 | (uint32_t)(id[i] - 'A' + 1);
	}
	for (int i = 3; i < 7; i++) {
		int d = hex_digit(id[i]);
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	/* ...stored as the bytes of that big-endian word, read as a little-endian integer */
	*value = (v >> 24) | ((v >> 8) & 0xff00) | ((v << 8) & 0xff0000) | (v << 24);
	return true;
}

void aml_eisa_id(struct aml *a, const char *id)
{
	uint32_t v;
	if (!aml_eisa_id_value(id, &v)) {
		a->error = true;
		return;
	}
	aml_byte(a, AML_DWORD_PREFIX); /* always a DWord, as ASL's EisaId() emits it */
	put_le(a, v, 4);
}

void aml_name(struct aml *a, const char *name)
{
	aml_byte(a, AML_NAME_OP);
	aml_name_string(a, name);
}

size_t aml_pkg_length(uint8_t out[4], size_t body)
{
	size_t n, total;
	if (body + 1 <= 0x3f) {
		out[0] = (uint8_t)(body + 1);
		return 1;
	}
	for (n = 2; n <= 4; n++) {
		total = body + n;
		if (total < (size_t)1 << (4 + 8 * (n - 1)))
			break;
	}
	if (n > 4)
		return 0;
	/* Lead byte: bits 7-6 the count of bytes that follow, bits 3-0 the low nibble. */
	out[0] = (uint8_t)(((n - 1) << 6) | (total & 0x0f));
	for (size_t i = 1; i < n; i++)
		out[i] = (uint8_t)(total >> (4 + 8 * (i - 1)));
	return n;
}

/* The contents start at mark; the PkgLength goes in front of them. */
static size_t begin_package(struct aml *a)
{
	return a->len;
}

void aml_end(struct aml *a, size_t mark)
{
	if (a->error)
		return;
	uint8_t enc[4];
	size_t body = a->len - mark;
	size_t n = aml_pkg_length(enc, body);
	if (n == 0 || n > a->cap - a->len) {
		a->error = true;
		return;
	}
	memmove(a->buf + mark + n, a->buf + mark, body);
	memcpy(a->buf + mark, enc, n);
	a->len += n;
}

size_t aml_scope_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_SCOPE_OP);
	size_t mark = begin_package(a);
	aml_name_string(a, name);
	return mark;
}

size_t aml_device_begin(struct aml *a, const char *name)
{
	aml_byte(a, AML_EXT_OP_PREFIX);
	aml_byte(a, AML_DEVICE_OP);
	size_t mark = begin_package(a);
	aml_name_string(a, name);
	return mark;
}

size_t aml_package_begin(struct aml *a, uint8_t elements)
{
	aml_byte(a, AML_PACKAGE_OP);
	size_t mark = begin_package(a);
	aml_byte(a, elements);
	return mark;
}

void aml_buffer(struct aml *a, const void *data, size_t len)
{
	aml_byte(a, AML_BUFFER_OP);
	size_t mark = begin_package(a);
	aml_integer(a, len);
	aml_bytes(a, data, len);
	aml_end(a, mark);
}

static void store_le(uint8_t *out, uint32_t value, unsigned bytes)
{
	for (unsigned i = 0; i < bytes; i++)
		out[i] = (uint8_t)(value >> (8 * i));
}

void aml_res_memory32_fixed(uint8_t out[AML_RES_MEMORY32_FIXED_SIZE], bool writable,
			    uint32_t base, uint32_t length)
{
	out[0] = RES_MEMORY32_FIXED;
	store_le(out + 1, AML_RES_MEMORY32_FIXED_SIZE - 3, 2);
	out[3] = writable ? RES_MEM_WRITABLE : 0;
	store_le(out + 4, base, 4);
	store_le(out + 8, length, 4);
}

void aml_res_interrupt(uint8_t out[AML_RES_INTERRUPT_SIZE], bool level, bool active_low,
		       uint32_t gsi)
{
	out[0] = RES_EXTENDED_INTERRUPT;
	store_le(out + 1, AML_RES_INTERRUPT_SIZE - 3, 2);
	out[3] = RES_IRQ_CONSUMER | (level ? 0 : RES_IRQ_EDGE) | (active_low ? RES_IRQ_ACTIVE_LOW : 0);
	out[4] = 1; /* interrupt table length */
	store_le(out + 5, gsi, 4);
}

void aml_res_io(uint8_t out[AML_RES_IO_SIZE], uint16_t port, uint8_t length)
{
	out[0] = RES_IO;
	out[1] = RES_IO_DECODE16;
	store_le(out + 2, port, 2); /* minimum base */
	store_le(out + 4, port, 2); /* maximum base: fixed */
	out[6] = 0;                 /* alignment: none needed for a fixed range */
	out[7] = length;
}

void aml_res_irq_noflags(uint8_t out[AML_RES_IRQ_NOFLAGS_SIZE], unsigned irq)
{
	out[0] = RES_IRQ_NOFLAGS;
	store_le(out + 1, irq < 16 ? 1u << irq : 0, 2);
}

void aml_res_end(uint8_t out[AML_RES_END_SIZE])
{
	out[0] = RES_END_TAG;
	out[1] = 0;
}
