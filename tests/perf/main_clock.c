// SPDX-License-Identifier: MIT
// Linked into a program with -Wl,--wrap=main: prints the guest's CLOCK_MONOTONIC when main is
// entered, then runs the program's own main. On uksdk that clock counts from the first
// instruction of the image; on Linux from the kernel's timekeeping start (a little later than its
// first instruction), so the Linux figure is a slight underestimate.
#include <stdio.h>
#include <time.h>

int __real_main(int argc, char** argv, char** envp);

int __wrap_main(int argc, char** argv, char** envp)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    fprintf(stderr, "bench: main at %ld us\n", (long)t.tv_sec * 1000000L + t.tv_nsec / 1000);
    return __real_main(argc, argv, envp);
}
