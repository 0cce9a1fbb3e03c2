/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * --acpi: the tables of src/x86/acpi.c for this VM (its vCPUs, level IRQs and virtio-mmio
 * windows) at LAYOUT_ACPI, and with --acpi-dump DIR a copy of each table in DIR/<name>.dat,
 * the form `iasl -d` and acpidump's tools take.
 */
#include "boot.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio_devices.h"
#include "millivm/layout.h"
#include "x86/acpi.h"

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len,
		      struct error *err)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.dat", dir, name) >= sizeof(path))
		return error_set(err, "--acpi-dump %s: path too long", dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return error_set(err, "--acpi-dump %s: %s", path, strerror(errno));
	size_t done = 0;
	while (done < len) {
		ssize_t n = write(fd, data + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			close(fd);
			return error_set(err, "--acpi-dump %s: %s", path, strerror(e));
		}
		done += (size_t)n;
	}
	if (close(fd) < 0)
		return error_set(err, "--acpi-dump %s: %s", path, strerror(errno));
	return 0;
}

static int dump_tables(const char *dir, const uint8_t *tables, const struct acpi_layout *l,
		       struct error *err)
{
	for (int t = 0; t < ACPI_TABLES; t++)
		if (write_file(dir, l->table[t].name, tables + l->table[t].offset,
			       l->table[t].length, err) < 0)
			return -1;
	return 0;
}

int boot_write_acpi(struct vm *vm, uint64_t *rsdp_gpa, struct error *err)
{
	*rsdp_gpa = 0;
	if (!vm->cfg->acpi)
		return 0;
	struct virtio_device_window windows[ACPI_MAX_DEVICES];
	struct acpi_device devices[ACPI_MAX_DEVICES];
	unsigned n = virtio_devices_windows(windows, ACPI_MAX_DEVICES);
	if (n > ACPI_MAX_DEVICES)
		return error_set(err, "ACPI tables: %u virtio devices, at most %d", n,
				 ACPI_MAX_DEVICES);
	for (unsigned i = 0; i < n; i++)
		devices[i] = (struct acpi_device){ windows[i].base, windows[i].size, windows[i].irq };
	struct acpi_config cfg = {
		.cpus = vm->nvcpus,
		.devices = devices,
		.ndevices = n,
		.level_irqs = vm->level_irqs,
		.com1 = true,  /* always there (main.c), even when its output is discarded */
		.i8042 = true,
	};
	uint8_t *dst = gpa_range(&vm->mem, LAYOUT_ACPI, LAYOUT_ACPI_MAX);
	struct acpi_layout layout;
	if (!dst || acpi_build(dst, LAYOUT_ACPI_MAX, LAYOUT_ACPI, &cfg, &layout) == 0)
		return error_set(err, "cannot build the ACPI tables for %u CPUs and %u devices",
				 cfg.cpus, n);
	if (vm->cfg->acpi_dump_dir && dump_tables(vm->cfg->acpi_dump_dir, dst, &layout, err) < 0)
		return -1;
	*rsdp_gpa = LAYOUT_ACPI + layout.table[ACPI_TABLE_RSDP].offset;
	return 0;
}
