// SPDX-License-Identifier: MIT
// The sockets API over loopback, printed line by line so that the same program as a Linux process
// and as a unikernel can be compared (tests/vm/compare_host.py): results and errno names only,
// never port numbers, buffer sizes or timings, which differ between any two machines.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static const char* errno_name(int e)
{
    switch (e) {
    case 0: return "0";
    case EPERM: return "EPERM";
    case EINTR: return "EINTR";
    case EBADF: return "EBADF";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case EPIPE: return "EPIPE";
    case ENOTSOCK: return "ENOTSOCK";
    case EDESTADDRREQ: return "EDESTADDRREQ";
    case EMSGSIZE: return "EMSGSIZE";
    case EPROTOTYPE: return "EPROTOTYPE";
    case ENOPROTOOPT: return "ENOPROTOOPT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EADDRINUSE: return "EADDRINUSE";
    case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
    case ENETUNREACH: return "ENETUNREACH";
    case ECONNABORTED: return "ECONNABORTED";
    case ECONNRESET: return "ECONNRESET";
    case ENOBUFS: return "ENOBUFS";
    case EISCONN: return "EISCONN";
    case ENOTCONN: return "ENOTCONN";
    case ETIMEDOUT: return "ETIMEDOUT";
    case ECONNREFUSED: return "ECONNREFUSED";
    case EALREADY: return "EALREADY";
    case EINPROGRESS: return "EINPROGRESS";
    case EDOM: return "EDOM";
    case ENODEV: return "ENODEV";
    default: {
        static char buf[32];
        snprintf(buf, sizeof buf, "errno%d", e);
        return buf;
    }
    }
}

// "name: result" where result is the return value for >= 0, else the errno name.
static long show(const char* name, long r)
{
    if (r < 0)
        printf("%s: -1 %s\n", name, errno_name(errno));
    else
        printf("%s: %ld\n", name, r);
    return r;
}

static void check(int ok, const char* what)
{
    printf("%s: %s\n", what, ok ? "yes" : "no");
}

static struct sockaddr_in v4(const char* address, int port)
{
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    inet_pton(AF_INET, address, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 v6(const char* address, int port)
{
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(port);
    inet_pton(AF_INET6, address, &a.sin6_addr);
    return a;
}

static int port_of(int fd)
{
    struct sockaddr_storage s;
    socklen_t n = sizeof s;
    if (getsockname(fd, (struct sockaddr*)&s, &n) < 0)
        return -1;
    return ntohs(s.ss_family == AF_INET ? ((struct sockaddr_in*)&s)->sin_port : ((struct sockaddr_in6*)&s)->sin6_port);
}

static int get_int(int fd, int level, int name)
{
    int v = -1;
    socklen_t n = sizeof v;
    if (getsockopt(fd, level, name, &v, &n) < 0)
        return -errno;
    return v;
}

static short poll_one(int fd, short events, int timeout)
{
    struct pollfd p = { fd, events, 0 };
    int r = poll(&p, 1, timeout);
    return r <= 0 ? 0 : p.revents;
}

static void show_poll(const char* name, int fd)
{
    printf("%s: 0x%x\n", name, poll_one(fd, POLLIN | POLLOUT | POLLRDHUP | POLLPRI, 0));
}

static const char* text_of(const struct sockaddr* s)
{
    static char buf[64];
    if (s->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in*)s)->sin_addr, buf, sizeof buf);
    else if (s->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6*)s)->sin6_addr, buf, sizeof buf);
    else
        snprintf(buf, sizeof buf, "family %d", s->sa_family);
    return buf;
}

// A connected pair over loopback (blocking), through a listener on `listener`.
static void connect_pair(int listener, int family, int* client, int* server)
{
    *client = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage to;
    socklen_t n = sizeof to;
    getsockname(listener, (struct sockaddr*)&to, &n);
    if (family == AF_INET6 && to.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&((struct sockaddr_in6*)&to)->sin6_addr))
        ((struct sockaddr_in6*)&to)->sin6_addr = in6addr_loopback;
    if (connect(*client, (struct sockaddr*)&to, n) < 0)
        printf("connect_pair: connect failed: %s\n", errno_name(errno));
    *server = accept(listener, NULL, NULL);
}

static int listener_on(int family, const char* address)
{
    int l = socket(family, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (family == AF_INET) {
        struct sockaddr_in a = v4(address, 0);
        bind(l, (struct sockaddr*)&a, sizeof a);
    } else {
        struct sockaddr_in6 a = v6(address, 0);
        bind(l, (struct sockaddr*)&a, sizeof a);
    }
    listen(l, 16);
    return l;
}

static int sigpipes;
static void on_sigpipe(int signal)
{
    (void)signal;
    ++sigpipes;
}

static long elapsed_ms(const struct timespec* start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

static void creation(void)
{
    puts("== creation");
    show("socket(INET, STREAM, UDP)", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
    show("socket(INET, DGRAM, TCP)", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
    show("socket(INET, SEQPACKET)", socket(AF_INET, SOCK_SEQPACKET, 0));
    show("socket(INET6, STREAM, 99)", socket(AF_INET6, SOCK_STREAM, 99));
    int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    check(s >= 0, "socket(INET, STREAM|NONBLOCK|CLOEXEC)");
    check((fcntl(s, F_GETFL) & O_NONBLOCK) != 0, "O_NONBLOCK set");
    check((fcntl(s, F_GETFD) & FD_CLOEXEC) != 0, "FD_CLOEXEC set");
    printf("SO_TYPE %d SO_DOMAIN %d SO_PROTOCOL %d SO_ACCEPTCONN %d SO_ERROR %d\n", get_int(s, SOL_SOCKET, SO_TYPE),
        get_int(s, SOL_SOCKET, SO_DOMAIN), get_int(s, SOL_SOCKET, SO_PROTOCOL), get_int(s, SOL_SOCKET, SO_ACCEPTCONN),
        get_int(s, SOL_SOCKET, SO_ERROR));
    show_poll("fresh TCP poll", s);
    struct sockaddr_in a;
    socklen_t n = sizeof a;
    show("getsockname unbound", getsockname(s, (struct sockaddr*)&a, &n));
    printf("unbound name: %s port %d len %u\n", text_of((struct sockaddr*)&a), ntohs(a.sin_port), n);
    show("getpeername unbound", getpeername(s, (struct sockaddr*)&a, &n));
    show("send unconnected", send(s, "x", 1, MSG_NOSIGNAL));
    show("recv unconnected", recv(s, &a, 1, 0));
    show("shutdown unconnected", shutdown(s, SHUT_RDWR));
    show_poll("poll after shutdown", s);
    close(s);
    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    show_poll("fresh UDP poll", u);
    printf("UDP SO_TYPE %d SO_PROTOCOL %d IPV6_V6ONLY %d\n", get_int(u, SOL_SOCKET, SO_TYPE),
        get_int(u, SOL_SOCKET, SO_PROTOCOL), get_int(u, IPPROTO_IPV6, IPV6_V6ONLY));
    close(u);
    int t = socket(AF_INET, SOCK_STREAM, 0);
    printf("IPV6_V6ONLY on INET: %d\n", get_int(t, IPPROTO_IPV6, IPV6_V6ONLY));
    close(t);
}

static void binding(void)
{
    puts("== bind");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    show("bind short length", bind(s, (struct sockaddr*)&a, sizeof a - 1));
    struct sockaddr_in6 six = v6("::1", 0);
    show("bind INET6 address to INET socket", bind(s, (struct sockaddr*)&six, sizeof six));
    struct sockaddr_in remote = v4("192.0.2.1", 0);
    show("bind non-local address", bind(s, (struct sockaddr*)&remote, sizeof remote));
    show("bind 127.0.0.1:0", bind(s, (struct sockaddr*)&a, sizeof a));
    check(port_of(s) > 0, "port assigned");
    show("bind again", bind(s, (struct sockaddr*)&a, sizeof a));
    int t = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in same = v4("127.0.0.1", port_of(s));
    show("bind same port", bind(t, (struct sockaddr*)&same, sizeof same));
    struct sockaddr_in any = v4("0.0.0.0", port_of(s));
    show("bind same port on 0.0.0.0", bind(t, (struct sockaddr*)&any, sizeof any));
    close(t);
    // Both with SO_REUSEADDR, neither listening: allowed; then listening on one makes the other's
    // listen fail.
    int one = 1;
    int r1 = socket(AF_INET, SOCK_STREAM, 0), r2 = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(r1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    setsockopt(r2, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in lo = v4("127.0.0.1", 0);
    bind(r1, (struct sockaddr*)&lo, sizeof lo);
    struct sockaddr_in lo_same = v4("127.0.0.1", port_of(r1));
    show("REUSEADDR bind same port", bind(r2, (struct sockaddr*)&lo_same, sizeof lo_same));
    show("listen first", listen(r1, 4));
    show("listen second", listen(r2, 4));
    int r3 = socket(AF_INET, SOCK_STREAM, 0);
    setsockopt(r3, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    show("REUSEADDR bind next to a listener", bind(r3, (struct sockaddr*)&lo_same, sizeof lo_same));
    close(r1);
    close(r2);
    close(r3);
    close(s);
    // An AF_INET6 socket bound to :: takes the IPv4 port too (dual stack), unless IPV6_V6ONLY.
    int d = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any6 = v6("::", 0);
    show("bind [::]:0", bind(d, (struct sockaddr*)&any6, sizeof any6));
    int v = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in clash = v4("127.0.0.1", port_of(d));
    show("bind 127.0.0.1 on a dual-stack port", bind(v, (struct sockaddr*)&clash, sizeof clash));
    show("IPV6_V6ONLY after bind", setsockopt(d, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    close(v);
    close(d);
    int m = socket(AF_INET6, SOCK_STREAM, 0);
    setsockopt(m, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", 0);
    show("bind mapped address on v6only", bind(m, (struct sockaddr*)&mapped, sizeof mapped));
    close(m);
}

static void connecting(void)
{
    puts("== connect");
    // A port with nothing listening: bind and close a socket to find one.
    int probe = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    bind(probe, (struct sockaddr*)&a, sizeof a);
    struct sockaddr_in closed = v4("127.0.0.1", port_of(probe));
    close(probe);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    show("connect to a closed port", connect(c, (struct sockaddr*)&closed, sizeof closed));
    printf("SO_ERROR after refusal: %s\n", errno_name(get_int(c, SOL_SOCKET, SO_ERROR)));
    show_poll("poll after refusal", c);
    show("connect again after refusal", connect(c, (struct sockaddr*)&closed, sizeof closed));
    close(c);

    int nb = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    show("non-blocking connect to a closed port", connect(nb, (struct sockaddr*)&closed, sizeof closed));
    poll_one(nb, POLLOUT, 5000);
    show_poll("poll after non-blocking refusal", nb);
    printf("SO_ERROR: %s\n", errno_name(get_int(nb, SOL_SOCKET, SO_ERROR)));
    printf("SO_ERROR again: %s\n", errno_name(get_int(nb, SOL_SOCKET, SO_ERROR)));
    show("connect after SO_ERROR was read", connect(nb, (struct sockaddr*)&closed, sizeof closed));
    close(nb);

    int l = listener_on(AF_INET, "127.0.0.1");
    printf("SO_ACCEPTCONN: %d\n", get_int(l, SOL_SOCKET, SO_ACCEPTCONN));
    show_poll("listener poll, nothing pending", l);
    struct sockaddr_in to = v4("127.0.0.1", port_of(l));
    int n = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int r = connect(n, (struct sockaddr*)&to, sizeof to);
    printf("non-blocking connect: %s\n", r == 0 ? "0" : errno_name(errno));
    check((poll_one(n, POLLOUT, 5000) & POLLOUT) != 0, "POLLOUT once connected");
    printf("SO_ERROR: %s\n", errno_name(get_int(n, SOL_SOCKET, SO_ERROR)));
    show("connect once connected", connect(n, (struct sockaddr*)&to, sizeof to));
    show("connect again", connect(n, (struct sockaddr*)&to, sizeof to));
    show_poll("listener poll, one pending", l);
    struct sockaddr_in peer;
    socklen_t len = sizeof peer;
    int s = accept(l, (struct sockaddr*)&peer, &len);
    check(s >= 0, "accept");
    printf("peer %s len %u, port matches client: %s\n", text_of((struct sockaddr*)&peer), len,
        ntohs(peer.sin_port) == port_of(n) ? "yes" : "no");
    check((fcntl(s, F_GETFL) & O_NONBLOCK) == 0, "accepted socket is blocking");
    struct sockaddr_in name;
    len = sizeof name;
    getpeername(n, (struct sockaddr*)&name, &len);
    printf("client's peer: %s, port matches: %s\n", text_of((struct sockaddr*)&name),
        ntohs(name.sin_port) == port_of(l) ? "yes" : "no");
    len = sizeof name;
    getsockname(s, (struct sockaddr*)&name, &len);
    printf("server's name: %s\n", text_of((struct sockaddr*)&name));
    show("listen on a connected socket", listen(n, 1));
    show("accept on a connected socket", accept(n, NULL, NULL));
    show("recv on a listener", recv(l, &name, 1, 0));
    fcntl(l, F_SETFL, O_NONBLOCK);
    show("non-blocking accept with nothing pending", accept(l, NULL, NULL));
    fcntl(l, F_SETFL, 0);
    close(n);
    close(s);
    // shutdown(SHUT_RD) stops a listener: accept then fails with EINVAL.
    show("shutdown listener SHUT_RD", shutdown(l, SHUT_RD));
    show("accept after shutdown", accept(l, NULL, NULL));
    close(l);
}

static void data(void)
{
    puts("== data");
    int l = listener_on(AF_INET, "127.0.0.1");
    int c, s;
    connect_pair(l, AF_INET, &c, &s);
    show_poll("connected client poll", c);
    show("send 5", send(c, "hello", 5, 0));
    poll_one(s, POLLIN, 5000);
    int pending = -1;
    ioctl(s, FIONREAD, &pending);
    printf("FIONREAD: %d\n", pending);
    show_poll("server poll with data", s);
    char buf[64] = { 0 };
    show("recv MSG_PEEK 3", recv(s, buf, 3, MSG_PEEK));
    printf("peeked: %s\n", buf);
    memset(buf, 0, sizeof buf);
    show("recv 64", recv(s, buf, sizeof buf, 0));
    printf("read: %s\n", buf);
    show("recv MSG_DONTWAIT with nothing", recv(s, buf, sizeof buf, MSG_DONTWAIT));
    show("recv length 0, MSG_DONTWAIT, nothing", recv(s, buf, 0, MSG_DONTWAIT));
    // MSG_WAITALL gathers two sends.
    send(c, "abc", 3, 0);
    send(c, "defgh", 5, 0);
    memset(buf, 0, sizeof buf);
    show("recv MSG_WAITALL 8", recv(s, buf, 8, MSG_WAITALL));
    printf("read: %s\n", buf);
    // readv/writev-style messages.
    struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    struct msghdr m = { 0 };
    m.msg_iov = out;
    m.msg_iovlen = 3;
    show("sendmsg 3 pieces", sendmsg(c, &m, 0));
    char p1[5] = { 0 }, p2[20] = { 0 };
    struct iovec in[2] = { { p1, 4 }, { p2, 19 } };
    struct msghdr mi = { 0 };
    mi.msg_iov = in;
    mi.msg_iovlen = 2;
    poll_one(s, POLLIN, 5000);
    show("recvmsg", recvmsg(s, &mi, MSG_WAITALL & 0));
    printf("pieces: [%s] [%s] flags %d\n", p1, p2, mi.msg_flags);
    // A non-blocking writer fills the buffers and sees EAGAIN; the reader drains it all.
    fcntl(c, F_SETFL, O_NONBLOCK);
    static char block[65536];
    memset(block, 'x', sizeof block);
    long sent = 0;
    int eagain = 0;
    for (int i = 0; i < 10000; ++i) {
        ssize_t r = send(c, block, sizeof block, 0);
        if (r < 0) {
            eagain = errno == EAGAIN;
            break;
        }
        sent += r;
    }
    check(eagain, "non-blocking send fills up with EAGAIN");
    short before = poll_one(c, POLLOUT, 0);
    check(!(before & POLLOUT), "no POLLOUT while full");
    long got = 0;
    while (got < sent) {
        ssize_t r = recv(s, block, sizeof block, 0);
        if (r <= 0)
            break;
        got += r;
    }
    check(got == sent, "everything sent was received");
    check((poll_one(c, POLLOUT, 5000) & POLLOUT) != 0, "POLLOUT once drained");
    fcntl(c, F_SETFL, 0);
    // Half close: the peer reads EOF, can still send.
    show("shutdown client SHUT_WR", shutdown(c, SHUT_WR));
    show("recv at EOF", recv(s, buf, sizeof buf, 0));
    show_poll("server poll at EOF", s);
    show_poll("client poll after SHUT_WR", c);
    show("send after SHUT_WR", send(c, "x", 1, MSG_NOSIGNAL));
    show("server sends after EOF", send(s, "bye", 3, 0));
    memset(buf, 0, sizeof buf);
    show("client reads it", recv(c, buf, sizeof buf, 0));
    printf("read: %s\n", buf);
    show("shutdown server SHUT_WR", shutdown(s, SHUT_WR));
    show("client recv at EOF", recv(c, buf, sizeof buf, 0));
    show_poll("client poll, both closed", c);
    show("getpeername, both closed", getpeername(c, (struct sockaddr*)buf, &(socklen_t) { sizeof buf }));
    close(c);
    close(s);
    close(l);
}

static void resets(void)
{
    puts("== reset");
    signal(SIGPIPE, on_sigpipe);
    int l = listener_on(AF_INET, "127.0.0.1");
    int c, s;
    connect_pair(l, AF_INET, &c, &s);
    // Closing with unread data resets the connection.
    send(c, "unread", 6, 0);
    poll_one(s, POLLIN, 5000);
    close(s);
    poll_one(c, POLLIN, 5000);
    show_poll("poll after reset", c);
    char buf[16];
    show("recv after reset", recv(c, buf, sizeof buf, 0));
    show("recv again", recv(c, buf, sizeof buf, 0));
    show("send after reset (MSG_NOSIGNAL)", send(c, "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPE so far: %d\n", sigpipes);
    show("send after reset", send(c, "x", 1, 0));
    printf("SIGPIPE: %d\n", sigpipes);
    show("write after reset", write(c, "x", 1));
    printf("SIGPIPE: %d\n", sigpipes);
    close(c);
    // SO_LINGER {1, 0}: close resets.
    connect_pair(l, AF_INET, &c, &s);
    struct linger lg = { 1, 0 };
    show("SO_LINGER {1,0}", setsockopt(c, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    struct linger back;
    socklen_t n = sizeof back;
    getsockopt(c, SOL_SOCKET, SO_LINGER, &back, &n);
    printf("SO_LINGER reads back {%d,%d} len %u\n", back.l_onoff, back.l_linger, n);
    close(c);
    poll_one(s, POLLIN, 5000);
    show("recv after abortive close", recv(s, buf, sizeof buf, 0));
    close(s);
    // Writing to a peer that closed: first send succeeds, the peer answers with a reset.
    connect_pair(l, AF_INET, &c, &s);
    close(s);
    poll_one(c, POLLIN, 5000);
    show("recv after peer's close", recv(c, buf, sizeof buf, 0));
    show("send to a closed peer", send(c, "x", 1, MSG_NOSIGNAL));
    poll_one(c, POLLERR, 5000);
    show_poll("poll after the peer's reset", c);
    show("send after the reset", send(c, "x", 1, MSG_NOSIGNAL));
    show("send after that", send(c, "x", 1, MSG_NOSIGNAL));
    close(c);
    close(l);
    signal(SIGPIPE, SIG_DFL);
}

static void timeouts(void)
{
    puts("== timeouts");
    int l = listener_on(AF_INET, "127.0.0.1");
    struct timeval tv = { 0, 100000 };
    show("SO_RCVTIMEO 100 ms", setsockopt(l, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    show("accept with SO_RCVTIMEO", accept(l, NULL, NULL));
    check(elapsed_ms(&start) >= 90, "accept waited for the timeout");
    int c, s;
    connect_pair(l, AF_INET, &c, &s);
    struct timeval got = { 0 };
    socklen_t n = sizeof got;
    getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &got, &n);
    printf("accepted socket inherits SO_RCVTIMEO: %ld.%06ld\n", (long)got.tv_sec, (long)got.tv_usec);
    clock_gettime(CLOCK_MONOTONIC, &start);
    char buf[4];
    show("recv with SO_RCVTIMEO", recv(s, buf, sizeof buf, 0));
    check(elapsed_ms(&start) >= 90, "recv waited for the timeout");
    struct timeval bad = { 0, 1000000 };
    show("SO_RCVTIMEO usec 1000000", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &bad, sizeof bad));
    show("SO_RCVTIMEO short", setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &bad, 4));
    close(c);
    close(s);
    close(l);
}

static void options(void)
{
    puts("== options");
    int s = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    printf("TCP_NODELAY %d", get_int(s, IPPROTO_TCP, TCP_NODELAY));
    setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    printf(" -> %d\n", get_int(s, IPPROTO_TCP, TCP_NODELAY));
    printf("SO_KEEPALIVE %d", get_int(s, SOL_SOCKET, SO_KEEPALIVE));
    setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    printf(" -> %d\n", get_int(s, SOL_SOCKET, SO_KEEPALIVE));
    printf("TCP_KEEPIDLE %d TCP_KEEPINTVL %d TCP_KEEPCNT %d\n", get_int(s, IPPROTO_TCP, TCP_KEEPIDLE),
        get_int(s, IPPROTO_TCP, TCP_KEEPINTVL), get_int(s, IPPROTO_TCP, TCP_KEEPCNT));
    int v = 30;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v);
    v = 5;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPINTVL, &v, sizeof v);
    v = 3;
    setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v);
    printf("-> %d %d %d\n", get_int(s, IPPROTO_TCP, TCP_KEEPIDLE), get_int(s, IPPROTO_TCP, TCP_KEEPINTVL),
        get_int(s, IPPROTO_TCP, TCP_KEEPCNT));
    v = 0;
    show("TCP_KEEPIDLE 0", setsockopt(s, IPPROTO_TCP, TCP_KEEPIDLE, &v, sizeof v));
    v = 200;
    show("TCP_KEEPCNT 200", setsockopt(s, IPPROTO_TCP, TCP_KEEPCNT, &v, sizeof v));
    printf("SO_REUSEADDR %d", get_int(s, SOL_SOCKET, SO_REUSEADDR));
    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    printf(" -> %d\n", get_int(s, SOL_SOCKET, SO_REUSEADDR));
    printf("SO_REUSEPORT %d", get_int(s, SOL_SOCKET, SO_REUSEPORT));
    setsockopt(s, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    printf(" -> %d\n", get_int(s, SOL_SOCKET, SO_REUSEPORT));
    v = 10000;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    printf("SO_RCVBUF 10000 -> %d, SO_SNDBUF 10000 -> %d\n", get_int(s, SOL_SOCKET, SO_RCVBUF),
        get_int(s, SOL_SOCKET, SO_SNDBUF));
    v = 1;
    setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof v);
    setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    printf("SO_RCVBUF 1 -> %d, SO_SNDBUF 1 -> %d\n", get_int(s, SOL_SOCKET, SO_RCVBUF), get_int(s, SOL_SOCKET, SO_SNDBUF));
    printf("TCP_MAXSEG unconnected: %d\n", get_int(s, IPPROTO_TCP, TCP_MAXSEG));
    printf("IP_TTL %d\n", get_int(s, IPPROTO_IP, IP_TTL));
    printf("unknown SOL_SOCKET option: %s\n", errno_name(-get_int(s, SOL_SOCKET, 9999)));
    printf("unknown TCP option: %s\n", errno_name(-get_int(s, IPPROTO_TCP, 9999)));
    show("setsockopt short int", setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &one, 2));
    char small = 0;
    socklen_t n = 1;
    show("getsockopt 1-byte buffer", getsockopt(s, SOL_SOCKET, SO_TYPE, &small, &n));
    printf("1-byte SO_TYPE: %d len %u\n", small, n);
    close(s);
}

static void ipv6(void)
{
    puts("== ipv6");
    int l = listener_on(AF_INET6, "::1");
    int c, s;
    connect_pair(l, AF_INET6, &c, &s);
    struct sockaddr_in6 a;
    socklen_t n = sizeof a;
    getpeername(s, (struct sockaddr*)&a, &n);
    printf("v6 peer %s len %u\n", text_of((struct sockaddr*)&a), n);
    send(c, "six", 3, 0);
    char buf[8] = { 0 };
    recv(s, buf, sizeof buf, 0);
    printf("v6 data: %s\n", buf);
    close(c);
    close(s);
    close(l);
    // Dual stack: an AF_INET6 listener on :: accepts an IPv4 client as ::ffff:127.0.0.1.
    int d = listener_on(AF_INET6, "::");
    int four = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in to = v4("127.0.0.1", port_of(d));
    show("IPv4 connect to a dual-stack listener", connect(four, (struct sockaddr*)&to, sizeof to));
    n = sizeof a;
    s = accept(d, (struct sockaddr*)&a, &n);
    printf("dual-stack peer %s family %d\n", text_of((struct sockaddr*)&a), a.sin6_family);
    n = sizeof a;
    getsockname(s, (struct sockaddr*)&a, &n);
    printf("dual-stack local %s\n", text_of((struct sockaddr*)&a));
    close(s);
    close(four);
    // And an AF_INET6 client can reach IPv4 through a mapped address.
    int m = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", port_of(d));
    show("connect to ::ffff:127.0.0.1", connect(m, (struct sockaddr*)&mapped, sizeof mapped));
    s = accept(d, NULL, NULL);
    n = sizeof a;
    getsockname(m, (struct sockaddr*)&a, &n);
    printf("mapped client's name %s\n", text_of((struct sockaddr*)&a));
    close(s);
    close(m);
    int only = socket(AF_INET6, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    show("v6only connect to a mapped address", connect(only, (struct sockaddr*)&mapped, sizeof mapped));
    close(only);
    close(d);
}

static void udp(void)
{
    puts("== udp");
    int r = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in a = v4("127.0.0.1", 0);
    bind(r, (struct sockaddr*)&a, sizeof a);
    struct sockaddr_in to = v4("127.0.0.1", port_of(r));
    int w = socket(AF_INET, SOCK_DGRAM, 0);
    show("send unconnected without address", send(w, "x", 1, 0));
    struct sockaddr_in zero = v4("127.0.0.1", 0);
    show("sendto port 0", sendto(w, "x", 1, 0, (struct sockaddr*)&zero, sizeof zero));
    show("sendto 10 bytes", sendto(w, "0123456789", 10, 0, (struct sockaddr*)&to, sizeof to));
    show("sendto 3 bytes", sendto(w, "abc", 3, 0, (struct sockaddr*)&to, sizeof to));
    poll_one(r, POLLIN, 5000);
    int pending = -1;
    ioctl(r, FIONREAD, &pending);
    printf("FIONREAD: %d\n", pending);
    show_poll("UDP poll with data", r);
    char buf[32] = { 0 };
    struct sockaddr_in from;
    socklen_t n = sizeof from;
    show("recvfrom 4 of 10 with MSG_PEEK", recvfrom(r, buf, 4, MSG_PEEK, (struct sockaddr*)&from, &n));
    printf("from %s len %u, port matches sender: %s\n", text_of((struct sockaddr*)&from), n,
        ntohs(from.sin_port) == port_of(w) ? "yes" : "no");
    struct iovec iov = { buf, 4 };
    struct msghdr m = { 0 };
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    show("recvmsg 4 of 10", recvmsg(r, &m, 0));
    printf("MSG_TRUNC flag: %s, data %.4s\n", (m.msg_flags & MSG_TRUNC) ? "yes" : "no", buf);
    show("recv 2 of 3 with MSG_TRUNC", recv(r, buf, 2, MSG_TRUNC));
    show("recv with nothing, MSG_DONTWAIT", recv(r, buf, sizeof buf, MSG_DONTWAIT));
    show("connect", connect(w, (struct sockaddr*)&to, sizeof to));
    n = sizeof from;
    getsockname(w, (struct sockaddr*)&from, &n);
    printf("connected UDP name %s\n", text_of((struct sockaddr*)&from));
    show("send connected", send(w, "hey", 3, 0));
    show("recv", recv(r, buf, sizeof buf, 0));
    show("sendto 70000 bytes", sendto(w, calloc(1, 70000), 70000, 0, (struct sockaddr*)&to, sizeof to));
    static char big[60000];
    memset(big, 'u', sizeof big);
    show("send 60000 bytes", send(w, big, sizeof big, 0));
    poll_one(r, POLLIN, 5000);
    show("recv 60000 bytes", recv(r, big, sizeof big, 0));
    struct sockaddr_in broadcast = v4("255.255.255.255", port_of(r));
    show("sendto broadcast without SO_BROADCAST", sendto(r, "b", 1, 0, (struct sockaddr*)&broadcast, sizeof broadcast));
    struct sockaddr_in unspec = { 0 };
    unspec.sin_family = AF_UNSPEC;
    show("connect AF_UNSPEC", connect(w, (struct sockaddr*)&unspec, sizeof unspec));
    show("getpeername after AF_UNSPEC", getpeername(w, (struct sockaddr*)&from, &n));
    show("shutdown unconnected UDP", shutdown(w, SHUT_RD));
    show_poll("UDP poll after SHUT_RD", w);
    show("recv after SHUT_RD", recv(w, buf, sizeof buf, 0));
    close(w);
    close(r);
    // Dual-stack UDP: an IPv4 datagram arrives from ::ffff:127.0.0.1.
    int six = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 any = v6("::", 0);
    bind(six, (struct sockaddr*)&any, sizeof any);
    int four = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in dest = v4("127.0.0.1", port_of(six));
    sendto(four, "4to6", 4, 0, (struct sockaddr*)&dest, sizeof dest);
    struct sockaddr_in6 src;
    n = sizeof src;
    poll_one(six, POLLIN, 5000);
    show("recvfrom on a dual-stack socket", recvfrom(six, buf, sizeof buf, 0, (struct sockaddr*)&src, &n));
    printf("from %s len %u\n", text_of((struct sockaddr*)&src), n);
    close(four);
    close(six);
}

static void interfaces(void)
{
    puts("== interfaces");
    printf("if_nametoindex(lo): %u\n", if_nametoindex("lo"));
    printf("if_nametoindex(nope0): %u\n", if_nametoindex("nope0"));
    char name[IF_NAMESIZE] = { 0 };
    printf("if_indextoname(1): %s\n", if_indextoname(1, name) ? name : "(null)");
    struct ifaddrs* list;
    show("getifaddrs", getifaddrs(&list));
    int lo4 = 0, lo6 = 0, lo_packet = 0;
    for (struct ifaddrs* i = list; i; i = i->ifa_next) {
        if (strcmp(i->ifa_name, "lo") || !i->ifa_addr)
            continue;
        if (i->ifa_addr->sa_family == AF_INET && !strcmp(text_of(i->ifa_addr), "127.0.0.1"))
            lo4 = !strcmp(text_of(i->ifa_netmask), "255.0.0.0") && (i->ifa_flags & IFF_LOOPBACK);
        if (i->ifa_addr->sa_family == AF_INET6 && !strcmp(text_of(i->ifa_addr), "::1"))
            lo6 = 1;
        if (i->ifa_addr->sa_family == AF_PACKET)
            lo_packet = 1;
    }
    freeifaddrs(list);
    printf("lo 127.0.0.1/8: %s, lo ::1: %s, lo link entry: %s\n", lo4 ? "yes" : "no", lo6 ? "yes" : "no",
        lo_packet ? "yes" : "no");
    struct if_nameindex* names = if_nameindex();
    int lo_listed = 0;
    for (struct if_nameindex* i = names; i && i->if_index; ++i)
        lo_listed |= i->if_index == 1 && !strcmp(i->if_name, "lo");
    if_freenameindex(names);
    printf("if_nameindex lists lo as 1: %s\n", lo_listed ? "yes" : "no");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct ifreq r;
    memset(&r, 0, sizeof r);
    strcpy(r.ifr_name, "lo");
    show("SIOCGIFFLAGS lo", ioctl(s, SIOCGIFFLAGS, &r));
    printf("lo flags: up %d loopback %d running %d\n", !!(r.ifr_flags & IFF_UP), !!(r.ifr_flags & IFF_LOOPBACK),
        !!(r.ifr_flags & IFF_RUNNING));
    show("SIOCGIFADDR lo", ioctl(s, SIOCGIFADDR, &r));
    printf("lo address: %s\n", text_of(&r.ifr_addr));
    show("SIOCGIFNETMASK lo", ioctl(s, SIOCGIFNETMASK, &r));
    printf("lo netmask: %s\n", text_of(&r.ifr_netmask));
    strcpy(r.ifr_name, "nope0");
    show("SIOCGIFINDEX nope0", ioctl(s, SIOCGIFINDEX, &r));
    close(s);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    creation();
    binding();
    connecting();
    data();
    resets();
    timeouts();
    options();
    ipv6();
    udp();
    interfaces();
    puts("== done");
    return 0;
}
