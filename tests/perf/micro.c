// Micro-benchmarks, built both for the host (Linux) and for uksdk: getpid through libc,
// pthread_create+join, a futex ping-pong round trip between two threads, sched_yield, and
// reserving then releasing 1 TiB of PROT_NONE address space (an allocator's or JIT's reservation).
// Prints "name value unit" lines that tests/perf/micro-bench turns into a table.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void* nothing(void* arg) { return arg; }

// From <linux/futex.h>, which musl's sysroot does not ship.
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static atomic_int g_word;
enum { rounds = 20000 };

static void futex_wait(atomic_int* word, int value) { syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0); }
static void futex_wake(atomic_int* word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

// The partner waits for odd values and answers with the next even one.
static void* pong(void* arg)
{
    for (int i = 0; i < rounds; ++i) {
        int want = 2 * i + 1;
        while (atomic_load(&g_word) != want)
            futex_wait(&g_word, 2 * i);
        atomic_store(&g_word, want + 1);
        futex_wake(&g_word);
    }
    return arg;
}

int main(void)
{
    volatile long sink = 0;
    int n = 1000000;
    double t0 = now();
    for (int i = 0; i < n; ++i)
        sink += getpid();
    printf("getpid %.1f ns\n", (now() - t0) / n * 1e9);

    n = 2000;
    t0 = now();
    for (int i = 0; i < n; ++i) {
        pthread_t t;
        pthread_create(&t, NULL, nothing, NULL);
        pthread_join(t, NULL);
    }
    printf("pthread_create+join %.1f us\n", (now() - t0) / n * 1e6);

    pthread_t partner;
    pthread_create(&partner, NULL, pong, NULL);
    t0 = now();
    for (int i = 0; i < rounds; ++i) {
        atomic_store(&g_word, 2 * i + 1);
        futex_wake(&g_word);
        while (atomic_load(&g_word) != 2 * i + 2)
            futex_wait(&g_word, 2 * i + 1);
    }
    double t1 = now();
    pthread_join(partner, NULL);
    printf("futex_round_trip %.1f us\n", (t1 - t0) / rounds * 1e6);

    n = 200000;
    t0 = now();
    for (int i = 0; i < n; ++i)
        sched_yield();
    printf("sched_yield %.1f ns\n", (now() - t0) / n * 1e9);

    n = 1000;
    t0 = now();
    for (int i = 0; i < n; ++i) {
        void* p = mmap(NULL, (size_t)1 << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED || munmap(p, (size_t)1 << 40) != 0)
            return 1;
    }
    printf("reserve+release_1TiB %.1f us\n", (now() - t0) / n * 1e6);
    return (int)(sink & 0);
}
