// Prints the guest's time from its first instruction to main: uksdk's CLOCK_MONOTONIC counts from
// the TSC value read by the very first instruction of the image.
#include <stdio.h>
#include <time.h>

int main(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    printf("entry_to_main_us %ld\n", t.tv_sec * 1000000L + t.tv_nsec / 1000);
    return 0;
}
