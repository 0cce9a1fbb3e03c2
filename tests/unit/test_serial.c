/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * COM1's 16550A register model, driven through serial_access() the way a guest's port I/O
 * reaches it, with no VM behind it (vm = NULL: no interrupt line, no bus). Output goes to a
 * pipe the test reads back.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <linux/serial_reg.h>

#include "devices/serial.h"
#include "millivm/abi.h"

/* 16550A UART_IIR bits 7:6 with the FIFO on; <linux/serial_reg.h> has no name for them. */
#define UART_IIR_FIFO_ENABLED 0xc0

#define RX_CAPACITY 4096 /* the model's receive buffer */

struct fixture {
	struct serial *s;
	int out[2]; /* pipe: [0] the test reads what the guest transmitted */
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f || pipe2(f->out, O_NONBLOCK) < 0) {
		free(f);
		return -1;
	}
	struct error err;
	f->s = serial_create(NULL, COM1_PORT, COM1_IRQ, f->out[1], &err);
	if (!f->s) {
		close(f->out[0]);
		close(f->out[1]);
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	free(f->s); /* no serial_destroy(): the model owns nothing else without a VM */
	close(f->out[0]);
	close(f->out[1]);
	free(f);
	return 0;
}

static uint8_t in(struct fixture *f, unsigned reg)
{
	uint8_t data[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	serial_access(f->s, reg, data, 1, false);
	return data[0];
}

static void out(struct fixture *f, unsigned reg, uint8_t value)
{
	uint8_t data[4] = { value, 0, 0, 0 };
	serial_access(f->s, reg, data, 1, true);
}

/* What reached the output fd since the last call (non-blocking pipe). */
static size_t transmitted(struct fixture *f, char *buf, size_t cap)
{
	ssize_t n = read(f->out[0], buf, cap);
	if (n < 0) {
		assert_int_equal(errno, EAGAIN);
		return 0;
	}
	return (size_t)n;
}

static void receive(struct fixture *f, const char *text)
{
	serial_receive(f->s, (const uint8_t *)text, strlen(text));
}

/* ------------------------------------------------------------------------ reset state */

static void test_reset_state(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(in(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT); /* transmitter idle, nothing received */
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(in(f, UART_IER), 0);
	assert_int_equal(in(f, UART_LCR), UART_LCR_WLEN8); /* 8N1 */
	assert_int_equal(in(f, UART_MCR), UART_MCR_OUT2);
	/* not in loopback: carrier, data set ready and clear to send, as a connected terminal */
	assert_int_equal(in(f, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

/* ------------------------------------------------------------------------ transmit */

static void test_transmit(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	out(f, UART_TX, 'h');
	out(f, UART_TX, 'i');
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
	/* transmission is instant: the holding register is empty again at once */
	assert_int_equal(in(f, UART_LSR) & (UART_LSR_THRE | UART_LSR_TEMT), UART_LSR_THRE | UART_LSR_TEMT);
}

static void test_wide_access_touches_first_byte_only(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0x5a, 0x11, 0x22, 0x33 };
	serial_access(f->s, UART_SCR, data, 4, true);
	memset(data, 0xff, sizeof(data));
	serial_access(f->s, UART_SCR, data, 2, false);
	assert_int_equal(data[0], 0x5a);
	assert_int_equal(data[1], 0); /* the rest of a wide read is zero */
	assert_int_equal(data[2], 0xff); /* and nothing beyond len is written */
}

/* ------------------------------------------------------------------------ interrupts */

/* Enabling THRI with UART_TX empty raises it at once; reading UART_IIR while it shows THRI clears it. */
static void test_thri_semantics(void **state)
{
	struct fixture *f = *state;
	out(f, UART_IER, UART_IER_THRI);
	assert_int_equal(in(f, UART_IER), UART_IER_THRI);
	assert_int_equal(in(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT); /* cleared by the read */

	out(f, UART_TX, 'x'); /* sent at once: UART_TX empty again, interrupt again */
	assert_int_equal(in(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);

	out(f, UART_IER, UART_IER_THRI); /* already enabled: no new edge */
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);
}

/* Linux 8250 startup probes THRE twice (UART_BUG_THRE): UART_IER=THRI, UART_IIR, UART_IER=0, UART_IER=THRI, UART_IIR. */
static void test_linux_thre_probe(void **state)
{
	struct fixture *f = *state;
	out(f, UART_IER, UART_IER_THRI);
	uint8_t iir1 = in(f, UART_IIR);
	out(f, UART_IER, 0);
	out(f, UART_IER, UART_IER_THRI);
	uint8_t iir2 = in(f, UART_IIR);
	assert_int_equal(iir1 & UART_IIR_NO_INT, 0);
	assert_int_equal(iir2 & UART_IIR_NO_INT, 0);
	assert_int_equal(iir1 & 0x0f, UART_IIR_THRI);
	assert_int_equal(iir2 & 0x0f, UART_IIR_THRI);
}

static void test_thri_disabled_means_no_interrupt(void **state)
{
	struct fixture *f = *state;
	out(f, UART_TX, 'a'); /* UART_TX empty, but UART_IER says nothing */
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 1);
}

/* Received data outranks UART_TX empty, and stays until the FIFO is drained. */
static void test_rdi_priority(void **state)
{
	struct fixture *f = *state;
	out(f, UART_IER, UART_IER_RDI | UART_IER_THRI);
	receive(f, "ab");
	assert_int_equal(in(f, UART_IIR), UART_IIR_RDI);
	assert_int_equal(in(f, UART_IIR), UART_IIR_RDI); /* reading UART_IIR does not clear RDI */
	assert_int_equal(in(f, UART_RX), 'a');
	assert_int_equal(in(f, UART_IIR), UART_IIR_RDI);
	assert_int_equal(in(f, UART_RX), 'b');
	/* THRI was pending underneath all along and was never read: it shows now */
	assert_int_equal(in(f, UART_IIR), UART_IIR_THRI);
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);
}

static void test_rdi_disabled(void **state)
{
	struct fixture *f = *state;
	receive(f, "z");
	assert_int_equal(in(f, UART_IIR), UART_IIR_NO_INT);
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR); /* polled drivers still see it */
}

static void test_ier_reserved_bits(void **state)
{
	struct fixture *f = *state;
	out(f, UART_IER, 0xff);
	assert_int_equal(in(f, UART_IER), 0x0f);
}

/* ------------------------------------------------------------------------ receive */

static void test_receive_fifo_order(void **state)
{
	struct fixture *f = *state;
	receive(f, "hello");
	const char *want = "hello";
	for (int i = 0; want[i]; i++) {
		assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
		assert_int_equal(in(f, UART_RX), (uint8_t)want[i]);
	}
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(in(f, UART_RX), 0); /* empty UART_RX reads 0 */
}

static void test_receive_overflow_drops(void **state)
{
	struct fixture *f = *state;
	uint8_t *big = malloc(RX_CAPACITY + 16);
	assert_non_null(big);
	for (size_t i = 0; i < RX_CAPACITY + 16; i++)
		big[i] = (uint8_t)(i % 251);
	/* without a VM nothing waits for room: the excess is dropped, the start kept */
	serial_receive(f->s, big, RX_CAPACITY + 16);
	for (size_t i = 0; i < RX_CAPACITY; i++) {
		uint8_t c = in(f, UART_RX);
		if (c != big[i])
			fail_msg("byte %zu: 0x%02x, expected 0x%02x", i, c, big[i]);
	}
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, 0);
	free(big);
}

static void test_receive_wraps_around(void **state)
{
	struct fixture *f = *state;
	char chunk[1000];
	for (int round = 0; round < 10; round++) { /* 10000 bytes through a 4096-byte ring */
		memset(chunk, 'a' + round, sizeof(chunk));
		serial_receive(f->s, (const uint8_t *)chunk, sizeof(chunk));
		for (size_t i = 0; i < sizeof(chunk); i++)
			assert_int_equal(in(f, UART_RX), 'a' + round);
	}
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, 0);
}

static void test_fcr(void **state)
{
	struct fixture *f = *state;
	out(f, UART_FCR, UART_FCR_ENABLE_FIFO);
	assert_int_equal(in(f, UART_IIR) & UART_IIR_FIFO_ENABLED, UART_IIR_FIFO_ENABLED);
	receive(f, "xyz");
	out(f, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR);
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, 0);
	assert_int_equal(in(f, UART_IIR) & UART_IIR_FIFO_ENABLED, UART_IIR_FIFO_ENABLED);
	out(f, UART_FCR, 0);
	assert_int_equal(in(f, UART_IIR) & UART_IIR_FIFO_ENABLED, 0);
	receive(f, "k"); /* still works after a clear */
	assert_int_equal(in(f, UART_RX), 'k');
}

/* ------------------------------------------------------------------------ loopback */

static void test_loopback(void **state)
{
	struct fixture *f = *state;
	out(f, UART_MCR, UART_MCR_LOOP);
	out(f, UART_TX, 'L');
	out(f, UART_TX, 'B');
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 0); /* nothing left the UART */
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(in(f, UART_RX), 'L');
	assert_int_equal(in(f, UART_RX), 'B');

	out(f, UART_MCR, 0); /* loop off: output goes out again */
	out(f, UART_TX, 'o');
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'o');
}

/* In loopback the modem outputs feed the modem inputs: DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD (what Linux's autoconfig checks with UART_MCR = LOOP | 0x0a, expecting UART_MSR 0x90). */
static void test_loopback_modem_status(void **state)
{
	struct fixture *f = *state;
	out(f, UART_MCR, UART_MCR_LOOP);
	assert_int_equal(in(f, UART_MSR) & 0xf0, 0);
	out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	assert_int_equal(in(f, UART_MSR) & 0xf0, UART_MSR_DSR);
	out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_RTS);
	assert_int_equal(in(f, UART_MSR) & 0xf0, UART_MSR_CTS);
	out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT1);
	assert_int_equal(in(f, UART_MSR) & 0xf0, UART_MSR_RI);
	out(f, UART_MCR, UART_MCR_LOOP | UART_MCR_OUT2 | UART_MCR_RTS);
	assert_int_equal(in(f, UART_MSR) & 0xf0, UART_MSR_DCD | UART_MSR_CTS);
	out(f, UART_MCR, 0xff);
	assert_int_equal(in(f, UART_MCR), 0x1f); /* bits 7:5 read as zero */
}

/* ------------------------------------------------------------------------ DLAB */

static void test_dlab(void **state)
{
	struct fixture *f = *state;
	out(f, UART_IER, UART_IER_RDI);
	out(f, UART_LCR, UART_LCR_DLAB | 0x03);
	out(f, UART_DLL, 0x01); /* 115200 baud */
	out(f, UART_DLM, 0x00);
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 0); /* the divisor is not data */
	assert_int_equal(in(f, UART_DLL), 0x01);
	assert_int_equal(in(f, UART_DLM), 0x00);
	out(f, UART_DLL, 0x0c); /* 9600 */
	out(f, UART_DLM, 0x34);
	assert_int_equal(in(f, UART_DLL), 0x0c);
	assert_int_equal(in(f, UART_DLM), 0x34);
	assert_int_equal(in(f, UART_LCR), UART_LCR_DLAB | 0x03);

	receive(f, "r"); /* with DLAB set, offset 0 is the divisor, not the receive buffer */
	assert_int_equal(in(f, UART_DLL), 0x0c);
	assert_int_equal(in(f, UART_LSR) & UART_LSR_DR, UART_LSR_DR);

	out(f, UART_LCR, 0x03);
	assert_int_equal(in(f, UART_IER), UART_IER_RDI); /* UART_IER was not overwritten by UART_DLM */
	assert_int_equal(in(f, UART_RX), 'r');
	out(f, UART_LCR, UART_LCR_DLAB);
	assert_int_equal(in(f, UART_DLL), 0x0c); /* divisor kept */
	assert_int_equal(in(f, UART_DLM), 0x34);
}

static void test_scratch_and_read_only(void **state)
{
	struct fixture *f = *state;
	out(f, UART_SCR, 0xa5);
	assert_int_equal(in(f, UART_SCR), 0xa5);
	out(f, UART_SCR, 0x5a);
	assert_int_equal(in(f, UART_SCR), 0x5a);
	out(f, UART_LSR, 0x00); /* read-only */
	assert_int_equal(in(f, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	out(f, UART_MSR, 0x00);
	assert_int_equal(in(f, UART_MSR), UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reset_state, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transmit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wide_access_touches_first_byte_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_thri_semantics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_linux_thre_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_thri_disabled_means_no_interrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_rdi_priority, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rdi_disabled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ier_reserved_bits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_fifo_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_overflow_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_wraps_around, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fcr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loopback_modem_status, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dlab, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scratch_and_read_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
