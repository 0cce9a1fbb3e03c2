/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bench/spawn: run a command once (stdio on /dev/null) and print
 * "<wall ns> <exit status> <peak RSS KiB>".
 * A small static launcher because a child's ru_maxrss includes the memory of the process it
 * was forked from until exec: measured from Python, every contender "used" Python's 15 MiB.
 * Build: cc -O2 -static -o build/bench/spawn bench/spawn.c
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: spawn COMMAND [ARGS...]\n");
		return 2;
	}
	struct timespec start, end;
	clock_gettime(CLOCK_MONOTONIC, &start);
	pid_t pid = vfork();
	if (pid == 0) {
		/* the command's own output is not ours to print: our stdout carries the result */
		int devnull = open("/dev/null", O_RDWR);
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
		execv(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0) {
		perror("vfork");
		return 2;
	}
	int status;
	struct rusage usage;
	if (wait4(pid, &status, 0, &usage) < 0) {
		perror("wait4");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &end);
	long long ns = (end.tv_sec - start.tv_sec) * 1000000000LL + (end.tv_nsec - start.tv_nsec);
	int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	printf("%lld %d %ld\n", ns, code, usage.ru_maxrss);
	return 0;
}
