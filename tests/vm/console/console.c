/* SPDX-License-Identifier: MIT */
/* The console on the virtio ports.
 * `interleave N`: N lines to stdout and N to stderr, alternating, each written with one write()
 *   and up to 3000 bytes long: `out I <I*7919 % 3000 times 'o'>` / `err I ...'e'...`.
 * `flood N`: N bytes of a pattern to stdout in uneven writes, then a crash (null dereference):
 *   everything written before the crash must reach the host before the crash report.
 * `exit N`: the same, then _exit(7) at once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char line[3100];

static void emit(int fd, char tag, int i)
{
    int n = snprintf(line, sizeof line, "%s %d ", tag == 'o' ? "out" : "err", i);
    int pad = (int)((i * 7919L) % 3000);
    memset(line + n, tag, pad);
    line[n + pad] = '\n';
    if (write(fd, line, n + pad + 1) != n + pad + 1)
        exit(3);
}

static void flood(long long total)
{
    static char chunk[65536];
    for (size_t i = 0; i < sizeof chunk; ++i)
        chunk[i] = (char)('A' + i % 23);
    long long done = 0;
    size_t step = 1;
    while (done < total) {
        /* Uneven writes, at uneven offsets into the pattern, as stdio would make them. */
        size_t n = step % 9000 + 1;
        if ((long long)n > total - done)
            n = (size_t)(total - done);
        size_t offset = (size_t)(done % 23);
        if (write(1, chunk + offset, n) != (ssize_t)n)
            exit(3);
        done += (long long)n;
        step = step * 31 + 7;
    }
}

int main(int argc, char** argv)
{
    if (argc < 3)
        return 1;
    long long n = atoll(argv[2]);
    if (!strcmp(argv[1], "interleave")) {
        for (int i = 0; i < n; ++i) {
            emit(1, 'o', i);
            emit(2, 'e', i);
        }
        return 0;
    }
    if (!strcmp(argv[1], "flood")) {
        flood(n);
        *(volatile int*)0 = 1;
        return 0;
    }
    if (!strcmp(argv[1], "exit")) {
        flood(n);
        _exit(7);
    }
    return 1;
}
