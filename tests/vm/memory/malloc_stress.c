// malloc under load: many small blocks, large blocks, realloc growth, calloc zeroing, and an
// impossible allocation that must fail with ENOMEM instead of crashing.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAIL(...)                     \
    do {                              \
        printf(__VA_ARGS__);          \
        printf("\n");                 \
        return 1;                     \
    } while (0)

int main(void)
{
    enum { small_count = 300000 };
    void** blocks = malloc(small_count * sizeof(void*));
    if (!blocks)
        FAIL("no table");
    for (int i = 0; i < small_count; ++i) {
        size_t size = 8 + (i * 7919) % 120;
        blocks[i] = malloc(size);
        if (!blocks[i])
            FAIL("small malloc %d failed", i);
        memset(blocks[i], i & 0xff, size);
    }
    for (int i = 0; i < small_count; i += 2)
        free(blocks[i]);
    for (int i = 1; i < small_count; i += 2)
        if (((unsigned char*)blocks[i])[0] != (i & 0xff))
            FAIL("block %d corrupted", i);
    for (int i = 1; i < small_count; i += 2)
        free(blocks[i]);
    free(blocks);

    for (int round = 0; round < 4; ++round) {
        size_t size = 64u << 20;
        unsigned char* big = malloc(size);
        if (!big)
            FAIL("64 MiB malloc failed in round %d", round);
        for (size_t off = 0; off < size; off += 4096)
            big[off] = (unsigned char)(off >> 12);
        for (size_t off = 0; off < size; off += 4096)
            if (big[off] != (unsigned char)(off >> 12))
                FAIL("64 MiB block corrupted");
        free(big);
    }

    char* grow = NULL;
    size_t len = 0;
    for (size_t size = 16; size <= (32u << 20); size *= 2) {
        char* p = realloc(grow, size);
        if (!p)
            FAIL("realloc to %zu failed", size);
        for (size_t i = 0; i < len; ++i)
            if (p[i] != (char)(i * 31))
                FAIL("realloc lost data at %zu", i);
        for (size_t i = len; i < size; ++i)
            p[i] = (char)(i * 31);
        grow = p;
        len = size;
    }
    free(grow);

    for (int i = 0; i < 100; ++i) {
        size_t n = 1000 + i * 997;
        unsigned* z = calloc(n, sizeof(unsigned));
        if (!z)
            FAIL("calloc failed");
        for (size_t k = 0; k < n; ++k)
            if (z[k])
                FAIL("calloc memory not zero");
        memset(z, 0xff, n * sizeof(unsigned));
        free(z);
    }

    // Larger than the machine: must fail cleanly. The calls go through volatile pointers: clang
    // may delete an allocation whose result it can predict, and assumes malloc leaves errno alone.
    void* (*volatile allocate)(size_t) = malloc;
    void* (*volatile allocate_zeroed)(size_t, size_t) = calloc;
    errno = 0;
    void* huge = allocate((size_t)64 << 30);
    int error = errno;
    printf("huge=%p errno=%d\n", huge, error);
    if (huge || error != ENOMEM)
        FAIL("impossible allocation did not fail with ENOMEM");
    if (allocate_zeroed(SIZE_MAX / 2, 4) != NULL)
        FAIL("overflowing calloc succeeded");
    printf("malloc ok\n");
    return 0;
}
