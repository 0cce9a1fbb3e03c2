// SPDX-License-Identifier: BSD-2-Clause
#include "options.h"

#include "strings.h"

#define MAX_EXPECT_CPUS 255
#define ISA_IRQS 32

/* Words end at NUL, space, tab or newline: one comparison covers them all. */
static bool at_word_end(const char *p)
{
	return (unsigned char)*p <= ' ';
}

/* Reads "<number>" ending the word; false (and the word is bad) otherwise. */
static bool word_number(const char *value, bool allow_size_suffix, uint64_t *out)
{
	return parse_u64(&value, allow_size_suffix, out) && at_word_end(value);
}

/*
 * virtio_mmio.device=<size>@<base>:<irq>[:<id>]: the MP check wants the IRQ only, so the size
 * and base are skipped here (virtio_mmio.c parses the whole token when it probes).
 */
static bool virtio_device_irq(const char *value, uint32_t *irqs)
{
	uint64_t irq;

	while (*value != '@')
		if (at_word_end(value++))
			return false;
	while (*value != ':')
		if (at_word_end(value++))
			return false;
	value++;
	if (!parse_u64(&value, false, &irq) || irq >= ISA_IRQS || !(at_word_end(value) || *value == ':'))
		return false;
	*irqs |= 1u << irq;
	return true;
}

static bool parse_exit(const char *value, struct options *opts)
{
	uint64_t n;

	if (!word_number(value, false, &n) || n > 255)
		return false;
	opts->exit_now = true;
	opts->exit_status = (uint8_t)n;
	return true;
}

/* spin=MS, at most 10 minutes. */
static bool parse_spin(const char *value, struct options *opts)
{
	uint64_t n;

	if (!word_number(value, false, &n) || n > 600000)
		return false;
	opts->spin_ms = (uint32_t)n;
	return true;
}

static bool parse_fault(const char *value, struct options *opts)
{
	if (skip_prefix(value, "triple") && at_word_end(value + 6))
		opts->fault = FAULT_TRIPLE;
	else if (skip_prefix(value, "ud") && at_word_end(value + 2))
		opts->fault = FAULT_UD;
	else
		return false;
	return true;
}

/* The expect_* family; name is what follows "expect_". */
static bool parse_expectation(const char *name, struct options *opts)
{
	const char *value;
	uint64_t n;

	if ((value = skip_prefix(name, "mem="))) {
		opts->has_expect_mem = true;
		return word_number(value, true, &opts->expect_mem);
	}
	if ((value = skip_prefix(name, "cpus="))) {
		if (!word_number(value, false, &n) || n == 0 || n > MAX_EXPECT_CPUS)
			return false;
		opts->expect_cpus = (uint32_t)n;
		return true;
	}
	if ((value = skip_prefix(name, "initrd_size="))) {
		opts->has_initrd_size = true;
		opts->initrd = INITRD_SOME;
		return word_number(value, true, &opts->initrd_size);
	}
	if ((value = skip_prefix(name, "initrd_fnv="))) {
		if (!word_number(value, false, &n) || n > UINT32_MAX)
			return false;
		opts->initrd_fnv = (uint32_t)n;
		opts->has_initrd_fnv = true;
		opts->initrd = INITRD_SOME;
		return true;
	}
	if ((value = skip_prefix(name, "cid=")))
		return word_number(value, false, &opts->virtio.expect_cid) &&
		       opts->virtio.expect_cid >= 3;
	if ((value = skip_prefix(name, "acpi")) && at_word_end(value)) {
		opts->expect_acpi = true;
		return true;
	}
	if ((value = skip_prefix(name, "initrd="))) {
		opts->initrd = INITRD_NONE;
		return skip_prefix(value, "none") && at_word_end(value + 4);
	}
	return true; /* some other expect_*: not ours */
}

/*
 * One word of the command line. Returns false if it is ours but malformed. Dispatches on the
 * first letter so that a word costs a few comparisons, not one per known parameter.
 */
static bool parse_word(const char *word, struct options *opts)
{
	const char *value;

	switch (word[0]) {
	case 'q':
		if (skip_prefix(word, "quiet") && at_word_end(word + 5))
			opts->quiet = true;
		return true;
	case 'a':
		if ((value = skip_prefix(word, "acpi_off="))) {
			if (skip_prefix(value, "poweroff") && at_word_end(value + 8))
				opts->acpi_off = ACPI_OFF_POWEROFF;
			else if (skip_prefix(value, "reset") && at_word_end(value + 5))
				opts->acpi_off = ACPI_OFF_RESET;
			else
				return false;
		}
		return true;
	case 'e':
		if ((value = skip_prefix(word, "exit=")))
			return parse_exit(value, opts);
		if (skip_prefix(word, "expect_mac="))
			return virtio_option_word(word, &opts->virtio);
		if ((value = skip_prefix(word, "expect_")))
			return parse_expectation(value, opts);
		return true;
	case 'f':
		if ((value = skip_prefix(word, "fault=")))
			return parse_fault(value, opts);
		return true;
	case 's':
		if ((value = skip_prefix(word, "spin=")))
			return parse_spin(value, opts);
		return true;
	case 'v':
		if ((value = skip_prefix(word, "virtio_mmio.device=")))
			return virtio_device_irq(value, &opts->virtio_irqs) &&
			       virtio_option_token(value, &opts->virtio);
		return virtio_option_word(word, &opts->virtio);
	case 'b':
	case 'h':
	case 'n': /* net_ip=, net_gw=, net_udp_echo= (virtio_net.c) */
	case 't': /* tsc_khz= (blk_bench=) */
		return virtio_option_word(word, &opts->virtio);
	default:
		return true;
	}
}

void parse_options(const char *cmdline, struct options *opts)
{
	const char *p = cmdline;

	*opts = (struct options){ .expect_cpus = 1 };
	if (!p)
		return;
	for (;;) {
		while (*p && at_word_end(p))
			p++;
		if (!*p)
			break;
		if (!parse_word(p, opts) && !opts->bad_parameter)
			opts->bad_parameter = p;
		while (!at_word_end(p))
			p++;
	}
	opts->cmdline_length = (uint64_t)(p - cmdline);
}
