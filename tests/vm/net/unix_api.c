/* SPDX-License-Identifier: MIT */
/* The AF_UNIX sockets API broadly, printing every result (values, errno names, flags, poll
 * masks, addresses) so that compare_host.py can require the unikernel to print exactly what the
 * same program prints as a Linux process. Nothing printed may depend on the machine: names are
 * relative to a fresh directory, abstract names carry the pid but only their comparison is
 * printed, timing is printed as a yes/no against the requested timeout. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static const char* errno_name(int e)
{
    switch (e) {
#define N(x) case x: return #x;
    N(EPERM) N(ENOENT) N(ESRCH) N(EINTR) N(EBADF) N(EAGAIN) N(ENOMEM) N(EACCES) N(EFAULT) N(EEXIST)
    N(ENOTDIR) N(EISDIR) N(EINVAL) N(EMFILE) N(ENOTTY) N(ENOSPC) N(EPIPE) N(EDOM) N(ENAMETOOLONG)
    N(ENOSYS) N(ELOOP) N(ENOTSOCK) N(EDESTADDRREQ) N(EMSGSIZE) N(EPROTOTYPE) N(ENOPROTOOPT)
    N(EPROTONOSUPPORT) N(ESOCKTNOSUPPORT) N(EOPNOTSUPP) N(EAFNOSUPPORT) N(EADDRINUSE) N(ENOBUFS)
    N(EISCONN) N(ENOTCONN) N(ECONNREFUSED) N(ECONNRESET) N(ENXIO) N(ETIMEDOUT)
#undef N
    default: return "E?";
    }
}

/* Prints an expression's value, and errno's name when it is negative. */
#define T(expr)                                                                                  \
    do {                                                                                         \
        errno = 0;                                                                               \
        long r_ = (long)(expr);                                                                  \
        if (r_ < 0)                                                                              \
            printf("%s = %ld %s\n", #expr, r_, errno_name(errno));                               \
        else                                                                                     \
            printf("%s = %ld\n", #expr, r_);                                                     \
    } while (0)

static void check(int ok, const char* what)
{
    if (!ok) {
        printf("setup failed: %s (%s)\n", what, errno_name(errno));
        exit(1);
    }
}

static const char* poll_names(short e)
{
    static char buf[128];
    buf[0] = 0;
    if (e & POLLIN) strcat(buf, "IN ");
    if (e & POLLPRI) strcat(buf, "PRI ");
    if (e & POLLOUT) strcat(buf, "OUT ");
    if (e & POLLERR) strcat(buf, "ERR ");
    if (e & POLLHUP) strcat(buf, "HUP ");
    if (e & POLLNVAL) strcat(buf, "NVAL ");
    if (e & POLLRDHUP) strcat(buf, "RDHUP ");
    if (!buf[0]) strcat(buf, "none");
    return buf;
}

static void show_poll(const char* what, int fd)
{
    struct pollfd p = { fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0 };
    check(poll(&p, 1, 0) >= 0, "poll");
    printf("  poll %s: %s\n", what, poll_names(p.revents));
}

static void show_address(const char* what, const struct sockaddr_un* a, socklen_t length)
{
    printf("  %s: length %u", what, (unsigned)length);
    if (length >= 2)
        printf(" family %d", a->sun_family);
    if (length > 2 && a->sun_path[0])
        printf(" path \"%.*s\"", (int)(length - 2), a->sun_path);
    else if (length > 2)
        printf(" abstract (%u bytes)", (unsigned)(length - 2));
    printf("\n");
}

static void show_name(int fd)
{
    struct sockaddr_un a;
    socklen_t l = sizeof(a);
    memset(&a, 0, sizeof(a));
    if (getsockname(fd, (struct sockaddr*)&a, &l) < 0)
        printf("  getsockname: %s\n", errno_name(errno));
    else
        show_address("name", &a, l);
    l = sizeof(a);
    memset(&a, 0, sizeof(a));
    if (getpeername(fd, (struct sockaddr*)&a, &l) < 0)
        printf("  getpeername: %s\n", errno_name(errno));
    else
        show_address("peer", &a, l);
}

static socklen_t path_address(struct sockaddr_un* a, const char* path)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
}

static socklen_t abstract_address(struct sockaddr_un* a, const char* name)
{
    memset(a, 0, sizeof(*a));
    a->sun_family = AF_UNIX;
    /* The abstract namespace is shared by every process of a Linux host: the pid keeps it ours. */
    int n = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "uk-%d-%s", (int)getpid(), name);
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

static long fill(int fd, size_t chunk)
{
    static char buffer[1 << 17];
    long total = 0;
    for (;;) {
        ssize_t n = send(fd, buffer, chunk, MSG_DONTWAIT);
        if (n < 0) {
            if (errno != EAGAIN)
                printf("  fill: %s\n", errno_name(errno));
            return total;
        }
        total += n;
    }
}

static int g_sigpipes;
static void on_sigpipe(int s) { (void)s; ++g_sigpipes; }

static const char* type_name(int type)
{
    return type == SOCK_STREAM ? "stream" : type == SOCK_DGRAM ? "dgram" : "seqpacket";
}

static void creation(void)
{
    printf("== creation\n");
    T(socket(AF_UNIX, SOCK_STREAM, 2));
    T(socket(AF_UNIX, SOCK_RDM, 0));
    T(socket(AF_UNIX, 11, 0));
    T(socket(AF_UNIX, 0, 0));
    T(socket(46, SOCK_STREAM, 0));
    T(socket(-1, SOCK_STREAM, 0));
    T(socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
    T(socket(AF_UNIX, SOCK_PACKET, 0));
    int sv[2];
    T(socketpair(AF_UNIX, 12, 0, sv));
    T(socketpair(AF_UNIX, SOCK_STREAM, 5, sv));
    T(socketpair(AF_UNIX, SOCK_STREAM, 0, (int*)8));
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_RAW };
    for (int i = 0; i < 4; ++i) {
        int s = socket(AF_UNIX, types[i] | SOCK_NONBLOCK | SOCK_CLOEXEC, i == 3 ? 0 : PF_UNIX);
        check(s >= 0, "socket");
        int v[3];
        socklen_t l = sizeof(int);
        getsockopt(s, SOL_SOCKET, SO_TYPE, &v[0], &l);
        getsockopt(s, SOL_SOCKET, SO_DOMAIN, &v[1], &l);
        getsockopt(s, SOL_SOCKET, SO_PROTOCOL, &v[2], &l);
        printf("type %d: SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d nonblock %d cloexec %d\n", types[i], v[0], v[1], v[2],
            !!(fcntl(s, F_GETFL) & O_NONBLOCK), !!(fcntl(s, F_GETFD) & FD_CLOEXEC));
        struct stat st;
        check(fstat(s, &st) == 0, "fstat");
        printf("  fstat: socket %d mode %o\n", S_ISSOCK(st.st_mode), st.st_mode & 0777);
        show_poll("fresh", s);
        show_name(s);
        close(s);
    }
    T(shutdown(0 + 100, SHUT_RD));
    int p[2];
    check(pipe(p) == 0, "pipe");
    T(shutdown(p[0], SHUT_RD));
    T(send(p[1], "x", 1, 0));
    T(listen(p[0], 1));
    T(getsockopt(p[0], SOL_SOCKET, SO_TYPE, sv, (socklen_t[]) { 4 }));
    close(p[0]);
    close(p[1]);
}

static void pairs(void)
{
    printf("== socketpair\n");
    signal(SIGPIPE, on_sigpipe);
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int i = 0; i < 3; ++i) {
        int t = types[i];
        int sv[2];
        static char b[300000];
        printf("-- %s\n", type_name(t));
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        show_name(sv[0]);
        show_poll("connected", sv[0]);
        T(send(sv[0], "hello", 5, 0));
        T(send(sv[0], "", 0, 0));
        T(send(sv[0], "world!", 6, 0));
        show_poll("receiver", sv[1]);
        int n = -1;
        T(ioctl(sv[1], FIONREAD, &n));
        printf("  FIONREAD %d\n", n);
        T(ioctl(sv[0], TIOCOUTQ, &n));
        printf("  TIOCOUTQ %d\n", n);
        memset(b, 0, 64);
        T(recv(sv[1], b, 3, MSG_PEEK));
        printf("  peeked \"%s\"\n", b);
        memset(b, 0, 64);
        T(recv(sv[1], b, 3, 0));
        printf("  got \"%s\"\n", b);
        memset(b, 0, 64);
        T(recv(sv[1], b, 64, 0));
        printf("  got \"%s\"\n", b);
        memset(b, 0, 64);
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        printf("  got \"%s\"\n", b);
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        T(recv(sv[1], b, 2, MSG_TRUNC | MSG_DONTWAIT));
        T(send(sv[0], "abcdef", 6, 0));
        T(recv(sv[1], b, 2, MSG_TRUNC));
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        /* Half close. */
        T(shutdown(sv[0], SHUT_WR));
        show_poll("writer after SHUT_WR", sv[0]);
        show_poll("reader after peer SHUT_WR", sv[1]);
        g_sigpipes = 0;
        T(send(sv[0], "x", 1, 0));
        T(send(sv[0], "x", 1, MSG_NOSIGNAL));
        T(write(sv[0], "x", 1));
        printf("  SIGPIPEs %d\n", g_sigpipes);
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        T(send(sv[1], "back", 4, 0));
        T(recv(sv[0], b, 64, 0));
        T(shutdown(sv[0], 7));
        T(shutdown(sv[1], SHUT_RD));
        show_poll("after both", sv[1]);
        close(sv[0]);
        close(sv[1]);

        /* Closing with unread data resets a connection; closing without ends it. */
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        T(send(sv[0], "unread", 6, 0));
        T(send(sv[1], "for you", 7, 0));
        close(sv[1]);
        show_poll("peer closed with unread data", sv[0]);
        int error = -1;
        socklen_t l = sizeof(error);
        T(recv(sv[0], b, 64, MSG_DONTWAIT));
        T(recv(sv[0], b, 64, MSG_DONTWAIT));
        T(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &error, &l));
        printf("  SO_ERROR %s\n", error ? errno_name(error) : "0");
        g_sigpipes = 0;
        T(send(sv[0], "x", 1, 0));
        T(send(sv[0], "x", 1, 0));
        printf("  SIGPIPEs %d\n", g_sigpipes);
        show_name(sv[0]);
        close(sv[0]);
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        T(send(sv[0], "last", 4, 0));
        close(sv[0]);
        show_poll("peer closed", sv[1]);
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        T(recv(sv[1], b, 64, MSG_DONTWAIT));
        close(sv[1]);

        /* How much a non-blocking writer gets in, and when it may write again. */
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        printf("  fill 1: %ld\n", fill(sv[0], 1));
        close(sv[0]);
        close(sv[1]);
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        printf("  fill 1000: %ld\n", fill(sv[0], 1000));
        show_poll("full writer", sv[0]);
        T(ioctl(sv[1], FIONREAD, &n));
        printf("  FIONREAD %d\n", n);
        T(ioctl(sv[0], TIOCOUTQ, &n));
        printf("  TIOCOUTQ %d\n", n);
        int reads = 0;
        for (;;) {
            struct pollfd p = { sv[0], POLLOUT, 0 };
            poll(&p, 1, 0);
            if (p.revents & POLLOUT)
                break;
            check(recv(sv[1], b, 1000, 0) > 0, "drain");
            ++reads;
        }
        printf("  writable again after %d reads\n", reads);
        close(sv[0]);
        close(sv[1]);
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        printf("  fill 65536: %ld\n", fill(sv[0], 65536));
        close(sv[0]);
        close(sv[1]);
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        T(send(sv[0], b, 300000, MSG_DONTWAIT));
        T(send(sv[0], b, 212960, MSG_DONTWAIT));
        T(send(sv[0], b, 212961, MSG_DONTWAIT));
        int size = 10000;
        T(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)));
        l = sizeof(size);
        T(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, &l));
        printf("  SO_SNDBUF %d\n", size);
        close(sv[0]);
        close(sv[1]);
        check(socketpair(AF_UNIX, t, 0, sv) == 0, "socketpair");
        size = 10000;
        T(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size)));
        printf("  fill 100 with SO_SNDBUF 20000: %ld\n", fill(sv[0], 100));
        close(sv[0]);
        close(sv[1]);
    }
    signal(SIGPIPE, SIG_DFL);
}

static void names(void)
{
    printf("== bind\n");
    struct sockaddr_un a, b;
    socklen_t l;
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    check(s >= 0, "socket");
    l = path_address(&a, "one");
    T(bind(s, (struct sockaddr*)&a, 1));
    T(bind(s, (struct sockaddr*)&a, 2 + 108 + 1));
    T(bind(s, (struct sockaddr*)&a, -1));
    T(bind(s, (struct sockaddr*)&a, 0));
    T(bind(s, NULL, 5));
    a.sun_family = AF_INET;
    T(bind(s, (struct sockaddr*)&a, l));
    a.sun_family = AF_UNIX;
    T(bind(s, (struct sockaddr*)&a, l));
    T(bind(s, (struct sockaddr*)&a, l));
    struct stat st;
    T(stat("one", &st));
    printf("  stat: socket %d mode %o size %ld\n", S_ISSOCK(st.st_mode), st.st_mode & 0777, (long)st.st_size);
    T(open("one", O_RDONLY));
    show_name(s);
    int s2 = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(s2, (struct sockaddr*)&a, l));
    path_address(&b, "two");
    T(bind(s, (struct sockaddr*)&b, l));
    T(access("two", F_OK));
    T(bind(s2, (struct sockaddr*)&a, sizeof(a)));
    T(unlink("one"));
    T(bind(s2, (struct sockaddr*)&a, l));
    l = sizeof(b);
    T(getsockname(s, (struct sockaddr*)&b, &l));
    show_address("after unlink", &b, l);
    l = 4;
    memset(&b, 0, sizeof(b));
    T(getsockname(s2, (struct sockaddr*)&b, &l));
    printf("  truncated: length %u bytes %d %d %d %d\n", (unsigned)l, ((char*)&b)[0], ((char*)&b)[1], ((char*)&b)[2],
        ((char*)&b)[4]);
    l = (socklen_t)-1;
    T(getsockname(s2, (struct sockaddr*)&b, &l));
    T(getsockname(s2, (struct sockaddr*)&b, NULL));
    T(getsockname(s2, NULL, (socklen_t[]) { 4 }));
    close(s);
    close(s2);
    /* A sun_path of 108 bytes without a terminator. */
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    memset(&a, 0, sizeof(a));
    a.sun_family = AF_UNIX;
    memset(a.sun_path, 'p', sizeof(a.sun_path));
    T(bind(s, (struct sockaddr*)&a, sizeof(a)));
    l = sizeof(b) + 10;
    char big[200];
    T(getsockname(s, (struct sockaddr*)big, &l));
    printf("  108-byte path: length %u\n", (unsigned)l);
    close(s);
    /* Paths that do not resolve. */
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    l = path_address(&a, "missing/sock");
    T(bind(s, (struct sockaddr*)&a, l));
    l = path_address(&a, "file/sock");
    T(bind(s, (struct sockaddr*)&a, l));
    l = path_address(&a, "file");
    T(bind(s, (struct sockaddr*)&a, l));
    /* Abstract names. */
    l = abstract_address(&a, "abs");
    T(bind(s, (struct sockaddr*)&a, l));
    socklen_t bl = sizeof(b);
    T(getsockname(s, (struct sockaddr*)&b, &bl));
    printf("  abstract: same length %d same bytes %d\n", bl == l, memcmp(&a, &b, l) == 0);
    s2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(s2, (struct sockaddr*)&a, l));
    T(bind(s2, (struct sockaddr*)&a, l + 1));
    close(s2);
    close(s);
    /* Autobind: the family alone. */
    s = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(s, (struct sockaddr*)&a, 2));
    bl = sizeof(b);
    T(getsockname(s, (struct sockaddr*)&b, &bl));
    int hex = 1;
    for (int i = 1; i < 6; ++i)
        hex &= (b.sun_path[i] >= '0' && b.sun_path[i] <= '9') || (b.sun_path[i] >= 'a' && b.sun_path[i] <= 'f');
    printf("  autobind: length %u leading NUL %d hex %d\n", (unsigned)bl, b.sun_path[0] == 0, hex);
    T(bind(s, (struct sockaddr*)&a, 2));
    close(s);
}

static void* accept_later(void* arg)
{
    int listener = *(int*)arg;
    struct timespec t = { 0, 50 * 1000 * 1000 };
    nanosleep(&t, NULL);
    int c = accept(listener, NULL, NULL);
    return (void*)(long)c;
}

static void connections(void)
{
    printf("== listen, connect, accept\n");
    struct sockaddr_un a, p;
    socklen_t l = path_address(&a, "server"), pl;
    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr*)&a, l));
    T(listen(c, 5));
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    T(bind(s, (struct sockaddr*)&a, l));
    T(connect(c, (struct sockaddr*)&a, l));
    T(accept(s, NULL, NULL));
    T(listen(s, 0));
    int v = -1;
    socklen_t vl = sizeof(v);
    T(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
    printf("  SO_ACCEPTCONN %d\n", v);
    show_poll("listener", s);
    show_name(s);
    fcntl(s, F_SETFL, O_NONBLOCK);
    T(accept(s, NULL, NULL));
    T(accept4(s, NULL, NULL, SOCK_CLOEXEC));
    fcntl(s, F_SETFL, 0);
    /* backlog 0 holds one connection; non-blocking connects beyond get EAGAIN. */
    int clients[4];
    for (int i = 0; i < 4; ++i) {
        clients[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
        T(connect(clients[i], (struct sockaddr*)&a, l));
    }
    show_poll("listener with a connection", s);
    show_poll("connected client", clients[0]);
    show_name(clients[0]);
    T(send(clients[0], "early", 5, 0));
    T(connect(clients[0], (struct sockaddr*)&a, l));
    T(listen(s, 2));
    T(connect(clients[1], (struct sockaddr*)&a, l));
    T(connect(clients[2], (struct sockaddr*)&a, l));
    T(connect(clients[3], (struct sockaddr*)&a, l));
    pl = sizeof(p);
    int d = accept(s, (struct sockaddr*)&p, &pl);
    check(d >= 0, "accept");
    show_address("accepted peer", &p, pl);
    show_name(d);
    char b[16] = { 0 };
    T(recv(d, b, sizeof(b), 0));
    printf("  sent before accept: \"%s\"\n", b);
    struct ucred cred;
    socklen_t cl = sizeof(cred);
    T(getsockopt(d, SOL_SOCKET, SO_PEERCRED, &cred, &cl));
    printf("  SO_PEERCRED: pid ours %d uid ours %d gid ours %d length %u\n", cred.pid == getpid(), cred.uid == getuid(),
        cred.gid == getgid(), (unsigned)cl);
    cl = sizeof(cred);
    T(getsockopt(clients[0], SOL_SOCKET, SO_PEERCRED, &cred, &cl));
    printf("  client SO_PEERCRED: pid ours %d\n", cred.pid == getpid());
    int fresh = socket(AF_UNIX, SOCK_STREAM, 0);
    cl = sizeof(cred);
    T(getsockopt(fresh, SOL_SOCKET, SO_PEERCRED, &cred, &cl));
    printf("  unconnected SO_PEERCRED: pid %d uid %d gid %d\n", cred.pid, (int)cred.uid, (int)cred.gid);
    close(fresh);
    char name[200];
    socklen_t nl = 2;
    T(getsockopt(d, SOL_SOCKET, SO_PEERNAME, name, &nl));
    nl = 100;
    T(getsockopt(d, SOL_SOCKET, SO_PEERNAME, name, &nl));
    nl = 3;
    T(getsockopt(clients[0], SOL_SOCKET, SO_PEERNAME, name, &nl));
    nl = 100;
    T(getsockopt(s, SOL_SOCKET, SO_PEERNAME, name, &nl));
    close(d);
    /* The client whose connection was accepted and closed sees the end. */
    T(recv(clients[0], b, sizeof(b), 0));
    show_poll("client of a closed connection", clients[0]);
    /* A connection closed before accept is still accepted. */
    close(clients[1]);
    d = accept(s, NULL, NULL);
    check(d >= 0, "accept");
    T(recv(d, b, sizeof(b), MSG_DONTWAIT));
    close(d);
    /* Closing the listener resets the connections it did not accept. */
    close(s);
    show_poll("client of a closed listener", clients[2]);
    T(recv(clients[2], b, sizeof(b), 0));
    T(recv(clients[2], b, sizeof(b), 0));
    T(connect(clients[3], (struct sockaddr*)&a, l));
    for (int i = 0; i < 4; ++i)
        if (i != 1)
            close(clients[i]);
    close(c);
    /* The name outlives the socket: connecting finds nobody. */
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr*)&a, l));
    T(unlink("server"));
    T(connect(c, (struct sockaddr*)&a, l));
    T(connect(c, (struct sockaddr*)&a, 2));
    T(connect(c, (struct sockaddr*)&a, 0));
    l = path_address(&a, "file");
    T(connect(c, (struct sockaddr*)&a, l));
    l = path_address(&a, "file/x");
    T(connect(c, (struct sockaddr*)&a, l));
    /* Types must match; datagram sockets cannot listen or accept. */
    int g = socket(AF_UNIX, SOCK_DGRAM, 0);
    l = path_address(&a, "dgram");
    T(bind(g, (struct sockaddr*)&a, l));
    T(connect(c, (struct sockaddr*)&a, l));
    T(listen(g, 1));
    T(accept(g, NULL, NULL));
    close(g);
    int sp = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    T(connect(sp, (struct sockaddr*)&a, l));
    close(sp);
    close(c);
    /* A blocking accept is woken by a connect from another thread; a blocking connect to a full
     * backlog by an accept in another thread. */
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    l = abstract_address(&a, "blocking");
    T(bind(s, (struct sockaddr*)&a, l));
    T(listen(s, 0));
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    T(connect(c, (struct sockaddr*)&a, l));
    int c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    pthread_t thread;
    pthread_create(&thread, NULL, accept_later, &s);
    T(connect(c2, (struct sockaddr*)&a, l));
    void* accepted;
    pthread_join(thread, &accepted);
    printf("  accepted in the thread: %d\n", (long)accepted >= 0);
    close((int)(long)accepted);
    close(c);
    close(c2);
    close(s);
}

static void datagrams(void)
{
    printf("== datagrams\n");
    struct sockaddr_un a, b, from;
    socklen_t al = path_address(&a, "dg-a"), bl = path_address(&b, "dg-b"), fl;
    int x = socket(AF_UNIX, SOCK_DGRAM, 0), y = socket(AF_UNIX, SOCK_DGRAM, 0), z = socket(AF_UNIX, SOCK_DGRAM, 0);
    char buf[64];
    T(bind(x, (struct sockaddr*)&a, al));
    T(bind(y, (struct sockaddr*)&b, bl));
    T(sendto(z, "from z", 6, 0, (struct sockaddr*)&a, al));
    T(sendto(y, "from y", 6, 0, (struct sockaddr*)&a, al));
    T(send(z, "x", 1, 0));
    fl = sizeof(from);
    memset(&from, 0, sizeof(from));
    T(recvfrom(x, buf, sizeof(buf), 0, (struct sockaddr*)&from, &fl));
    show_address("from unnamed", &from, fl);
    fl = sizeof(from);
    T(recvfrom(x, buf, sizeof(buf), 0, (struct sockaddr*)&from, &fl));
    show_address("from named", &from, fl);
    T(sendto(z, "x", 1, 0, (struct sockaddr*)&a, 1));
    T(sendto(z, "x", 1, 0, (struct sockaddr*)&a, 200));
    T(sendto(z, "x", 1, 0, (struct sockaddr*)&a, 0));
    /* Connected: only the peer may send, and only to the peer without an address. */
    T(connect(x, (struct sockaddr*)&b, bl));
    T(sendto(z, "x", 1, 0, (struct sockaddr*)&a, al));
    T(connect(z, (struct sockaddr*)&a, al));
    T(send(x, "to y", 4, 0));
    T(sendto(x, "to y too", 8, 0, (struct sockaddr*)&b, bl));
    T(recv(y, buf, sizeof(buf), 0));
    T(recv(y, buf, sizeof(buf), 0));
    show_name(x);
    struct sockaddr unspec = { AF_UNSPEC };
    T(connect(x, &unspec, sizeof(unspec)));
    show_name(x);
    T(send(x, "x", 1, 0));
    /* A receive queue holds ten datagrams (net.unix.max_dgram_qlen) past which a sender that is
     * not connected back waits. */
    int sent = 0;
    while (sendto(z, "q", 1, MSG_DONTWAIT, (struct sockaddr*)&a, al) == 1)
        ++sent;
    printf("  queued %d, then %s\n", sent, errno_name(errno));
    T(connect(z, (struct sockaddr*)&a, al));
    show_poll("sender to a full queue", z);
    T(send(z, "q", 1, MSG_DONTWAIT));
    T(recv(x, buf, sizeof(buf), 0));
    show_poll("sender after one read", z);
    T(send(z, "q", 1, MSG_DONTWAIT));
    int n = -1;
    T(ioctl(x, FIONREAD, &n));
    printf("  FIONREAD %d\n", n);
    /* Message boundaries, MSG_TRUNC and MSG_PEEK. */
    while (recv(x, buf, sizeof(buf), MSG_DONTWAIT) >= 0) { }
    T(sendto(y, "0123456789", 10, 0, (struct sockaddr*)&a, al));
    T(recv(x, buf, 4, MSG_PEEK));
    T(recv(x, buf, 4, MSG_PEEK | MSG_TRUNC));
    T(recv(x, buf, 4, 0));
    T(recv(x, buf, 4, MSG_DONTWAIT));
    T(sendto(y, "", 0, 0, (struct sockaddr*)&a, al));
    show_poll("an empty datagram queued", x);
    T(recv(x, buf, 4, 0));
    static char big_message[212993];
    T(sendto(y, big_message, 212992, 0, (struct sockaddr*)&a, al));
    /* The peer closes. */
    T(connect(y, (struct sockaddr*)&a, al));
    close(x);
    T(send(y, "x", 1, 0));
    T(send(y, "x", 1, 0));
    show_name(y);
    T(recv(y, buf, 1, MSG_DONTWAIT));
    T(shutdown(y, SHUT_RD));
    T(recv(y, buf, 1, 0));
    T(shutdown(y, SHUT_WR));
    T(sendto(y, "x", 1, 0, (struct sockaddr*)&b, bl));
    close(y);
    close(z);
    unlink("dg-a");
    unlink("dg-b");
    /* A socket connected to itself. */
    x = socket(AF_UNIX, SOCK_DGRAM, 0);
    T(bind(x, (struct sockaddr*)&a, al));
    T(connect(x, (struct sockaddr*)&a, al));
    T(send(x, "me", 2, 0));
    T(recv(x, buf, sizeof(buf), 0));
    close(x);
    unlink("dg-a");
}

static void seqpackets(void)
{
    printf("== seqpacket\n");
    struct sockaddr_un a;
    socklen_t al = abstract_address(&a, "seq");
    int s = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    char buf[64];
    T(bind(s, (struct sockaddr*)&a, al));
    T(listen(s, 3));
    int c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    T(send(c, "x", 1, 0));
    T(recv(c, buf, 1, 0));
    T(connect(c, (struct sockaddr*)&a, al));
    T(send(c, "first", 5, 0));
    T(sendto(c, "second", 6, 0, (struct sockaddr*)&a, 1));
    int d = accept(s, NULL, NULL);
    check(d >= 0, "accept");
    T(recv(d, buf, 3, 0));
    T(recv(d, buf, sizeof(buf), 0));
    T(recv(d, buf, sizeof(buf), MSG_DONTWAIT));
    close(c);
    show_poll("peer closed", d);
    T(recv(d, buf, sizeof(buf), 0));
    T(recv(d, buf, sizeof(buf), MSG_DONTWAIT));
    T(send(d, "x", 1, 0));
    close(d);
    close(s);
}

static void messages(void)
{
    printf("== sendmsg, recvmsg\n");
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
    char a[] = "scatter", b[] = "-", c[] = "gather";
    struct iovec out[3] = { { a, 7 }, { b, 1 }, { c, 6 } };
    struct msghdr m;
    memset(&m, 0, sizeof(m));
    m.msg_iov = out;
    m.msg_iovlen = 3;
    T(sendmsg(sv[0], &m, 0));
    char r1[4], r2[20];
    struct iovec in[2] = { { r1, 4 }, { r2, 20 } };
    struct sockaddr_un from;
    memset(&m, 0, sizeof(m));
    m.msg_iov = in;
    m.msg_iovlen = 2;
    m.msg_name = &from;
    m.msg_namelen = sizeof(from);
    m.msg_flags = -1;
    long n = recvmsg(sv[1], &m, 0);
    printf("  recvmsg %ld: \"%.4s\" \"%.*s\" namelen %u flags %x controllen %lu\n", n, r1, (int)(n - 4), r2,
        (unsigned)m.msg_namelen, m.msg_flags, (unsigned long)m.msg_controllen);
    T(sendmsg(sv[0], &(struct msghdr) { .msg_iov = out, .msg_iovlen = 3 }, 0));
    memset(&m, 0, sizeof(m));
    m.msg_iov = in;
    m.msg_iovlen = 1;
    n = recvmsg(sv[1], &m, MSG_CMSG_CLOEXEC);
    printf("  short recvmsg %ld flags %x\n", n, m.msg_flags);
    /* readv and writev move one datagram. */
    T(writev(sv[0], out, 3));
    T(readv(sv[1], in, 2));
    m.msg_iovlen = 2000;
    T(sendmsg(sv[0], &m, 0));
    m.msg_iovlen = 1;
    struct iovec bad = { (void*)r1, (size_t)-1 };
    m.msg_iov = &bad;
    T(sendmsg(sv[0], &m, 0));
    T(sendmsg(sv[0], NULL, 0));
    T(recvmsg(sv[1], NULL, 0));
    m.msg_iov = in;
    m.msg_name = &from;
    m.msg_namelen = -1;
    T(recvmsg(sv[1], &m, MSG_DONTWAIT));
    close(sv[0]);
    close(sv[1]);

    printf("-- SCM_RIGHTS\n");
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int t = 0; t < 3; ++t) {
        printf("  %s\n", type_name(types[t]));
        check(socketpair(AF_UNIX, types[t], 0, sv) == 0, "socketpair");
        int p[2];
        check(pipe(p) == 0, "pipe");
        union {
            struct cmsghdr align;
            char buf[CMSG_SPACE(3 * sizeof(int))];
        } control;
        memset(&control, 0, sizeof(control));
        struct msghdr s;
        memset(&s, 0, sizeof(s));
        struct iovec one = { "F", 1 };
        s.msg_iov = &one;
        s.msg_iovlen = 1;
        s.msg_control = control.buf;
        s.msg_controllen = CMSG_SPACE(2 * sizeof(int));
        struct cmsghdr* h = CMSG_FIRSTHDR(&s);
        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(2 * sizeof(int));
        memcpy(CMSG_DATA(h), p, 2 * sizeof(int));
        T(sendmsg(sv[0], &s, 0));
        T(send(sv[0], "G", 1, 0));
        close(p[1]);
        /* Received descriptors are new numbers for the same pipe. */
        char data[8];
        struct iovec io = { data, sizeof(data) };
        char rc[CMSG_SPACE(3 * sizeof(int))];
        struct msghdr r;
        memset(&r, 0, sizeof(r));
        r.msg_iov = &io;
        r.msg_iovlen = 1;
        r.msg_control = rc;
        r.msg_controllen = sizeof(rc);
        n = recvmsg(sv[1], &r, MSG_PEEK);
        printf("  peek %ld flags %x controllen %lu\n", n, r.msg_flags, (unsigned long)r.msg_controllen);
        struct cmsghdr* got = CMSG_FIRSTHDR(&r);
        int fds[2] = { -1, -1 };
        if (got) {
            memcpy(fds, CMSG_DATA(got), sizeof(fds));
            close(fds[0]);
            close(fds[1]);
        }
        r.msg_controllen = sizeof(rc);
        n = recvmsg(sv[1], &r, MSG_CMSG_CLOEXEC);
        printf("  received %ld \"%.*s\" flags %x controllen %lu\n", n, (int)(n > 0 ? n : 0), data, r.msg_flags,
            (unsigned long)r.msg_controllen);
        got = CMSG_FIRSTHDR(&r);
        if (got) {
            printf("  cmsg level %d type %d len %lu\n", got->cmsg_level, got->cmsg_type, (unsigned long)got->cmsg_len);
            memcpy(fds, CMSG_DATA(got), sizeof(fds));
            printf("  cloexec %d %d\n", !!(fcntl(fds[0], F_GETFD) & FD_CLOEXEC), !!(fcntl(fds[1], F_GETFD) & FD_CLOEXEC));
            T(write(fds[1], "through", 7));
            close(fds[1]);
            T(read(p[0], data, sizeof(data)));
            T(read(fds[0], data, sizeof(data)));
            close(fds[0]);
        }
        n = recv(sv[1], data, sizeof(data), MSG_DONTWAIT);
        printf("  then %ld\n", n);
        close(p[0]);
        /* A control buffer too small for all descriptors, and none at all. */
        int q[2];
        check(pipe(q) == 0, "pipe");
        memcpy(CMSG_DATA(h), q, 2 * sizeof(int));
        T(sendmsg(sv[0], &s, 0));
        T(sendmsg(sv[0], &s, 0));
        r.msg_controllen = CMSG_LEN(sizeof(int));
        n = recvmsg(sv[1], &r, 0);
        printf("  small control: %ld flags %x controllen %lu\n", n, r.msg_flags, (unsigned long)r.msg_controllen);
        got = CMSG_FIRSTHDR(&r);
        if (got) {
            printf("  cmsg len %lu\n", (unsigned long)got->cmsg_len);
            close(*(int*)CMSG_DATA(got));
        }
        r.msg_control = NULL;
        r.msg_controllen = 0;
        n = recvmsg(sv[1], &r, 0);
        printf("  no control: %ld flags %x\n", n, r.msg_flags);
        close(q[0]);
        close(q[1]);
        /* Bad control messages. */
        int bad_fd[2] = { 900, 901 };
        memcpy(CMSG_DATA(h), bad_fd, sizeof(bad_fd));
        T(sendmsg(sv[0], &s, 0));
        h->cmsg_len = 8;
        T(sendmsg(sv[0], &s, 0));
        h->cmsg_len = CMSG_LEN(2 * sizeof(int)) + 100;
        T(sendmsg(sv[0], &s, 0));
        h->cmsg_len = CMSG_LEN(0);
        T(sendmsg(sv[0], &s, 0));
        h->cmsg_len = CMSG_LEN(2 * sizeof(int));
        h->cmsg_type = 99;
        T(sendmsg(sv[0], &s, 0));
        h->cmsg_level = 99;
        T(sendmsg(sv[0], &s, 0));
        while (recv(sv[1], data, sizeof(data), MSG_DONTWAIT) > 0) { }
        close(sv[0]);
        close(sv[1]);
    }

    printf("-- SCM_CREDENTIALS\n");
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
    int on = 1;
    T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
    socklen_t ol = sizeof(on);
    on = 0;
    T(getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, &ol));
    printf("  SO_PASSCRED %d\n", on);
    T(send(sv[0], "c", 1, 0));
    char data[8];
    struct iovec io = { data, sizeof(data) };
    char rc[64];
    struct msghdr r;
    memset(&r, 0, sizeof(r));
    r.msg_iov = &io;
    r.msg_iovlen = 1;
    r.msg_control = rc;
    r.msg_controllen = sizeof(rc);
    n = recvmsg(sv[1], &r, 0);
    struct cmsghdr* got = CMSG_FIRSTHDR(&r);
    printf("  %ld controllen %lu", n, (unsigned long)r.msg_controllen);
    if (got) {
        struct ucred cr;
        memcpy(&cr, CMSG_DATA(got), sizeof(cr));
        printf(" level %d type %d len %lu pid ours %d uid ours %d gid ours %d", got->cmsg_level, got->cmsg_type,
            (unsigned long)got->cmsg_len, cr.pid == getpid(), cr.uid == getuid(), cr.gid == getgid());
    }
    printf("\n");
    struct ucred mine = { getpid(), getuid(), getgid() };
    char sc[CMSG_SPACE(sizeof(struct ucred))];
    struct msghdr s;
    memset(&s, 0, sizeof(s));
    struct iovec one = { "d", 1 };
    s.msg_iov = &one;
    s.msg_iovlen = 1;
    s.msg_control = sc;
    s.msg_controllen = sizeof(sc);
    struct cmsghdr* h = CMSG_FIRSTHDR(&s);
    h->cmsg_level = SOL_SOCKET;
    h->cmsg_type = SCM_CREDENTIALS;
    h->cmsg_len = CMSG_LEN(sizeof(mine));
    memcpy(CMSG_DATA(h), &mine, sizeof(mine));
    T(sendmsg(sv[0], &s, 0));
    mine.pid = 0x3fffffff;
    memcpy(CMSG_DATA(h), &mine, sizeof(mine));
    T(sendmsg(sv[0], &s, 0));
    mine.pid = getpid();
    mine.uid = (uid_t)-1;
    memcpy(CMSG_DATA(h), &mine, sizeof(mine));
    T(sendmsg(sv[0], &s, 0));
    h->cmsg_len = CMSG_LEN(sizeof(mine)) - 1;
    T(sendmsg(sv[0], &s, 0));
    r.msg_controllen = 20;
    n = recvmsg(sv[1], &r, 0);
    printf("  small control: %ld flags %x controllen %lu\n", n, r.msg_flags, (unsigned long)r.msg_controllen);
    close(sv[0]);
    close(sv[1]);

    printf("-- sendmmsg, recvmmsg\n");
    check(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == 0, "socketpair");
    struct mmsghdr mv[4];
    struct iovec iv[4];
    char text[4][8] = { "one", "two", "three", "four" };
    memset(mv, 0, sizeof(mv));
    for (int i = 0; i < 4; ++i) {
        iv[i].iov_base = text[i];
        iv[i].iov_len = strlen(text[i]);
        mv[i].msg_hdr.msg_iov = &iv[i];
        mv[i].msg_hdr.msg_iovlen = 1;
    }
    T(sendmmsg(sv[0], mv, 4, 0));
    printf("  lengths %u %u %u %u\n", mv[0].msg_len, mv[1].msg_len, mv[2].msg_len, mv[3].msg_len);
    char back[4][8];
    memset(back, 0, sizeof(back));
    for (int i = 0; i < 4; ++i) {
        iv[i].iov_base = back[i];
        iv[i].iov_len = sizeof(back[i]);
        mv[i].msg_len = 0;
    }
    T(recvmmsg(sv[1], mv, 3, 0, NULL));
    printf("  got %s %s %s (%u %u %u)\n", back[0], back[1], back[2], mv[0].msg_len, mv[1].msg_len, mv[2].msg_len);
    T(recvmmsg(sv[1], mv, 4, MSG_WAITFORONE, NULL));
    printf("  got %s\n", back[0]);
    struct timespec zero = { 0, 0 };
    T(send(sv[0], "a", 1, 0));
    T(send(sv[0], "b", 1, 0));
    T(recvmmsg(sv[1], mv, 4, 0, &zero));
    printf("  zero timeout left %ld %ld\n", (long)zero.tv_sec, zero.tv_nsec);
    struct timespec wrong = { 0, 2000000000 };
    T(recvmmsg(sv[1], mv, 4, 0, &wrong));
    T(recvmmsg(sv[1], mv, 4, MSG_DONTWAIT, NULL));
    T(recvmmsg(sv[1], mv, 0, 0, NULL));
    close(sv[0]);
    close(sv[1]);
}

static double seconds_since(const struct timespec* t0)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static void options(void)
{
    printf("== options\n");
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    int names[] = { SO_DEBUG, SO_REUSEADDR, SO_TYPE, SO_ERROR, SO_DONTROUTE, SO_BROADCAST, SO_SNDBUF, SO_RCVBUF,
        SO_KEEPALIVE, SO_OOBINLINE, SO_NO_CHECK, SO_PRIORITY, SO_LINGER, SO_BSDCOMPAT, SO_REUSEPORT, SO_PASSCRED,
        SO_RCVLOWAT, SO_SNDLOWAT, SO_RCVTIMEO, SO_SNDTIMEO, SO_ACCEPTCONN, SO_PROTOCOL, SO_DOMAIN, 9999 };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); ++i) {
        long v[4] = { -1, -1, -1, -1 };
        socklen_t l = sizeof(v);
        errno = 0;
        int r = getsockopt(s, SOL_SOCKET, names[i], v, &l);
        printf("  get %d: %d %s length %u value %d\n", names[i], r, r ? errno_name(errno) : "", (unsigned)l,
            r ? 0 : *(int*)v);
    }
    int one = 1, zero = 0, v;
    socklen_t l;
    int flags[] = { SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE, SO_REUSEPORT };
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); ++i) {
        errno = 0;
        int r = setsockopt(s, SOL_SOCKET, flags[i], &one, sizeof(one));
        l = sizeof(v);
        getsockopt(s, SOL_SOCKET, flags[i], &v, &l);
        printf("  set %d: %d %s now %d\n", flags[i], r, r ? errno_name(errno) : "", v);
        setsockopt(s, SOL_SOCKET, flags[i], &zero, sizeof(zero));
    }
    int sizes[] = { 0, 1, 1000, 100000, -5 };
    for (size_t i = 0; i < 5; ++i) {
        setsockopt(s, SOL_SOCKET, SO_SNDBUF, &sizes[i], sizeof(int));
        setsockopt(s, SOL_SOCKET, SO_RCVBUF, &sizes[i], sizeof(int));
        int snd, rcv;
        l = sizeof(int);
        getsockopt(s, SOL_SOCKET, SO_SNDBUF, &snd, &l);
        getsockopt(s, SOL_SOCKET, SO_RCVBUF, &rcv, &l);
        if (sizes[i] == 100000 || sizes[i] == -5)
            printf("  buffers for %d: larger than 4608 %d %d\n", sizes[i], snd > 4608, rcv > 2304);
        else
            printf("  buffers for %d: %d %d\n", sizes[i], snd, rcv);
    }
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, 3));
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, -1));
    T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, NULL, 4));
    T(setsockopt(s, SOL_SOCKET, SO_TYPE, &one, sizeof(one)));
    T(setsockopt(s, SOL_SOCKET, SO_SNDLOWAT, &one, sizeof(one)));
    T(setsockopt(s, SOL_SOCKET, 9999, &one, sizeof(one)));
    T(setsockopt(s, 6, 1, &one, sizeof(one)));
    T(getsockopt(s, 6, 1, &v, &l));
    v = 5000;
    T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
    l = 2;
    v = 0;
    T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    printf("  2-byte SO_SNDBUF: length %u value %d\n", (unsigned)l, v);
    l = (socklen_t)-1;
    T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, &l));
    T(getsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, NULL));
    struct linger lg = { 1, 7 };
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
    T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4));
    memset(&lg, 0, sizeof(lg));
    l = sizeof(lg);
    T(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
    printf("  linger %d %d\n", lg.l_onoff, lg.l_linger);
    int lowat = 5;
    T(setsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof(lowat)));
    l = sizeof(lowat);
    T(getsockopt(s, SOL_SOCKET, SO_RCVLOWAT, &lowat, &l));
    printf("  SO_RCVLOWAT %d\n", lowat);
    /* Timeouts read back in the kernel's ticks; these values are whole ticks at any HZ. */
    struct timeval tv = { 1, 500000 };
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    memset(&tv, 0, sizeof(tv));
    l = sizeof(tv);
    T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
    printf("  SO_RCVTIMEO %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    tv.tv_usec = 1000000;
    T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    tv.tv_usec = -1;
    T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
    T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 8));
    tv.tv_sec = -3;
    tv.tv_usec = 0;
    T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
    l = sizeof(tv);
    T(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &l));
    printf("  negative SO_SNDTIMEO reads %ld.%06ld\n", (long)tv.tv_sec, (long)tv.tv_usec);
    close(s);

    /* A receive timeout ends a blocking recv with EAGAIN, no earlier than asked. */
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    tv.tv_sec = 0;
    tv.tv_usec = 200000;
    T(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char c;
    T(recv(sv[0], &c, 1, 0));
    printf("  waited at least 0.2 s: %d\n", seconds_since(&t0) >= 0.199);
    /* A negative timeout means "do not wait". */
    tv.tv_sec = -1;
    T(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
    T(recv(sv[0], &c, 1, 0));
    /* A send timeout on a full stream. */
    tv.tv_sec = 0;
    tv.tv_usec = 100000;
    T(setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
    fill(sv[1], 4096);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    T(send(sv[1], &c, 1, 0));
    printf("  send waited at least 0.1 s: %d\n", seconds_since(&t0) >= 0.099);
    /* SO_RCVLOWAT and MSG_WAITALL hold a read back until enough has come. */
    close(sv[0]);
    close(sv[1]);
    check(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0, "socketpair");
    T(send(sv[1], "12", 2, 0));
    T(send(sv[1], "345", 3, 0));
    char buf[16];
    T(recv(sv[0], buf, sizeof(buf), MSG_WAITALL | MSG_DONTWAIT));
    T(send(sv[1], "678", 3, 0));
    T(recv(sv[0], buf, 3, MSG_WAITALL));
    T(shutdown(sv[1], SHUT_WR));
    T(recv(sv[0], buf, sizeof(buf), MSG_WAITALL));
    close(sv[0]);
    close(sv[1]);
}

static void epoll_edges(void)
{
    printf("== epoll\n");
    int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET };
    for (int t = 0; t < 3; ++t) {
        int sv[2];
        check(socketpair(AF_UNIX, types[t] | SOCK_NONBLOCK, 0, sv) == 0, "socketpair");
        int ep = epoll_create1(0);
        struct epoll_event e = { EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, { .u32 = 0 } };
        check(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &e) == 0, "epoll_ctl");
        e.data.u32 = 1;
        check(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e) == 0, "epoll_ctl");
        struct epoll_event out[4];
        char buf[1024];
        printf("-- %s\n", type_name(types[t]));
#define WAIT(what)                                                                               \
    do {                                                                                         \
        int n_ = epoll_wait(ep, out, 4, 0);                                                      \
        printf("  %s:", what);                                                                   \
        for (int i_ = 0; i_ < n_; ++i_)                                                          \
            printf(" [%u %x]", out[i_].data.u32, out[i_].events);                                \
        printf("\n");                                                                            \
    } while (0)
        WAIT("start");
        WAIT("again");
        send(sv[0], "a", 1, 0);
        WAIT("one message");
        send(sv[0], "b", 1, 0);
        send(sv[0], "c", 1, 0);
        WAIT("two more");
        WAIT("nothing new");
        recv(sv[1], buf, sizeof(buf), 0);
        WAIT("after a read");
        while (recv(sv[1], buf, sizeof(buf), 0) > 0) { }
        WAIT("drained");
        long filled = fill(sv[0], 1000);
        printf("  filled %ld\n", filled);
        WAIT("full");
        int reads = 0;
        while (recv(sv[1], buf, 1000, 0) > 0) {
            ++reads;
            int n = epoll_wait(ep, out, 4, 0);
            for (int i = 0; i < n; ++i)
                if (out[i].data.u32 == 0 && (out[i].events & EPOLLOUT)) {
                    printf("  writable edge after %d reads\n", reads);
                    reads = -1000000;
                }
        }
        shutdown(sv[0], SHUT_WR);
        WAIT("shutdown");
        close(sv[0]);
        WAIT("closed");
        close(sv[1]);
        close(ep);
    }
}

/* One thread writes, another waits edge-triggered: every message is seen exactly once. */
struct relay {
    int fd;
    int count;
};

static void* writer(void* arg)
{
    struct relay* r = arg;
    for (int i = 0; i < r->count; ++i) {
        char m[16];
        int n = snprintf(m, sizeof(m), "m%d", i);
        check(send(r->fd, m, (size_t)n, 0) == n, "send");
        if (i % 7 == 0)
            sched_yield();
    }
    close(r->fd);
    return NULL;
}

static void threads(void)
{
    printf("== threads\n");
    int sv[2];
    check(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0, "socketpair");
    fcntl(sv[1], F_SETFL, O_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN | EPOLLRDHUP | EPOLLET, { .u32 = 9 } };
    check(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &e) == 0, "epoll_ctl");
    struct relay r = { sv[0], 500 };
    pthread_t t;
    pthread_create(&t, NULL, writer, &r);
    int received = 0, in_order = 1, hangup = 0;
    while (!hangup) {
        struct epoll_event out;
        if (epoll_wait(ep, &out, 1, -1) != 1)
            continue;
        if (out.events & EPOLLRDHUP)
            hangup = 1;
        for (;;) {
            char m[16];
            ssize_t n = recv(sv[1], m, sizeof(m) - 1, 0);
            if (n <= 0)
                break;
            m[n] = 0;
            in_order &= atoi(m + 1) == received;
            ++received;
        }
    }
    pthread_join(t, NULL);
    printf("  received %d in order %d\n", received, in_order);
    close(sv[1]);
    close(ep);
}

int main(void)
{
    char dir[] = "/tmp/uk-unix-XXXXXX";
    check(mkdtemp(dir) != NULL, "mkdtemp");
    check(chdir(dir) == 0, "chdir");
    int f = open("file", O_CREAT | O_WRONLY, 0644);
    check(f >= 0, "open");
    close(f);
    umask(022);
    creation();
    pairs();
    names();
    connections();
    datagrams();
    seqpackets();
    messages();
    options();
    epoll_edges();
    threads();
    unlink("file");
    unlink("two");
    unlink("dgram");
    unlink("one");
    char path[sizeof(struct sockaddr_un)];
    memset(path, 'p', 108);
    path[108] = 0;
    unlink(path);
    check(chdir("/") == 0, "chdir");
    check(rmdir(dir) == 0, "rmdir");
    printf("done\n");
    return 0;
}
