/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * millivm: parse the VM description, build the VM, load the kernel, run until the guest
 * ends, and hand its status to the shell.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/boot.h"
#include "core/console.h"
#include "core/options.h"
#include "core/vcpu.h"
#include "core/version.h"
#include "core/vm.h"
#include "debug/guest_trace.h"
#include "debug/timeline.h"
#include "devices/platform.h"
#include "devices/serial.h"
#include "millivm/abi.h"

static struct vm the_vm;
static struct guest_trace the_trace;

static int fail(const struct error *err)
{
	fprintf(stderr, "millivm: %s\n", err->msg);
	return MILLIVM_EXIT_ERROR;
}

static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	serial_receive(opaque, buf, len);
}

static int create_devices(struct vm *vm, struct serial **console, struct error *err)
{
	*console = serial_create(vm, COM1_PORT, COM1_IRQ, STDOUT_FILENO, err);
	if (!*console || i8042_create(vm, err) < 0 || debug_exit_create(vm, err) < 0 ||
	    boot_timer_create(vm, err) < 0 || guest_trace_port_create(vm, &the_trace, err) < 0)
		return -1;
	return 0;
}

static void wait_for_exit(struct vm *vm)
{
	while (!atomic_load(&vm->exiting)) {
		struct pollfd exit_fd = { .fd = vm->exit_eventfd, .events = POLLIN };
		poll(&exit_fd, 1, -1);
	}
}

/* Outputs asked for on the command line, written once the guest is gone. */
static int write_reports(const struct vm *vm, const struct vm_config *cfg)
{
	int rc = 0;
	if (cfg->timeline_json)
		timeline_set_guest_resident(guest_mem_resident_bytes(&vm->mem));
	if (cfg->timeline)
		timeline_print(stderr);
	if (cfg->timeline_json && timeline_write_json(cfg->timeline_json) < 0) {
		fprintf(stderr, "millivm: --timeline-json %s: %s\n", cfg->timeline_json,
			strerror(errno));
		rc = -1;
	}
	if (cfg->trace_out) {
		FILE *f = fopen(cfg->trace_out, "w");
		if (!f || guest_trace_write_tslog(&the_trace, f) < 0 || fclose(f) != 0) {
			fprintf(stderr, "millivm: --trace-out %s: %s\n", cfg->trace_out,
				strerror(errno));
			rc = -1;
		}
	}
	return rc;
}

int main(int argc, char **argv)
{
	timeline_mark(TL_PROCESS_START);
	static struct vm_config cfg;
	struct error err = { "" };
	switch (options_parse(argc, argv, &cfg, &err)) {
	case OPTIONS_EXIT:
		return 0;
	case OPTIONS_ERROR:
		return fail(&err);
	case OPTIONS_RUN:
		break;
	}
	timeline_mark(TL_ARGS_PARSED);
	if (cfg.ndrives || cfg.rng || cfg.console == CONSOLE_VIRTIO || cfg.gdb_address) {
		error_set(&err, "virtio devices and --gdb are not in this build yet");
		return fail(&err);
	}
	signal(SIGPIPE, SIG_IGN); /* a closed console must not kill the VM */

	struct vm *vm = &the_vm;
	struct serial *console;
	if (vcpu_signals_init() < 0 || vm_create(vm, &cfg, &err) < 0 ||
	    create_devices(vm, &console, &err) < 0)
		return fail(&err);
	timeline_mark(TL_KVM_READY);

	if (boot_load(vm, cfg.cmdline, &err) < 0 || vm_setup_vcpus(vm, &err) < 0)
		return fail(&err);
	timeline_mark(TL_KERNEL_LOADED);

	console_terminal_setup();
	if (vm_start(vm, &err) < 0)
		return fail(&err);
	console_input_start(vm, serial_input, console);
	wait_for_exit(vm);
	console_terminal_restore();

	if (write_reports(vm, &cfg) < 0 && vm->exit_status == 0)
		return MILLIVM_EXIT_ERROR;
	return vm->exit_status;
}
