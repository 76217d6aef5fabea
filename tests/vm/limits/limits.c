// Resource limits (issue 10): RLIMIT_NOFILE enforced and raisable, RLIMIT_DATA and RLIMIT_AS
// make allocation fail, RLIMIT_STACK sizes the main thread's stack, limits the runtime cannot
// honour are refused, the rest are stored. Modes (argv[1]):
//   (none)        all of the checks above
//   malloc-oom    libc-test's malloc-oom: fill the address space, RLIMIT_DATA 0, malloc fails
//   deep N        recurse through N MiB of stack after raising RLIMIT_STACK to N + 1 MiB
//   deep-default  recurse through 16 MiB of stack under the default 8 MiB limit (crashes)
//   thread-stack  print the default thread stack size (see -Wl,-z,stack-size in CMakeLists.txt)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FAIL(...)                     \
    do {                              \
        printf("FAIL: ");             \
        printf(__VA_ARGS__);          \
        printf("\n");                 \
        return 1;                     \
    } while (0)

static int set(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit r = { soft, hard };
    return setrlimit(resource, &r);
}

static int check_nofile(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_NOFILE, &r) != 0 || r.rlim_cur != 1024 || r.rlim_max != 65536)
        FAIL("RLIMIT_NOFILE is {%llu, %llu}, not {1024, 65536}", (unsigned long long)r.rlim_cur,
            (unsigned long long)r.rlim_max);
    // The case: with a limit of 42, dup stops at 41 with EMFILE.
    if (set(RLIMIT_NOFILE, 42, 65536) != 0)
        FAIL("setrlimit(RLIMIT_NOFILE, 42) failed: %s", strerror(errno));
    int last = -1, fd;
    while ((fd = dup(0)) >= 0)
        last = fd;
    if (last != 41 || errno != EMFILE)
        FAIL("dup stopped at %d (%s), not at 41 with EMFILE", last, strerror(errno));
    if (open("/dev/null", O_RDONLY) != -1 || errno != EMFILE)
        FAIL("open under the limit did not fail with EMFILE");
    if (dup2(0, 42) != -1 || errno != EBADF)
        FAIL("dup2 to the limit did not fail with EBADF");
    if (fcntl(0, F_DUPFD, 42) != -1 || errno != EINVAL)
        FAIL("F_DUPFD at the limit did not fail with EINVAL");
    // Lowering the limit below open descriptors leaves them open.
    if (set(RLIMIT_NOFILE, 10, 65536) != 0 || fcntl(41, F_GETFD) != 0 || close(41) != 0)
        FAIL("lowering the limit closed or lost descriptor 41");
    for (int i = 3; i < 41; ++i)
        close(i);

    // Raising it: descriptors far past 1024 work, and go away with close.
    if (set(RLIMIT_NOFILE, 5000, 65536) != 0)
        FAIL("raising RLIMIT_NOFILE to 5000 failed: %s", strerror(errno));
    for (int i = 3; i < 5000; ++i)
        if ((fd = dup(0)) != i)
            FAIL("dup number %d gave %d (%s)", i, fd, strerror(errno));
    if (dup(0) != -1 || errno != EMFILE)
        FAIL("dup past 5000 descriptors did not fail with EMFILE");
    if (dup2(1, 4321) != 4321 || write(4321, "via 4321\n", 9) != 9)
        FAIL("writing through descriptor 4321 failed");
    for (int i = 3; i < 5000; ++i)
        if (close(i) != 0)
            FAIL("close(%d) failed", i);
    if (set(RLIMIT_NOFILE, 65536, 65536) != 0 || dup2(0, 65535) != 65535 || close(65535) != 0)
        FAIL("descriptor 65535 under a 65536 limit failed: %s", strerror(errno));
    if (set(RLIMIT_NOFILE, 1024, 65537) != -1 || errno != EPERM)
        FAIL("a hard limit above 65536 did not fail with EPERM");
    if (set(RLIMIT_NOFILE, 2048, 1024) != -1 || errno != EINVAL)
        FAIL("soft above hard did not fail with EINVAL");
    set(RLIMIT_NOFILE, 1024, 65536);
    printf("nofile ok\n");
    return 0;
}

static int check_memory_limits(void)
{
    // RLIMIT_DATA: brk and private writable mappings.
    // musl's sbrk refuses to grow (malloc uses brk itself), so brk is called directly: it
    // returns the new break, or the old one when it cannot move.
    long before = syscall(SYS_brk, 0);
    if (set(RLIMIT_DATA, 0, RLIM_INFINITY) != 0)
        FAIL("setrlimit(RLIMIT_DATA) failed");
    if (syscall(SYS_brk, before + (1 << 20)) != before)
        FAIL("brk under RLIMIT_DATA 0 moved");
    if (mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
        FAIL("writable mmap under RLIMIT_DATA 0 did not fail with ENOMEM");
    void* reserved = mmap(NULL, 1 << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (reserved == MAP_FAILED)
        FAIL("PROT_NONE mmap (not data) failed under RLIMIT_DATA 0");
    munmap(reserved, 1 << 30);
    if (set(RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY) != 0 || syscall(SYS_brk, before + (1 << 20)) != before + (1 << 20))
        FAIL("brk after lifting RLIMIT_DATA failed");
    syscall(SYS_brk, before);

    // RLIMIT_AS: every mapping counts, PROT_NONE ones too.
    if (set(RLIMIT_AS, (rlim_t)1 << 30, RLIM_INFINITY) != 0)
        FAIL("setrlimit(RLIMIT_AS) failed");
    if (mmap(NULL, (size_t)2 << 30, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM)
        FAIL("a 2 GiB reservation under a 1 GiB RLIMIT_AS did not fail with ENOMEM");
    char* small = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (small == MAP_FAILED)
        FAIL("1 MiB under a 1 GiB RLIMIT_AS failed");
    if (mremap(small, 1 << 20, (size_t)2 << 30, MREMAP_MAYMOVE) != MAP_FAILED || errno != ENOMEM)
        FAIL("mremap past RLIMIT_AS did not fail with ENOMEM");
    munmap(small, 1 << 20);
    set(RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY);
    printf("memory limits ok\n");
    return 0;
}

static int check_other_limits(void)
{
    struct rlimit r;
    if (getrlimit(RLIMIT_STACK, &r) != 0 || r.rlim_cur != 8 << 20)
        FAIL("RLIMIT_STACK is %llu, not 8 MiB", (unsigned long long)r.rlim_cur);
    // Limits the runtime cannot enforce are refused, not ignored; unlimited is fine.
    if (set(RLIMIT_CPU, 10, 20) != -1 || errno != EINVAL)
        FAIL("a finite RLIMIT_CPU did not fail with EINVAL");
    if (set(RLIMIT_FSIZE, 1 << 20, RLIM_INFINITY) != -1 || errno != EINVAL)
        FAIL("a finite RLIMIT_FSIZE did not fail with EINVAL");
    if (set(RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY) != 0 || set(RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY) != 0)
        FAIL("unlimited RLIMIT_CPU or RLIMIT_FSIZE failed");
    // Stored and reported: no core files are ever written, so RLIMIT_CORE 0 holds trivially.
    if (set(RLIMIT_CORE, 0, 0) != 0 || getrlimit(RLIMIT_CORE, &r) != 0 || r.rlim_max != 0)
        FAIL("RLIMIT_CORE 0 not stored");
    struct rlimit old, next = { 100, 200 };
    if (prlimit(0, RLIMIT_NPROC, &next, &old) != 0 || old.rlim_cur != RLIM_INFINITY
        || prlimit(0, RLIMIT_NPROC, NULL, &old) != 0 || old.rlim_cur != 100 || old.rlim_max != 200)
        FAIL("prlimit did not return the old RLIMIT_NPROC and store the new one");
    if (prlimit(2, RLIMIT_NOFILE, NULL, &old) != -1 || errno != ESRCH)
        FAIL("prlimit of another process did not fail with ESRCH");
    if (getrlimit(99, &r) != -1 || errno != EINVAL)
        FAIL("an unknown resource did not fail with EINVAL");
    printf("other limits ok\n");
    return 0;
}

// Uses `pages` pages of stack. Each frame is handed to the next call, so the compiler can turn
// neither the recursion into a loop nor the frame into nothing.
static __attribute__((noinline)) long deep(long pages, volatile char* caller)
{
    volatile char frame[4000];
    frame[0] = caller ? (char)(caller[0] + 1) : 0;
    if (pages <= 0)
        return 0;
    return deep(pages - 1, frame);
}

// libc-test's regression/malloc-oom with its t_memfill (src/common/mtest.c): the address space is
// filled with PROT_NONE mappings, brk is limited by RLIMIT_DATA 0, and then malloc must fail.
static int malloc_oom(void)
{
    size_t start = SIZE_MAX / 2 + 1;
    for (;;) {
        size_t n = start;
        for (size_t i = start; i >= 4096; i /= 2) {
            void* p = mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) {
                n -= i / 2;
            } else {
                munmap(p, n);
                if (n == i)
                    start = n;
                n += i / 2;
            }
        }
        n &= -4096;
        if (!n)
            break;
        if (mmap(NULL, n, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
            FAIL("mmap of %zu bytes failed", n);
    }
    if (set(RLIMIT_DATA, 0, RLIM_INFINITY) != 0)
        FAIL("setrlimit(RLIMIT_DATA) failed");
    void* (*volatile allocate)(size_t) = malloc; // The compiler may not assume success.
    while (allocate(1))
        ;
    errno = 0;
    if (allocate(50000) || errno != ENOMEM)
        FAIL("malloc succeeded or did not set ENOMEM (%s)", strerror(errno));
    printf("malloc-oom ok\n");
    return 0;
}

int main(int argc, char** argv)
{
    if (argc > 1 && !strcmp(argv[1], "malloc-oom"))
        return malloc_oom();
    if (argc > 2 && !strcmp(argv[1], "deep")) {
        long mib = atol(argv[2]);
        if (set(RLIMIT_STACK, (rlim_t)(mib + 1) << 20, RLIM_INFINITY) != 0)
            FAIL("raising RLIMIT_STACK failed");
        printf("deep %ld MiB: %ld\n", mib, deep(mib * 256, NULL));
        // Lowering it again keeps the pages in use, as a grown Linux stack does.
        if (set(RLIMIT_STACK, 1 << 20, RLIM_INFINITY) != 0)
            FAIL("lowering RLIMIT_STACK failed");
        printf("again %ld\n", deep(mib * 256, NULL));
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "deep-default")) {
        printf("recursing\n");
        fflush(stdout);
        return (int)deep(16 * 256, NULL);
    }
    if (argc > 1 && !strcmp(argv[1], "thread-stack")) {
        pthread_attr_t attr;
        size_t size = 0;
        pthread_getattr_default_np(&attr);
        pthread_attr_getstacksize(&attr, &size);
        printf("default thread stack %zu KiB\n", size >> 10);
        return 0;
    }
    if (check_nofile() || check_memory_limits() || check_other_limits())
        return 1;
    printf("limits ok\n");
    return 0;
}
