// SPDX-License-Identifier: BSD-2-Clause
/*
 * virtio-vsock, stream sockets, the smallest driver that exercises the device: one rx buffer
 * in flight (re-posted after each packet), tx packets sent one at a time.
 *  expect_cid=N       the device's guest_cid must be N (vsock-cid)
 *  vsock_listen=PORT  accept one host connection (vsock-accept), echo everything until the
 *                     host shuts its side down, then shut down too (vsock-echo)
 *  vsock_connect=PORT connect to the host (CID 2) at PORT, send "hello from cid N\n", read a
 *                     line back, close (vsock-connect)
 *  hostile=vsock...   malformed packets; each must be answered with an RST or dropped, and
 *                     the device must still answer afterwards (vsock-hostile)
 * Credit (virtio 1.2, 5.10.6.3): we advertise ECHO_BUF and never send the host more than
 * its buf_alloc - (tx_cnt - fwd_cnt).
 */
#include <linux/virtio_vsock.h>

#include "cpu.h"
#include "ioapic.h"
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define RXQ 0
#define TXQ 1
#define HOST_CID 2
#define RX_DATA 16384
#define TX_DATA (64 * 1024) /* a full-size packet for the credit overrun case */
#define ECHO_BUF 32768      /* our buf_alloc: what the host may have in flight to us */
#define ACCEPT_TIMEOUT_MS 60000
#define STALL_TIMEOUT_MS 10000
#define REPLY_TIMEOUT_MS 10000
#define CLOSE_TIMEOUT_MS 2000
#define HOSTILE_TIMEOUT_MS 1000
#define GUEST_PORT 5000

static struct {
	struct virtio_vsock_hdr h;
	uint8_t data[RX_DATA];
} __attribute__((packed)) rx_buf;
static struct virtio_vsock_hdr tx_hdr;
static uint8_t tx_data[TX_DATA];

struct conn {
	uint32_t local_port, peer_port;
	uint32_t tx_cnt, fwd_cnt, fwd_sent;
	uint32_t peer_buf_alloc, peer_fwd_cnt;
	uint32_t peer_shutdown;
	bool established, reset;
};

static struct vdev *dev;

/* Decimal digits of v at p; returns how many. */
static uint32_t put_decimal(char *p, uint64_t v)
{
	char digits[20];
	uint32_t n = 0, i = 0;

	do
		digits[n++] = (char)('0' + v % 10);
	while ((v /= 10));
	while (n)
		p[i++] = digits[--n];
	return i;
}
static uint64_t my_cid;
/* What the host sent and we have not echoed yet: at most ECHO_BUF by credit. */
static uint8_t echo[ECHO_BUF];
static uint32_t echo_head, echo_len;

static uint16_t used_index(const struct vq *vq)
{
	return *(volatile const uint16_t *)&vq->used.idx;
}

/* Wait for queue q's next used entry; false on timeout. The local APIC timer's 32-bit count
 * covers only a few seconds at a fast bus clock: long waits go in 1 s steps. */
static bool wait_used(unsigned q, unsigned timeout_ms, uint32_t *len)
{
	struct vq *vq = dev->queues[q];
	bool used = false;

	for (unsigned left = timeout_ms; !used && left;) {
		unsigned step = left < 1000 ? left : 1000;

		vq_drain_interrupts(); /* a timer interrupt of the last wait must not end this one */
		uint32_t timer_start = irq_timer_count;

		lapic_timer_start(step);
		while (!(used = used_index(vq) != vq->last_used) &&
		       irq_timer_count == timer_start) {
			irq_wait();
			vq_drain_interrupts();
		}
		lapic_timer_stop();
		left -= step;
	}
	if (!used)
		return false;
	compiler_barrier();
	if (len)
		*len = vq->used.ring[vq->last_used % vq->size].len;
	vq->last_used++;
	return true;
}

static void post_rx(void)
{
	struct vq_buf b = { (uintptr_t)&rx_buf, sizeof(rx_buf), true };

	vq_submit(dev, RXQ, &b, 1, true);
}

/* A raw packet: hdr_len bytes of tx_hdr, then data_len bytes of tx_data. */
static bool send_raw(uint32_t hdr_len, uint32_t data_len)
{
	struct vq_buf b[2] = { { (uintptr_t)&tx_hdr, hdr_len, false },
			       { (uintptr_t)tx_data, data_len, false } };

	vq_submit(dev, TXQ, b, data_len ? 2 : 1, true);
	return wait_used(TXQ, 2000, NULL);
}

static void fill_hdr(uint32_t src_port, uint32_t dst_port, uint16_t op, uint32_t len,
		     uint32_t flags)
{
	tx_hdr = (struct virtio_vsock_hdr){
		.src_cid = my_cid, .dst_cid = HOST_CID, .src_port = src_port,
		.dst_port = dst_port, .len = len, .type = VIRTIO_VSOCK_TYPE_STREAM, .op = op,
		.flags = flags, .buf_alloc = ECHO_BUF,
	};
}

static bool send_pkt(struct conn *c, uint16_t op, uint32_t flags, uint32_t len)
{
	fill_hdr(c->local_port, c->peer_port, op, len, flags);
	tx_hdr.fwd_cnt = c->fwd_cnt;
	c->fwd_sent = c->fwd_cnt;
	if (op == VIRTIO_VSOCK_OP_RW)
		c->tx_cnt += len;
	return send_raw(sizeof(tx_hdr), len);
}

static uint32_t peer_free(const struct conn *c)
{
	uint32_t in_flight = c->tx_cnt - c->peer_fwd_cnt;

	return in_flight >= c->peer_buf_alloc ? 0 : c->peer_buf_alloc - in_flight;
}

/* The next packet into rx_buf (re-post with post_rx when done with it). */
static bool recv_pkt(unsigned timeout_ms, uint32_t *data_len)
{
	uint32_t used;

	if (!wait_used(RXQ, timeout_ms, &used))
		return false;
	uint32_t len = rx_buf.h.len;
	*data_len = used >= sizeof(rx_buf.h) && len <= used - sizeof(rx_buf.h) ? len : 0;
	return true;
}

static bool for_conn(const struct conn *c)
{
	return rx_buf.h.dst_port == c->local_port && rx_buf.h.src_port == c->peer_port;
}

/* Answer a packet of no connection of ours with an RST (never an RST to an RST). */
static void refuse(void)
{
	if (rx_buf.h.op == VIRTIO_VSOCK_OP_RST)
		return;
	fill_hdr(rx_buf.h.dst_port, rx_buf.h.src_port, VIRTIO_VSOCK_OP_RST, 0, 0);
	send_raw(sizeof(tx_hdr), 0);
}

/* rep movsq, then the odd bytes: an emulated rep costs per iteration. */
static void copy(void *dst, const void *src, uint32_t n)
{
	size_t q = n / 8, b = n % 8;

	__asm__ volatile("rep movsq; mov %3, %%rcx; rep movsb"
			 : "+D"(dst), "+S"(src), "+c"(q) : "r"(b) : "memory");
}

/* Into (in) or out of the echo ring, with rep movsb: byte loops cost too much emulated. */
static void ring_copy(bool in, uint8_t *p, uint32_t n)
{
	uint32_t at = in ? (echo_head + echo_len) % ECHO_BUF : echo_head;
	uint32_t first = n < ECHO_BUF - at ? n : ECHO_BUF - at;

	if (in) {
		copy(echo + at, p, first);
		copy(echo, p + first, n - first);
		echo_len += n;
	} else {
		copy(p, echo + at, first);
		copy(p + first, echo, n - first);
		echo_head = (echo_head + n) % ECHO_BUF;
		echo_len -= n;
	}
}

/* Bookkeeping every packet of c brings; copies data into the echo buffer. */
static void take(struct conn *c, uint32_t data_len)
{
	c->peer_buf_alloc = rx_buf.h.buf_alloc;
	c->peer_fwd_cnt = rx_buf.h.fwd_cnt;
	switch (rx_buf.h.op) {
	case VIRTIO_VSOCK_OP_RW:
		ring_copy(true, rx_buf.data, data_len < ECHO_BUF - echo_len ? data_len
									  : ECHO_BUF - echo_len);
		break;
	case VIRTIO_VSOCK_OP_SHUTDOWN:
		c->peer_shutdown |= rx_buf.h.flags;
		break;
	case VIRTIO_VSOCK_OP_RST:
		c->reset = true;
		break;
	case VIRTIO_VSOCK_OP_CREDIT_REQUEST:
		send_pkt(c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, 0);
		break;
	}
}

/* Shut down both ways and wait (briefly) for the host's RST that ends it. */
static void close_conn(struct conn *c)
{
	uint32_t len;

	send_pkt(c, VIRTIO_VSOCK_OP_SHUTDOWN,
		 VIRTIO_VSOCK_SHUTDOWN_RCV | VIRTIO_VSOCK_SHUTDOWN_SEND, 0);
	while (!c->reset && recv_pkt(CLOSE_TIMEOUT_MS, &len)) {
		if (for_conn(c))
			take(c, len);
		else
			refuse();
		post_rx();
	}
}

static void listen_and_echo(uint32_t port)
{
	struct conn c = { .local_port = port };
	uint32_t len, total = 0, refused = 0;

	while (!c.established) {
		if (!recv_pkt(ACCEPT_TIMEOUT_MS, &len)) {
			report_fail(CHECK_VSOCK_ACCEPT, "no connection to port %u within %u s", port,
				    ACCEPT_TIMEOUT_MS / 1000);
			return;
		}
		if (rx_buf.h.op == VIRTIO_VSOCK_OP_REQUEST && rx_buf.h.dst_port == port &&
		    rx_buf.h.src_cid == HOST_CID) {
			c.peer_port = rx_buf.h.src_port;
			c.established = true;
			take(&c, 0);
			send_pkt(&c, VIRTIO_VSOCK_OP_RESPONSE, 0, 0);
		} else {
			refused += rx_buf.h.op == VIRTIO_VSOCK_OP_REQUEST;
			refuse(); /* nobody listens there: the host sees the connection reset */
		}
		post_rx();
	}
	report_ok(CHECK_VSOCK_ACCEPT, "port %u from host port %u (%u request(s) to other ports "
		  "reset)", port, c.peer_port, refused);
	for (;;) {
		/* Echo what the host's credit allows. */
		while (echo_len && peer_free(&c) && !c.reset) {
			uint32_t n = echo_len < peer_free(&c) ? echo_len : peer_free(&c);
			n = n < RX_DATA ? n : RX_DATA;
			ring_copy(false, tx_data, n);
			c.fwd_cnt += n;
			total += n;
			send_pkt(&c, VIRTIO_VSOCK_OP_RW, 0, n);
		}
		if (c.fwd_cnt - c.fwd_sent >= ECHO_BUF / 2)
			send_pkt(&c, VIRTIO_VSOCK_OP_CREDIT_UPDATE, 0, 0);
		if (c.reset) {
			report_fail(CHECK_VSOCK_ECHO, "host reset the connection after %u bytes", total);
			return;
		}
		if (!echo_len && (c.peer_shutdown & VIRTIO_VSOCK_SHUTDOWN_SEND))
			break;
		if (!recv_pkt(STALL_TIMEOUT_MS, &len)) {
			/* A host that stops reading must not keep us: give up on it. */
			send_pkt(&c, VIRTIO_VSOCK_OP_RST, 0, 0);
			report_skip(CHECK_VSOCK_ECHO, "host stopped reading: %u bytes echoed, %u "
				    "waiting, no credit for %u s: connection reset", total, echo_len,
				    STALL_TIMEOUT_MS / 1000);
			return;
		}
		if (for_conn(&c))
			take(&c, len);
		else
			refuse();
		post_rx();
	}
	close_conn(&c);
	report_ok(CHECK_VSOCK_ECHO, "%u bytes echoed, host shut down, closed%s", total,
		  c.reset ? " (RST received)" : "");
}

static void connect_and_hello(uint32_t port)
{
	struct conn c = { .local_port = GUEST_PORT, .peer_port = port };
	uint32_t len, got = 0;
	char line[80];

	send_pkt(&c, VIRTIO_VSOCK_OP_REQUEST, 0, 0);
	while (!c.established && !c.reset) {
		if (!recv_pkt(REPLY_TIMEOUT_MS, &len)) {
			report_fail(CHECK_VSOCK_CONNECT, "no answer to the connection to port %u", port);
			return;
		}
		if (for_conn(&c)) {
			take(&c, 0);
			c.established = rx_buf.h.op == VIRTIO_VSOCK_OP_RESPONSE;
		} else {
			refuse();
		}
		post_rx();
	}
	if (c.reset) {
		report_fail(CHECK_VSOCK_CONNECT, "host port %u refused the connection (RST)", port);
		return;
	}
	static const char hello[] = "hello from cid ";
	uint32_t n = sizeof(hello) - 1;
	memcpy(tx_data, hello, n);
	n += put_decimal((char *)tx_data + n, my_cid);
	tx_data[n++] = '\n';
	if (n > peer_free(&c)) {
		report_fail(CHECK_VSOCK_CONNECT, "host gave %u bytes of credit", peer_free(&c));
		return;
	}
	send_pkt(&c, VIRTIO_VSOCK_OP_RW, 0, n);
	while (!got || line[got - 1] != '\n') {
		if (c.reset || !recv_pkt(REPLY_TIMEOUT_MS, &len)) {
			report_fail(CHECK_VSOCK_CONNECT, "no reply line (%u bytes, %s)", got,
				    c.reset ? "reset" : "timeout");
			return;
		}
		if (for_conn(&c)) {
			take(&c, 0);
			for (uint32_t i = 0; rx_buf.h.op == VIRTIO_VSOCK_OP_RW && i < len &&
					     got < sizeof(line) - 1 && (!got || line[got - 1] != '\n'); i++)
				line[got++] = (char)rx_buf.data[i];
			if (got == sizeof(line) - 1)
				line[got - 1] = '\n'; /* long enough: stop there */
			c.fwd_cnt += len;
		} else {
			refuse();
		}
		post_rx();
	}
	line[got - 1] = '\0';
	close_conn(&c);
	report_ok(CHECK_VSOCK_CONNECT, "host port %u answered \"%s\"", port, line);
}

/* --- hostile=vsock... --- */

/* Send what tx_hdr holds (hdr_len bytes, data_len more); wait for the answer. */
static bool answered_with_rst(uint32_t hdr_len, uint32_t data_len)
{
	uint32_t len;
	uint32_t src_port = tx_hdr.src_port;

	send_raw(hdr_len, data_len);
	while (recv_pkt(HOSTILE_TIMEOUT_MS, &len)) {
		bool rst = rx_buf.h.op == VIRTIO_VSOCK_OP_RST && rx_buf.h.dst_port == src_port;
		post_rx();
		if (rst)
			return true;
	}
	return false;
}

/* The device still answers: an RST for data on no connection. */
static bool alive(void)
{
	fill_hdr(GUEST_PORT + 99, 1, VIRTIO_VSOCK_OP_RW, 1, 0);
	return answered_with_rst(sizeof(tx_hdr), 1);
}

/* Connect to the host's port, then send 64 KiB packets past its buf_alloc. */
static bool credit_overrun(uint32_t port, uint32_t *sent)
{
	struct conn c = { .local_port = GUEST_PORT + 1, .peer_port = port };
	uint32_t len;

	send_pkt(&c, VIRTIO_VSOCK_OP_REQUEST, 0, 0);
	if (!recv_pkt(REPLY_TIMEOUT_MS, &len))
		return false;
	take(&c, 0);
	post_rx();
	if (rx_buf.h.op != VIRTIO_VSOCK_OP_RESPONSE && !c.reset)
		c.reset = !for_conn(&c);
	for (unsigned i = 0; i < 64 && !c.reset; i++) {
		send_pkt(&c, VIRTIO_VSOCK_OP_RW, 0, TX_DATA); /* credit ignored on purpose */
		*sent += TX_DATA;
		while (!c.reset && recv_pkt(50, &len)) {
			if (for_conn(&c) && rx_buf.h.op == VIRTIO_VSOCK_OP_RST)
				c.reset = true;
			post_rx();
		}
	}
	return c.reset && *sent > c.peer_buf_alloc;
}

static void hostile(const struct virtio_options *vo)
{
	static const char *const names[] = { "vsockop", "vsocktype", "vsocklen", "vsockshort",
					     "vsockunknown", "vsockcredit" };
	unsigned cases = 0, passed = 0;

	for (unsigned k = HOSTILE_VSOCK_OP; k < HOSTILE_KINDS; k++) {
		if (!(vo->hostile & (1u << k)))
			continue;
		const char *name = names[k - HOSTILE_VSOCK_OP];
		uint32_t sent = 0;
		bool rejected = false;

		cases++;
		fill_hdr(GUEST_PORT + 2, 1234, VIRTIO_VSOCK_OP_REQUEST, 0, 0);
		switch (k) {
		case HOSTILE_VSOCK_OP:
			tx_hdr.op = 99;
			rejected = answered_with_rst(sizeof(tx_hdr), 0);
			break;
		case HOSTILE_VSOCK_TYPE:
			tx_hdr.type = VIRTIO_VSOCK_TYPE_SEQPACKET;
			rejected = answered_with_rst(sizeof(tx_hdr), 0);
			break;
		case HOSTILE_VSOCK_LEN:
			tx_hdr.op = VIRTIO_VSOCK_OP_RW;
			tx_hdr.len = 0x7ffff000;
			rejected = answered_with_rst(sizeof(tx_hdr), 16);
			break;
		case HOSTILE_VSOCK_SHORT: /* dropped: no answer, but the device goes on */
			rejected = !answered_with_rst(20, 0);
			break;
		case HOSTILE_VSOCK_UNKNOWN:
			tx_hdr.op = VIRTIO_VSOCK_OP_RW;
			tx_hdr.len = 8;
			rejected = answered_with_rst(sizeof(tx_hdr), 8);
			break;
		case HOSTILE_VSOCK_CREDIT:
			rejected = credit_overrun(vo->vsock_connect ? vo->vsock_connect + 1 : 7777,
						  &sent);
			break;
		}
		bool ok = rejected && alive();
		passed += ok;
		if (ok)
			report_ok(CHECK_VSOCK_HOSTILE, "%s: rejected%s, device still answers", name,
				  k == HOSTILE_VSOCK_CREDIT ? " (RST after the overrun)" : "");
		else
			report_fail(CHECK_VSOCK_HOSTILE, "%s: %s", name,
				    rejected ? "device no longer answers" : "not rejected");
		(void)sent;
	}
	if (cases && passed == cases)
		report_info("vsock-hostile: %u case(s) rejected", cases);
}

void virtio_vsock_checks(const struct virtio_options *vo)
{
	dev = virtio_find(VIRTIO_ID_VSOCK, 0);
	if (!dev) {
		report_fail(CHECK_VSOCK_CID, "vsock checks asked for, but no vsock device");
		return;
	}
	my_cid = vdev_config32(dev, 0) | (uint64_t)vdev_config32(dev, 4) << 32;
	if (vo->expect_cid && my_cid != vo->expect_cid)
		report_fail(CHECK_VSOCK_CID, "guest_cid %lu, expected %lu", (unsigned long)my_cid,
			    (unsigned long)vo->expect_cid);
	else
		report_ok(CHECK_VSOCK_CID, "guest_cid %lu", (unsigned long)my_cid);
	post_rx();
	if (vo->hostile & ~HOSTILE_BLK_MASK)
		hostile(vo);
	if (vo->vsock_listen)
		listen_and_echo(vo->vsock_listen);
	if (vo->vsock_connect)
		connect_and_hello(vo->vsock_connect);
}
