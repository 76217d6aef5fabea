// SPDX-License-Identifier: MIT
// In-guest call costs, one source for uksdk, the Linux VM (static musl) and the host: each
// benchmark runs until it has taken at least the target time (doubling its iteration count), then
// prints "micro NAME NANOSECONDS" per operation. Usage: micro [TARGET_MS] (default 40; 0 runs
// every benchmark once, which is what the perf test does to check that they all still work).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

// From <linux/futex.h>, which musl's sysroot does not ship.
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static double now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static void fail(const char* what)
{
    fprintf(stderr, "micro: %s: %s\n", what, strerror(errno));
    exit(1);
}

static volatile long g_sink;
static int g_null_fd = -1;
static int g_file_fd = -1;
static char g_buffer[4096];

// Each benchmark performs `n` operations and returns the nanoseconds they took.
typedef double (*Bench)(long n);

static double bench_getpid(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        g_sink += getpid();
    return now_ns() - t0;
}

static double bench_clock_gettime(long n)
{
    struct timespec t;
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        g_sink += t.tv_nsec;
    }
    return now_ns() - t0;
}

static double bench_write_null(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        if (write(g_null_fd, g_buffer, 1) != 1)
            fail("write /dev/null");
    return now_ns() - t0;
}

static double bench_read_cached(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        if (pread(g_file_fd, g_buffer, sizeof g_buffer, (i & 15) * 4096) != (ssize_t)sizeof g_buffer)
            fail("pread");
    return now_ns() - t0;
}

// Through a volatile pointer: the compiler may delete a malloc whose result is unused.
static void* (*volatile g_malloc)(size_t) = malloc;

static double bench_malloc_free(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        void* p = g_malloc(64);
        if (!p)
            fail("malloc");
        free(p);
    }
    return now_ns() - t0;
}

static double bench_mmap_munmap(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        void* p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            fail("mmap");
        munmap(p, 65536);
    }
    return now_ns() - t0;
}

// Reserving then releasing 1 TiB of PROT_NONE address space, as allocators, JITs and sanitizers
// do: costs what is populated (nothing), not the size of the range.
static double bench_reserve_release(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        void* p = mmap(NULL, (size_t)1 << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED || munmap(p, (size_t)1 << 40) != 0)
            fail("reserve or release 1 TiB");
    }
    return now_ns() - t0;
}

// Per page: maps 1,024 pages at a time and writes one byte to each; the mmap and munmap are not
// counted.
static double bench_page_fault(long n)
{
    double total = 0;
    for (long done = 0; done < n;) {
        long pages = n - done < 1024 ? n - done : 1024;
        char* p = mmap(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            fail("mmap");
        double t0 = now_ns();
        for (long i = 0; i < pages; ++i)
            p[i * 4096] = 1;
        total += now_ns() - t0;
        munmap(p, (size_t)pages * 4096);
        done += pages;
    }
    return total;
}

static void* nothing(void* arg) { return arg; }

static double bench_pthread(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        pthread_t t;
        if ((errno = pthread_create(&t, NULL, nothing, NULL)))
            fail("pthread_create");
        pthread_join(t, NULL);
    }
    return now_ns() - t0;
}

static atomic_int g_word;
static long g_rounds;

static void futex_wait(atomic_int* word, int value) { syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0); }
static void futex_wake(atomic_int* word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }

// The partner waits for odd values and answers with the next even one.
static void* pong(void* arg)
{
    for (long i = 0; i < g_rounds; ++i) {
        int want = (int)(2 * i + 1);
        while (atomic_load(&g_word) != want)
            futex_wait(&g_word, want - 1);
        atomic_store(&g_word, want + 1);
        futex_wake(&g_word);
    }
    return arg;
}

// One round trip: wake the partner, wait to be woken.
static double bench_futex(long n)
{
    atomic_store(&g_word, 0);
    g_rounds = n;
    pthread_t partner;
    if ((errno = pthread_create(&partner, NULL, pong, NULL)))
        fail("pthread_create");
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        atomic_store(&g_word, (int)(2 * i + 1));
        futex_wake(&g_word);
        while (atomic_load(&g_word) != (int)(2 * i + 2))
            futex_wait(&g_word, (int)(2 * i + 1));
    }
    double t = now_ns() - t0;
    pthread_join(partner, NULL);
    return t;
}

static double bench_sched_yield(long n)
{
    double t0 = now_ns();
    for (long i = 0; i < n; ++i)
        sched_yield();
    return now_ns() - t0;
}

struct Side {
    int epoll_fd;
    int event_fd;
};

static struct Side make_side(void)
{
    struct Side s;
    s.event_fd = eventfd(0, EFD_CLOEXEC);
    s.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (s.event_fd < 0 || s.epoll_fd < 0)
        fail("eventfd/epoll_create1");
    struct epoll_event e = { .events = EPOLLIN, .data.fd = s.event_fd };
    if (epoll_ctl(s.epoll_fd, EPOLL_CTL_ADD, s.event_fd, &e) != 0)
        fail("epoll_ctl");
    return s;
}

static void signal_side(struct Side* s)
{
    uint64_t one = 1;
    if (write(s->event_fd, &one, sizeof one) != sizeof one)
        fail("write eventfd");
}

static void wait_side(struct Side* s)
{
    struct epoll_event e;
    int got;
    while ((got = epoll_wait(s->epoll_fd, &e, 1, -1)) == 0 || (got < 0 && errno == EINTR)) {
    }
    if (got < 0)
        fail("epoll_wait");
    uint64_t value;
    if (read(s->event_fd, &value, sizeof value) != sizeof value)
        fail("read eventfd");
}

static struct Side g_ping, g_pong;

static void* epoll_partner(void* arg)
{
    for (long i = 0; i < g_rounds; ++i) {
        wait_side(&g_ping);
        signal_side(&g_pong);
    }
    return arg;
}

// One round trip between two threads, each blocked in epoll_wait on its own eventfd.
static double bench_epoll_wake(long n)
{
    g_rounds = n;
    pthread_t partner;
    if ((errno = pthread_create(&partner, NULL, epoll_partner, NULL)))
        fail("pthread_create");
    double t0 = now_ns();
    for (long i = 0; i < n; ++i) {
        signal_side(&g_ping);
        wait_side(&g_pong);
    }
    double t = now_ns() - t0;
    pthread_join(partner, NULL);
    return t;
}

static const struct {
    const char* name;
    Bench run;
} k_benchmarks[] = {
    { "getpid", bench_getpid },
    { "clock_gettime", bench_clock_gettime },
    { "write_devnull", bench_write_null },
    { "pread_cached_4k", bench_read_cached },
    { "malloc_free", bench_malloc_free },
    { "mmap_munmap_64k", bench_mmap_munmap },
    { "reserve_release_1tib", bench_reserve_release },
    { "page_fault", bench_page_fault },
    { "pthread_create_join", bench_pthread },
    { "futex_round_trip", bench_futex },
    { "sched_yield", bench_sched_yield },
    { "epoll_wake_round_trip", bench_epoll_wake },
};

int main(int argc, char** argv)
{
    double target_ns = (argc > 1 ? atof(argv[1]) : 40) * 1e6;
    const char* only = argc > 2 ? argv[2] : NULL;
    g_null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (g_null_fd < 0)
        fail("open /dev/null");
    // A 64 KiB file, written and read once so that every later read finds it cached.
    char path[64];
    snprintf(path, sizeof path, "/tmp/micro-%d", (int)getpid());
    g_file_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (g_file_fd < 0)
        fail("open a file in /tmp");
    unlink(path);
    memset(g_buffer, 'x', sizeof g_buffer);
    for (int i = 0; i < 16; ++i)
        if (write(g_file_fd, g_buffer, sizeof g_buffer) != (ssize_t)sizeof g_buffer)
            fail("write the file");
    g_ping = make_side();
    g_pong = make_side();

    for (size_t b = 0; b < sizeof k_benchmarks / sizeof k_benchmarks[0]; ++b) {
        if (only && strcmp(only, k_benchmarks[b].name) != 0)
            continue;
        long n = 1;
        double t = k_benchmarks[b].run(n);
        // Grow until one run takes the target time; the last (longest) run is the figure.
        while (t < target_ns && n < (1L << 40)) {
            n = t * 4 < target_ns ? n * 4 : (long)((double)n * target_ns / (t > 0 ? t : 1) * 1.1) + 1;
            t = k_benchmarks[b].run(n);
        }
        printf("micro %s %.1f\n", k_benchmarks[b].name, t / (double)n);
        fflush(stdout);
    }
    return (int)(g_sink & 0);
}
