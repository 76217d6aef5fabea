/* SPDX-License-Identifier: MIT */
/* system(), popen() and pclose() link and fail at run time the way ISO C and POSIX allow when
 * there is no command processor: system(NULL) is 0, system(cmd) is -1 with ENOSYS, popen() is
 * NULL with ENOSYS (EINVAL for a bad mode), and pclose() of any stream closes it and fails with
 * ECHILD. Prints "no shell ok" when all hold. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int g_failures;

#define CHECK(cond)                                                                              \
    do {                                                                                         \
        if (!(cond)) {                                                                           \
            printf("FAIL %s:%d: %s (errno %d %s)\n", __FILE__, __LINE__, #cond, errno,           \
                strerror(errno));                                                                \
            ++g_failures;                                                                        \
        }                                                                                        \
    } while (0)

/* Through a volatile pointer, so the compiler cannot reason about the calls. */
static int (*volatile g_system)(const char*) = system;
static FILE* (*volatile g_popen)(const char*, const char*) = popen;
static int (*volatile g_pclose)(FILE*) = pclose;

int main(void)
{
    errno = 0;
    CHECK(g_system(NULL) == 0);

    errno = 0;
    CHECK(g_system("echo hello") == -1);
    CHECK(errno == ENOSYS);

    errno = 0;
    CHECK(g_popen("echo hello", "r") == NULL);
    CHECK(errno == ENOSYS);
    errno = 0;
    CHECK(g_popen("cat", "we") == NULL);
    CHECK(errno == ENOSYS);
    errno = 0;
    CHECK(g_popen("echo hello", "x") == NULL);
    CHECK(errno == EINVAL);

    /* pclose() of a stream popen() did not make: closed, ECHILD. */
    FILE* f = fopen("/tmp/not-a-pipe", "w");
    CHECK(f != NULL);
    int fd = f ? fileno(f) : -1;
    errno = 0;
    CHECK(g_pclose(f) == -1);
    CHECK(errno == ECHILD);
    errno = 0;
    CHECK(fd >= 0 && close(fd) == -1 && errno == EBADF); /* The stream's descriptor is gone. */
    errno = 0;
    CHECK(g_pclose(NULL) == -1);
    CHECK(errno == EINVAL);

    if (g_failures == 0)
        printf("no shell ok\n");
    return g_failures;
}
