// SPDX-License-Identifier: MIT
// Failure macros for the standalone vm test programs: print where and why, then exit(1) so the
// test's exit status fails it (output is flushed first: exit runs stdio's flush).
#ifndef UKSDK_TESTS_VM_CHECK_H
#define UKSDK_TESTS_VM_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

// FAIL(format, ...): a failure the test found by itself.
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL: " __VA_ARGS__);                                                              \
        printf("\n");                                                                              \
        exit(1);                                                                                   \
    } while (0)

// CHECK(condition, format, ...): fails, with the condition, its place and errno, unless it holds.
#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s:%d: %s (errno %d): ", __FILE__, __LINE__, #cond, errno);              \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

#endif
