// Wall clock from the RTC; monotonic clock that moves forward at the right speed; clock_nanosleep
// reports errors as positive error numbers.
#include <errno.h>
#include <stdio.h>
#include <time.h>

int main(void)
{
    printf("epoch=%lld\n", (long long)time(NULL));
    struct timespec a, b, r;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = { 0, 50 * 1000 * 1000 };
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    if (clock_getres(CLOCK_MONOTONIC, &r) != 0 || ns < 50000000 || ns > 500000000) {
        printf("monotonic clock wrong: slept 50 ms, measured %lld ns\n", ns);
        return 1;
    }
    struct timespec rt;
    clock_gettime(CLOCK_REALTIME, &rt);
    printf("realtime=%lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec);
    printf("monotonic ok\n");

    // Regression: the runtime returned the positive error number from the raw system call, which
    // musl negates, so clock_nanosleep returned -EINVAL.
    struct timespec bad = { 0, 1000000000 };
    int invalid_time = clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL);
    int invalid_clock = clock_nanosleep(12345, 0, &nap, NULL);
    if (invalid_time != EINVAL || invalid_clock != EINVAL) {
        printf("clock_nanosleep: invalid time gave %d, invalid clock gave %d, expected %d\n", invalid_time,
            invalid_clock, EINVAL);
        return 1;
    }
    printf("clock_nanosleep errors ok\n");
    return 0;
}
