// SPDX-License-Identifier: MIT
// Spins forever (for the runner's timeout), or reports the RAM the guest sees (sysinfo or
// /proc/meminfo).
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>

int main(int argc, char** argv)
{
    if (argc > 1 && strcmp(argv[1], "meminfo") == 0) {
        struct sysinfo info;
        sysinfo(&info);
        printf("ram %lu MiB\n", (unsigned long)(info.totalram * info.mem_unit >> 20));
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "procmeminfo") == 0) {
        FILE* f = fopen("/proc/meminfo", "r");
        char line[256];
        if (!f || !fgets(line, sizeof line, f))
            return 1;
        fputs(line, stdout);
        return 0;
    }
    printf("spinning\n");
    fflush(stdout);
    for (volatile unsigned long i = 0;; ++i) { }
}
