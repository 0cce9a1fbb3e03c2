// SPDX-License-Identifier: BSD-2-Clause
#include "console.h"

#include <millivm/abi.h>
#include <stdint.h>

#include "cpu.h"
#include "format.h"
#include "strings.h"

#define UART_THR 0 /* transmit holding register */
#define UART_FCR 2 /* FIFO control (write) */
#define UART_IIR 2 /* interrupt identification (read) */
#define UART_LSR 5 /* line status */
#define FCR_ENABLE_AND_CLEAR 0x07
#define IIR_FIFOS_ENABLED 0xc0
#define LSR_THR_EMPTY 0x20
#define UART_FIFO_BYTES 16
/* A UART that never reports room should not hang the guest: write anyway after this. */
#define MAX_STATUS_POLLS 1000
#define LINE_BUFFER_BYTES 160

/* Bytes we may write after one "transmitter empty" status: 1, or 16 with the FIFO on. */
static unsigned burst_bytes = 1;
static char line[LINE_BUFFER_BYTES];
static size_t line_used;

/*
 * Every port access is a VM exit. With the FIFO on, one status read covers 16 bytes instead
 * of one, halving the exits of a line; a UART without a FIFO reports none and we poll per byte.
 */
void console_init(void)
{
	outb(COM1_PORT + UART_FCR, FCR_ENABLE_AND_CLEAR);
	if ((inb(COM1_PORT + UART_IIR) & IIR_FIFOS_ENABLED) == IIR_FIFOS_ENABLED)
		burst_bytes = UART_FIFO_BYTES;
}

/*
 * One "rep outsb" per FIFO load: KVM hands a string write to the monitor as one exit with a
 * count, where a loop of outb would cost an exit per byte.
 */
void console_write(const char *text, size_t length)
{
	while (length) {
		size_t burst = length < burst_bytes ? length : burst_bytes;

		for (unsigned polls = 0; polls < MAX_STATUS_POLLS; polls++)
			if (inb(COM1_PORT + UART_LSR) & LSR_THR_EMPTY)
				break;
		outsb(COM1_PORT + UART_THR, text, burst);
		text += burst;
		length -= burst;
	}
}

void console_flush(void)
{
	console_write(line, line_used);
	line_used = 0;
}

void console_append(const char *text, size_t length)
{
	while (length) {
		size_t room = LINE_BUFFER_BYTES - line_used;
		size_t n = length < room ? length : room;

		memcpy(line + line_used, text, n);
		line_used += n;
		text += n;
		length -= n;
		if (line_used == LINE_BUFFER_BYTES)
			console_flush();
	}
}

void console_printf(const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	format_v(console_append, fmt, args);
	va_end(args);
	console_flush();
}
