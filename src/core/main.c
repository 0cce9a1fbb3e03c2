/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * millivm: parse the VM description, build the VM, load the kernel, run until the guest
 * ends, and hand its status to the shell.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/frontend.h"
#include "boot/boot.h"
#include "core/console.h"
#include "core/options.h"
#include "core/sandbox.h"
#include "core/teardown.h"
#include "core/vcpu.h"
#include "core/version.h"
#include "core/vm.h"
#include "debug/gdbstub.h"
#include "debug/guest_trace.h"
#include "debug/timeline.h"
#include "devices/platform.h"
#include "devices/serial.h"
#include "devices/virtio_console.h"
#include "devices/virtio_devices.h"
#include "millivm/abi.h"

static struct vm the_vm;
static struct guest_trace the_trace;

static int fail(const struct error *err)
{
	fprintf(stderr, "millivm: %s\n", err->msg);
	api_frontend_start_failed(err); /* a waiting InstanceStart hears why */
	return MILLIVM_EXIT_ERROR;
}

static void serial_input(void *opaque, const uint8_t *buf, size_t len)
{
	serial_receive(opaque, buf, len);
}

/* The virtio-mmio tokens the devices announce, appended to the user's command line. */
static char virtio_tokens[LAYOUT_CMDLINE_MAX];
static char full_cmdline[LAYOUT_CMDLINE_MAX];

static int create_devices(struct vm *vm, struct serial **console, struct error *err)
{
	/* With --console virtio or none, COM1 output is discarded (kvmtool does the same). */
	int com1_out = vm->cfg->console == CONSOLE_SERIAL ? STDOUT_FILENO : -1;
	*console = serial_create(vm, COM1_PORT, COM1_IRQ, com1_out, err);
	if (!*console || i8042_create(vm, err) < 0 || debug_exit_create(vm, err) < 0 ||
	    boot_timer_create(vm, err) < 0 || guest_trace_port_create(vm, &the_trace, err) < 0 ||
	    (vm->cfg->acpi && acpi_pm_create(vm, err) < 0) ||
	    virtio_devices_create(vm, vm->cfg, virtio_tokens, sizeof(virtio_tokens), err) < 0)
		return -1;
	size_t len = strlen(vm->cfg->cmdline) + strlen(virtio_tokens);
	if (len + 1 > sizeof(full_cmdline))
		return error_set(err, "kernel command line with the virtio_mmio.device= tokens is "
				      "%zu bytes, limit %zu", len, sizeof(full_cmdline) - 1);
	strcpy(full_cmdline, vm->cfg->cmdline); /* both fit: checked above */
	strcat(full_cmdline, virtio_tokens);
	return 0;
}

static void wait_for_exit(struct vm *vm)
{
	while (!atomic_load(&vm->exiting)) {
		struct pollfd exit_fd = { .fd = vm->exit_eventfd, .events = POLLIN };
		poll(&exit_fd, 1, -1);
	}
}

/*
 * Files asked for on the command line: opened once the VM is known to be good (a bad
 * kernel writes nothing) and before the sandbox closes open() off; written at the end.
 */
struct reports {
	FILE *timeline_json;
	FILE *trace;
};

static FILE *open_report(const char *option, const char *path, struct error *err)
{
	FILE *f = fopen(path, "w");
	if (!f)
		error_set(err, "%s %s: %s", option, path, strerror(errno));
	return f;
}

static int open_reports(const struct vm_config *cfg, struct reports *r, struct error *err)
{
	if (cfg->timeline_json &&
	    !(r->timeline_json = open_report("--timeline-json", cfg->timeline_json, err)))
		return -1;
	if (cfg->trace_out && !(r->trace = open_report("--trace-out", cfg->trace_out, err)))
		return -1;
	return 0;
}

static int close_report(FILE *f, const char *option, const char *path)
{
	if (fclose(f) == 0)
		return 0;
	fprintf(stderr, "millivm: %s %s: %s\n", option, path, strerror(errno));
	return -1;
}

static int write_reports(const struct vm *vm, const struct vm_config *cfg, struct reports *r)
{
	int rc = 0;
	if (cfg->timeline)
		timeline_print(stderr);
	if (r->timeline_json) {
		timeline_set_guest_resident(guest_mem_resident_bytes(&vm->mem));
		timeline_write_json(r->timeline_json);
		rc |= close_report(r->timeline_json, "--timeline-json", cfg->timeline_json);
	}
	if (r->trace) {
		guest_trace_write_tslog(&the_trace, r->trace);
		rc |= close_report(r->trace, "--trace-out", cfg->trace_out);
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
	sandbox_set_mode(cfg.seccomp); /* before any thread starts */
	if (jail_validate(&cfg.jail, &err) < 0)
		return fail(&err);
	if (cfg.jail.drop_user)
		sandbox_allow_setid();
	if (api_frontend_setup(&cfg, &err) < 0) /* --config-file, --api-sock */
		return fail(&err);
	signal(SIGPIPE, SIG_IGN); /* a closed console must not kill the VM */

	struct vm *vm = &the_vm;
	struct serial *console;
	if (vcpu_signals_init() < 0 || vm_create(vm, &cfg, &err) < 0 ||
	    create_devices(vm, &console, &err) < 0)
		return fail(&err);
	timeline_mark(TL_KVM_READY);

	struct reports reports = { NULL, NULL };
	if (boot_load(vm, full_cmdline, &err) < 0 || vm_setup_vcpus(vm, &err) < 0 ||
	    open_reports(&cfg, &reports, &err) < 0)
		return fail(&err);
	timeline_mark(TL_KERNEL_LOADED);
	if (cfg.gdb_address && gdbstub_start(vm, &err) < 0)
		return fail(&err);

	/* Everything is open: from here on the guest and its devices run jailed. */
	if (jail_enter(&cfg.jail, &err) < 0)
		return fail(&err);
	if (cfg.console != CONSOLE_NONE)
		console_terminal_setup();
	if (vm_start(vm, &err) < 0)
		return fail(&err);
	if (virtio_devices_console())
		console_input_start(vm, virtio_console_input, virtio_devices_console());
	else if (cfg.console == CONSOLE_SERIAL)
		console_input_start(vm, serial_input, console);
	api_frontend_started(vm);
	sandbox_thread_start(SANDBOX_MAIN, "millivm");
	wait_for_exit(vm);
	gdbstub_finish(vm);
	console_terminal_restore();
	api_frontend_finish(vm);

	if (write_reports(vm, &cfg, &reports) < 0 && vm->exit_status == 0)
		return MILLIVM_EXIT_ERROR;
	if (!cfg.sync_teardown)
		vm_teardown_in_background(vm);
	return vm->exit_status;
}
