/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The stub's listening socket: "tcp:[HOST:]PORT" (HOST defaults to 127.0.0.1; an IPv6 host
 * goes in brackets, tcp:[::1]:1234) or "unix:PATH" (a stale socket file at PATH is replaced,
 * anything else there is an error).
 */
#ifndef MILLIVM_DEBUG_GDB_SOCKET_H
#define MILLIVM_DEBUG_GDB_SOCKET_H

#include "core/error.h"

#define GDB_DEFAULT_HOST "127.0.0.1"

/* A listening, close-on-exec socket, or -1 with err set. */
int gdb_socket_listen(const char *address, struct error *err);

/* Accept one client: close-on-exec, no Nagle delay, sends time out (a client that stops
 * reading cannot hang the monitor). -1 on failure. */
int gdb_socket_accept(int listen_fd);

/* Remove the socket file of a unix: address; nothing for tcp:. */
void gdb_socket_unlink(const char *address);

#endif
