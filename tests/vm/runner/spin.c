// SPDX-License-Identifier: MIT
// Spins forever (for the runner's timeout; with "blocked-thread", while a second thread sleeps
// holding a mutex; with "spinners", in two threads while main waits for them, after printing
// their thread pointers, which the hang report's fs must show; with "crash-while-spinning", main
// dereferences null while a second thread spins, for the crash report on several CPUs), or
// reports the RAM the guest sees (sysinfo or /proc/meminfo).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>

static void* hold_and_sleep(void* arg)
{
    static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
    pthread_setname_np(pthread_self(), "holder"); // the hang report names it
    pthread_mutex_lock(&mutex);
    for (;;)
        sleep(100);
    return arg;
}

static void* spin(void* arg)
{
    for (volatile unsigned long i = 0;; ++i) { }
    return arg;
}

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "crash-while-spinning") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, spin, NULL);
        usleep(100000); // The spinner now runs on the other CPU.
        volatile int* null = NULL;
        return *null;
    }
    if (argc > 1 && strcmp(argv[1], "spinners") == 0) {
        // musl's pthread_t is the thread pointer, what fs holds while the thread runs.
        pthread_t t[2];
        for (int i = 0; i < 2; ++i)
            pthread_create(&t[i], NULL, spin, NULL);
        printf("spinners %016lx %016lx\n", (unsigned long)t[0], (unsigned long)t[1]);
        fflush(stdout);
        pthread_join(t[0], NULL);
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "meminfo") == 0) {
        struct sysinfo info;
        sysinfo(&info);
        printf("ram %lu MiB\n", (unsigned long)(info.totalram * info.mem_unit >> 20));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "procmeminfo") == 0) {
        FILE* f = fopen("/proc/meminfo", "r");
        char line[256];
        if (!f || !fgets(line, sizeof line, f))
            return 1;
        fputs(line, stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "blocked-thread") == 0) {
        pthread_t t;
        pthread_create(&t, NULL, hold_and_sleep, NULL);
        usleep(10000);
    }
    printf("spinning\n");
    fflush(stdout);
    for (volatile unsigned long i = 0;; ++i) { }
}
