/* SPDX-License-Identifier: MIT */
/* An event loop as programs write them: one edge-triggered epoll instance over non-blocking pipes,
 * an eventfd and a timerfd, fed by worker threads. Every readiness edge must be drained to EAGAIN
 * or the loop would stall, so lost or missing edges show as a hang (the runner's timeout) or as
 * wrong totals. Its transcript is deterministic; the test compares it with the same program run
 * as a Linux process. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

enum { workers = 6, messages = 400, message_size = 37 };

struct worker {
    int id;
    int pipe[2];
    int done_fd;
    uint32_t checksum_sent;
};

static struct worker g_workers[workers];

static uint32_t mix(uint32_t h, uint8_t b) { return (h ^ b) * 16777619u; }

static void* worker_main(void* arg)
{
    struct worker* w = arg;
    uint32_t h = 2166136261u;
    for (int m = 0; m < messages; ++m) {
        uint8_t msg[message_size];
        for (int i = 0; i < message_size; ++i) {
            msg[i] = (uint8_t)(w->id * 31 + m * 7 + i);
            h = mix(h, msg[i]);
        }
        size_t off = 0;
        while (off < sizeof msg) {
            ssize_t n = write(w->pipe[1], msg + off, sizeof msg - off);
            if (n > 0)
                off += (size_t)n;
            else if (errno == EAGAIN)
                sched_yield(); /* The loop has not drained yet. */
            else {
                perror("write");
                exit(3);
            }
        }
        if (m % 50 == 0)
            usleep(1000);
    }
    w->checksum_sent = h;
    uint64_t one = 1;
    if (write(w->done_fd, &one, 8) != 8)
        exit(4);
    return NULL;
}

int main(void)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    int done = eventfd(0, EFD_NONBLOCK);
    int timer = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = { { 0, 5000000 }, { 0, 5000000 } };
    timerfd_settime(timer, 0, &its, NULL);
    struct epoll_event e = { EPOLLIN | EPOLLET, { .u32 = 1000 } };
    epoll_ctl(ep, EPOLL_CTL_ADD, done, &e);
    e.data.u32 = 2000;
    epoll_ctl(ep, EPOLL_CTL_ADD, timer, &e);
    pthread_t threads[workers];
    uint32_t received[workers];
    size_t bytes[workers];
    for (int i = 0; i < workers; ++i) {
        g_workers[i].id = i;
        g_workers[i].done_fd = done;
        if (pipe2(g_workers[i].pipe, O_NONBLOCK) != 0)
            return 5;
        e.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
        e.data.u32 = (uint32_t)i;
        epoll_ctl(ep, EPOLL_CTL_ADD, g_workers[i].pipe[0], &e);
        received[i] = 2166136261u;
        bytes[i] = 0;
    }
    for (int i = 0; i < workers; ++i)
        pthread_create(&threads[i], NULL, worker_main, &g_workers[i]);
    uint64_t finished = 0, ticks = 0;
    int wakeups = 0;
    while (finished < workers || ticks < 3) {
        struct epoll_event out[8];
        int n = epoll_wait(ep, out, 8, 10000);
        if (n <= 0) {
            printf("epoll_wait returned %d (%s): events lost\n", n, n ? strerror(errno) : "timeout");
            return 1;
        }
        ++wakeups;
        for (int k = 0; k < n; ++k) {
            uint32_t tag = out[k].data.u32;
            uint64_t v;
            if (tag == 1000) {
                while (read(done, &v, 8) == 8)
                    finished += v;
            } else if (tag == 2000) {
                while (read(timer, &v, 8) == 8)
                    ticks += v;
            } else {
                uint8_t buf[4096];
                ssize_t r;
                while ((r = read(g_workers[tag].pipe[0], buf, sizeof buf)) > 0) {
                    for (ssize_t i = 0; i < r; ++i)
                        received[tag] = mix(received[tag], buf[i]);
                    bytes[tag] += (size_t)r;
                }
                if (r < 0 && errno != EAGAIN) {
                    perror("read");
                    return 1;
                }
            }
        }
    }
    for (int i = 0; i < workers; ++i)
        pthread_join(threads[i], NULL);
    /* Drain what arrived after the last done notification. */
    for (int i = 0; i < workers; ++i) {
        uint8_t buf[4096];
        ssize_t r;
        while ((r = read(g_workers[i].pipe[0], buf, sizeof buf)) > 0) {
            for (ssize_t k = 0; k < r; ++k)
                received[i] = mix(received[i], buf[k]);
            bytes[i] += (size_t)r;
        }
    }
    int ok = 1;
    for (int i = 0; i < workers; ++i) {
        int match = received[i] == g_workers[i].checksum_sent && bytes[i] == (size_t)messages * message_size;
        printf("worker %d: %zu bytes, checksum %s\n", i, bytes[i], match ? "matches" : "DIFFERS");
        ok &= match;
        close(g_workers[i].pipe[1]);
    }
    /* The writers are closed: each reader gets an edge with EPOLLHUP (and EPOLLRDHUP). */
    int hups = 0;
    struct epoll_event out[8];
    int n;
    while ((n = epoll_wait(ep, out, 8, 100)) > 0)
        for (int k = 0; k < n; ++k)
            if (out[k].data.u32 < workers && (out[k].events & EPOLLHUP))
                ++hups;
    printf("hang-ups seen: %d\n", hups);
    printf("timer fired: %s\n", ticks >= 3 ? "yes" : "no");
    printf("%s\n", ok && hups == workers ? "event loop ok" : "event loop FAILED");
    return ok && hups == workers ? 0 : 1;
}
