// A socket-heavy multi-threaded workload for SMP: THREADS connections over loopback TCP, each
// used by its own thread (mode "own": the thread holds both ends and ping-pongs a 64-byte message
// between them, so every round is a send and a receive on each end and nothing sleeps) or by a
// pair of threads (mode "pair": a client and an echo server that block in recv for each other).
// The same total number of rounds is split over the connections, so the time shows how the
// socket calls scale with CPUs. Usage: socket_threads [ROUNDS [THREADS [own|pair]]]
// (default 20000 rounds, one connection per CPU, own).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { k_message = 64, k_max_threads = 64 };
static long g_rounds_per_connection;

struct connection {
    int client;
    int server;
    uint64_t checksum;
};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void fail(const char* what)
{
    printf("FAIL: %s\n", what);
    exit(1);
}

static void send_all(int fd, const unsigned char* buffer, size_t length)
{
    while (length) {
        ssize_t n = send(fd, buffer, length, 0);
        if (n <= 0)
            fail("send");
        buffer += n;
        length -= (size_t)n;
    }
}

static void receive_all(int fd, unsigned char* buffer, size_t length)
{
    while (length) {
        ssize_t n = recv(fd, buffer, length, 0);
        if (n <= 0)
            fail("recv");
        buffer += n;
        length -= (size_t)n;
    }
}

// One connection through a listener of its own: both descriptors stay with the caller.
static void connect_pair(struct connection* c)
{
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof(address);
    if (listener < 0 || bind(listener, (struct sockaddr*)&address, sizeof(address)) || listen(listener, 1)
        || getsockname(listener, (struct sockaddr*)&address, &length))
        fail("listener");
    c->client = socket(AF_INET, SOCK_STREAM, 0);
    if (c->client < 0 || connect(c->client, (struct sockaddr*)&address, sizeof(address)))
        fail("connect");
    c->server = accept(listener, NULL, NULL);
    if (c->server < 0)
        fail("accept");
    close(listener);
    int one = 1;
    setsockopt(c->client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    setsockopt(c->server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static void* own(void* arg)
{
    struct connection* c = arg;
    unsigned char out[k_message], in[k_message];
    for (long i = 0; i < g_rounds_per_connection; ++i) {
        memset(out, (int)(i & 0xff), sizeof(out));
        send_all(c->client, out, sizeof(out));
        receive_all(c->server, in, sizeof(in));
        in[0] ^= 0x5a;
        send_all(c->server, in, sizeof(in));
        receive_all(c->client, out, sizeof(out));
        if (out[0] != ((i & 0xff) ^ 0x5a) || out[k_message - 1] != (i & 0xff))
            fail("echo differs");
        c->checksum += out[0];
    }
    return NULL;
}

static void* client(void* arg)
{
    struct connection* c = arg;
    unsigned char out[k_message], in[k_message];
    for (long i = 0; i < g_rounds_per_connection; ++i) {
        memset(out, (int)(i & 0xff), sizeof(out));
        send_all(c->client, out, sizeof(out));
        receive_all(c->client, in, sizeof(in));
        if (in[0] != ((i & 0xff) ^ 0x5a) || in[k_message - 1] != (i & 0xff))
            fail("echo differs");
        c->checksum += in[0];
    }
    return NULL;
}

static void* server(void* arg)
{
    struct connection* c = arg;
    unsigned char buffer[k_message];
    for (long i = 0; i < g_rounds_per_connection; ++i) {
        receive_all(c->server, buffer, sizeof(buffer));
        buffer[0] ^= 0x5a;
        send_all(c->server, buffer, sizeof(buffer));
    }
    return NULL;
}

int main(int argc, char** argv)
{
    long rounds = argc > 1 ? atol(argv[1]) : 20000;
    long threads = argc > 2 ? atol(argv[2]) : sysconf(_SC_NPROCESSORS_ONLN);
    const char* mode = argc > 3 ? argv[3] : "own";
    int pairs = strcmp(mode, "pair") == 0;
    if (rounds < 1 || threads < 1 || threads > k_max_threads || (!pairs && strcmp(mode, "own") != 0)) {
        printf("usage: socket_threads [ROUNDS [THREADS 1-%d [own|pair]]]\n", k_max_threads);
        return 2;
    }
    g_rounds_per_connection = rounds / threads;
    struct connection c[k_max_threads] = { 0 };
    for (long i = 0; i < threads; ++i)
        connect_pair(&c[i]);
    pthread_t t[2 * k_max_threads];
    double start = now();
    for (long i = 0; i < threads; ++i) {
        if (pairs) {
            pthread_create(&t[2 * i], NULL, client, &c[i]);
            pthread_create(&t[2 * i + 1], NULL, server, &c[i]);
        } else {
            pthread_create(&t[i], NULL, own, &c[i]);
        }
    }
    for (long i = 0; i < (pairs ? 2 * threads : threads); ++i)
        pthread_join(t[i], NULL);
    double seconds = now() - start;
    uint64_t checksum = 0;
    for (long i = 0; i < threads; ++i) {
        checksum += c[i].checksum;
        close(c[i].client);
        close(c[i].server);
    }
    printf("socket-bound %.3f s with %ld connection(s), mode %s: %.0f round trips per second (checksum %llu)\n",
        seconds, threads, mode, (double)(g_rounds_per_connection * threads) / seconds, (unsigned long long)checksum);
    return 0;
}
