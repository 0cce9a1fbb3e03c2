/* SPDX-License-Identifier: BSD-2-Clause */
#include "api/fc_config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "millivm/layout.h"

void fc_config_init(struct fc_config *fc)
{
	memset(fc, 0, sizeof(*fc));
	fc->vcpus = FC_DEFAULT_VCPUS;
	fc->mem_mib = FC_DEFAULT_MEM_MIB;
	fc->logger.level = LOG_INFO;
}

void fc_drive_free(struct fc_drive *d)
{
	free(d->id);
	free(d->path);
	free(d->partuuid);
	memset(d, 0, sizeof(*d));
}

void fc_config_free(struct fc_config *fc)
{
	free(fc->kernel);
	free(fc->initrd);
	free(fc->boot_args);
	for (unsigned i = 0; i < fc->ndrives; i++)
		fc_drive_free(&fc->drives[i]);
	free(fc->logger.path);
	free(fc->logger.module);
	free(fc->metrics_path);
	for (unsigned i = 0; i < fc->nnets; i++) {
		free(fc->nets[i].id);
		free(fc->nets[i].host_dev_name);
	}
	free(fc->vsock_uds);
	free(fc->vsock_id);
	fc_config_init(fc);
}

struct fc_drive *fc_config_find_drive(struct fc_config *fc, const char *id)
{
	for (unsigned i = 0; i < fc->ndrives; i++)
		if (strcmp(fc->drives[i].id, id) == 0)
			return &fc->drives[i];
	return NULL;
}

int fc_config_put_drive(struct fc_config *fc, struct fc_drive *d, struct error *err)
{
	struct fc_drive *old = fc_config_find_drive(fc, d->id);
	if (d->is_root)
		for (unsigned i = 0; i < fc->ndrives; i++)
			if (fc->drives[i].is_root && &fc->drives[i] != old)
				return error_set(err, "drive '%s': drive '%s' is already the root device",
						 d->id, fc->drives[i].id);
	if (!old) {
		if (fc->ndrives >= VM_MAX_DRIVES)
			return error_set(err, "drive '%s': at most %d drives", d->id, VM_MAX_DRIVES);
		old = &fc->drives[fc->ndrives++];
	} else {
		fc_drive_free(old);
	}
	*old = *d;
	memset(d, 0, sizeof(*d));
	return 0;
}

static int check_readable(const char *path, const char *what, struct error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "%s '%s' cannot be opened: %s", what, path, strerror(errno));
	close(fd);
	return 0;
}

int fc_config_check_boot_files(const struct fc_config *fc, struct error *err)
{
	if (check_readable(fc->kernel, "kernel_image_path", err) < 0)
		return -1;
	if (fc->initrd && check_readable(fc->initrd, "initrd_path", err) < 0)
		return -1;
	return 0;
}

int fc_drive_check_file(const struct fc_drive *d, struct error *err)
{
	int fd = open(d->path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return error_set(err, "drive '%s': path_on_host '%s' cannot be opened %s: %s", d->id,
				 d->path, d->read_only ? "read-only" : "read-write", strerror(errno));
	close(fd);
	return 0;
}

static int append(char *buf, size_t cap, size_t *len, const char *text, struct error *err)
{
	size_t n = strlen(text);
	if (*len + n + 1 > cap)
		return error_set(err, "boot-source: the kernel command line with the root device is "
				      "over %zu bytes", cap - 1);
	memcpy(buf + *len, text, n + 1);
	*len += n;
	return 0;
}

static int build_cmdline(const struct fc_config *fc, const struct fc_drive *root,
			 char *buf, size_t cap, struct error *err)
{
	size_t len = 0;
	buf[0] = '\0';
	if (append(buf, cap, &len, fc->boot_args ? fc->boot_args : FC_DEFAULT_BOOT_ARGS, err) < 0)
		return -1;
	if (!root)
		return 0;
	char extra[FC_ID_MAX + 64];
	if (root->partuuid)
		snprintf(extra, sizeof(extra), " root=PARTUUID=%s", root->partuuid);
	else
		snprintf(extra, sizeof(extra), " root=/dev/vda");
	if (append(buf, cap, &len, extra, err) < 0)
		return -1;
	return append(buf, cap, &len, root->read_only ? " ro" : " rw", err);
}

static void add_vm_drive(struct vm_config *out, const struct fc_drive *d)
{
	struct drive_config *v = &out->drives[out->ndrives++];
	memset(v, 0, sizeof(*v));
	v->path = d->path;
	v->read_only = d->read_only;
	v->engine = d->engine;
	v->id = d->id;
	/* GET_ID answers the drive id when it fits (virtio-blk's 20 bytes), else the index. */
	v->serial = strlen(d->id) <= 20 ? d->id : NULL;
}

unsigned fc_config_drive_index(const struct fc_config *fc, const struct fc_drive *d)
{
	if (d->is_root)
		return 0;
	unsigned index = 0;
	for (unsigned i = 0; i < fc->ndrives; i++)
		if (fc->drives[i].is_root || &fc->drives[i] < d)
			index++;
	return index;
}

int fc_config_to_vm(const struct fc_config *fc, const struct vm_config *base,
		    struct vm_config *out, char *cmdline_buf, size_t cap, struct error *err)
{
	if (!fc->have_boot_source)
		return error_set(err, "no boot source: PUT /boot-source (or the config file's "
				      "\"boot-source\") must name the kernel");
	const struct fc_drive *root = NULL;
	for (unsigned i = 0; i < fc->ndrives; i++)
		if (fc->drives[i].is_root)
			root = &fc->drives[i];
	if (cap > LAYOUT_CMDLINE_MAX)
		cap = LAYOUT_CMDLINE_MAX;
	if (build_cmdline(fc, root, cmdline_buf, cap, err) < 0)
		return -1;

	*out = *base;
	out->kernel_path = fc->kernel;
	out->initrd_path = fc->initrd;
	out->cmdline = cmdline_buf;
	out->mem_size = fc->mem_mib << 20;
	out->vcpus = fc->vcpus;
	out->rng = fc->entropy;
	out->vsock = (struct vsock_config){ .enabled = fc->vsock, .guest_cid = fc->vsock_cid,
					    .uds_path = fc->vsock_uds };
	out->ndrives = 0;
	if (root)
		add_vm_drive(out, root);
	for (unsigned i = 0; i < fc->ndrives; i++)
		if (&fc->drives[i] != root)
			add_vm_drive(out, &fc->drives[i]);
	out->nnets = fc->nnets;
	for (unsigned i = 0; i < fc->nnets; i++) {
		const struct fc_net *n = &fc->nets[i];
		out->nets[i] = (struct net_config){ .kind = NET_TAP, .tap_name = n->host_dev_name,
						    .mac_set = n->mac_set, .id = n->id };
		memcpy(out->nets[i].mac, n->mac, sizeof(n->mac));
	}
	return 0;
}
