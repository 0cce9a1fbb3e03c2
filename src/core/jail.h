/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Dropping privileges, the way Firecracker's jailer does, but in process: millivm started as
 * root opens everything it needs (/dev/kvm, the kernel, disks, sockets, report files), then
 * chroots into an empty directory and becomes the given user and group with no supplementary
 * groups and no capabilities left, before the guest runs a single instruction.
 */
#ifndef MILLIVM_JAIL_H
#define MILLIVM_JAIL_H

#include <stdbool.h>
#include <sys/types.h>

#include "core/error.h"

struct jail_config {
	bool drop_user;  /* --uid and --gid given */
	uid_t uid;
	gid_t gid;
	const char *chroot_dir; /* --chroot; NULL: stay */
};

/* Check the options before anything is opened (e.g. the directory exists, we are root). */
int jail_validate(const struct jail_config *jail, struct error *err);

/* chroot (if asked), then drop to uid/gid (if asked); verifies the drop cannot be undone. */
int jail_enter(const struct jail_config *jail, struct error *err);

#endif
