/* SPDX-License-Identifier: MIT */
/* The files a Linux program expects: /dev (null, zero, full, urandom, random, tty, console,
 * stdout), /etc (hostname, hosts, passwd, group through getpwuid/getgrgid/gethostname),
 * /proc (self/exe, meminfo, cpuinfo), /tmp. Expects the hostname as argv[1]. */
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "check.h"

static long meminfo(const char* key)
{
    FILE* f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    char line[128];
    long value = -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, key, strlen(key)) && line[strlen(key)] == ':')
            value = atol(line + strlen(key) + 1);
    fclose(f);
    return value;
}

int main(int argc, char** argv)
{
    const char* hostname = argc > 1 ? argv[1] : "uksdk";
    char buf[4096];
    int fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0 && read(fd, buf, 10) == 0 && write(fd, "gone", 4) == 4);
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 1, 64);
    CHECK(fd >= 0 && read(fd, buf, 64) == 64);
    for (int i = 0; i < 64; ++i)
        CHECK(buf[i] == 0);
    close(fd);
    fd = open("/dev/full", O_WRONLY);
    CHECK_ERRNO(write(fd, "x", 1), ENOSPC);
    close(fd);
    unsigned char a[32], b[32];
    fd = open("/dev/urandom", O_RDONLY);
    CHECK(read(fd, a, 32) == 32 && read(fd, b, 32) == 32 && memcmp(a, b, 32) != 0);
    int zeros = 0;
    for (int i = 0; i < 32; ++i)
        zeros += a[i] == 0;
    CHECK(zeros < 8);
    close(fd);
    FILE* f = fopen("/dev/random", "rb");
    CHECK(f && fread(a, 1, 16, f) == 16);
    fclose(f);
    struct stat st;
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    CHECK(stat("/dev/urandom", &st) == 0 && st.st_rdev == makedev(1, 9));
    CHECK(stat("/dev/tty", &st) == 0 && S_ISCHR(st.st_mode));
    CHECK(stat("/dev/console", &st) == 0 && S_ISCHR(st.st_mode));
    fd = open("/dev/stderr", O_WRONLY);
    CHECK(fd >= 0 && write(fd, "via /dev/stderr\n", 16) == 16);
    close(fd);

    char name[256] = { 0 };
    CHECK(gethostname(name, sizeof name) == 0 && !strcmp(name, hostname));
    f = fopen("/etc/hostname", "r");
    CHECK(f && fgets(buf, sizeof buf, f) && !strncmp(buf, hostname, strlen(hostname)));
    fclose(f);
    f = fopen("/etc/hosts", "r");
    int localhost = 0;
    while (f && fgets(buf, sizeof buf, f))
        localhost |= strstr(buf, "localhost") != NULL;
    CHECK(localhost);
    fclose(f);
    struct passwd* pw = getpwuid(0);
    CHECK(pw && !strcmp(pw->pw_name, "root") && !strcmp(pw->pw_dir, "/root"));
    CHECK(getpwnam("root") != NULL);
    struct group* gr = getgrgid(0);
    CHECK(gr && !strcmp(gr->gr_name, "root"));
    CHECK(stat("/root", &st) == 0 && S_ISDIR(st.st_mode));
    CHECK(stat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 01777);

    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    CHECK(n > 1 && buf[0] == '/');
    long total = meminfo("MemTotal"), free_kb = meminfo("MemFree"), available = meminfo("MemAvailable");
    struct sysinfo si;
    CHECK(sysinfo(&si) == 0);
    CHECK(total > 0 && total == (long)(si.totalram * si.mem_unit / 1024));
    CHECK(free_kb > 0 && free_kb <= total && available > 0 && available <= total);
    /* A 4 MiB file shows in the numbers: available memory drops by about that much. */
    fd = open("/tmp/ballast", O_WRONLY | O_CREAT, 0644);
    static char mib[1 << 20];
    for (int i = 0; i < 4; ++i)
        CHECK(write(fd, mib, sizeof mib) == sizeof mib);
    close(fd);
    long after = meminfo("MemAvailable");
    CHECK(available - after >= 4000 && available - after < 6000);
    unlink("/tmp/ballast");
    f = fopen("/proc/cpuinfo", "r");
    int processors = 0, model = 0;
    while (f && fgets(buf, sizeof buf, f)) {
        processors += !strncmp(buf, "processor", 9);
        model += !strncmp(buf, "model name", 10);
    }
    fclose(f);
    CHECK(processors >= 1 && model >= 1);
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
    return finish("system");
}
