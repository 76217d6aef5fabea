// Console throughput: `console out N` writes N bytes to stdout in 64 KiB writes; `console in`
// reads stdin to its end in 64 KiB reads and prints the byte count. Built for the host and for
// uksdk by tests/perf/console-bench.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char buffer[1 << 16];

int main(int argc, char** argv)
{
    if (argc >= 3 && !strcmp(argv[1], "out")) {
        long long left = atoll(argv[2]);
        for (size_t i = 0; i < sizeof buffer; ++i)
            buffer[i] = (char)('a' + i % 26);
        while (left > 0) {
            ssize_t n = write(1, buffer, left < (long long)sizeof buffer ? (size_t)left : sizeof buffer);
            if (n <= 0)
                return 2;
            left -= n;
        }
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "in")) {
        long long total = 0;
        ssize_t n;
        while ((n = read(0, buffer, sizeof buffer)) > 0)
            total += n;
        if (n < 0)
            return 2;
        fprintf(stderr, "in %lld\n", total);
        return 0;
    }
    fprintf(stderr, "usage: console out BYTES | console in\n");
    return 1;
}
