// SPDX-License-Identifier: BSD-2-Clause
/* virtio_rng=N: read N bytes from the entropy device; they must not all be the same byte. */
#include "report.h"
#include "strings.h"
#include "virtio.h"

#define RNG_TIMEOUT_MS 2000
#define RNG_MAX_REQUESTS 32

static uint8_t entropy[4096];

void virtio_rng_check(const struct virtio_options *vo)
{
	struct vdev *d = virtio_find(VIRTIO_ID_RNG, 0);
	uint32_t want = (uint32_t)vo->rng_bytes, got = 0;
	unsigned requests = 0;

	if (!d) {
		report_fail(CHECK_RNG, "virtio_rng= given, but no entropy device");
		return;
	}
	memset(entropy, 0, want);
	while (got < want && requests++ < RNG_MAX_REQUESTS) {
		struct vq_buf buf = { (uintptr_t)entropy + got, want - got, true };
		uint32_t len = 0;

		vq_submit(d, 0, &buf, 1, true);
		enum vq_result r = vq_wait(d, 0, RNG_TIMEOUT_MS, &len);
		if (r != VQ_USED) {
			report_fail(CHECK_RNG, "request %u: %s after %u of %u bytes", requests,
				    r == VQ_NEEDS_RESET ? "NEEDS_RESET" : "no answer", got, want);
			return;
		}
		if (len > want - got) {
			report_fail(CHECK_RNG, "used length %u for a buffer of %u", len, want - got);
			return;
		}
		got += len;
	}
	if (got < want) {
		report_fail(CHECK_RNG, "%u of %u bytes in %u requests", got, want, RNG_MAX_REQUESTS);
		return;
	}
	uint32_t same = 1;
	while (same < want && entropy[same] == entropy[0])
		same++;
	if (want > 1 && same == want) {
		report_fail(CHECK_RNG, "%u bytes, all 0x%02x", want, entropy[0]);
		return;
	}
	report_ok(CHECK_RNG, "%u bytes in %u request(s): %02x%02x%02x%02x...", want, requests,
		  entropy[0], want > 1 ? entropy[1] : 0, want > 2 ? entropy[2] : 0,
		  want > 3 ? entropy[3] : 0);
}
