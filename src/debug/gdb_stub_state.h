/* SPDX-License-Identifier: BSD-2-Clause */
/* The stub's state, shared by its parts (gdbstub.c, gdb_target.c, gdb_session.c). */
#ifndef MILLIVM_DEBUG_GDB_STUB_STATE_H
#define MILLIVM_DEBUG_GDB_STUB_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/vm.h"
#include "debug/gdb_debugregs.h"
#include "debug/gdb_host_probe.h"
#include "debug/gdb_regs.h"
#include "debug/gdb_run_control.h"
#include "debug/gdb_sw_breakpoints.h"

#define GDB_TARGET_XML_MAX 16384

/* What a vCPU does on resume. */
enum gdb_action {
	GDB_ACTION_STOP, /* stays parked */
	GDB_ACTION_CONTINUE,
	GDB_ACTION_STEP,
};

struct gdbstub {
	struct vm *vm;
	const char *address;
	enum gdb_arch arch;
	struct gdb_host_caps caps;
	int listen_fd;
	int wake_fd; /* eventfd: a vCPU stopped by itself, or the VM ended */
	pthread_t thread;
	bool thread_started;
	atomic_bool finishing;
	int exit_status; /* the VM's, once finishing is set */
	struct gdb_run_control rc;

	/* Below: the stub thread's alone. */
	struct gdb_debugregs debugregs;
	struct gdb_sw_breakpoints sw_breakpoints;
	bool reinject_int3[VM_MAX_VCPUS]; /* the guest's own int3 trapped: give it back */
	bool guest_debug_failed;          /* KVM_SET_GUEST_DEBUG refused: said once */
	char target_xml[GDB_TARGET_XML_MAX];
	size_t target_xml_len;
};

#endif
