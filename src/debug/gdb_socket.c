/* SPDX-License-Identifier: BSD-2-Clause */
#include "debug/gdb_socket.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define TCP_PREFIX "tcp:"
#define UNIX_PREFIX "unix:"
#define SEND_TIMEOUT_SECONDS 5
#define HOST_MAX 256

static int listen_unix(const char *address, const char *path, struct error *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof(sa.sun_path))
		return error_set(err, "--gdb %s: path longer than %zu bytes", address,
				 sizeof(sa.sun_path) - 1);
	strcpy(sa.sun_path, path);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return error_set(err, "--gdb %s: exists and is not a socket", address);
		unlink(path); /* left behind by an earlier run */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(err, "--gdb %s: socket: %s", address, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
		error_set(err, "--gdb %s: %s", address, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* "[HOST:]PORT" or "[V6ADDR]:PORT" into host and port. */
static int split_host_port(const char *address, const char *spec, char *host, const char **port,
			   struct error *err)
{
	const char *host_start = spec, *host_end = spec;
	*port = spec;
	if (spec[0] == '[') {
		const char *close_bracket = strchr(spec, ']');
		if (!close_bracket || close_bracket[1] != ':')
			return error_set(err, "--gdb %s: use tcp:[ADDRESS]:PORT for IPv6", address);
		host_start = spec + 1;
		host_end = close_bracket;
		*port = close_bracket + 2;
	} else if (strrchr(spec, ':')) {
		host_end = strrchr(spec, ':');
		*port = host_end + 1;
	}
	size_t host_len = (size_t)(host_end - host_start);
	if (host_len >= HOST_MAX)
		return error_set(err, "--gdb %s: host name too long", address);
	if (host_len == 0) {
		strcpy(host, GDB_DEFAULT_HOST);
	} else {
		memcpy(host, host_start, host_len);
		host[host_len] = 0;
	}
	return 0;
}

static int listen_tcp(const char *address, const char *spec, struct error *err)
{
	char host[HOST_MAX];
	const char *port;
	if (split_host_port(address, spec, host, &port, err) < 0)
		return -1;
	struct addrinfo hints = {
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
		.ai_flags = AI_PASSIVE | AI_NUMERICSERV,
	};
	struct addrinfo *list;
	int rc = getaddrinfo(host, port, &hints, &list);
	if (rc != 0)
		return error_set(err, "--gdb %s: %s", address, gai_strerror(rc));
	int fd = -1, saved_errno = 0;
	for (struct addrinfo *ai = list; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0) {
			saved_errno = errno;
			continue;
		}
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1) < 0) {
			saved_errno = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(list);
	if (fd < 0)
		return error_set(err, "--gdb %s: %s", address, strerror(saved_errno));
	return fd;
}

int gdb_socket_listen(const char *address, struct error *err)
{
	if (strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0)
		return listen_unix(address, address + strlen(UNIX_PREFIX), err);
	if (strncmp(address, TCP_PREFIX, strlen(TCP_PREFIX)) == 0)
		return listen_tcp(address, address + strlen(TCP_PREFIX), err);
	return error_set(err, "--gdb '%s': use tcp:[HOST:]PORT or unix:PATH", address);
}

int gdb_socket_accept(int listen_fd)
{
	int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)); /* fails on unix: fine */
	struct timeval timeout = { .tv_sec = SEND_TIMEOUT_SECONDS };
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
	return fd;
}

void gdb_socket_unlink(const char *address)
{
	if (strncmp(address, UNIX_PREFIX, strlen(UNIX_PREFIX)) == 0)
		unlink(address + strlen(UNIX_PREFIX));
}
