/* SPDX-License-Identifier: MIT */
/* Regression: a write from a static constructor started the virtio console before the runtime's
 * own (then dynamic) initializer of the console's queues ran among the constructors and wiped
 * them; the next write crashed, and the crash report's flush crashed again, forever. */
#include <stdio.h>
#include <unistd.h>

__attribute__((constructor)) static void early(void)
{
    printf("constructor\n");
    fflush(stdout);
}

int main(void)
{
    printf("main\n");
    fprintf(stderr, "stderr\n");
    return 5;
}
