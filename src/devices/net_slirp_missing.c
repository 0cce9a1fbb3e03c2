/* SPDX-License-Identifier: BSD-2-Clause */
/* Placeholder until the libslirp backend lands (it replaces this file). */
#include "devices/net_slirp.h"

struct net_backend *net_slirp_create(const struct net_config *cfg, struct error *err)
{
	(void)cfg;
	error_set(err, "user-mode networking: not built yet");
	return NULL;
}
