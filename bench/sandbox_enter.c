/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What entering a seccomp role costs a thread (not a test): libseccomp building the vCPU
 * filter at entry, as millivm did on the first vCPU's path to KVM_RUN, against installing a
 * program sandbox_precompile_start() built on another thread meanwhile. Each sample is a
 * fresh child process (filters cannot be removed); medians of N samples.
 *
 *   make build/libmillivm.a
 *   cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc bench/sandbox_enter.c build/libmillivm.a \
 *      -lseccomp -lpthread -o build/sandbox_enter && build/sandbox_enter [N]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/sandbox.h"

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* One child: optionally precompile (and wait for it, as a vCPU would find it done), then
 * time sandbox_enter(). The child writes its nanoseconds into the pipe. */
static uint64_t sample(int precompile)
{
	int fds[2];
	if (pipe(fds) < 0)
		exit(1);
	pid_t pid = fork();
	if (pid == 0) {
		struct error err;
		sandbox_set_mode(SANDBOX_ENFORCE);
		if (precompile) {
			sandbox_precompile_start();
			if (!sandbox_precompiled(SANDBOX_VCPU))
				_exit(2);
		}
		uint64_t t0 = now_ns();
		if (sandbox_enter(SANDBOX_VCPU, &err) < 0)
			_exit(3);
		uint64_t ns = now_ns() - t0;
		if (write(fds[1], &ns, sizeof(ns)) != sizeof(ns))
			_exit(4);
		_exit(0);
	}
	uint64_t ns = 0;
	int status;
	if (read(fds[0], &ns, sizeof(ns)) != sizeof(ns))
		ns = 0;
	waitpid(pid, &status, 0);
	close(fds[0]);
	close(fds[1]);
	return ns;
}

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 51;
	if (n < 1 || n > 10000)
		n = 51;
	uint64_t *built = calloc((size_t)n, sizeof(*built)), *ready = calloc((size_t)n, sizeof(*ready));
	if (!built || !ready)
		return 1;
	for (int i = 0; i < n; i++) { /* interleaved: both see the same host load */
		built[i] = sample(0);
		ready[i] = sample(1);
	}
	qsort(built, (size_t)n, sizeof(*built), cmp);
	qsort(ready, (size_t)n, sizeof(*ready), cmp);
	printf("vcpu role entry, median of %d: built at entry %.1f us, precompiled %.1f us (%.1fx)\n",
	       n, built[n / 2] / 1e3, ready[n / 2] / 1e3, (double)built[n / 2] / (double)ready[n / 2]);
	return 0;
}
