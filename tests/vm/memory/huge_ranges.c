// munmap, mprotect, mremap and madvise over huge, mostly empty ranges (issue 10): they must cost
// what is populated, not the size of the range. Before the fix, releasing a 1 TiB reservation
// walked 2^28 page-table entries (16.7 s under TCG) and filling the address space the way
// libc-test's malloc-oom does never finished; here the test's timeout is what catches that.
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <time.h>

#define FAIL(...)                     \
    do {                              \
        printf(__VA_ARGS__);          \
        printf("\n");                 \
        return 1;                     \
    } while (0)

static const size_t k_page = 4096;
static const size_t k_tib = (size_t)1 << 40;
static const size_t k_gib = (size_t)1 << 30;

static double now_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

// Uncommitted memory, in pages (the runtime reports it as sysinfo's freeram).
static long free_pages(void)
{
    struct sysinfo info;
    sysinfo(&info);
    return (long)(info.freeram * info.mem_unit / k_page);
}

static void* reserve(size_t size, int protection)
{
    return mmap(NULL, size, protection, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
}

// libc-test's t_vmfill (src/common/vmfill.c): the largest mapping that still fits, found by
// binary search with mmap and munmap of huge PROT_NONE ranges, until nothing fits any more.
static size_t largest_mapping(size_t* start)
{
    size_t n = *start;
    for (size_t i = *start; i >= k_page; i /= 2) {
        void* p = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            n -= i / 2;
        } else {
            munmap(p, n);
            if (n == i)
                *start = n;
            n += i / 2;
        }
    }
    return n & -k_page;
}

static int fill_address_space(void)
{
    void* maps[64];
    size_t sizes[64];
    int count = 0;
    size_t start = SIZE_MAX / 2 + 1;
    for (size_t m; (m = largest_mapping(&start)) != 0;) {
        if (count == 64)
            FAIL("more than 64 mappings fill the address space");
        maps[count] = mmap(NULL, m, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (maps[count] == MAP_FAILED)
            FAIL("mmap of %zu bytes failed right after it fit", m);
        sizes[count++] = m;
    }
    if (count == 0 || sizes[0] < ((size_t)1 << 46))
        FAIL("address space filled with %d mappings, the first of %zu bytes", count, count ? sizes[0] : 0);
    if (mmap(NULL, k_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
        FAIL("mmap in a full address space did not fail with ENOMEM");
    for (int i = 0; i < count; ++i)
        if (munmap(maps[i], sizes[i]) != 0)
            FAIL("munmap of filler %d failed", i);
    printf("address space filled with %d mappings, %zu GiB first\n", count, sizes[0] / k_gib);
    return 0;
}

int main(void)
{
    // Warm up stdio and the clock so that their allocations do not count below.
    printf("huge ranges\n");
    now_us();

    // A 1 TiB PROT_NONE reservation and its release.
    double t0 = now_us();
    char* p = mmap(NULL, k_tib, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    double t1 = now_us();
    if (p == MAP_FAILED)
        FAIL("1 TiB PROT_NONE reservation failed: %s", strerror(errno));
    if (munmap(p, k_tib) != 0)
        FAIL("munmap of 1 TiB failed: %s", strerror(errno));
    double t2 = now_us();
    printf("1 TiB PROT_NONE: mmap %.0f us, munmap %.0f us\n", t1 - t0, t2 - t1);

    // Page tables are freed with the pages: after touching pages 1 GiB apart (a page directory
    // and a page table each) and unmapping them, every frame is back.
    long before = free_pages();
    p = reserve(k_tib, PROT_READ | PROT_WRITE);
    if (p == MAP_FAILED)
        FAIL("1 TiB MAP_NORESERVE mapping failed: %s", strerror(errno));
    for (size_t i = 0; i < 64; ++i)
        p[i * k_gib + 123] = (char)i;
    long touched = before - free_pages();
    if (touched < 64 + 64) // The pages, and a page table each (directories may be shared).
        FAIL("touching 64 pages 1 GiB apart took only %ld frames", touched);

    // mprotect over the whole terabyte, to nothing and back: the contents stay.
    if (mprotect(p, k_tib, PROT_NONE) != 0 || mprotect(p, k_tib, PROT_READ) != 0)
        FAIL("mprotect of 1 TiB failed: %s", strerror(errno));
    for (size_t i = 0; i < 64; ++i)
        if (p[i * k_gib + 123] != (char)i)
            FAIL("mprotect lost the byte at %zu GiB", i);
    if (mprotect(p, k_tib, PROT_READ | PROT_WRITE) != 0)
        FAIL("mprotect back to read-write failed");

    // mremap growth: in place into free space, then a move (the frames travel, not the bytes).
    char* grown = mremap(p, k_tib, 2 * k_tib, 0);
    if (grown != p)
        FAIL("mremap growth in place failed: %s", strerror(errno));
    grown[2 * k_tib - 1] = 7;
    char* blocker = mmap(p + 2 * k_tib, k_page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (blocker != p + 2 * k_tib)
        FAIL("could not map right after the mapping: %s", strerror(errno));
    char* moved = mremap(p, 2 * k_tib, 3 * k_tib, MREMAP_MAYMOVE);
    if (moved == MAP_FAILED || moved == p)
        FAIL("mremap did not move: %s", moved == MAP_FAILED ? strerror(errno) : "same address");
    for (size_t i = 0; i < 64; ++i)
        if (moved[i * k_gib + 123] != (char)i)
            FAIL("mremap lost the byte at %zu GiB", i);
    if (moved[2 * k_tib - 1] != 7 || moved[3 * k_tib - 1] != 0)
        FAIL("mremap moved the tail wrong");
    if (mprotect(p, k_page, PROT_READ) == 0 || errno != ENOMEM)
        FAIL("the old address is still mapped after the move");
    if (munmap(moved, 3 * k_tib) != 0 || munmap(blocker, k_page) != 0)
        FAIL("munmap after mremap failed");
    long leaked = before - free_pages();
    if (leaked != 0)
        FAIL("%ld frames not given back after munmap (page tables leak)", leaked);

    // MADV_DONTNEED: private pages read as zeros afterwards and their frames are free again;
    // MAP_SHARED pages keep their contents.
    char* q = reserve(64 * k_page, PROT_READ | PROT_WRITE);
    memset(q, 0x5a, 64 * k_page);
    long filled = free_pages();
    if (madvise(q + 8 * k_page, 16 * k_page, MADV_DONTNEED) != 0)
        FAIL("madvise(MADV_DONTNEED) failed: %s", strerror(errno));
    for (size_t i = 0; i < 64 * k_page; ++i) {
        char want = i >= 8 * k_page && i < 24 * k_page ? 0 : 0x5a;
        if (q[i] != want)
            FAIL("byte %zu after MADV_DONTNEED is %d, not %d", i, q[i], want);
    }
    // Reading the discarded pages populated them again; discarding everything frees all 64.
    if (madvise(q, 64 * k_page, MADV_DONTNEED) != 0 || free_pages() - filled < 64)
        FAIL("MADV_DONTNEED of 64 pages gave back %ld frames", free_pages() - filled);
    munmap(q, 64 * k_page);
    char* shared = mmap(NULL, 4 * k_page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(shared, 0x33, 4 * k_page);
    if (madvise(shared, 4 * k_page, MADV_DONTNEED) != 0 || shared[k_page] != 0x33)
        FAIL("MADV_DONTNEED changed a MAP_SHARED mapping");
    munmap(shared, 4 * k_page);
    p = reserve(k_tib, PROT_READ | PROT_WRITE);
    p[5 * k_gib] = 1;
    if (madvise(p, k_tib, MADV_DONTNEED) != 0 || p[5 * k_gib] != 0)
        FAIL("MADV_DONTNEED over 1 TiB failed");
    if (madvise(p + k_tib - k_page, 2 * k_page, MADV_DONTNEED) == 0 || errno != ENOMEM)
        FAIL("MADV_DONTNEED over a hole did not fail with ENOMEM");
    if (madvise(p + 1, k_page, MADV_DONTNEED) == 0 || errno != EINVAL)
        FAIL("MADV_DONTNEED of an unaligned address did not fail with EINVAL");
    if (madvise(p, k_page, 12345) == 0 || errno != EINVAL)
        FAIL("unknown advice did not fail with EINVAL");
    if (madvise(p, k_tib, MADV_WILLNEED) != 0)
        FAIL("MADV_WILLNEED failed");
    // One mprotect over a PROT_NONE mapping and a MAP_NORESERVE one: only the first is charged,
    // and unmapping both gives back exactly that charge.
    long unmixed = free_pages();
    char* mixed = mmap(NULL, 32 * k_page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mixed == MAP_FAILED
        || mmap(mixed + 16 * k_page, 16 * k_page, PROT_READ | PROT_WRITE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0) != mixed + 16 * k_page)
        FAIL("mapping the mixed range failed");
    mixed[20 * k_page] = 1;
    if (mprotect(mixed, 32 * k_page, PROT_READ) != 0 || munmap(mixed, 32 * k_page) != 0)
        FAIL("mprotect or munmap of the mixed range failed");
    if (free_pages() != unmixed)
        FAIL("the mixed range left %ld frames charged", unmixed - free_pages());

    // mlock makes pages resident at once (nothing is ever paged out, so that is all it does).
    long unlocked = free_pages();
    if (mlock(p + 7 * k_gib, 16 * k_page) != 0 || unlocked - free_pages() < 16)
        FAIL("mlock of 16 pages populated %ld", unlocked - free_pages());
    munmap(p, k_tib);

    if (fill_address_space())
        return 1;
    printf("huge ranges ok\n");
    return 0;
}
