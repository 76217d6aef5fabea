// SPDX-License-Identifier: MIT
// prctl: thread names (PR_SET_NAME/PR_GET_NAME, and musl's pthread_setname_np and
// pthread_getname_np on the calling thread, which use them), as Linux keeps them: the main
// thread is named after the program, a new thread inherits its creator's name, a long name is cut
// to 15 bytes. The stored options read back what was set, with Linux's checks; an option the
// runtime does not have (seccomp) is EINVAL, logged once. Every expectation but that last one
// holds on Linux too (cc -pthread prctl.c).
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>

#include "../fs/check.h"

static void* child(void* arg)
{
    char name[16];
    CHECK(prctl(PR_GET_NAME, name) == 0);
    CHECK(strcmp(name, "renamed-main") == 0); // the creator's name at pthread_create
    CHECK(pthread_setname_np(pthread_self(), "worker") == 0);
    CHECK(pthread_getname_np(pthread_self(), name, sizeof name) == 0);
    CHECK(strcmp(name, "worker") == 0);
    // musl refuses a name longer than 15 bytes itself; prctl cuts one.
    CHECK(pthread_setname_np(pthread_self(), "a-name-of-sixteen") == ERANGE);
    CHECK(prctl(PR_SET_NAME, "0123456789abcdefghij") == 0);
    CHECK(prctl(PR_GET_NAME, name) == 0);
    CHECK(strcmp(name, "0123456789abcde") == 0);
    return arg;
}

int main(int argc, char** argv)
{
    char name[16];
    CHECK(prctl(PR_GET_NAME, name) == 0);
    const char* base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    CHECK(strncmp(name, base, 15) == 0 && strlen(name) == (strlen(base) < 15 ? strlen(base) : 15));
    printf("main thread's name: %s\n", name);
    CHECK(pthread_setname_np(pthread_self(), "renamed-main") == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, child, NULL) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(pthread_getname_np(pthread_self(), name, sizeof name) == 0);
    CHECK(strcmp(name, "renamed-main") == 0); // the child's renaming was its own
    CHECK_ERRNO(prctl(PR_SET_NAME, (char*)16), EFAULT);
    CHECK_ERRNO(prctl(PR_GET_NAME, (char*)16), EFAULT);

    int signal_number = -1;
    CHECK(prctl(PR_SET_PDEATHSIG, SIGTERM) == 0);
    CHECK(prctl(PR_GET_PDEATHSIG, &signal_number) == 0 && signal_number == SIGTERM);
    CHECK_ERRNO(prctl(PR_SET_PDEATHSIG, 65), EINVAL);
    CHECK(prctl(PR_GET_DUMPABLE) == 1);
    CHECK(prctl(PR_SET_DUMPABLE, 0) == 0 && prctl(PR_GET_DUMPABLE) == 0);
    CHECK_ERRNO(prctl(PR_SET_DUMPABLE, 2), EINVAL);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0);
    CHECK_ERRNO(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 && prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
    CHECK(prctl(PR_GET_TIMERSLACK) == 50000);
    CHECK(prctl(PR_SET_TIMERSLACK, 1000) == 0 && prctl(PR_GET_TIMERSLACK) == 1000);
    CHECK(prctl(PR_SET_TIMERSLACK, 0) == 0 && prctl(PR_GET_TIMERSLACK) == 50000);
    CHECK(prctl(PR_SET_KEEPCAPS, 1) == 0 && prctl(PR_GET_KEEPCAPS) == 1);
    CHECK(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) == 0 && prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0) == 1);
#ifdef __unikernel__
    // An option Linux has and the runtime does not (seccomp): EINVAL, reported once.
    CHECK_ERRNO(prctl(PR_SET_SECCOMP, 2, 0), EINVAL);
    CHECK_ERRNO(prctl(PR_SET_SECCOMP, 2, 0), EINVAL);
#endif
    return finish("prctl");
}
