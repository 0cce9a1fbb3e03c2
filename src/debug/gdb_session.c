/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_session.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "debug/gdb_hex.h"

/* Error numbers in "Exx" replies (errno values, as gdbserver sends them). */
#define E_FAULT 0x0e
#define E_INVALID 0x16
#define E_NO_SPACE 0x1c

#define TARGET_XML_ANNEX "target.xml"

/* ---- output ---- */

static void send_raw(struct gdb_session *s, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	while (len > 0 && s->end != GDB_SESSION_GONE) {
		ssize_t n = write(s->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->end = GDB_SESSION_GONE; /* closed, or a client that stopped reading */
			return;
		}
		p += n;
		len -= (size_t)n;
	}
}

static void reply_reset(struct gdb_session *s)
{
	s->reply_len = 0;
	s->reply_overflow = false;
}

static void reply_bytes(struct gdb_session *s, const void *data, size_t len)
{
	if (len > sizeof(s->reply) - s->reply_len) {
		s->reply_overflow = true;
		return;
	}
	memcpy(s->reply + s->reply_len, data, len);
	s->reply_len += len;
}

static void reply_str(struct gdb_session *s, const char *str)
{
	reply_bytes(s, str, strlen(str));
}

static void reply_fmt(struct gdb_session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void reply_fmt(struct gdb_session *s, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		s->reply_overflow = true;
		return;
	}
	reply_bytes(s, buf, (size_t)n);
}

static void reply_hex(struct gdb_session *s, const uint8_t *data, size_t len)
{
	if (2 * len > sizeof(s->reply) - s->reply_len) {
		s->reply_overflow = true;
		return;
	}
	gdb_hex_encode(data, len, s->reply + s->reply_len);
	s->reply_len += 2 * len;
}

static void reply_error(struct gdb_session *s, int code)
{
	reply_reset(s);
	reply_fmt(s, "E%02x", code);
}

static void send_reply(struct gdb_session *s)
{
	if (s->reply_overflow) /* a bug, not the client's fault: still answer */
		reply_error(s, E_INVALID);
	s->frame_len = gdb_frame((const uint8_t *)s->reply, s->reply_len, s->frame,
				 sizeof(s->frame));
	send_raw(s, s->frame, s->frame_len);
}

/* ---- stops ---- */

static unsigned nvcpus(const struct gdb_session *s)
{
	return s->stub->vm->nvcpus;
}

static void send_stop_reply(struct gdb_session *s, const struct gdb_stop *stop)
{
	reply_reset(s);
	reply_fmt(s, "T%02xthread:%x;", stop->signal, stop->vcpu + 1);
	switch (stop->reason) {
	case GDB_STOP_SIGNAL:
		break;
	case GDB_STOP_SWBREAK:
		reply_str(s, "swbreak:;");
		break;
	case GDB_STOP_HWBREAK:
		reply_str(s, "hwbreak:;");
		break;
	case GDB_STOP_WATCH:
		reply_fmt(s, "watch:%llx;", (unsigned long long)stop->watch_addr);
		break;
	case GDB_STOP_AWATCH:
		reply_fmt(s, "awatch:%llx;", (unsigned long long)stop->watch_addr);
		break;
	}
	send_reply(s);
}

static void stopped(struct gdb_session *s, const struct gdb_stop *stop)
{
	s->running = false;
	s->last_stop = *stop;
	s->g_vcpu = stop->vcpu;
	send_stop_reply(s, stop);
}

void gdb_session_begin(struct gdb_session *s, struct gdbstub *stub, int fd)
{
	memset(s, 0, sizeof(*s));
	s->stub = stub;
	s->fd = fd;
	s->ack_mode = true;
	s->c_thread = GDB_THREAD_ALL;
	s->last_stop = (struct gdb_stop){ .vcpu = 0, .signal = GDB_SIGTRAP };
	gdb_rx_init(&s->rx);
	gdb_run_control_stop_all(&stub->rc);
	/* An event from before the connection (a step of an earlier session) is stale now. */
	struct gdb_stop_event stale;
	(void)gdb_run_control_take_event(&stub->rc, &stale);
}

void gdb_session_check_stop(struct gdb_session *s)
{
	struct gdbstub *stub = s->stub;
	if (!s->running)
		return;
	struct gdb_stop_event event;
	if (!gdb_run_control_take_event(&stub->rc, &event))
		return; /* an old wake-up */
	gdb_run_control_stop_all(&stub->rc);
	struct gdb_stop stop;
	if (!gdb_target_classify(stub, &event, &stop)) {
		gdb_target_resume(stub, s->last_actions); /* the guest's own int3 */
		return;
	}
	stopped(s, &stop);
}

static void interrupt(struct gdb_session *s)
{
	if (!s->running)
		return;
	struct gdbstub *stub = s->stub;
	gdb_run_control_stop_all(&stub->rc);
	struct gdb_stop stop = { .vcpu = s->g_vcpu, .signal = GDB_SIGINT };
	struct gdb_stop_event event;
	if (gdb_run_control_take_event(&stub->rc, &event) &&
	    !gdb_target_classify(stub, &event, &stop))
		stop = (struct gdb_stop){ .vcpu = s->g_vcpu, .signal = GDB_SIGINT };
	stopped(s, &stop);
}

void gdb_session_vm_exited(struct gdb_session *s, int status)
{
	if (!s->running)
		return;
	reply_reset(s);
	reply_fmt(s, "W%02x", status & 0xff);
	send_reply(s);
	s->running = false;
}

static void resume(struct gdb_session *s, const enum gdb_action *actions)
{
	memcpy(s->last_actions, actions, nvcpus(s) * sizeof(actions[0]));
	s->running = true;
	gdb_target_resume(s->stub, actions);
}

/* ---- registers ---- */

static void cmd_read_registers(struct gdb_session *s)
{
	struct gdb_cpu_state state;
	enum gdb_arch arch = s->stub->arch;
	if (gdb_target_get_state(s->stub, s->g_vcpu, &state) < 0)
		return reply_error(s, E_FAULT);
	for (unsigned i = 0; i < gdb_regs_count(arch); i++) {
		uint8_t value[GDB_REG_MAX_BYTES];
		size_t size = gdb_reg_size(arch, i);
		if (gdb_reg_get(arch, &state, i, value)) {
			reply_hex(s, value, size);
		} else {
			for (size_t j = 0; j < 2 * size; j++)
				reply_str(s, "x");
		}
	}
}

static void cmd_write_registers(struct gdb_session *s, struct gdb_cursor *c)
{
	struct gdb_cpu_state state;
	enum gdb_arch arch = s->stub->arch;
	if (gdb_target_get_state(s->stub, s->g_vcpu, &state) < 0)
		return reply_error(s, E_FAULT);
	unsigned dirty = 0;
	/* Whole registers only; gdb may send fewer than we describe, never more. */
	for (unsigned i = 0; i < gdb_regs_count(arch) && !gdb_at_end(c); i++) {
		uint8_t value[GDB_REG_MAX_BYTES];
		size_t size = gdb_reg_size(arch, i);
		if (gdb_cursor_left(c) < 2 * size || !gdb_hex_decode(c->p, size, value))
			return reply_error(s, E_INVALID);
		c->p += 2 * size;
		int d = gdb_reg_set(arch, &state, i, value);
		if (d > 0)
			dirty |= (unsigned)d;
	}
	if (!gdb_at_end(c))
		return reply_error(s, E_INVALID);
	if (gdb_target_put_state(s->stub, s->g_vcpu, &state, dirty) < 0)
		return reply_error(s, E_FAULT);
	reply_str(s, "OK");
}

static void cmd_read_register(struct gdb_session *s, struct gdb_cursor *c)
{
	uint64_t regno;
	struct gdb_cpu_state state;
	enum gdb_arch arch = s->stub->arch;
	if (!gdb_take_hex(c, &regno) || !gdb_at_end(c) || regno >= gdb_regs_count(arch))
		return reply_error(s, E_INVALID);
	if (gdb_target_get_state(s->stub, s->g_vcpu, &state) < 0)
		return reply_error(s, E_FAULT);
	uint8_t value[GDB_REG_MAX_BYTES];
	size_t size = gdb_reg_size(arch, (unsigned)regno);
	if (!gdb_reg_get(arch, &state, (unsigned)regno, value)) {
		for (size_t j = 0; j < 2 * size; j++)
			reply_str(s, "x");
		return;
	}
	reply_hex(s, value, size);
}

static void cmd_write_register(struct gdb_session *s, struct gdb_cursor *c)
{
	uint64_t regno;
	struct gdb_cpu_state state;
	enum gdb_arch arch = s->stub->arch;
	if (!gdb_take_hex(c, &regno) || !gdb_take_char(c, '=') || regno >= gdb_regs_count(arch))
		return reply_error(s, E_INVALID);
	uint8_t value[GDB_REG_MAX_BYTES];
	size_t size = gdb_reg_size(arch, (unsigned)regno);
	if (gdb_cursor_left(c) != 2 * size || !gdb_hex_decode(c->p, size, value))
		return reply_error(s, E_INVALID);
	if (gdb_target_get_state(s->stub, s->g_vcpu, &state) < 0)
		return reply_error(s, E_FAULT);
	int dirty = gdb_reg_set(arch, &state, (unsigned)regno, value);
	if (dirty < 0 || gdb_target_put_state(s->stub, s->g_vcpu, &state, (unsigned)dirty) < 0)
		return reply_error(s, E_FAULT);
	reply_str(s, "OK");
}

/* ---- memory ---- */

static bool take_addr_len(struct gdb_cursor *c, uint64_t *addr, uint64_t *len)
{
	return gdb_take_hex(c, addr) && gdb_take_char(c, ',') && gdb_take_hex(c, len);
}

static void cmd_read_memory(struct gdb_session *s, struct gdb_cursor *c)
{
	uint64_t addr, len;
	if (!take_addr_len(c, &addr, &len) || !gdb_at_end(c))
		return reply_error(s, E_INVALID);
	if (len > sizeof(s->reply) / 2)
		len = sizeof(s->reply) / 2; /* gdb asks again for the rest */
	size_t done = gdb_target_read_memory(s->stub, s->g_vcpu, addr, s->memory, (size_t)len);
	if (done == 0 && len > 0)
		return reply_error(s, E_FAULT);
	reply_hex(s, s->memory, done);
}

/* M (hex data) and X (binary data, already unescaped by the framing). */
static void cmd_write_memory(struct gdb_session *s, struct gdb_cursor *c, bool binary)
{
	uint64_t addr, len;
	if (!take_addr_len(c, &addr, &len) || !gdb_take_char(c, ':') ||
	    len > sizeof(s->memory))
		return reply_error(s, E_INVALID);
	size_t left = gdb_cursor_left(c);
	if (binary ? left != len : left != 2 * len)
		return reply_error(s, E_INVALID);
	if (binary)
		memcpy(s->memory, c->p, (size_t)len);
	else if (!gdb_hex_decode(c->p, (size_t)len, s->memory))
		return reply_error(s, E_INVALID);
	if (len && gdb_target_write_memory(s->stub, s->g_vcpu, addr, s->memory, (size_t)len) != len)
		return reply_error(s, E_FAULT);
	reply_str(s, "OK");
}

/* ---- breakpoints ---- */

static void cmd_breakpoint(struct gdb_session *s, struct gdb_cursor *c, bool insert)
{
	uint64_t type, addr, kind;
	if (!gdb_take_hex(c, &type) || !gdb_take_char(c, ',') || !take_addr_len(c, &addr, &kind) ||
	    !gdb_at_end(c))
		return reply_error(s, E_INVALID);
	enum gdb_z_result r =
		insert ? gdb_target_insert_break(s->stub, s->g_vcpu, (unsigned)type, addr, kind)
		       : gdb_target_remove_break(s->stub, (unsigned)type, addr, kind);
	switch (r) {
	case GDB_Z_OK:
		reply_str(s, "OK");
		break;
	case GDB_Z_UNSUPPORTED:
		break; /* empty */
	case GDB_Z_ERROR:
		reply_error(s, E_NO_SPACE);
		break;
	}
}

/* ---- threads and resuming ---- */

static bool valid_thread(const struct gdb_session *s, long tid)
{
	return tid >= 1 && (unsigned long)tid <= nvcpus(s);
}

static void cmd_set_thread(struct gdb_session *s, struct gdb_cursor *c)
{
	char op = gdb_cursor_left(c) ? *c->p++ : 0;
	long tid;
	if ((op != 'g' && op != 'c') || !gdb_take_thread_id(c, &tid) || !gdb_at_end(c) ||
	    (tid > 0 && !valid_thread(s, tid)))
		return reply_error(s, E_INVALID);
	if (op == 'g' && tid > 0)
		s->g_vcpu = (unsigned)(tid - 1);
	else if (op == 'c')
		s->c_thread = tid;
	reply_str(s, "OK");
}

static void cmd_thread_alive(struct gdb_session *s, struct gdb_cursor *c)
{
	long tid;
	if (!gdb_take_thread_id(c, &tid) || !gdb_at_end(c) || !valid_thread(s, tid))
		return reply_error(s, E_INVALID);
	reply_str(s, "OK");
}

/* Optional "addr" (after "sig;" for C and S): resume there. */
static bool take_resume_address(struct gdb_session *s, struct gdb_cursor *c, unsigned vcpu)
{
	uint64_t addr;
	if (gdb_at_end(c))
		return true;
	if (!gdb_take_hex(c, &addr) || !gdb_at_end(c))
		return false;
	struct gdb_cpu_state state;
	if (gdb_target_get_state(s->stub, vcpu, &state) < 0)
		return false;
	state.regs.rip = addr;
	return gdb_target_put_state(s->stub, vcpu, &state, GDB_DIRTY_REGS) == 0;
}

/* c, C, s, S: continue all, or step the Hc thread while the others stay stopped. */
static bool cmd_legacy_resume(struct gdb_session *s, struct gdb_cursor *c, char op)
{
	uint64_t signal;
	unsigned vcpu = valid_thread(s, s->c_thread) ? (unsigned)(s->c_thread - 1) : s->g_vcpu;
	if ((op == 'C' || op == 'S') &&
	    (!gdb_take_hex(c, &signal) || (!gdb_at_end(c) && !gdb_take_char(c, ';'))))
		goto bad;
	if (!take_resume_address(s, c, vcpu))
		goto bad;
	enum gdb_action actions[VM_MAX_VCPUS];
	bool step = op == 's' || op == 'S';
	for (unsigned i = 0; i < nvcpus(s); i++)
		actions[i] = step ? (i == vcpu ? GDB_ACTION_STEP : GDB_ACTION_STOP)
				  : GDB_ACTION_CONTINUE;
	resume(s, actions);
	return false;
bad:
	reply_error(s, E_INVALID);
	return true;
}

/* vCont;ACTION[:TID]...: the first action naming a thread (or none) applies to it. */
static bool cmd_vcont(struct gdb_session *s, struct gdb_cursor *c)
{
	enum gdb_action actions[VM_MAX_VCPUS];
	bool decided[VM_MAX_VCPUS] = { false };
	bool any_runs = false;
	for (unsigned i = 0; i < nvcpus(s); i++)
		actions[i] = GDB_ACTION_STOP;
	while (gdb_take_char(c, ';')) {
		char op = gdb_cursor_left(c) ? *c->p++ : 0;
		uint64_t signal;
		long tid = GDB_THREAD_ALL;
		if (op != 'c' && op != 'C' && op != 's' && op != 'S')
			goto bad;
		if ((op == 'C' || op == 'S') && !gdb_take_hex(c, &signal))
			goto bad;
		if (gdb_take_char(c, ':') && !gdb_take_thread_id(c, &tid))
			goto bad;
		if (tid == GDB_THREAD_ANY)
			tid = (long)s->g_vcpu + 1;
		if (tid != GDB_THREAD_ALL && !valid_thread(s, tid))
			goto bad;
		for (unsigned i = 0; i < nvcpus(s); i++) {
			if (decided[i] || (tid != GDB_THREAD_ALL && (unsigned long)tid != i + 1))
				continue;
			decided[i] = true;
			actions[i] = (op == 's' || op == 'S') ? GDB_ACTION_STEP
							      : GDB_ACTION_CONTINUE;
			any_runs = true;
		}
	}
	if (!gdb_at_end(c) || !any_runs)
		goto bad;
	resume(s, actions);
	return false;
bad:
	reply_error(s, E_INVALID);
	return true;
}

/* ---- queries ---- */

static void cmd_xfer_features(struct gdb_session *s, struct gdb_cursor *c)
{
	uint64_t offset, length;
	const struct gdbstub *stub = s->stub;
	if (!gdb_take_prefix(c, TARGET_XML_ANNEX ":"))
		return reply_error(s, 0);
	if (!take_addr_len(c, &offset, &length) || !gdb_at_end(c) || length == 0)
		return reply_error(s, E_INVALID);
	if (offset >= stub->target_xml_len) {
		reply_str(s, "l");
		return;
	}
	size_t chunk = stub->target_xml_len - (size_t)offset;
	if (chunk > length)
		chunk = (size_t)length;
	size_t consumed;
	size_t room = sizeof(s->reply) - 1;
	if (room > length)
		room = (size_t)length; /* gdb's buffer: escapes count too */
	s->reply[0] = 'l';
	s->reply_len = 1 + gdb_escape_binary((const uint8_t *)stub->target_xml + offset, chunk,
					     (uint8_t *)s->reply + 1, room, &consumed);
	if (offset + consumed < stub->target_xml_len)
		s->reply[0] = 'm';
}

static void cmd_thread_list(struct gdb_session *s)
{
	reply_str(s, "m");
	for (unsigned i = 0; i < nvcpus(s); i++)
		reply_fmt(s, i ? ",%x" : "%x", i + 1);
}

static void cmd_thread_extra_info(struct gdb_session *s, struct gdb_cursor *c)
{
	long tid;
	if (!gdb_take_thread_id(c, &tid) || !gdb_at_end(c) || !valid_thread(s, tid))
		return reply_error(s, E_INVALID);
	char text[32];
	int n = snprintf(text, sizeof(text), "vCPU %ld", tid - 1);
	reply_hex(s, (const uint8_t *)text, (size_t)n);
}

static void cmd_query(struct gdb_session *s, struct gdb_cursor *c)
{
	if (gdb_take_prefix(c, "qSupported")) {
		reply_fmt(s, "PacketSize=%x;qXfer:features:read+;QStartNoAckMode+;"
			     "swbreak+;hwbreak+",
			  GDB_PACKET_MAX);
	} else if (gdb_take_prefix(c, "qXfer:features:read:")) {
		cmd_xfer_features(s, c);
	} else if (gdb_take_prefix(c, "qAttached")) {
		reply_str(s, "1"); /* gdb's quit then detaches: the VM runs on */
	} else if (gdb_take_prefix(c, "qC") && gdb_at_end(c)) {
		reply_fmt(s, "QC%x", s->g_vcpu + 1);
	} else if (gdb_take_prefix(c, "qfThreadInfo")) {
		cmd_thread_list(s);
	} else if (gdb_take_prefix(c, "qsThreadInfo")) {
		reply_str(s, "l");
	} else if (gdb_take_prefix(c, "qThreadExtraInfo,")) {
		cmd_thread_extra_info(s, c);
	} else if (gdb_take_prefix(c, "qSymbol::")) {
		reply_str(s, "OK");
	}
	/* Anything else: empty, "not supported". */
}

static void cmd_v(struct gdb_session *s, struct gdb_cursor *c, bool *replied)
{
	if (gdb_take_prefix(c, "vCont?")) {
		reply_str(s, "vCont;c;C;s;S");
	} else if (gdb_take_prefix(c, "vCont")) {
		*replied = cmd_vcont(s, c);
		return;
	} else if (gdb_take_prefix(c, "vKill")) {
		reply_str(s, "OK");
		s->end = GDB_SESSION_KILLED;
	}
	*replied = true; /* vMustReplyEmpty and the unknown: empty */
}

/* Returns whether a reply is due now (resuming owes a stop reply later, k none). */
static bool dispatch(struct gdb_session *s, struct gdb_cursor *c)
{
	char op = gdb_cursor_left(c) ? *c->p : 0;
	bool replied = true;
	switch (op) {
	case '?':
		send_stop_reply(s, &s->last_stop);
		return false;
	case 'q':
		cmd_query(s, c);
		break;
	case 'Q':
		if (gdb_take_prefix(c, "QStartNoAckMode") && gdb_at_end(c)) {
			reply_str(s, "OK");
			send_reply(s);
			s->ack_mode = false;
			return false;
		}
		break;
	case 'v':
		cmd_v(s, c, &replied);
		break;
	case 'g':
		cmd_read_registers(s);
		break;
	case 'G':
		c->p++;
		cmd_write_registers(s, c);
		break;
	case 'p':
		c->p++;
		cmd_read_register(s, c);
		break;
	case 'P':
		c->p++;
		cmd_write_register(s, c);
		break;
	case 'm':
		c->p++;
		cmd_read_memory(s, c);
		break;
	case 'M':
	case 'X':
		c->p++;
		cmd_write_memory(s, c, op == 'X');
		break;
	case 'Z':
	case 'z':
		c->p++;
		cmd_breakpoint(s, c, op == 'Z');
		break;
	case 'H':
		c->p++;
		cmd_set_thread(s, c);
		break;
	case 'T':
		c->p++;
		cmd_thread_alive(s, c);
		break;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		c->p++;
		replied = cmd_legacy_resume(s, c, op);
		break;
	case 'D':
		reply_str(s, "OK");
		send_reply(s);
		s->end = GDB_SESSION_DETACHED;
		return false;
	case 'k':
		s->end = GDB_SESSION_KILLED;
		return false;
	default:
		break; /* empty reply: not supported */
	}
	return replied;
}

static void handle_packet(struct gdb_session *s)
{
	if (s->ack_mode)
		send_raw(s, "+", 1);
	if (s->running)
		return; /* all-stop: only ^C is expected while the target runs */
	struct gdb_cursor c = gdb_cursor(s->rx.data, s->rx.len);
	reply_reset(s);
	if (dispatch(s, &c))
		send_reply(s);
}

void gdb_session_input(struct gdb_session *s, const uint8_t *buf, size_t len)
{
	for (size_t i = 0; i < len && s->end == GDB_SESSION_OPEN; i++) {
		switch (gdb_rx_feed(&s->rx, buf[i])) {
		case GDB_RX_PACKET:
			handle_packet(s);
			break;
		case GDB_RX_BAD_PACKET:
			if (s->ack_mode)
				send_raw(s, "-", 1);
			break;
		case GDB_RX_NAK:
			if (s->ack_mode && s->frame_len)
				send_raw(s, s->frame, s->frame_len);
			break;
		case GDB_RX_INTERRUPT:
			interrupt(s);
			break;
		case GDB_RX_ACK:
		case GDB_RX_NONE:
			break;
		}
	}
}
