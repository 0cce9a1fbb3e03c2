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

#include "devices/serial.h"
#include "millivm/abi.h"

/* Register offsets and bits (16550 data sheet; Linux's serial_reg.h names). */
enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4,
       LSR = 5, MSR = 6, SCR = 7 };
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define LCR_DLAB 0x80
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80

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
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT); /* transmitter idle, nothing received */
	assert_int_equal(in(f, IIR), IIR_NO_INT);
	assert_int_equal(in(f, IER), 0);
	assert_int_equal(in(f, LCR), 0x03); /* 8N1 */
	assert_int_equal(in(f, MCR), MCR_OUT2);
	/* not in loopback: carrier, data set ready and clear to send, as a connected terminal */
	assert_int_equal(in(f, MSR), MSR_DCD | MSR_DSR | MSR_CTS);
}

/* ------------------------------------------------------------------------ transmit */

static void test_transmit(void **state)
{
	struct fixture *f = *state;
	char buf[16];
	out(f, THR, 'h');
	out(f, THR, 'i');
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 2);
	assert_memory_equal(buf, "hi", 2);
	/* transmission is instant: the holding register is empty again at once */
	assert_int_equal(in(f, LSR) & (LSR_THRE | LSR_TEMT), LSR_THRE | LSR_TEMT);
}

static void test_wide_access_touches_first_byte_only(void **state)
{
	struct fixture *f = *state;
	uint8_t data[4] = { 0x5a, 0x11, 0x22, 0x33 };
	serial_access(f->s, SCR, data, 4, true);
	memset(data, 0xff, sizeof(data));
	serial_access(f->s, SCR, data, 2, false);
	assert_int_equal(data[0], 0x5a);
	assert_int_equal(data[1], 0); /* the rest of a wide read is zero */
	assert_int_equal(data[2], 0xff); /* and nothing beyond len is written */
}

/* ------------------------------------------------------------------------ interrupts */

/* Enabling THRI with THR empty raises it at once; reading IIR while it shows THRI clears it. */
static void test_thri_semantics(void **state)
{
	struct fixture *f = *state;
	out(f, IER, IER_THRI);
	assert_int_equal(in(f, IER), IER_THRI);
	assert_int_equal(in(f, IIR), IIR_THRI);
	assert_int_equal(in(f, IIR), IIR_NO_INT); /* cleared by the read */

	out(f, THR, 'x'); /* sent at once: THR empty again, interrupt again */
	assert_int_equal(in(f, IIR), IIR_THRI);
	assert_int_equal(in(f, IIR), IIR_NO_INT);

	out(f, IER, IER_THRI); /* already enabled: no new edge */
	assert_int_equal(in(f, IIR), IIR_NO_INT);
}

/* Linux 8250 startup probes THRE twice (UART_BUG_THRE): IER=THRI, IIR, IER=0, IER=THRI, IIR. */
static void test_linux_thre_probe(void **state)
{
	struct fixture *f = *state;
	out(f, IER, IER_THRI);
	uint8_t iir1 = in(f, IIR);
	out(f, IER, 0);
	out(f, IER, IER_THRI);
	uint8_t iir2 = in(f, IIR);
	assert_int_equal(iir1 & IIR_NO_INT, 0);
	assert_int_equal(iir2 & IIR_NO_INT, 0);
	assert_int_equal(iir1 & 0x0f, IIR_THRI);
	assert_int_equal(iir2 & 0x0f, IIR_THRI);
}

static void test_thri_disabled_means_no_interrupt(void **state)
{
	struct fixture *f = *state;
	out(f, THR, 'a'); /* THR empty, but IER says nothing */
	assert_int_equal(in(f, IIR), IIR_NO_INT);
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 1);
}

/* Received data outranks THR empty, and stays until the FIFO is drained. */
static void test_rdi_priority(void **state)
{
	struct fixture *f = *state;
	out(f, IER, IER_RDI | IER_THRI);
	receive(f, "ab");
	assert_int_equal(in(f, IIR), IIR_RDI);
	assert_int_equal(in(f, IIR), IIR_RDI); /* reading IIR does not clear RDI */
	assert_int_equal(in(f, RBR), 'a');
	assert_int_equal(in(f, IIR), IIR_RDI);
	assert_int_equal(in(f, RBR), 'b');
	/* THRI was pending underneath all along and was never read: it shows now */
	assert_int_equal(in(f, IIR), IIR_THRI);
	assert_int_equal(in(f, IIR), IIR_NO_INT);
}

static void test_rdi_disabled(void **state)
{
	struct fixture *f = *state;
	receive(f, "z");
	assert_int_equal(in(f, IIR), IIR_NO_INT);
	assert_int_equal(in(f, LSR) & LSR_DR, LSR_DR); /* polled drivers still see it */
}

static void test_ier_reserved_bits(void **state)
{
	struct fixture *f = *state;
	out(f, IER, 0xff);
	assert_int_equal(in(f, IER), 0x0f);
}

/* ------------------------------------------------------------------------ receive */

static void test_receive_fifo_order(void **state)
{
	struct fixture *f = *state;
	receive(f, "hello");
	const char *want = "hello";
	for (int i = 0; want[i]; i++) {
		assert_int_equal(in(f, LSR) & LSR_DR, LSR_DR);
		assert_int_equal(in(f, RBR), (uint8_t)want[i]);
	}
	assert_int_equal(in(f, LSR) & LSR_DR, 0);
	assert_int_equal(in(f, RBR), 0); /* empty RBR reads 0 */
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
		uint8_t c = in(f, RBR);
		if (c != big[i])
			fail_msg("byte %zu: 0x%02x, expected 0x%02x", i, c, big[i]);
	}
	assert_int_equal(in(f, LSR) & LSR_DR, 0);
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
			assert_int_equal(in(f, RBR), 'a' + round);
	}
	assert_int_equal(in(f, LSR) & LSR_DR, 0);
}

static void test_fcr(void **state)
{
	struct fixture *f = *state;
	out(f, FCR, 0x01); /* FIFO enable */
	assert_int_equal(in(f, IIR) & IIR_FIFO, IIR_FIFO);
	receive(f, "xyz");
	out(f, FCR, 0x01 | 0x02); /* clear the receive FIFO */
	assert_int_equal(in(f, LSR) & LSR_DR, 0);
	assert_int_equal(in(f, IIR) & IIR_FIFO, IIR_FIFO);
	out(f, FCR, 0);
	assert_int_equal(in(f, IIR) & IIR_FIFO, 0);
	receive(f, "k"); /* still works after a clear */
	assert_int_equal(in(f, RBR), 'k');
}

/* ------------------------------------------------------------------------ loopback */

static void test_loopback(void **state)
{
	struct fixture *f = *state;
	out(f, MCR, MCR_LOOP);
	out(f, THR, 'L');
	out(f, THR, 'B');
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 0); /* nothing left the UART */
	assert_int_equal(in(f, LSR) & LSR_DR, LSR_DR);
	assert_int_equal(in(f, RBR), 'L');
	assert_int_equal(in(f, RBR), 'B');

	out(f, MCR, 0); /* loop off: output goes out again */
	out(f, THR, 'o');
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'o');
}

/* In loopback the modem outputs feed the modem inputs: DTR->DSR, RTS->CTS, OUT1->RI,
 * OUT2->DCD (what Linux's autoconfig checks with MCR = LOOP | 0x0a, expecting MSR 0x90). */
static void test_loopback_modem_status(void **state)
{
	struct fixture *f = *state;
	out(f, MCR, MCR_LOOP);
	assert_int_equal(in(f, MSR) & 0xf0, 0);
	out(f, MCR, MCR_LOOP | MCR_DTR);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_DSR);
	out(f, MCR, MCR_LOOP | MCR_RTS);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_CTS);
	out(f, MCR, MCR_LOOP | MCR_OUT1);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_RI);
	out(f, MCR, MCR_LOOP | MCR_OUT2 | MCR_RTS);
	assert_int_equal(in(f, MSR) & 0xf0, MSR_DCD | MSR_CTS);
	out(f, MCR, 0xff);
	assert_int_equal(in(f, MCR), 0x1f); /* bits 7:5 read as zero */
}

/* ------------------------------------------------------------------------ DLAB */

static void test_dlab(void **state)
{
	struct fixture *f = *state;
	out(f, IER, IER_RDI);
	out(f, LCR, LCR_DLAB | 0x03);
	out(f, DLL, 0x01); /* 115200 baud */
	out(f, DLM, 0x00);
	char buf[4];
	assert_int_equal(transmitted(f, buf, sizeof(buf)), 0); /* the divisor is not data */
	assert_int_equal(in(f, DLL), 0x01);
	assert_int_equal(in(f, DLM), 0x00);
	out(f, DLL, 0x0c); /* 9600 */
	out(f, DLM, 0x34);
	assert_int_equal(in(f, DLL), 0x0c);
	assert_int_equal(in(f, DLM), 0x34);
	assert_int_equal(in(f, LCR), LCR_DLAB | 0x03);

	receive(f, "r"); /* with DLAB set, offset 0 is the divisor, not the receive buffer */
	assert_int_equal(in(f, DLL), 0x0c);
	assert_int_equal(in(f, LSR) & LSR_DR, LSR_DR);

	out(f, LCR, 0x03);
	assert_int_equal(in(f, IER), IER_RDI); /* IER was not overwritten by DLM */
	assert_int_equal(in(f, RBR), 'r');
	out(f, LCR, LCR_DLAB);
	assert_int_equal(in(f, DLL), 0x0c); /* divisor kept */
	assert_int_equal(in(f, DLM), 0x34);
}

static void test_scratch_and_read_only(void **state)
{
	struct fixture *f = *state;
	out(f, SCR, 0xa5);
	assert_int_equal(in(f, SCR), 0xa5);
	out(f, SCR, 0x5a);
	assert_int_equal(in(f, SCR), 0x5a);
	out(f, LSR, 0x00); /* read-only */
	assert_int_equal(in(f, LSR), LSR_THRE | LSR_TEMT);
	out(f, MSR, 0x00);
	assert_int_equal(in(f, MSR), MSR_DCD | MSR_DSR | MSR_CTS);
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
