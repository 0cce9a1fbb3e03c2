/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The Intel MP table (MultiProcessor Specification 1.4, design.md section 4): the floating
 * pointer and the configuration table parsed back entry by entry, the way a guest reads them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/boot.h"
#include "core/guest_mem.h"
#include "fake_ram.h"
#include "core/vm.h"
#include "millivm/abi.h"
#include "millivm/layout.h"
#include "x86/mptable.h"

#define BASE_GPA 0x9fc00u
#define SIGNATURE 0x000306c3u /* CPUID 1 EAX of some Haswell */
#define FEATURES 0x178bfbffu  /* CPUID 1 EDX */

/* A table parsed back: pointers into the buffer, one per entry, by kind. */
struct parsed {
	const struct mpf_intel *mpf;
	const struct mpc_table *mpc;
	const struct mpc_cpu *cpu[MPTABLE_MAX_CPUS + 1];
	unsigned ncpu;
	const struct mpc_bus *bus[4];
	unsigned nbus;
	const struct mpc_ioapic *ioapic[4];
	unsigned nioapic;
	const struct mpc_intsrc *intsrc[64];
	unsigned nintsrc;
	const struct mpc_lintsrc *lint[8];
	unsigned nlint;
	unsigned entries;
};

struct fixture {
	uint8_t *buf;
	size_t size;
	struct parsed p;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->buf);
	free(f);
	return 0;
}

static uint8_t byte_sum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

/* Walk the base table as a guest would; fails on an unknown type or a table overrun. */
static void parse(const uint8_t *buf, size_t size, struct parsed *p)
{
	memset(p, 0, sizeof(*p));
	assert_true(size >= sizeof(struct mpf_intel) + sizeof(struct mpc_table));
	p->mpf = (const struct mpf_intel *)buf;
	assert_int_equal(p->mpf->physptr, BASE_GPA + sizeof(struct mpf_intel));
	p->mpc = (const struct mpc_table *)(buf + (p->mpf->physptr - BASE_GPA));
	const uint8_t *at = (const uint8_t *)(p->mpc + 1);
	const uint8_t *end = (const uint8_t *)p->mpc + p->mpc->length;
	assert_true(end <= buf + size);
	int last_type = -1;
	while (at < end) {
		int type = at[0];
		assert_true(type >= last_type); /* the spec orders entries by type */
		last_type = type;
		size_t len = type == MP_PROCESSOR ? sizeof(struct mpc_cpu) : 8;
		assert_true(at + len <= end);
		switch (type) {
		case MP_PROCESSOR: p->cpu[p->ncpu++] = (const void *)at; break;
		case MP_BUS: p->bus[p->nbus++] = (const void *)at; break;
		case MP_IOAPIC: p->ioapic[p->nioapic++] = (const void *)at; break;
		case MP_INTSRC: p->intsrc[p->nintsrc++] = (const void *)at; break;
		case MP_LINTSRC: p->lint[p->nlint++] = (const void *)at; break;
		default: fail_msg("unknown MP entry type %d", type);
		}
		assert_true(p->ncpu <= MPTABLE_MAX_CPUS && p->nbus < 4 && p->nioapic < 4 &&
			    p->nintsrc < 64 && p->nlint < 8);
		p->entries++;
		at += len;
	}
}

static void build(struct fixture *f, unsigned cpus, uint32_t level_irqs)
{
	const struct mptable_config cfg = { .cpus = cpus, .cpu_signature = SIGNATURE,
					    .cpu_features = FEATURES, .level_irqs = level_irqs };
	free(f->buf);
	f->size = mptable_size(cpus);
	f->buf = malloc(f->size);
	assert_non_null(f->buf);
	memset(f->buf, 0xcc, f->size);
	assert_int_equal(mptable_build(f->buf, f->size, BASE_GPA, &cfg), f->size);
	parse(f->buf, f->size, &f->p);
}

/* The I/O interrupt entry for an IOAPIC pin; exactly one must exist. */
static const struct mpc_intsrc *entry_for_pin(const struct parsed *p, unsigned pin)
{
	const struct mpc_intsrc *found = NULL;
	for (unsigned i = 0; i < p->nintsrc; i++) {
		if (p->intsrc[i]->dstirq != pin)
			continue;
		if (found)
			fail_msg("two I/O interrupt entries for pin %u", pin);
		found = p->intsrc[i];
	}
	if (!found)
		fail_msg("no I/O interrupt entry for pin %u", pin);
	return found;
}

/* ------------------------------------------------------------------------ headers */

static void test_floating_pointer(void **state)
{
	struct fixture *f = *state;
	build(f, 2, 0);
	const struct mpf_intel *mpf = f->p.mpf;
	assert_memory_equal(mpf->signature, "_MP_", 4);
	assert_int_equal(mpf->physptr, BASE_GPA + 16);
	assert_int_equal(mpf->length, 1);
	assert_int_equal(mpf->specification, 4);
	assert_int_equal(byte_sum(mpf, 16), 0);
	assert_int_equal(mpf->feature1, 0); /* a configuration table is present */
	assert_int_equal(mpf->feature2, 0); /* virtual wire mode, no IMCR */
	assert_int_equal(mpf->feature3[0] | mpf->feature3[1] | mpf->feature3[2], 0);
	assert_int_equal((uintptr_t)BASE_GPA % 16, 0);
}

static void test_config_header(void **state)
{
	struct fixture *f = *state;
	build(f, 4, 1u << 5);
	const struct mpc_table *mpc = f->p.mpc;
	assert_memory_equal(mpc->signature, "PCMP", 4);
	assert_int_equal(mpc->length, f->size - sizeof(struct mpf_intel));
	assert_int_equal(mpc->spec, 4);
	assert_int_equal(byte_sum(mpc, mpc->length), 0);
	assert_int_equal(mpc->lapic, 0xfee00000u);
	assert_int_equal(mpc->oemptr, 0);
	assert_int_equal(mpc->oemsize, 0);
	assert_int_equal(mpc->reserved, 0); /* no extended table */
	assert_int_equal(mpc->ext_checksum, 0);
	/* oemcount is what a guest loops over: it must match what is there */
	assert_int_equal(mpc->oemcount, f->p.entries);
	assert_int_equal(f->p.entries, 4 + 1 + 1 + 24 + 2);
	for (size_t i = 0; i < sizeof(mpc->oem); i++)
		assert_true(mpc->oem[i] >= ' ' && mpc->oem[i] < 0x7f);
}

static void test_checksums_cover_every_byte(void **state)
{
	struct fixture *f = *state;
	build(f, 3, 0);
	/* flip one byte anywhere in the table: the checksum must notice */
	uint8_t *last = f->buf + f->size - 1;
	*last ^= 0x01;
	assert_int_not_equal(byte_sum(f->p.mpc, f->p.mpc->length), 0);
}

/* ------------------------------------------------------------------------ entries */

static void check_cpus(struct fixture *f, unsigned n)
{
	build(f, n, 0);
	assert_int_equal(f->p.ncpu, n);
	unsigned bsps = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct mpc_cpu *c = f->p.cpu[i];
		assert_int_equal(c->apicid, i);
		assert_true(c->cpuflag & MP_CPU_ENABLED);
		if (c->cpuflag & MP_CPU_BSP) {
			bsps++;
			assert_int_equal(c->apicid, 0);
		}
		assert_int_equal(c->apicver, MP_LAPIC_VERSION);
		assert_int_equal(c->cpufeature, SIGNATURE);
		assert_int_equal(c->featureflag, FEATURES);
		assert_int_equal(c->reserved[0] | c->reserved[1], 0);
	}
	assert_int_equal(bsps, 1);
}

static void test_cpu_entries(void **state)
{
	check_cpus(*state, 1);
	check_cpus(*state, 2);
	check_cpus(*state, 8);
	check_cpus(*state, 37);
}

static void test_isa_bus(void **state)
{
	struct fixture *f = *state;
	build(f, 1, 0);
	assert_int_equal(f->p.nbus, 1);
	assert_int_equal(f->p.bus[0]->busid, 0);
	assert_memory_equal(f->p.bus[0]->bustype, "ISA   ", 6);
}

static void test_ioapic(void **state)
{
	struct fixture *f = *state;
	build(f, 6, 0);
	assert_int_equal(f->p.nioapic, 1);
	const struct mpc_ioapic *io = f->p.ioapic[0];
	assert_int_equal(io->apicid, 6); /* the first id after the CPUs' */
	assert_int_equal(io->apicver, 0x11);
	assert_int_equal(io->flags, MP_IOAPIC_USABLE);
	assert_int_equal(io->apicaddr, 0xfec00000u);
	for (unsigned i = 0; i < f->p.ncpu; i++)
		assert_int_not_equal(f->p.cpu[i]->apicid, io->apicid);
}

/*
 * The MP specification's default configuration (section 5.3, table 5-2) for 24 pins: the
 * 8259 as ExtINT on pin 0, the timer (ISA IRQ 0) on pin 2, IRQ n on pin n otherwise; IRQ 2,
 * the cascade, goes nowhere. Edge-triggered ISA interrupts keep conforming flags.
 */
static void test_io_interrupts(void **state)
{
	struct fixture *f = *state;
	build(f, 2, 0);
	assert_int_equal(f->p.nintsrc, MP_IOAPIC_PINS);
	uint8_t ioapic_id = f->p.ioapic[0]->apicid;
	for (unsigned pin = 0; pin < MP_IOAPIC_PINS; pin++) {
		const struct mpc_intsrc *e = entry_for_pin(&f->p, pin);
		assert_int_equal(e->srcbus, MP_ISA_BUS_ID);
		assert_int_equal(e->dstapic, ioapic_id);
		assert_int_equal(e->irqflag, MP_IRQPOL_DEFAULT | MP_IRQTRIG_DEFAULT);
		if (pin == 0) {
			assert_int_equal(e->irqtype, MP_EXTINT);
			assert_int_equal(e->srcbusirq, 0);
		} else if (pin == 2) {
			assert_int_equal(e->irqtype, MP_INT);
			assert_int_equal(e->srcbusirq, 0); /* the timer */
		} else {
			assert_int_equal(e->irqtype, MP_INT);
			assert_int_equal(e->srcbusirq, pin);
		}
	}
	for (unsigned i = 0; i < f->p.nintsrc; i++) {
		const struct mpc_intsrc *e = f->p.intsrc[i];
		if (e->srcbusirq == 2)
			fail_msg("ISA IRQ 2 (the cascade) routed to pin %u", e->dstirq);
		/* a vectored IRQ 0 reaches the IOAPIC only on pin 2 */
		if (e->srcbusirq == 0 && e->irqtype == MP_INT)
			assert_int_equal(e->dstirq, 2);
	}
}

/* virtio IRQs are level-triggered, active-high, said explicitly (NetBSD, design.md §4) */
static void test_level_irqs(void **state)
{
	struct fixture *f = *state;
	const uint32_t level = (1u << 5) | (1u << 6) | (1u << 11) | (1u << 23);
	build(f, 1, level);
	for (unsigned pin = 0; pin < MP_IOAPIC_PINS; pin++) {
		const struct mpc_intsrc *e = entry_for_pin(&f->p, pin);
		if (level & (1u << pin)) {
			assert_int_equal(e->irqflag, MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_LEVEL);
			assert_int_equal(e->irqtype, MP_INT);
			assert_int_equal(e->srcbusirq, pin);
		} else {
			assert_int_equal(e->irqflag, 0);
		}
	}
	assert_int_equal(byte_sum(f->p.mpc, f->p.mpc->length), 0);
}

static void test_local_interrupts(void **state)
{
	struct fixture *f = *state;
	build(f, 4, 0);
	assert_int_equal(f->p.nlint, 2);
	bool extint_on_lint0 = false, nmi_on_lint1 = false;
	for (unsigned i = 0; i < f->p.nlint; i++) {
		const struct mpc_lintsrc *e = f->p.lint[i];
		assert_int_equal(e->destapic, MP_APIC_ALL);
		assert_int_equal(e->srcbusid, MP_ISA_BUS_ID);
		if (e->irqtype == MP_EXTINT && e->destapiclint == 0)
			extint_on_lint0 = true;
		if (e->irqtype == MP_NMI && e->destapiclint == 1)
			nmi_on_lint1 = true;
	}
	assert_true(extint_on_lint0);
	assert_true(nmi_on_lint1);
}

/* ------------------------------------------------------------------------ limits */

static void test_cpu_count_limits(void **state)
{
	(void)state;
	static uint8_t buf[8192];
	struct mptable_config cfg = { .cpus = 0 };
	memset(buf, 0xcc, sizeof(buf));
	assert_int_equal(mptable_build(buf, sizeof(buf), BASE_GPA, &cfg), 0);
	cfg.cpus = 255; /* the IOAPIC id would not fit in 8 bits */
	assert_true(mptable_size(255) <= sizeof(buf));
	assert_int_equal(mptable_build(buf, sizeof(buf), BASE_GPA, &cfg), 0);
	assert_int_equal(buf[0], 0xcc); /* nothing written on refusal */
}

static void test_254_cpus_fit(void **state)
{
	struct fixture *f = *state;
	build(f, MPTABLE_MAX_CPUS, 0);
	assert_int_equal(MPTABLE_MAX_CPUS, 254);
	assert_int_equal(f->p.ncpu, 254);
	assert_int_equal(f->p.cpu[253]->apicid, 253);
	assert_int_equal(f->p.ioapic[0]->apicid, 254);
	assert_int_equal(f->p.mpc->oemcount, 254 + 1 + 1 + 24 + 2);
	assert_int_equal(byte_sum(f->p.mpc, f->p.mpc->length), 0);
}

static void test_buffer_too_small(void **state)
{
	(void)state;
	const struct mptable_config cfg = { .cpus = 2 };
	size_t need = mptable_size(2);
	uint8_t *buf = malloc(need);
	assert_non_null(buf);
	memset(buf, 0xcc, need);
	assert_int_equal(mptable_build(buf, need - 1, BASE_GPA, &cfg), 0);
	assert_int_equal(buf[0], 0xcc);
	assert_int_equal(mptable_build(buf, need, BASE_GPA, &cfg), need);
	free(buf);
}

static void test_checksum_helper(void **state)
{
	(void)state;
	const uint8_t bytes[] = { 1, 2, 3, 250 };
	assert_int_equal(mptable_checksum(bytes, sizeof(bytes)), 0);
	const uint8_t more[] = { 0x10, 0x20 };
	assert_int_equal(mptable_checksum(more, sizeof(more)), 0xd0);
	assert_int_equal(mptable_checksum(more, 0), 0);
}

/* ------------------------------------------------------------------------ in guest RAM */

/* A struct vm with just what boot_write_mptable() reads, in a fixture (freed on failure). */
static int setup_vm(void **state)
{
	struct vm *vm = calloc(1, sizeof(*vm));
	if (!vm || fake_guest_ram_alloc(&vm->mem, MiB(2)) < 0) {
		free(vm);
		return -1;
	}
	vm->cpu_signature = SIGNATURE;
	vm->cpu_features = FEATURES;
	vm->level_irqs = 1u << 5;
	*state = vm;
	return 0;
}

static int teardown_vm(void **state)
{
	struct vm *vm = *state;
	fake_guest_ram_free(&vm->mem);
	free(vm);
	return 0;
}

static void check_boot_write(struct vm *vm, unsigned cpus)
{
	struct error err;
	vm->nvcpus = cpus;
	if (boot_write_mptable(vm, &err) != 0)
		fail_msg("boot_write_mptable(%u CPUs): %s", cpus, err.msg);
	size_t size = mptable_size(cpus);
	const uint8_t *table = gpa_range(&vm->mem, LAYOUT_MPTABLE, size);
	assert_non_null(table);
	struct parsed p;
	parse(table, size, &p);
	assert_memory_equal(p.mpf->signature, "_MP_", 4);
	assert_int_equal(p.ncpu, cpus);
	assert_int_equal(p.intsrc[5]->irqflag, MP_IRQPOL_ACTIVE_HIGH | MP_IRQTRIG_LEVEL);
	/* found by the guest's scan of the last KiB below 640 KiB, and kept in reserved RAM */
	assert_int_equal(LAYOUT_MPTABLE, 0x9fc00);
	assert_true(LAYOUT_MPTABLE + size <= LAYOUT_HIMEM_START);
}

static void test_boot_write_mptable_one_cpu(void **state)
{
	check_boot_write(*state, 1);
}

/* -c accepts up to VM_MAX_VCPUS; the table for that many must be writable at boot. */
static void test_boot_write_mptable_max_cpus(void **state)
{
	check_boot_write(*state, VM_MAX_VCPUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_floating_pointer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_header, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checksums_cover_every_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_entries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_isa_bus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ioapic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_level_irqs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_interrupts, setup, teardown),
		cmocka_unit_test(test_cpu_count_limits),
		cmocka_unit_test_setup_teardown(test_254_cpus_fit, setup, teardown),
		cmocka_unit_test(test_buffer_too_small),
		cmocka_unit_test(test_checksum_helper),
		cmocka_unit_test_setup_teardown(test_boot_write_mptable_one_cpu, setup_vm,
						teardown_vm),
		cmocka_unit_test_setup_teardown(test_boot_write_mptable_max_cpus, setup_vm,
						teardown_vm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
