/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * COM1, a 16550A UART: what NetBSD's com(4), Linux's 8250 and FreeBSD's uart(4) probe and
 * drive. Transmit is instant (bytes go straight to the output fd), so THR is always empty.
 */
#ifndef MILLIVM_SERIAL_H
#define MILLIVM_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/vm.h"

struct serial;

struct serial *serial_create(struct vm *vm, uint16_t port, unsigned irq, int out_fd,
			     struct error *err);

/* Host input for the guest; blocks while the receive buffer is full. Thread-safe. */
void serial_receive(struct serial *s, const uint8_t *buf, size_t len);

/* Register-level model, separate from the bus glue so tests can drive it. */
void serial_access(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
