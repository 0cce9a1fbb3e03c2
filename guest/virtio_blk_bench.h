/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * blk_bench=: virtio-blk throughput and request rate measured from inside the guest
 * (guest/README.md, "Block benchmark"). Its parameters live in struct virtio_options; the
 * run itself comes right after the virtio probe (virtio_mmio.c).
 */
#ifndef REFGUEST_VIRTIO_BLK_BENCH_H
#define REFGUEST_VIRTIO_BLK_BENCH_H

#include <millivm/abi.h>
#include <stdbool.h>
#include <stdint.h>

#define BLK_BENCH_MAX_PHASES 8

enum blk_bench_kind {
	BLK_BENCH_SEQREAD,     /* seqread:SIZE: SIZE bytes read in blk_bench_block requests */
	BLK_BENCH_SEQWRITE,    /* seqwrite:SIZE: the same, written */
	BLK_BENCH_RAND4K,      /* rand4k:COUNT: COUNT reads of 4 KiB at random 4 KiB offsets */
	BLK_BENCH_RAND4KWRITE, /* rand4kwrite:COUNT: the same, written */
};

struct blk_bench_phase {
	enum blk_bench_kind kind;
	uint64_t amount; /* bytes (sequential phases) or requests (random phases) */
};

struct blk_bench_options {
	struct blk_bench_phase phases[BLK_BENCH_MAX_PHASES]; /* run in command-line order */
	unsigned nphases;                                    /* 0: no benchmark */
	uint32_t depth;   /* blk_bench_depth=N: requests in flight; 0: the default (16) */
	uint32_t block;   /* blk_bench_block=SIZE: sequential request size; 0: the default (128K) */
	uint32_t tsc_khz; /* tsc_khz=N: TSC frequency when CPUID 0x40000010 does not give it */
};

/*
 * A command-line word: records blk_bench=, blk_bench_depth=, blk_bench_block= and tsc_khz=.
 * True for any other word; false for one of these that is malformed.
 */
bool blk_bench_option(const char *word, struct blk_bench_options *bo);

/* Runs the phases on block device 0 and prints one "blk-bench ..." line each (check 29). */
void virtio_blk_bench(const struct hvm_start_info *si, const struct blk_bench_options *bo);

#endif
