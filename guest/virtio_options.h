/* SPDX-License-Identifier: BSD-2-Clause */
/* The command-line parameters of the virtio checks (table in guest/README.md). */
#ifndef REFGUEST_VIRTIO_OPTIONS_H
#define REFGUEST_VIRTIO_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio_blk_bench.h"

#define VIRTIO_MAX_DEVICES 8

/* What virtio_blk= asks of the block devices, in the order they are announced. */
enum blk_mode {
	BLK_MODE_NONE, /* probe only */
	BLK_MODE_RW,   /* GET_ID, write the pattern, FLUSH, read back and compare */
	BLK_MODE_RO,   /* GET_ID, a read must work, a write must fail with IOERR */
	BLK_MODE_ID,   /* GET_ID only */
};

/* hostile= kinds, one bit each (virtio_hostile.c). */
enum hostile_kind {
	HOSTILE_OOB,          /* data descriptor past the end of RAM */
	HOSTILE_MMIO,         /* data descriptor on the virtio-mmio window (0xfeb00000) */
	HOSTILE_HOLE,         /* data descriptor on the boot-timer page (0xc0000000) */
	HOSTILE_LOOP,         /* descriptor chain that loops back to its head */
	HOSTILE_LEN4G,        /* data descriptor of ~4 GiB */
	HOSTILE_QSIZE0,       /* QueueNum 0, then QueueReady */
	HOSTILE_QSIZE_BIG,    /* QueueNum QueueNumMax + 1, then QueueReady */
	HOSTILE_EARLY_NOTIFY, /* a request notified before DRIVER_OK */
	HOSTILE_PAST_END,     /* a well-formed read of the sector after the last */
	HOSTILE_BAD_SIZE,     /* a write of 100 bytes, not a whole sector */
	HOSTILE_INDIRECT_LOOP, /* an indirect table whose chain loops */
	HOSTILE_INDIRECT_BIG, /* an indirect table of ~4 GiB */
	HOSTILE_AVAIL_JUMP,   /* avail.idx moved 1001 entries ahead (more than the queue holds) */
	HOSTILE_BAD_HEAD,     /* an avail ring entry naming descriptor 200 of 8 */
	/* to the vsock device (virtio_vsock.c); hostile=all is the block kinds only */
	HOSTILE_VSOCK_OP,      /* unknown operation */
	HOSTILE_VSOCK_TYPE,    /* SEQPACKET type (only STREAM is offered) */
	HOSTILE_VSOCK_LEN,     /* len far beyond the chain */
	HOSTILE_VSOCK_SHORT,   /* a chain shorter than the header */
	HOSTILE_VSOCK_UNKNOWN, /* data for a connection that does not exist */
	HOSTILE_VSOCK_CREDIT,  /* more data than the host's buf_alloc (needs PATH_vsock_port) */
	HOSTILE_KINDS
};
#define HOSTILE_BLK_MASK ((1u << HOSTILE_VSOCK_OP) - 1)

struct virtio_options {
	/* The values of the virtio_mmio.device= tokens ("512@0xfeb00000:5"), in order. */
	const char *tokens[VIRTIO_MAX_DEVICES];
	unsigned ntokens;
	bool too_many_tokens;
	enum blk_mode blk_modes[VIRTIO_MAX_DEVICES];
	unsigned nblk_modes;
	uint64_t blk_sector; /* blk_sector=N: where the pattern goes (8 sectors) */
	bool blk_hold;       /* blk_hold: halt for ever after the first flush (kill -9 tests) */
	bool blk_reread;     /* blk_reread: after spin=, read disk 0's sector 0 again (swap tests) */
	uint64_t rng_bytes;  /* virtio_rng=N; 0: no rng check */
	const char *console_text; /* virtio_console=TEXT; NULL: none */
	unsigned console_length;
	uint32_t hostile; /* bit per enum hostile_kind */
	/* virtio-net (virtio_net.c): any of these runs its checks */
	bool net_asked;
	bool net_ip_set, net_gw_set, has_expect_mac;
	uint32_t net_ip, net_gw; /* net_ip=, net_gw=: host byte order */
	uint8_t expect_mac[6];   /* expect_mac=XX:XX:XX:XX:XX:XX */
	uint64_t net_udp_echo;   /* net_udp_echo=N */
	bool net_csum_offload;   /* net_csum_offload: echoes leave the UDP checksum to the device */
	uint32_t vsock_listen;  /* vsock_listen=PORT: accept one connection, echo it */
	uint32_t vsock_connect; /* vsock_connect=PORT: connect to the host's PORT, say hello */
	uint64_t expect_cid;    /* expect_cid=N: the device's guest_cid */
	struct blk_bench_options bench; /* blk_bench= and its companions (virtio_blk_bench.c) */
};

/*
 * A word of the command line that starts with 'b', 'h', 'n', 't' or 'v' (or is expect_mac=)
 * and is not a
 * virtio_mmio.device= token: records it if it is ours. False if ours but malformed.
 */
bool virtio_option_word(const char *word, struct virtio_options *vo);
/* A virtio_mmio.device= token's value; false if there are too many. */
bool virtio_option_token(const char *value, struct virtio_options *vo);

#endif
