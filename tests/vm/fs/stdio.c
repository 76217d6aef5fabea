/* SPDX-License-Identifier: MIT */
/* Standard streams. `stdio.c echo`: copies stdin to stdout until end of file and reports the
 * byte count and a checksum on stderr. `stdio.c split`: writes distinct lines to stdout and
 * stderr. `stdio.c tty`: reports isatty() of the three streams. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv)
{
    const char* mode = argc > 1 ? argv[1] : "echo";
    if (!strcmp(mode, "echo")) {
        char buf[4096];
        ssize_t n;
        unsigned long long total = 0;
        uint32_t sum = 0;
        while ((n = read(0, buf, sizeof buf)) > 0) {
            for (ssize_t i = 0; i < n; ++i)
                sum = sum * 31 + (unsigned char)buf[i];
            if (write(1, buf, n) != n)
                return 3;
            total += n;
        }
        if (n < 0) {
            perror("read");
            return 2;
        }
        /* Reading again after the end still says end of file. */
        if (read(0, buf, 1) != 0)
            return 4;
        fprintf(stderr, "stdin: %llu bytes, checksum %08x\n", total, sum);
        return 0;
    }
    if (!strcmp(mode, "lines")) {
        /* Line-oriented input through stdio, as an interactive program reads it. */
        char line[256];
        int count = 0;
        while (fgets(line, sizeof line, stdin)) {
            line[strcspn(line, "\n")] = 0;
            printf("line %d: [%s]\n", ++count, line);
        }
        printf("%d lines, eof %d\n", count, feof(stdin));
        return 0;
    }
    if (!strcmp(mode, "split")) {
        printf("this goes to stdout\n");
        fflush(stdout);
        fprintf(stderr, "this goes to stderr\n");
        printf("stdout again\n");
        return 5;
    }
    if (!strcmp(mode, "tty")) {
        printf("isatty %d %d %d\n", isatty(0), isatty(1), isatty(2));
        return 0;
    }
    return 1;
}
