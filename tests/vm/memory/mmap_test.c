// Anonymous mappings: mmap, munmap, mprotect, mremap, MAP_FIXED, brk-free behaviour.
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define FAIL(...)                     \
    do {                              \
        printf(__VA_ARGS__);          \
        printf("\n");                 \
        return 1;                     \
    } while (0)

__attribute__((noinline)) static void write_readonly(volatile char* p) { p[0] = 1; }

int main(int argc, char** argv)
{
    long page = sysconf(_SC_PAGESIZE);
    if (page != 4096)
        FAIL("page size %ld", page);
    size_t size = 16 << 20;
    char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        FAIL("mmap failed: %s", strerror(errno));
    for (size_t i = 0; i < size; i += 4096)
        if (p[i] != 0)
            FAIL("fresh mapping not zero");
    memset(p, 0x5a, size);

    if (argc > 1 && strcmp(argv[1], "write-readonly") == 0) {
        mprotect(p, 4096, PROT_READ);
        write_readonly(p);
        FAIL("write to read-only memory did not fault");
    }

    // Punch a hole, then map it again with MAP_FIXED.
    if (munmap(p + 4096, 4096) != 0)
        FAIL("munmap of one page failed");
    char* again = mmap(p + 4096, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (again != p + 4096 || again[0] != 0)
        FAIL("MAP_FIXED into the hole failed");
    if (mmap(p, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != MAP_FAILED
        || errno != EEXIST)
        FAIL("MAP_FIXED_NOREPLACE over a mapping did not fail with EEXIST");

    // mprotect to none and back keeps the contents.
    if (mprotect(p, 8192, PROT_NONE) != 0 || mprotect(p, 8192, PROT_READ | PROT_WRITE) != 0)
        FAIL("mprotect failed");
    if (p[0] != 0x5a)
        FAIL("mprotect lost contents");
    if (mprotect(p + size, 4096, PROT_READ) == 0)
        FAIL("mprotect of unmapped memory succeeded");

    // mremap grows and keeps the data, moving if needed.
    char* q = mremap(p, size, 4 * size, MREMAP_MAYMOVE);
    if (q == MAP_FAILED)
        FAIL("mremap failed: %s", strerror(errno));
    if (q[size - 1] != 0x5a || q[4 * size - 1] != 0)
        FAIL("mremap contents wrong");
    if (munmap(q, 4 * size) != 0)
        FAIL("munmap failed");

    // Many mappings and unmappings.
    for (int i = 0; i < 10000; ++i) {
        char* m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED)
            FAIL("mmap %d failed", i);
        m[4096] = 1;
        if (munmap(m, 3 * 4096) != 0)
            FAIL("munmap %d failed", i);
    }
    if (mmap(NULL, (size_t)1 << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED
        || errno != ENOMEM)
        FAIL("1 TiB mapping did not fail with ENOMEM");
    if (mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != EINVAL)
        FAIL("zero-length mmap did not fail with EINVAL");
    printf("mmap ok\n");
    return 0;
}
