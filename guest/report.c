// SPDX-License-Identifier: BSD-2-Clause
#include "report.h"

#include <stdarg.h>

#include "console.h"
#include "format.h"
#include "strings.h"

#define VERDICT_PREFIX "millivm-refguest: "

static const char *const check_names[CHECK_LAST + 1] = {
	[CHECK_START_INFO] = "start-info",
	[CHECK_CMDLINE] = "cmdline",
	[CHECK_MEMMAP] = "memmap",
	[CHECK_MEMMAP_SIZE] = "memmap-size",
	[CHECK_RAM_PROBE] = "ram-probe",
	[CHECK_INITRD] = "initrd",
	[CHECK_CPUID_SIGNATURE] = "cpuid-signature",
	[CHECK_CPUID_FEATURES] = "cpuid-features",
	[CHECK_CPUID_TIMING] = "cpuid-timing",
	[CHECK_PVCLOCK] = "pvclock",
	[CHECK_MP_FLOATING] = "mp-floating",
	[CHECK_MP_CONFIG] = "mp-config",
	[CHECK_MP_CPUS] = "mp-cpus",
	[CHECK_MP_BUS] = "mp-bus",
	[CHECK_MP_IOAPIC] = "mp-ioapic",
	[CHECK_MP_IRQS] = "mp-irqs",
	[CHECK_MP_LINTS] = "mp-lints",
	[CHECK_VIRTIO_PROBE] = "virtio-probe",
	[CHECK_BLK_ID] = "blk-id",
	[CHECK_BLK_WRITE] = "blk-write",
	[CHECK_BLK_FLUSH] = "blk-flush",
	[CHECK_BLK_READ] = "blk-read",
	[CHECK_BLK_RO] = "blk-ro",
	[CHECK_BLK_IRQ] = "blk-irq",
	[CHECK_RNG] = "rng",
	[CHECK_CONSOLE] = "console",
	[CHECK_HOSTILE] = "hostile",
	[CHECK_HOSTILE_RECOVER] = "hostile-recover",
	[CHECK_BLK_BENCH] = "blk-bench",
	[CHECK_ACPI] = "acpi",
	[CHECK_NET_MAC] = "net-mac",
	[CHECK_NET_ARP] = "net-arp",
	[CHECK_NET_PING] = "net-ping",
	[CHECK_NET_UDP_ECHO] = "net-udp-echo",
	[CHECK_VSOCK_CID] = "vsock-cid",
	[CHECK_VSOCK_ACCEPT] = "vsock-accept",
	[CHECK_VSOCK_ECHO] = "vsock-echo",
	[CHECK_VSOCK_CONNECT] = "vsock-connect",
	[CHECK_VSOCK_HOSTILE] = "vsock-hostile",
	[CHECK_SMP_APS] = "smp-aps",
	[CHECK_NET_CSUM_OFFLOAD] = "net-csum-offload",
};

struct report_state report_state;

void report_set_quiet(bool quiet)
{
	report_state.quiet = quiet;
}

static void append_string(const char *s)
{
	console_append(s, string_length(s, 64));
}

void report_line(const char *label, enum check_id check, const char *fmt, ...)
{
	va_list args;

	append_string(label);
	console_append(" ", 1);
	append_string(check_names[check]);
	console_append(": ", 2);
	va_start(args, fmt);
	format_v(console_append, fmt, args);
	va_end(args);
	console_append("\n", 1);
	console_flush();
}

void report_text(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	format_v(console_append, fmt, args);
	va_end(args);
	console_append("\n", 1);
	console_flush();
}

/* Built by hand rather than with format_v: in quiet mode this is most of the output work. */
int report_verdict(void)
{
	static const char pass[] = VERDICT_PREFIX "PASS (";
	static const char checks[] = " checks)\n";
	enum check_id failed = report_state.first_failure;

	if (failed) {
		console_append(VERDICT_PREFIX "FAIL ", sizeof(VERDICT_PREFIX "FAIL ") - 1);
		append_string(check_names[failed]);
		console_append("\n", 1);
		console_flush();
		return (int)failed;
	}
	unsigned passed = report_state.passed; /* fewer than 100 */
	char line[sizeof(pass) + 2 + sizeof(checks)], *p = line + sizeof(pass) - 1;

	memcpy(line, pass, sizeof(pass) - 1);
	if (passed >= 10)
		*p++ = (char)('0' + passed / 10 % 10);
	*p++ = (char)('0' + passed % 10);
	memcpy(p, checks, sizeof(checks) - 1);
	console_write(line, (size_t)(p - line) + sizeof(checks) - 1);
	return EXIT_STATUS_PASS;
}
