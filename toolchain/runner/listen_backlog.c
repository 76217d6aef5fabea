// SPDX-License-Identifier: MIT
// A library uk-run preloads into QEMU (LD_PRELOAD): QEMU 7.2's user networking (libslirp) listens
// on every published port with a backlog of 1, so a burst of clients connecting at once overflows
// the host's accept queue and their SYNs wait for retransmission (1, 3, 7 s...). Raising the
// backlog of QEMU's listening sockets is all this does; every other call goes to the C library.
#define _GNU_SOURCE
#include <dlfcn.h>
#include <sys/socket.h>

enum { k_minimum_backlog = 4096 };

int listen(int fd, int backlog)
{
    static int (*real_listen)(int, int);
    if (!real_listen)
        real_listen = (int (*)(int, int))dlsym(RTLD_NEXT, "listen");
    if (backlog < k_minimum_backlog)
        backlog = k_minimum_backlog;
    return real_listen(fd, backlog);
}
