/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_target.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "debug/page_walk.h"

#define BP_VECTOR 3

int gdb_target_get_state(struct gdbstub *s, unsigned vcpu, struct gdb_cpu_state *state)
{
	int fd = s->vm->vcpus[vcpu].fd;
	memset(state, 0, sizeof(*state));
	if (ioctl(fd, KVM_GET_REGS, &state->regs) < 0 ||
	    ioctl(fd, KVM_GET_SREGS, &state->sregs) < 0)
		return -1;
	state->fpu_valid = ioctl(fd, KVM_GET_FPU, &state->fpu) == 0;
	return 0;
}

int gdb_target_put_state(struct gdbstub *s, unsigned vcpu, const struct gdb_cpu_state *state,
			 unsigned dirty)
{
	int fd = s->vm->vcpus[vcpu].fd;
	if ((dirty & GDB_DIRTY_REGS) && ioctl(fd, KVM_SET_REGS, &state->regs) < 0)
		return -1;
	if ((dirty & GDB_DIRTY_SREGS) && ioctl(fd, KVM_SET_SREGS, &state->sregs) < 0)
		return -1;
	if ((dirty & GDB_DIRTY_FPU) && ioctl(fd, KVM_SET_FPU, &state->fpu) < 0)
		return -1;
	return 0;
}

/* Host pointer for the part of [addr, addr + len) that lies in addr's page, or NULL. */
static uint8_t *map_page_piece(struct gdbstub *s, const struct kvm_sregs *sregs, uint64_t addr,
			       size_t len, size_t *piece)
{
	*piece = (size_t)(GUEST_PAGE_SIZE - (addr & (GUEST_PAGE_SIZE - 1)));
	if (*piece > len)
		*piece = len;
	uint64_t gpa;
	if (guest_linear_to_phys(&s->vm->mem, sregs, addr, &gpa) < 0)
		return NULL;
	return gpa_range(&s->vm->mem, gpa, *piece);
}

static size_t access_memory(struct gdbstub *s, unsigned vcpu, uint64_t addr, uint8_t *buf,
			    size_t len, bool write)
{
	struct kvm_sregs sregs;
	if (ioctl(s->vm->vcpus[vcpu].fd, KVM_GET_SREGS, &sregs) < 0)
		return 0;
	size_t done = 0;
	while (done < len) {
		size_t piece;
		uint8_t *host = map_page_piece(s, &sregs, addr + done, len - done, &piece);
		if (!host)
			break;
		if (write)
			memcpy(host, buf + done, piece);
		else
			memcpy(buf + done, host, piece);
		done += piece;
	}
	return done;
}

size_t gdb_target_read_memory(struct gdbstub *s, unsigned vcpu, uint64_t addr, uint8_t *buf,
			      size_t len)
{
	size_t done = access_memory(s, vcpu, addr, buf, len, false);
	gdb_sw_breakpoint_hide(&s->sw_breakpoints, addr, buf, done);
	return done;
}

size_t gdb_target_write_memory(struct gdbstub *s, unsigned vcpu, uint64_t addr,
			       const uint8_t *buf, size_t len)
{
	size_t done = access_memory(s, vcpu, addr, (uint8_t *)(uintptr_t)buf, len, true);
	gdb_sw_breakpoint_rewrite(&s->sw_breakpoints, &s->vm->mem, addr, buf, done);
	return done;
}

static bool is_watchpoint(unsigned type)
{
	return type == GDB_WATCH_WRITE || type == GDB_WATCH_READ || type == GDB_WATCH_ACCESS;
}

/* Z3: x86 has no read-only data breakpoint (gdb then tries Z4). Z2 and Z4 need a host
 * whose KVM reports data breakpoints; gdbstub_start said so at startup if it does not. */
static bool watchpoints_unavailable(const struct gdbstub *s, unsigned type)
{
	return type == GDB_WATCH_READ || !s->caps.data_breakpoints;
}

enum gdb_z_result gdb_target_insert_break(struct gdbstub *s, unsigned vcpu, unsigned type,
					  uint64_t addr, uint64_t kind)
{
	if (type > GDB_WATCH_ACCESS)
		return GDB_Z_UNSUPPORTED;
	if (is_watchpoint(type) && watchpoints_unavailable(s, type))
		return GDB_Z_UNSUPPORTED;
	if (type == GDB_BREAK_SOFTWARE && s->caps.int3_traps) {
		struct kvm_sregs sregs;
		if (ioctl(s->vm->vcpus[vcpu].fd, KVM_GET_SREGS, &sregs) < 0 ||
		    gdb_sw_breakpoint_insert(&s->sw_breakpoints, &s->vm->mem, &sregs, addr) < 0)
			return GDB_Z_ERROR;
		return GDB_Z_OK;
	}
	/* Z0 on hosts without int3 traps, Z1, Z2, Z4: a debug register each (or more). */
	if (gdb_debugregs_insert(&s->debugregs, (enum gdb_break_type)type, addr, kind) < 0) {
		/* gdb only says it cannot access the address: say why here. */
		fprintf(stderr, "millivm: gdb: no free debug register for a breakpoint or "
				"watchpoint at %#llx (4 in all%s)\n",
			(unsigned long long)addr,
			s->caps.int3_traps ? "" : ", shared by break, hbreak and watch");
		return GDB_Z_ERROR;
	}
	return GDB_Z_OK;
}

enum gdb_z_result gdb_target_remove_break(struct gdbstub *s, unsigned type, uint64_t addr,
					  uint64_t kind)
{
	if (type > GDB_WATCH_ACCESS || type == GDB_WATCH_READ ||
	    (is_watchpoint(type) && !s->caps.data_breakpoints))
		return GDB_Z_UNSUPPORTED;
	int rc;
	if (type == GDB_BREAK_SOFTWARE && s->caps.int3_traps)
		rc = gdb_sw_breakpoint_remove(&s->sw_breakpoints, &s->vm->mem, addr);
	else
		rc = gdb_debugregs_remove(&s->debugregs, (enum gdb_break_type)type, addr, kind);
	return rc < 0 ? GDB_Z_ERROR : GDB_Z_OK;
}

void gdb_target_remove_all_breaks(struct gdbstub *s)
{
	gdb_sw_breakpoint_remove_all(&s->sw_breakpoints, &s->vm->mem);
	gdb_debugregs_clear(&s->debugregs);
}

static void set_guest_debug(struct gdbstub *s, unsigned vcpu, enum gdb_action action)
{
	struct kvm_guest_debug debug;
	memset(&debug, 0, sizeof(debug));
	if (!gdb_debugregs_empty(&s->debugregs)) {
		uint64_t debugreg[8];
		debug.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP;
		gdb_debugregs_encode(&s->debugregs, debugreg);
		for (unsigned i = 0; i < 8; i++)
			debug.arch.debugreg[i] = debugreg[i];
	}
	if (s->sw_breakpoints.count)
		debug.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
	if (action == GDB_ACTION_STEP) {
		debug.control |= KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
		if (s->caps.block_irq) /* a step stays in the code being stepped */
			debug.control |= KVM_GUESTDBG_BLOCKIRQ;
	}
	if (s->reinject_int3[vcpu]) {
		debug.control |= KVM_GUESTDBG_INJECT_BP;
		s->reinject_int3[vcpu] = false;
	}
	if (ioctl(s->vm->vcpus[vcpu].fd, KVM_SET_GUEST_DEBUG, &debug) < 0 &&
	    !s->guest_debug_failed) {
		fprintf(stderr, "millivm: gdb: KVM_SET_GUEST_DEBUG (vCPU %u): %s\n", vcpu,
			strerror(errno));
		s->guest_debug_failed = true;
	}
}

void gdb_target_resume(struct gdbstub *s, const enum gdb_action *actions)
{
	bool run[VM_MAX_VCPUS];
	for (unsigned i = 0; i < s->vm->nvcpus; i++) {
		set_guest_debug(s, i, actions[i]);
		run[i] = actions[i] != GDB_ACTION_STOP;
	}
	gdb_run_control_resume(&s->rc, run);
}

bool gdb_target_classify(struct gdbstub *s, const struct gdb_stop_event *event,
			 struct gdb_stop *stop)
{
	*stop = (struct gdb_stop){ .vcpu = event->vcpu, .signal = GDB_SIGTRAP };
	if (event->exception == BP_VECTOR) {
		if (!gdb_sw_breakpoint_at(&s->sw_breakpoints, event->pc)) {
			s->reinject_int3[event->vcpu] = true;
			return false;
		}
		stop->reason = GDB_STOP_SWBREAK;
		return true;
	}
	const struct gdb_debug_slot *slot = gdb_debugregs_hit(&s->debugregs, event->dr6);
	if (!slot)
		return true; /* single-step */
	switch (slot->type) {
	case GDB_BREAK_SOFTWARE:
		stop->reason = GDB_STOP_SWBREAK;
		break;
	case GDB_BREAK_HARDWARE:
		stop->reason = GDB_STOP_HWBREAK;
		break;
	case GDB_WATCH_WRITE:
		stop->reason = GDB_STOP_WATCH;
		stop->watch_addr = slot->req_addr;
		break;
	default:
		stop->reason = GDB_STOP_AWATCH;
		stop->watch_addr = slot->req_addr;
		break;
	}
	return true;
}
