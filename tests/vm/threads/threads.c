// Thread and scheduler behaviour, one case per argv[1]; each prints "<case> ok" on success.
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"

static long long now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static pthread_t start(void* (*fn)(void*), void* arg)
{
    pthread_t t;
    int r = pthread_create(&t, NULL, fn, arg);
    if (r)
        FAIL("pthread_create: %s", strerror(r));
    return t;
}

// 16 threads contend for one mutex.
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static long g_counter;
static void* add_many(void* arg)
{
    for (int i = 0; i < 20000; ++i) {
        pthread_mutex_lock(&g_mutex);
        long v = g_counter;
        if (i % 1000 == 0)
            sched_yield(); // Hold the lock across a switch now and then.
        g_counter = v + 1;
        pthread_mutex_unlock(&g_mutex);
    }
    return arg;
}
static void test_mutex(void)
{
    pthread_t t[16];
    for (long i = 0; i < 16; ++i)
        t[i] = start(add_many, (void*)i);
    for (long i = 0; i < 16; ++i) {
        void* r;
        pthread_join(t[i], &r);
        if ((long)r != i)
            FAIL("join returned %p", r);
    }
    if (g_counter != 16 * 20000)
        FAIL("counter %ld", g_counter);
}

// Producer/consumer over a bounded queue with condition variables.
enum { queue_size = 8, items = 20000 };
static int g_queue[queue_size], g_head, g_count;
static pthread_cond_t g_not_empty = PTHREAD_COND_INITIALIZER, g_not_full = PTHREAD_COND_INITIALIZER;
static void* produce(void* arg)
{
    for (int i = 1; i <= items; ++i) {
        pthread_mutex_lock(&g_mutex);
        while (g_count == queue_size)
            pthread_cond_wait(&g_not_full, &g_mutex);
        g_queue[(g_head + g_count++) % queue_size] = i;
        pthread_cond_signal(&g_not_empty);
        pthread_mutex_unlock(&g_mutex);
    }
    return arg;
}
static void test_condvar(void)
{
    pthread_t p = start(produce, NULL);
    long long sum = 0;
    for (int i = 1; i <= items; ++i) {
        pthread_mutex_lock(&g_mutex);
        while (g_count == 0)
            pthread_cond_wait(&g_not_empty, &g_mutex);
        int v = g_queue[g_head];
        g_head = (g_head + 1) % queue_size;
        --g_count;
        pthread_cond_signal(&g_not_full);
        pthread_mutex_unlock(&g_mutex);
        if (v != i)
            FAIL("got %d, expected %d", v, i);
        sum += v;
    }
    pthread_join(p, NULL);
    // A timed wait that nobody signals times out.
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_nsec += 50 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&g_mutex);
    int r = pthread_cond_timedwait(&g_not_empty, &g_mutex, &deadline);
    pthread_mutex_unlock(&g_mutex);
    if (r != ETIMEDOUT)
        FAIL("timedwait returned %d", r);
}

// A thread that never blocks must not starve one that sleeps: preemption.
static atomic_int g_stop;
static void* spin(void* arg)
{
    while (!atomic_load(&g_stop)) { }
    return arg;
}
static void test_spin_vs_sleep(void)
{
    pthread_t s = start(spin, NULL);
    long long before = now_ns(CLOCK_MONOTONIC);
    for (int i = 0; i < 10; ++i)
        usleep(10000);
    long long took = now_ns(CLOCK_MONOTONIC) - before;
    atomic_store(&g_stop, 1);
    pthread_join(s, NULL);
    if (took > 1000000000LL)
        FAIL("ten 10 ms sleeps took %lld ms next to a spinning thread", took / 1000000);
}

static void* nothing(void* arg) { return arg; }
static void test_short_lived(void)
{
    for (long i = 0; i < 2000; ++i) {
        void* r;
        pthread_t t = start(nothing, (void*)i);
        pthread_join(t, &r);
        if ((long)r != i)
            FAIL("thread %ld returned %p", i, r);
    }
    // And detached ones, which unmap their own stacks.
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < 500; ++i) {
        pthread_t t;
        if (pthread_create(&t, &attr, nothing, NULL))
            FAIL("detached create failed");
    }
    usleep(100000);
}

// 100,000 (or `count`) create/join pairs must not grow memory.
static void test_create_join_loop(long count)
{
    struct sysinfo before, after;
    for (int i = 0; i < 100; ++i)
        pthread_join(start(nothing, NULL), NULL);
    sysinfo(&before);
    for (long i = 0; i < count; ++i)
        pthread_join(start(nothing, NULL), NULL);
    sysinfo(&after);
    long lost = (long)before.freeram - (long)after.freeram;
    printf("free RAM before %lu KiB, after %lu KiB\n", before.freeram >> 10, after.freeram >> 10);
    if (lost > 256 * 1024)
        FAIL("%ld threads leaked %ld KiB", count, lost >> 10);
}

// A thread with an 8 MiB stack uses 6 MiB of it.
static void* use_stack(void* arg)
{
    volatile char big[6 << 20];
    for (size_t i = 0; i < sizeof big; i += 4096)
        big[i] = (char)i;
    long sum = 0;
    for (size_t i = 0; i < sizeof big; i += 4096)
        sum += big[i];
    return (void*)sum;
}
static void test_big_stack(void)
{
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 8 << 20);
    pthread_t t;
    if (pthread_create(&t, &attr, use_stack, NULL))
        FAIL("create with 8 MiB stack failed");
    pthread_join(t, NULL);
}

__attribute__((noinline)) static int deep(volatile int n)
{
    volatile char pad[1024];
    pad[0] = (char)n;
    return deep(n + 1) + pad[0];
}
static void* overflow_thread(void* arg)
{
    printf("result %d\n", deep(0));
    return arg;
}

// A joined thread's stack is kept for the next thread (sysroot/musl/overlay/src/thread/
// uk_stack_cache.c): that thread still starts with zero thread-locals, the TLS image's values and
// no thread-specific data, and an overflow of the reused stack still hits its guard pages.
static __thread long g_tls_zero;
static __thread long g_tls_image = 42;
static pthread_key_t g_reuse_key;

// The lowest bytes of the calling thread's stack, just above its guard pages: a short-lived thread
// never reaches them, so what is there was written by a thread before it on the same mapping.
static volatile long* stack_bottom(void)
{
    pthread_attr_t attr;
    void* base = NULL;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) || pthread_attr_getstack(&attr, &base, &size))
        FAIL("pthread_getattr_np");
    pthread_attr_destroy(&attr);
    return (volatile long*)base;
}

struct DirtyResult {
    int clean;      // Started with zero .tbss, the .tdata image and no TSD value.
    long inherited; // What the bottom of its stack held.
};

static void* dirty_thread(void* arg)
{
    struct DirtyResult* result = arg;
    if (result) {
        result->clean = g_tls_zero == 0 && g_tls_image == 42 && pthread_getspecific(g_reuse_key) == NULL;
        result->inherited = *stack_bottom();
    }
    g_tls_zero = 7;
    g_tls_image = 8;
    pthread_setspecific(g_reuse_key, (void*)9);
    *stack_bottom() = 0x5ca1ab1e;
    return (void*)pthread_self(); // Its struct pthread: the same address in the same stack mapping.
}

static void test_stack_reuse(void)
{
    if (pthread_key_create(&g_reuse_key, NULL))
        FAIL("pthread_key_create");
    pthread_join(start(dirty_thread, NULL), NULL);
    int kept = 0;
    for (int i = 0; i < 10; ++i) {
        struct DirtyResult result = { 0, 0 };
        pthread_join(start(dirty_thread, &result), NULL);
        if (!result.clean)
            FAIL("a thread started with another thread's TLS or thread-specific values");
        kept += result.inherited == 0x5ca1ab1e;
    }
    // A new mapping would read zero there.
    if (kept != 10)
        FAIL("%d of 10 threads got a joined thread's stack mapping back", kept);
}

static void* overflow_reused_thread(void* arg)
{
    if (*stack_bottom() == 0x5ca1ab1e) // The previous thread's mark: its mapping, kept.
        printf("stack reused\n");
    fflush(stdout);
    return overflow_thread(arg);
}

static void test_join_exited(void)
{
    pthread_t t = start(nothing, (void*)42);
    usleep(50000); // Long exited before the join.
    void* r;
    if (pthread_join(t, &r) || r != (void*)42)
        FAIL("join of an exited thread failed");
}

// Cancelling a thread blocked in a cancellation point (a condition variable wait, then sleep).
static void* wait_forever(void* arg)
{
    pthread_mutex_lock(&g_mutex);
    pthread_cleanup_push((void (*)(void*))pthread_mutex_unlock, &g_mutex);
    for (;;)
        pthread_cond_wait(&g_not_empty, &g_mutex);
    pthread_cleanup_pop(1);
    return arg;
}
static void* sleep_forever(void* arg)
{
    for (;;)
        sleep(100);
    return arg;
}
static void test_cancel(void)
{
    void* (*fns[])(void*) = { wait_forever, sleep_forever };
    for (int i = 0; i < 2; ++i) {
        pthread_t t = start(fns[i], NULL);
        usleep(20000);
        if (pthread_cancel(t))
            FAIL("pthread_cancel failed");
        void* r;
        pthread_join(t, &r);
        if (r != PTHREAD_CANCELED)
            FAIL("thread %d was not cancelled", i);
    }
}

// Preemption must not mix up floating-point state between threads.
static void* float_work(void* arg)
{
    double seed = (double)(long)arg, acc = 0;
    for (int i = 1; i < 2000000; ++i)
        acc += sqrt(seed * i) / i;
    long long bits;
    memcpy(&bits, &acc, sizeof bits);
    return (void*)(long)bits;
}
static void test_fpu(void)
{
    void* expected[4];
    for (long i = 0; i < 4; ++i)
        expected[i] = float_work((void*)(i + 1));
    pthread_t t[4];
    for (long i = 0; i < 4; ++i)
        t[i] = start(float_work, (void*)(i + 1));
    for (int i = 0; i < 4; ++i) {
        void* r;
        pthread_join(t[i], &r);
        if (r != expected[i])
            FAIL("thread %d computed a different result under preemption", i);
    }
}

// Thread-specific data with destructors, and _Thread_local.
static pthread_key_t g_key;
static atomic_int g_destroyed;
static _Thread_local int g_tls = 7;
static void destroy(void* value)
{
    if (value)
        atomic_fetch_add(&g_destroyed, 1);
}
static void* use_tls(void* arg)
{
    pthread_setspecific(g_key, arg);
    g_tls += (int)(long)arg;
    usleep(1000);
    if (g_tls != 7 + (int)(long)arg || pthread_getspecific(g_key) != arg)
        FAIL("thread-local value changed");
    return NULL;
}
static void test_tls_keys(void)
{
    pthread_key_create(&g_key, destroy);
    pthread_t t[8];
    for (long i = 0; i < 8; ++i)
        t[i] = start(use_tls, (void*)(i + 1));
    for (int i = 0; i < 8; ++i)
        pthread_join(t[i], NULL);
    if (g_tls != 7 || atomic_load(&g_destroyed) != 8)
        FAIL("main tls %d, destructors %d", g_tls, atomic_load(&g_destroyed));
}

// Regression: a thread woken by one that never blocks (here: spins on trylock) was queued without
// arming the time slice, so it never ran again.
static atomic_int g_spinner_done;
static void* trylock_spinner(void* arg)
{
    while (!atomic_load(&g_spinner_done))
        if (pthread_mutex_trylock(&g_mutex) == 0)
            pthread_mutex_unlock(&g_mutex);
    return arg;
}
static void test_woken_by_spinner(void)
{
    pthread_t t = start(trylock_spinner, NULL);
    usleep(50000);
    for (int i = 0; i < 1000; ++i) {
        pthread_mutex_lock(&g_mutex);
        pthread_mutex_unlock(&g_mutex);
    }
    atomic_store(&g_spinner_done, 1);
    pthread_join(t, NULL);
}

static void test_sleep(void)
{
    for (int i = 0; i < 5; ++i) {
        long long before = now_ns(CLOCK_MONOTONIC);
        struct timespec d = { 0, 200 * 1000 * 1000 };
        nanosleep(&d, NULL);
        long long ms = (now_ns(CLOCK_MONOTONIC) - before) / 1000000;
        printf("slept %lld ms\n", ms);
        if (ms < 200 || ms > 220)
            FAIL("200 ms sleep took %lld ms", ms);
    }
}

// One spinning thread per CPU, each pinned to its CPU with sched_setaffinity: each reports the CPU
// it runs on (sched_getcpu), and together they cover them all; affinity is inherited, and a
// thread allowed one CPU stays there.
static long g_cpu_count;
static atomic_int g_arrived;
static void* pinned(void* arg)
{
    long cpu = (long)arg;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set))
        FAIL("sched_setaffinity(CPU %ld): %s", cpu, strerror(errno));
    atomic_fetch_add(&g_arrived, 1);
    // All of them at once: none can take another's CPU while every one spins.
    while (atomic_load(&g_arrived) < g_cpu_count)
        ;
    for (int i = 0; i < 1000; ++i)
        if (sched_getcpu() != cpu)
            FAIL("thread pinned to CPU %ld runs on CPU %d", cpu, sched_getcpu());
    cpu_set_t got;
    if (sched_getaffinity(0, sizeof got, &got) || CPU_COUNT(&got) != 1 || !CPU_ISSET(cpu, &got))
        FAIL("sched_getaffinity does not give back CPU %ld alone", cpu);
    return (void*)(long)(1L << sched_getcpu());
}
static void test_every_cpu_runs(long cpus)
{
    g_cpu_count = cpus;
    pthread_t threads[64];
    for (long i = 0; i < cpus && i < 64; ++i)
        threads[i] = start(pinned, (void*)i);
    long seen = 0;
    for (long i = 0; i < cpus && i < 64; ++i) {
        void* r;
        pthread_join(threads[i], &r);
        seen |= (long)r;
    }
    if (seen != (1L << cpus) - 1)
        FAIL("threads ran on CPUs %#lx, not on all %ld", seen, cpus);
    cpu_set_t all;
    if (sched_getaffinity(0, sizeof all, &all) || CPU_COUNT(&all) != cpus)
        FAIL("the main thread may run on %d CPUs, not %ld", CPU_COUNT(&all), cpus);
    cpu_set_t none;
    CPU_ZERO(&none);
    CPU_SET(63, &none);
    if (cpus < 64 && (sched_setaffinity(0, sizeof none, &none) != -1 || errno != EINVAL))
        FAIL("an affinity with no CPU the machine has is accepted");
    FILE* f = fopen("/proc/cpuinfo", "r");
    char line[256];
    long entries = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "processor", 9))
            ++entries;
    if (f)
        fclose(f);
    if (entries != cpus)
        FAIL("/proc/cpuinfo lists %ld processors, not %ld", entries, cpus);
}

int main(int argc, char** argv)
{
    const char* what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "mutex"))
        test_mutex();
    else if (!strcmp(what, "condvar"))
        test_condvar();
    else if (!strcmp(what, "spin-vs-sleep"))
        test_spin_vs_sleep();
    else if (!strcmp(what, "short-lived"))
        test_short_lived();
    else if (!strcmp(what, "create-join-loop"))
        test_create_join_loop(argc > 2 ? atol(argv[2]) : 100000);
    else if (!strcmp(what, "big-stack"))
        test_big_stack();
    else if (!strcmp(what, "stack-reuse"))
        test_stack_reuse();
    else if (!strcmp(what, "join-exited"))
        test_join_exited();
    else if (!strcmp(what, "cancel"))
        test_cancel();
    else if (!strcmp(what, "fpu"))
        test_fpu();
    else if (!strcmp(what, "tls-keys"))
        test_tls_keys();
    else if (!strcmp(what, "sleep"))
        test_sleep();
    else if (!strcmp(what, "woken-by-spinner"))
        test_woken_by_spinner();
    else if (!strcmp(what, "cpus")) {
        // As many as the runner gives the guest (its default: 1), and every one of them runs threads.
        long expected = argc > 2 ? atol(argv[2]) : 1;
        if (sysconf(_SC_NPROCESSORS_ONLN) != expected)
            FAIL("%ld CPUs online, the runner gives the guest %ld", sysconf(_SC_NPROCESSORS_ONLN), expected);
        test_every_cpu_runs(expected);
    } else if (!strcmp(what, "overflow-reused")) {
        pthread_join(start(dirty_thread, NULL), NULL);
        pthread_join(start(overflow_reused_thread, NULL), NULL);
        FAIL("no stack overflow");
    } else if (!strcmp(what, "overflow")) {
        pthread_t t = start(overflow_thread, NULL);
        pthread_join(t, NULL);
        FAIL("no stack overflow");
    } else if (!strcmp(what, "clock")) {
        // For clock_agreement.py: print guest realtime now and after 5 s of sleep.
        printf("t0 %lld\n", now_ns(CLOCK_REALTIME));
        fflush(stdout);
        sleep(5);
        printf("t1 %lld\n", now_ns(CLOCK_REALTIME));
        return 0;
    } else if (!strcmp(what, "idle")) {
        sleep(10);
        printf("idle ok\n");
        return 0;
    } else
        FAIL("unknown case %s", what);
    printf("%s ok\n", what);
    return 0;
}
