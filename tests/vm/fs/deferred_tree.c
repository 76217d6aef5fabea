/* SPDX-License-Identifier: MIT */
/* Without an archive the standard tree (/dev, /etc, /proc, /tmp) is built on the first use of a
 * path, after boot (fs/init.cpp): it must look as if it had been built at boot. So this program
 * changes what the tree would copy before it looks at any path (the umask, the host name, the
 * time passes), then checks /etc/hostname still names the boot host, /tmp and /dev/null keep their
 * modes, and every file made for the tree is dated no later than the start of main. Expects the
 * boot host name as argv[1]. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

int main(int argc, char** argv)
{
    const char* boot_name = argc > 1 ? argv[1] : "uksdk";
    struct timespec at_main;
    clock_gettime(CLOCK_REALTIME, &at_main);
    umask(077);
    CHECK_OK(sethostname("renamed", 7));
    /* Past the next whole second, so a timestamp taken now cannot pass for one from boot. */
    struct timespec pause = { 1, 100 * 1000 * 1000 };
    nanosleep(&pause, NULL);

    char text[64] = { 0 };
    int fd = open("/etc/hostname", O_RDONLY);
    CHECK(fd >= 0);
    CHECK(read(fd, text, sizeof text - 1) > 0);
    close(fd);
    char expected[64];
    snprintf(expected, sizeof expected, "%s\n", boot_name);
    CHECK(strcmp(text, expected) == 0);

    struct stat st;
    CHECK_OK(stat("/tmp", &st));
    CHECK((st.st_mode & 07777) == 01777);
    CHECK_OK(stat("/var/tmp", &st));
    CHECK((st.st_mode & 07777) == 01777);
    CHECK_OK(stat("/dev/null", &st));
    CHECK(S_ISCHR(st.st_mode) && (st.st_mode & 0777) == 0666);
    const char* dated[] = { "/etc/hostname", "/etc/passwd", "/tmp", "/dev/null", "/proc/self/exe" };
    for (size_t i = 0; i < sizeof dated / sizeof dated[0]; ++i) {
        CHECK_OK(lstat(dated[i], &st));
        if (st.st_mtim.tv_sec > at_main.tv_sec) {
            printf("FAIL %s is dated %ld, after main started at %ld\n", dated[i], (long)st.st_mtim.tv_sec,
                (long)at_main.tv_sec);
            ++g_failures;
        }
    }

    /* What the program makes now has the umask it set, and the present time. */
    CHECK_OK(mkdir("/tmp/made", 0777));
    CHECK_OK(stat("/tmp/made", &st));
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(st.st_mtim.tv_sec > at_main.tv_sec);
    char name[64];
    CHECK_OK(gethostname(name, sizeof name));
    CHECK(strcmp(name, "renamed") == 0);
    return finish("deferred tree");
}
