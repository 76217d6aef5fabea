// Ordinary libc use: stdio formatting, strings, stdlib, math, time conversion, sscanf.
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int failures;
#define CHECK(cond)                                                    \
    do {                                                               \
        if (!(cond)) {                                                 \
            printf("FAILED: %s (line %d)\n", #cond, __LINE__);         \
            ++failures;                                                \
        }                                                              \
    } while (0)

static int compare(const void* a, const void* b) { return *(const int*)a - *(const int*)b; }

int main(void)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%d %5.2f %-4s| %x %e %g", -42, 3.14159, "ab", 255u, 12345.678, 0.0001);
    CHECK(strcmp(buf, "-42  3.14 ab  | ff 1.234568e+04 0.0001") == 0);
    CHECK(fabs(sin(M_PI / 2) - 1.0) < 1e-12);
    CHECK(fabs(exp(1.0) - 2.718281828459045) < 1e-12);
    CHECK(pow(2, 10) == 1024);
    CHECK(fabs(sqrt(2.0) * sqrt(2.0) - 2.0) < 1e-12);
    CHECK(strtod("1e-3", NULL) == 0.001);
    CHECK(strtol("-0x1f", NULL, 16) == -31);
    errno = 0;
    strtol("99999999999999999999999", NULL, 10);
    CHECK(errno == ERANGE);
    int v[] = { 5, 3, 9, 1, 7 };
    qsort(v, 5, sizeof v[0], compare);
    CHECK(v[0] == 1 && v[4] == 9);
    time_t t = 1795782896; // 2026-11-27 12:34:56 UTC
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %a", &tm);
    CHECK(strcmp(buf, "2026-11-27 12:34:56 Fri") == 0);
    CHECK(timegm(&tm) == t);
    int a, b;
    char word[16];
    CHECK(sscanf("12 apples 34", "%d %15s %d", &a, word, &b) == 3 && a == 12 && b == 34 && !strcmp(word, "apples"));
    CHECK(toupper('q') == 'Q');
    char* dup = strdup("duplicate");
    CHECK(dup && strcmp(dup, "duplicate") == 0);
    free(dup);
    CHECK(strstr("haystack with needle", "needle") != NULL);
    if (failures)
        return 1;
    printf("libc ok\n");
    return 0;
}
