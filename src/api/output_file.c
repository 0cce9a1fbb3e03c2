/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/output_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int output_file_open(const char *path, const char *what, struct error *err)
{
	struct stat st;
	if (!path || !*path)
		return error_set(err, "%s: empty path", what);
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return error_set(err, "%s '%s': no such file (create it first: touch or mkfifo)",
					 what, path);
		return error_set(err, "%s '%s': %s", what, path, strerror(errno));
	}
	if (S_ISDIR(st.st_mode))
		return error_set(err, "%s '%s': is a directory", what, path);
	int flags = (S_ISFIFO(st.st_mode) ? O_RDWR : O_WRONLY) | O_APPEND | O_NONBLOCK | O_CLOEXEC;
	int fd = open(path, flags | O_NOCTTY);
	if (fd < 0)
		return error_set(err, "%s '%s': %s", what, path, strerror(errno));
	return fd;
}

bool output_file_write_line(int fd, const char *line, size_t len)
{
	ssize_t n;
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len;
}
