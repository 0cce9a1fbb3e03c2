/* SPDX-License-Identifier: BSD-2-Clause */
#include "serial.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include "debug/timeline.h"

/* The FIFO-enabled bits of IIR (16550A); <linux/serial_reg.h> has no name for them. */
#define UART_IIR_FIFO_ENABLED 0xc0
#define RX_BUFFER 4096

struct serial {
	struct vm *vm;
	unsigned irq;
	int out_fd;
	pthread_mutex_t lock;
	pthread_cond_t rx_space;
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm;
	bool thri_pending; /* THR-empty interrupt, cleared by reading IIR or writing THR */
	int irq_level;
	uint8_t rx[RX_BUFFER];
	size_t rx_head, rx_count;
};

static uint8_t current_iir(const struct serial *s)
{
	if ((s->ier & UART_IER_RDI) && s->rx_count)
		return UART_IIR_RDI;
	if ((s->ier & UART_IER_THRI) && s->thri_pending)
		return UART_IIR_THRI;
	return UART_IIR_NO_INT;
}

static void update_irq(struct serial *s)
{
	int level = current_iir(s) != UART_IIR_NO_INT;
	if (level != s->irq_level) {
		s->irq_level = level;
		if (s->vm)
			vm_set_irq_line(s->vm, s->irq, level);
	}
}

static void rx_push(struct serial *s, uint8_t byte)
{
	if (s->rx_count == RX_BUFFER)
		return;
	s->rx[(s->rx_head + s->rx_count) % RX_BUFFER] = byte;
	s->rx_count++;
}

static uint8_t rx_pop(struct serial *s)
{
	if (!s->rx_count)
		return 0;
	uint8_t byte = s->rx[s->rx_head];
	s->rx_head = (s->rx_head + 1) % RX_BUFFER;
	s->rx_count--;
	pthread_cond_signal(&s->rx_space);
	return byte;
}

static void transmit(struct serial *s, uint8_t byte)
{
	if (s->mcr & UART_MCR_LOOP) {
		rx_push(s, byte);
		return;
	}
	timeline_mark(TL_FIRST_CONSOLE_BYTE);
	for (;;) {
		ssize_t n = write(s->out_fd, &byte, 1);
		if (n == 1 || (n < 0 && errno != EINTR))
			break; /* a closed or failing console drops output; the guest goes on */
	}
}

static uint8_t modem_status(const struct serial *s)
{
	if (!(s->mcr & UART_MCR_LOOP))
		return UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
	uint8_t msr = 0;
	if (s->mcr & UART_MCR_DTR)
		msr |= UART_MSR_DSR;
	if (s->mcr & UART_MCR_RTS)
		msr |= UART_MSR_CTS;
	if (s->mcr & UART_MCR_OUT1)
		msr |= UART_MSR_RI;
	if (s->mcr & UART_MCR_OUT2)
		msr |= UART_MSR_DCD;
	return msr;
}

static uint8_t serial_read(struct serial *s, unsigned reg)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	switch (reg) {
	case UART_RX:
		return dlab ? s->dll : rx_pop(s);
	case UART_IER:
		return dlab ? s->dlm : s->ier;
	case UART_IIR: {
		uint8_t iir = current_iir(s);
		if (iir == UART_IIR_THRI)
			s->thri_pending = false;
		return iir | ((s->fcr & UART_FCR_ENABLE_FIFO) ? UART_IIR_FIFO_ENABLED : 0);
	}
	case UART_LCR:
		return s->lcr;
	case UART_MCR:
		return s->mcr;
	case UART_LSR:
		return UART_LSR_THRE | UART_LSR_TEMT | (s->rx_count ? UART_LSR_DR : 0);
	case UART_MSR:
		return modem_status(s);
	default:
		return s->scr;
	}
}

static void serial_write(struct serial *s, unsigned reg, uint8_t v)
{
	bool dlab = s->lcr & UART_LCR_DLAB;
	switch (reg) {
	case UART_TX:
		if (dlab) {
			s->dll = v;
		} else {
			transmit(s, v);
			s->thri_pending = true; /* sent at once: THR empty again */
		}
		break;
	case UART_IER:
		if (dlab) {
			s->dlm = v;
			break;
		}
		/* Enabling the THR interrupt with THR empty raises it at once (16550 behaviour). */
		if (!(s->ier & UART_IER_THRI) && (v & UART_IER_THRI))
			s->thri_pending = true;
		s->ier = v & 0x0f;
		break;
	case UART_FCR:
		s->fcr = v & (UART_FCR_ENABLE_FIFO | UART_FCR_TRIGGER_MASK);
		if (v & UART_FCR_CLEAR_RCVR) {
			s->rx_head = s->rx_count = 0;
			pthread_cond_signal(&s->rx_space);
		}
		break;
	case UART_LCR:
		s->lcr = v;
		break;
	case UART_MCR:
		s->mcr = v & 0x1f;
		break;
	case UART_SCR:
		s->scr = v;
		break;
	default: /* LSR and MSR are read-only */
		break;
	}
}

void serial_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct serial *s = opaque;
	pthread_mutex_lock(&s->lock);
	/* Byte registers; a wider access touches only the first. */
	if (is_write) {
		serial_write(s, (unsigned)offset, data[0]);
	} else {
		memset(data, 0, len);
		data[0] = serial_read(s, (unsigned)offset);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

void serial_receive(struct serial *s, const uint8_t *buf, size_t len)
{
	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < len; i++) {
		while (s->rx_count == RX_BUFFER && s->vm && !atomic_load(&s->vm->exiting))
			pthread_cond_wait(&s->rx_space, &s->lock);
		rx_push(s, buf[i]);
	}
	update_irq(s);
	pthread_mutex_unlock(&s->lock);
}

struct serial *serial_create(struct vm *vm, uint16_t port, unsigned irq, int out_fd,
			     struct error *err)
{
	struct serial *s = calloc(1, sizeof(*s));
	if (!s) {
		error_set(err, "serial: out of memory");
		return NULL;
	}
	s->vm = vm;
	s->irq = irq;
	s->out_fd = out_fd;
	s->lcr = UART_LCR_WLEN8; /* 8N1 */
	s->mcr = UART_MCR_OUT2;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->rx_space, NULL);
	if (vm) {
		vm->used_irqs |= 1u << irq;
		if (bus_register(&vm->pio, port, 8, serial_access, s, "COM1", err) < 0) {
			free(s);
			return NULL;
		}
	}
	return s;
}
