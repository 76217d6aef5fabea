/* SPDX-License-Identifier: MIT */
/* Pipes between threads: a producer streams 4 MiB through a pipe to a consumer (blocking on a
 * full pipe and an empty one), EOF after the last writer closes, atomic PIPE_BUF writes from
 * several writers, non-blocking EAGAIN, EPIPE with SIGPIPE ignored and delivered, FIFOs. */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

#define STREAM (4u << 20)

static unsigned char pattern(uint32_t i) { return (unsigned char)(i * 31 + (i >> 11)); }

static void* producer(void* arg)
{
    int fd = *(int*)arg;
    static unsigned char buf[10007];
    uint32_t sent = 0;
    while (sent < STREAM) {
        uint32_t n = STREAM - sent < sizeof buf ? STREAM - sent : sizeof buf;
        for (uint32_t i = 0; i < n; ++i)
            buf[i] = pattern(sent + i);
        ssize_t w = write(fd, buf, n);
        if (w <= 0)
            return (void*)1;
        sent += (uint32_t)w;
    }
    close(fd);
    return NULL;
}

static void test_stream(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, producer, &p[1]) == 0);
    static unsigned char buf[65536];
    uint32_t got = 0, bad = 0;
    ssize_t n;
    while ((n = read(p[0], buf, (got % 3) ? 1000 : sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; ++i)
            bad += buf[i] != pattern(got + i);
        got += n;
    }
    CHECK(n == 0); /* EOF once the producer closed its end. */
    void* result;
    CHECK(pthread_join(t, &result) == 0 && result == NULL);
    CHECK(got == STREAM && bad == 0);
    close(p[0]);
}

struct writer {
    int fd;
    char tag;
};

static void* atomic_writer(void* arg)
{
    struct writer* w = arg;
    char block[PIPE_BUF];
    memset(block, w->tag, sizeof block);
    for (int i = 0; i < 64; ++i)
        if (write(w->fd, block, sizeof block) != sizeof block)
            return (void*)1;
    return NULL;
}

static void test_atomic_writes(void)
{
    int p[2];
    CHECK(pipe(p) == 0);
    pthread_t threads[4];
    struct writer writers[4];
    for (int i = 0; i < 4; ++i) {
        writers[i] = (struct writer) { p[1], (char)('A' + i) };
        CHECK(pthread_create(&threads[i], NULL, atomic_writer, &writers[i]) == 0);
    }
    /* Every PIPE_BUF-sized record arrives whole. */
    char record[PIPE_BUF];
    int records = 0, torn = 0;
    while (records < 4 * 64) {
        size_t have = 0;
        while (have < sizeof record) {
            ssize_t n = read(p[0], record + have, sizeof record - have);
            if (n <= 0)
                break;
            have += n;
        }
        for (size_t i = 1; i < sizeof record; ++i)
            torn += record[i] != record[0];
        ++records;
    }
    for (int i = 0; i < 4; ++i)
        pthread_join(threads[i], NULL);
    CHECK(torn == 0);
    close(p[0]);
    close(p[1]);
}

static volatile sig_atomic_t g_sigpipes;
static void on_sigpipe(int signal) { (void)signal; ++g_sigpipes; }

static void test_nonblocking_and_epipe(void)
{
    int p[2];
    CHECK(pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
    CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && (fcntl(p[1], F_GETFL) & O_NONBLOCK));
    char c;
    CHECK_ERRNO(read(p[0], &c, 1), EAGAIN);
    static char big[1 << 17];
    ssize_t n = write(p[1], big, sizeof big);
    CHECK(n == 65536); /* The pipe holds 64 KiB, as on Linux. */
    CHECK_ERRNO(write(p[1], "x", 1), EAGAIN);
    int available = 0;
    CHECK(ioctl(p[0], FIONREAD, &available) == 0 && available == 65536);
    struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { p[1], POLLOUT, 0 } };
    (void)fds;
    CHECK_ERRNO(lseek(p[0], 0, SEEK_SET), ESPIPE);
    struct stat st;
    CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode));
    close(p[0]);
    /* No reader: EPIPE, and SIGPIPE unless ignored. */
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
    signal(SIGPIPE, on_sigpipe);
    CHECK_ERRNO(write(p[1], "x", 1), EPIPE);
    CHECK(g_sigpipes == 1);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]);
}

static void* fifo_writer(void* arg)
{
    int fd = open(arg, O_WRONLY);
    if (fd < 0)
        return (void*)1;
    write(fd, "through a fifo", 14);
    close(fd);
    return NULL;
}

static void test_fifo(void)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/fifo-%d", (int)getpid());
    CHECK(mkfifo(path, 0600) == 0);
    struct stat st;
    CHECK(stat(path, &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_ERRNO(open(path, O_WRONLY | O_NONBLOCK), ENXIO);
    pthread_t t;
    CHECK(pthread_create(&t, NULL, fifo_writer, path) == 0);
    int fd = open(path, O_RDONLY); /* Blocks until the writer opens. */
    CHECK(fd >= 0);
    char buf[32] = { 0 };
    size_t have = 0;
    ssize_t n;
    while ((n = read(fd, buf + have, sizeof buf - 1 - have)) > 0)
        have += n;
    CHECK(have == 14 && !strcmp(buf, "through a fifo"));
    pthread_join(t, NULL);
    close(fd);
    unlink(path);
}

int main(void)
{
    /* First: the signal part must not depend on the threads the other tests start. */
    test_nonblocking_and_epipe();
    test_stream();
    test_atomic_writes();
    test_fifo();
    return finish("pipes");
}
