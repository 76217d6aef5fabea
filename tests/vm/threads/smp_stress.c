// A stress test of the runtime on several CPUs: for a given time, at once, threads contend for a
// mutex, pass items through a condition-variable queue, bounce a futex word between pairs, create
// and join (and detach) threads, map, touch, protect, discard and unmap memory, and stream bytes
// through pipes. Every operation is counted on both sides and the counts must agree at the end,
// so a lost wake-up shows as a stall (the watchdog names the work that stopped moving) and a lost
// or duplicated item as a mismatch. Usage: smp_stress [SECONDS [THREADS_PER_KIND]]; prints
// "stress ok" and the counts.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"

enum { k_max_per_kind = 16 };
static atomic_bool g_stop;
static int g_per_kind = 2;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static pthread_t start(void* (*fn)(void*), void* arg)
{
    pthread_t t;
    int r = pthread_create(&t, NULL, fn, arg);
    if (r)
        FAIL("pthread_create: %s", strerror(r));
    return t;
}

// Progress of each kind of work, which the watchdog watches.
enum Kind { k_mutex, k_queue, k_futex, k_churn, k_memory, k_pipe, k_kinds };
static const char* const k_names[k_kinds] = { "mutex", "condvar queue", "futex ping-pong", "thread churn",
    "mmap/munmap", "pipe" };
static atomic_ulong g_progress[k_kinds];

// --- A mutex around a counter: the sum of every thread's increments is the counter.
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static unsigned long g_counter;
static void* mutex_worker(void* arg)
{
    unsigned long mine = 0;
    while (!atomic_load(&g_stop)) {
        pthread_mutex_lock(&g_mutex);
        ++g_counter;
        pthread_mutex_unlock(&g_mutex);
        ++mine;
        atomic_fetch_add(&g_progress[k_mutex], 1);
    }
    *(unsigned long*)arg = mine;
    return NULL;
}

// --- A bounded queue with two condition variables: every item produced is consumed once.
enum { k_queue_size = 8 };
static pthread_mutex_t g_queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_not_empty = PTHREAD_COND_INITIALIZER, g_not_full = PTHREAD_COND_INITIALIZER;
static unsigned long g_queue[k_queue_size];
static unsigned g_head, g_count;
static bool g_producers_done;
struct Tally {
    unsigned long items, sum;
};
static void* producer(void* arg)
{
    struct Tally* t = arg;
    unsigned long next = 1;
    while (!atomic_load(&g_stop)) {
        pthread_mutex_lock(&g_queue_lock);
        while (g_count == k_queue_size)
            pthread_cond_wait(&g_not_full, &g_queue_lock);
        g_queue[(g_head + g_count) % k_queue_size] = next;
        ++g_count;
        pthread_cond_signal(&g_not_empty);
        pthread_mutex_unlock(&g_queue_lock);
        t->items++;
        t->sum += next++;
    }
    return NULL;
}
static void* consumer(void* arg)
{
    struct Tally* t = arg;
    for (;;) {
        pthread_mutex_lock(&g_queue_lock);
        while (g_count == 0 && !g_producers_done)
            pthread_cond_wait(&g_not_empty, &g_queue_lock);
        if (g_count == 0) {
            pthread_mutex_unlock(&g_queue_lock);
            return NULL;
        }
        unsigned long item = g_queue[g_head];
        g_head = (g_head + 1) % k_queue_size;
        --g_count;
        pthread_cond_signal(&g_not_full);
        pthread_mutex_unlock(&g_queue_lock);
        t->items++;
        t->sum += item;
        atomic_fetch_add(&g_progress[k_queue], 1);
    }
}

// --- Futex ping-pong with raw FUTEX_WAIT/FUTEX_WAKE: the pinger makes the word odd, the ponger
// even again; -1 ends the game. Each round trip is counted on both sides.
#ifndef FUTEX_WAIT_PRIVATE
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129
#endif
struct Pair {
    atomic_int word;
    unsigned long pings, pongs;
};
static void futex_wait(atomic_int* word, int value)
{
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}
static void futex_wake(atomic_int* word) { syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }
static void* pinger(void* arg)
{
    struct Pair* p = arg;
    for (;;) {
        int v = atomic_load(&p->word);
        if (v % 2 == 1) { // Waiting for the pong.
            futex_wait(&p->word, v);
            continue;
        }
        if (atomic_load(&g_stop)) {
            atomic_store(&p->word, -1);
            futex_wake(&p->word);
            return NULL;
        }
        atomic_store(&p->word, v + 1);
        futex_wake(&p->word);
        p->pings++;
        atomic_fetch_add(&g_progress[k_futex], 1);
    }
}
static void* ponger(void* arg)
{
    struct Pair* p = arg;
    for (;;) {
        int v = atomic_load(&p->word);
        if (v == -1)
            return NULL;
        if (v % 2 == 0) {
            futex_wait(&p->word, v);
            continue;
        }
        atomic_store(&p->word, v + 1);
        futex_wake(&p->word);
        p->pongs++;
    }
}

// --- Thread churn: short-lived threads, joined and detached, each counting itself once.
static atomic_ulong g_ran;
static void* short_lived(void* arg)
{
    atomic_fetch_add(&g_ran, 1);
    return arg;
}
static void* churner(void* arg)
{
    unsigned long* created = arg;
    pthread_attr_t detached;
    pthread_attr_init(&detached);
    pthread_attr_setdetachstate(&detached, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&detached, 64 * 1024);
    while (!atomic_load(&g_stop)) {
        pthread_t t = start(short_lived, NULL);
        pthread_join(t, NULL);
        pthread_t d;
        if (pthread_create(&d, &detached, short_lived, NULL) == 0)
            ++*created;
        ++*created;
        atomic_fetch_add(&g_progress[k_churn], 1);
    }
    return NULL;
}

// --- Memory: map, fill, check, protect, discard, unmap, in a private pattern per thread.
static void* mapper(void* arg)
{
    unsigned long* rounds = arg;
    unsigned seed = (unsigned)(uintptr_t)arg;
    while (!atomic_load(&g_stop)) {
        size_t pages = 1 + rand_r(&seed) % 64;
        size_t size = pages * 4096;
        unsigned char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            FAIL("mmap of %zu pages: %s", pages, strerror(errno));
        unsigned char tag = (unsigned char)(seed | 1);
        for (size_t i = 0; i < pages; ++i)
            p[i * 4096 + i % 4096] = tag;
        for (size_t i = 0; i < pages; ++i)
            if (p[i * 4096 + i % 4096] != tag)
                FAIL("page %zu of a fresh mapping lost its byte", i);
        if (mprotect(p, size, PROT_READ))
            FAIL("mprotect: %s", strerror(errno));
        if (p[0] != tag)
            FAIL("read-only mapping changed");
        if (mprotect(p, size, PROT_READ | PROT_WRITE) || madvise(p, size, MADV_DONTNEED))
            FAIL("mprotect/madvise: %s", strerror(errno));
        for (size_t i = 0; i < pages; ++i)
            if (p[i * 4096 + i % 4096] != 0)
                FAIL("a discarded page reads %u, not zero", p[i * 4096 + i % 4096]);
        if (munmap(p, size))
            FAIL("munmap: %s", strerror(errno));
        ++*rounds;
        atomic_fetch_add(&g_progress[k_memory], 1);
    }
    return NULL;
}

// --- A pipe per writer/reader pair: the reader's byte count and checksum are the writer's.
struct Stream {
    int fds[2];
    struct Tally written, read;
};
static void* pipe_writer(void* arg)
{
    struct Stream* s = arg;
    unsigned char buffer[512];
    unsigned char next = 0;
    while (!atomic_load(&g_stop)) {
        size_t n = 1 + (s->written.items * 7919) % sizeof buffer;
        for (size_t i = 0; i < n; ++i)
            buffer[i] = next++;
        size_t done = 0;
        while (done < n) {
            ssize_t w = write(s->fds[1], buffer + done, n - done);
            if (w < 0)
                FAIL("pipe write: %s", strerror(errno));
            done += (size_t)w;
        }
        for (size_t i = 0; i < n; ++i)
            s->written.sum += buffer[i];
        s->written.items += n;
    }
    close(s->fds[1]);
    return NULL;
}
static void* pipe_reader(void* arg)
{
    struct Stream* s = arg;
    unsigned char buffer[700];
    unsigned char expected = 0;
    for (;;) {
        ssize_t r = read(s->fds[0], buffer, sizeof buffer);
        if (r < 0)
            FAIL("pipe read: %s", strerror(errno));
        if (r == 0)
            return NULL;
        for (ssize_t i = 0; i < r; ++i) {
            if (buffer[i] != expected++)
                FAIL("pipe byte %lu out of order", s->read.items + (unsigned long)i);
            s->read.sum += buffer[i];
        }
        s->read.items += (unsigned long)r;
        atomic_fetch_add(&g_progress[k_pipe], 1);
    }
}

// Every work whose counter stands still for this long has lost a wake-up (or is starved, which
// a fair scheduler must not allow either).
static const double k_stall_seconds = 30;

static void watch(double end)
{
    unsigned long last[k_kinds] = { 0 };
    double moved[k_kinds];
    for (int k = 0; k < k_kinds; ++k)
        moved[k] = now();
    while (now() < end) {
        usleep(100 * 1000);
        for (int k = 0; k < k_kinds; ++k) {
            unsigned long p = atomic_load(&g_progress[k]);
            if (p != last[k]) {
                last[k] = p;
                moved[k] = now();
            } else if (now() - moved[k] > k_stall_seconds) {
                FAIL("%s made no progress for %.0f s (a lost wake-up?)", k_names[k], k_stall_seconds);
            }
        }
    }
}

int main(int argc, char** argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 3;
    if (argc > 2)
        g_per_kind = atoi(argv[2]);
    if (g_per_kind < 1 || g_per_kind > k_max_per_kind)
        FAIL("threads per kind: 1 to %d", k_max_per_kind);
    int n = g_per_kind;
    printf("stress: %.0f s, %d thread(s) of each kind, %ld CPU(s)\n", seconds, n, sysconf(_SC_NPROCESSORS_ONLN));
    fflush(stdout);

    pthread_t mutexes[k_max_per_kind], producers[k_max_per_kind], consumers[k_max_per_kind],
        pingers[k_max_per_kind], pongers[k_max_per_kind], churners[k_max_per_kind], mappers[k_max_per_kind],
        writers[k_max_per_kind], readers[k_max_per_kind];
    unsigned long increments[k_max_per_kind] = { 0 }, created[k_max_per_kind] = { 0 }, rounds[k_max_per_kind] = { 0 };
    struct Tally produced[k_max_per_kind] = { { 0 } }, consumed[k_max_per_kind] = { { 0 } };
    static struct Pair pairs[k_max_per_kind];
    static struct Stream streams[k_max_per_kind];
    for (int i = 0; i < n; ++i) {
        if (pipe(streams[i].fds))
            FAIL("pipe: %s", strerror(errno));
        mutexes[i] = start(mutex_worker, &increments[i]);
        producers[i] = start(producer, &produced[i]);
        consumers[i] = start(consumer, &consumed[i]);
        pingers[i] = start(pinger, &pairs[i]);
        pongers[i] = start(ponger, &pairs[i]);
        churners[i] = start(churner, &created[i]);
        mappers[i] = start(mapper, &rounds[i]);
        writers[i] = start(pipe_writer, &streams[i]);
        readers[i] = start(pipe_reader, &streams[i]);
    }
    double begin = now();
    watch(begin + seconds);
    atomic_store(&g_stop, true);
    // The ends: each must finish (a thread blocked for good here is a lost wake-up too).
    double deadline = now() + k_stall_seconds;
    unsigned long total_increments = 0, total_created = 0, total_rounds = 0, pings = 0, pongs = 0;
    struct Tally in = { 0, 0 }, out = { 0, 0 }, bytes_in = { 0, 0 }, bytes_out = { 0, 0 };
    for (int i = 0; i < n; ++i) {
        pthread_join(mutexes[i], NULL);
        pthread_join(producers[i], NULL);
        pthread_join(pingers[i], NULL);
        pthread_join(pongers[i], NULL);
        pthread_join(churners[i], NULL);
        pthread_join(mappers[i], NULL);
        pthread_join(writers[i], NULL);
        pthread_join(readers[i], NULL);
        close(streams[i].fds[0]);
    }
    pthread_mutex_lock(&g_queue_lock);
    g_producers_done = true;
    pthread_cond_broadcast(&g_not_empty);
    pthread_mutex_unlock(&g_queue_lock);
    for (int i = 0; i < n; ++i)
        pthread_join(consumers[i], NULL);
    if (now() > deadline)
        FAIL("the threads took %.0f s to finish after the stop", now() - deadline + k_stall_seconds);
    // Detached threads may still be on their way: wait (bounded) for all to have run.
    for (int i = 0; i < n; ++i)
        total_created += created[i];
    while (atomic_load(&g_ran) < total_created && now() < deadline)
        usleep(1000);

    for (int i = 0; i < n; ++i) {
        total_increments += increments[i];
        total_rounds += rounds[i];
        in.items += produced[i].items, in.sum += produced[i].sum;
        out.items += consumed[i].items, out.sum += consumed[i].sum;
        pings += pairs[i].pings, pongs += pairs[i].pongs;
        bytes_in.items += streams[i].written.items, bytes_in.sum += streams[i].written.sum;
        bytes_out.items += streams[i].read.items, bytes_out.sum += streams[i].read.sum;
        if (pairs[i].pings != pairs[i].pongs)
            FAIL("futex pair %d: %lu pings, %lu pongs", i, pairs[i].pings, pairs[i].pongs);
    }
    printf("mutex: %lu increments, counter %lu\n", total_increments, g_counter);
    printf("queue: %lu items produced (sum %lu), %lu consumed (sum %lu)\n", in.items, in.sum, out.items, out.sum);
    printf("futex: %lu round trips\n", pings);
    printf("churn: %lu threads created, %lu ran\n", total_created, (unsigned long)atomic_load(&g_ran));
    printf("memory: %lu map/fill/protect/discard/unmap rounds\n", total_rounds);
    printf("pipes: %lu bytes written, %lu read\n", bytes_in.items, bytes_out.items);
    if (total_increments != g_counter)
        FAIL("the mutex lost increments: %lu made, counter %lu", total_increments, g_counter);
    if (in.items != out.items || in.sum != out.sum)
        FAIL("the queue lost or duplicated items");
    if (atomic_load(&g_ran) != total_created)
        FAIL("%lu threads created, %lu ran", total_created, (unsigned long)atomic_load(&g_ran));
    if (bytes_in.items != bytes_out.items || bytes_in.sum != bytes_out.sum)
        FAIL("the pipes lost bytes");
    if (!total_increments || !out.items || !pings || !total_created || !total_rounds || !bytes_out.items)
        FAIL("some work never ran");
    printf("stress ok\n");
    return 0;
}
