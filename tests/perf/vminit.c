// SPDX-License-Identifier: MIT
// /init of the Linux VM baseline (static, musl-gcc): mounts /dev, /proc and /tmp, loads the
// virtio network modules and configures eth0 like QEMU user networking expects (when the kernel
// command line has ukbnet=1; ukbip=ADDRESS for a tap), runs the program given after "--" on the
// kernel command line, and powers the VM off through isa-debug-exit with the program's exit status, as a uksdk image does.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void power_off(int status)
{
    tcdrain(1); // Every byte on the serial line before the VM goes.
    tcdrain(2);
    if (ioperm(0xf4, 4, 1) == 0)
        outl((unsigned)status, 0xf4); // QEMU exits with (status << 1) | 1.
    fprintf(stderr, "vminit: isa-debug-exit failed: %s\n", strerror(errno));
    _exit(status);
}

// Modules listed one per line in /modules.order. Debian's package ships no modules.dep (depmod
// makes it at install), so the list is loaded in passes: a module whose symbols are not there yet
// (ENOENT) is tried again after the others, until a pass loads nothing more.
static void load_modules(void)
{
    FILE* list = fopen("/modules.order", "r");
    if (!list)
        return;
    char names[32][128];
    int count = 0;
    while (count < 32 && fgets(names[count], sizeof names[count], list)) {
        names[count][strcspn(names[count], "\n")] = 0;
        ++count;
    }
    fclose(list);
    int loaded[32] = { 0 };
    for (int progress = 1; progress;) {
        progress = 0;
        for (int i = 0; i < count; ++i) {
            if (loaded[i])
                continue;
            int fd = open(names[i], O_RDONLY | O_CLOEXEC);
            if (fd >= 0 && (syscall(SYS_finit_module, fd, "", 0) == 0 || errno == EEXIST))
                loaded[i] = progress = 1;
            if (fd >= 0)
                close(fd);
        }
    }
    for (int i = 0; i < count; ++i)
        if (!loaded[i])
            fprintf(stderr, "vminit: module %s did not load\n", names[i]);
}

static void interface_up(int s, const char* name, const char* address, const char* mask)
{
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strncpy(r.ifr_name, name, IFNAMSIZ - 1);
    if (address) {
        struct sockaddr_in* a = (struct sockaddr_in*)&r.ifr_addr;
        a->sin_family = AF_INET;
        inet_pton(AF_INET, address, &a->sin_addr);
        if (ioctl(s, SIOCSIFADDR, &r) != 0)
            fprintf(stderr, "vminit: %s address: %s\n", name, strerror(errno));
        inet_pton(AF_INET, mask, &a->sin_addr);
        if (ioctl(s, SIOCSIFNETMASK, &r) != 0)
            fprintf(stderr, "vminit: %s netmask: %s\n", name, strerror(errno));
    }
    if (ioctl(s, SIOCGIFFLAGS, &r) == 0) {
        r.ifr_flags |= IFF_UP | IFF_RUNNING;
        if (ioctl(s, SIOCSIFFLAGS, &r) != 0)
            fprintf(stderr, "vminit: %s up: %s\n", name, strerror(errno));
    } else {
        fprintf(stderr, "vminit: no interface %s: %s\n", name, strerror(errno));
    }
}

int main(int argc, char** argv)
{
    mkdir("/dev", 0755);
    mkdir("/proc", 0755);
    mkdir("/tmp", 01777);
    mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
    mount("proc", "/proc", "proc", 0, NULL);
    mount("tmpfs", "/tmp", "tmpfs", 0, NULL);
    const char* net = getenv("ukbnet");
    if (net && !strcmp(net, "1")) {
        load_modules();
        int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        interface_up(s, "lo", NULL, NULL);
        // QEMU user networking: the guest is 10.0.2.15/24, forwarded connections come from
        // 10.0.2.2. On a tap, ukbip= (kernel command line) gives the address, also in a /24.
        const char* address = getenv("ukbip");
        interface_up(s, "eth0", address ? address : "10.0.2.15", "255.255.255.0");
        close(s);
    }
    if (argc < 2) {
        fprintf(stderr, "vminit: no program after -- on the kernel command line\n");
        power_off(125);
    }
    pid_t child = fork();
    if (child == 0) {
        execv(argv[1], argv + 1);
        fprintf(stderr, "vminit: %s: %s\n", argv[1], strerror(errno));
        _exit(127);
    }
    int status = 0;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    power_off(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}
