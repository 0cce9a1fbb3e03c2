/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where a loader reads its input from: a file (pread, straight into guest RAM, no copy of the
 * whole image) or a memory buffer (unit tests and fuzzers).
 */
#ifndef MILLIVM_FILE_READER_H
#define MILLIVM_FILE_READER_H

#include <stddef.h>
#include <stdint.h>

struct file_reader {
	const char *name; /* for messages: the path the user gave */
	uint64_t size;
	/* Read exactly len bytes at off; 0 on success, -1 on a short read or error. */
	int (*read_at)(const struct file_reader *r, uint64_t off, void *buf, size_t len);
	int fd;              /* file readers */
	const uint8_t *data; /* memory readers */
};

/* Open path read-only; fills r. Returns -1 with errno set. */
int file_reader_open(struct file_reader *r, const char *path);
void file_reader_close(struct file_reader *r);

void memory_reader_init(struct file_reader *r, const char *name, const void *data, size_t size);

/* Bounds-checked read: fails (returns -1) when [off, off + len) is not inside the input. */
int reader_read(const struct file_reader *r, uint64_t off, void *buf, size_t len);

#endif
