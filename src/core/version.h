/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef MILLIVM_VERSION_H
#define MILLIVM_VERSION_H

#define MILLIVM_VERSION "0.1.0"

/* Exit statuses of the monitor itself (the guest's own status passes through unchanged). */
#define MILLIVM_EXIT_ERROR 1   /* bad input, monitor error */
#define MILLIVM_EXIT_CRASH 120 /* KVM internal error, triple fault, failed entry, unknown exit */

#endif
