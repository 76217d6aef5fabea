// An unsupported system call returns ENOSYS and is logged once, not per call.
#include <errno.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
    for (int i = 0; i < 3; ++i) {
        errno = 0;
        long r = syscall(SYS_io_uring_setup, 1, 0);
        if (r != -1 || errno != ENOSYS) {
            printf("io_uring_setup returned %ld errno %d\n", r, errno);
            return 1;
        }
    }
    printf("ENOSYS ok\n");
    return 0;
}
