/* SPDX-License-Identifier: MIT */
/* Waiting on many things at once: poll, ppoll, select, pselect6, epoll, eventfd, timerfd and the
 * interrupt-driven console. Each case prints "<case> ok" or FAIL lines; the same source builds for
 * the host (cc -pthread events.c), where every case passes on Linux too. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../fs/check.h"

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static void sleep_ms(int ms)
{
    struct timespec t = { ms / 1000, (long)(ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) != 0 && errno == EINTR) { }
}

static uint64_t read_u64(int fd)
{
    uint64_t v = 0;
    CHECK(read(fd, &v, 8) == 8);
    return v;
}

static void write_u64(int fd, uint64_t v) { CHECK(write(fd, &v, 8) == 8); }

/* poll with a zero timeout returns at once; a negative one waits for ever (until data comes). */
static void* write_after_100ms(void* arg)
{
    sleep_ms(100);
    CHECK(write(*(int*)arg, "x", 1) == 1);
    return NULL;
}

static int case_poll(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd f[3] = { { p[0], POLLIN, -1 }, { p[1], POLLOUT, -1 }, { -1, POLLIN, -1 } };
    int64_t t0 = now_ns();
    CHECK(poll(f, 3, 0) == 1);
    CHECK(now_ns() - t0 < 50000000);
    CHECK(f[0].revents == 0 && f[1].revents == POLLOUT && f[2].revents == 0);
    /* Negative timeout: sleeps until another thread writes. */
    pthread_t t;
    pthread_create(&t, NULL, write_after_100ms, &p[1]);
    t0 = now_ns();
    CHECK(poll(f, 1, -1) == 1);
    CHECK(f[0].revents == POLLIN);
    CHECK(now_ns() - t0 >= 90000000);
    pthread_join(t, NULL);
    /* A timeout with nothing ready. */
    char c;
    CHECK(read(p[0], &c, 1) == 1);
    t0 = now_ns();
    CHECK(poll(f, 1, 50) == 0);
    CHECK(now_ns() - t0 >= 50000000);
    CHECK(f[0].revents == 0);
    /* POLLNVAL for a descriptor that is not open, POLLHUP once the writer is gone. */
    struct pollfd bad = { 999, POLLIN, 0 };
    CHECK(poll(&bad, 1, 0) == 1 && bad.revents == POLLNVAL);
    close(p[1]);
    CHECK(poll(f, 1, 0) == 1 && f[0].revents == POLLHUP);
    /* A writer whose reader is gone sees POLLERR (and POLLOUT). */
    int q[2];
    CHECK_OK(pipe(q));
    close(q[0]);
    struct pollfd w = { q[1], POLLOUT, 0 };
    CHECK(poll(&w, 1, 0) == 1 && (w.revents & POLLERR));
    close(q[1]);
    close(p[0]);
    /* Regular files and directories are always ready. */
    int file = open("/tmp/poll-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY);
    struct pollfd fs[2] = { { file, POLLIN | POLLOUT, 0 }, { dir, POLLIN, 0 } };
    CHECK(poll(fs, 2, -1) == 2);
    CHECK(fs[0].revents == (POLLIN | POLLOUT) && fs[1].revents == POLLIN);
    close(file);
    close(dir);
    /* No descriptors at all: a plain sleep. */
    t0 = now_ns();
    CHECK(poll(NULL, 0, 30) == 0);
    CHECK(now_ns() - t0 >= 30000000);
    return finish("poll");
}

static volatile sig_atomic_t g_got_signal;
static void on_signal(int signal) { g_got_signal = signal; }

static int case_ppoll(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    struct pollfd f = { p[0], POLLIN, 0 };
    struct timespec ts = { 0, 20000000 };
    CHECK(ppoll(&f, 1, &ts, NULL) == 0);
    CHECK_ERRNO(ppoll(&f, 1, &(struct timespec) { 0, 1000000000 }, NULL), EINVAL);
    /* A signal blocked outside the call but unblocked by its mask interrupts it at once. */
    sigset_t block, empty;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    CHECK_OK(sigprocmask(SIG_BLOCK, &block, NULL));
    signal(SIGUSR1, on_signal);
    raise(SIGUSR1); /* Pending: blocked. */
    CHECK(!g_got_signal);
    CHECK_ERRNO(ppoll(&f, 1, NULL, &empty), EINTR);
    CHECK(g_got_signal == SIGUSR1);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1)); /* The call's mask is gone again. */
    /* The same through epoll_pwait and pselect. */
    g_got_signal = 0;
    raise(SIGUSR1);
    int ep = epoll_create1(0);
    struct epoll_event out;
    CHECK_ERRNO(epoll_pwait(ep, &out, 1, -1, &empty), EINTR);
    CHECK(g_got_signal == SIGUSR1);
    g_got_signal = 0;
    raise(SIGUSR1);
    fd_set r;
    FD_ZERO(&r);
    FD_SET(p[0], &r);
    CHECK_ERRNO(pselect(p[0] + 1, &r, NULL, NULL, NULL, &empty), EINTR);
    CHECK(g_got_signal == SIGUSR1);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &block, NULL));
    signal(SIGUSR1, SIG_DFL);
    close(ep);
    close(p[0]);
    close(p[1]);
    return finish("ppoll");
}

/* select over FD_SETSIZE descriptors (as many as can be open): the one ready is found. */
static int case_select(void)
{
    struct rlimit limit;
    getrlimit(RLIMIT_NOFILE, &limit);
    int fds[FD_SETSIZE];
    int n = 0;
    for (; n < FD_SETSIZE; ++n) {
        fds[n] = eventfd(0, 0);
        if (fds[n] < 0)
            break;
        if (fds[n] >= FD_SETSIZE) { /* The host's limit may be higher than FD_SETSIZE. */
            close(fds[n]);
            break;
        }
    }
    CHECK(n > FD_SETSIZE - 16); /* stdin/out/err and a few more are taken. */
    int highest = fds[n - 1];
    CHECK(highest < FD_SETSIZE);
    write_u64(fds[n / 2], 7);
    fd_set r;
    FD_ZERO(&r);
    for (int i = 0; i < n; ++i)
        FD_SET(fds[i], &r);
    struct timeval tv = { 1, 0 };
    CHECK(select(highest + 1, &r, NULL, NULL, &tv) == 1);
    int set = 0;
    for (int i = 0; i < n; ++i)
        if (FD_ISSET(fds[i], &r)) {
            ++set;
            CHECK(i == n / 2);
        }
    CHECK(set == 1);
    /* Writable: every eventfd. Time left is written back (Linux). */
    fd_set w;
    FD_ZERO(&w);
    FD_SET(fds[0], &w);
    FD_SET(fds[1], &w);
    tv = (struct timeval) { 5, 0 };
    CHECK(select(fds[1] + 1, NULL, &w, NULL, &tv) == 2);
    CHECK(tv.tv_sec >= 4);
    /* Timeout with nothing ready, and EBADF for a closed descriptor. */
    FD_ZERO(&r);
    FD_SET(fds[0], &r);
    tv = (struct timeval) { 0, 20000 };
    CHECK(select(fds[0] + 1, &r, NULL, NULL, &tv) == 0);
    CHECK(!FD_ISSET(fds[0], &r));
    int closed = fds[2];
    close(closed);
    FD_ZERO(&r);
    FD_SET(closed, &r);
    CHECK_ERRNO(select(closed + 1, &r, NULL, NULL, &(struct timeval) { 0, 0 }), EBADF);
    /* pselect6 with a timespec and no mask. */
    FD_ZERO(&r);
    FD_SET(fds[n / 2], &r);
    CHECK(pselect(fds[n / 2] + 1, &r, NULL, NULL, &(struct timespec) { 0, 1000000 }, NULL) == 1);
    for (int i = 0; i < n; ++i)
        if (i != 2)
            close(fds[i]);
    return finish("select");
}

/* 1,000 descriptors in one epoll set, one of them ready: epoll_wait reports exactly that one. */
static int case_epoll_many(void)
{
    enum { count = 1000 };
    static int fds[count];
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK(ep >= 0);
    CHECK((fcntl(ep, F_GETFD) & FD_CLOEXEC) != 0);
    for (int i = 0; i < count; ++i) {
        fds[i] = eventfd(0, EFD_NONBLOCK);
        if (fds[i] < 0) {
            printf("FAIL eventfd %d: %s\n", i, strerror(errno));
            return 1;
        }
        struct epoll_event e = { EPOLLIN, { .u32 = (uint32_t)i } };
        CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &e));
    }
    struct epoll_event out[16];
    CHECK(epoll_wait(ep, out, 16, 0) == 0);
    write_u64(fds[617], 1);
    int n = epoll_wait(ep, out, 16, 1000);
    CHECK(n == 1 && out[0].data.u32 == 617 && out[0].events == EPOLLIN);
    /* Level-triggered: still ready until read. */
    CHECK(epoll_wait(ep, out, 16, 0) == 1);
    CHECK(read_u64(fds[617]) == 1);
    CHECK(epoll_wait(ep, out, 16, 0) == 0);
    /* Many ready, reported across calls without starving any. */
    for (int i = 0; i < count; i += 10)
        write_u64(fds[i], 1);
    int seen = 0;
    for (int round = 0; round < 20; ++round) {
        n = epoll_wait(ep, out, 16, 0);
        for (int k = 0; k < n; ++k) {
            CHECK(out[k].data.u32 % 10 == 0);
            uint64_t v;
            if (read(fds[out[k].data.u32], &v, 8) == 8)
                ++seen;
        }
    }
    CHECK(seen == count / 10);
    for (int i = 0; i < count; ++i)
        close(fds[i]);
    close(ep);
    return finish("epoll-many");
}

/* EPOLLET: one event per edge, none while nothing new happens. */
static int case_epoll_et(void)
{
    int p[2];
    CHECK_OK(pipe2(p, O_NONBLOCK));
    int ep = epoll_create(1);
    struct epoll_event e = { EPOLLIN | EPOLLET, { .fd = p[0] } };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e));
    struct epoll_event out[4];
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    CHECK(write(p[1], "ab", 2) == 2);
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && out[0].events == EPOLLIN && out[0].data.fd == p[0]);
    CHECK(epoll_wait(ep, out, 4, 0) == 0); /* No new edge: no event, though data is still there. */
    CHECK(write(p[1], "c", 1) == 1);       /* A new write is a new edge. */
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    char buf[8];
    CHECK(read(p[0], buf, sizeof buf) == 3);
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    /* The writer side: EPOLLOUT edge when the pipe stops being full, not on every read. */
    int ep2 = epoll_create1(0);
    struct epoll_event we = { EPOLLOUT | EPOLLET, { .fd = p[1] } };
    CHECK_OK(epoll_ctl(ep2, EPOLL_CTL_ADD, p[1], &we));
    CHECK(epoll_wait(ep2, out, 4, 0) == 1); /* Writable at registration. */
    CHECK(epoll_wait(ep2, out, 4, 0) == 0);
    CHECK(write(p[1], "x", 1) == 1);
    CHECK(epoll_wait(ep2, out, 4, 0) == 0); /* Writing is no EPOLLOUT edge. */
    static char big[1 << 16];
    while (write(p[1], big, sizeof big) > 0) { }
    CHECK(errno == EAGAIN);
    CHECK(epoll_wait(ep2, out, 4, 0) == 0);
    while (read(p[0], big, sizeof big) > 0) { }
    CHECK(epoll_wait(ep2, out, 4, 0) == 1 && out[0].events == EPOLLOUT);
    close(ep2);
    /* Edge-triggered HUP when the writer goes. */
    close(p[1]);
    CHECK(epoll_wait(ep, out, 4, 0) == 1 && (out[0].events & EPOLLHUP));
    close(p[0]);
    close(ep);
    return finish("epoll-et");
}

/* EPOLLONESHOT: reported once, then silent until EPOLL_CTL_MOD re-arms it. */
static int case_epoll_oneshot(void)
{
    int efd = eventfd(0, EFD_NONBLOCK);
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN | EPOLLONESHOT, { .u64 = 0x1122334455667788ull } };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e));
    write_u64(efd, 1);
    struct epoll_event out[2];
    CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.u64 == 0x1122334455667788ull);
    CHECK(epoll_wait(ep, out, 2, 0) == 0);
    write_u64(efd, 1);
    CHECK(epoll_wait(ep, out, 2, 0) == 0); /* Disabled, not removed: ADD again fails. */
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e), EEXIST);
    e.data.u64 = 5;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &e));
    CHECK(epoll_wait(ep, out, 2, 0) == 1 && out[0].data.u64 == 5);
    CHECK(epoll_wait(ep, out, 2, 0) == 0);
    close(efd);
    close(ep);
    return finish("epoll-oneshot");
}

/* epoll_ctl's errors and the lifetime rules: EPERM for files, ENOENT, EEXIST, EINVAL, ELOOP,
 * EBADF; a registration goes when the description's last descriptor closes, not before. */
static int case_epoll_ctl(void)
{
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN, { 0 } };
    int file = open("/tmp/epoll-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, file, &e), EPERM);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, 0x7ffffff, &e), EBADF);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), EINVAL);
    int efd = eventfd(0, 0);
    CHECK_ERRNO(epoll_ctl(file, EPOLL_CTL_ADD, efd, &e), EINVAL);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &e), ENOENT);
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), ENOENT);
    CHECK_ERRNO(epoll_ctl(ep, 99, efd, &e), EINVAL);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e));
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e), EEXIST);
    struct epoll_event ex = { EPOLLIN | EPOLLEXCLUSIVE, { 0 } };
    int efd2 = eventfd(0, 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, efd2, &ex));
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_MOD, efd2, &ex), EINVAL);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd2, NULL));
    CHECK_ERRNO(epoll_create(0), EINVAL);
    CHECK_ERRNO(epoll_create1(1), EINVAL);
    struct epoll_event out[4];
    CHECK_ERRNO(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERRNO(epoll_wait(file, out, 4, 0), EINVAL);
    /* Nested instances: an epoll is readable when it has events; cycles are refused. */
    int outer = epoll_create1(0);
    struct epoll_event ne = { EPOLLIN, { .fd = ep } };
    CHECK_OK(epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ne));
    struct epoll_event back = { EPOLLIN, { .fd = outer } };
    CHECK_ERRNO(epoll_ctl(ep, EPOLL_CTL_ADD, outer, &back), ELOOP);
    CHECK(epoll_wait(outer, out, 4, 0) == 0);
    write_u64(efd, 1);
    CHECK(epoll_wait(outer, out, 4, 0) == 1 && out[0].data.fd == ep);
    struct pollfd pf = { ep, POLLIN, 0 };
    CHECK(poll(&pf, 1, 0) == 1 && pf.revents == POLLIN);
    CHECK(read_u64(efd) == 1);
    /* dup: the registration is for the description, and survives closing one of its descriptors. */
    int copy = dup(efd);
    close(efd);
    write_u64(copy, 3);
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    CHECK(read_u64(copy) == 3);
    /* Closing the last descriptor removes the registration; the number can be added anew. */
    close(copy);
    write_u64(efd2, 1); /* efd2 is not registered any more: no event. */
    CHECK(epoll_wait(ep, out, 4, 0) == 0);
    int again = eventfd(1, 0);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, again, &e));
    CHECK(epoll_wait(ep, out, 4, 0) == 1);
    /* EPOLLRDHUP and EPOLLPRI are accepted. */
    int p[2];
    CHECK_OK(pipe(p));
    struct epoll_event ev = { EPOLLIN | EPOLLRDHUP | EPOLLPRI, { .fd = p[0] } };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    close(p[1]);
    int n = epoll_wait(ep, out, 4, 0);
    int hup = 0;
    for (int k = 0; k < n; ++k)
        if (out[k].data.fd == p[0])
            hup = out[k].events & EPOLLHUP;
    CHECK(hup);
    close(p[0]);
    close(again);
    close(efd2);
    close(outer);
    close(ep);
    close(file);
    return finish("epoll-ctl");
}

/* An eventfd written from one thread wakes epoll_wait in another; also measures the round trip. */
static int g_ping, g_pong;

static void* pong_thread(void* arg)
{
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN, { 0 } };
    epoll_ctl(ep, EPOLL_CTL_ADD, g_ping, &e);
    for (;;) {
        struct epoll_event out;
        if (epoll_wait(ep, &out, 1, -1) != 1)
            break;
        uint64_t v = read_u64(g_ping);
        write_u64(g_pong, 1);
        if (v > 1)
            break;
    }
    close(ep);
    return NULL;
}

static int case_epoll_wakeup(void)
{
    g_ping = eventfd(0, 0);
    g_pong = eventfd(0, 0);
    pthread_t t;
    pthread_create(&t, NULL, pong_thread, NULL);
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN, { 0 } };
    epoll_ctl(ep, EPOLL_CTL_ADD, g_pong, &e);
    enum { rounds = 2000 };
    int64_t start = now_ns();
    for (int i = 0; i < rounds; ++i) {
        write_u64(g_ping, 1);
        struct epoll_event out;
        CHECK(epoll_wait(ep, &out, 1, 5000) == 1);
        read_u64(g_pong);
    }
    int64_t elapsed = now_ns() - start;
    write_u64(g_ping, 2);
    pthread_join(t, NULL);
    printf("epoll round trip: %.2f us\n", elapsed / 1000.0 / rounds);
    close(ep);
    close(g_ping);
    close(g_pong);
    return finish("epoll-wakeup");
}

/* eventfd: counter semantics, EFD_SEMAPHORE, EFD_NONBLOCK, overflow, bad sizes. */
static int case_eventfd(void)
{
    int fd = eventfd(5, EFD_NONBLOCK);
    CHECK(read_u64(fd) == 5);
    uint64_t v;
    CHECK_ERRNO(read(fd, &v, 8), EAGAIN);
    CHECK_ERRNO(read(fd, &v, 4), EINVAL);
    write_u64(fd, 2);
    write_u64(fd, 3);
    CHECK(read_u64(fd) == 5);
    v = ~0ull;
    CHECK_ERRNO(write(fd, &v, 8), EINVAL);
    v = 0xfffffffffffffffeull;
    CHECK(write(fd, &v, 8) == 8);
    v = 1;
    CHECK_ERRNO(write(fd, &v, 8), EAGAIN); /* Would overflow. */
    struct pollfd f = { fd, POLLIN | POLLOUT, 0 };
    CHECK(poll(&f, 1, 0) == 1 && f.revents == POLLIN);
    close(fd);
    int sem = eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(read_u64(sem) == 1 && read_u64(sem) == 1 && read_u64(sem) == 1);
    CHECK_ERRNO(read(sem, &v, 8), EAGAIN);
    CHECK((fcntl(sem, F_GETFD) & FD_CLOEXEC) && (fcntl(sem, F_GETFL) & O_NONBLOCK));
    close(sem);
    CHECK_ERRNO(eventfd(0, 0x1234), EINVAL);
    return finish("eventfd");
}

/* timerfd: one-shot, periodic expiries counted against the clock, absolute times on both clocks,
 * gettime, disarming. */
static int case_timerfd(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    CHECK(fd >= 0);
    struct itimerspec its = { { 0, 0 }, { 0, 30000000 } };
    int64_t t0 = now_ns();
    CHECK_OK(timerfd_settime(fd, 0, &its, NULL));
    CHECK(read_u64(fd) == 1);
    CHECK(now_ns() - t0 >= 30000000);
    /* Periodic, 10 ms: after ~205 ms about 20 expiries, counted whether or not anyone read. */
    its = (struct itimerspec) { { 0, 10000000 }, { 0, 10000000 } };
    t0 = now_ns();
    CHECK_OK(timerfd_settime(fd, 0, &its, NULL));
    sleep_ms(205);
    uint64_t ticks = read_u64(fd);
    int64_t expected = (now_ns() - t0) / 10000000;
    CHECK((int64_t)ticks >= expected - 1 && (int64_t)ticks <= expected);
    struct itimerspec cur;
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(cur.it_interval.tv_nsec == 10000000 && cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec <= 10000000);
    /* Counting against the clock over a longer run: 50 expiries of 4 ms each. */
    its = (struct itimerspec) { { 0, 4000000 }, { 0, 4000000 } };
    CHECK_OK(timerfd_settime(fd, 0, &its, NULL));
    t0 = now_ns();
    uint64_t total = 0;
    while (total < 50)
        total += read_u64(fd);
    int64_t elapsed = now_ns() - t0;
    CHECK(elapsed >= (int64_t)(total - 1) * 4000000);
    /* Disarm: old value returned, nothing more arrives. */
    struct itimerspec off = { { 0, 0 }, { 0, 0 } }, old;
    CHECK_OK(timerfd_settime(fd, 0, &off, &old));
    CHECK(old.it_interval.tv_nsec == 4000000);
    CHECK_OK(timerfd_gettime(fd, &cur));
    CHECK(cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0);
    close(fd);
    /* Absolute time on CLOCK_REALTIME and CLOCK_MONOTONIC, non-blocking reads. */
    int rt = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
    struct timespec wall;
    clock_gettime(CLOCK_REALTIME, &wall);
    wall.tv_nsec += 20000000;
    if (wall.tv_nsec >= 1000000000) {
        wall.tv_nsec -= 1000000000;
        wall.tv_sec++;
    }
    its = (struct itimerspec) { { 0, 0 }, wall };
    CHECK_OK(timerfd_settime(rt, TFD_TIMER_ABSTIME, &its, NULL));
    uint64_t v;
    CHECK_ERRNO(read(rt, &v, 8), EAGAIN);
    struct pollfd f = { rt, POLLIN, 0 };
    CHECK(poll(&f, 1, 1000) == 1);
    CHECK(read_u64(rt) == 1);
    its = (struct itimerspec) { { 0, 0 }, { 0, 1 } }; /* 1 ns after boot: in the past, expires at once. */
    int m = timerfd_create(CLOCK_MONOTONIC, 0);
    CHECK_OK(timerfd_settime(m, TFD_TIMER_ABSTIME, &its, NULL));
    CHECK(read_u64(m) == 1);
    CHECK_ERRNO(timerfd_create(12345, 0), EINVAL);
    CHECK_ERRNO(timerfd_settime(m, 0, &(struct itimerspec) { { 0, 0 }, { 0, 2000000000 } }, NULL), EINVAL);
    int notimer = eventfd(0, 0);
    CHECK_ERRNO(timerfd_settime(notimer, 0, &its, NULL), EINVAL);
    close(notimer);
    close(m);
    close(rt);
    return finish("timerfd");
}

/* Closing a descriptor while another thread polls it: no crash; the poll goes on with the
 * description it holds and ends by its timeout, as on Linux. */
static int g_close_fd;

static void* close_soon(void* arg)
{
    (void)arg;
    sleep_ms(50);
    CHECK_OK(close(g_close_fd));
    return NULL;
}

static int case_close_while_polling(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    g_close_fd = p[0];
    pthread_t t;
    pthread_create(&t, NULL, close_soon, NULL);
    struct pollfd f = { p[0], POLLIN, 0 };
    int64_t t0 = now_ns();
    int r = poll(&f, 1, 300);
    int64_t elapsed = now_ns() - t0;
    pthread_join(t, NULL);
    if (!(r == 0 && elapsed >= 290000000))
        printf("FAIL poll on a closed descriptor: %d after %lld ms, revents %x\n", r, (long long)elapsed / 1000000, f.revents);
    /* The same with epoll: the registration vanishes with the description. */
    int q[2];
    CHECK_OK(pipe(q));
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN, { 0 } };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &e));
    g_close_fd = q[0];
    pthread_create(&t, NULL, close_soon, NULL);
    struct epoll_event out;
    CHECK(epoll_wait(ep, &out, 1, 200) == 0);
    pthread_join(t, NULL);
    CHECK(write(q[1], "z", 1) == -1 && errno == EPIPE); /* Reader gone (SIGPIPE ignored below). */
    close(q[1]);
    close(ep);
    close(p[1]);
    return finish("close-while-polling");
}

/* FIONBIO and FIONREAD on pipes and eventfds. */
static int case_ioctl(void)
{
    int p[2];
    CHECK_OK(pipe(p));
    int on = 1;
    CHECK_OK(ioctl(p[0], FIONBIO, &on));
    CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
    char c;
    CHECK_ERRNO(read(p[0], &c, 1), EAGAIN);
    CHECK(write(p[1], "hello", 5) == 5);
    int pending = -1;
    CHECK_OK(ioctl(p[0], FIONREAD, &pending));
    CHECK(pending == 5);
    on = 0;
    CHECK_OK(ioctl(p[0], FIONBIO, &on));
    CHECK(!(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    close(p[0]);
    close(p[1]);
    return finish("ioctl");
}

/* Interrupt-driven input: stdin is read line by line while another thread prints on a timer.
 * Lines must come back in order with nothing lost, and the ticker must keep running while the
 * reader waits. */
static volatile int g_reading = 1;

static void* ticker(void* arg)
{
    (void)arg;
    int ticks = 0;
    while (g_reading) {
        sleep_ms(20);
        ++ticks;
    }
    printf("ticker ran %s\n", ticks > 0 ? "yes" : "no");
    return NULL;
}

static int case_stdin_lines(void)
{
    pthread_t t;
    pthread_create(&t, NULL, ticker, NULL);
    sleep_ms(30); /* The ticker ticks at least once, however fast the input comes. */
    char line[256];
    int lines = 0;
    unsigned long sum = 0;
    while (fgets(line, sizeof line, stdin)) {
        ++lines;
        sum += strtoul(line, NULL, 10);
    }
    g_reading = 0;
    pthread_join(t, NULL);
    printf("lines %d sum %lu\n", lines, sum);
    return finish("stdin-lines");
}

/* stdin through poll and epoll: readable when input is there, and at the end of input. */
static int case_stdin_poll(void)
{
    struct pollfd f = { 0, POLLIN, 0 };
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN | EPOLLET, { 0 } };
    int epoll_ok = epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e) == 0;
    size_t total = 0;
    for (;;) {
        CHECK(poll(&f, 1, 10000) == 1);
        char buf[4096];
        ssize_t n = read(0, buf, sizeof buf);
        if (n <= 0)
            break;
        total += (size_t)n;
    }
    printf("stdin bytes %zu epoll %s\n", total, epoll_ok ? "yes" : "no");
    close(ep);
    return finish("stdin-poll");
}

/* signalfd: blocked signals read as records, and seen by epoll when another thread sends one. */
static pthread_t g_signal_target;
static void* send_usr1_later(void* arg)
{
    (void)arg;
    sleep_ms(50);
    pthread_kill(g_signal_target, SIGUSR1);
    return NULL;
}

static int case_signalfd(void)
{
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGUSR1);
    sigaddset(&mask, SIGUSR2);
    CHECK_OK(sigprocmask(SIG_BLOCK, &mask, NULL));
    int sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK(sfd >= 0);
    struct signalfd_siginfo record;
    CHECK_ERRNO(read(sfd, &record, sizeof record), EAGAIN);
    CHECK_ERRNO(read(sfd, &record, 8), EINVAL);
    int ep = epoll_create1(0);
    struct epoll_event e = { EPOLLIN, { .fd = sfd } };
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &e));
    g_signal_target = pthread_self();
    pthread_t t;
    pthread_create(&t, NULL, send_usr1_later, NULL);
    struct epoll_event out;
    CHECK(epoll_wait(ep, &out, 1, 2000) == 1 && out.data.fd == sfd);
    CHECK(read(sfd, &record, sizeof record) == sizeof record);
    CHECK(record.ssi_signo == SIGUSR1);
    pthread_join(t, NULL);
    /* Process-directed, and two at once in one read. */
    CHECK_OK(kill(getpid(), SIGUSR2));
    CHECK_OK(raise(SIGUSR1));
    struct signalfd_siginfo two[2];
    CHECK(read(sfd, two, sizeof two) == 2 * sizeof(struct signalfd_siginfo));
    CHECK(two[0].ssi_signo == SIGUSR1 && two[1].ssi_signo == SIGUSR2);
    /* A new mask through signalfd4 on the same descriptor. */
    sigset_t only2;
    sigemptyset(&only2);
    sigaddset(&only2, SIGUSR2);
    CHECK(signalfd(sfd, &only2, 0) == sfd);
    CHECK_OK(raise(SIGUSR1));
    CHECK_ERRNO(read(sfd, &record, sizeof record), EAGAIN);
    sigset_t pending;
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGUSR1));
    int sig;
    CHECK(sigwait(&mask, &sig) == 0 && sig == SIGUSR1);
    close(ep);
    close(sfd);
    CHECK_OK(sigprocmask(SIG_UNBLOCK, &mask, NULL));
    return finish("signalfd");
}

/* Waiting with nothing ready lets the guest halt; the caller measures the host's CPU. */
static int case_idle(const char* how)
{
    int p[2];
    CHECK_OK(pipe(p));
    int64_t t0 = now_ns();
    if (!strcmp(how, "poll")) {
        struct pollfd f = { p[0], POLLIN, 0 };
        CHECK(poll(&f, 1, 5000) == 0);
    } else if (!strcmp(how, "select")) {
        fd_set r;
        FD_ZERO(&r);
        FD_SET(p[0], &r);
        struct timeval tv = { 5, 0 };
        CHECK(select(p[0] + 1, &r, NULL, NULL, &tv) == 0);
    } else {
        int ep = epoll_create1(0);
        struct epoll_event e = { EPOLLIN, { 0 } };
        epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e);
        struct epoll_event out;
        CHECK(epoll_wait(ep, &out, 1, 5000) == 0);
        close(ep);
    }
    CHECK(now_ns() - t0 >= 5000000000ll);
    close(p[0]);
    close(p[1]);
    return finish("idle");
}

int main(int argc, char** argv)
{
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char* c = argc > 1 ? argv[1] : "";
    if (!strcmp(c, "poll"))
        return case_poll();
    if (!strcmp(c, "ppoll"))
        return case_ppoll();
    if (!strcmp(c, "select"))
        return case_select();
    if (!strcmp(c, "epoll-many"))
        return case_epoll_many();
    if (!strcmp(c, "epoll-et"))
        return case_epoll_et();
    if (!strcmp(c, "epoll-oneshot"))
        return case_epoll_oneshot();
    if (!strcmp(c, "epoll-ctl"))
        return case_epoll_ctl();
    if (!strcmp(c, "epoll-wakeup"))
        return case_epoll_wakeup();
    if (!strcmp(c, "eventfd"))
        return case_eventfd();
    if (!strcmp(c, "timerfd"))
        return case_timerfd();
    if (!strcmp(c, "close-while-polling"))
        return case_close_while_polling();
    if (!strcmp(c, "ioctl"))
        return case_ioctl();
    if (!strcmp(c, "signalfd"))
        return case_signalfd();
    if (!strcmp(c, "stdin-lines"))
        return case_stdin_lines();
    if (!strcmp(c, "stdin-poll"))
        return case_stdin_poll();
    if (!strncmp(c, "idle-", 5))
        return case_idle(c + 5);
    printf("unknown case '%s'\n", c);
    return 2;
}
