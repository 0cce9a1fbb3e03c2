/* SPDX-License-Identifier: BSD-2-Clause */
#include "teardown.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

static int compare_ints(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* Close every descriptor but the sorted keep[] ones. */
static void close_all_but(const int *keep, unsigned n)
{
	unsigned first = 0;
	for (unsigned i = 0; i < n; i++) {
		if ((unsigned)keep[i] > first)
			close_range(first, (unsigned)keep[i] - 1, 0);
		first = (unsigned)keep[i] + 1;
	}
	close_range(first, ~0u, 0);
}

void vm_teardown_in_background(const struct vm *vm)
{
	int keep[VM_MAX_VCPUS + 2];
	unsigned n = 0;
	keep[n++] = vm->kvm_fd;
	keep[n++] = vm->vm_fd;
	for (unsigned i = 0; i < vm->nvcpus; i++)
		keep[n++] = vm->vcpus[i].fd;
	qsort(keep, n, sizeof(keep[0]), compare_ints);

	pid_t parent = getpid();
	pid_t pid = fork(); /* guest RAM is MADV_DONTFORK: the copy is small */
	if (pid != 0)
		return; /* parent (or fork failed): exit as usual, without the VM if pid > 0 */
	close_all_but(keep, n);
	/* Hold the VM until the parent is gone: destroying it while the parent still unmaps
	 * guest RAM makes both wait on each other (measured: no gain at all). The kernel
	 * closes the descriptors, and so destroys the VM, when this SIGKILL arrives. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	for (;;)
		pause();
}
