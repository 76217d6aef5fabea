// SPDX-License-Identifier: MIT
// The mmap family from several threads at once, anonymous memory and MAP_SHARED file mappings
// mixed (docs/architecture.md, "Locking on many CPUs": anonymous calls run without the
// RuntimeLock; one that meets a file mapping runs again under it). Each worker owns its ranges
// and checks every byte it reads back; the file workers' data must be in the file afterwards.
// Usage: mmap_threads [ROUNDS] (default 300). Prints "mmap-threads ok".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../check.h"

enum { k_page = 4096, k_anon_workers = 3, k_file_workers = 2 };
static long g_rounds = 300;

// Anonymous memory: map, fill, grow with mremap (maybe moving), protect, discard, unmap.
static void* anon_worker(void* arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    for (long r = 0; r < g_rounds; ++r) {
        size_t pages = 1 + (size_t)(r % 7);
        unsigned char* p = mmap(NULL, pages * k_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        CHECK(p != MAP_FAILED, "mmap %zu pages", pages);
        unsigned char tag = (unsigned char)(id * 31 + r);
        memset(p, tag, pages * k_page);
        unsigned char* q = mremap(p, pages * k_page, 2 * pages * k_page, MREMAP_MAYMOVE);
        CHECK(q != MAP_FAILED, "mremap");
        for (size_t i = 0; i < pages * k_page; i += 511)
            CHECK(q[i] == tag, "byte %zu after mremap: %u, not %u", i, q[i], tag);
        CHECK(q[pages * k_page] == 0, "the grown part reads zero");
        CHECK(mprotect(q, k_page, PROT_READ) == 0, "mprotect");
        CHECK(madvise(q + k_page, k_page, MADV_DONTNEED) == 0, "madvise");
        if (pages > 1)
            CHECK(q[k_page] == 0, "a discarded page reads zero");
        CHECK(munmap(q, 2 * pages * k_page) == 0, "munmap");
        free(malloc(64 + (size_t)r * 100)); // malloc's own brk and mmap calls among them.
    }
    return NULL;
}

// A MAP_SHARED file mapping: written through the mapping, partly unmapped with an anonymous
// MAP_FIXED over it, shrunk with mremap, unmapped; the file holds what was written.
static void* file_worker(void* arg)
{
    unsigned id = (unsigned)(uintptr_t)arg;
    char path[64];
    snprintf(path, sizeof path, "/tmp/mmap-threads-%u", id);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "open %s", path);
    CHECK(ftruncate(fd, 4 * k_page) == 0, "ftruncate");
    for (long r = 0; r < g_rounds; ++r) {
        unsigned char tag = (unsigned char)(id * 17 + r);
        unsigned char* m = mmap(NULL, 4 * k_page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        CHECK(m != MAP_FAILED, "mmap MAP_SHARED");
        memset(m, tag, 4 * k_page);
        // Anonymous memory over the last page: the file keeps what the mapping wrote there.
        unsigned char* a = mmap(m + 3 * k_page, k_page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        CHECK(a == m + 3 * k_page, "MAP_FIXED over a file mapping");
        CHECK(a[0] == 0, "the anonymous page reads zero");
        // Growing a shared file mapping is refused; shrinking works.
        CHECK(mremap(m, 3 * k_page, 5 * k_page, 0) == MAP_FAILED && errno == EINVAL, "growing a file mapping");
        CHECK(mremap(m, 3 * k_page, 2 * k_page, 0) == m, "shrinking a file mapping");
        // Only what this thread still holds: another thread's mmap may have landed in the hole
        // the shrink left (as on Linux), and munmap(m, 4 pages) would take that away too.
        CHECK(munmap(m, 2 * k_page) == 0 && munmap(m + 3 * k_page, k_page) == 0, "munmap");
        unsigned char page[k_page];
        for (int i = 0; i < 4; ++i) {
            CHECK(pread(fd, page, k_page, (off_t)i * k_page) == k_page, "pread");
            for (int j = 0; j < k_page; j += 97)
                CHECK(page[j] == tag, "file page %d byte %d: %u, not %u", i, j, page[j], tag);
        }
    }
    close(fd);
    unlink(path);
    return NULL;
}

int main(int argc, char** argv)
{
    if (argc > 1)
        g_rounds = atol(argv[1]);
    pthread_t threads[k_anon_workers + k_file_workers];
    for (int i = 0; i < k_anon_workers; ++i)
        CHECK(pthread_create(&threads[i], NULL, anon_worker, (void*)(uintptr_t)i) == 0, "pthread_create");
    for (int i = 0; i < k_file_workers; ++i)
        CHECK(pthread_create(&threads[k_anon_workers + i], NULL, file_worker, (void*)(uintptr_t)i) == 0, "pthread_create");
    for (int i = 0; i < k_anon_workers + k_file_workers; ++i)
        pthread_join(threads[i], NULL);
    printf("mmap-threads ok\n");
    return 0;
}
