/* SPDX-License-Identifier: BSD-2-Clause */
/* The unit tests' check that an error message names what it should (cmocka's fail_msg). */
#ifndef MILLIVM_TEST_ASSERT_MSG_H
#define MILLIVM_TEST_ASSERT_MSG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static inline void assert_msg_contains(const char *msg, const char *want)
{
	if (!strstr(msg, want))
		fail_msg("error '%s' does not mention '%s'", msg, want);
}

#endif
