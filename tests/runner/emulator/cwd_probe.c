// SPDX-License-Identifier: MIT
// Booted by try_run: leaves a file in its working directory, which is the host's when the
// toolchain file shares it.
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char cwd[4096];
    if (!getcwd(cwd, sizeof(cwd)))
        return 2;
    FILE* f = fopen("written-by-try_run", "w");
    if (!f)
        return 3;
    fprintf(f, "%s\n", cwd);
    return fclose(f) ? 4 : 0;
}
