/* SPDX-License-Identifier: MIT */
/* Prints what only the guest knows (uname's sysname is "uksdk" there, "Linux" on the host), its
 * arguments and the variables named in PROBE_SHOW, then exits with the status given by
 * `--exit N`. With `--cat` it copies stdin to stdout first; `--stderr TEXT` writes TEXT to stderr;
 * `--read FILE` prints FILE's first line (exit 1 if it cannot), `--write FILE TEXT` writes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

int main(int argc, char** argv)
{
    struct utsname u;
    if (uname(&u) != 0)
        return 99;
    printf("sysname=%s\n", u.sysname);
    int status = 0;
    for (int i = 1; i < argc; i++) {
        printf("arg[%d]=%s\n", i, argv[i]);
        if (!strcmp(argv[i], "--exit") && i + 1 < argc)
            status = atoi(argv[i + 1]);
        if (!strcmp(argv[i], "--stderr") && i + 1 < argc)
            fprintf(stderr, "%s\n", argv[i + 1]);
        if (!strcmp(argv[i], "--read") && i + 1 < argc) {
            char line[256] = "";
            FILE* f = fopen(argv[i + 1], "r");
            if (!f || !fgets(line, sizeof line, f)) {
                perror(argv[i + 1]);
                status = 1;
            }
            printf("read %s: %s", argv[i + 1], line);
            if (f)
                fclose(f);
        }
        if (!strcmp(argv[i], "--write") && i + 2 < argc) {
            FILE* f = fopen(argv[i + 1], "w");
            if (!f || fprintf(f, "%s\n", argv[i + 2]) < 0 || fclose(f)) {
                perror(argv[i + 1]);
                status = 1;
            }
        }
        if (!strcmp(argv[i], "--cat")) {
            int c;
            while ((c = getchar()) != EOF)
                putchar(c);
        }
    }
    const char* show = getenv("PROBE_SHOW");
    if (show) {
        char names[256];
        snprintf(names, sizeof names, "%s", show);
        for (char* name = strtok(names, ","); name; name = strtok(NULL, ",")) {
            const char* value = getenv(name);
            printf("env %s=%s\n", name, value ? value : "(unset)");
        }
    }
    return status;
}
