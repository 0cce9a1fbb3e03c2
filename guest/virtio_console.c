// SPDX-License-Identifier: BSD-2-Clause
/* virtio_console=TEXT: TEXT and a newline through port 0's transmit queue (queue 1). */
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define CONSOLE_TRANSMITQ 1
#define CONSOLE_TIMEOUT_MS 2000

static char console_line[256];

void virtio_console_check(const struct virtio_options *vo)
{
	struct vdev *d = virtio_find(VIRTIO_ID_CONSOLE, 0);
	uint32_t len = 0;

	if (!d) {
		report_fail(CHECK_CONSOLE, "virtio_console= given, but no console device");
		return;
	}
	memcpy(console_line, vo->console_text, vo->console_length);
	console_line[vo->console_length] = '\n';
	struct vq_buf buf = { (uintptr_t)console_line, vo->console_length + 1, false };
	vq_submit(d, CONSOLE_TRANSMITQ, &buf, 1, true);
	enum vq_result r = vq_wait(d, CONSOLE_TRANSMITQ, CONSOLE_TIMEOUT_MS, &len);
	if (r != VQ_USED)
		report_fail(CHECK_CONSOLE, "transmit: %s",
			    r == VQ_NEEDS_RESET ? "NEEDS_RESET" : "no answer");
	else
		report_ok(CHECK_CONSOLE, "%u bytes sent through port 0", vo->console_length + 1);
}
