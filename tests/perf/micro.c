// Micro-benchmarks, built both for the host (Linux) and for uksdk: getpid through libc,
// pthread_create+join, a futex ping-pong round trip between two threads, a pipe round trip
// between two threads (a byte each way), an epoll wake-up (a thread blocked in epoll_wait woken by
// an eventfd write, and its answer), sched_yield, and reserving then releasing 1 TiB of PROT_NONE
// address space (an allocator's or JIT's reservation).
// Prints "name value unit" lines that tests/perf/micro-bench turns into a table.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <stdatomic.h>
#include <stdint.h>
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

static int g_ping[2], g_pong[2];

// Echoes every byte from g_ping back on g_pong.
static void* pipe_echo(void* arg)
{
    char c;
    for (int i = 0; i < rounds; ++i) {
        if (read(g_ping[0], &c, 1) != 1 || write(g_pong[1], &c, 1) != 1)
            break;
    }
    return arg;
}

static int g_event, g_answer;

// Waits in epoll_wait for g_event, consumes it, and answers through g_answer.
static void* epoll_echo(void* arg)
{
    int ep = epoll_create1(0);
    struct epoll_event e = { .events = EPOLLIN };
    epoll_ctl(ep, EPOLL_CTL_ADD, g_event, &e);
    for (int i = 0; i < rounds; ++i) {
        uint64_t v;
        if (epoll_wait(ep, &e, 1, -1) != 1 || read(g_event, &v, 8) != 8)
            break;
        v = 1;
        if (write(g_answer, &v, 8) != 8)
            break;
    }
    close(ep);
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

    if (pipe(g_ping) != 0 || pipe(g_pong) != 0)
        return 1;
    pthread_create(&partner, NULL, pipe_echo, NULL);
    t0 = now();
    for (int i = 0; i < rounds; ++i) {
        char c = 'x';
        if (write(g_ping[1], &c, 1) != 1 || read(g_pong[0], &c, 1) != 1)
            return 1;
    }
    t1 = now();
    pthread_join(partner, NULL);
    printf("pipe_round_trip %.1f us\n", (t1 - t0) / rounds * 1e6);

    g_event = eventfd(0, 0);
    g_answer = eventfd(0, 0);
    pthread_create(&partner, NULL, epoll_echo, NULL);
    t0 = now();
    for (int i = 0; i < rounds; ++i) {
        uint64_t v = 1;
        if (write(g_event, &v, 8) != 8 || read(g_answer, &v, 8) != 8)
            return 1;
    }
    t1 = now();
    pthread_join(partner, NULL);
    printf("epoll_wake_round_trip %.1f us\n", (t1 - t0) / rounds * 1e6);

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
