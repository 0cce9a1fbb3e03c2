/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The destinations of the logger and the metrics: a file or a named pipe that must already
 * exist, as with Firecracker ("touch logs.file" or "mkfifo logs.fifo" first). No O_CREAT:
 * a typo in a path is an error, not a new file somewhere. Writes never block the caller.
 */
#ifndef MILLIVM_API_OUTPUT_FILE_H
#define MILLIVM_API_OUTPUT_FILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

/*
 * Open path for appending, non-blocking. A FIFO is opened read-write so the open succeeds
 * without a reader and lines queue in the pipe until one comes (Firecracker does the same).
 * what names the option in messages ("log_path"). Returns the fd or -1.
 */
int output_file_open(const char *path, const char *what, struct error *err);

/* One write() of a whole line: complete or not at all on a pipe (len <= PIPE_BUF).
 * Returns false if the line was lost (full pipe, I/O error, short write). */
bool output_file_write_line(int fd, const char *line, size_t len);

#endif
