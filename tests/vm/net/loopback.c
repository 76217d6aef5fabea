// SPDX-License-Identifier: MIT
// In-guest TCP and UDP over loopback, client and server in one image (threads): echo with
// checksums over IPv4 and IPv6, many sequential and concurrent connections without descriptor or
// memory growth, and a benchmark (throughput, connection rate). Each case prints "<case> ok" or
// "FAIL: ..." lines; the benchmark prints its numbers. Runs on Linux too.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define FAIL(...)                                                                                  \
    do {                                                                                           \
        printf("FAIL: " __VA_ARGS__);                                                              \
        printf(" (errno %d)\n", errno);                                                            \
        ++failures;                                                                                \
    } while (0)

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

// An address of `family` on loopback at `port`.
static socklen_t loopback(int family, int port, struct sockaddr_storage* out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        struct sockaddr_in* a = (struct sockaddr_in*)out;
        a->sin_family = AF_INET;
        a->sin_port = htons(port);
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        return sizeof *a;
    }
    struct sockaddr_in6* a = (struct sockaddr_in6*)out;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    return sizeof *a;
}

static int port_of(int fd)
{
    struct sockaddr_storage s;
    socklen_t n = sizeof s;
    getsockname(fd, (struct sockaddr*)&s, &n);
    return ntohs(s.ss_family == AF_INET ? ((struct sockaddr_in*)&s)->sin_port : ((struct sockaddr_in6*)&s)->sin6_port);
}

static int listener(int family, int type, int backlog)
{
    int l = socket(family, type, 0);
    struct sockaddr_storage a;
    socklen_t n = loopback(family, 0, &a);
    if (l < 0 || bind(l, (struct sockaddr*)&a, n) < 0 || (type == SOCK_STREAM && listen(l, backlog) < 0))
        FAIL("listener");
    return l;
}

static int connect_to(int family, int port)
{
    int c = socket(family, SOCK_STREAM, 0);
    struct sockaddr_storage a;
    socklen_t n = loopback(family, port, &a);
    if (c < 0 || connect(c, (struct sockaddr*)&a, n) < 0) {
        FAIL("connect");
        if (c >= 0)
            close(c);
        return -1;
    }
    return c;
}

// A byte stream both sides can compute: position i holds pattern(seed, i).
static uint8_t pattern(unsigned seed, size_t i) { return (uint8_t)((i * 2654435761u) >> 13 ^ seed); }

static int write_all(int fd, const void* data, size_t length)
{
    for (size_t done = 0; done < length;) {
        ssize_t n = send(fd, (const char*)data + done, length - done, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        done += n;
    }
    return 0;
}

// ---- echo over TCP ----

struct echo_job {
    int fd;
};

static void* echo_connection(void* arg)
{
    int fd = ((struct echo_job*)arg)->fd;
    free(arg);
    static __thread char buf[32768];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
        if (write_all(fd, buf, n) < 0)
            break;
    close(fd);
    return NULL;
}

struct tcp_client {
    int family;
    int port;
    unsigned seed;
    size_t bytes;
    int ok;
};

static void* run_tcp_client(void* arg)
{
    struct tcp_client* c = arg;
    int fd = connect_to(c->family, c->port);
    if (fd < 0)
        return NULL;
    // Send and receive at the same time: the echo could otherwise fill both directions' buffers.
    size_t sent = 0, received = 0;
    char out[16384], in[16384];
    int bad = 0;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    while (received < c->bytes) {
        struct pollfd p = { fd, POLLIN | (sent < c->bytes ? POLLOUT : 0), 0 };
        if (poll(&p, 1, 30000) <= 0) {
            FAIL("tcp client: no progress for 30 s at %zu/%zu", received, c->bytes);
            break;
        }
        if ((p.revents & POLLOUT) && sent < c->bytes) {
            size_t n = c->bytes - sent < sizeof out ? c->bytes - sent : sizeof out;
            for (size_t i = 0; i < n; ++i)
                out[i] = pattern(c->seed, sent + i);
            ssize_t w = send(fd, out, n, MSG_NOSIGNAL);
            if (w > 0)
                sent += w;
            else if (errno != EAGAIN)
                break;
            if (sent == c->bytes)
                shutdown(fd, SHUT_WR);
        }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(fd, in, sizeof in, 0);
            if (r == 0)
                break;
            if (r < 0) {
                if (errno == EAGAIN)
                    continue;
                break;
            }
            for (ssize_t i = 0; i < r; ++i)
                bad |= (uint8_t)in[i] != pattern(c->seed, received + i);
            received += r;
        }
    }
    close(fd);
    c->ok = received == c->bytes && !bad;
    if (!c->ok)
        FAIL("tcp client %u: %zu of %zu bytes back, %s", c->seed, received, c->bytes, bad ? "corrupted" : "intact");
    return NULL;
}

struct acceptor {
    int listener;
    int count;
};

static void* accept_and_echo(void* arg)
{
    struct acceptor* a = arg;
    for (int i = 0; i < a->count; ++i) {
        int s = accept(a->listener, NULL, NULL);
        if (s < 0) {
            FAIL("accept");
            return NULL;
        }
        struct echo_job* job = malloc(sizeof *job);
        job->fd = s;
        pthread_t t;
        pthread_create(&t, NULL, echo_connection, job);
        pthread_detach(t);
    }
    return NULL;
}

static void tcp_echo(int family, const char* name)
{
    enum { clients = 4 };
    const size_t bytes = 2 << 20;
    int l = listener(family, SOCK_STREAM, 16);
    struct acceptor a = { l, clients };
    pthread_t server;
    pthread_create(&server, NULL, accept_and_echo, &a);
    struct tcp_client c[clients];
    pthread_t t[clients];
    for (int i = 0; i < clients; ++i) {
        c[i] = (struct tcp_client) { family, port_of(l), 17u * i + 1, bytes, 0 };
        pthread_create(&t[i], NULL, run_tcp_client, &c[i]);
    }
    int ok = 1;
    for (int i = 0; i < clients; ++i) {
        pthread_join(t[i], NULL);
        ok &= c[i].ok;
    }
    pthread_join(server, NULL);
    close(l);
    if (ok && !failures)
        printf("%s ok\n", name);
}

// ---- echo over UDP ----

static void* udp_echo_server(void* arg)
{
    int fd = *(int*)arg;
    static char buf[65536];
    for (;;) {
        struct sockaddr_storage from;
        socklen_t n = sizeof from;
        ssize_t r = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &n);
        if (r < 0)
            return NULL;
        if (r == 4 && !memcmp(buf, "stop", 4))
            return NULL;
        sendto(fd, buf, r, 0, (struct sockaddr*)&from, n);
    }
}

static void udp_echo(int family, const char* name)
{
    int server = listener(family, SOCK_DGRAM, 0);
    pthread_t t;
    pthread_create(&t, NULL, udp_echo_server, &server);
    int c = socket(family, SOCK_DGRAM, 0);
    struct sockaddr_storage to;
    socklen_t n = loopback(family, port_of(server), &to);
    if (connect(c, (struct sockaddr*)&to, n) < 0)
        FAIL("udp connect");
    struct timeval tv = { 10, 0 };
    setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    static char out[65536], in[65536];
    static const size_t sizes[] = { 1, 100, 1400, 1472, 1473, 3000, 4000, 8192, 20000, 40000, 65000 };
    int ok = 1;
    for (int round = 0; round < 40; ++round) {
        size_t size = sizes[round % (sizeof sizes / sizeof sizes[0])];
        for (size_t i = 0; i < size; ++i)
            out[i] = pattern(round, i);
        if (send(c, out, size, 0) != (ssize_t)size) {
            FAIL("udp send %zu", size);
            ok = 0;
            break;
        }
        ssize_t r = recv(c, in, sizeof in, 0);
        if (r != (ssize_t)size || memcmp(in, out, size)) {
            FAIL("udp echo of %zu bytes: got %zd", size, r);
            ok = 0;
            break;
        }
    }
    send(c, "stop", 4, 0);
    pthread_join(t, NULL);
    close(c);
    close(server);
    if (ok)
        printf("%s ok\n", name);
}

// ---- descriptors and memory ----

static long mem_free_kb(void)
{
    FILE* f = fopen("/proc/meminfo", "r");
    char line[128];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "MemFree: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

// The lowest free descriptor: grows if a round leaks one.
static int next_fd(void)
{
    int fd = dup(0);
    close(fd);
    return fd;
}

// One connection: the client sends 100 bytes, the server echoes them, the client closes first.
static int one_connection(int l, int family)
{
    int c = connect_to(family, port_of(l));
    if (c < 0)
        return -1;
    int s = accept(l, NULL, NULL);
    char buf[100];
    memset(buf, 'c', sizeof buf);
    int ok = s >= 0 && write_all(c, buf, sizeof buf) == 0 && recv(s, buf, sizeof buf, MSG_WAITALL) == sizeof buf
        && write_all(s, buf, sizeof buf) == 0 && recv(c, buf, sizeof buf, MSG_WAITALL) == sizeof buf;
    close(c);
    if (s >= 0) {
        ok &= recv(s, buf, sizeof buf, 0) == 0;
        close(s);
    }
    return ok ? 0 : -1;
}

static void sequential(int count)
{
    int l = listener(AF_INET, SOCK_STREAM, 16);
    long memory[3];
    int fds[3];
    double started = 0;
    for (int round = 0; round < 3; ++round) {
        if (round == 2)
            started = now_s();
        for (int i = 0; i < count; ++i)
            if (one_connection(l, AF_INET) < 0) {
                FAIL("connection %d of round %d", i, round);
                return;
            }
        memory[round] = mem_free_kb();
        fds[round] = next_fd();
    }
    double rate = count / (now_s() - started);
    close(l);
    // Round 0 warms up (TIME_WAIT fills up to its limit, caches fill); rounds 1 and 2 must not grow.
    printf("sequential: %d connections per round, free memory %ld -> %ld -> %ld kB, next fd %d %d %d\n", count,
        memory[0], memory[1], memory[2], fds[0], fds[1], fds[2]);
    printf("sequential: %.0f connections/s\n", rate);
    if (fds[1] != fds[0] || fds[2] != fds[0])
        FAIL("descriptors grew");
    if (memory[2] < memory[1] - 256)
        FAIL("memory grew by %ld kB between rounds 1 and 2", memory[1] - memory[2]);
    if (!failures)
        puts("sequential ok");
}

static void concurrent(int count)
{
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    if (limit.rlim_cur < (rlim_t)(2 * count + 32)) {
        limit.rlim_cur = 2 * count + 32;
        if (limit.rlim_max < limit.rlim_cur)
            limit.rlim_max = limit.rlim_cur;
        if (setrlimit(RLIMIT_NOFILE, &limit) < 0) {
            FAIL("setrlimit(RLIMIT_NOFILE, %d): both ends of %d connections need that many", 2 * count + 32, count);
            return;
        }
    }
    // A dual-stack listener (bound to ::): the clients alternate between IPv4 and IPv6.
    int l = socket(AF_INET6, SOCK_STREAM, 0);
    struct sockaddr_in6 any = { .sin6_family = AF_INET6 };
    if (l < 0 || bind(l, (struct sockaddr*)&any, sizeof any) < 0 || listen(l, 128) < 0)
        FAIL("dual-stack listener");
    int* c = calloc(count, sizeof *c);
    int* s = calloc(count, sizeof *s);
    long memory[2];
    int fds[2];
    int base_fd = next_fd();
    for (int round = 0; round < 2; ++round) {
        for (int i = 0; i < count; ++i) {
            c[i] = connect_to(i % 2 ? AF_INET6 : AF_INET, port_of(l));
            s[i] = accept(l, NULL, NULL);
            if (c[i] < 0 || s[i] < 0) {
                FAIL("connection %d of round %d", i, round);
                return;
            }
        }
        // All of them are alive at once: a byte each way on every one.
        for (int i = 0; i < count; ++i) {
            char b = (char)i;
            if (send(c[i], &b, 1, 0) != 1 || recv(s[i], &b, 1, 0) != 1 || b != (char)i || send(s[i], &b, 1, 0) != 1
                || recv(c[i], &b, 1, 0) != 1) {
                FAIL("connection %d does not echo", i);
                return;
            }
        }
        for (int i = 0; i < count; ++i) {
            close(c[i]);
            close(s[i]);
        }
        memory[round] = mem_free_kb();
        fds[round] = next_fd();
    }
    close(l);
    printf("concurrent: %d connections at once, free memory after each round %ld -> %ld kB, next fd %d %d (before %d)\n",
        count, memory[0], memory[1], fds[0], fds[1], base_fd);
    if (fds[0] != base_fd || fds[1] != base_fd)
        FAIL("descriptors grew");
    if (memory[1] < memory[0] - 256)
        FAIL("memory grew by %ld kB", memory[0] - memory[1]);
    if (!failures)
        puts("concurrent ok");
}

// ---- benchmark ----

static void* drain(void* arg)
{
    int fd = *(int*)arg;
    static char buf[65536];
    while (recv(fd, buf, sizeof buf, 0) > 0) {
    }
    return NULL;
}

static void bench(void)
{
    int l = listener(AF_INET, SOCK_STREAM, 16);
    int c = connect_to(AF_INET, port_of(l));
    int s = accept(l, NULL, NULL);
    pthread_t t;
    pthread_create(&t, NULL, drain, &s);
    static char buf[65536];
    memset(buf, 'b', sizeof buf);
    const long total = 64l << 20;
    double start = now_s();
    for (long done = 0; done < total; done += sizeof buf)
        write_all(c, buf, sizeof buf);
    close(c);
    pthread_join(t, NULL);
    double seconds = now_s() - start;
    close(s);
    printf("bench: TCP over loopback %.1f MB/s (64 MiB, one connection)\n", total / seconds / 1e6);
    int count = 2000;
    start = now_s();
    for (int i = 0; i < count; ++i)
        one_connection(l, AF_INET);
    printf("bench: %.0f connections/s (connect, 100 bytes each way, close; %d sequential)\n", count / (now_s() - start),
        count);
    close(l);
    puts("bench ok");
}

int main(int argc, char** argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char* what = argc > 1 ? argv[1] : "";
    int count = argc > 2 ? atoi(argv[2]) : 1000;
    if (!strcmp(what, "tcp4"))
        tcp_echo(AF_INET, what);
    else if (!strcmp(what, "tcp6"))
        tcp_echo(AF_INET6, what);
    else if (!strcmp(what, "udp4"))
        udp_echo(AF_INET, what);
    else if (!strcmp(what, "udp6"))
        udp_echo(AF_INET6, what);
    else if (!strcmp(what, "sequential"))
        sequential(count);
    else if (!strcmp(what, "concurrent"))
        concurrent(count);
    else if (!strcmp(what, "bench"))
        bench();
    else {
        fprintf(stderr, "usage: loopback tcp4|tcp6|udp4|udp6|sequential [N]|concurrent [N]|bench\n");
        return 2;
    }
    return failures ? 1 : 0;
}
