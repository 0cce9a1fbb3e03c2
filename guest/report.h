/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Check results: one line per check on COM1 ("ok <name>", "FAIL <name>: detail",
 * "skip <name>: reason"), a final verdict line, and the exit status. A check's number is the
 * exit status when it is the first to fail (table in guest/README.md): keep the numbers.
 */
#ifndef REFGUEST_REPORT_H
#define REFGUEST_REPORT_H

#include <stdbool.h>

enum check_id {
	CHECK_START_INFO = 1,
	CHECK_CMDLINE = 2,
	CHECK_MEMMAP = 3,
	CHECK_MEMMAP_SIZE = 4,
	CHECK_RAM_PROBE = 5,
	CHECK_INITRD = 6,
	CHECK_CPUID_SIGNATURE = 7,
	CHECK_CPUID_FEATURES = 8,
	CHECK_CPUID_TIMING = 9,
	CHECK_PVCLOCK = 10,
	CHECK_MP_FLOATING = 11,
	CHECK_MP_CONFIG = 12,
	CHECK_MP_CPUS = 13,
	CHECK_MP_BUS = 14,
	CHECK_MP_IOAPIC = 15,
	CHECK_MP_IRQS = 16,
	CHECK_MP_LINTS = 17,
	/* virtio (virtio_*.c): only with virtio_mmio.device= tokens or the virtio parameters */
	CHECK_VIRTIO_PROBE = 18,
	CHECK_BLK_ID = 19,
	CHECK_BLK_WRITE = 20,
	CHECK_BLK_FLUSH = 21,
	CHECK_BLK_READ = 22,
	CHECK_BLK_RO = 23,
	CHECK_BLK_IRQ = 24,
	CHECK_RNG = 25,
	CHECK_CONSOLE = 26,
	CHECK_HOSTILE = 27,
	CHECK_HOSTILE_RECOVER = 28,
	CHECK_BLK_BENCH = 29, /* blk_bench= (virtio_blk_bench.c) */
	CHECK_ACPI = 30,      /* check_acpi.c: only with rsdp_paddr or expect_acpi */
	/* virtio-net (virtio_net.c): only with net_ip=, net_gw=, expect_mac=, net_udp_echo= */
	CHECK_NET_MAC = 31,
	CHECK_NET_ARP = 32,
	CHECK_NET_PING = 33,
	CHECK_NET_UDP_ECHO = 34,
	/* virtio-vsock (virtio_vsock.c): only with a vsock device and the vsock_* parameters */
	CHECK_VSOCK_CID = 35,
	CHECK_VSOCK_ACCEPT = 36,
	CHECK_VSOCK_ECHO = 37,
	CHECK_VSOCK_CONNECT = 38,
	CHECK_VSOCK_HOSTILE = 39,
	CHECK_SMP_APS = 40,   /* smp.c: the MP table's other processors start and report in */
	CHECK_NET_CSUM_OFFLOAD = 41, /* virtio_net.c: net_csum_offload's echoes with NEEDS_CSUM */
	CHECK_LAST = CHECK_NET_CSUM_OFFLOAD,
};

/* Exit statuses that are not check numbers. */
#define EXIT_STATUS_PASS 0
#define EXIT_STATUS_EXCEPTION 99

/* Quiet mode prints the verdict line only; set before the first report. */
void report_set_quiet(bool quiet);

/*
 * report_ok(check, fmt, ...), report_fail(check, fmt, ...), report_skip(check, fmt, ...):
 * the line is "<label> <name>: <fmt...>". Macros, so that in quiet mode a check costs a
 * counter update and a test, and the message's arguments are not even computed.
 */
#define report_ok(check, ...)                                                \
	do {                                                                 \
		report_state.passed++;                                       \
		if (!report_state.quiet)                                     \
			report_line("ok", (check), __VA_ARGS__);             \
	} while (0)
#define report_fail(check, ...)                                              \
	do {                                                                 \
		if (!report_state.first_failure)                             \
			report_state.first_failure = (check);                \
		if (!report_state.quiet)                                     \
			report_line("FAIL", (check), __VA_ARGS__);           \
	} while (0)
#define report_skip(check, ...)                                              \
	do {                                                                 \
		if (!report_state.quiet)                                     \
			report_line("skip", (check), __VA_ARGS__);           \
	} while (0)
/* An informational line, not a check. */
#define report_info(...)                                                     \
	do {                                                                 \
		if (!report_state.quiet)                                     \
			report_text(__VA_ARGS__);                            \
	} while (0)

static inline bool report_is_quiet(void);

/* Prints the verdict line and returns the exit status: 0, or the first failed check. */
int report_verdict(void);

/* For the macros above only. */
struct report_state {
	bool quiet;
	unsigned passed;
	enum check_id first_failure; /* 0: none yet */
};
extern struct report_state report_state;
void report_line(const char *label, enum check_id check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void report_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static inline bool report_is_quiet(void)
{
	return report_state.quiet;
}

#endif
