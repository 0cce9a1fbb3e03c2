/* SPDX-License-Identifier: BSD-2-Clause */
#include "file_reader.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int fd_read_at(const struct file_reader *r, uint64_t off, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len > 0) {
		ssize_t n = pread(r->fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

static int mem_read_at(const struct file_reader *r, uint64_t off, void *buf, size_t len)
{
	memcpy(buf, r->data + off, len);
	return 0;
}

int file_reader_open(struct file_reader *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (r->fd < 0)
		return -1;
	struct stat st;
	int saved = 0;
	if (fstat(r->fd, &st) < 0)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* kernels and initrds are files */
	if (saved) {
		close(r->fd);
		r->fd = -1;
		errno = saved;
		return -1;
	}
	r->name = path;
	r->size = (uint64_t)st.st_size;
	r->read_at = fd_read_at;
	return 0;
}

void file_reader_close(struct file_reader *r)
{
	if (r->read_at == fd_read_at && r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

void memory_reader_init(struct file_reader *r, const char *name, const void *data, size_t size)
{
	memset(r, 0, sizeof(*r));
	r->name = name;
	r->data = data;
	r->size = size;
	r->fd = -1;
	r->read_at = mem_read_at;
}

int reader_read(const struct file_reader *r, uint64_t off, void *buf, size_t len)
{
	if (off > r->size || len > r->size - off)
		return -1;
	if (len == 0)
		return 0;
	return r->read_at(r, off, buf, len);
}
