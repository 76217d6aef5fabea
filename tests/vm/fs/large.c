/* SPDX-License-Identifier: MIT */
/* stdio on a 16 MiB file: fwrite in odd-sized pieces, fseek/ftell, fread back and compare,
 * append mode, then running the file system out of memory: ENOSPC, never corruption, and the
 * memory comes back when the files are removed. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define SIZE (16u << 20)

static unsigned char pattern(uint32_t i) { return (unsigned char)((i * 2654435761u) >> 24); }

static void test_large_stdio(const char* path)
{
    FILE* f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    static unsigned char buf[70001];
    uint32_t written = 0;
    while (written < SIZE) {
        uint32_t n = SIZE - written < sizeof buf ? SIZE - written : sizeof buf;
        for (uint32_t i = 0; i < n; ++i)
            buf[i] = pattern(written + i);
        CHECK(fwrite(buf, 1, n, f) == n);
        written += n;
    }
    CHECK(ftell(f) == (long)SIZE);
    CHECK(fclose(f) == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && st.st_size == SIZE);

    f = fopen(path, "rb");
    CHECK(f != NULL);
    uint32_t at = 0, bad = 0;
    size_t n;
    while ((n = fread(buf, 1, 4093, f)) > 0) {
        for (size_t i = 0; i < n; ++i)
            bad += buf[i] != pattern(at + i);
        at += n;
    }
    CHECK(at == SIZE && bad == 0);
    CHECK(fseek(f, SIZE / 2 + 3, SEEK_SET) == 0 && ftell(f) == (long)(SIZE / 2 + 3));
    CHECK(fgetc(f) == pattern(SIZE / 2 + 3));
    CHECK(fseek(f, -1, SEEK_END) == 0 && fgetc(f) == pattern(SIZE - 1) && fgetc(f) == EOF && feof(f));
    fclose(f);

    f = fopen(path, "ab");
    CHECK(f && fputs("tail", f) >= 0 && fclose(f) == 0);
    CHECK(stat(path, &st) == 0 && st.st_size == SIZE + 4);
    f = fopen(path, "r+b");
    CHECK(f && fseek(f, 0, SEEK_SET) == 0 && fputc('!', f) == '!' && fclose(f) == 0);
    int fd = open(path, O_RDONLY);
    char c[5] = { 0 };
    CHECK(pread(fd, c, 1, 0) == 1 && c[0] == '!');
    CHECK(pread(fd, c, 4, SIZE) == 4 && !memcmp(c, "tail", 4));
    close(fd);
    CHECK(unlink(path) == 0);
}

/* Fills memory with files until the file system says ENOSPC; checks every file still holds
 * exactly what was written, then frees it all and checks the memory is usable again. */
static void test_exhaustion(const char* directory)
{
    static char block[1 << 16];
    char path[256];
    int files = 0;
    long long total = 0;
    int saw_enospc = 0;
    for (; files < 10000 && !saw_enospc; ++files) {
        snprintf(path, sizeof path, "%s/fill%d", directory, files);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) {
            CHECK(errno == ENOSPC || errno == ENOMEM);
            saw_enospc = 1;
            break;
        }
        for (int i = 0; i < 64; ++i) {
            memset(block, 'a' + files % 26, sizeof block);
            ssize_t n = write(fd, block, sizeof block);
            if (n < 0) {
                CHECK(errno == ENOSPC);
                saw_enospc = 1;
                break;
            }
            total += n;
            if (n < (ssize_t)sizeof block) {
                /* A short write; the next one reports the error. */
                errno = 0;
                CHECK(write(fd, block, sizeof block) == -1 && errno == ENOSPC);
                saw_enospc = 1;
                break;
            }
        }
        close(fd);
    }
    CHECK(saw_enospc);
    printf("filled %lld MiB in %d files before ENOSPC\n", total >> 20, files);
    /* Memory is full: malloc may fail now, but must not crash. */
    void* p = malloc(1 << 20);
    printf("malloc while full: %s\n", p ? "ok" : "NULL");
    free(p);
    long long checked = 0;
    for (int i = 0; i < files; ++i) {
        snprintf(path, sizeof path, "%s/fill%d", directory, i);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n;
        while ((n = read(fd, block, sizeof block)) > 0) {
            for (ssize_t k = 0; k < n; ++k)
                if (block[k] != 'a' + i % 26) {
                    CHECK(!"file content changed");
                    break;
                }
            checked += n;
        }
        close(fd);
        CHECK(unlink(path) == 0);
    }
    CHECK(checked == total);
    /* Everything is back: a large allocation and a large file both work again. */
    p = malloc(8 << 20);
    CHECK(p != NULL);
    if (p)
        memset(p, 1, 8 << 20);
    free(p);
    snprintf(path, sizeof path, "%s/after", directory);
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    for (int i = 0; i < 64; ++i)
        CHECK(write(fd, block, sizeof block) == sizeof block);
    close(fd);
    unlink(path);
}

int main(int argc, char** argv)
{
    const char* directory = argc > 1 ? argv[1] : "/tmp";
    char path[256];
    snprintf(path, sizeof path, "%s/large-%d", directory, (int)getpid());
    test_large_stdio(path);
    if (argc > 2 && !strcmp(argv[2], "exhaust"))
        test_exhaustion(directory);
    return finish("large");
}
