/* SPDX-License-Identifier: BSD-2-Clause */
/* The native command line: `millivm -k KERNEL [-m 256M] [-a CMDLINE] [-i INITRD] [-c N]`. */
#ifndef MILLIVM_OPTIONS_H
#define MILLIVM_OPTIONS_H

#include <stdio.h>

#include "core/error.h"
#include "core/vm_config.h"

enum options_result {
	OPTIONS_RUN,   /* cfg is ready */
	OPTIONS_EXIT,  /* --help or --version was printed */
	OPTIONS_ERROR, /* err says why */
};

enum options_result options_parse(int argc, char **argv, struct vm_config *cfg,
				  struct error *err);

void options_usage(FILE *out);

#endif
