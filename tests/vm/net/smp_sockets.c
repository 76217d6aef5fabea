// SPDX-License-Identifier: MIT
// Socket reads and writes on several CPUs at once (docs/architecture.md, "Locking on many CPUs":
// inet sockets' data path runs without the RuntimeLock, under the CoreLock and the descriptor
// table's own lock), while other threads open and close unrelated descriptors:
// - k_tcp pairs of threads, each pair with its own loopback TCP connection, run ROUNDS rounds of
//   a request of a varying size (up to 24 KiB) and its echo, each round through a different call
//   (read/write, send/recv, readv/writev, sendmsg/recvmsg, sendto/recvfrom), every byte checked;
// - k_udp pairs do the same with datagrams (sendto/recvfrom, sendmsg/recvmsg, write/read);
// - k_churn threads open, write, read back and close files, pipes and eventfds, and dup and close
//   descriptors, all the while (their descriptor numbers are the ones the sockets' lookups race
//   with);
// - one thread closes a socket another thread is blocked in recv on, CLOSE_ROUNDS times, in three
//   ways: close then the peer's close (the blocked recv returns 0 when the FIN arrives, as on
//   Linux, whose close does not wake it), shutdown(SHUT_RDWR) then close (0 at once), and a UDP
//   socket's shutdown(SHUT_RD) then close (0). A recv that starts only after the close fails with
//   EBADF, or with ENOTSOCK when a churn thread got the number meanwhile: both are fine.
// Usage: smp_sockets [ROUNDS [CLOSE_ROUNDS]] (default 200 and 20). Prints "smp-sockets ok". Runs
// on Linux too.
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../check.h"

enum { k_tcp = 3, k_udp = 2, k_churn = 2, k_max_message = 24 * 1024, k_datagram_max = 1400 };
static long g_rounds = 200;
static long g_close_rounds = 20;
static atomic_int g_workers_left;
static atomic_long g_churn_operations;

static unsigned char pattern(long connection, long round, size_t at)
{
    return (unsigned char)(connection * 131 + round * 7 + at * 13 + (at >> 8));
}

static size_t message_size(long connection, long round)
{
    return 1 + (size_t)((connection * 7919 + round * 104729) % k_max_message);
}

// One call of kind `how` (0..4) moving up to `length` bytes; returns what the call returned.
static ssize_t write_some(int fd, const unsigned char* buffer, size_t length, int how)
{
    switch (how) {
    case 0: return write(fd, buffer, length);
    case 1: return send(fd, buffer, length, MSG_NOSIGNAL);
    case 2: {
        size_t half = length / 2;
        struct iovec v[2] = { { (void*)buffer, half }, { (void*)(buffer + half), length - half } };
        return writev(fd, v, 2);
    }
    case 3: {
        struct iovec v = { (void*)buffer, length };
        struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
        return sendmsg(fd, &m, MSG_NOSIGNAL);
    }
    default: return sendto(fd, buffer, length, 0, NULL, 0);
    }
}

static ssize_t read_some(int fd, unsigned char* buffer, size_t length, int how)
{
    switch (how) {
    case 0: return read(fd, buffer, length);
    case 1: return recv(fd, buffer, length, 0);
    case 2: {
        size_t half = length / 3;
        struct iovec v[2] = { { buffer, half }, { buffer + half, length - half } };
        return readv(fd, v, 2);
    }
    case 3: {
        struct iovec v = { buffer, length };
        struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
        return recvmsg(fd, &m, 0);
    }
    default: return recvfrom(fd, buffer, length, 0, NULL, NULL);
    }
}

static void write_all(int fd, const unsigned char* buffer, size_t length, int how)
{
    while (length) {
        ssize_t n = write_some(fd, buffer, length, how);
        CHECK(n > 0, "write of %zu bytes (call %d) gave %zd", length, how, n);
        buffer += n;
        length -= (size_t)n;
    }
}

static void read_all(int fd, unsigned char* buffer, size_t length, int how)
{
    while (length) {
        ssize_t n = read_some(fd, buffer, length, how);
        CHECK(n > 0, "read of %zu bytes (call %d) gave %zd", length, how, n);
        buffer += n;
        length -= (size_t)n;
    }
}

static struct sockaddr_in loopback_address(void)
{
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    return address;
}

// A TCP connection over loopback: *client and *server.
static void tcp_pair(int* client, int* server)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = loopback_address();
    socklen_t length = sizeof(address);
    CHECK(listener >= 0, "socket");
    CHECK(bind(listener, (struct sockaddr*)&address, sizeof(address)) == 0, "bind");
    CHECK(listen(listener, 1) == 0, "listen");
    CHECK(getsockname(listener, (struct sockaddr*)&address, &length) == 0, "getsockname");
    *client = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(*client >= 0, "socket");
    CHECK(connect(*client, (struct sockaddr*)&address, sizeof(address)) == 0, "connect");
    *server = accept(listener, NULL, NULL);
    CHECK(*server >= 0, "accept");
    close(listener);
}

// Two UDP sockets on loopback, each connected to the other.
static void udp_pair(int* a, int* b)
{
    int fds[2];
    for (int i = 0; i < 2; ++i) {
        struct sockaddr_in address = loopback_address();
        fds[i] = socket(AF_INET, SOCK_DGRAM, 0);
        CHECK(fds[i] >= 0, "socket");
        CHECK(bind(fds[i], (struct sockaddr*)&address, sizeof(address)) == 0, "bind");
    }
    for (int i = 0; i < 2; ++i) {
        struct sockaddr_in peer;
        socklen_t length = sizeof(peer);
        CHECK(getsockname(fds[1 - i], (struct sockaddr*)&peer, &length) == 0, "getsockname");
        CHECK(connect(fds[i], (struct sockaddr*)&peer, sizeof(peer)) == 0, "connect");
    }
    *a = fds[0];
    *b = fds[1];
}

struct endpoint {
    long connection;
    int fd;
};

// The TCP client: a request, then its echo (each byte + 1), checked.
static void* tcp_client(void* arg)
{
    struct endpoint* e = arg;
    unsigned char* out = malloc(k_max_message);
    unsigned char* in = malloc(k_max_message);
    CHECK(out && in, "malloc");
    for (long round = 0; round < g_rounds; ++round) {
        size_t size = message_size(e->connection, round);
        for (size_t i = 0; i < size; ++i)
            out[i] = pattern(e->connection, round, i);
        write_all(e->fd, out, size, (int)(round % 5));
        read_all(e->fd, in, size, (int)((round + 1) % 5));
        for (size_t i = 0; i < size; ++i)
            CHECK(in[i] == (unsigned char)(out[i] + 1), "connection %ld round %ld byte %zu", e->connection, round, i);
    }
    free(out);
    free(in);
    atomic_fetch_sub(&g_workers_left, 1);
    return NULL;
}

static void* tcp_server(void* arg)
{
    struct endpoint* e = arg;
    unsigned char* buffer = malloc(k_max_message);
    CHECK(buffer, "malloc");
    for (long round = 0; round < g_rounds; ++round) {
        size_t size = message_size(e->connection, round);
        read_all(e->fd, buffer, size, (int)((round + 2) % 5));
        for (size_t i = 0; i < size; ++i) {
            CHECK(buffer[i] == pattern(e->connection, round, i), "connection %ld round %ld byte %zu", e->connection, round, i);
            buffer[i] += 1;
        }
        write_all(e->fd, buffer, size, (int)((round + 3) % 5));
    }
    // The client reads the last echo, then both ends close: EOF here.
    CHECK(read(e->fd, buffer, 1) == 0, "EOF after the last round");
    free(buffer);
    return NULL;
}

// UDP: one datagram each way per round; the calls that name no address work on connected sockets.
static void* udp_client(void* arg)
{
    struct endpoint* e = arg;
    unsigned char out[k_datagram_max], in[k_datagram_max + 1];
    for (long round = 0; round < g_rounds; ++round) {
        size_t size = 1 + (size_t)((e->connection * 31 + round * 577) % k_datagram_max);
        for (size_t i = 0; i < size; ++i)
            out[i] = pattern(e->connection + 100, round, i);
        ssize_t n = write_some(e->fd, out, size, (int)(round % 5));
        CHECK(n == (ssize_t)size, "datagram of %zu bytes sent as %zd", size, n);
        n = read_some(e->fd, in, sizeof(in), (int)((round + 1) % 5));
        CHECK(n == (ssize_t)size, "echo of %zu bytes received as %zd", size, n);
        for (size_t i = 0; i < size; ++i)
            CHECK(in[i] == (unsigned char)~out[i], "datagram round %ld byte %zu", round, i);
    }
    // A zero-length datagram tells the server to stop.
    CHECK(send(e->fd, out, 0, 0) == 0, "empty datagram");
    atomic_fetch_sub(&g_workers_left, 1);
    return NULL;
}

static void* udp_server(void* arg)
{
    struct endpoint* e = arg;
    unsigned char buffer[k_datagram_max + 1];
    for (long round = 0;; ++round) {
        ssize_t n = read_some(e->fd, buffer, sizeof(buffer), (int)((round + 2) % 5));
        CHECK(n >= 0, "datagram");
        if (n == 0)
            break;
        for (ssize_t i = 0; i < n; ++i)
            buffer[i] = (unsigned char)~buffer[i];
        CHECK(write_some(e->fd, buffer, (size_t)n, (int)((round + 3) % 5)) == n, "echo datagram");
    }
    return NULL;
}

// Descriptors that are not sockets, opened and closed for as long as the socket workers run.
static void* churn(void* arg)
{
    long id = (long)(intptr_t)arg;
    char path[64];
    snprintf(path, sizeof(path), "/tmp/smp-sockets-churn-%ld", id);
    unsigned char data[512], back[512];
    for (long i = 0; atomic_load(&g_workers_left) > 0; ++i) {
        for (size_t j = 0; j < sizeof(data); ++j)
            data[j] = (unsigned char)(i + j + id);
        int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0600);
        CHECK(fd >= 0, "open %s", path);
        CHECK(write(fd, data, sizeof(data)) == (ssize_t)sizeof(data), "file write");
        int copy = dup(fd);
        CHECK(copy >= 0, "dup");
        CHECK(close(fd) == 0, "close");
        CHECK(pread(copy, back, sizeof(back), 0) == (ssize_t)sizeof(back), "file read");
        CHECK(memcmp(data, back, sizeof(data)) == 0, "file data");
        CHECK(close(copy) == 0, "close");
        int p[2];
        CHECK(pipe(p) == 0, "pipe");
        CHECK(write(p[1], data, 100) == 100, "pipe write");
        CHECK(read(p[0], back, sizeof(back)) == 100, "pipe read");
        CHECK(memcmp(data, back, 100) == 0, "pipe data");
        CHECK(close(p[0]) == 0 && close(p[1]) == 0, "pipe close");
        int e = eventfd(3, 0);
        CHECK(e >= 0, "eventfd");
        uint64_t v = 0;
        CHECK(read(e, &v, sizeof(v)) == sizeof(v) && v == 3, "eventfd read");
        CHECK(close(e) == 0, "eventfd close");
        atomic_fetch_add(&g_churn_operations, 1);
    }
    unlink(path);
    return NULL;
}

struct blocked {
    int fd;
    atomic_int started;
    ssize_t result;
    int error;
};

static void* blocked_receiver(void* arg)
{
    struct blocked* b = arg;
    char c;
    atomic_store(&b->started, 1);
    b->result = recv(b->fd, &c, 1, 0);
    b->error = b->result < 0 ? errno : 0;
    return NULL;
}

static void sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    nanosleep(&t, NULL);
}

// A receiver blocked on `fd`, then `end` (which closes it one way or another): the receiver must
// come back with EOF, or with EBADF/ENOTSOCK if it started after the close.
static void close_while_blocked(int fd, void (*end)(int fd, int peer), int peer, const char* how)
{
    struct blocked b = { .fd = fd };
    pthread_t t;
    CHECK(pthread_create(&t, NULL, blocked_receiver, &b) == 0, "pthread_create");
    while (!atomic_load(&b.started))
        sched_yield();
    sleep_ms(5);
    end(fd, peer);
    CHECK(pthread_join(t, NULL) == 0, "join");
    CHECK(b.result == 0 || (b.result < 0 && (b.error == EBADF || b.error == ENOTSOCK)),
        "%s: the blocked recv returned %zd, errno %d", how, b.result, b.error);
}

static void close_then_peer(int fd, int peer)
{
    CHECK(close(fd) == 0, "close");
    sleep_ms(2);
    CHECK(close(peer) == 0, "close the peer");
}

static void shutdown_then_close(int fd, int peer)
{
    CHECK(shutdown(fd, SHUT_RDWR) == 0, "shutdown");
    CHECK(close(fd) == 0, "close");
    if (peer >= 0)
        CHECK(close(peer) == 0, "close the peer");
}

static void udp_shutdown_then_close(int fd, int peer)
{
    (void)peer;
    shutdown(fd, SHUT_RD); // ENOTCONN on an unconnected socket, which is marked all the same.
    CHECK(close(fd) == 0, "close");
}

static void* closer(void* arg)
{
    (void)arg;
    for (long i = 0; i < g_close_rounds; ++i) {
        int client, server;
        tcp_pair(&client, &server);
        close_while_blocked(server, close_then_peer, client, "close, then the peer's close");
        tcp_pair(&client, &server);
        close_while_blocked(server, shutdown_then_close, client, "shutdown(SHUT_RDWR), then close");
        int u = socket(AF_INET, SOCK_DGRAM, 0);
        CHECK(u >= 0, "socket");
        close_while_blocked(u, udp_shutdown_then_close, -1, "UDP shutdown(SHUT_RD), then close");
    }
    atomic_fetch_sub(&g_workers_left, 1);
    return NULL;
}

int main(int argc, char** argv)
{
    if (argc > 1)
        g_rounds = atol(argv[1]);
    if (argc > 2)
        g_close_rounds = atol(argv[2]);
    if (g_rounds < 1 || g_close_rounds < 0) {
        printf("usage: smp_sockets [ROUNDS [CLOSE_ROUNDS]]\n");
        return 2;
    }
    struct endpoint tcp[k_tcp][2], udp[k_udp][2];
    for (long i = 0; i < k_tcp; ++i) {
        tcp_pair(&tcp[i][0].fd, &tcp[i][1].fd);
        tcp[i][0].connection = tcp[i][1].connection = i;
    }
    for (long i = 0; i < k_udp; ++i) {
        udp_pair(&udp[i][0].fd, &udp[i][1].fd);
        udp[i][0].connection = udp[i][1].connection = i;
    }
    atomic_store(&g_workers_left, k_tcp + k_udp + 1);
    pthread_t threads[2 * k_tcp + 2 * k_udp + k_churn + 1];
    int n = 0;
    for (long i = 0; i < k_tcp; ++i) {
        CHECK(pthread_create(&threads[n++], NULL, tcp_client, &tcp[i][0]) == 0, "pthread_create");
        CHECK(pthread_create(&threads[n++], NULL, tcp_server, &tcp[i][1]) == 0, "pthread_create");
    }
    for (long i = 0; i < k_udp; ++i) {
        CHECK(pthread_create(&threads[n++], NULL, udp_client, &udp[i][0]) == 0, "pthread_create");
        CHECK(pthread_create(&threads[n++], NULL, udp_server, &udp[i][1]) == 0, "pthread_create");
    }
    for (long i = 0; i < k_churn; ++i)
        CHECK(pthread_create(&threads[n++], NULL, churn, (void*)(intptr_t)i) == 0, "pthread_create");
    CHECK(pthread_create(&threads[n++], NULL, closer, NULL) == 0, "pthread_create");
    // The TCP clients close their end after their last round, so that the servers see EOF.
    for (int i = 0; i < 2 * k_tcp; i += 2) {
        CHECK(pthread_join(threads[i], NULL) == 0, "join");
        CHECK(close(tcp[i / 2][0].fd) == 0, "close");
    }
    for (int i = 1; i < 2 * k_tcp; i += 2)
        CHECK(pthread_join(threads[i], NULL) == 0, "join");
    for (int i = 2 * k_tcp; i < n; ++i)
        CHECK(pthread_join(threads[i], NULL) == 0, "join");
    for (long i = 0; i < k_tcp; ++i)
        CHECK(close(tcp[i][1].fd) == 0, "close");
    for (long i = 0; i < k_udp; ++i)
        CHECK(close(udp[i][0].fd) == 0 && close(udp[i][1].fd) == 0, "close");
    CHECK(atomic_load(&g_churn_operations) > 0, "the churn threads ran");
    // Every descriptor went back: the next one is the lowest free, right after stdio.
    int fd = open("/dev/null", O_RDONLY);
    CHECK(fd == 3, "descriptor %d after the run: some were not closed", fd);
    close(fd);
    printf("smp-sockets ok (%ld rounds, %ld close rounds, %ld churn rounds)\n", g_rounds, g_close_rounds,
        atomic_load(&g_churn_operations));
    return 0;
}
