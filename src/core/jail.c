/* SPDX-License-Identifier: BSD-2-Clause */
#include "jail.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/capability.h>

int jail_validate(const struct jail_config *jail, struct error *err)
{
	if (jail->chroot_dir) {
		struct stat st;
		if (stat(jail->chroot_dir, &st) < 0)
			return error_set(err, "--chroot %s: %s", jail->chroot_dir, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			return error_set(err, "--chroot %s: not a directory", jail->chroot_dir);
	}
	if (jail->chroot_dir && !jail->drop_user)
		return error_set(err, "--chroot needs --uid and --gid: root could leave the chroot");
	if ((jail->chroot_dir || jail->drop_user) && geteuid() != 0)
		return error_set(err, "--chroot/--uid/--gid need millivm to be started as root "
				 "(it drops to the given user itself)");
	if (jail->drop_user && (jail->uid == 0 || jail->gid == 0))
		return error_set(err, "--uid/--gid: 0 is root; give an unprivileged user");
	return 0;
}

/* No capability may survive: effective, permitted, inheritable, bounding and ambient. */
static int drop_all_capabilities(struct error *err)
{
	for (int cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return error_set(err, "dropping capability %d: %s", cap, strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return error_set(err, "clearing ambient capabilities: %s", strerror(errno));
	return 0;
}

static int become_user(const struct jail_config *jail, struct error *err)
{
	if (setgroups(0, NULL) < 0)
		return error_set(err, "setgroups: %s", strerror(errno));
	if (setresgid(jail->gid, jail->gid, jail->gid) < 0)
		return error_set(err, "--gid %u: %s", (unsigned)jail->gid, strerror(errno));
	if (setresuid(jail->uid, jail->uid, jail->uid) < 0)
		return error_set(err, "--uid %u: %s", (unsigned)jail->uid, strerror(errno));
	/* setresuid away from 0 clears the permitted and effective sets; prove it stuck */
	if (setuid(0) == 0 || seteuid(0) == 0)
		return error_set(err, "could regain root after dropping privileges");
	return 0;
}

int jail_enter(const struct jail_config *jail, struct error *err)
{
	if (jail->chroot_dir) {
		if (chdir(jail->chroot_dir) < 0 || chroot(".") < 0 || chdir("/") < 0)
			return error_set(err, "--chroot %s: %s", jail->chroot_dir, strerror(errno));
	}
	if (!jail->drop_user && !jail->chroot_dir)
		return 0;
	if (drop_all_capabilities(err) < 0)
		return -1;
	if (jail->drop_user && become_user(jail, err) < 0)
		return -1;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return error_set(err, "no_new_privs: %s", strerror(errno));
	return 0;
}
