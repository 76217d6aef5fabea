/* SPDX-License-Identifier: MIT */
/* A tiny test harness for the file-system tests: CHECK prints the failing expression with its
 * line and errno, and the program's exit status counts the failures. The same sources build for
 * the host (cc file.c && ./a.out) so every expectation can be checked against Linux. */
#ifndef UK_FS_CHECK_H
#define UK_FS_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int g_failures;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #cond, errno,           \
                strerror(errno));                                                                \
            ++g_failures;                                                                        \
        }                                                                                        \
    } while (0)

/* The call fails with exactly this errno. */
#define CHECK_ERRNO(call, expected)                                                              \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(call);                                                                  \
        if (r_ != -1 || errno != (expected)) {                                                   \
            printf("FAIL %s:%d: %s gave %ld errno %d (%s), expected errno %d (%s)\n", __FILE__,  \
                __LINE__, #call, r_, errno, strerror(errno), (expected), strerror(expected));    \
            ++g_failures;                                                                        \
        }                                                                                        \
    } while (0)

#define CHECK_OK(call) CHECK((long)(call) != -1)

static int finish(const char* name)
{
    if (g_failures) {
        printf("%s: %d failures\n", name, g_failures);
        return 1;
    }
    printf("%s ok\n", name);
    return 0;
}

#endif
