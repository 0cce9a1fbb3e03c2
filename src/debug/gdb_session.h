/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One debugger connection: acknowledgements, packet dispatch and replies, and the stop
 * replies owed after a resume. All-stop mode: every vCPU is parked while gdb looks at the
 * target; threads are vCPUs, thread id = vCPU index + 1.
 */
#ifndef MILLIVM_DEBUG_GDB_SESSION_H
#define MILLIVM_DEBUG_GDB_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "debug/gdb_packet.h"
#include "debug/gdb_stub_state.h"
#include "debug/gdb_target.h"

enum gdb_session_end {
	GDB_SESSION_OPEN,
	GDB_SESSION_DETACHED, /* D: the VM runs on */
	GDB_SESSION_KILLED,   /* k or vKill: the VM ends */
	GDB_SESSION_GONE,     /* the connection dropped: treated like a detach */
};

struct gdb_session {
	struct gdbstub *stub;
	int fd;
	enum gdb_session_end end;
	bool ack_mode;
	bool running;      /* resumed: a stop reply is owed */
	unsigned g_vcpu;   /* Hg: registers and memory */
	long c_thread;     /* Hc: which thread a legacy s steps (GDB_THREAD_ALL: g_vcpu) */
	struct gdb_stop last_stop;
	enum gdb_action last_actions[VM_MAX_VCPUS];
	struct gdb_rx rx;
	uint8_t frame[GDB_FRAME_MAX]; /* the last packet sent, for a '-' */
	size_t frame_len;
	char reply[GDB_PACKET_MAX];
	size_t reply_len;
	bool reply_overflow;
	uint8_t memory[GDB_PACKET_MAX];
};

/* Stop the VM (gdb expects a stopped target on connect) and start talking on fd. */
void gdb_session_begin(struct gdb_session *s, struct gdbstub *stub, int fd);

/* Bytes from the debugger. */
void gdb_session_input(struct gdb_session *s, const uint8_t *buf, size_t len);

/* The stub thread was woken: a vCPU may have stopped on a debug exit. */
void gdb_session_check_stop(struct gdb_session *s);

/* The VM ended with this status: a debugger waiting for the target hears "W". */
void gdb_session_vm_exited(struct gdb_session *s, int status);

#endif
