/* SPDX-License-Identifier: MIT */
/* Prints what configure found out about the target, then greets from the guest. */
#include "config.h"

#include <stdio.h>

void greet(const char* who);

#ifndef HAVE_FORK
#    define HAVE_FORK 0
#endif
#ifndef HAVE_POSIX_SPAWN
#    define HAVE_POSIX_SPAWN 0
#endif
#ifndef HAVE_CLOCK_GETTIME
#    define HAVE_CLOCK_GETTIME 0
#endif
#ifndef HAVE_POPEN
#    define HAVE_POPEN 0
#endif
#ifndef RUN_TEST_IN_GUEST
#    define RUN_TEST_IN_GUEST 0
#endif

int main(void)
{
    printf("fork=%d posix_spawn=%d clock_gettime=%d popen=%d run_test_in_guest=%d\n", HAVE_FORK,
        HAVE_POSIX_SPAWN, HAVE_CLOCK_GETTIME, HAVE_POPEN, RUN_TEST_IN_GUEST);
    greet("autoconf");
    return 0;
}
