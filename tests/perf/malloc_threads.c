// A malloc-heavy multi-threaded workload for SMP: each of THREADS threads (default: one per CPU)
// keeps a window of 256 live blocks and replaces one per step with a new block of a random size
// (mostly small, now and then 64-512 KiB, which musl's malloc maps and unmaps), writing to it.
// The same total work is split over the threads, so the time shows how allocation scales with
// CPUs. Usage: malloc_threads [STEPS [THREADS]] (default STEPS 400000).
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { k_window = 256 };
static long g_steps_per_thread;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void* worker(void* arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u + 1;
    void* live[k_window] = { 0 };
    uint64_t checksum = 0;
    for (long i = 0; i < g_steps_per_thread; ++i) {
        unsigned r = (unsigned)rand_r(&seed);
        size_t size = r % 1000 == 0 ? 64 * 1024 + r % (448 * 1024) : 16 + r % 2048;
        int slot = (int)(r % k_window);
        free(live[slot]);
        unsigned char* p = malloc(size);
        if (!p) {
            printf("FAIL: malloc(%zu)\n", size);
            exit(1);
        }
        p[0] = (unsigned char)i;
        p[size - 1] = (unsigned char)(i >> 8);
        checksum += p[0];
        live[slot] = p;
    }
    for (int i = 0; i < k_window; ++i)
        free(live[i]);
    return (void*)(uintptr_t)checksum;
}

int main(int argc, char** argv)
{
    long steps = argc > 1 ? atol(argv[1]) : 400000;
    long threads = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
    if (steps < 1 || threads < 1 || threads > 256) {
        printf("usage: malloc_threads [STEPS [THREADS 1-256]]\n");
        return 2;
    }
    g_steps_per_thread = steps / threads;
    pthread_t t[256];
    double start = now();
    for (long i = 0; i < threads; ++i)
        pthread_create(&t[i], NULL, worker, (void*)(uintptr_t)(i + 1));
    for (long i = 0; i < threads; ++i)
        pthread_join(t[i], NULL);
    double seconds = now() - start;
    printf("malloc-bound %.3f s with %ld thread(s): %.0f malloc+free per second\n", seconds, threads,
        (double)(g_steps_per_thread * threads) / seconds);
    return 0;
}
